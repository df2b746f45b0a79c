import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  checkFitsModel,
  readVectorsJson,
  readVectorsSafetensors,
  VECTORS_FORMAT,
  writeVectorsJson,
  writeVectorsSafetensors,
} from '../../src/method/export';
import { readPeftZip, writePeftZip } from '../../src/method/peft';
import { seededRandom } from '../../src/method/random';
import type { ExperimentResult } from '../../src/method/experiment';
import { taskPrompt, vectorSetOf, vectorSetOfExperiment, type VectorSet } from '../../src/method/vector-set';
import { parseSafetensors, readSafetensorsMetadata, toFloat32, writeSafetensors } from '../../src/model/safetensors';
import type { HostTensor } from '../../src/model/weights';

const [L, D, R] = [4, 6, 2];
const SOURCES = [
  { id: 'spam', kind: 'classification' as const, verbalizers: ['spam', 'ham'] },
  { id: 'sotu-era', kind: 'classification' as const, verbalizers: ['early', 'late'], labels: ['1790-1900', '1900-2020'] },
];
let random = seededRandom(7);
const tensor = (...shape: number[]): HostTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) });

/** A finished run: two sources (teachers, P*, U, V) and a target (its own P*, u, v); the same on every call. */
function exampleSet(): VectorSet {
  random = seededRandom(7);
  return vectorSetOf({
    modelId: 'google/t5-tiny@main',
    promptLength: L,
    dModel: D,
    rank: R,
    sources: SOURCES,
    teachers: [tensor(L, D), tensor(L, D)],
    sourcePrompts: { shared: tensor(L, D), u: tensor(2, L, R), v: tensor(2, D, R) },
    target: { id: 'reviews', kind: 'classification', verbalizers: ['pos', 'neg'] },
    targetPrompts: { shared: tensor(L, D), u: tensor(1, L, R), v: tensor(1, D, R) },
    metrics: { reviews: { accuracy: 0.75, macroF1: 0.7 } },
  });
}

/** Drops what peft's format has no place for: the stage-1 teachers. */
const withoutTeachers = (set: VectorSet): VectorSet => ({ ...set, tasks: set.tasks.map(({ teacher: _, ...t }) => t) });

describe('vector sets', () => {
  it('slices the run into tasks and composes P̂ = P* ⊙ (u vᵀ)', () => {
    const set = exampleSet();
    expect(set.tasks.map((t) => [t.id, t.role, Object.keys(t).filter((k) => ['teacher', 'u', 'v', 'shared'].includes(k)).join()])).toEqual([
      ['spam', 'source', 'teacher,u,v'],
      ['sotu-era', 'source', 'teacher,u,v'],
      ['reviews', 'target', 'shared,u,v'],
    ]);
    expect(set.tasks[1].labels).toEqual(['1790-1900', '1900-2020']);
    expect(set.tasks[0].labels).toEqual(['spam', 'ham']);
    const task = set.tasks[1];
    const prompt = taskPrompt(set, task)!;
    const [i, j] = [3, 5];
    const scale = task.u!.data[i * R] * task.v!.data[j * R] + task.u!.data[i * R + 1] * task.v!.data[j * R + 1];
    expect(prompt.data[i * D + j]).toBeCloseTo(set.shared!.data[i * D + j] * scale, 6);
    // The target composes with its own P*, not the sources'.
    const target = set.tasks[2];
    expect(taskPrompt(set, target)!.data[0]).toBeCloseTo(target.shared!.data[0] * (target.u!.data[0] * target.v!.data[0] + target.u!.data[1] * target.v!.data[1]), 6);
    expect(taskPrompt({ ...set, shared: undefined }, { ...task })).toBe(task.teacher);
  });
});

