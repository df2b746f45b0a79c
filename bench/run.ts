/**
 * `npm run bench [-- options]`: the benchmarks, in real Chromium and in PyTorch, on this machine.
 *
 * Serves bench/index.html with Vite's dev server (COOP/COEP headers from vite.config.ts, so the
 * page is cross-origin isolated and threaded WASM loads), drives it in /usr/bin/chromium with
 * the test suite's flags (WebGPU on), runs bench/torch_step.py for the PyTorch side, prints the
 * tables and writes them into BENCHMARKS.md (between the bench:results markers) with a plot.
 *
 * Options:
 *   --quick            a few minutes: fewer sizes and repetitions, the bundled model only;
 *                      prints the tables but leaves BENCHMARKS.md alone unless --write
 *   --only a,b         suites: kernels, matmul, steps, scaling, memory, profile
 *   --write / --no-write   update BENCHMARKS.md and bench/scaling.png (default: full runs only)
 *   --merge            with --only: re-run those suites and merge them into bench/results.json
 *                      (the other suites keep their numbers; the report says which ran when)
 *   --render           no measuring: re-plot and re-write BENCHMARKS.md from bench/results.json
 *   --headed           show the browser
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { createServer } from 'vite';
import type { T5Config } from '../src/model/config';
import { defaultSettings } from '../src/method/settings';
import { chromiumArgs, chromiumPath } from '../vitest.config';
import { describeConfig, T5_SMALL, t5Config, TINY, toHfConfig } from './lib/models';
import type { ModelChoice, ModelSpec } from './page';
import { BEGIN, END, KINDS, render, type Backend, type Results, type TorchRun } from './report';
import type { KernelCase } from './suites/kernels';
import type { MatMulCase } from './suites/matmul';
import type { ScalingGrid } from './suites/scaling';
import type { StepKind, StepShape } from './suites/step';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['kernels', 'matmul', 'steps', 'scaling', 'memory', 'profile'] as const;
type Suite = (typeof SUITES)[number];
/** Which fields of Results each suite fills. */
const SUITE_FIELDS: Record<Suite, (keyof Results)[]> = {
  kernels: ['kernels', 'dispatchOverheadMs'],
  matmul: ['matmul'],
  steps: ['steps', 'peaks', 'torchSteps', 'torch'],
  scaling: ['scaling', 'scalingModel'],
  memory: ['memory'],
  profile: ['profiles'],
};

// ---------------------------------------------------------------------------------------------
// Options and plans
// ---------------------------------------------------------------------------------------------

function parseArgs(argv: string[]) {
  const has = (flag: string) => argv.includes(flag);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1].split(',') : [...SUITES];
  const unknown = only.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  const quick = has('--quick');
  return {
    quick,
    only: new Set(only as Suite[]),
    write: has('--write') || has('--merge') || (!quick && !has('--no-write')),
    headed: has('--headed'),
    merge: has('--merge'),
    render: has('--render'),
  };
}
type Args = ReturnType<typeof parseArgs>;

