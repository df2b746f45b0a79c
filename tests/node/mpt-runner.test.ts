import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, toFloat32 } from '../../src/model/safetensors';

const root = resolve(__dirname, '../..');
const out = join(root, 'tools/work/mpt-smoke');

describe('npm run mpt (headless runner)', () => {
  it('runs all three stages and the baselines, and writes results and vectors', () => {
    rmSync(out, { recursive: true, force: true });
    const log = execFileSync('npm', ['run', '--silent', 'mpt', '--', 'tools/mpt/configs/smoke.json'], { cwd: root, encoding: 'utf8' });
    expect(log).toMatch(/\| sotu-party \| mpt \| 4 \| \d\.\d{3} ± \d\.\d{3} \| \d+\.\d{3} \| 2 \|/);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    // 1 target × 1 k × 2 seeds × 6 methods.
    expect(results.rows).toHaveLength(12);
    expect(results.teachers.map((t: { task: string }) => t.task)).toEqual(['sotu-era', 'spam']);
    for (const row of results.rows) {
      expect(row.score).toBeGreaterThanOrEqual(0);
      expect(row.crossEntropy).toBeGreaterThan(0); // two labels: -log p(gold) over the verbalizers
    }

    const vectors = parseSafetensors(new Uint8Array(readFileSync(join(out, 'vectors.safetensors'))), 'vectors.safetensors');
    expect(vectors.get('teacher.spam')!.shape).toEqual([4, 32]);
    expect(vectors.get('mpt.shared_prompt')!.shape).toEqual([4, 32]);
    expect(vectors.get('mpt.source_u')!.shape).toEqual([2, 4, 1]);
    expect(vectors.get('mpt.source_v')!.shape).toEqual([2, 32, 1]);
    expect(vectors.get('target.sotu-party.k4.seed2.prompt')!.shape).toEqual([4, 32]);

    // A second run reuses stage 1 and 2 instead of training them again.
    const reuseLog = execFileSync('npm', ['run', '--silent', 'mpt', '--', 'tools/mpt/configs/smoke-reuse.json'], { cwd: root, encoding: 'utf8' });
    expect(reuseLog).not.toMatch(/stage [12]: .* step/);
    const reused = parseSafetensors(new Uint8Array(readFileSync(join(root, 'tools/work/mpt-smoke-reuse/vectors.safetensors'))), 'reused');
    for (const name of ['teacher.spam', 'mpt.shared_prompt']) {
      expect(toFloat32(reused.get(name)!)).toEqual(toFloat32(vectors.get(name)!));
    }

    // mpt:pool groups the rows of several runs: the same run twice is 4 "seeds" with the same mean.
    const pooled = execFileSync('npm', ['run', '--silent', 'mpt:pool', '--', join(out, 'results.json'), join(out, 'results.json')], { cwd: root, encoding: 'utf8' });
    const scores = results.rows.filter((r: { method: string }) => r.method === 'mpt').map((r: { score: number }) => r.score);
    const all = [...scores, ...scores];
    const mean = all.reduce((a: number, v: number) => a + v, 0) / all.length;
    const std = Math.sqrt(all.reduce((a: number, v: number) => a + (v - mean) ** 2, 0) / (all.length - 1));
    expect(pooled).toContain(`| sotu-party | mpt | 4 | ${mean.toFixed(3)} ± ${std.toFixed(3)} |`);
    expect(pooled).toMatch(/\| sotu-party \| mpt \| 4 \| .* \| 4 \|/);

    // mpt:inspect prints P*'s scale and one row per source task.
    const inspected = execFileSync('npm', ['run', '--silent', 'mpt:inspect', '--', join(out, 'vectors.safetensors')], { cwd: root, encoding: 'utf8' });
    const shared = toFloat32(vectors.get('mpt.shared_prompt')!);
    const rms = Math.sqrt(shared.reduce((a, v) => a + v * v, 0) / shared.length);
    expect(inspected).toContain(`P*: rms ${rms.toFixed(2)} (l = 4, d = 32, r = 1)`);
    expect(inspected).toMatch(/\| sotu-era \| -?\d+\.\d\d \|/);
    expect(inspected).toMatch(/\| spam \| -?\d+\.\d\d \|/);
  });
});
