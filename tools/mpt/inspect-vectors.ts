/**
 * How far the distilled source prompts are from P*: one row per source task of a runner's
 * vectors.safetensors (stage 2 with its teachers).
 *
 *   npm run --silent mpt:inspect -- results/l64-spam-loo-stage2/vectors.safetensors [variant]
 *
 * Stage 3 starts a target at u vᵀ = 1, i.e. at P* itself; this shows whether P* resembles any
 * source prompt P̂_k = P* ⊙ (u_k v_kᵀ) (scale and direction), and how close each student prompt
 * is to its teacher (distillation matches outputs and hidden states, not the prompt).
 */
import { readFileSync } from 'node:fs';
import { cosineSimilarities, norm, taskMatrices } from '../../src/method/prompt-matrices';
import { parseSafetensors, toFloat32 } from '../../src/model/safetensors';
import type { HostTensor } from '../../src/model/weights';

const [path, variant = 'mpt'] = process.argv.slice(2).filter((a) => a !== '--');
if (!path) {
  console.error('usage: npm run --silent mpt:inspect -- <vectors.safetensors> [variant: mpt (default) or no-distillation]');
  process.exit(1);
}
const file = parseSafetensors(new Uint8Array(readFileSync(path)), path);
const tensor = (name: string): HostTensor => {
  const t = file.get(name);
  if (!t) throw new Error(`${path} has no tensor "${name}" (has: ${[...file.keys()].join(', ')})`);
  return { shape: t.shape, data: toFloat32(t) };
};

const rms = (x: Float32Array) => norm(x) / Math.sqrt(x.length);
const mean = (x: Float32Array) => x.reduce((a, v) => a + v, 0) / x.length;
const std = (x: Float32Array) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / x.length);
};
const cosine = (a: Float32Array, b: Float32Array) => cosineSimilarities([a, b]).data[1];
const f2 = (v: number) => v.toFixed(2);

const snapshot = { shared: tensor(`${variant}.shared_prompt`), u: tensor(`${variant}.source_u`), v: tensor(`${variant}.source_v`) };
const [l, d] = snapshot.shared.shape;
const r = snapshot.u.shape[2];
// The runner writes the teachers, like the source vectors, in the order of the config's sources.
const tasks = [...file.keys()].filter((n) => n.startsWith('teacher.')).map((n) => n.slice('teacher.'.length));

console.log(`P*: rms ${f2(rms(snapshot.shared.data))} (l = ${l}, d = ${d}, r = ${r})\n`);
console.log('| source | u vᵀ mean | u vᵀ std | u vᵀ min / max | rms P̂_k | cos(P̂_k, P*) | cos(P̂_k, teacher) | rms teacher |');
console.log('|---|---|---|---|---|---|---|---|');
tasks.forEach((task, k) => {
  const { uv, prompt } = taskMatrices(snapshot, k); // u_k v_kᵀ and P̂_k, [l, d]
  const teacher = tensor(`teacher.${task}`).data;
  const lo = uv.data.reduce((a, v) => Math.min(a, v), Infinity);
  const hi = uv.data.reduce((a, v) => Math.max(a, v), -Infinity);
  console.log(
    `| ${task} | ${f2(mean(uv.data))} | ${f2(std(uv.data))} | ${f2(lo)} / ${f2(hi)} | ${f2(rms(prompt.data))} | ` +
      `${f2(cosine(prompt.data, snapshot.shared.data))} | ${f2(cosine(prompt.data, teacher))} | ${f2(rms(teacher))} |`,
  );
});
