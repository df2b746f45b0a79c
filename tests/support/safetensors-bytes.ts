/** Builds safetensors bytes in memory, for tests of the reader's error handling. */
export interface TensorSpec {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

export function safetensorsBytes(tensors: Record<string, TensorSpec>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of Object.values(tensors)) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}

export const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
export const u16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
