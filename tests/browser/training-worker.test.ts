import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/method/settings';
import type { PipelinePlan } from '../../src/method/pipeline';
import type { BackendName } from '../../src/model/backend';
import { createModelClient, type ModelClient } from '../../src/worker/model-client';
import type { TrainingEvent } from '../../src/worker/training';
import { toyTask } from '../support/toy-tasks';

/** The real module Worker, real tfjs inside it, real IndexedDB: the whole training path of the page. */

function plan(overrides: Partial<PipelinePlan['settings']> = {}): PipelinePlan {
  const settings = defaultSettings({ dModel: 32 } as never);
  return {
    sources: [toyTask('alpha', 'yes', ['yes', 'no']), toyTask('beta', 'no', ['yes', 'no'])],
    target: toyTask('gamma', 'yes', ['yes', 'no']),
    k: 4,
    seed: 1,
    settings: { ...settings, promptLength: 4, batchSize: 4, warmupSteps: 1, sourceSteps: 4, distillSteps: 6, targetSteps: 4, ...overrides },
    evalExamples: 4,
    sourceExamples: 6,
    evalEvery: 3,
  };
}

const until = async (condition: () => boolean, ms = 120_000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each<BackendName>(['wasm', 'webgpu'])('training in the model worker on %s', (backend) => {
  let client: ModelClient;
  beforeAll(async () => {
    client = createModelClient((message) => {
      throw new Error(`worker died: ${message}`);
    });
    expect((await client.init(backend, () => undefined)).name).toBe(backend);
    await client.load({ kind: 'url', baseUrl: '/tests/fixtures/t5-tiny-gated/' }, () => undefined);
  });
  afterAll(() => client.terminate());

  it('runs all three stages, reporting every loss and evaluation', async () => {
    const events: TrainingEvent[] = [];
    const outcome = await client.train({ runId: `all-${backend}`, plan: plan(), checkpointEvery: 2, snapshotEvery: 3, resume: false }, (e) => events.push(e));
    expect(outcome).toEqual({ status: 'done' });
    const steps = events.filter((e) => e.type === 'step');
    const stagesSeen = new Set(steps.map((e) => (e.type === 'step' ? `${e.phase.stage}:${e.task}` : '')));
    expect([...stagesSeen]).toEqual(['1:alpha', '1:beta', '2:all sources', '3:gamma']);
    const distillStep = steps.find((e) => e.type === 'step' && e.phase.stage === 2);
    expect(distillStep && distillStep.type === 'step' && Object.keys(distillStep.report.losses).sort()).toEqual(['hidden', 'logits', 'plm', 'total']);
    expect(events.some((e) => e.type === 'eval' && e.phase.stage === 3)).toBe(true);
    expect(events.some((e) => e.type === 'saved')).toBe(true);
    // Evaluations every evalEvery = 3 steps inside a stage, not only at its end.
    expect(events.filter((e) => e.type === 'eval' && e.phase.stage === 2 && e.task === 'alpha').map((e) => e.type === 'eval' && e.step)).toEqual([3, 6]);

    // The teachers, then P* [l, d], U [K, l, r], V [K, d, r] at step 1, every 3 steps and at the end.
    expect(events.filter((e) => e.type === 'teacher').map((e) => e.type === 'teacher' && [e.task, e.prompt.shape])).toEqual([
      ['alpha', [4, 32]],
      ['beta', [4, 32]],
    ]);
    const snapshots = events.flatMap((e) => (e.type === 'snapshot' ? [e] : []));
    expect(snapshots.map((e) => `${e.phase.stage}:${e.step}`)).toEqual(['2:1', '2:3', '2:6', '3:1', '3:3', '3:4']);
    const last = snapshots.at(-1)!.prompts;
    expect([last.shared.shape, last.u.shape, last.v.shape]).toEqual([[4, 32], [1, 4, 1], [1, 32, 1]]);
    expect(snapshots[0].prompts.u.shape).toEqual([2, 4, 1]);
    expect(last.shared.data).toBeInstanceOf(Float32Array);
    expect(last.shared.data.every(Number.isFinite)).toBe(true);
  });

  it('pauses between steps and resumes', async () => {
    const events: TrainingEvent[] = [];
    const running = client.train({ runId: `pause-${backend}`, plan: plan(), checkpointEvery: 0, resume: false }, (e) => events.push(e));
    await until(() => events.some((e) => e.type === 'step'));
    await client.pause();
    const countAtPause = events.filter((e) => e.type === 'step').length;
    await new Promise((r) => setTimeout(r, 1500));
    // At most the step already under way when pause arrived finishes.
    expect(events.filter((e) => e.type === 'step').length).toBeLessThanOrEqual(countAtPause + 1);
    await client.resume();
    expect(await running).toEqual({ status: 'done' });
  });

  it('cancels, keeps the checkpoint in IndexedDB and resumes from it after a restart', async () => {
    const runId = `resume-${backend}`;
    const events: TrainingEvent[] = [];
    const running = client.train({ runId, plan: plan(), checkpointEvery: 2, resume: false }, (e) => events.push(e));
    await until(() => events.some((e) => e.type === 'saved' && e.phase.stage === 2 && e.step >= 2));
    await client.cancel();
    expect(await running).toEqual({ status: 'cancelled' });
    const saved = await client.savedRun(runId);
    expect(saved?.phase).toEqual({ stage: 2 });
    expect(saved!.step).toBeGreaterThanOrEqual(2);

    // A fresh worker (as after a reload) continues from the saved step, not from the start.
    const fresh = createModelClient(() => undefined);
    await fresh.init(backend, () => undefined);
    await fresh.load({ kind: 'url', baseUrl: '/tests/fixtures/t5-tiny-gated/' }, () => undefined);
    const resumed: TrainingEvent[] = [];
    expect(await fresh.train({ runId, plan: plan(), checkpointEvery: 2, resume: true }, (e) => resumed.push(e))).toEqual({ status: 'done' });
    const first = resumed.find((e) => e.type === 'step');
    expect(first?.type === 'step' && first.phase.stage === 2 && first.report.step).toBe(saved!.step + 1);
    fresh.terminate();
  });

  it('stops on a non-finite loss with a message and keeps the last good checkpoint', async () => {
    const outcome = await client.train(
      { runId: `nan-${backend}`, plan: plan({ promptLearningRate: 1e38, warmupSteps: 0 }), checkpointEvery: 1, resume: false },
      () => undefined,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.message).toMatch(/the loss became .*NaN|Infinity.*training stopped/);
    // A good checkpoint was kept: a step of the failing stage, or 0, the boundary checkpoint when an
    // earlier stage ended finite and the next one failed at its first step (which stage overflows
    // first depends on how each gradient handles values near float32's limit).
    expect(outcome.status === 'failed' && outcome.savedStep).toBeGreaterThanOrEqual(0);
  });
});
