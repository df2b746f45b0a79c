// MPT prompt composition, gradient of the shared prompt, one dispatch:
//   dPStar[i, j] = sum_k dy[k, i, j] * sum_c u[k, i, c] * v[k, j, c]   (Σ_k dP̂_k ⊙ U_k V_kᵀ)
// Inputs: dy [K, l, d] (the gradient of the composed prompts), u [K, l, r], v [K, d, r].
// Output: [l, d].
// One invocation per output element, which owns the whole sum over the K tasks (no atomics).
// `index` runs over [l, d] row-major: for each k, neighbouring invocations read consecutive
// dy[k, i, j], so every step of the k loop is a contiguous read of one row of dy.

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let coords = getCoordsFromIndex(index); // (i, j)
  let i = coords.x;
  let j = coords.y;
  let numTasks = uniforms.dyShape.x;
  let rank = uniforms.uShape.z;

  var acc = 0.0;
  for (var k = 0; k < numTasks; k++) {
    var uv = 0.0; // (U_k V_kᵀ)[i, j]
    for (var c = 0; c < rank; c++) {
      uv += getU(k, i, c) * getV(k, j, c);
    }
    acc += getDy(k, i, j) * uv;
  }
  setOutputAtIndex(index, acc);
}