/** The bundled model, from public/models/index.json, or null before it is built. */
function bundledModel(): { name: string; dir: string; url: string } | null {
  const models = join(ROOT, 'public/models');
  const indexPath = join(models, 'index.json');
  let entry: { name: string; path: string } | undefined;
  if (existsSync(indexPath)) {
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { default?: string; models?: { name: string; path: string }[] };
    entry = index.models?.find((m) => m.name === index.default) ?? index.models?.[0];
  } else if (existsSync(models)) {
    // No index yet: the one exported folder, if there is exactly one.
    const folders = readdirSync(models).filter((f) => existsSync(join(models, f, 'model.safetensors')));
    if (folders.length === 1) entry = { name: folders[0], path: `models/${folders[0]}/` };
  }
  if (!entry) return null;
  const rel = entry.path.replace(/^\.?\//, '').replace(/\/?$/, '/');
  const dir = join(ROOT, 'public', rel);
  return existsSync(join(dir, 'model.safetensors')) ? { name: entry.name, dir, url: `/${rel}` } : null;
}

/** The bundled model's config as tools/t5/pretrain.py is run for it, for when it is not built yet. */
const BUNDLED_FALLBACK: T5Config = t5Config({ dModel: 192, dKv: 48, dFf: 768, numHeads: 4, numLayers: 4, vocabSize: 8128 });

interface BenchModel {
  label: string;
  spec: ModelSpec;
  config: T5Config;
  /** For torch_step.py: HF config JSON and, for real weights, the folder. */
  torchConfig: string;
  torchWeights?: string;
  shape: StepShape;
  /** Steps on each backend: repetitions, time budget, with/without transposed copies, and where
   *  a backend is too slow for the full step, a smaller shape and fewer kinds. */
  stepOptions: Record<Backend, StepPlan[]>;
}

interface StepPlan {
  warmup: number;
  reps: number;
  budgetMs: number;
  variants: boolean[];
  shape?: StepShape;
  kinds?: StepKind[];
}

function stepShape(c: T5Config): StepShape {
  return { batch: 8, inputLen: 64, targetLen: 8, promptLen: defaultSettings(c).promptLength, tasks: 6 };
}

function benchModels(args: Args): BenchModel[] {
  const bundled = bundledModel();
  const models: BenchModel[] = [];
  const bundledConfig = bundled ? JSON.parse(readFileSync(join(bundled.dir, 'config.json'), 'utf8')) : toHfConfig(BUNDLED_FALLBACK);
  const small = (warmup: number, reps: number, budgetMs: number, variants: boolean[], more: Partial<StepPlan> = {}): StepPlan => ({
    warmup,
    reps,
    budgetMs,
    variants,
    ...more,
  });
  const both = [false, true];
  models.push({
    label: bundled ? `bundled ${bundled.name}` : 'bundled config, random weights (public/models/ not built yet)',
    spec: bundled ? { kind: 'bundled', path: bundled.url } : { kind: 'random', config: BUNDLED_FALLBACK, seed: 0 },
    config: BUNDLED_FALLBACK, // replaced by the page's parsed config below
    torchConfig: bundled ? join(bundled.dir, 'config.json') : JSON.stringify(bundledConfig),
    torchWeights: bundled?.dir,
    shape: stepShape(BUNDLED_FALLBACK),
    stepOptions: args.quick
      ? { webgpu: [small(1, 1, 30_000, [true])], wasm: [small(1, 3, 30_000, both)], cpu: [small(1, 1, 30_000, [true])] }
      : { webgpu: [small(1, 1, 1, [true])], wasm: [small(2, 7, 60_000, both)], cpu: [small(1, 2, 60_000, both)] },
  });
  if (!args.quick) {
    const oneRow: Partial<StepPlan> = { shape: { ...stepShape(T5_SMALL), batch: 1 }, kinds: ['prompt-tuning'] };
    models.push({
      label: 't5-small shapes, random weights',
      spec: { kind: 'random', config: T5_SMALL, seed: 0 },
      config: T5_SMALL,
      torchConfig: JSON.stringify(toHfConfig(T5_SMALL)),
      shape: stepShape(T5_SMALL),
      // webgpu (SwiftShader) and cpu need minutes for one step of B=8: one row per step there,
      // and on wasm too for the comparison.
      stepOptions: {
        webgpu: [small(1, 1, 1, [true], oneRow)],
        wasm: [small(1, 3, 60_000, both), small(1, 3, 60_000, [true], oneRow)],
        cpu: [small(1, 1, 1, [true], oneRow)],
      },
    });
  }
  return models;
}

const KERNEL_CASES = (quick: boolean): KernelCase[] =>
  (quick ? [1, 6] : [1, 6, 16]).flatMap((K) => (quick ? [128, 512] : [128, 512, 768]).map((d) => ({ K, l: 100, d, r: 1 })));

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

function log(message: string) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.render) {
    const jsonPath = join(ROOT, 'bench/results.json');
    publish(JSON.parse(readFileSync(jsonPath, 'utf8')) as Results, jsonPath, join(ROOT, 'bench'), true);
    return;
  }
  const started = Date.now();
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const results: Results = {
    date: new Date().toISOString(),
    quick: args.quick,
    machine: {
      cpu: cpuModel,
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
      node: process.version,
    },
    browser: { version: '', userAgent: '', crossOriginIsolated: false, adapter: null, tfjs: '' },
    models: [],
    dispatchOverheadMs: {},
    kernels: [],
    matmul: [],
    steps: [],
    peaks: [],
    torchSteps: [],
    scaling: [],
    memory: [],
    profiles: [],
  };
  const previousPath = join(ROOT, 'bench/results.json');
  if (args.merge) {
    if (!existsSync(previousPath)) throw new Error('--merge needs bench/results.json from an earlier full run');
    const previous = JSON.parse(readFileSync(previousPath, 'utf8')) as Results;
    for (const suite of SUITES) {
      if (!args.only.has(suite)) for (const key of SUITE_FIELDS[suite]) (results as unknown as Record<string, unknown>)[key] = previous[key];
    }
    results.date = previous.date;
    results.seconds = previous.seconds;
    results.machine = { ...previous.machine, loadDuring: { ...previous.machine.loadDuring } };
    results.reruns = { ...previous.reruns, ...Object.fromEntries([...args.only].map((s) => [s, new Date().toISOString()])) };
  }
  if (loadavg()[0] > 0.5) {
    log(`note: load average ${loadavg()[0].toFixed(2)} at start: something else is using the CPU`);
  }

  const port = await freePort();
  const server = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    root: ROOT,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: !args.headed });
  try {
    /** The bench page; `query` e.g. "?wasmThreads=2". A fresh page is a fresh tfjs. */
    const openPage = async (query = '') => {
      const page = await browser.newPage();
      page.on('pageerror', (e) => log(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') log(`page ${m.type()}: ${m.text()}`);
      });
      await page.goto(`http://127.0.0.1:${port}/bench/index.html${query}`);
      await page.waitForFunction(() => document.title === 'mpt bench ready', undefined, { timeout: 120_000 });
      return page;
    };
    const page = await openPage();
    const info = await page.evaluate(() => window.mptBench.info());
    results.browser = { ...info, version: browser.version() };
    if (!info.crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated: threaded WASM would not load');
    log(`Chromium ${browser.version()}, adapter ${JSON.stringify(info.adapter)}`);
    await runSuites(page, openPage, args, results);
  } finally {
    await browser.close();
    await server.close();
  }

  if (!args.merge) results.seconds = (Date.now() - started) / 1000;
  const outDir = args.quick && !args.merge ? mkdtempSync(join(tmpdir(), 'mpt-bench-')) : join(ROOT, 'bench');
  const jsonPath = join(outDir, 'results.json');
  writeFileSync(jsonPath, JSON.stringify(results, null, 1) + '\n');
  publish(results, jsonPath, outDir, args.write);
}

