import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Golden } from './golden';

export const FIXTURES = resolve(__dirname, '../fixtures');

/** A fixture folder's files as File objects, as a user would pick them. */
export function fixtureFiles(...parts: string[]): File[] {
  const dir = join(FIXTURES, ...parts);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'golden.json')
    .map((e) => new File([readFileSync(join(dir, e.name))], e.name));
}

export function fixtureBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, ...parts)));
}

export function golden(model: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES, model, 'golden.json'), 'utf8')) as Golden;
}

export const WASM_DIST = resolve(__dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/';
