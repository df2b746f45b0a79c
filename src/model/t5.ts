import * as tf from '@tensorflow/tfjs';
import type { T5Config } from './config';
import { generateGreedy } from './inference';
import {
  attention,
  feedForward,
  linear,
  rmsNorm,
  type AttentionWeights,
  type FeedForwardWeights,
  type LinearWeight,
} from './layers';
import { positionBuckets } from './position-bias';
import type { T5Tokenizer } from './tokenizer';
import type { T5Checkpoint } from './weights';

/**
 * A frozen T5 encoder-decoder. Its weights are plain tensors (not variables) uploaded once, so
 * gradients can only flow to what the caller passes in: the soft prompt.
 *
 * Shapes: B batch, S encoder length (prompt + input), T decoder length, d d_model, V vocab.
 */

interface EncoderBlock {
  selfNorm: tf.Tensor1D;
  self: AttentionWeights;
  ffNorm: tf.Tensor1D;
  ff: FeedForwardWeights;
}

interface DecoderBlock extends EncoderBlock {
  crossNorm: tf.Tensor1D;
  cross: AttentionWeights;
}

export interface T5ModelOptions {
  /**
   * Also keep every linear weight in Hugging Face's [out, in] layout, so that the backward pass
   * (training a prompt) runs plain matMuls instead of transposed ones, which tfjs-wasm runs ~10x
   * slower (BENCHMARKS.md). Costs one more copy of the linear weights. Default true.
   */
  transposedCopies?: boolean;
}

/** Masked positions get this added to their attention scores: exp() of it is exactly 0. */
const MASKED = -1e9;

export class T5Model {
  readonly config: T5Config;
  readonly tokenizer: T5Tokenizer;
  readonly parameterCount: number;

  private readonly shared: tf.Tensor2D; // [V, d], gathered for embeddings
  private readonly outputProjection: LinearWeight; // [d, V]: shared or lm_head, transposed
  private readonly encoderBlocks: EncoderBlock[];
  private readonly decoderBlocks: DecoderBlock[];
  private readonly encoderPositionBias: tf.Tensor2D; // [buckets, heads]
  private readonly decoderPositionBias: tf.Tensor2D;
  private readonly encoderFinalNorm: tf.Tensor1D;
  private readonly decoderFinalNorm: tf.Tensor1D;

  constructor(config: T5Config, checkpoint: T5Checkpoint, tokenizer: T5Tokenizer, options: T5ModelOptions = {}) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.parameterCount = [...checkpoint.values()].reduce((n, t) => n + t.data.length, 0);

    const tensor = (name: string) => {
      const { shape, data } = checkpoint.get(name)!;
      return tf.keep(tf.tensor(data, shape));
    };
    // Hugging Face stores linear weights [out, in]; store [in, out] for plain matMuls (and,
    // with transposedCopies, the [out, in] original for the backward pass).
    const keepCopies = options.transposedCopies ?? true;
    const transposed = (name: string): LinearWeight => {
      const { shape, data } = checkpoint.get(name)!;
      const original = tf.keep(tf.tensor2d(data, shape as [number, number]));
      const w = tf.keep(tf.transpose(original));
      if (keepCopies) return { w, wT: original };
      original.dispose();
      return { w };
    };
    const attentionWeights = (prefix: string): AttentionWeights => ({
      q: transposed(`${prefix}.q.weight`),
      k: transposed(`${prefix}.k.weight`),
      v: transposed(`${prefix}.v.weight`),
      o: transposed(`${prefix}.o.weight`),
    });
    const feedForwardWeights = (prefix: string): FeedForwardWeights =>
      config.feedForward === 'relu'
        ? { kind: 'relu', wi: transposed(`${prefix}.wi.weight`), wo: transposed(`${prefix}.wo.weight`) }
        : {
            kind: 'gated-gelu',
            wi0: transposed(`${prefix}.wi_0.weight`),
            wi1: transposed(`${prefix}.wi_1.weight`),
            wo: transposed(`${prefix}.wo.weight`),
          };