describe('safetensors and JSON export', () => {
  it('writes the documented names, shapes and metadata', () => {
    const bytes = writeVectorsSafetensors(exampleSet());
    const stored = parseSafetensors(bytes, 'vectors.safetensors');
    expect(Object.fromEntries([...stored].map(([name, t]) => [name, t.shape]))).toEqual({
      shared_prompt: [L, D],
      'teacher.spam': [L, D],
      'task.spam.u': [L, R],
      'task.spam.v': [D, R],
      'teacher.sotu-era': [L, D],
      'task.sotu-era.u': [L, R],
      'task.sotu-era.v': [D, R],
      'task.reviews.u': [L, R],
      'task.reviews.v': [D, R],
      'task.reviews.shared_prompt': [L, D],
    });
    const metadata = readSafetensorsMetadata(bytes, 'vectors.safetensors');
    expect(metadata).toMatchObject({ format: VECTORS_FORMAT, format_version: '1', model_id: 'google/t5-tiny@main', prompt_length: '4', d_model: '6', rank: '2' });
    expect(JSON.parse(metadata.tasks)[1]).toEqual({ id: 'sotu-era', role: 'source', kind: 'classification', labels: ['1790-1900', '1900-2020'], verbalizers: ['early', 'late'] });
    expect(JSON.parse(metadata.metrics)).toEqual({ reviews: { accuracy: 0.75, macroF1: 0.7 } });
    expect(toFloat32(stored.get('task.spam.v')!)).toEqual(exampleSet().tasks[0].v!.data);
  });

  it('round-trips through safetensors and JSON unchanged', () => {
    const set = exampleSet();
    expect(readVectorsSafetensors(writeVectorsSafetensors(set), 'v.safetensors')).toEqual(set);
    const json = writeVectorsJson(set);
    expect(JSON.parse(json)).toMatchObject({ format: VECTORS_FORMAT, prompt_length: L, d_model: D, rank: R, tensors: { shared_prompt: { shape: [L, D] } } });
    expect(readVectorsJson(json, 'v.json')).toEqual(set);
  });

  it('names the mismatch when shapes do not fit l, d and r', () => {
    const set = exampleSet();
    const tensors = { shared_prompt: set.shared!, 'task.spam.u': tensor(L + 2, R), 'task.spam.v': set.tasks[0].v! };
    const bad = writeSafetensors(tensors, {
      format: VECTORS_FORMAT,
      format_version: '1',
      model_id: 'm',
      prompt_length: String(L),
      d_model: String(D),
      rank: String(R),
      tasks: JSON.stringify([{ id: 'spam', role: 'source', kind: 'classification', labels: ['a', 'b'], verbalizers: ['a', 'b'] }]),
      metrics: '{}',
    });
    expect(() => readVectorsSafetensors(bad, 'bad.safetensors')).toThrow(
      'bad.safetensors: tensor "task.spam.u" has shape [6, 2] but l = 4, d = 6, r = 2 make [l, r] = [4, 2]',
    );
    const json = JSON.parse(writeVectorsJson(set)) as { d_model: number };
    json.d_model = 8;
    expect(() => readVectorsJson(JSON.stringify(json), 'bad.json')).toThrow(/tensor "shared_prompt" has shape \[4, 6\] but l = 4, d = 8, r = 2 make \[l, d\] = \[4, 8\]/);
    expect(() => readVectorsSafetensors(writeSafetensors({ x: tensor(2) }, { format: 'pt' }), 'other.safetensors')).toThrow(/not a vector file of this playground/);
  });

  it('refuses vectors made for a model of another width', () => {
    expect(() => checkFitsModel(exampleSet(), { dModel: 32, name: 't5-tiny' }, 'v.safetensors')).toThrow(
      'v.safetensors: these vectors are for another model: their d = 6 (from google/t5-tiny@main), but the loaded model (t5-tiny) has d_model = 32',
    );
    expect(() => checkFitsModel(exampleSet(), { dModel: D, name: 't5-tiny' }, 'v.safetensors')).not.toThrow();
  });
});

