import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import { CACHE_NAME } from '../../src/model/sources';
import type { T5Model } from '../../src/model/t5';
import { wasmFileUrls } from '../../src/model/wasm-paths';
import { FIXTURE_MODELS, type Golden } from '../support/golden';
import { expectForwardMatches, expectGenerationMatches, expectPromptGradient, expectRankMatches } from '../support/model-checks';

const BACKENDS: BackendName[] = ['webgpu', 'wasm'];
const fixtureUrl = (...parts: string[]) => `/tests/fixtures/${parts.join('/')}/`;

describe('the test page', () => {
  it('is cross-origin isolated, so threaded WASM can load', () => {
    expect(crossOriginIsolated).toBe(true);
  });
  it('has a WebGPU adapter (SwiftShader on CI)', async () => {
    expect(await navigator.gpu.requestAdapter()).not.toBeNull();
  });
});

describe.each(BACKENDS)('T5 forward on %s (Chromium) against PyTorch', (backend) => {
  beforeAll(async () => {
    const choice = await initBackend(backend, { wasmPaths: wasmFileUrls });
    expect(choice.name).toBe(backend);
    if (backend === 'wasm') expect(choice.threads).toBe(true);
    // Otherwise small ops with CPU-resident inputs run on the CPU and the GPU path goes untested.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  });

  describe.each(FIXTURE_MODELS)('%s loaded from a URL', (name) => {
    let model: T5Model;
    let golden: Golden;
    beforeAll(async () => {
      golden = await (await fetch(`${fixtureUrl(name)}golden.json`)).json();
      model = await loadT5({ kind: 'url', baseUrl: fixtureUrl(name) });
    });
    afterAll(() => model.dispose());

    it('matches encoder states and logits without a prompt', () => expectForwardMatches(model, golden, false));
    it('matches encoder states and logits with a soft prompt', () => expectForwardMatches(model, golden, true));
    it('generates the same ids greedily', () => expectGenerationMatches(model, golden));
    it('ranks verbalizers with the same probabilities', () => expectRankMatches(model, golden));
    it('sends gradients to the prompt only, matching finite differences', () => expectPromptGradient(model, golden));
  });

  it('loads the bf16 and sharded checkpoints to the same logits', async () => {
    const golden: Golden = await (await fetch(`${fixtureUrl('t5-tiny-gated')}golden.json`)).json();
    for (const variant of ['bf16', 'sharded']) {
      const base = fixtureUrl('t5-tiny-gated');
      const files = await Promise.all(
        ['config.json', 'tokenizer.json'].map(async (f) => new File([await (await fetch(base + f)).blob()], f)),
      );
      const variantUrl = fixtureUrl('t5-tiny-gated', variant);
      const names =
        variant === 'sharded'
          ? ['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']
          : ['model.safetensors'];
      for (const f of names) files.push(new File([await (await fetch(variantUrl + f)).blob()], f));
      const model = await loadT5({ kind: 'files', files });
      await expectForwardMatches(model, golden, true);
      model.dispose();
    }
  });
});

describe('downloads', () => {
  it('reports byte progress and serves a reload from the Cache API', async () => {
    await initBackend('wasm', { wasmPaths: wasmFileUrls });
    const first: { file: string; fromCache: boolean; loadedBytes: number; totalBytes: number | null }[] = [];
    await caches.delete(CACHE_NAME);
    const url = fixtureUrl('t5-tiny-relu');
    const m1 = await loadT5({ kind: 'url', baseUrl: url }, (p) => first.push(p));
    m1.dispose();
    const weights = first.filter((p) => p.file === 'model.safetensors');
    expect(weights.at(-1)!.loadedBytes).toBe(weights.at(-1)!.totalBytes);
    expect(weights.every((p) => !p.fromCache)).toBe(true);

    const second: typeof first = [];
    const m2 = await loadT5({ kind: 'url', baseUrl: url }, (p) => second.push(p));
    m2.dispose();
    expect(second.filter((p) => p.file === 'model.safetensors').every((p) => p.fromCache)).toBe(true);
  });
});
