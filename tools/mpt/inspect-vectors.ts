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
import { parseSafetensors, toFloat32, type StoredTensor } from '../../src/model/safetensors';

const [path, variant = 'mpt'] = process.argv.slice(2).filter((a) => a !== '--');
if (!path) {
  console.error('usage: npm run --silent mpt:inspect -- <vectors.safetensors> [variant: mpt (default) or no-distillation]');
  process.exit(1);
}
const file = parseSafetensors(new Uint8Array(readFileSync(path)), path);
const tensor = (name: string): { shape: number[]; data: Float32Array } => {
  const t: StoredTensor | undefined = file.get(name);
  if (!t) throw new Error(`${path} has no tensor "${name}" (has: ${[...file.keys()].join(', ')})`);
  return { shape: t.shape, data: toFloat32(t) };
};

const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
const mean = (x: Float32Array) => x.reduce((a, v) => a + v, 0) / x.length;
const std = (x: Float32Array) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / x.length);
};
const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0;
  for (let i = 0; i < a.length; i++) ab += a[i] * b[i];
  return ab / (rms(a) * rms(b) * a.length);
};
const f2 = (v: number) => v.toFixed(2);

const shared = tensor(`${variant}.shared_prompt`); // [l, d]
const sourceU = tensor(`${variant}.source_u`); // [K, l, r]
const sourceV = tensor(`${variant}.source_v`); // [K, d, r]
const [l, d] = shared.shape;
const r = sourceU.shape[2];
// The runner writes the teachers, like the source vectors, in the order of the config's sources.
const tasks = [...file.keys()].filter((n) => n.startsWith('teacher.')).map((n) => n.slice('teacher.'.length));

console.log(`P*: rms ${f2(rms(shared.data))} (l = ${l}, d = ${d}, r = ${r})\n`);
console.log('| source | u vᵀ mean | u vᵀ std | u vᵀ min / max | rms P̂_k | cos(P̂_k, P*) | cos(P̂_k, teacher) | rms teacher |');
console.log('|---|---|---|---|---|---|---|---|');
tasks.forEach((task, k) => {
  const scale = new Float32Array(l * d); // u_k v_kᵀ, [l, d]
  for (let i = 0; i < l; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += sourceU.data[(k * l + i) * r + q] * sourceV.data[(k * d + j) * r + q];
      scale[i * d + j] = s;
    }
  }
  const student = shared.data.map((p, i) => p * scale[i]);
  const teacher = tensor(`teacher.${task}`).data;
  const [lo, hi] = [Math.min(...scale), Math.max(...scale)];
  console.log(
    `| ${task} | ${f2(mean(scale))} | ${f2(std(scale))} | ${f2(lo)} / ${f2(hi)} | ${f2(rms(student))} | ` +
      `${f2(cosine(student, shared.data))} | ${f2(cosine(student, teacher))} | ${f2(rms(teacher))} |`,
  );
});
