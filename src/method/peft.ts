import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { parseSafetensors, toFloat32, writeSafetensors } from '../model/safetensors';
import type { HostTensor } from '../model/weights';
import { VectorFileError } from './export';
import { sliceTask, type TaskVectors, type VectorSet } from './vector-set';

/**
 * The vectors as a Hugging Face peft MultitaskPromptTuning adapter, so the work can go on in
 * PyTorch (`PeftModel.from_pretrained(t5, folder)`). What peft's `save_pretrained` writes, read
 * in huggingface/peft v0.20.0:
 *  - src/peft/utils/save_and_load.py, get_peft_model_state_dict: for MULTITASK_PROMPT_TUNING
 *    the state dict is exactly {"prefix_task_cols", "prefix_task_rows", "prompt_embeddings"}
 *    (no "prompt_encoder.default." prefix: prompt-learning keys are stored bare).
 *  - src/peft/tuners/multitask_prompt_tuning/model.py, MultitaskPromptEmbedding:
 *    embedding.weight [num_virtual_tokens * num_transformer_submodules, token_dim],
 *    prefix_task_cols [num_tasks, total_virtual_tokens, num_ranks],
 *    prefix_task_rows [num_tasks, num_ranks, token_dim], and the prompt of task k is
 *    embedding ⊙ (cols_k @ rows_k): our P* ⊙ (u vᵀ) with cols = u and rows = vᵀ (transposed).
 *  - src/peft/peft_model.py, save_pretrained: safetensors with metadata {"format": "pt"}, then
 *    the config with inference_mode = true; src/peft/config.py writes adapter_config.json as
 *    json.dumps(asdict(config), indent=2, sort_keys=True).
 *  - num_transformer_submodules: peft's default for SEQ_2_SEQ_LM is 2, which puts a second
 *    block of virtual tokens in front of the decoder input. Our soft prompt goes in front of the
 *    encoder input only, which is what 1 means (PeftModelForSeq2SeqLM.forward), so we write 1.
 *  - prompt_tuning_init: "RANDOM". The AVERAGE_SOURCE_TASKS / EXACT_SOURCE_TASK /
 *    ONLY_SOURCE_SHARED modes make peft torch.load a state dict from
 *    prompt_tuning_init_state_dict_path while it builds the model, which would fail here; the
 *    init mode does not matter once the weights are loaded from the file.
 *
 * The zip holds the sources' adapter at its root (P* and every source's u, v; num_tasks = K, in
 * the order of `mpt_playground.json`) and the target's adapter in `target/` (its own P*, u, v;
 * num_tasks = 1), as peft saves a second adapter in a subfolder. Teachers have no place in
 * peft's format. `mpt_playground.json` (ignored by peft) keeps task names, labels and metrics.
 */

/** The peft release whose layout this reproduces (config.py fills it in when peft saves). */
const PEFT_VERSION = '0.20.0';
const SIDECAR = 'mpt_playground.json';
/** "owner/name" or "owner/name@revision": a model id transformers can load. */
const HUB_ID = /^([\w.-]+\/[\w.-]+)(?:@([\w./-]+))?$/;

export interface AdapterModelInfo {
  numHeads: number;
  numLayers: number;
}

interface AdapterPart {
  tasks: TaskVectors[];
  shared: HostTensor;
}

