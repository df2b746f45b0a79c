import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadT5 } from '../../src/model/load';
import { parseSafetensors } from '../../src/model/safetensors';
import { fixtureBytes, fixtureFiles } from '../support/node-fixtures';
import { safetensorsBytes } from '../support/safetensors-bytes';

/** The fixture folder with one file replaced (or removed when `bytes` is null). */
function filesWith(name: string, bytes: Uint8Array | string | null): File[] {
  const files = fixtureFiles('t5-tiny-gated').filter((f) => f.name !== name);
  return bytes === null ? files : [...files, new File([typeof bytes === 'string' ? bytes : bytes.slice()], name)];
}

/** The fixture's weights re-saved with an edit: tensors renamed, dropped or reshaped. */
function editedWeights(edit: (tensors: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>) => void): Uint8Array {
  const parsed = parseSafetensors(fixtureBytes('t5-tiny-gated', 'model.safetensors'), 'model.safetensors');
  const tensors = Object.fromEntries([...parsed].map(([name, t]) => [name, { ...t, bytes: t.bytes.slice() }]));
  edit(tensors);
  return safetensorsBytes(tensors);
}

const load = (files: File[]) => loadT5({ kind: 'files', files });

describe('loading a T5 folder with a bad file', () => {
  tf.setBackend('cpu');
  const config = JSON.parse(new TextDecoder().decode(fixtureBytes('t5-tiny-gated', 'config.json')));

  it('names a missing file', async () => {
    await expect(load(filesWith('config.json', null))).rejects.toThrow('config.json: is missing from the model folder');
    await expect(load(filesWith('model.safetensors', null))).rejects.toThrow(/no model.safetensors or model.safetensors.index.json/);
  });

  it('rejects a config that is not T5', async () => {
    await expect(load(filesWith('config.json', JSON.stringify({ ...config, model_type: 'bart' })))).rejects.toThrow(
      'config.json: not a T5 config: model_type is "bart"',
    );
  });

  it('names a missing tensor', async () => {
    const bytes = editedWeights((t) => delete t['decoder.block.2.layer.1.EncDecAttention.k.weight']);
    await expect(load(filesWith('model.safetensors', bytes))).rejects.toThrow(
      /lacks 1 tensor\(s\) this config needs: decoder.block.2.layer.1.EncDecAttention.k.weight/,
    );
  });

  it('names an extra tensor', async () => {
    const bytes = editedWeights((t) => {
      t['encoder.block.9.layer.0.SelfAttention.q.weight'] = t['encoder.block.0.layer.0.SelfAttention.q.weight'];
    });
    await expect(load(filesWith('model.safetensors', bytes))).rejects.toThrow(
      /has 1 tensor\(s\) a T5 of this config does not have: encoder.block.9.layer.0.SelfAttention.q.weight/,
    );
  });

  it('names a tensor whose shape does not match the config', async () => {
    const bigger = { ...config, d_ff: config.d_ff * 2 };
    await expect(load(filesWith('config.json', JSON.stringify(bigger)))).rejects.toThrow(
      /tensor "encoder.block.0.layer.1.DenseReluDense.wi_0.weight" has shape \[\d+,\d+\] but config.json implies/,
    );
  });

  it('rejects a truncated checkpoint', async () => {
    const bytes = fixtureBytes('t5-tiny-gated', 'model.safetensors');
    await expect(load(filesWith('model.safetensors', bytes.slice(0, bytes.length - 100)))).rejects.toThrow(
      /model.safetensors: tensor ".*" ends at byte \d+ .* truncated/,
    );
  });

  it('rejects a tokenizer larger than the vocabulary', async () => {
    await expect(load(filesWith('config.json', JSON.stringify({ ...config, vocab_size: 10 })))).rejects.toThrow(
      /tokenizer.json: has \d+ tokens but config.json's vocab_size is 10/,
    );
  });

  it('rejects a broken tokenizer.json', async () => {
    await expect(load(filesWith('tokenizer.json', '{"version": "1.0"'))).rejects.toThrow('tokenizer.json: not valid JSON');
    await expect(load(filesWith('tokenizer.json', '{"version": "1.0"}'))).rejects.toThrow(/tokenizer.json: not a tokenizer.json/);
  });

  it('names a missing shard', async () => {
    const files = fixtureFiles('t5-tiny-gated', 'sharded').filter((f) => !f.name.startsWith('model-00002'));
    const rest = fixtureFiles('t5-tiny-gated').filter((f) => f.name === 'config.json' || f.name === 'tokenizer.json');
    await expect(load([...files, ...rest])).rejects.toThrow(/lists shard "model-00002-of-00002.safetensors" but it is missing/);
  });
});
