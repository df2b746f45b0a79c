import { describe, expect, it } from 'vitest';
import { parseT5Config } from '../../src/model/config';
import { expectedShapes } from '../../src/model/weights';

// config.json files as Hugging Face publishes them for google-t5/t5-small and google/flan-t5-small.
const t5Small = {
  architectures: ['T5ForConditionalGeneration'],
  d_ff: 2048,
  d_kv: 64,
  d_model: 512,
  decoder_start_token_id: 0,
  dropout_rate: 0.1,
  eos_token_id: 1,
  initializer_factor: 1.0,
  is_encoder_decoder: true,
  layer_norm_epsilon: 1e-6,
  model_type: 't5',
  n_positions: 512,
  num_heads: 8,
  num_layers: 6,
  output_past: true,
  pad_token_id: 0,
  relative_attention_num_buckets: 32,
  vocab_size: 32128,
};
const flanT5Small = {
  architectures: ['T5ForConditionalGeneration'],
  d_ff: 1024,
  d_kv: 64,
  d_model: 512,
  decoder_start_token_id: 0,
  dense_act_fn: 'gelu_new',
  dropout_rate: 0.1,
  eos_token_id: 1,
  feed_forward_proj: 'gated-gelu',
  initializer_factor: 1.0,
  is_encoder_decoder: true,
  is_gated_act: true,
  layer_norm_epsilon: 1e-6,
  model_type: 't5',
  n_positions: 512,
  num_decoder_layers: 8,
  num_heads: 6,
  num_layers: 8,
  output_past: true,
  pad_token_id: 0,
  relative_attention_max_distance: 128,
  relative_attention_num_buckets: 32,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
  vocab_size: 32128,
};

const parameterCount = (config: unknown) =>
  [...expectedShapes(parseT5Config(config)).values()].reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);

describe('parseT5Config', () => {
  it('reads a T5 v1.0 config with Hugging Face defaults', () => {
    const c = parseT5Config(JSON.stringify(t5Small));
    expect(c).toMatchObject({
      feedForward: 'relu',
      tieWordEmbeddings: true,
      numLayers: 6,
      numDecoderLayers: 6,
      relativeAttentionMaxDistance: 128,
      layerNormEpsilon: 1e-6,
      decoderStartTokenId: 0,
    });
  });

  it('reads a FLAN-T5 (v1.1) config', () => {
    const c = parseT5Config(flanT5Small);
    expect(c).toMatchObject({ feedForward: 'gated-gelu', tieWordEmbeddings: false, numHeads: 6, numDecoderLayers: 8 });
  });

  it('counts parameters as Hugging Face does for the published checkpoints', () => {
    expect(parameterCount(t5Small)).toBe(60_506_624);
    expect(parameterCount(flanT5Small)).toBe(76_961_152);
  });

  it.each([
    ['not JSON', '{"model_type": "t5",', /not valid JSON/],
    ['another architecture', { ...t5Small, model_type: 'bert' }, /not a T5 config: model_type is "bert"/],
    ['a missing field', { ...t5Small, d_model: undefined }, /"d_model" must be a number/],
    ['a non-integer size', { ...t5Small, num_heads: 7.5 }, /"num_heads" must be a positive integer/],
    ['an unknown feed-forward', { ...t5Small, feed_forward_proj: 'gated-silu' }, /feed_forward_proj "gated-silu" is not supported/],
    ['an array', [], /must be a JSON object/],
  ])('rejects %s with a message naming the problem', (_, input, message) => {
    expect(() => parseT5Config(input)).toThrow(message);
  });
});
