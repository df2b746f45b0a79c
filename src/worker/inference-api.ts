import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { runExperiment, type ExperimentPlan, type ExperimentResult, type ProgressEvent } from '../method/experiment';
import { generateGreedy, rankClassify } from '../model/inference';
import type { T5Model } from '../model/t5';
import type { HostTensor } from '../model/weights';
import type { StepGate } from './step-gate';

/**
 * The worker's side of "Try it", the data checks and "Compare": task prompts are uploaded once
 * and kept as tensors, so switching tasks on the frozen model costs nothing but the forward pass.
 * A comparison stops at the worker's StepGate, as training does.
 */

export interface TaskPrompt {
  taskId: string;
  verbalizers: string[];
  /** The task's soft prompt [l, d]. */
  prompt: HostTensor;
}

export interface ClassifyResult {
  taskId: string;
  /** Softmax over the verbalizers' sequence log-likelihoods, in verbalizer order. */
  probs: number[];
  best: number;
  /** Time in the worker, without messaging. */
  ms: number;
}

export interface TaskGeneration {
  taskId: string;
  /** The greedy output, decoded without special tokens. */
  text: string;
  /** Time in the worker, without messaging. */
  ms: number;
}

export interface InferenceWorkerApi {
  /** Replaces the prompts kept in the worker. */
  setTaskPrompts(prompts: TaskPrompt[]): void;
  /** Rank classification of `text` with a kept task prompt. */
  classify(text: string, taskId: string): Promise<ClassifyResult>;
  /** Greedy generation from `text` with a kept task prompt (generative tasks). */
  generateForTask(text: string, taskId: string, maxNewTokens: number): Promise<TaskGeneration>;
  /** Tokens of each text as the model reads it (with </s>). */
  countTokens(texts: string[]): number[];
  /** Few-shot comparison of the methods (runExperiment) on the loaded model; cancel() stops it with the rows finished so far. */
  compare(plan: ExperimentPlan, onProgress: (event: ProgressEvent) => void): Promise<ExperimentResult>;
}

const noModel = () => new Error('No model is loaded yet.');

export function inferenceApi(currentModel: () => T5Model | null, gate: StepGate): InferenceWorkerApi {
  const kept = new Map<string, { verbalizers: string[]; prompt: tf.Tensor2D }>();
  let comparing = false;

  /** The model and a kept task prompt that fits it. */
  const modelAndPrompt = (taskId: string) => {
    const model = currentModel();
    if (!model) throw noModel();
    const task = kept.get(taskId);
    if (!task) throw new Error(`No prompt for task "${taskId}" in the worker.`);
    const width = task.prompt.shape[1];
    if (width !== model.config.dModel) {
      throw new Error(`The prompt of "${taskId}" has d = ${width} but the loaded model has d_model = ${model.config.dModel}.`);
    }
    return { model, task };
  };

  return {
    setTaskPrompts(prompts) {
      for (const { prompt } of kept.values()) prompt.dispose();
      kept.clear();
      for (const p of prompts) {
        kept.set(p.taskId, { verbalizers: p.verbalizers, prompt: tf.tensor2d(p.prompt.data, p.prompt.shape as [number, number]) });
      }
    },

    async classify(text, taskId) {
      const { model, task } = modelAndPrompt(taskId);
      const start = performance.now();
      const labelIds = task.verbalizers.map((v) => model.tokenizer.encode(v));
      const { probs, best } = await rankClassify(model, model.tokenizer.encode(text), labelIds, task.prompt);
      return { taskId, probs, best, ms: performance.now() - start };
    },

    async generateForTask(text, taskId, maxNewTokens) {
      const { model, task } = modelAndPrompt(taskId);
      const start = performance.now();
      const ids = await generateGreedy(model, model.tokenizer.encode(text), maxNewTokens, task.prompt);
      return { taskId, text: model.tokenizer.decode(ids), ms: performance.now() - start };
    },

    countTokens(texts) {
      const model = currentModel();
      if (!model) throw noModel();
      return texts.map((t) => model.tokenizer.encode(t).length);
    },

    async compare(plan, onProgress) {
      try {
        const model = currentModel();
        if (!model) throw noModel();
        if (comparing) throw new Error('A comparison is already running in this worker.');
        comparing = true;
        try {
          gate.open();
          return await runExperiment(model, plan, onProgress, gate.beforeStep);
        } finally {
          comparing = false;
        }
      } finally {
        // The callback is a comlink proxy holding a MessagePort; free it once the run ends.
        (onProgress as Comlink.Remote<typeof onProgress>)[Comlink.releaseProxy]();
      }
    },
  };
}
