// MPT prompt composition, gradient of the right factors V, one dispatch for all K tasks:
//   dV[k, j, c] = sum_i dy[k, i, j] * pStar[i, j] * u[k, i, c]        ((dP̂_k ⊙ P*)ᵀ U_k)
// Inputs: dy [K, l, d], pStar [l, d], u [K, l, r]. Output: [K, d, r].
// One invocation per output element, owning its sum over the l prompt positions (no atomics).
// `index` runs over [K, d, r] row-major, so neighbouring invocations step along j (after the r
// values of c): for each i the reads of dy[k, i, j] and pStar[i, j] are contiguous across the
// workgroup, and u[k, i, c] is the same few values for all of it.

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let coords = getCoordsFromIndex(index); // (k, j, c)
  let k = coords.x;
  let j = coords.y;
  let c = coords.z;
  let promptLength = uniforms.pStarShape.x;

  var acc = 0.0;
  for (var i = 0; i < promptLength; i++) {
    acc += getDy(k, i, j) * getPStar(i, j) * getU(k, i, c);
  }
  setOutputAtIndex(index, acc);
}
