import * as tf from '@tensorflow/tfjs';

/**
 * Adam with one learning rate per parameter group (MPT trains the shared prompt and the
 * task vectors at different rates), linear warm-up then linear decay, and clipping of the
 * global gradient norm. Written out rather than tf.train.adam so its state (m, v, step) is
 * plain tensors that a checkpoint can save and restore exactly.
 */

export interface ParamGroup {
  name: string;
  variables: tf.Variable[];
  learningRate: number;
}

export interface ScheduleSettings {
  totalSteps: number;
  warmupSteps: number;
  /** Largest allowed global gradient norm; 0 disables clipping. */
  clipNorm: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam's state as plain arrays: what a checkpoint stores. */
export interface AdamState {
  step: number;
  moments: { m: Float32Array; v: Float32Array }[];
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

/** Learning-rate factor at `step` (0-based): 0→1 over the warm-up, then 1→0 by the last step. */
export function scheduleFactor(step: number, s: Pick<ScheduleSettings, 'totalSteps' | 'warmupSteps'>): number {
  if (step < s.warmupSteps) return (step + 1) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  return Math.max(0, 1 - (step - s.warmupSteps) / decaySteps);
}

export class GroupedAdam {
  step = 0;
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();

  constructor(
    readonly groups: ParamGroup[],
    readonly settings: ScheduleSettings,
  ) {
    for (const group of groups) {
      for (const variable of group.variables) {
        this.moments.set(variable, {
          m: tf.variable(tf.zerosLike(variable), false),
          v: tf.variable(tf.zerosLike(variable), false),
        });
      }
    }
  }

  /**
   * One update. `computeLoss` builds the loss from the variables; returns the loss and the
   * gradient norm before clipping. A non-finite loss or gradient leaves every variable as it was.
   */
  async minimize(computeLoss: () => tf.Scalar): Promise<StepResult> {
    const variables = this.groups.flatMap((g) => g.variables);
    const { value, grads } = tf.variableGrads(computeLoss, variables);
    const norm = tf.tidy(() => tf.sqrt(tf.addN(variables.map((v) => tf.sum(tf.square(grads[v.name]))))));
    const [loss, gradNorm] = [(await value.data())[0], (await norm.data())[0]];
    if (Number.isFinite(loss) && Number.isFinite(gradNorm)) this.apply(grads, gradNorm);
    tf.dispose([value, norm, ...Object.values(grads)]);
    return { loss, gradNorm };
  }

  private apply(grads: tf.NamedTensorMap, gradNorm: number): void {
    const { clipNorm, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = this.settings;
    const clip = clipNorm > 0 && gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    const t = this.step + 1;
    const factor = scheduleFactor(this.step, this.settings);
    tf.tidy(() => {
      for (const group of this.groups) {
        // Bias correction folded into the step size, as in the Adam paper's Algorithm 1 note.
        const stepSize = (group.learningRate * factor * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
        for (const variable of group.variables) {
          const { m, v } = this.moments.get(variable)!;
          const g = tf.mul(grads[variable.name], clip);
          m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
          v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
          variable.assign(tf.sub(variable, tf.mul(stepSize, tf.div(m, tf.add(tf.sqrt(v), epsilon)))));
        }
      }
    });
    this.step = t;
  }

  /** The optimizer's state for a checkpoint: the moments in group and variable order. */
  async state(): Promise<AdamState> {
    const moments: AdamState['moments'] = [];
    for (const { m, v } of this.moments.values()) {
      moments.push({ m: (await m.data()) as Float32Array, v: (await v.data()) as Float32Array });
    }
    return { step: this.step, moments };
  }

  restore(state: AdamState): void {
    const all = [...this.moments.values()];
    if (state.moments.length !== all.length) {
      throw new Error(`checkpoint has optimizer state for ${state.moments.length} variables, this stage has ${all.length}`);
    }
    all.forEach(({ m, v }, i) => {
      if (state.moments[i].m.length !== m.size) throw new Error('checkpoint optimizer state has the wrong size for this model');
      tf.tidy(() => {
        m.assign(tf.tensor(state.moments[i].m, m.shape));
        v.assign(tf.tensor(state.moments[i].v, v.shape));
      });
    });
    this.step = state.step;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
