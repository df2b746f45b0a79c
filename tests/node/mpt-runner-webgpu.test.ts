/**
 * `npm run mpt -- <config> --backend webgpu`: the headless runner on WebGPU in node (Dawn, the npm
 * `webgpu` package, on SwiftShader here), end to end, against the same run on WASM.
 *
 * The config is the smoke config cut to what SwiftShader can do in well under a minute (two
 * sources, one target, one seed, MPT only, 2 steps per stage, 2 evaluation examples): about 120
 * WGSL pipelines to compile at ~0.2-0.5 s each, then ~5 ms per dispatch. It still runs stage 1
 * (two teachers), stage 2 (P*, u_k, v_k for K = 2 through the fused compose kernels, forward and
 * backward) and stage 3 (the target's decomposed prompt, the same kernels for K = 1).
 *
 * Tolerances. Same seeds and the same method code, so the two backends differ only in float32
 * rounding (other summation orders in matmuls and reductions): measured here, losses agree to
 * 6e-6 relative and every learned vector to <= 1.5e-5 relative L2 error (teacher.spam), after up
 * to 3 Adam steps per stage. The bounds below (1e-4 for losses and gradient norms, 1e-3 for
 * vectors, 1e-2 for how far u and v moved from their initial ones) leave ~15-60x headroom for
 * other CPUs and thread counts, yet a wrong or skipped kernel is far outside them: the stage 2/3
 * updates are O(lr) = O(0.05-0.3) per step, so a zero gradient or zero composed prompt changes
 * the vectors by 1e-2-1e-1 relative and the losses at the first decimal.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, toFloat32 } from '../../src/model/safetensors';

const root = resolve(__dirname, '../..');
const out = join(root, 'tools/work/mpt-smoke-webgpu');
const config = 'tools/mpt/configs/smoke-webgpu.json';
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

// WebGPU in node needs a Vulkan driver; on Debian that is Chromium's SwiftShader, which
// tests/run-all.sh installs. Without one (and outside CI) the test says so and skips; in CI it runs
// and fails with the runner's message naming what is missing.
const haveDriver = Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) || existsSync(ICD);
const skip = !haveDriver && !process.env.CI;
if (skip) console.warn(`mpt-runner-webgpu: SKIPPED: no Vulkan driver for WebGPU in node (${ICD} is missing and VK_ICD_FILENAMES is not set; apt-get install chromium)`);

interface Results {
  backend: { requested: string; name: string; active: string; adapter?: string; webgpu?: { adapter: string } };
  teachers: { task: string; validation: { score: number; crossEntropy: number } }[];
  rows: { target: string; method: string; seed: number; score: number; crossEntropy: number }[];
  steps: { phase: string; step: number; losses: Record<string, number>; gradNorm: number }[];
}

async function run(backend: 'wasm' | 'webgpu') {
  const dir = join(out, backend);
  rmSync(dir, { recursive: true, force: true });
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'mpt', '--', config, '--backend', backend, '--out', dir], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
  const file = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'vectors.safetensors'))), `${backend} vectors`);
  const vectors = new Map([...file].map(([name, t]) => [name, { shape: t.shape, data: toFloat32(t) }]));
  return { log: stdout, results, vectors };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);
function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += (b[i] - offset) ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

describe.skipIf(skip)('npm run mpt -- --backend webgpu (Dawn in node)', () => {
  it('runs all three stages on webgpu and matches the wasm run', { timeout: 600_000 }, async () => {
    // One after the other: threaded WASM's spinning workers would starve SwiftShader's threads.
    const wasm = await run('wasm');
    const gpu = await run('webgpu');

    // The backend really was WebGPU for the whole run (no silent fallback), and is recorded.
    expect(gpu.log).toMatch(/^webgpu: .+ \(Dawn; /m);
    expect(gpu.log).toMatch(/^backend: webgpu /m);
    expect(gpu.results.backend).toMatchObject({ requested: 'webgpu', name: 'webgpu', active: 'webgpu' });
    expect(gpu.results.backend.webgpu?.adapter).toBeTruthy();
    expect(wasm.results.backend).toMatchObject({ requested: 'wasm', name: 'wasm', active: 'wasm' });

    // The same training phases, and at each one's first and last step the same losses and
    // gradient norms; training moved (the loss changed by far more than the tolerance).
    const phases = (r: Results) => r.steps.map((s) => `${s.phase} @${s.step}`);
    expect(phases(gpu.results)).toEqual(phases(wasm.results));
    expect(phases(gpu.results)).toEqual(
      expect.arrayContaining(['stage 1: sotu-era @2', 'stage 1: spam @2', 'stage 2: mpt @2', 'stage 3: sotu-party k=4 seed=1 mpt @2']),
    );
    for (const [i, g] of gpu.results.steps.entries()) {
      const w = wasm.results.steps[i];
      expect(Object.keys(g.losses).sort()).toEqual(Object.keys(w.losses).sort());
      for (const [name, value] of Object.entries(w.losses)) {
        expect(Number.isFinite(g.losses[name]), `${w.phase} step ${w.step} ${name}`).toBe(true);
        expect(relative(g.losses[name], value), `${w.phase} step ${w.step} ${name}: webgpu ${g.losses[name]} wasm ${value}`).toBeLessThan(1e-4);
      }
      expect(g.gradNorm).toBeGreaterThan(1e-3);
      expect(relative(g.gradNorm, w.gradNorm), `${w.phase} step ${w.step} gradient norm`).toBeLessThan(1e-4);
    }
    for (const phase of new Set(wasm.results.steps.map((s) => s.phase))) {
      const [first, last] = gpu.results.steps.filter((s) => s.phase === phase);
      expect(Math.abs(first.losses.total - last.losses.total), phase).toBeGreaterThan(1e-3 * Math.abs(first.losses.total));
    }

    // Every learned vector: same names and shapes, equal within float32 rounding, not zeros.
    expect([...gpu.vectors.keys()].sort()).toEqual([...wasm.vectors.keys()].sort());
    expect([...wasm.vectors.keys()]).toEqual(expect.arrayContaining(['mpt.shared_prompt', 'mpt.source_u', 'mpt.source_v', 'target.sotu-party.k4.seed1.u']));
    for (const [name, w] of wasm.vectors) {
      const g = gpu.vectors.get(name)!;
      expect(g.shape, name).toEqual(w.shape);
      expect(relativeL2(g.data, w.data), name).toBeLessThan(1e-3);
      expect(Math.max(...g.data.map(Math.abs)), name).toBeGreaterThan(0.1);
      // u and v start at all ones (U Vᵀ = 1, rank 1): their gradients come only from the fused
      // WGSL backward kernels on webgpu. How far they moved must match wasm too.
      if (/\.(source_)?[uv]$/.test(name)) {
        expect(relativeL2(g.data, w.data, 1), `${name}: displacement from 1`).toBeLessThan(1e-2);
        expect(Math.max(...w.data.map((x) => Math.abs(x - 1))), `${name} moved`).toBeGreaterThan(1e-3);
      }
    }

    // Evaluation: the same scores (the vectors agree to ~1e-5, far from a tie between labels), and
    // the same test cross-entropy up to float rounding.
    const scored = (r: Results) => [...r.teachers.map((t) => t.validation), ...r.rows];
    const [g, w] = [scored(gpu.results), scored(wasm.results)];
    expect(g.map((x) => x.score)).toEqual(w.map((x) => x.score));
    g.forEach((x, i) => expect(Math.abs(x.crossEntropy - w[i].crossEntropy)).toBeLessThan(1e-5 * w[i].crossEntropy));
  });
});
