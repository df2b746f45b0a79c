import { describe, expect, it } from 'vitest';
import type { PipelinePhase } from '../../src/method/pipeline';
import { addEvents, curvesUpTo, MAX_POINTS, overallSteps, type Curves } from '../../src/store/curves';
import { DEFAULT_CONFIG, type SessionConfig } from '../../src/store/session-config';
import { configFromQuery, configToQuery, decodePromptInit, queryHasConfig } from '../../src/store/url-settings';
import type { TrainingEvent } from '../../src/worker/training';

describe('settings in the URL', () => {
  const config: SessionConfig = {
    sources: ['spam', 'sotu-era'],
    target: 'quiz',
    k: 'all',
    seed: 7,
    overrides: {
      promptLength: 12,
      promptLearningRate: 0.1,
      promptInit: { kind: 'text', text: 'classify: a, b' },
      hiddenStates: 'decoder',
      targetStart: 'source-average',
      mixing: { kind: 'proportional', cap: 500 },
    },
    options: { ...DEFAULT_CONFIG.options, evalExamples: 8, snapshotEvery: 0 },
  };

  it('round-trips every kind of setting', () => {
    const query = configToQuery(config);
    expect(configFromQuery(query, DEFAULT_CONFIG)).toEqual(config);
    expect(queryHasConfig(query)).toBe(true);
  });

  it('writes only what differs from the defaults', () => {
    expect(configToQuery(DEFAULT_CONFIG)).toBe('k=16&seed=1');
  });

  it('ignores values that do not parse and keys it does not know', () => {
    const read = configFromQuery('k=5&seed=-1&promptLength=0&rank=1.5&lambda=abc&mixing=sometimes&utm_source=x&batchSize=4', DEFAULT_CONFIG);
    expect(read).toEqual({ ...DEFAULT_CONFIG, overrides: { batchSize: 4 } });
    expect(queryHasConfig('utm_source=x')).toBe(false);
  });

  it('reads the prompt initialisations', () => {
    expect(decodePromptInit('vocab')).toEqual({ kind: 'vocab' });
    expect(decodePromptInit('vocab:300')).toEqual({ kind: 'vocab', fromTopTokens: 300 });
    expect(decodePromptInit('random:0.25')).toEqual({ kind: 'random', range: 0.25 });
    expect(decodePromptInit('text:a:b')).toEqual({ kind: 'text', text: 'a:b' });
    expect(decodePromptInit('vocab:-3')).toBeNull();
    expect(decodePromptInit('text:')).toBeNull();
  });
});

const step = (phase: PipelinePhase, task: string, n: number, losses: Record<string, number>, perTaskLoss: Record<number, number> = {}): TrainingEvent => ({
  type: 'step',
  phase,
  task,
  report: { step: n, totalSteps: 10, losses, perTaskLoss, gradNorm: 1, examplesPerSecond: 10 },
});

describe('training curves', () => {
  const sources = ['a', 'b'];
  const events: TrainingEvent[] = [
    step({ stage: 1, source: 0 }, 'a', 1, { total: 3, plm: 3 }),
    step({ stage: 1, source: 1 }, 'b', 1, { total: 4, plm: 4 }),
    step({ stage: 2 }, 'all sources', 1, { total: 5, plm: 2, logits: 1, hidden: 2 }, { 0: 1.5, 1: 2.5 }),
    step({ stage: 2 }, 'all sources', 2, { total: 4, plm: 2, logits: 1, hidden: 1 }, { 1: 2 }),
    { type: 'eval', phase: { stage: 2 }, task: 'b', step: 2, result: { metric: 'accuracy', score: 0.5, count: 4 } },
    step({ stage: 3 }, 'c', 1, { total: 1, plm: 1 }),
  ];

  it('puts each loss in its chart: per task in stages 1 and 2, per component in stage 2', () => {
    const curves = addEvents({}, events, sources);
    expect(curves['loss-1']).toEqual({ a: [{ step: 1, value: 3 }], b: [{ step: 1, value: 4 }] });
    expect(Object.keys(curves['parts-2']!)).toEqual(['total', 'plm', 'logits', 'hidden']);
    expect(curves['loss-2']).toEqual({ a: [{ step: 1, value: 1.5 }], b: [{ step: 1, value: 2.5 }, { step: 2, value: 2 }] });
    expect(curves['eval-2']).toEqual({ b: [{ step: 2, value: 0.5 }] });
    expect(curves['loss-3']).toEqual({ c: [{ step: 1, value: 1 }] });
  });

  it('leaves the input untouched and shares the series a batch did not touch', () => {
    const before = addEvents({}, events.slice(0, 2), sources);
    const frozen = JSON.stringify(before);
    const after = addEvents(before, events.slice(5), sources);
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after['loss-1']).toBe(before['loss-1']);
  });

  it('keeps at most MAX_POINTS points per series, the newest ones all', () => {
    const many = Array.from({ length: 3 * MAX_POINTS }, (_, i) => step({ stage: 3 }, 'c', i + 1, { total: i, plm: i }));
    const points = addEvents({}, many, sources)['loss-3']!.c;
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points[0].step).toBe(1);
    expect(points.at(-1)!.step).toBe(3 * MAX_POINTS);
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((x, y) => x - y));
  });

  it('drops what was drawn after a checkpoint', () => {
    const curves: Curves = addEvents({}, events, sources);
    const atStage2 = curvesUpTo(curves, { stage: 2 }, 1, sources);
    expect(atStage2['loss-1']).toEqual(curves['loss-1']);
    expect(atStage2['loss-2']!.b).toEqual([{ step: 1, value: 2.5 }]);
    expect(atStage2['eval-2']!.b).toEqual([]);
    expect(atStage2['loss-3']!.c).toBeUndefined();
    const atFirstSource = curvesUpTo(curves, { stage: 1, source: 0 }, 0, sources);
    expect(atFirstSource['loss-1']).toEqual({ a: [] });
  });

  it('counts the steps of the whole run', () => {
    const steps = { sourceSteps: 3, distillSteps: 4, targetSteps: 5 };
    expect(overallSteps({ stage: 1, source: 1 }, 2, 2, steps)).toEqual({ done: 5, total: 15 });
    expect(overallSteps({ stage: 2 }, 1, 2, steps)).toEqual({ done: 7, total: 15 });
    expect(overallSteps({ stage: 3 }, 5, 2, steps)).toEqual({ done: 15, total: 15 });
    expect(overallSteps({ stage: 'done' }, 0, 2, steps)).toEqual({ done: 15, total: 15 });
  });
});
