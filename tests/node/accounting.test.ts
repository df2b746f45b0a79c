import { describe, expect, it } from 'vitest';
import { layerNormCount, methodBudgets, modelParameterCount } from '../../src/method/accounting';
import { parseT5Config } from '../../src/model/config';

// google-t5/t5-base's config.json (the fields that matter): d = 768, 12 + 12 blocks, tied embeddings.
const t5Base = parseT5Config({
  model_type: 't5',
  vocab_size: 32128,
  d_model: 768,
  d_kv: 64,
  d_ff: 3072,
  num_heads: 12,
  num_layers: 12,
});

const byMethod = (l: number, r: number, k: number) => Object.fromEntries(methodBudgets(t5Base, l, r, k).map((row) => [row.method, row]));

describe('parameter budget on T5-base (l = 100, r = 1, as in the paper)', () => {
  const rows = byMethod(100, 1, 6);

  it('counts the whole model as Hugging Face does', () => {
    expect(modelParameterCount(t5Base)).toBe(222_903_552);
    expect(rows['Full fine-tuning'].perTask).toBe(222_903_552);
    expect(rows['Full fine-tuning'].shareOfModel).toBe(1);
  });

  it('prompt tuning and SPoT train l·d = 76.8K per task (the paper: 76.8K)', () => {
    expect(rows['Prompt tuning'].perTask).toBe(76_800);
    expect(rows.SPoT.perTask).toBe(76_800);
  });

  it('MPT trains l·d + (l + d)·r = 77.6K per target, 0.035% of the model (the paper: 77.6K)', () => {
    expect(rows.MPT.perTask).toBe(77_668);
    expect(rows.MPT.shareOfModel * 100).toBeCloseTo(0.0348, 4);
    expect(rows.MPT.note).toContain('= 82008 for K = 6'); // 76,800 + 6·868 for the source stage
  });

  it('ATTEMPT adds a 2·d·a projection and a layer norm to the prompt (the paper: 232K)', () => {
    expect(rows.ATTEMPT.perTask).toBe(76_800 + 2 * 768 * 100 + 2 * 768);
    expect(Math.round(rows.ATTEMPT.perTask / 1000)).toBe(232);
  });

  it('Houlsby adapters with m = 64: two per block in 24 blocks', () => {
    expect(rows['Adapters (Houlsby)'].perTask).toBe(48 * (2 * 768 * 64 + 768 + 64));
    expect(rows['Adapters (Houlsby)'].perTask).toBe(4_758_528);
  });

  it('BitFit falls back to the 62 layer-norm scales, since T5 has no biases', () => {
    expect(layerNormCount(t5Base)).toBe(62);
    expect(rows.BitFit.perTask).toBe(62 * 768);
    expect(rows.BitFit.note).toMatch(/no bias/);
  });

  it('shows every formula with the numbers filled in', () => {
    expect(rows.MPT.formula).toBe('l·d + (l + d)·r = 100·768 + (100 + 768)·1');
    expect(rows['Prompt tuning'].formula).toBe('l·d = 100·768');
  });

  it('scales the prompt methods with l and r', () => {
    const wider = byMethod(50, 4, 2);
    expect(wider['Prompt tuning'].perTask).toBe(50 * 768);
    expect(wider.MPT.perTask).toBe(50 * 768 + (50 + 768) * 4);
    expect(wider['Adapters (Houlsby)'].perTask).toBe(rows['Adapters (Houlsby)'].perTask);
  });
});
