import { describe, expect, it } from 'vitest';
import { parseSafetensors, parseShardIndex, readSafetensorsMetadata, toFloat32, writeSafetensors } from '../../src/model/safetensors';
import { f32, safetensorsBytes, u16 } from '../support/safetensors-bytes';

describe('safetensors reader', () => {
  it('decodes F32, F16 and BF16 to float32', () => {
    const file = parseSafetensors(
      safetensorsBytes({
        a: { dtype: 'F32', shape: [2, 2], bytes: f32([1, -2.5, 3.25, 1e-8]) },
        // f16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), +inf, 0.333... rounded
        b: { dtype: 'F16', shape: [6], bytes: u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555]) },
        // bf16: 1, -0.5, 3.140625, the top half of float32 1e-8
        c: { dtype: 'BF16', shape: [4], bytes: u16([0x3f80, 0xbf00, 0x4049, 0x322b]) },
      }),
      'x.safetensors',
    );
    expect(file.get('a')!.shape).toEqual([2, 2]);
    expect([...toFloat32(file.get('a')!)]).toEqual([1, -2.5, 3.25, Math.fround(1e-8)]);
    expect([...toFloat32(file.get('b')!)]).toEqual([1, -2, 65504, 2 ** -24, Infinity, Math.fround(0.333251953125)]);
    const c = toFloat32(file.get('c')!);
    expect([c[0], c[1], c[2]]).toEqual([1, -0.5, 3.140625]);
    expect(c[3]).toBeCloseTo(1e-8, 9);
  });

  it('reads tensors whose data is not 4-byte aligned', () => {
    const bytes = safetensorsBytes({
      h: { dtype: 'F16', shape: [1], bytes: u16([0x3c00]) },
      w: { dtype: 'F32', shape: [2], bytes: f32([7, 8]) },
    });
    expect([...toFloat32(parseSafetensors(bytes, 'f').get('w')!)]).toEqual([7, 8]);
  });

  const valid = safetensorsBytes({ w: { dtype: 'F32', shape: [4], bytes: f32([1, 2, 3, 4]) } });
  it.each([
    ['too short for a header', valid.slice(0, 5), /too short for a safetensors header/],
    ['truncated in the header', valid.slice(0, 20), /header claims \d+ bytes .* truncated/],
    ['truncated in the data', valid.slice(0, valid.length - 4), /tensor "w" ends at byte 16 .* truncated/],
    [
      'corrupt in the header',
      (() => {
        const b = valid.slice();
        b[9] = 0xff;
        return b;
      })(),
      /header is not valid JSON/,
    ],
    ['of an unsupported dtype', safetensorsBytes({ ids: { dtype: 'I64', shape: [1], bytes: new Uint8Array(8) } }), /tensor "ids" has dtype "I64"; supported are F32, F16 and BF16/],
    ['sized wrongly for its shape', safetensorsBytes({ w: { dtype: 'F32', shape: [3], bytes: f32([1, 2, 3, 4]) } }), /tensor "w" spans 16 bytes but shape \[3\] of F32 needs 12/],
  ])('rejects a file %s, naming the file', (_, bytes, message) => {
    expect(() => parseSafetensors(bytes, 'model.safetensors')).toThrow(message);
    expect(() => parseSafetensors(bytes, 'model.safetensors')).toThrow(/^model\.safetensors: /);
  });

  it('reads a shard index', () => {
    const index = JSON.stringify({ metadata: { total_size: 8 }, weight_map: { a: 'model-00001-of-00002.safetensors' } });
    expect([...parseShardIndex(index)]).toEqual([['a', 'model-00001-of-00002.safetensors']]);
    expect(() => parseShardIndex('{"metadata": {}}')).toThrow(/no "weight_map"/);
  });
});

describe('safetensors writer', () => {
  it('round-trips tensors and metadata through the reader', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([-0.5]);
    const bytes = writeSafetensors({ 'prompt.shared': { shape: [2, 3], data: a }, u: { shape: [1, 1], data: b } }, { model: 'x', l: '2' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const file = parseSafetensors(bytes, 'v.safetensors');
    expect(file.get('prompt.shared')!.shape).toEqual([2, 3]);
    expect([...toFloat32(file.get('prompt.shared')!)]).toEqual([...a]);
    expect([...toFloat32(file.get('u')!)]).toEqual([-0.5]);
    expect(readSafetensorsMetadata(bytes, 'v.safetensors')).toEqual({ model: 'x', l: '2' });
    expect(() => writeSafetensors({ bad: { shape: [2, 2], data: a } })).toThrow(/shape \[2,2\] needs 4 values, got 6/);
  });
});
