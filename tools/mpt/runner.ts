/**
 * The headless MPT runner: `npm run mpt -- <config.json>`. Runs stage 1, 2 and 3 and the
 * baselines in node on the same code as the browser (tfjs WASM backend), prints a results table
 * and writes results.json plus the learned vectors as safetensors.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendPreference } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import { parseSafetensors, toFloat32, writeSafetensors } from '../../src/model/safetensors';
import type { HostTensor } from '../../src/model/weights';
import { parseTaskIndex, parseTaskManifest, SPLIT_NAMES, type SplitName } from '../../src/data/task-manifest';
import { runExperiment, summarize, TARGET_METHODS, type ExperimentPlan, type TargetMethod } from '../../src/method/experiment';
import { defaultSettings, type MethodSettings } from '../../src/method/settings';
import { taskDataFromFiles, type TaskData } from '../../src/method/task-data';

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
  backend?: BackendPreference;
  /** vectors.safetensors of an earlier run whose stage 1 and 2 results to reuse. */
  reuse?: string;
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

function readVectors(path: string): Record<string, HostTensor> {
  const file = parseSafetensors(new Uint8Array(readFileSync(path)), path);
  return Object.fromEntries([...file].map(([name, t]) => [name, { shape: t.shape, data: toFloat32(t) }]));
}

async function main() {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: npm run mpt -- <config.json>');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as RunnerConfig;
  const fromConfig = (p: string) => resolve(dirname(resolve(configPath)), p);

  const backend = await initBackend(config.backend ?? 'wasm', {
    wasmPaths: join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
  });
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
    reuse: config.reuse ? readVectors(fromConfig(config.reuse)) : undefined,
  };
  const started = Date.now();
  let lastLog = 0;
  const result = await runExperiment(model, plan, (e) => {
    if ('message' in e) console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${e.phase}: ${e.message}`);
    else if (e.report.step === e.report.totalSteps || Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const losses = Object.entries(e.report.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
      console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${e.phase}: step ${e.report.step}/${e.report.totalSteps} ${losses} (${e.report.examplesPerSecond.toFixed(1)} ex/s)`);
    }
  });

  const summary = summarize(result.rows);
  const lines = ['| target | method | k | score (mean ± std) | seeds |', '|---|---|---|---|---|'];
  for (const r of summary) lines.push(`| ${r.target} | ${r.method} | ${r.k} | ${r.mean.toFixed(3)} ± ${r.std.toFixed(3)} | ${r.n} |`);
  console.log(lines.join('\n'));

  const out = fromConfig(config.out);
  mkdirSync(out, { recursive: true });
  const { settings, evalExamples, sourceExamples, ks, seeds, methods } = plan;
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify(
      {
        config,
        plan: { sources: plan.sources.map((t) => t.id), targets: plan.targets.map((t) => t.id), ks, seeds, methods, settings, evalExamples, sourceExamples },
        backend,
        seconds: (Date.now() - started) / 1000,
        teachers: result.teachers,
        rows: result.rows,
        summary,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(out, 'results.md'), lines.join('\n') + '\n');
  writeFileSync(join(out, 'vectors.safetensors'), writeSafetensors(result.vectors, { model: modelDir, l: String(settings.promptLength), r: String(settings.rank) }));
  console.log(`wrote ${out}/results.json, results.md, vectors.safetensors`);
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
