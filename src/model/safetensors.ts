import { ModelLoadError } from './errors';

/**
 * A reader for the safetensors format: 8 bytes of little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}} and the raw tensor bytes after it.
 * Every tensor is decoded to float32, the one dtype the forward pass computes in.
 */

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's raw little-endian bytes, a view into the file. */
  bytes: Uint8Array;
}

export type SafetensorsFile = Map<string, StoredTensor>;

export function parseSafetensors(buffer: ArrayBuffer | Uint8Array, file: string): SafetensorsFile {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.byteLength < 8) {
    throw new ModelLoadError(`file is ${bytes.byteLength} bytes, too short for a safetensors header`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) {
    throw new ModelLoadError(
      `header claims ${headerLength} bytes but the file has ${bytes.byteLength - 8} after the length; truncated or not a safetensors file`,
      file,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new ModelLoadError('header is not valid JSON; the file is corrupt or not safetensors', file);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new ModelLoadError('header is not a JSON object', file);
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors: SafetensorsFile = new Map();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) {
      throw new ModelLoadError(
        `tensor "${name}" has dtype ${JSON.stringify(dtype)}; supported are F32, F16 and BF16`,
        file,
      );
    }
    const isDims = (v: unknown): v is number[] =>
      Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 0);
    if (!isDims(shape) || !isDims(offsets) || offsets.length !== 2) {
      throw new ModelLoadError(`tensor "${name}" has a malformed shape or data_offsets`, file);
    }
    const [begin, end] = offsets;
    const expected = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
    if (end < begin || end - begin !== expected) {
      throw new ModelLoadError(
        `tensor "${name}" spans ${end - begin} bytes but shape [${shape}] of ${dtype} needs ${expected}`,
        file,
      );
    }
    if (end > dataLength) {
      throw new ModelLoadError(
        `tensor "${name}" ends at byte ${end} but the file holds ${dataLength} bytes of data; the file is truncated`,
        file,
      );
    }
    tensors.set(name, {
      dtype: dtype as SafetensorsDtype,
      shape,
      bytes: bytes.subarray(dataStart + begin, dataStart + end),
    });
  }
  return tensors;
}

/** float16 bit pattern -> float32, built once: a table lookup beats bit twiddling per element. */
let f16Table: Float32Array | undefined;
function float16Table(): Float32Array {
  if (f16Table) return f16Table;
  f16Table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) f16Table[h] = sign * 2 ** -14 * (mantissa / 1024);
    else if (exponent === 31) f16Table[h] = mantissa ? NaN : sign * Infinity;
    else f16Table[h] = sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
  }
  return f16Table;
}

/** Decodes a stored tensor to a fresh float32 array (a copy: the file buffer can then be freed). */
export function toFloat32(tensor: StoredTensor): Float32Array {
  const { bytes, dtype } = tensor;
  // Typed-array views need aligned offsets; the header length does not guarantee that.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (dtype === 'F32') {
    return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4).slice();
  }
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
  if (dtype === 'F16') {
    const table = float16Table();
    const out = new Float32Array(halves.length);
    for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
    return out;
  }
  // bfloat16 is the top half of a float32.
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
  return new Float32Array(out.buffer);
}

/** The weight map of a sharded checkpoint (`model.safetensors.index.json`): tensor name -> shard file. */
export function parseShardIndex(input: string, file = 'model.safetensors.index.json'): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch {
    throw new ModelLoadError('not valid JSON', file);
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null) {
    throw new ModelLoadError('has no "weight_map" object', file);
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string') throw new ModelLoadError(`weight_map["${name}"] is not a file name`, file);
    map.set(name, shard);
  }
  return map;
}

/**
 * Lays raw tensor bytes out as a safetensors file: header padded with spaces to 8 bytes as the
 * Rust library does, tensors in the given order. Nothing is checked here (tests use it to build
 * broken files); writeSafetensors is the checked float32 writer.
 */
export function encodeSafetensors(
  tensors: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8);
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

/** Writes float32 tensors as a safetensors file, with optional string metadata in `__metadata__`. */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new Error(`tensor "${name}": shape [${t.shape}] needs ${expected} values, got ${t.data.length}`);
    entries[name] = { dtype: 'F32', shape: t.shape, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
  }
  return encodeSafetensors(entries, metadata);
}

/** The `__metadata__` strings of a safetensors file (empty when there are none). */
export function readSafetensorsMetadata(buffer: Uint8Array, file: string): Record<string, string> {
  parseSafetensors(buffer, file); // validates
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(buffer.subarray(8, 8 + length))) as Record<string, unknown>;
  return (header.__metadata__ as Record<string, string> | undefined) ?? {};
}