    this.shared = tensor('shared.weight') as tf.Tensor2D;
    this.outputProjection =
      config.tieWordEmbeddings && keepCopies
        ? { w: tf.keep(tf.transpose(this.shared)), wT: this.shared } // the embedding is the [out, in] copy
        : transposed(config.tieWordEmbeddings ? 'shared.weight' : 'lm_head.weight');
    this.encoderBlocks = Array.from({ length: config.numLayers }, (_, i) => {
      const b = `encoder.block.${i}.layer`;
      return {
        selfNorm: tensor(`${b}.0.layer_norm.weight`) as tf.Tensor1D,
        self: attentionWeights(`${b}.0.SelfAttention`),
        ffNorm: tensor(`${b}.1.layer_norm.weight`) as tf.Tensor1D,
        ff: feedForwardWeights(`${b}.1.DenseReluDense`),
      };
    });
    this.decoderBlocks = Array.from({ length: config.numDecoderLayers }, (_, i) => {
      const b = `decoder.block.${i}.layer`;
      return {
        selfNorm: tensor(`${b}.0.layer_norm.weight`) as tf.Tensor1D,
        self: attentionWeights(`${b}.0.SelfAttention`),
        crossNorm: tensor(`${b}.1.layer_norm.weight`) as tf.Tensor1D,
        cross: attentionWeights(`${b}.1.EncDecAttention`),
        ffNorm: tensor(`${b}.2.layer_norm.weight`) as tf.Tensor1D,
        ff: feedForwardWeights(`${b}.2.DenseReluDense`),
      };
    });
    const bias = 'SelfAttention.relative_attention_bias.weight';
    this.encoderPositionBias = tensor(`encoder.block.0.layer.0.${bias}`) as tf.Tensor2D;
    this.decoderPositionBias = tensor(`decoder.block.0.layer.0.${bias}`) as tf.Tensor2D;
    this.encoderFinalNorm = tensor('encoder.final_layer_norm.weight') as tf.Tensor1D;
    this.decoderFinalNorm = tensor('decoder.final_layer_norm.weight') as tf.Tensor1D;
  }

  /** Token ids [B, L] -> input embeddings [B, L, d]. */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.gather(this.shared as tf.Tensor, ids) as tf.Tensor3D;
  }

  /**
   * Prepends a soft prompt to every row's input embeddings and unmasks it: the one place where
   * prompt tuning touches the model. One prompt [l, d] for the whole batch, or one per row
   * [B, l, d] (a multitask batch, each row behind its own task's prompt).
   */
  withPrompt(
    prompt: tf.Tensor2D | tf.Tensor3D,
    embeds: tf.Tensor3D,
    mask: tf.Tensor2D,
  ): { embeds: tf.Tensor3D; mask: tf.Tensor2D } {
    return tf.tidy(() => {
      const [b] = embeds.shape;
      const perRow = prompt.rank === 3 ? (prompt as tf.Tensor3D) : (tf.tile(tf.expandDims(prompt, 0), [b, 1, 1]) as tf.Tensor3D);
      const l = perRow.shape[1];
      return {
        embeds: tf.concat([perRow, embeds], 1),
        mask: tf.concat([tf.ones([b, l], mask.dtype), mask], 1) as tf.Tensor2D,
      };
    });
  }

  /** Input embeddings [B, S, d] and mask [B, S] (1 = token, 0 = padding) -> hidden states [B, S, d]. */
  encode(inputEmbeds: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const c = this.config;
      const s = inputEmbeds.shape[1];
      const bias = tf.add(
        this.positionBias(this.encoderPositionBias, s, true),
        paddingBias(mask),
      ) as tf.Tensor4D;
      let h = inputEmbeds;
      for (const block of this.encoderBlocks) {
        const x = rmsNorm(h, block.selfNorm, c.layerNormEpsilon);
        h = tf.add(h, attention(x, x, block.self, c.numHeads, bias));
        h = tf.add(h, feedForward(rmsNorm(h, block.ffNorm, c.layerNormEpsilon), block.ff));
      }
      return rmsNorm(h, this.encoderFinalNorm, c.layerNormEpsilon);
    });
  }

  /**
   * Teacher-forced decoder: decoder input ids [B, T] (starting with decoder_start_token_id) and the
   * encoder's hidden states -> next-token logits [B, T, V].
   */
  decode(decoderIds: tf.Tensor2D, encoderOutput: tf.Tensor3D, encoderMask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.logits(this.decoderHidden(decoderIds, encoderOutput, encoderMask)));
  }

  /** The decoder's final hidden states [B, T, d], before the output layer. */
  decoderHidden(decoderIds: tf.Tensor2D, encoderOutput: tf.Tensor3D, encoderMask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const c = this.config;
      const t = decoderIds.shape[1];
      const causal = tf.tensor2d(causalMask(t), [t, t]);
      const selfBias = tf.add(this.positionBias(this.decoderPositionBias, t, false), causal) as tf.Tensor4D;
      const crossBias = paddingBias(encoderMask);
      let h = this.embed(decoderIds);
      for (const block of this.decoderBlocks) {
        const x = rmsNorm(h, block.selfNorm, c.layerNormEpsilon);
        h = tf.add(h, attention(x, x, block.self, c.numHeads, selfBias));
        h = tf.add(
          h,
          attention(rmsNorm(h, block.crossNorm, c.layerNormEpsilon), encoderOutput, block.cross, c.numHeads, crossBias),
        );
        h = tf.add(h, feedForward(rmsNorm(h, block.ffNorm, c.layerNormEpsilon), block.ff));
      }
      return rmsNorm(h, this.decoderFinalNorm, c.layerNormEpsilon);
    });
  }

  /** Decoder hidden states [B, T, d] -> logits [B, T, V]. */
  logits(decoderHidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      // Tied v1.0 models rescale before reusing the embedding matrix as the output layer.
      const h = this.config.tieWordEmbeddings ? tf.mul(decoderHidden, this.config.dModel ** -0.5) : decoderHidden;
      return linear(h as tf.Tensor3D, this.outputProjection);
    });
  }

  /** Position bias [1, heads, T, T] for a self-attention of length t. */
  private positionBias(table: tf.Tensor2D, t: number, bidirectional: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const c = this.config;
      const buckets = positionBuckets(t, t, bidirectional, c.relativeAttentionNumBuckets, c.relativeAttentionMaxDistance);
      const values = tf.gather(table, tf.tensor1d(buckets, 'int32')); // [T*T, heads]
      return tf.expandDims(tf.transpose(tf.reshape(values, [t, t, c.numHeads]), [2, 0, 1]), 0) as tf.Tensor4D;
    });
  }

  /** Greedy generation from text, optionally behind a soft prompt [l, d]. */
  async generate(
    text: string,
    options: { maxNewTokens?: number; prompt?: tf.Tensor2D } = {},
  ): Promise<{ text: string; ids: number[] }> {
    const ids = await generateGreedy(this, this.tokenizer.encode(text), options.maxNewTokens ?? 32, options.prompt);
    return { ids, text: this.tokenizer.decode(ids) };
  }

  /** Frees every weight tensor. The model cannot be used afterwards. */
  dispose(): void {
    const all: tf.Tensor[] = [
      this.shared,
      this.encoderPositionBias,
      this.decoderPositionBias,
      this.encoderFinalNorm,
      this.decoderFinalNorm,
    ];
    const collect = (value: unknown) => {
      for (const v of Object.values(value as object)) {
        if (v instanceof tf.Tensor) all.push(v);
        else if (typeof v === 'object' && v !== null) collect(v);
      }
    };
    collect(this.outputProjection);
    collect(this.encoderBlocks);
    collect(this.decoderBlocks);
    tf.dispose(all);
  }
}

/** Mask [B, S] of 1/0 -> additive bias [B, 1, 1, S]: 0 where attended, MASKED at padding. */
function paddingBias(mask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, s] = mask.shape;
    return tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), MASKED), [b, 1, 1, s]) as tf.Tensor4D;
  });
}

/** Row-major [T, T]: 0 on and below the diagonal, MASKED above (no peeking at later tokens). */
function causalMask(t: number): Float32Array {
  const mask = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) mask[i * t + j] = MASKED;
  return mask;
}
