import { describe, expect, it } from 'vitest';
import { accuracyAndMacroF1, verbalizerCrossEntropy } from '../../src/method/evaluate';

describe('classification metrics', () => {
  it('accuracy and macro-F1 match a hand count', () => {
    // gold 0 0 1 1 2, predicted 0 1 1 1 1: class 0 F1 2/3, class 1 F1 4/6, class 2 F1 0.
    const { accuracy, macroF1 } = accuracyAndMacroF1([0, 1, 1, 1, 1], [0, 0, 1, 1, 2], 3);
    expect(accuracy).toBeCloseTo(3 / 5, 12);
    expect(macroF1).toBeCloseTo((2 / 3 + 4 / 6 + 0) / 3, 12);
  });

  it('cross-entropy is -log of the gold label share of the softmax over verbalizer log-likelihoods', () => {
    // Row 1: p = (1/4, 3/4), gold 1. Row 2: equal scores, p = 1/2 whatever the gold.
    // Large negative sequence log-likelihoods (as real ones are) must not underflow.
    const ce = verbalizerCrossEntropy([[-1000, -1000 + Math.log(3)], [-5, -5]], [1, 0]);
    expect(ce).toBeCloseTo((-Math.log(3 / 4) + Math.log(2)) / 2, 12);
  });

  it('a prompt that only knows the balanced prior sits at log C', () => {
    const uniform = Array.from({ length: 6 }, () => [-3, -3, -3]);
    expect(verbalizerCrossEntropy(uniform, [0, 1, 2, 0, 1, 2])).toBeCloseTo(Math.log(3), 12);
  });
});
