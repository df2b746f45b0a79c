import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import type { T5Model } from '../../src/model/t5';
import { parameterBudget } from '../../src/method/accounting';
import { evaluate } from '../../src/method/evaluate';
import { fewShot, type TaskData } from '../../src/method/task-data';
import { defaultSettings, type MethodSettings } from '../../src/method/settings';
import { adaptTarget, distill, encodeExamples, promptOf, trainPrompt, type StageState } from '../../src/method/stages';
import type { StepReport } from '../../src/method/train-loop';
import { parseT5Config } from '../../src/model/config';
import { fixtureFiles } from '../support/node-fixtures';
import { toyTask } from '../support/toy-tasks';

describe('MPT stages on a tiny model (cpu)', () => {
  let model: T5Model;
  let s: MethodSettings;
  beforeAll(async () => {
    await initBackend('cpu');
    model = await loadT5({ kind: 'files', files: fixtureFiles('t5-tiny-gated') });
    s = { ...defaultSettings(model.config), promptLength: 4, batchSize: 4, warmupSteps: 2, sourceSteps: 25, distillSteps: 6, targetSteps: 25 };
  });

  it('stage 1 lowers L_PLM on a source task and keeps the tensor count flat', async () => {
    const task = toyTask('alpha', 'yes', ['yes', 'no']);
    const examples = encodeExamples(model, task.train, 0, s.maxInputTokens);
    const reports: StepReport[] = [];
    const counts: number[] = [];
    const { prompts, optimizer } = await trainPrompt(model, examples, s, s.sourceSteps, 1, undefined, {
      hooks: {
        onStep: (r) => {
          reports.push(r);
          counts.push(tf.memory().numTensors);
        },
      },
    });
    expect(reports).toHaveLength(s.sourceSteps);
    expect(reports.at(-1)!.losses.plm).toBeLessThan(reports[0].losses.plm * 0.5);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const prompt = promptOf(prompts, 0);
    const result = await evaluate(model, task, task.test, prompt);
    expect(result.score).toBeGreaterThan(0.5); // two classes, every example "yes"
    tf.dispose(prompt);
    prompts.dispose();
    optimizer.dispose();
  });

  it('stage 2 starts each P̂_k at P* = the teachers mean and reports all three losses', async () => {
    const tasks = [toyTask('alpha', 'yes', ['yes', 'no']), toyTask('beta', 'no', ['yes', 'no'])];
    const sources = tasks.map((t, k) => encodeExamples(model, t.train, k, s.maxInputTokens));
    const teacher = tf.randomNormal([1, s.promptLength, model.config.dModel], 0, 0.5, 'float32', 3) as tf.Tensor3D;
    const teachers = tf.concat([teacher, teacher]) as tf.Tensor3D;
    const reports: StepReport[] = [];
    const counts: number[] = [];
    const { prompts, optimizer, shared } = await distill(model, sources, teachers, s, 'mpt', 1, {
      hooks: {
        onStep: (r) => {
          reports.push(r);
          counts.push(tf.memory().numTensors);
        },
      },
    });
    expect(new Set(counts.slice(1)).size).toBe(1); // no tensor leaks per step, teachers included
    // Identical teachers: the student starts exactly at the teacher, so both distillation terms start at 0.
    expect(reports[0].losses.logits).toBeCloseTo(0, 5);
    expect(reports[0].losses.hidden).toBeCloseTo(0, 5);
    expect(Object.keys(reports[0].perTaskLoss).sort()).toEqual(['0', '1']);
    expect(reports.every((r) => Number.isFinite(r.losses.total))).toBe(true);

    // Stage 3 starts from P*: before any step the target's prompt equals P*.
    const pStar = shared();
    const target = encodeExamples(model, tasks[0].train, 0, s.maxInputTokens);
    const adapted = await adaptTarget(model, target, pStar, { ...s, targetSteps: 0 }, 1);
    const start = promptOf(adapted.prompts, 0);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(start, pStar))));
    expect((await diff.data())[0]).toBe(0);
    tf.dispose([start, diff]);
    tf.dispose([teacher, teachers, pStar]);
    prompts.dispose();
    optimizer.dispose();
    adapted.prompts.dispose();
    adapted.optimizer.dispose();
  });

  it('stage 3 with targetStart "source-average" starts at P* ⊙ (mean u)(mean v)ᵀ, rank 2', async () => {
    const [l, d, r, K] = [s.promptLength, model.config.dModel, 2, 3];
    const rand = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 7.1));
    const [pStarData, uData, vData] = [rand(l * d, 1), rand(K * l * r, 2), rand(K * d * r, 3)];
    const pStar = tf.tensor2d(pStarData, [l, d]);
    const sources = { u: tf.tensor3d(uData, [K, l, r]), v: tf.tensor3d(vData, [K, d, r]) };
    const target = encodeExamples(model, toyTask('alpha', 'yes', ['yes', 'no']).train, 0, s.maxInputTokens);
    const settings: MethodSettings = { ...s, rank: r, targetSteps: 0, targetStart: 'source-average' };
    const adapted = await adaptTarget(model, target, pStar, settings, 1, {}, sources);
    const start = await promptOf(adapted.prompts, 0).data();

    // Plain loops: mean over the K sources, then P*[i][j] * Σ_q ū[i][q] v̄[j][q].
    const mean = (data: number[], rows: number, idx: number) => data.filter((_, n) => n % (rows * r) === idx).reduce((a, x) => a + x, 0) / K;
    let maxError = 0;
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < d; j++) {
        let uv = 0;
        for (let q = 0; q < r; q++) uv += mean(uData, l, i * r + q) * mean(vData, d, j * r + q);
        maxError = Math.max(maxError, Math.abs(start[i * d + j] - pStarData[i * d + j] * uv));
      }
    }
    expect(maxError).toBeLessThan(1e-5);
    await expect(adaptTarget(model, target, pStar, settings, 1)).rejects.toThrow(/source-average.*needs the source tasks' u and v/);
    tf.dispose([pStar, sources.u, sources.v]);
    adapted.prompts.dispose();
    adapted.optimizer.dispose();
  });

  it('resumes a stage from a checkpoint to exactly the state of an uninterrupted run', async () => {
    const task = toyTask('alpha', 'yes', ['yes', 'no']);
    const examples = encodeExamples(model, task.train, 0, s.maxInputTokens);
    const pStar = tf.randomNormal([s.promptLength, model.config.dModel], 0, 0.5, 'float32', 5) as tf.Tensor2D;
    const settings = { ...s, targetSteps: 6 };
    const straight = await adaptTarget(model, examples, pStar, settings, 3);

    let saved: StageState | undefined;
    const interrupted = await adaptTarget(model, examples, pStar, settings, 3, {
      checkpointEvery: 3,
      onCheckpoint: (state) => void (saved ??= state),
      hooks: { beforeStep: (step) => step < 3 },
    });
    expect(interrupted.completed).toBe(false);
    expect(saved!.optimizer.step).toBe(3);
    const resumed = await adaptTarget(model, examples, pStar, settings, 3, { resume: saved });
    expect(resumed.completed).toBe(true);

    for (const name of ['shared', 'u', 'v']) {
      expect([...(await resumed.prompts.named[name].data())]).toEqual([...(await straight.prompts.named[name].data())]);
    }
    for (const run of [straight, interrupted, resumed]) {
      run.prompts.dispose();
      run.optimizer.dispose();
    }
    pStar.dispose();
  });

  it('draws k examples per class, the same for the same seed', () => {
    const task: TaskData = {
      id: 't',
      kind: 'classification',
      verbalizers: ['a', 'b'],
      train: Array.from({ length: 40 }, (_, i) => ({ input: `x${i}`, target: i % 2 ? 'a' : 'b' })),
      validation: [],
      test: [],
    };
    const four = fewShot(task, 4, 7);
    expect(four).toHaveLength(8);
    expect(four.filter((e) => e.target === 'a')).toHaveLength(4);
    expect(fewShot(task, 4, 7)).toEqual(four);
    expect(fewShot(task, 4, 8)).not.toEqual(four);
  });

  it('counts T5-base parameters as the paper does: 0.035% per target task', () => {
    const t5Base = parseT5Config({
      model_type: 't5', vocab_size: 32128, d_model: 768, d_kv: 64, d_ff: 3072, num_heads: 12, num_layers: 12,
    });
    const budget = parameterBudget(t5Base, 100, 1);
    expect(budget.frozen).toBe(222_903_552);
    expect(budget.mptPerTargetTask).toBe(100 * 768 + 100 + 768);
    expect(budget.mptShareOfModel * 100).toBeCloseTo(0.035, 3);
  });
});
