import { ModelLoadError } from './errors';

/** The fields of a Hugging Face T5 `config.json` that the forward pass needs, with HF's defaults. */
export interface T5Config {
  vocabSize: number;
  dModel: number;
  dKv: number;
  dFf: number;
  numHeads: number;
  numLayers: number;
  numDecoderLayers: number;
  relativeAttentionNumBuckets: number;
  relativeAttentionMaxDistance: number;
  layerNormEpsilon: number;
  /** 'relu' is T5 v1.0; 'gated-gelu' is T5 v1.1 / FLAN-T5 (gelu_new, the tanh approximation). */
  feedForward: 'relu' | 'gated-gelu';
  /** v1.0 ties the output layer to `shared` and rescales by d_model^-0.5; v1.1 has its own lm_head. */
  tieWordEmbeddings: boolean;
  padTokenId: number;
  eosTokenId: number;
  decoderStartTokenId: number;
}

const FILE = 'config.json';

function field(json: Record<string, unknown>, key: string, fallback?: number): number {
  const value = json[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelLoadError(`"${key}" must be a number, got ${JSON.stringify(value)}`, FILE);
  }
  return value;
}

function positiveInt(json: Record<string, unknown>, key: string, fallback?: number): number {
  const value = field(json, key, fallback);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ModelLoadError(`"${key}" must be a positive integer, got ${value}`, FILE);
  }
  return value;
}

/** Parses `config.json` text or object; throws a ModelLoadError naming the bad field. */
export function parseT5Config(input: unknown): T5Config {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new ModelLoadError(`not valid JSON (${(e as Error).message})`, FILE);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelLoadError('must be a JSON object', FILE);
  }
  const c = json as Record<string, unknown>;
  if (c.model_type !== 't5') {
    throw new ModelLoadError(
      `not a T5 config: model_type is ${JSON.stringify(c.model_type)}, expected "t5"`,
      FILE,
    );
  }

  // HF spells the feed-forward as "relu", "gated-gelu" or, in newer files, "gelu"+is_gated_act.
  const proj = c.feed_forward_proj ?? 'relu';
  let feedForward: T5Config['feedForward'];
  if (proj === 'relu') feedForward = 'relu';
  else if (proj === 'gated-gelu') feedForward = 'gated-gelu';
  else {
    throw new ModelLoadError(
      `feed_forward_proj ${JSON.stringify(proj)} is not supported (use "relu" or "gated-gelu")`,
      FILE,
    );
  }

  const numLayers = positiveInt(c, 'num_layers');
  const config: T5Config = {
    vocabSize: positiveInt(c, 'vocab_size'),
    dModel: positiveInt(c, 'd_model'),
    dKv: positiveInt(c, 'd_kv'),
    dFf: positiveInt(c, 'd_ff'),
    numHeads: positiveInt(c, 'num_heads'),
    numLayers,
    numDecoderLayers: positiveInt(c, 'num_decoder_layers', numLayers),
    relativeAttentionNumBuckets: positiveInt(c, 'relative_attention_num_buckets', 32),
    relativeAttentionMaxDistance: positiveInt(c, 'relative_attention_max_distance', 128),
    layerNormEpsilon: field(c, 'layer_norm_epsilon', 1e-6),
    feedForward,
    tieWordEmbeddings: c.tie_word_embeddings === undefined ? true : c.tie_word_embeddings === true,
    padTokenId: field(c, 'pad_token_id', 0),
    eosTokenId: field(c, 'eos_token_id', 1),
    decoderStartTokenId: field(c, 'decoder_start_token_id', 0),
  };
  if (config.layerNormEpsilon <= 0) {
    throw new ModelLoadError('"layer_norm_epsilon" must be positive', FILE);
  }
  return config;
}
