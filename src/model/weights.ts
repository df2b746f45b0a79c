import type { T5Config } from './config';
import { ModelLoadError } from './errors';
import { toFloat32, type SafetensorsFile } from './safetensors';

/**
 * Checks a checkpoint's tensors against what a T5 of this config must have, by Hugging Face's
 * names and shapes ([out, in] for linear layers), and decodes them to float32.
 */

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensor name -> float32 data, every name and shape checked. */
export type T5Checkpoint = Map<string, HostTensor>;

/** Every tensor a T5 of this config needs, with its shape as Hugging Face stores it. */
export function expectedShapes(c: T5Config): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const inner = c.numHeads * c.dKv;
  const attention = (prefix: string, withBias: boolean) => {
    for (const proj of ['q', 'k', 'v']) shapes.set(`${prefix}.${proj}.weight`, [inner, c.dModel]);
    shapes.set(`${prefix}.o.weight`, [c.dModel, inner]);
    if (withBias) {
      shapes.set(`${prefix}.relative_attention_bias.weight`, [c.relativeAttentionNumBuckets, c.numHeads]);
    }
  };
  const feedForward = (prefix: string) => {
    const inputs = c.feedForward === 'gated-gelu' ? ['wi_0', 'wi_1'] : ['wi'];
    for (const wi of inputs) shapes.set(`${prefix}.DenseReluDense.${wi}.weight`, [c.dFf, c.dModel]);
    shapes.set(`${prefix}.DenseReluDense.wo.weight`, [c.dModel, c.dFf]);
    shapes.set(`${prefix}.layer_norm.weight`, [c.dModel]);
  };

  shapes.set('shared.weight', [c.vocabSize, c.dModel]);
  for (let i = 0; i < c.numLayers; i++) {
    const block = `encoder.block.${i}`;
    attention(`${block}.layer.0.SelfAttention`, i === 0);
    shapes.set(`${block}.layer.0.layer_norm.weight`, [c.dModel]);
    feedForward(`${block}.layer.1`);
  }
  shapes.set('encoder.final_layer_norm.weight', [c.dModel]);
  for (let i = 0; i < c.numDecoderLayers; i++) {
    const block = `decoder.block.${i}`;
    attention(`${block}.layer.0.SelfAttention`, i === 0);
    shapes.set(`${block}.layer.0.layer_norm.weight`, [c.dModel]);
    attention(`${block}.layer.1.EncDecAttention`, false);
    shapes.set(`${block}.layer.1.layer_norm.weight`, [c.dModel]);
    feedForward(`${block}.layer.2`);
  }
  shapes.set('decoder.final_layer_norm.weight', [c.dModel]);
  if (!c.tieWordEmbeddings) shapes.set('lm_head.weight', [c.vocabSize, c.dModel]);
  return shapes;
}

/**
 * Tensors that real checkpoints carry but the model does not use: copies of the tied embedding,
 * and a cross-attention position bias that the original T5 checkpoints saved and never read.
 */
function isRedundant(name: string, c: T5Config): boolean {
  return (
    name === 'encoder.embed_tokens.weight' ||
    name === 'decoder.embed_tokens.weight' ||
    (name === 'lm_head.weight' && c.tieWordEmbeddings) ||
    name === 'decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight'
  );
}

/** Merges the files of a (possibly sharded) checkpoint and validates it against the config. */
export function readCheckpoint(files: Map<string, SafetensorsFile>, c: T5Config): T5Checkpoint {
  const stored = new Map<string, { file: string; tensor: ReturnType<SafetensorsFile['get']> & {} }>();
  for (const [file, tensors] of files) {
    for (const [name, tensor] of tensors) {
      const other = stored.get(name);
      if (other) throw new ModelLoadError(`tensor "${name}" is in both ${other.file} and ${file}`, file);
      stored.set(name, { file, tensor });
    }
  }
  // Some exports keep the embedding only under a tied alias.
  if (!stored.has('shared.weight')) {
    const alias = stored.get('encoder.embed_tokens.weight') ?? stored.get('decoder.embed_tokens.weight');
    if (alias) stored.set('shared.weight', alias);
  }

  const expected = expectedShapes(c);
  const missing = [...expected.keys()].filter((name) => !stored.has(name));
  if (missing.length > 0) {
    throw new ModelLoadError(
      `the checkpoint lacks ${missing.length} tensor(s) this config needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  }
  const extra = [...stored.keys()].filter((name) => !expected.has(name) && !isRedundant(name, c));
  if (extra.length > 0) {
    throw new ModelLoadError(
      `the checkpoint has ${extra.length} tensor(s) a T5 of this config does not have: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''} (does config.json match the weights?)`,
      stored.get(extra[0])!.file,
    );
  }

  const checkpoint: T5Checkpoint = new Map();
  for (const [name, shape] of expected) {
    const { file, tensor } = stored.get(name)!;
    if (tensor.shape.length !== shape.length || tensor.shape.some((n, i) => n !== shape[i])) {
      throw new ModelLoadError(
        `tensor "${name}" has shape [${tensor.shape}] but config.json implies [${shape}]`,
        file,
      );
    }
    checkpoint.set(name, { shape, data: toFloat32(tensor) });
  }
  return checkpoint;
}