/** Plots, prints the tables and (with write) puts them into BENCHMARKS.md and bench/scaling.png. */
function publish(results: Results, jsonPath: string, outDir: string, write: boolean) {
  const pngPath = join(write ? join(ROOT, 'bench') : outDir, 'scaling.png');
  const plotted = plot(jsonPath, pngPath);
  const markdown = render(results, plotted && write ? 'bench/scaling.png' : null);
  console.log('\n' + markdown);
  if (write) {
    updateBenchmarksMd(markdown);
    log(`wrote BENCHMARKS.md, ${jsonPath}${plotted ? ', bench/scaling.png' : ''}`);
  } else {
    log(`results in ${jsonPath}${plotted ? ` and ${pngPath}` : ''} (BENCHMARKS.md unchanged; --write to update it)`);
  }
}

/** A port nobody listens on (Vite reads port 0 as "its default, 5173"). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

async function useBackend(page: Page, name: Backend, results: Results) {
  const choice = await page.evaluate((n) => window.mptBench.useBackend(n), name);
  if (name === 'wasm') {
    results.browser.wasmThreads = choice.wasmThreads;
    if (!choice.threads) log('warning: WASM is single-threaded');
  }
}

async function runSuites(page: Page, openPage: (query?: string) => Promise<Page>, args: Args, results: Results) {
  // After each suite: note the load, and keep what is measured so far in case the run dies.
  const partial = join(tmpdir(), 'mpt-bench-partial.json');
  const loadAfter = (suite: string) => {
    results.machine.loadDuring = { ...results.machine.loadDuring, [suite]: Math.round(loadavg()[0] * 100) / 100 };
    writeFileSync(partial, JSON.stringify(results));
    log(`${suite} done (so far: ${partial})`);
  };
  const models = benchModels(args);
  for (const m of models) {
    m.config = await page.evaluate((spec) => window.mptBench.modelConfig(spec), m.spec);
    m.shape = stepShape(m.config);
    results.models.push({ label: m.label, config: describeConfig(m.config), shape: m.shape });
  }
  const bundled = models[0];
  const after: ModelChoice = { spec: bundled.spec, transposedCopies: true };

  if (args.only.has('kernels')) {
    for (const backend of ['webgpu', 'wasm'] as Backend[]) {
      await useBackend(page, backend, results);
      log(`kernels on ${backend}`);
      results.dispatchOverheadMs[backend] = await page.evaluate(() => window.mptBench.dispatchOverhead());
      const o = { cases: KERNEL_CASES(args.quick), warmup: 2, reps: args.quick ? 3 : 7, callsPerSample: 2 };
      results.kernels.push(...(await page.evaluate((opts) => window.mptBench.kernels(opts), o)));
    }
    loadAfter('kernels');
  }

  if (args.only.has('matmul')) {
    await useBackend(page, 'wasm', results);
    log('matMul layouts on wasm');
    const rowsOf = (s: StepShape) => s.batch * (s.inputLen + s.promptLen);
    const cases: MatMulCase[] = models.flatMap((m) => [
      { batch: 1, m: rowsOf(m.shape), k: m.config.dModel, n: m.config.dFf },
      { batch: m.shape.batch * m.config.numHeads, m: m.shape.inputLen + m.shape.promptLen, k: m.config.dKv, n: m.shape.inputLen + m.shape.promptLen },
    ]);
    results.matmul = await page.evaluate(([c, r]) => window.mptBench.matMul(c, r), [cases, args.quick ? 3 : 7] as const);
    loadAfter('matmul');
  }

  if (args.only.has('steps')) {
    // tfjs-wasm's default pool on this machine (hardwareConcurrency / 2) against 2 threads, on a
    // second page: the pool size is fixed when the backend starts.
    const twoThreads = args.quick ? null : await openPage('?wasmThreads=2');
    if (twoThreads) await twoThreads.evaluate(() => window.mptBench.useBackend('wasm'));
    for (const m of models) {
      for (const backend of ['webgpu', 'wasm', 'cpu'] as Backend[]) {
        await useBackend(page, backend, results);
        for (const o of m.stepOptions[backend]) {
        const shape = o.shape ?? m.shape;
        const kinds = o.kinds ?? KINDS;
        const variants: [Page, boolean, string][] = o.variants.map((copies) => [page, copies, backend]);
        if (backend === 'wasm' && twoThreads) variants.push([twoThreads, true, 'wasm, 2 threads']);
        for (const [onPage, transposedCopies, label] of variants) {
          log(`steps: ${m.label} on ${label}, ${transposedCopies ? 'with' : 'without'} transposed weight copies`);
          const runs = await onPage.evaluate(
            ([choice, k, sh, opts]) => window.mptBench.steps(choice, k, sh, opts),
            [{ spec: m.spec, transposedCopies }, kinds, shape, o] as const,
          );
          for (const r of runs) {
            results.steps.push({ ...r, backend: label, model: m.label, transposedCopies });
            log(`  ${r.kind}, B=${shape.batch}: ${r.timing.medianMs.toFixed(0)} ms/step (${r.timing.samples.length} timed), ${r.examplesPerSecond.toFixed(1)} examples/s`);
          }
        }
        }
        if (backend === 'wasm') {
          // A fresh page: the WASM heap only grows, so it shows this model's high-water mark.
          const fresh = await openPage();
          await fresh.evaluate(() => window.mptBench.useBackend('wasm'));
          const peaks = await fresh.evaluate(
            ([choice, kinds, shape]) => window.mptBench.peaks(choice, kinds, shape),
            [{ spec: m.spec, transposedCopies: true }, KINDS, m.shape] as const,
          );
          results.peaks.push(...peaks.map((p) => ({ ...p, model: m.label })));
          await fresh.close();
        }
      }
      await page.evaluate((spec) => window.mptBench.forget(spec), m.spec);
      await twoThreads?.evaluate((spec) => window.mptBench.forget(spec), m.spec);
      const shapes = [m.shape, ...Object.values(m.stepOptions).flatMap((plans) => plans.flatMap((o) => (o.shape ? [o.shape] : [])))];
      for (const shape of shapes.filter((sh, i) => shapes.findIndex((x) => JSON.stringify(x) === JSON.stringify(sh)) === i)) {
        for (const blas of ['openmp', 'pthread']) {
          log(`steps: ${m.label} in PyTorch (OpenBLAS ${blas}), B=${shape.batch}`);
          const torch = torchSteps(m, shape, blas, args.quick);
          results.torch = torch.torch;
          for (const r of torch.runs) {
            results.torchSteps.push({ ...r, model: m.label, blas, shape });
            log(`  ${r.kind}: ${r.timing.medianMs.toFixed(0)} ms/step, ${r.examplesPerSecond.toFixed(1)} examples/s`);
          }
        }
      }
    }
    loadAfter('steps');
  }

  if (args.only.has('scaling')) {
    await useBackend(page, 'wasm', results);
    log(`scaling on wasm: ${bundled.label}`);
    const grid: ScalingGrid = args.quick
      ? { tasks: [1, 6, 16], promptLen: [10, 50], batch: [4, 8], inputLen: [32, 64] }
      : { tasks: [1, 2, 4, 8, 16, 32], promptLen: [10, 25, 50, 100], batch: [1, 2, 4, 8, 16], inputLen: [16, 32, 64, 128] };
    const o = { warmup: 1, reps: args.quick ? 2 : 4 };
    results.scaling = await page.evaluate(([c, s, g, opts]) => window.mptBench.scaling(c, s, g, opts), [after, bundled.shape, grid, o] as const);
    results.scalingModel = bundled.label;
    loadAfter('scaling');
  }

  if (args.only.has('memory')) {
    // A fresh page, so the WASM heap and the WebGPU buffer pool hold this model's only.
    const fresh = await openPage();
    const shape: StepShape = { batch: 4, inputLen: 16, targetLen: 4, promptLen: 8, tasks: 3 };
    for (const backend of ['webgpu', 'wasm', 'cpu'] as Backend[]) {
      // A tiny step takes ~1 s on SwiftShader (dispatch-bound): fewer steps there.
      const steps = args.quick ? 50 : backend === 'webgpu' ? 100 : 500;
      await useBackend(fresh, backend, results);
      log(`memory: ${steps} steps of the tiny model on ${backend}`);
      const tiny: ModelChoice = { spec: { kind: 'random', config: TINY, seed: 0 }, transposedCopies: true };
      results.memory.push(...(await fresh.evaluate(([c, k, s, n]) => window.mptBench.memory(c, k, s, n), [tiny, KINDS, shape, steps] as const)));
    }
    await fresh.close();
    loadAfter('memory');
  }

  if (args.only.has('profile')) {
    const targets: [BenchModel, Backend, StepKind[]][] = args.quick
      ? [[bundled, 'wasm', ['prompt-tuning']]]
      : [
          [bundled, 'wasm', KINDS],
          [models[1], 'wasm', ['prompt-tuning']],
          [bundled, 'webgpu', ['prompt-tuning']],
        ];
    for (const [m, backend, kinds] of targets) {
      await useBackend(page, backend, results);
      log(`profile: ${m.label} on ${backend}`);
      const runs = await page.evaluate(
        ([c, k, s]) => window.mptBench.profile(c, k, s),
        [{ spec: m.spec, transposedCopies: true }, kinds, m.shape] as const,
      );
      results.profiles.push(...runs.map((r) => ({ ...r, model: m.label })));
    }
    loadAfter('profile');
  }
}

function torchSteps(m: BenchModel, s: StepShape, blas: string, quick: boolean): { runs: Omit<TorchRun, 'model' | 'blas' | 'shape'>[]; torch: { version: string; threads: number } } {
  const argv = [
    join(ROOT, 'bench/torch_step.py'),
    '--config', m.torchConfig,
    '--batch', `${s.batch}`,
    '--input-len', `${s.inputLen}`,
    '--target-len', `${s.targetLen}`,
    '--prompt-len', `${s.promptLen}`,
    '--tasks', `${s.tasks}`,
    '--warmup', '2',
    '--reps', quick ? '3' : '7',
    '--threads', `${cpus().length}`,
    ...(m.torchWeights ? ['--weights', m.torchWeights] : []),
  ];
  const run = spawnSync('/usr/bin/python3', argv, {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', LD_LIBRARY_PATH: `/usr/lib/x86_64-linux-gnu/openblas-${blas}` },
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`torch_step.py failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** bench/plot.py with Debian's matplotlib; false (and a note) if it cannot run. */
function plot(jsonPath: string, pngPath: string): boolean {
  const run = spawnSync('/usr/bin/python3', [join(ROOT, 'bench/plot.py'), jsonPath, pngPath], { encoding: 'utf8' });
  if (run.status !== 0) {
    log(`no plot: ${run.stderr.trim().split('\n').pop()} (apt-get install -y python3-matplotlib)`);
    return false;
  }
  return true;
}

function updateBenchmarksMd(generated: string) {
  const path = join(ROOT, 'BENCHMARKS.md');
  const block = `${BEGIN}\n\n${generated}\n${END}`;
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\nRun `npm run bench` (full, ~30 min) or `npm run bench -- --quick`.\n\n';
  const at = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const next = at >= 0 && end > at ? old.slice(0, at) + block + old.slice(end + END.length) : old.trimEnd() + '\n\n' + block + '\n';
  writeFileSync(path, next);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
