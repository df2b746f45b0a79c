/**
 * The headless MPT runner: `npm run mpt -- <config.json>` (entry: run.ts). Runs stage 1, 2 and 3
 * and the baselines in node on the same code as the browser (tfjs WASM backend by default; WebGPU
 * through Dawn, the npm `webgpu` package, with the same fused WGSL kernels; or the cpu backend),
 * prints a results table and writes results.json plus the learned vectors as safetensors.
 * Import it only after run.ts has set up WebGPU: importing it imports tfjs.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendPreference } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import { parseSafetensors, toFloat32, writeSafetensors } from '../../src/model/safetensors';
import type { HostTensor } from '../../src/model/weights';
import { parseTaskIndex, parseTaskManifest, SPLIT_NAMES, type SplitName } from '../../src/data/task-manifest';
import { runExperiment, summarize, TARGET_METHODS, type ExperimentPlan, type TargetMethod } from '../../src/method/experiment';
import { defaultSettings, type MethodSettings } from '../../src/method/settings';
import { taskDataFromFiles, type TaskData } from '../../src/method/task-data';
import type { NodeWebGpu } from './node-webgpu';
import { summaryTable } from './summary-table';

interface RunnerConfig {
  model: string; // folder with config.json, tokenizer.json, model.safetensors
  tasks?: string; // folder with index.json
  sources?: string[]; // default: every source task
  targets?: string[]; // default: every target task
  ks?: (number | 'all')[];
  seeds?: number[];
  methods?: TargetMethod[];
  settings?: Partial<MethodSettings>;
  evalExamples?: number;
  sourceExamples?: number;
  /** webgpu, wasm (default), cpu or auto; `--backend` overrides it. */
  backend?: BackendPreference;
  /**
   * vectors.safetensors of earlier runs whose stage 1 and 2 results to reuse; several files (e.g.
   * stage 1 split over two processes) are merged, a later file's tensor replacing an earlier one's.
   */
  reuse?: string | string[];
  out: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function loadTasks(folder: string, ids: string[] | undefined, role: 'source' | 'target'): TaskData[] {
  const index = parseTaskIndex(JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')));
  const entries = index.tasks.filter((t) => (ids ? ids.includes(t.id) : t.role === role));
  const missing = (ids ?? []).filter((id) => !index.tasks.some((t) => t.id === id));
  if (missing.length) throw new Error(`unknown task(s): ${missing.join(', ')}`);
  return entries.map((entry) => {
    const manifestPath = join(folder, entry.path);
    const manifest = parseTaskManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
    const splits = Object.fromEntries(
      SPLIT_NAMES.map((s) => [s, readFileSync(join(dirname(manifestPath), manifest.splits[s].file), 'utf8')]),
    ) as Record<SplitName, string>;
    return taskDataFromFiles(manifest, splits);
  });
}

function readVectors(paths: string[]): Record<string, HostTensor> {
  const merged: Record<string, HostTensor> = {};
  for (const path of paths) {
    const file = parseSafetensors(new Uint8Array(readFileSync(path)), path);
    for (const [name, t] of file) merged[name] = { shape: t.shape, data: toFloat32(t) };
  }
  return merged;
}

export interface RunOptions {
  configPath: string;
  /** The backend asked for (flag, else config, else wasm). */
  backend: BackendPreference;
  /** Output folder from the command line (relative to the working directory); else config.out. */
  out?: string;
  /** What run.ts set up for WebGPU, if it did. */
  webgpu?: NodeWebGpu;
}

export async function runMpt(options: RunOptions) {
  const { configPath } = options;
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RunnerConfig;
  const fromConfig = (p: string) => resolve(dirname(resolve(configPath)), p);

  const backend = await initBackend(options.backend, {
    wasmPaths: join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
  });
  // initBackend falls back (webgpu -> wasm -> cpu) for the page; a run asked for one backend.
  if (options.backend !== 'auto' && backend.name !== options.backend) {
    throw new Error(`the ${options.backend} backend did not start (${backend.reason})`);
  }
  console.log(`backend: ${backend.name} (${backend.reason})`);

  const modelDir = fromConfig(config.model);
  const files = readdirSync(modelDir)
    .filter((name) => /\.(json|safetensors)$/.test(name))
    .map((name) => new File([readFileSync(join(modelDir, name))], name));
  const model = await loadT5({ kind: 'files', files });
  console.log(`model: ${modelDir} (${(model.parameterCount / 1e6).toFixed(2)} M parameters)`);

  const tasksDir = config.tasks ? fromConfig(config.tasks) : join(root, 'public/tasks');
  const plan: ExperimentPlan = {
    sources: loadTasks(tasksDir, config.sources, 'source'),
    targets: loadTasks(tasksDir, config.targets, 'target'),
    ks: config.ks ?? [4, 16, 32],
    seeds: config.seeds ?? [1, 2, 3],
    methods: config.methods ?? TARGET_METHODS,
    settings: { ...defaultSettings(model.config), ...config.settings },
    evalExamples: config.evalExamples ?? 200,
    sourceExamples: config.sourceExamples ?? 2000,
    reuse: config.reuse ? readVectors([config.reuse].flat().map(fromConfig)) : undefined,
  };
  const started = Date.now();
  let lastLog = 0;
  // Losses and gradient norm of the first and last step of every training phase: to compare
  // runs (e.g. webgpu against wasm) and to see that training moved.
  const steps: { phase: string; step: number; losses: Record<string, number>; gradNorm: number }[] = [];
  const result = await runExperiment(model, plan, (e) => {
    if (!('message' in e) && (e.report.step === 1 || e.report.step === e.report.totalSteps)) {
      steps.push({ phase: e.phase, step: e.report.step, losses: { ...e.report.losses }, gradNorm: e.report.gradNorm });
    }
    if ('message' in e) console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${e.phase}: ${e.message}`);
    else if (e.report.step === e.report.totalSteps || Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const losses = Object.entries(e.report.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
      console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${e.phase}: step ${e.report.step}/${e.report.totalSteps} ${losses} (${e.report.examplesPerSecond.toFixed(1)} ex/s)`);
    }
  });

  const summary = summarize(result.rows);
  const table = summaryTable(summary);
  console.log(table);

  const out = options.out ? resolve(options.out) : fromConfig(config.out);
  mkdirSync(out, { recursive: true });
  const { settings, evalExamples, sourceExamples, ks, seeds, methods } = plan;
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify(
      {
        config,
        plan: { sources: plan.sources.map((t) => t.id), targets: plan.targets.map((t) => t.id), ks, seeds, methods, settings, evalExamples, sourceExamples },
        // `active` is tf.getBackend() after the run: a silent fallback would show here.
        backend: { requested: options.backend, ...backend, active: tf.getBackend(), webgpu: options.webgpu },
        seconds: (Date.now() - started) / 1000,
        teachers: result.teachers,
        rows: result.rows,
        summary,
        steps,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(out, 'results.md'), table + '\n');
  writeFileSync(join(out, 'vectors.safetensors'), writeSafetensors(result.vectors, { model: modelDir, l: String(settings.promptLength), r: String(settings.rank) }));
  console.log(`wrote ${out}/results.json, results.md, vectors.safetensors`);
  model.dispose();
}
