import { describe, it, beforeAll, expect } from 'vitest';
import { initBackend } from '../../src/model/backend';
import { wasmFileUrls } from '../../src/model/wasm-paths';
import { expectWasmMatMulMatches, LAYOUTS } from '../support/wasm-matmul-checks';

describe('wasm SIMD batched matMul (Chromium, threaded build on shared memory)', () => {
  beforeAll(async () => {
    const choice = await initBackend('wasm', { wasmPaths: wasmFileUrls });
    expect(choice.name).toBe('wasm');
    expect(choice.threads).toBe(true);
  });
  it.each(LAYOUTS)('transposeA %s, transposeB %s matches tfjs-wasm', (ta, tb) => expectWasmMatMulMatches(ta, tb));
});