function adapterConfig(set: VectorSet, numTasks: number, model: AdapterModelInfo | null): Record<string, unknown> {
  // A URL or local files mean nothing to transformers: null, and peft fills in the base model's name.
  const hub = HUB_ID.exec(set.modelId);
  const config: Record<string, unknown> = {
    auto_mapping: null,
    base_model_name_or_path: hub?.[1] ?? null,
    inference_mode: true,
    modules_to_save: null,
    num_attention_heads: model?.numHeads ?? null,
    num_layers: model?.numLayers ?? null,
    num_ranks: set.rank,
    num_tasks: numTasks,
    num_transformer_submodules: 1,
    num_virtual_tokens: set.promptLength,
    peft_type: 'MULTITASK_PROMPT_TUNING',
    peft_version: PEFT_VERSION,
    prompt_tuning_init: 'RANDOM',
    prompt_tuning_init_state_dict_path: null,
    prompt_tuning_init_task: 0,
    prompt_tuning_init_text: null,
    revision: hub?.[2] ?? null,
    task_type: 'SEQ_2_SEQ_LM',
    token_dim: set.dModel,
    tokenizer_kwargs: null,
    tokenizer_name_or_path: null,
  };
  return Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** peft's three tensors for these tasks: cols = u stacked [K, l, r], rows = vᵀ stacked [K, r, d]. */
function peftTensors(part: AdapterPart): Record<string, HostTensor> {
  const [l, d] = part.shared.shape;
  const r = part.tasks[0].u!.shape[1];
  const k = part.tasks.length;
  const cols = new Float32Array(k * l * r);
  const rows = new Float32Array(k * r * d);
  part.tasks.forEach((task, t) => {
    cols.set(task.u!.data, t * l * r);
    for (let i = 0; i < r; i++) for (let j = 0; j < d; j++) rows[t * r * d + i * d + j] = task.v!.data[j * r + i];
  });
  return {
    prefix_task_cols: { shape: [k, l, r], data: cols },
    prefix_task_rows: { shape: [k, r, d], data: rows },
    prompt_embeddings: { shape: [l, d], data: part.shared.data },
  };
}

function adapterParts(set: VectorSet): { root: AdapterPart; target?: AdapterPart } {
  const sources = set.tasks.filter((t) => t.role === 'source' && t.u && t.v);
  const target = set.tasks.find((t) => t.role === 'target' && t.u && t.v && t.shared);
  const targetPart = target ? { tasks: [target], shared: target.shared! } : undefined;
  if (set.shared && sources.length > 0) return { root: { tasks: sources, shared: set.shared }, target: targetPart };
  if (targetPart) return { root: targetPart };
  throw new Error('A peft adapter needs P* with u and v (stage 2 or 3); these vectors have only teachers.');
}

function sidecar(set: VectorSet, tasks: TaskVectors[]): string {
  const header = tasks.map(({ id, role, kind, labels, verbalizers, metrics }) => ({ id, role, kind, labels, verbalizers, ...(metrics ? { metrics } : {}) }));
  return JSON.stringify({ model_id: set.modelId, tasks: header }, null, 2);
}

/** The adapter folder(s) as zip bytes. */
export function writePeftZip(set: VectorSet, model: AdapterModelInfo | null): Uint8Array {
  const { root, target } = adapterParts(set);
  const folder = (part: AdapterPart) => ({
    'adapter_config.json': strToU8(JSON.stringify(adapterConfig(set, part.tasks.length, model), null, 2)),
    'adapter_model.safetensors': writeSafetensors(peftTensors(part), { format: 'pt' }),
    [SIDECAR]: strToU8(sidecar(set, part.tasks)),
  });
  return zipSync({ ...folder(root), ...(target ? { target: folder(target) } : {}) });
}

interface SidecarTask {
  id: string;
  role: TaskVectors['role'];
  kind: TaskVectors['kind'];
  labels: string[];
  verbalizers: string[];
  metrics?: Record<string, number>;
}

/** Reads a peft MPT adapter zip back (the root adapter and `target/` if present). */
export function readPeftZip(bytes: Uint8Array, file: string): VectorSet {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new VectorFileError(`not a readable zip file (${(e as Error).message})`, file);
  }
  // The adapter may sit in a folder of its own inside the zip: the shallowest config is the root.
  const configs = Object.keys(entries)
    .filter((p) => p === 'adapter_config.json' || p.endsWith('/adapter_config.json'))
    .sort((a, b) => a.split('/').length - b.split('/').length);
  if (configs.length === 0) throw new VectorFileError('the zip has no adapter_config.json, so it is not a peft adapter', file);
  const root = configs[0].slice(0, -'adapter_config.json'.length);
  const rootAdapter = readAdapter(entries, root, file);
  const targetAdapter = entries[`${root}target/adapter_config.json`] ? readAdapter(entries, `${root}target/`, file) : undefined;
  const set: VectorSet = { ...rootAdapter.shape, modelId: rootAdapter.modelId, tasks: rootAdapter.tasks };
  if (rootAdapter.tasks[0].role === 'source') set.shared = rootAdapter.shared;
  if (targetAdapter) {
    for (const key of ['promptLength', 'dModel', 'rank'] as const) {
      if (targetAdapter.shape[key] !== set[key]) throw new VectorFileError(`target/ has ${key} ${targetAdapter.shape[key]} but the root adapter has ${set[key]}`, file);
    }
    set.tasks.push(...targetAdapter.tasks);
  }
  return set;
}

