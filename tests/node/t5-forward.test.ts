import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { initBackend, type BackendName } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import type { T5Model } from '../../src/model/t5';
import { FIXTURE_MODELS } from '../support/golden';
import { expectForwardMatches, expectGenerationMatches, expectPromptGradient, expectRankMatches } from '../support/model-checks';
import { fixtureFiles, golden, WASM_DIST } from '../support/node-fixtures';

const BACKENDS: BackendName[] = ['cpu', 'wasm'];

describe.each(BACKENDS)('T5 forward on %s (node) against PyTorch', (backend) => {
  beforeAll(async () => {
    const choice = await initBackend(backend, { wasmPaths: WASM_DIST });
    expect(choice.name).toBe(backend);
  });

  describe.each(FIXTURE_MODELS)('%s', (name) => {
    let model: T5Model;
    const g = golden(name);
    beforeAll(async () => {
      model = await loadT5({ kind: 'files', files: fixtureFiles(name) });
    });
    afterAll(() => model.dispose());

    it('matches encoder states and logits without a prompt', () => expectForwardMatches(model, g, false));
    it('matches encoder states and logits with a soft prompt', () => expectForwardMatches(model, g, true));
    it('generates the same ids greedily', () => expectGenerationMatches(model, g));
    it('ranks verbalizers with the same probabilities', () => expectRankMatches(model, g));
    it('sends gradients to the prompt only, matching finite differences', () => expectPromptGradient(model, g));
    it('keeps the tensor count flat across calls', async () => {
      await expectRankMatches(model, g);
      const before = tf.memory().numTensors;
      await expectRankMatches(model, g);
      await expectGenerationMatches(model, g);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe.each(['f16', 'bf16', 'sharded'])('t5-tiny-gated stored as %s', (variant) => {
    it('loads to the same logits', async () => {
      const base = fixtureFiles('t5-tiny-gated').filter((f) => f.name === 'config.json' || f.name === 'tokenizer.json');
      const model = await loadT5({ kind: 'files', files: [...base, ...fixtureFiles('t5-tiny-gated', variant)] });
      await expectForwardMatches(model, golden('t5-tiny-gated'), true);
      model.dispose();
    });
  });
});
