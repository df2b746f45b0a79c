/**
 * A diverging colour scale for signed values: blue below 0, white at 0, red above, symmetric
 * around 0 (the colours of ColorBrewer's RdBu, which stay apart for colour-blind readers).
 */
const STOPS: [number, number, number][] = [
  [33, 102, 172], // -1
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247], // 0
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43], // +1
];

/** t in [-1, 1] (clamped) to an RGB triple. */
export function divergingColor(t: number): [number, number, number] {
  const x = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

export const cssColor = (t: number) => `rgb(${divergingColor(t).join(' ')})`;

/** A CSS gradient of the whole scale, for legends. */
export const SCALE_GRADIENT = `linear-gradient(to right, ${STOPS.map((c) => `rgb(${c.join(' ')})`).join(', ')})`;