describe('peft MultitaskPromptTuning adapter', () => {
  const zip = () => unzipSync(writePeftZip(exampleSet(), { numHeads: 2, numLayers: 3 }));

  it("writes peft's files, config fields and tensor names", () => {
    const files = zip();
    expect(Object.keys(files).filter((name) => !name.endsWith('/')).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'mpt_playground.json',
      'target/adapter_config.json',
      'target/adapter_model.safetensors',
      'target/mpt_playground.json',
    ]);
    const configText = strFromU8(files['adapter_config.json']);
    const config = JSON.parse(configText) as Record<string, unknown>;
    expect(config).toEqual({
      auto_mapping: null,
      base_model_name_or_path: 'google/t5-tiny',
      inference_mode: true,
      modules_to_save: null,
      num_attention_heads: 2,
      num_layers: 3,
      num_ranks: R,
      num_tasks: 2,
      num_transformer_submodules: 1,
      num_virtual_tokens: L,
      peft_type: 'MULTITASK_PROMPT_TUNING',
      peft_version: '0.20.0',
      prompt_tuning_init: 'RANDOM',
      prompt_tuning_init_state_dict_path: null,
      prompt_tuning_init_task: 0,
      prompt_tuning_init_text: null,
      revision: 'main',
      task_type: 'SEQ_2_SEQ_LM',
      token_dim: D,
      tokenizer_kwargs: null,
      tokenizer_name_or_path: null,
    });
    // json.dumps(..., indent=2, sort_keys=True)
    expect(Object.keys(config)).toEqual(Object.keys(config).sort());
    expect(configText).toMatch(/^\{\n {2}"auto_mapping": null,\n/);
    expect(JSON.parse(strFromU8(files['target/adapter_config.json'])).num_tasks).toBe(1);

    const weights = parseSafetensors(files['adapter_model.safetensors'], 'adapter_model.safetensors');
    expect(Object.fromEntries([...weights].map(([name, t]) => [name, [t.dtype, t.shape]]))).toEqual({
      prefix_task_cols: ['F32', [2, L, R]],
      prefix_task_rows: ['F32', [2, R, D]],
      prompt_embeddings: ['F32', [L, D]],
    });
    expect(readSafetensorsMetadata(files['adapter_model.safetensors'], 'x')).toEqual({ format: 'pt' });
  });

  it("gives every task the prompt peft computes: embedding * (cols[k] @ rows[k])", () => {
    const set = exampleSet();
    const files = zip();
    for (const [folder, tasks] of [['', set.tasks.slice(0, 2)], ['target/', set.tasks.slice(2)]] as const) {
      const w = parseSafetensors(files[`${folder}adapter_model.safetensors`], 'w');
      const [embedding, cols, rows] = ['prompt_embeddings', 'prefix_task_cols', 'prefix_task_rows'].map((n) => toFloat32(w.get(n)!));
      tasks.forEach((task, k) => {
        const ours = taskPrompt(set, task)!;
        for (let i = 0; i < L; i++) {
          for (let j = 0; j < D; j++) {
            let product = 0;
            for (let q = 0; q < R; q++) product += cols[k * L * R + i * R + q] * rows[k * R * D + q * D + j];
            expect(embedding[i * D + j] * product).toBeCloseTo(ours.data[i * D + j], 5);
          }
        }
      });
    }
  });

  it('reads the zip back to the same vectors, teachers aside', () => {
    const set = exampleSet();
    expect(readPeftZip(writePeftZip(set, null), 'adapter.zip')).toEqual(withoutTeachers(set));
    // Zipped as a folder, as a person would zip the adapter directory.
    const nested = zipSync({ 'my-adapter': unzipSync(writePeftZip(set, null)) });
    expect(readPeftZip(nested, 'adapter.zip')).toEqual(withoutTeachers(set));
  });

  it('reads an adapter saved by peft itself, without our task names', () => {
    const files = zip();
    delete files['mpt_playground.json'];
    const set = readPeftZip(zipSync({ 'adapter_config.json': files['adapter_config.json'], 'adapter_model.safetensors': files['adapter_model.safetensors'] }), 'peft.zip');
    expect(set.tasks.map((t) => t.id)).toEqual(['task-0', 'task-1']);
    expect(set.modelId).toBe('google/t5-tiny');
    expect(set.tasks[1].v).toEqual(exampleSet().tasks[1].v);
  });

  it('names the problem in an adapter that does not fit', () => {
    const files = zip();
    const withConfig = (change: Record<string, unknown>) => {
      const config = { ...JSON.parse(strFromU8(files['adapter_config.json'])), ...change };
      return zipSync({ ...files, 'adapter_config.json': strToU8(JSON.stringify(config)) });
    };
    expect(() => readPeftZip(withConfig({ num_virtual_tokens: 5 }), 'a.zip')).toThrow(
      'a.zip: "prompt_embeddings" has shape [4, 6] but adapter_config.json (num_virtual_tokens = 5, token_dim = 6, num_ranks = 2, num_tasks = 2) makes [l, d] = [5, 6]',
    );
    expect(() => readPeftZip(withConfig({ num_transformer_submodules: null }), 'a.zip')).toThrow(/num_transformer_submodules is 2: that adapter prompts the decoder too/);
    expect(() => readPeftZip(withConfig({ peft_type: 'LORA' }), 'a.zip')).toThrow(/peft_type "LORA", not "MULTITASK_PROMPT_TUNING"/);
    expect(() => readPeftZip(zipSync({ 'readme.txt': strToU8('hi') }), 'a.zip')).toThrow(/no adapter_config.json/);
    expect(() => readPeftZip(strToU8('not a zip'), 'a.zip')).toThrow(/not a readable zip/);
  });

  it('needs stage-2 or stage-3 vectors', () => {
    const teachersOnly = { ...exampleSet(), shared: undefined, tasks: exampleSet().tasks.slice(0, 2).map(({ u: _u, v: _v, ...t }) => t) };
    expect(() => writePeftZip(teachersOnly, null)).toThrow(/needs P\* with u and v/);
  });
});

