/**
 * The benchmark results as one JSON object (bench/results.json) and as the Markdown that
 * `npm run bench` prints and writes into BENCHMARKS.md.
 */
import { describeConfig, TINY } from './lib/models';
import type { Timing } from './lib/timing';
import type { KernelRow } from './suites/kernels';
import type { MatMulRow } from './suites/matmul';
import type { MemoryRun } from './suites/memory';
import type { ProfileResult } from './suites/profile';
import type { ScalingPoint } from './suites/scaling';
import type { StepKind, StepRun, StepShape } from './suites/step';

export type Backend = 'webgpu' | 'wasm' | 'cpu';
export const KINDS: StepKind[] = ['prompt-tuning', 'distillation'];

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

export interface TorchRun {
  model: string;
  blas: string;
  shape: StepShape;
  kind: StepKind;
  timing: Timing;
  examplesPerSecond: number;
}

export interface Results {
  date: string;
  /** How long the full run took (a --merge run keeps the first run's). */
  seconds?: number;
  /** Suites re-run later with --merge, and when. */
  reruns?: Record<string, string>;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; loadAverageAtStart: number[]; node: string; loadDuring?: Record<string, number> };
  browser: { version: string; userAgent: string; crossOriginIsolated: boolean; adapter: unknown; tfjs: string; wasmThreads?: number };
  torch?: { version: string; threads: number };
  models: { label: string; config: string; shape: StepShape }[];
  dispatchOverheadMs: Partial<Record<Backend, number>>;
  kernels: KernelRow[];
  matmul: MatMulRow[];
  steps: (StepRun & { model: string; transposedCopies: boolean })[];
  peaks: { model: string; backend: string; kind: StepKind; peakBytes: number; baseBytes: number; backendBytes?: number }[];
  torchSteps: TorchRun[];
  scaling: ScalingPoint[];
  scalingModel?: string;
  memory: MemoryRun[];
  profiles: (ProfileResult & { model: string })[];
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

export const BEGIN = '<!-- bench:results:begin (written by npm run bench; edit outside these markers) -->';
export const END = '<!-- bench:results:end -->';

