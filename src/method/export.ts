import { parseSafetensors, readSafetensorsMetadata, toFloat32, writeSafetensors } from '../model/safetensors';
import type { HostTensor } from '../model/weights';
import type { TaskVectors, VectorSet } from './vector-set';

/**
 * A vector set as one file, safetensors or JSON, with the same names and metadata in both:
 *
 *   shared_prompt           [l, d]   P* after stage 2
 *   teacher.<id>            [l, d]   a source's stage-1 prompt
 *   task.<id>.u             [l, r]   P̂_id = P* ⊙ (u vᵀ)
 *   task.<id>.v             [d, r]
 *   task.<id>.shared_prompt [l, d]   the target's own P* (stage 3 trains it too)
 *
 * Metadata (safetensors `__metadata__` holds strings only, so numbers and lists are JSON text
 * there and plain JSON values in the .json file): format, format_version, model_id,
 * prompt_length (l), d_model (d), rank (r), tasks [{id, role, kind, labels, verbalizers}] and
 * metrics {task id: {metric: value}}.
 */

export const VECTORS_FORMAT = 'mpt-playground.task-vectors';
const FORMAT_VERSION = 1;

interface TaskHeader {
  id: string;
  role: TaskVectors['role'];
  kind: TaskVectors['kind'];
  labels: string[];
  verbalizers: string[];
}

interface Header {
  format: string;
  format_version: number;
  model_id: string;
  prompt_length: number;
  d_model: number;
  rank: number;
  tasks: TaskHeader[];
  metrics: Record<string, Record<string, number>>;
}

/** Tensor name -> array, in a fixed order: shared prompt, then each task's teacher, u, v, own P*. */
function tensorsOf(set: VectorSet): Record<string, HostTensor> {
  const tensors: Record<string, HostTensor> = {};
  if (set.shared) tensors.shared_prompt = set.shared;
  for (const t of set.tasks) {
    if (t.teacher) tensors[`teacher.${t.id}`] = t.teacher;
    if (t.u) tensors[`task.${t.id}.u`] = t.u;
    if (t.v) tensors[`task.${t.id}.v`] = t.v;
    if (t.shared) tensors[`task.${t.id}.shared_prompt`] = t.shared;
  }
  return tensors;
}

function headerOf(set: VectorSet): Header {
  return {
    format: VECTORS_FORMAT,
    format_version: FORMAT_VERSION,
    model_id: set.modelId,
    prompt_length: set.promptLength,
    d_model: set.dModel,
    rank: set.rank,
    tasks: set.tasks.map(({ id, role, kind, labels, verbalizers }) => ({ id, role, kind, labels, verbalizers })),
    metrics: Object.fromEntries(set.tasks.filter((t) => t.metrics).map((t) => [t.id, t.metrics!])),
  };
}

export function writeVectorsSafetensors(set: VectorSet): Uint8Array {
  const metadata = Object.fromEntries(
    Object.entries(headerOf(set)).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  return writeSafetensors(tensorsOf(set), metadata);
}

export function writeVectorsJson(set: VectorSet): string {
  const tensors = Object.fromEntries(
    Object.entries(tensorsOf(set)).map(([name, t]) => [name, { shape: t.shape, data: Array.from(t.data) }]),
  );
  return JSON.stringify({ ...headerOf(set), tensors });
}

/** A file that is not a vector set of this app, or does not hold together; the message says why. */
export class VectorFileError extends Error {
  constructor(message: string, file: string) {
    super(`${file}: ${message}`);
    this.name = 'VectorFileError';
  }
}

export function readVectorsSafetensors(bytes: Uint8Array, file: string): VectorSet {
  const stored = parseSafetensors(bytes, file);
  const metadata = readSafetensorsMetadata(bytes, file);
  if (metadata.format !== VECTORS_FORMAT) {
    const hint = stored.has('prompt_embeddings') ? ' It looks like a peft adapter_model.safetensors: import the adapter .zip instead.' : '';
    throw new VectorFileError(`its metadata has no "format": "${VECTORS_FORMAT}", so it is not a vector file of this playground.${hint}`, file);
  }
  const parsed: Record<string, unknown> = { format: metadata.format };
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'format' || key === 'model_id') parsed[key] = value;
    else {
      try {
        parsed[key] = JSON.parse(value);
      } catch {
        throw new VectorFileError(`metadata "${key}" is not valid JSON`, file);
      }
    }
  }
  const tensors = new Map([...stored].map(([name, t]) => [name, { shape: t.shape, data: toFloat32(t) }]));
  return vectorSetFrom(parsed, tensors, file);
}

