import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadT5 } from '../../src/model/load';
import { fixtureBytes } from '../support/node-fixtures';

/**
 * There is no network here, so fetch answers from the fixture files by URL: this checks which
 * Hugging Face URLs the loader asks for, not the Hub itself.
 */
function serveRepo(files: Record<string, Uint8Array>): string[] {
  const requested: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    requested.push(url);
    const body = files[url];
    return body ? new Response(body.slice(), { headers: { 'Content-Length': String(body.byteLength) } }) : new Response('Entry not found', { status: 404 });
  });
  return requested;
}

const main = 'https://huggingface.co/google/t5-efficient-tiny/resolve/main/';
const pr = 'https://huggingface.co/google/t5-efficient-tiny/resolve/refs%2Fpr%2F1/';

describe('loading a Hugging Face repo by id', () => {
  afterEach(() => vi.unstubAllGlobals());
  tf.setBackend('cpu');

  it('reads config, tokenizer and weights from resolve/main', async () => {
    const requested = serveRepo({
      [`${main}config.json`]: fixtureBytes('t5-tiny-relu', 'config.json'),
      [`${main}tokenizer.json`]: fixtureBytes('t5-tiny-relu', 'tokenizer.json'),
      [`${main}model.safetensors`]: fixtureBytes('t5-tiny-relu', 'model.safetensors'),
    });
    const model = await loadT5({ kind: 'hub', repo: 'google/t5-efficient-tiny' });
    expect(model.config.feedForward).toBe('relu');
    expect(requested).toEqual([`${main}config.json`, `${main}tokenizer.json`, `${main}model.safetensors`]);
    model.dispose();
  });

  it('falls back to the safetensors conversion in refs/pr/1 when main has only pytorch_model.bin', async () => {
    const requested = serveRepo({
      [`${main}config.json`]: fixtureBytes('t5-tiny-relu', 'config.json'),
      [`${main}tokenizer.json`]: fixtureBytes('t5-tiny-relu', 'tokenizer.json'),
      [`${pr}model.safetensors`]: fixtureBytes('t5-tiny-relu', 'model.safetensors'),
    });
    const model = await loadT5({ kind: 'hub', repo: 'google/t5-efficient-tiny' });
    expect(requested).toContain(`${pr}model.safetensors`);
    model.dispose();
  });

  it('says so when no safetensors exist anywhere', async () => {
    serveRepo({
      [`${main}config.json`]: fixtureBytes('t5-tiny-relu', 'config.json'),
      [`${main}tokenizer.json`]: fixtureBytes('t5-tiny-relu', 'tokenizer.json'),
    });
    await expect(loadT5({ kind: 'hub', repo: 'google/t5-efficient-tiny' })).rejects.toThrow(/no model.safetensors or model.safetensors.index.json/);
  });

  it('rejects a malformed repo id before any download', async () => {
    const requested = serveRepo({});
    await expect(loadT5({ kind: 'hub', repo: 'not a repo' })).rejects.toThrow(/is not a Hugging Face repo id/);
    expect(requested).toEqual([]);
  });
});
