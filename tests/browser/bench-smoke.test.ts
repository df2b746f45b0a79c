// The benchmark suites (bench/, `npm run bench`) on one tiny configuration each, once, in
// Chromium on webgpu (SwiftShader) and threaded wasm: they must run and give finite numbers.
// No timing assertions: CI machines differ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromCheckpoint, randomCheckpoint, TINY } from '../../bench/lib/models';
import { dispatchOverheadMs, kernelSuite } from '../../bench/suites/kernels';
import { matMulSuite } from '../../bench/suites/matmul';
import { memorySuite } from '../../bench/suites/memory';
import { profileStep } from '../../bench/suites/profile';
import { scalingSuite } from '../../bench/suites/scaling';
import { runSteps, type StepShape } from '../../bench/suites/step';
import { initBackend, type BackendName } from '../../src/model/backend';
import type { T5Model } from '../../src/model/t5';
import { wasmFileUrls } from '../../src/model/wasm-paths';

const SHAPE: StepShape = { batch: 2, inputLen: 6, targetLen: 3, promptLen: 4, tasks: 2 };
const checkpoint = randomCheckpoint(TINY, 0);
const finite = (x: number) => expect(Number.isFinite(x) && x >= 0, `${x}`).toBe(true);

describe.each(['webgpu', 'wasm'] as BackendName[])('bench suites on %s (smoke)', (backend) => {
  let model: T5Model;
  beforeAll(async () => {
    expect((await initBackend(backend, { wasmPaths: wasmFileUrls })).name).toBe(backend);
    model = modelFromCheckpoint(TINY, checkpoint);
  });
  afterAll(() => model.dispose());

  it('kernels: fused and unfused composition, dispatch overhead', async () => {
    const [row] = await kernelSuite({ cases: [{ K: 2, l: 3, d: 8, r: 1 }], warmup: 0, reps: 1, callsPerSample: 1 });
    for (const x of [row.fused.medianMs, row.unfused.medianMs, row.speedup]) finite(x);
    expect(row.fusedDispatches).toBeGreaterThan(0);
    finite(await dispatchOverheadMs(2, 1));
  });

  it('matMul layouts', async () => {
    const rows = await matMulSuite([{ batch: 2, m: 4, k: 3, n: 5 }], 1);
    expect(rows).toHaveLength(3);
    for (const r of rows) finite(r.gflops);
  });

  it('training steps: prompt tuning and distillation', async () => {
    for (const kind of ['prompt-tuning', 'distillation'] as const) {
      const run = await runSteps(model, kind, SHAPE, { warmup: 0, reps: 1 });
      finite(run.timing.medianMs);
      finite(run.examplesPerSecond);
    }
  });

  it('scaling, memory and profile', async () => {
    const points = await scalingSuite(model, SHAPE, { tasks: [1, 3] }, { warmup: 0, reps: 1 });
    for (const p of points) finite(p.stepMs);
    finite(points[1].composeMs!);
    const memory = await memorySuite(model, 'distillation', SHAPE, 3);
    expect(memory.steps).toBe(3);
    finite(memory.peakBytes);
    const profile = await profileStep(model, 'prompt-tuning', SHAPE);
    finite(profile.kernelMs);
    expect(profile.parts.length).toBeGreaterThan(3);
    expect(profile.forward.map((f) => f.phase)).toContain('encoder');
  });
});