describe('vectors of a comparison', () => {
  it('takes P*, the sources U, V, the teachers and the target at one k and seed from runExperiment', () => {
    const set = exampleSet();
    const [spam, era, target] = set.tasks;
    const stack = (a: HostTensor, b: HostTensor): HostTensor => ({ shape: [2, ...a.shape], data: Float32Array.from([...a.data, ...b.data]) });
    const one = (a: HostTensor): HostTensor => ({ shape: [1, ...a.shape], data: a.data });
    const result: ExperimentResult = {
      teachers: [
        { task: 'spam', validation: { metric: 'accuracy', score: 0.9, count: 4 } },
        { task: 'sotu-era', validation: { metric: 'accuracy', score: 0.6, count: 4 } },
      ],
      rows: [{ target: 'reviews', method: 'mpt', k: 4, seed: 2, metric: 'accuracy', score: 0.75, seconds: 1 }],
      vectors: {
        'teacher.spam': spam.teacher!,
        'teacher.sotu-era': era.teacher!,
        'mpt.shared_prompt': set.shared!,
        'mpt.source_u': stack(spam.u!, era.u!),
        'mpt.source_v': stack(spam.v!, era.v!),
        'target.reviews.k4.seed2.shared': target.shared!,
        'target.reviews.k4.seed2.u': one(target.u!),
        'target.reviews.k4.seed2.v': one(target.v!),
      },
    };
    const fromExperiment = vectorSetOfExperiment(result, {
      modelId: set.modelId,
      promptLength: L,
      dModel: D,
      rank: R,
      sources: SOURCES,
      target: { id: 'reviews', kind: 'classification', verbalizers: ['pos', 'neg'] },
      k: 4,
      seed: 2,
    });
    expect(fromExperiment).toEqual({
      ...set,
      tasks: [
        { ...spam, metrics: { validation_accuracy: 0.9 } },
        { ...era, metrics: { validation_accuracy: 0.6 } },
        { ...target, metrics: { test_accuracy: 0.75 } },
      ],
    });
  });
});
