/**
 * The model's thread: tfjs, the weights and every forward pass live here so the page never
 * freezes. The page talks to it through comlink (see model-client.ts).
 */
import * as Comlink from 'comlink';
import { initBackend } from '../model/backend';
import { loadT5 } from '../model/load';
import type { T5Model } from '../model/t5';
import { wasmFileUrls } from '../model/wasm-paths';
import { loadRun } from './checkpoint-db';
import { inferenceApi } from './inference-api';
import type { ModelSummary, ModelWorkerApi } from './model-api';
import { StepGate } from './step-gate';
import { TrainingController } from './training';

let model: T5Model | null = null;
// One gate: pause and cancel reach whichever run is going, training or a comparison.
const gate = new StepGate();
const training = new TrainingController(gate);

const api: ModelWorkerApi = {
  ...inferenceApi(() => model, gate),

  init: (preference, onDeviceLost) => initBackend(preference, { wasmPaths: wasmFileUrls, onDeviceLost }),

  async load(source, onProgress) {
    const sizes = new Map<string, number>();
    let next: T5Model;
    try {
      next = await loadT5(source, (progress) => {
        sizes.set(progress.file, progress.totalBytes ?? progress.loadedBytes);
        onProgress(progress);
      });
    } finally {
      // The callback arrives as a comlink proxy holding a MessagePort; free it once loading ends.
      (onProgress as Comlink.Remote<typeof onProgress>)[Comlink.releaseProxy]();
    }
    // Swap only once the new model is whole: a failed load leaves the old one usable.
    model?.dispose();
    model = next;
    const summary: ModelSummary = {
      config: next.config,
      parameterCount: next.parameterCount,
      files: [...sizes].map(([name, bytes]) => ({ name, bytes })),
    };
    return summary;
  },

  async generate(text, maxNewTokens) {
    if (!model) throw new Error('No model is loaded yet.');
    const start = performance.now();
    const { text: output, ids } = await model.generate(text, { maxNewTokens });
    return { text: output, ids, ms: performance.now() - start };
  },

  async train(request, onEvent) {
    if (!model) throw new Error('No model is loaded yet.');
    try {
      return await training.train(model, request, onEvent);
    } finally {
      (onEvent as Comlink.Remote<typeof onEvent>)[Comlink.releaseProxy]();
    }
  },
  pause: () => gate.pause(),
  resume: () => gate.resume(),
  cancel: () => gate.cancel(),

  async savedRun(runId) {
    const saved = await loadRun(runId);
    return saved ? { runId: saved.runId, savedAt: saved.savedAt, step: saved.step, phase: saved.checkpoint.phase } : null;
  },
};

Comlink.expose(api);
