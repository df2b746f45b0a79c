import '@tensorflow/tfjs-backend-wasm';
import { describe, it, beforeAll, expect } from 'vitest';
import { initBackend } from '../../src/model/backend';
import { WASM_DIST } from '../support/node-fixtures';
import { expectWasmMatMulMatches, LAYOUTS } from '../support/wasm-matmul-checks';

describe('wasm SIMD batched matMul (node, single-threaded build)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm', { wasmPaths: WASM_DIST })).name).toBe('wasm');
  });
  it.each(LAYOUTS)('transposeA %s, transposeB %s matches tfjs-wasm', (ta, tb) => expectWasmMatMulMatches(ta, tb));
});