const f1 = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ms = (t: Timing) => `${f1(t.medianMs)} (${f1(t.minMs)}–${f1(t.maxMs)}, n=${t.samples.length})`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function render(r: Results, png: string | null): string {
  const out: string[] = [];
  const adapter = r.browser.adapter as { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } | null;
  out.push(`## Results (${r.quick ? 'quick run' : 'full run'}, ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${Math.round((r.seconds ?? 0) / 60)} min)`);
  out.push('');
  out.push(
    table(
      ['', ''],
      [
        ['CPU', `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; load average at start ${r.machine.loadAverageAtStart.join(' ')}`],
        ...(r.machine.loadDuring ? [['1-min load average after each suite (the benchmark itself included)', Object.entries(r.machine.loadDuring).map(([k, v]) => `${k} ${v}`).join(', ')]] : []),
        ['Browser', `Chromium ${r.browser.version} (headless), cross-origin isolated: ${r.browser.crossOriginIsolated}`],
        ['WebGPU adapter', adapter ? `${adapter.vendor} ${adapter.architecture} ${adapter.description ?? ''}, fallback adapter: ${adapter.isFallbackAdapter}` : 'none'],
        ['TF.js', `${r.browser.tfjs}; wasm threads: ${r.browser.wasmThreads ?? '?'}`],
        ['PyTorch', r.torch ? `${r.torch.version}, ${r.torch.threads} threads (Debian python3-torch, OpenBLAS)` : 'not run'],
        ...r.models.map((m) => [`Model: ${m.label}`, `${m.config}; step: B=${m.shape.batch}, input ${m.shape.inputLen}, target ${m.shape.targetLen}, prompt l=${m.shape.promptLen}, K=${m.shape.tasks} (stage 2)`]),
      ],
    ),
  );
  out.push('');
  out.push('All times are medians after warm-up (min–max, n timed repetitions); every comparison in a table was measured in this same run.');
  for (const [suite, when] of Object.entries(r.reruns ?? {})) {
    out.push(`The ${suite} suite was re-run on its own at ${when.slice(0, 16).replace('T', ' ')} UTC (npm run bench -- --only ${suite} --merge).`);
  }

  if (r.kernels.length) {
    out.push('', '### Prompt composition: fused vs unfused (forward + backward)', '');
    out.push(
      'tf.grads of composePrompts (webgpu: 4 WGSL dispatches; wasm: its tfjs fallback) against tf.grads of ' +
        '`tf.mul(pStar, tf.matMul(u, v, false, true))`, l = 100, r = 1, ms per call. "GPU ms" is the WebGPU ' +
        'timestamp-query time of the dispatches alone.',
    );
    for (const [backend, overhead] of Object.entries(r.dispatchOverheadMs)) {
      out.push(`- ${backend}: one trivial op (1-element add) costs ${f1(overhead * 1000)} µs issued back to back.`);
    }
    out.push('');
    out.push(
      table(
        ['backend', 'K', 'd', 'fused ms', 'unfused ms', 'speedup', 'dispatches fused / unfused', 'GPU ms fused / unfused'],
        r.kernels.map((k) => [
          k.backend,
          k.K,
          k.d,
          ms(k.fused),
          ms(k.unfused),
          `**${k.speedup.toFixed(2)}x**`,
          `${k.fusedDispatches} / ${k.unfusedDispatches}`,
          k.fusedGpuMs !== undefined ? `${f1(k.fusedGpuMs)} / ${f1(k.unfusedGpuMs!)}` : '–',
        ]),
      ),
    );
  }

  const split = r.kernels.filter((k) => k.unfusedGpuPrograms);
  if (split.length) {
    out.push('', 'Where the unfused expression\'s GPU time goes (timestamp queries, by tfjs program, ms):', '');
    out.push(table(['K', 'd', 'unfused programs'], split.map((k) => [k.K, k.d, k.unfusedGpuPrograms!])));
  }

  if (r.matmul.length) {
    out.push('', '### matMul by layout on wasm (tfjs matMul gradients use the transposed layouts)', '');
    const own = r.matmul.some((m) => m.tfjsKernel);
    if (own) {
      out.push(
        'As the app runs them: plain 2-D products on XNNPACK, batched and transposed ones on the SIMD kernel of ' +
          "`src/kernels/wasm-matmul.ts`; beside it the same product on tfjs-wasm's own kernel (its scalar loop).",
        '',
      );
    }
    out.push(
      table(
        ['shape', 'layout', 'ms', 'GFLOP/s', ...(own ? ["tfjs-wasm's kernel ms", 'GFLOP/s', 'speedup'] : [])],
        r.matmul.map((m) => [
          m.shape,
          m.layout,
          f1(m.ms),
          f1(m.gflops),
          ...(own ? (m.tfjsKernel ? [f1(m.tfjsKernel.ms), f1(m.tfjsKernel.gflops), `${(m.tfjsKernel.ms / m.ms).toFixed(1)}x`] : ['–', '–', '–']) : []),
        ]),
      ),
    );
  }

  if (r.steps.length) {
    out.push('', '### Training steps', '');
    out.push(
      'One step of the real training loop (src/method/train-loop.ts): batch upload, forward, backward, Adam, loss read-back. ' +
        'Stage 2 includes the K teachers\' forward pass. "copies": linear weights also kept as [out, in] so the backward pass ' +
        'runs plain matMuls (T5ModelOptions.transposedCopies, the default); "autodiff": tfjs\'s own matMul gradient. ' +
        '"wasm, 2 threads": a page that gives tfjs-wasm\'s XNNPACK pool 2 threads (its default here is 1, see below).',
    );
    out.push('');
    const rows: (string | number)[][] = [];
    for (const s of r.steps) {
      rows.push([s.model, s.shape.batch, s.backend, s.transposedCopies ? 'copies' : 'autodiff', s.kind, ms(s.timing), f1(s.examplesPerSecond)]);
    }
    for (const t of r.torchSteps) rows.push([t.model, t.shape.batch, `PyTorch (OpenBLAS ${t.blas})`, '–', t.kind, ms(t.timing), f1(t.examplesPerSecond)]);
    out.push(table(['model', 'B', 'backend', 'weights', 'step', 'ms/step', 'examples/s'], rows));
    out.push('', '#### Best browser path against PyTorch, same model, batch and lengths (target: within 2x)', '');
    const summary: (string | number)[][] = [];
    const groups = new Map<string, { model: string; batch: number; kind: StepKind }>();
    for (const s of r.steps) groups.set(`${s.model}|${s.shape.batch}|${s.kind}`, { model: s.model, batch: s.shape.batch, kind: s.kind });
    for (const { model, batch, kind } of groups.values()) {
      const same = <T extends { model: string; kind: StepKind; shape: StepShape; timing: Timing }>(list: T[]) =>
        list.filter((x) => x.model === model && x.kind === kind && x.shape.batch === batch).sort((a, b) => a.timing.medianMs - b.timing.medianMs)[0];
      const browser = same(r.steps);
      const torch = same(r.torchSteps);
      if (!browser || !torch) continue;
      const ratio = browser.timing.medianMs / torch.timing.medianMs;
      summary.push([
        model,
        batch,
        kind,
        `${browser.backend} (${browser.transposedCopies ? 'copies' : 'autodiff'}) ${f1(browser.timing.medianMs)} ms`,
        `OpenBLAS ${torch.blas} ${f1(torch.timing.medianMs)} ms`,
        `${ratio.toFixed(2)}x ${ratio <= 2 ? '(met)' : '(not met)'}`,
      ]);
    }
    out.push(table(['model', 'B', 'step', 'best browser', 'best PyTorch', 'browser / PyTorch'], summary));
    const pairs: (string | number)[][] = [];
    for (const s of r.steps.filter((x) => x.transposedCopies)) {
      const before = r.steps.find(
        (x) => !x.transposedCopies && x.model === s.model && x.backend === s.backend && x.kind === s.kind && x.shape.batch === s.shape.batch,
      );
      if (before) pairs.push([s.model, s.backend, s.kind, f1(before.timing.medianMs), f1(s.timing.medianMs), `${(before.timing.medianMs / s.timing.medianMs).toFixed(2)}x`]);
    }
    if (pairs.length) {
      out.push('', '#### Transposed weight copies: before / after (same run)', '');
      out.push(table(['model', 'backend', 'step', 'autodiff ms', 'copies ms', 'speedup'], pairs));
    }
  }

  if (r.scaling.length) {
    out.push('', `### Scaling (stage-2 steps on wasm, ${r.scalingModel})`, '');
    out.push('One size varied at a time, the rest at the base step shape above. For K, the composition alone (forward + backward, fused path of this backend) and its kernel count: one op covers all K tasks.');
    out.push('');
    const names: Record<string, string> = { tasks: 'K tasks', promptLen: 'prompt length l', batch: 'batch B', inputLen: 'input length L' };
    out.push(
      table(
        ['varied', 'value', 'ms/step', 'examples/s', 'composition ms', 'composition kernels', 'ms per kernel'],
        r.scaling.map((p) => [
          names[p.dim],
          p.value,
          f1(p.stepMs),
          f1(p.examplesPerSecond),
          p.composeMs !== undefined ? f1(p.composeMs) : '',
          p.composeDispatches ?? '',
          p.composeMs !== undefined ? f1(p.composeMs / p.composeDispatches!) : '',
        ]),
      ),
    );
    if (png) out.push('', `![step time against K, l, B, L; composition cost per kernel against K; memory over steps](${png})`);
  }

  if (r.memory.length || r.peaks.length) {
    out.push('', '### Memory', '');
    if (r.memory.length) {
      out.push(`tf.memory() after each step of the tiny model (${describeConfig(TINY)}), B=4, input 16, target 4, l=8, K=3.`);
      out.push('');
      out.push(
        table(
          ['backend', 'step', 'steps', 'tensors first → last (max)', 'bytes first → last', 'GPU bytes first → last', 'flat', 'tensor bytes at the peak of a step', 'WASM heap / GPU buffers'],
          r.memory.map((m) => [
            m.backend,
            m.kind,
            m.steps,
            `${m.first.numTensors} → ${m.last.numTensors} (${m.maxTensors})`,
            `${mib(m.first.numBytes)} → ${mib(m.last.numBytes)}`,
            m.first.numBytesInGPU !== undefined ? `${mib(m.first.numBytesInGPU)} → ${mib(m.last.numBytesInGPU!)}` : '–',
            m.flat ? 'yes' : '**no**',
            `${mib(m.peakBytes)} (+${mib(m.peakBytes - m.baseBytes)})`,
            m.backendBytes !== undefined ? mib(m.backendBytes) : '–',
          ]),
        ),
      );
    }
    if (r.peaks.length) {
      out.push(
        '',
        'One step on wasm: tfjs\'s tensor bytes before the step (model, prompts, Adam) and at its peak (tf.profile; every tensor ' +
          'counts, reshaped views and the tape\'s saved inputs again, so this overstates), and the WASM heap afterwards (it only ' +
          'grows: the real high-water mark).',
        '',
      );
      out.push(
        table(
          ['model', 'step', 'tensor bytes before', 'at the peak', 'WASM heap'],
          r.peaks.map((p) => [p.model, p.kind, mib(p.baseBytes), mib(p.peakBytes), p.backendBytes !== undefined ? mib(p.backendBytes) : '–']),
        ),
      );
    }
  }

  if (r.profiles.length) {
    out.push('', '### Where a step\'s time goes (tf.profile)', '');
    for (const p of r.profiles) {
      out.push(`**${p.model}, ${p.kind} on ${p.backend}**: profiled step ${f1(p.stepMs)} ms, kernels ${f1(p.kernelMs)} ms; forward pass by phase: ${p.forward.map((f) => `${f.phase} ${f1(f.ms)} ms`).join(', ')}.`);
      out.push('');
      out.push(table(['part', 'kernels', 'ms', 'share of kernel time'], p.parts.map((x) => [x.part, x.kernels, f1(x.ms), `${((100 * x.ms) / p.kernelMs).toFixed(1)}%`])));
      out.push('');
    }
  }
  return out.join('\n');
}

