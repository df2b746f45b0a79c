import { encodeSafetensors } from '../../src/model/safetensors';

/** Safetensors bytes built in memory, of any dtype and size, for tests of the reader's error handling. */
export interface TensorSpec {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

export const safetensorsBytes = (tensors: Record<string, TensorSpec>) => encodeSafetensors(tensors, { format: 'pt' });

export const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
export const u16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
