/**
 * Where a training step's time goes: every kernel of one stage-1 or stage-2 step under
 * tf.profile, grouped into parts of the model (by kernel name and, for matMuls, by shape), and
 * the forward pass timed phase by phase. On wasm and cpu kernels run synchronously, so a
 * kernel's time is its wall time; the rest of the step is JavaScript (tape, tidy, allocation).
 */
import * as tf from '@tensorflow/tfjs';
import type { T5Config } from '../../src/model/config';
import type { T5Model } from '../../src/model/t5';
import { plmLoss } from '../../src/method/losses';
import { makeBatch, disposeBatch } from '../../src/method/batches';
import { settle } from '../lib/backend';
import { median } from '../lib/timing';
import { runSteps, syntheticTasks, type StepKind, type StepShape } from './step';

export interface PartTime {
  part: string;
  ms: number;
  kernels: number;
}

export interface ProfileResult {
  backend: string;
  kind: StepKind;
  shape: StepShape;
  /** Wall time of the profiled step (profiling adds a little). */
  stepMs: number;
  /** Sum of all kernel times. */
  kernelMs: number;
  parts: PartTime[];
  /** Forward pass (no tape) by phase, median of 3, ms. */
  forward: { phase: string; ms: number }[];
}

/** Which part of the model a kernel belongs to. */
export function partOf(name: string, inputShapes: number[][], c: T5Config): string {
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const [a, b] = inputShapes;
    if (!a || !b || a.length > 2 || b.length > 2) return 'attention matMuls (QKᵀ, PV; batched)';
    const dims = [...a, ...b];
    if (dims.includes(c.vocabSize)) return 'output projection matMul (vocab)';
    if (dims.includes(c.dFf)) return 'feed-forward matMuls';
    if (a[0] <= 64 && b[0] <= 64 && a[1] <= 64) return 'prompt selection (one-hot matMul)';
    return 'attention projection matMuls (q, k, v, o)';
  }
  if (name === 'Softmax') return 'softmax (attention)';
  if (name === 'OneHot') return 'oneHot';
  if (name === 'Transpose') return 'transposes (heads)';
  if (name === 'GatherV2') return 'gather (embeddings, position bias)';
  if (['Max', 'Sum', 'Mean', 'Prod', 'Min'].includes(name)) return 'reductions (norms, softmax grad, loss)';
  if (['Concat', 'Slice', 'Tile', 'Pack', 'Unpack', 'Pad', 'Reshape', 'Identity', 'Cast', 'Fill', 'ZerosLike', 'OnesLike'].includes(name)) {
    return 'copies (concat, slice, tile, cast)';
  }
  return 'element-wise (norms, gelu, residuals, masks, loss, Adam)';
}

export async function profileStep(model: T5Model, kind: StepKind, shape: StepShape): Promise<ProfileResult> {
  await runSteps(model, kind, shape, { warmup: 1, reps: 1 }); // compile/pack everything first
  const t0 = performance.now();
  const info = await tf.profile(() => runSteps(model, kind, shape, { warmup: 0, reps: 1 }).then(() => []));
  const stepMs = performance.now() - t0;
  const parts = new Map<string, PartTime>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    // tf.profile also lists composite scopes (customGrad ops, logSoftmax) whose time includes
    // the kernels they ran, which are listed too: count registered kernels only.
    if (!tf.getKernel(k.name, tf.getBackend())) continue;
    const ms = (k.kernelTimeMs as number) ?? 0;
    const part = partOf(k.name, k.inputShapes as number[][], model.config);
    const p = parts.get(part) ?? { part, ms: 0, kernels: 0 };
    p.ms += ms;
    p.kernels++;
    parts.set(part, p);
    kernelMs += ms;
  }
  return {
    backend: tf.getBackend(),
    kind,
    shape,
    stepMs,
    kernelMs,
    parts: [...parts.values()].sort((a, b) => b.ms - a.ms),
    forward: await forwardPhases(model, shape),
  };
}

/** The forward pass of a stage-1 batch, phase by phase (no gradient tape). */
async function forwardPhases(model: T5Model, shape: StepShape): Promise<{ phase: string; ms: number }[]> {
  const rows = syntheticTasks(model.config.vocabSize, shape)[0].slice(0, shape.batch);
  while (rows.length < shape.batch) rows.push(rows[0]);
  const batch = makeBatch(rows, model.config);
  const prompt = tf.randomNormal([shape.batch, shape.promptLen, model.config.dModel]) as tf.Tensor3D;
  const times = new Map<string, number[]>();
  const timed = async <T extends tf.TensorContainer>(phase: string, f: () => T): Promise<T> => {
    await settle();
    const t0 = performance.now();
    const out = f();
    await settle();
    times.set(phase, [...(times.get(phase) ?? []), performance.now() - t0]);
    return out;
  };
  for (let rep = 0; rep < 4; rep++) {
    const input = await timed('embed + prompt', () => model.withPrompt(prompt, model.embed(batch.inputIds), batch.inputMask));
    const encoded = await timed('encoder', () => model.encode(input.embeds, input.mask));
    const hidden = await timed('decoder', () => model.decoderHidden(batch.decoderIds, encoded, input.mask));
    const logits = await timed('output projection', () => model.logits(hidden));
    const loss = await timed('loss (logSoftmax, oneHot)', () => plmLoss(logits, batch.targets));
    tf.dispose([input.embeds, input.mask, encoded, hidden, logits, loss.mean, loss.perRow]);
  }
  disposeBatch(batch);
  prompt.dispose();
  // rep 0 is the warm-up
  return [...times].map(([phase, ms]) => ({ phase, ms: median(ms.slice(1)) }));
}
