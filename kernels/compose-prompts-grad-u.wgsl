// MPT prompt composition, gradient of the left factors U, one dispatch for all K tasks:
//   dU[k, i, c] = sum_j dy[k, i, j] * pStar[i, j] * v[k, j, c]        ((dP̂_k ⊙ P*) V_k)
// Inputs: dy [K, l, d], pStar [l, d], v [K, d, r]. Output: [K, l, r].
// One invocation per output element, owning its sum along the row (k, i) of dy: d values,
// read in order, so each invocation streams one contiguous row (no atomics, no barriers).
// Neighbouring invocations walk neighbouring rows in step (dy is read with a stride of d across
// them); on a GPU each row's cache line then serves the next j steps too. A workgroup-per-row
// tree reduction (coalesced, but one barrier per step) was 7-60x slower on SwiftShader, where
// WebGPU runs on the CPU and barriers are expensive.

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let coords = getCoordsFromIndex(index); // (k, i, c)
  let k = coords.x;
  let i = coords.y;
  let c = coords.z;
  let width = uniforms.dyShape.z;

  var acc = 0.0;
  for (var j = 0; j < width; j++) {
    acc += getDy(k, i, j) * getPStar(i, j) * getV(k, j, c);
  }
  setOutputAtIndex(index, acc);
}
