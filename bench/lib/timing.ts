/** Timing helpers: medians of repeated runs after warm-up. */

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every timed sample, in order. */
  samples: number[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(samples: number[]): Timing {
  if (samples.length === 0) throw new Error('no samples');
  return { medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples), samples };
}

export interface RepeatOptions {
  warmup: number;
  reps: number;
  /** Stop taking samples once this much time went into them (at least one sample is taken). */
  budgetMs?: number;
}

/**
 * Runs `once` warm-up times, then up to `reps` timed samples. `once` must not return before
 * its work is done (await a read-back on webgpu). Returns per-call milliseconds.
 */
export async function repeat(once: () => Promise<unknown> | unknown, o: RepeatOptions): Promise<Timing> {
  for (let i = 0; i < o.warmup; i++) await once();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < Math.max(1, o.reps)) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
    if (o.budgetMs !== undefined && performance.now() - started > o.budgetMs) break;
  }
  return summarize(samples);
}
