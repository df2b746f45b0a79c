/** The shape of `tests/fixtures/<model>/golden.json`, written by tools/t5/make_test_fixtures.py (PyTorch). */
export interface Golden {
  tokenizer_cases: { text: string; ids: number[]; decoded: string }[];
  forward: {
    input_texts: string[];
    input_ids: number[][];
    attention_mask: number[][];
    target_texts: string[];
    decoder_input_ids: number[][];
    prompt: number[][];
    with_prompt: { encoder_output: number[][][]; logits: number[][][] };
    without_prompt: { encoder_output: number[][][]; logits: number[][][] };
  };
  generate: { input_text: string; input_ids: number[]; max_new_tokens: number; output_ids: number[]; use_prompt?: boolean }[];
  rank: {
    input_text: string;
    input_ids: number[];
    labels: string[];
    label_ids: number[][];
    log_likelihoods: number[];
    probs: number[];
  };
}

/**
 * Largest difference relative to the reference's scale: max|a - b| / max|b|. One number per
 * tensor, so a few near-zero entries do not dominate the way an elementwise ratio would.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} != expected ${expected.length}`);
  }
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(maxDiff) ? Infinity : maxDiff / Math.max(scale, 1e-12);
}

export const FIXTURE_MODELS = ['t5-tiny-relu', 't5-tiny-gated'] as const;
