// The benchmark's node side: the suites on tfjs's cpu backend, the report renderer, and the
// PyTorch step (bench/torch_step.py) when Debian's python3-torch is installed. Tiny sizes, no
// timing assertions.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeConfig, modelFromCheckpoint, randomCheckpoint, TINY, toHfConfig } from '../../bench/lib/models';
import { render, type Results } from '../../bench/report';
import { kernelSuite } from '../../bench/suites/kernels';
import { memorySuite } from '../../bench/suites/memory';
import { runSteps, type StepShape } from '../../bench/suites/step';
import { parseT5Config } from '../../src/model/config';

const SHAPE: StepShape = { batch: 2, inputLen: 6, targetLen: 3, promptLen: 4, tasks: 2 };
const root = resolve(__dirname, '../..');
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('bench on the cpu backend (smoke)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs every suite the report needs and renders its tables', async () => {
    const model = modelFromCheckpoint(TINY, randomCheckpoint(TINY, 0));
    const kernels = await kernelSuite({ cases: [{ K: 2, l: 3, d: 8, r: 1 }], warmup: 0, reps: 1, callsPerSample: 1 });
    const steps = [];
    for (const kind of ['prompt-tuning', 'distillation'] as const) {
      steps.push({ ...(await runSteps(model, kind, SHAPE, { warmup: 0, reps: 1 })), model: 'tiny', transposedCopies: true });
    }
    const memory = [await memorySuite(model, 'prompt-tuning', SHAPE, 3)];
    model.dispose();
    for (const s of steps) expect(Number.isFinite(s.timing.medianMs)).toBe(true);
    expect(memory[0].steps).toBe(3);

    const results: Results = {
      date: new Date().toISOString(),
      quick: true,
      machine: { cpu: 'test', cores: 1, memoryGiB: 1, loadAverageAtStart: [0, 0, 0], node: process.version },
      browser: { version: 'none', userAgent: '', crossOriginIsolated: false, adapter: null, tfjs: tf.version.tfjs },
      models: [{ label: 'tiny', config: describeConfig(TINY), shape: SHAPE }],
      dispatchOverheadMs: {},
      kernels,
      matmul: [],
      steps,
      peaks: [],
      torchSteps: [],
      scaling: [],
      memory,
      profiles: [],
    };
    const markdown = render(results, null);
    expect(markdown).toContain('### Prompt composition: fused vs unfused');
    expect(markdown).toContain('### Training steps');
    expect(markdown).toContain('| cpu | prompt-tuning | 3 |');
    expect(markdown).not.toMatch(/NaN|undefined/);
  });

  it('keeps the HF config of a random model loadable', () => {
    expect(parseT5Config(toHfConfig(TINY))).toEqual(TINY);
  });

  it.skipIf(!hasTorch)('times the same steps in PyTorch (bench/torch_step.py)', () => {
    const run = spawnSync(
      '/usr/bin/python3',
      [
        'bench/torch_step.py',
        '--config', JSON.stringify(toHfConfig(TINY)),
        '--batch', '2', '--input-len', '6', '--target-len', '3', '--prompt-len', '4', '--tasks', '2',
        '--warmup', '0', '--reps', '1', '--threads', '1',
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { runs: { kind: string; examplesPerSecond: number }[] };
    expect(out.runs.map((r) => r.kind)).toEqual(['prompt-tuning', 'distillation']);
    for (const r of out.runs) expect(Number.isFinite(r.examplesPerSecond)).toBe(true);
  });
});
