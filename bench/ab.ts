/**
 * Side-by-side A/B of one training step on wasm in node, for changes that can be switched at run
 * time: `npx vite-node bench/ab.ts [bundled|t5-small] [pairs] [promptLen] [inputLen] [A] [B]`,
 * A and B being comma-separated switches, e.g.
 *
 *   npx vite-node bench/ab.ts bundled 5 16 128 matmul=0,identity=0,customGradients=0 matmul=1,identity=1,customGradients=1
 *
 * Switches: matmul (the SIMD BatchMatMul, src/kernels/wasm-matmul.ts), identity (buffer-sharing
 * Identity/Cast, src/kernels/wasm-identity.ts), customGradients (layers.ts RMSNorm and gelu_new).
 * Stage-1 steps (trainPrompt through the real training loop, B = 8, 8 targets) alternate A B,
 * B A, ... so that load from other processes hits both alike; prints each pair's ratio and the
 * medians. Node runs tfjs-wasm's single-threaded SIMD build (as the app does on a 2-core machine).
 */
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { initBackend } from '../src/model/backend';
import { parseT5Config } from '../src/model/config';
import { layerOptions } from '../src/model/layers';
import { parseSafetensors } from '../src/model/safetensors';
import { wasmIdentityOptions } from '../src/kernels/wasm-identity';
import { wasmMatMulOptions } from '../src/kernels/wasm-matmul';
import { readCheckpoint } from '../src/model/weights';
import { modelFromCheckpoint, randomCheckpoint, T5_SMALL } from './lib/models';
import { runSteps, type StepShape } from './suites/step';

const [which = 'bundled', pairsArg = '4', promptArg, inputArg = '128', specA = 'matmul=0,identity=0,customGradients=0', specB = 'matmul=1,identity=1,customGradients=1'] =
  process.argv.slice(2);
const pairs = Number(pairsArg);

await initBackend('wasm', { wasmPaths: 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' });

function bundledModel() {
  const dir = 'public/models/mpt-t5-4m/';
  const config = parseT5Config(readFileSync(dir + 'config.json', 'utf8'));
  const bytes = new Uint8Array(readFileSync(dir + 'model.safetensors'));
  return modelFromCheckpoint(config, readCheckpoint(new Map([['model.safetensors', parseSafetensors(bytes, 'model.safetensors')]]), config));
}
const model = which === 'bundled' ? bundledModel() : modelFromCheckpoint(T5_SMALL, randomCheckpoint(T5_SMALL, 1));
const shape: StepShape = {
  batch: 8,
  inputLen: Number(inputArg),
  targetLen: 8,
  promptLen: Number(promptArg ?? (which === 'bundled' ? 16 : 64)),
  tasks: 1,
};

const apply = (spec: string) => () => {
  for (const kv of spec.split(',').filter(Boolean)) {
    const [key, value] = kv.split('=');
    const on = value === '1';
    if (key === 'matmul') wasmMatMulOptions.enabled = on;
    else if (key === 'identity') wasmIdentityOptions.shared = on;
    else if (key === 'customGradients') layerOptions.customGradients = on;
    else throw new Error(`unknown switch ${key}`);
  }
};
const variants: [string, () => void][] = [
  ['A', apply(specA)],
  ['B', apply(specB)],
];
const times: Record<string, number[]> = { A: [], B: [] };
for (const [, set] of variants) {
  set();
  await runSteps(model, 'prompt-tuning', shape, { warmup: 1, reps: 1 });
}
for (let p = 0; p < pairs; p++) {
  for (const [label, set] of p % 2 ? [...variants].reverse() : variants) {
    set();
    times[label].push((await runSteps(model, 'prompt-tuning', shape, { warmup: 0, reps: 2 })).timing.medianMs);
  }
  const [a, b] = [times.A.at(-1)!, times.B.at(-1)!];
  console.log(`pair ${p}: A ${a.toFixed(0)} ms, B ${b.toFixed(0)} ms, A/B ${(a / b).toFixed(2)}`);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const [ma, mb] = [median(times.A), median(times.B)];
console.log(
  `${which} ${JSON.stringify(shape)}\nA (${specA}): median ${ma.toFixed(0)} ms\nB (${specB}): median ${mb.toFixed(0)} ms\n` +
    `A/B ${(ma / mb).toFixed(2)}x; per pair ${times.A.map((a, i) => (a / times.B[i]).toFixed(2)).join(' ')}`,
);
model.dispose();
