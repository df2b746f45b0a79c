import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { hiddenDistillLoss, logitsDistillLoss, plmLoss } from '../../src/method/losses';
import { GroupedAdam, scheduleFactor } from '../../src/method/optimizer';

tf.setBackend('cpu');

/** Plain-loop references, independent of the tensor code. */
function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
}

describe('MPT losses against plain-loop references', () => {
  const logits = [
    [
      [1, 2, 0.5, -1],
      [0.1, 0.2, 0.3, 0.4],
      [3, -3, 0, 1],
    ],
    [
      [-2, 0, 2, 1],
      [1, 1, 1, 1],
      [0, 0, 5, 0],
    ],
  ];
  const labels = [
    [1, 3, 0],
    [2, 0, 0],
  ];
  const mask = [
    [1, 1, 1],
    [1, 1, 0],
  ];

  it('L_PLM is the mean token cross-entropy over unpadded tokens', async () => {
    let sum = 0;
    let n = 0;
    const rows: number[] = [];
    logits.forEach((seq, b) => {
      let rowSum = 0;
      let rowN = 0;
      seq.forEach((row, t) => {
        if (!mask[b][t]) return;
        const nll = -logSoftmax(row)[labels[b][t]];
        sum += nll;
        n++;
        rowSum += nll;
        rowN++;
      });
      rows.push(rowSum / rowN);
    });
    const { mean, perRow } = plmLoss(tf.tensor3d(logits), { labels: tf.tensor2d(labels, undefined, 'int32'), mask: tf.tensor2d(mask) });
    expect((await mean.data())[0]).toBeCloseTo(sum / n, 5);
    const got = await perRow.data();
    rows.forEach((r, i) => expect(got[i]).toBeCloseTo(r, 5));
  });

  it('L_Logits is T² · KL(teacher ‖ student) at temperature T, averaged over tokens', async () => {
    const teacher = logits.map((seq) => seq.map((row) => row.map((x, i) => x * 0.5 + i * 0.1)));
    for (const T of [1, 2]) {
      let sum = 0;
      let n = 0;
      logits.forEach((seq, b) =>
        seq.forEach((row, t) => {
          if (!mask[b][t]) return;
          const p = logSoftmax(teacher[b][t].map((x) => x / T));
          const q = logSoftmax(row.map((x) => x / T));
          sum += p.reduce((s, lp, i) => s + Math.exp(lp) * (lp - q[i]), 0);
          n++;
        }),
      );
      const loss = logitsDistillLoss(tf.tensor3d(logits), tf.tensor3d(teacher), tf.tensor2d(mask), T);
      expect((await loss.data())[0]).toBeCloseTo((T * T * sum) / n, 5);
    }
    const same = logitsDistillLoss(tf.tensor3d(logits), tf.tensor3d(logits), tf.tensor2d(mask), 1);
    expect((await same.data())[0]).toBeCloseTo(0, 6);
  });

  it('L_Hidden is the mean squared error over unmasked positions', async () => {
    const a = [[[1, 2], [3, 4], [5, 6]]];
    const b = [[[1, 0], [0, 4], [100, 100]]];
    const loss = hiddenDistillLoss(tf.tensor3d(a), tf.tensor3d(b), tf.tensor2d([[1, 1, 0]]));
    // position 0: (0 + 4) / 2 = 2; position 1: (9 + 0) / 2 = 4.5; position 2 masked.
    expect((await loss.data())[0]).toBeCloseTo((2 + 4.5) / 2, 6);
  });
});

describe('GroupedAdam', () => {
  it('matches a hand-written Adam with warm-up, decay and per-group rates', async () => {
    const x = tf.variable(tf.tensor1d([1, -2]), true, 'adam_x');
    const y = tf.variable(tf.tensor1d([0.5]), true, 'adam_y');
    const settings = { totalSteps: 6, warmupSteps: 2, clipNorm: 0 };
    const opt = new GroupedAdam(
      [
        { name: 'prompt', variables: [x], learningRate: 0.3 },
        { name: 'taskVectors', variables: [y], learningRate: 0.01 },
      ],
      settings,
    );
    // loss = sum(x²) + 3y  → grads 2x and 3.
    const ref = { x: [1, -2], y: [0.5], m: [0, 0, 0], v: [0, 0, 0] };
    for (let step = 0; step < 6; step++) {
      await opt.minimize(() => tf.add(tf.sum(tf.square(x)), tf.mul(3, tf.sum(y))) as tf.Scalar);
      const grads = [2 * ref.x[0], 2 * ref.x[1], 3];
      const t = step + 1;
      const factor = scheduleFactor(step, settings);
      const params = [...ref.x, ...ref.y];
      const lrs = [0.3, 0.3, 0.01];
      params.forEach((p, i) => {
        ref.m[i] = 0.9 * ref.m[i] + 0.1 * grads[i];
        ref.v[i] = 0.999 * ref.v[i] + 0.001 * grads[i] ** 2;
        const mHat = ref.m[i] / (1 - 0.9 ** t);
        const vHat = ref.v[i] / (1 - 0.999 ** t);
        params[i] = p - lrs[i] * factor * (mHat / (Math.sqrt(vHat) + 1e-8 * Math.sqrt(1 - 0.999 ** t)));
      });
      ref.x = params.slice(0, 2);
      ref.y = params.slice(2);
    }
    const gotX = await x.data();
    const gotY = await y.data();
    expect(gotX[0]).toBeCloseTo(ref.x[0], 5);
    expect(gotX[1]).toBeCloseTo(ref.x[1], 5);
    expect(gotY[0]).toBeCloseTo(ref.y[0], 5);
    opt.dispose();
    tf.dispose([x, y]);
  });

  it('clips the global gradient norm and skips a non-finite step', async () => {
    const x = tf.variable(tf.tensor1d([3, 4]), true, 'clip_x');
    const opt = new GroupedAdam([{ name: 'prompt', variables: [x], learningRate: 0.1 }], { totalSteps: 10, warmupSteps: 0, clipNorm: 1 });
    const { gradNorm } = await opt.minimize(() => tf.sum(tf.mul(x, tf.tensor1d([3, 4]))) as tf.Scalar);
    expect(gradNorm).toBeCloseTo(5, 5);
    const before = await x.data();
    const result = await opt.minimize(() => tf.mul(tf.sum(x), NaN) as tf.Scalar);
    expect(Number.isNaN(result.loss)).toBe(true);
    expect([...(await x.data())]).toEqual([...before]);
    expect(opt.step).toBe(1);
    opt.dispose();
    x.dispose();
  });

  it('schedules a linear warm-up then a linear decay', () => {
    const s = { totalSteps: 10, warmupSteps: 4 };
    expect([0, 1, 2, 3].map((i) => scheduleFactor(i, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(scheduleFactor(4, s)).toBe(1);
    expect(scheduleFactor(7, s)).toBeCloseTo(0.5);
  });
});