export function readVectorsJson(text: string, file: string): VectorSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VectorFileError(`not valid JSON (${(e as Error).message})`, file);
  }
  const o = (json ?? {}) as Record<string, unknown>;
  if (o.format !== VECTORS_FORMAT) throw new VectorFileError(`it has no "format": "${VECTORS_FORMAT}", so it is not a vector file of this playground`, file);
  const tensors = new Map<string, HostTensor>();
  for (const [name, t] of Object.entries((o.tensors ?? {}) as Record<string, { shape?: unknown; data?: unknown }>)) {
    const shape = t.shape;
    const data = t.data;
    if (!Array.isArray(shape) || !shape.every(Number.isInteger) || !Array.isArray(data) || !data.every((x) => typeof x === 'number')) {
      throw new VectorFileError(`tensor "${name}" needs a "shape" (integers) and "data" (numbers)`, file);
    }
    if (data.length !== shape.reduce((a: number, b: number) => a * b, 1)) {
      throw new VectorFileError(`tensor "${name}" has ${data.length} values, its shape [${shape.join(', ')}] needs ${shape.reduce((a: number, b: number) => a * b, 1)}`, file);
    }
    tensors.set(name, { shape: shape as number[], data: Float32Array.from(data as number[]) });
  }
  return vectorSetFrom(o, tensors, file);
}

function positiveInteger(header: Record<string, unknown>, key: string, file: string): number {
  const value = header[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new VectorFileError(`"${key}" must be a positive integer, got ${JSON.stringify(value)}`, file);
  }
  return value;
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Checks the header and every tensor's shape against l, d and r, and assembles the set. */
function vectorSetFrom(header: Record<string, unknown>, tensors: Map<string, HostTensor>, file: string): VectorSet {
  if (header.format_version !== FORMAT_VERSION) {
    throw new VectorFileError(`format_version ${JSON.stringify(header.format_version)} is not supported (this page reads ${FORMAT_VERSION})`, file);
  }
  const l = positiveInteger(header, 'prompt_length', file);
  const d = positiveInteger(header, 'd_model', file);
  const r = positiveInteger(header, 'rank', file);
  const metrics = (header.metrics ?? {}) as Record<string, Record<string, number>>;
  if (!Array.isArray(header.tasks)) throw new VectorFileError('"tasks" must be a list', file);
  const tasks = header.tasks.map((raw: unknown, i): TaskVectors => {
    const t = (raw ?? {}) as Partial<TaskHeader>;
    if (typeof t.id !== 'string' || !t.id || !isStrings(t.labels) || !isStrings(t.verbalizers)) {
      throw new VectorFileError(`tasks[${i}] needs an "id", "labels" and "verbalizers"`, file);
    }
    if (t.role !== 'source' && t.role !== 'target') throw new VectorFileError(`tasks[${i}].role must be "source" or "target"`, file);
    if (t.kind !== 'classification' && t.kind !== 'generation') throw new VectorFileError(`tasks[${i}].kind must be "classification" or "generation"`, file);
    const task: TaskVectors = { id: t.id, role: t.role, kind: t.kind, labels: t.labels, verbalizers: t.verbalizers };
    if (metrics[t.id]) task.metrics = metrics[t.id];
    return task;
  });

  const expected = (name: string): [number[], string] | null => {
    if (name === 'shared_prompt') return [[l, d], '[l, d]'];
    const match = /^(?:teacher\.(.+)|task\.(.+)\.(u|v|shared_prompt))$/.exec(name);
    if (!match) return null;
    if (match[1] !== undefined) return [[l, d], '[l, d]'];
    return match[3] === 'u' ? [[l, r], '[l, r]'] : match[3] === 'v' ? [[d, r], '[d, r]'] : [[l, d], '[l, d]'];
  };
  for (const [name, t] of tensors) {
    const want = expected(name);
    if (!want) throw new VectorFileError(`tensor "${name}" is not one of shared_prompt, teacher.<id>, task.<id>.u/.v/.shared_prompt`, file);
    if (t.shape.join() !== want[0].join()) {
      throw new VectorFileError(
        `tensor "${name}" has shape [${t.shape.join(', ')}] but l = ${l}, d = ${d}, r = ${r} make ${want[1]} = [${want[0].join(', ')}]`,
        file,
      );
    }
    const id = name.startsWith('teacher.') ? name.slice('teacher.'.length) : name.startsWith('task.') ? name.replace(/^task\.|\.(u|v|shared_prompt)$/g, '') : null;
    if (id !== null && !tasks.some((task) => task.id === id)) throw new VectorFileError(`tensor "${name}" belongs to no task in "tasks"`, file);
  }
  for (const task of tasks) {
    task.teacher = tensors.get(`teacher.${task.id}`);
    task.u = tensors.get(`task.${task.id}.u`);
    task.v = tensors.get(`task.${task.id}.v`);
    task.shared = tensors.get(`task.${task.id}.shared_prompt`);
    for (const key of ['teacher', 'u', 'v', 'shared'] as const) if (!task[key]) delete task[key];
    if (Boolean(task.u) !== Boolean(task.v)) throw new VectorFileError(`task "${task.id}" has only one of u and v`, file);
  }
  const set: VectorSet = { modelId: typeof header.model_id === 'string' ? header.model_id : '', promptLength: l, dModel: d, rank: r, tasks };
  const shared = tensors.get('shared_prompt');
  if (shared) set.shared = shared;
  return set;
}

/** Vectors only work on a model of their width d; the message names both numbers. */
export function checkFitsModel(set: VectorSet, model: { dModel: number; name: string }, file: string): void {
  if (set.dModel !== model.dModel) {
    throw new VectorFileError(
      `these vectors are for another model: their d = ${set.dModel} (from ${set.modelId || 'an unnamed model'}), but the loaded model (${model.name}) has d_model = ${model.dModel}`,
      file,
    );
  }
}
