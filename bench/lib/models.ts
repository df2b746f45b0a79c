/**
 * Models for the benchmarks: the bundled checkpoint when the page serves one, else a T5 of any
 * config with random weights made in memory (Hugging Face's init, so activations keep their
 * usual scale). The weights only set the speed through their shapes.
 */
import type { T5Config } from '../../src/model/config';
import { T5Model, type T5ModelOptions } from '../../src/model/t5';
import type { T5Tokenizer } from '../../src/model/tokenizer';
import { expectedShapes, type T5Checkpoint } from '../../src/model/weights';

/** A T5 v1.1-style config (gated-gelu, untied lm_head), like the bundled model. */
export function t5Config(fields: Partial<T5Config> & Pick<T5Config, 'dModel' | 'dFf' | 'numHeads' | 'numLayers' | 'vocabSize'>): T5Config {
  return {
    dKv: fields.dModel / fields.numHeads,
    numDecoderLayers: fields.numLayers,
    relativeAttentionNumBuckets: 32,
    relativeAttentionMaxDistance: 128,
    layerNormEpsilon: 1e-6,
    feedForward: 'gated-gelu',
    tieWordEmbeddings: false,
    padTokenId: 0,
    eosTokenId: 1,
    decoderStartTokenId: 0,
    ...fields,
  };
}

/** t5-small's shapes (60M parameters): d_model 512, d_ff 2048, 8 heads, 6+6 layers, vocab 32128. */
export const T5_SMALL: T5Config = t5Config({
  dModel: 512,
  dKv: 64,
  dFf: 2048,
  numHeads: 8,
  numLayers: 6,
  vocabSize: 32128,
  feedForward: 'relu',
  tieWordEmbeddings: true,
});

/** A tiny model for smoke tests and the 500-step memory run. */
export const TINY: T5Config = t5Config({ dModel: 64, dFf: 128, numHeads: 4, numLayers: 2, vocabSize: 512 });

/** Normal samples from a seeded generator (mulberry32 + Box-Muller): fast enough for 60M values. */
function normals(n: number, std: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform())) * std;
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Random weights with Hugging Face's T5 init (tools/t5/reference.py: init_weights). */
export function randomCheckpoint(c: T5Config, seed = 0): T5Checkpoint {
  const checkpoint: T5Checkpoint = new Map();
  let i = 0;
  for (const [name, shape] of expectedShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    let std: number;
    if (name.endsWith('layer_norm.weight')) {
      checkpoint.set(name, { shape, data: new Float32Array(n).fill(1) });
      continue;
    } else if (name === 'shared.weight' || name === 'lm_head.weight') std = 1;
    else if (name.endsWith('relative_attention_bias.weight')) std = c.dModel ** -0.5;
    else if (name.endsWith('.q.weight')) std = (c.dModel * c.dKv) ** -0.5;
    else if (name.endsWith('.o.weight')) std = (c.numHeads * c.dKv) ** -0.5;
    else if (name.endsWith('.wo.weight')) std = c.dFf ** -0.5;
    else std = c.dModel ** -0.5; // k, v, wi, wi_0, wi_1
    checkpoint.set(name, { shape, data: normals(n, std, seed * 7919 + i++) });
  }
  return checkpoint;
}

/** Enough of a tokenizer for training on ids: prompt init by vocabulary samples reads `size`. */
function idsOnlyTokenizer(size: number): T5Tokenizer {
  return {
    size,
    encode: () => {
      throw new Error('this benchmark model has no tokenizer');
    },
    decode: () => '',
  } as unknown as T5Tokenizer;
}

/** A T5Model on the current tfjs backend from a checkpoint in memory. */
export function modelFromCheckpoint(c: T5Config, checkpoint: T5Checkpoint, options?: T5ModelOptions): T5Model {
  return new T5Model(c, checkpoint, idsOnlyTokenizer(c.vocabSize), options);
}

export function parameterCount(c: T5Config): number {
  return [...expectedShapes(c).values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}

export function describeConfig(c: T5Config): string {
  const params = parameterCount(c) / 1e6;
  return (
    `d_model ${c.dModel}, d_ff ${c.dFf}, ${c.numHeads} heads x ${c.dKv}, ${c.numLayers}+${c.numDecoderLayers} layers, ` +
    `vocab ${c.vocabSize}, ${c.feedForward}, ${c.tieWordEmbeddings ? 'tied' : 'untied'}; ${params.toFixed(1)}M params`
  );
}

/** The config as Hugging Face's config.json spells it (for tools/t5/reference.py). */
export function toHfConfig(c: T5Config): Record<string, unknown> {
  return {
    model_type: 't5',
    vocab_size: c.vocabSize,
    d_model: c.dModel,
    d_kv: c.dKv,
    d_ff: c.dFf,
    num_layers: c.numLayers,
    num_decoder_layers: c.numDecoderLayers,
    num_heads: c.numHeads,
    relative_attention_num_buckets: c.relativeAttentionNumBuckets,
    relative_attention_max_distance: c.relativeAttentionMaxDistance,
    layer_norm_epsilon: c.layerNormEpsilon,
    feed_forward_proj: c.feedForward,
    tie_word_embeddings: c.tieWordEmbeddings,
    pad_token_id: c.padTokenId,
    eos_token_id: c.eosTokenId,
    decoder_start_token_id: c.decoderStartTokenId,
  };
}