function readAdapter(entries: Record<string, Uint8Array>, folder: string, file: string) {
  const where = (name: string) => `${folder}${name}`;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(strFromU8(entries[where('adapter_config.json')])) as Record<string, unknown>;
  } catch {
    throw new VectorFileError(`${where('adapter_config.json')} is not valid JSON`, file);
  }
  if (config.peft_type !== 'MULTITASK_PROMPT_TUNING') {
    throw new VectorFileError(`${where('adapter_config.json')} has peft_type ${JSON.stringify(config.peft_type)}, not "MULTITASK_PROMPT_TUNING"`, file);
  }
  const submodules = config.num_transformer_submodules ?? (config.task_type === 'SEQ_2_SEQ_LM' ? 2 : 1);
  if (submodules !== 1) {
    throw new VectorFileError(`num_transformer_submodules is ${submodules}: that adapter prompts the decoder too, and this playground prompts only the encoder`, file);
  }
  const integer = (key: string) => {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new VectorFileError(`${where('adapter_config.json')}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`, file);
    return v;
  };
  const [l, d, r, k] = [integer('num_virtual_tokens'), integer('token_dim'), integer('num_ranks'), integer('num_tasks')];

  const weights = entries[where('adapter_model.safetensors')];
  if (!weights) throw new VectorFileError(`${where('adapter_model.safetensors')} is missing`, file);
  const stored = parseSafetensors(weights, where('adapter_model.safetensors'));
  const tensor = (name: string, shape: number[], meaning: string): HostTensor => {
    const t = stored.get(name);
    if (!t) throw new VectorFileError(`${where('adapter_model.safetensors')} has no "${name}"`, file);
    if (t.shape.join() !== shape.join()) {
      throw new VectorFileError(
        `"${name}" has shape [${t.shape.join(', ')}] but adapter_config.json (num_virtual_tokens = ${l}, token_dim = ${d}, num_ranks = ${r}, num_tasks = ${k}) makes ${meaning} = [${shape.join(', ')}]`,
        file,
      );
    }
    return { shape, data: toFloat32(t) };
  };
  const shared = tensor('prompt_embeddings', [l, d], '[l, d]');
  const cols = tensor('prefix_task_cols', [k, l, r], '[num_tasks, l, r]');
  const rows = tensor('prefix_task_rows', [k, r, d], '[num_tasks, r, d]');

  const side = entries[where(SIDECAR)] ? (JSON.parse(strFromU8(entries[where(SIDECAR)])) as { model_id?: string; tasks?: SidecarTask[] }) : {};
  if (side.tasks && side.tasks.length !== k) throw new VectorFileError(`${where(SIDECAR)} names ${side.tasks.length} tasks but num_tasks is ${k}`, file);
  const tasks = Array.from({ length: k }, (_, t): TaskVectors => {
    const info: SidecarTask = side.tasks?.[t] ?? { id: `task-${t}`, role: 'source', kind: 'generation', labels: [], verbalizers: [] };
    const rowsT = sliceTask(rows, t); // [r, d]
    const v = new Float32Array(d * r);
    for (let i = 0; i < r; i++) for (let j = 0; j < d; j++) v[j * r + i] = rowsT.data[i * d + j];
    const task: TaskVectors = { ...info, u: sliceTask(cols, t), v: { shape: [d, r], data: v } };
    if (info.role === 'target') task.shared = shared;
    return task;
  });
  const modelId = side.model_id ?? (typeof config.base_model_name_or_path === 'string' ? config.base_model_name_or_path : '');
  return { modelId, shape: { promptLength: l, dModel: d, rank: r }, shared, tasks };
}
