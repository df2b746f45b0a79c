// MPT prompt composition, forward, all K tasks in one dispatch:
//   out[k, i, j] = pStar[i, j] * sum_c u[k, i, c] * v[k, j, c]        (P̂_k = P* ⊙ U_k V_kᵀ)
// Inputs (tfjs names them; it generates getPStar/getU/getV and uniforms.<name>Shape):
//   pStar [l, d], u [K, l, r], v [K, d, r]; output [K, l, d], all row-major float32.
// One invocation per output element. `index` is the flat row-major index into [K, l, d], so
// neighbouring invocations have the same (k, i) and consecutive j: the reads of pStar[i, j] and
// the writes are contiguous, u[k, i, :] is one value per row (broadcast), and v[k, j, c] is read
// with stride r (contiguous for the paper's r = 1).

fn main(index : i32) {
  if (index >= uniforms.size) {
    return; // the last workgroup runs past the end when K*l*d is not a multiple of its size
  }
  let coords = getCoordsFromIndex(index); // (k, i, j) from uniforms.outShapeStrides
  let k = coords.x;
  let i = coords.y;
  let j = coords.z;
  let rank = uniforms.uShape.z;

  // (U_k V_kᵀ)[i, j]: a dot product of length r (1 in the paper).
  var uv = 0.0;
  for (var c = 0; c < rank; c++) {
    uv += getU(k, i, c) * getV(k, j, c);
  }
  setOutputAtIndex(index, getPStar(i, j) * uv);
}
