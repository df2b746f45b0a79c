import * as tf from '@tensorflow/tfjs';
import { composePrompts } from '../kernels/compose-prompts';

/**
 * The trainable prompt parameterisations, all answering one question: which soft prompt
 * [l, d] does each task get? The model never sees the difference.
 *
 * - SeparatePrompts: one free prompt per task (vanilla prompt tuning; stage 1 teachers).
 * - DecomposedPrompts: P̂_k = P* ⊙ (U_k V_kᵀ), a shared P* and a rank-r pair per task (MPT).
 * - A single shared prompt (MPT without decomposition) is SeparatePrompts with one task.
 */
export interface PromptSet {
  readonly numTasks: number;
  readonly length: number; // l
  readonly dim: number; // d
  /** Every task's prompt [K, l, d]. Differentiable: call inside the loss function. */
  prompts(): tf.Tensor3D;
  /** The trainable variables by a stable role name ('prompts', or 'shared', 'u', 'v'), for checkpoints. */
  readonly named: Record<string, tf.Variable>;
  /** The trainable variables, grouped so each group can have its own learning rate. */
  readonly variableGroups: { name: 'prompt' | 'taskVectors'; variables: tf.Variable[] }[];
  dispose(): void;
}

/** Rows' prompts [B, l, d] from all prompts [K, l, d] and each row's task: a one-hot matMul (gather has no gradient on wasm). */
export function promptsForRows(all: tf.Tensor3D, taskIndex: number[]): tf.Tensor3D {
  return tf.tidy(() => {
    const [k, l, d] = all.shape;
    if (k === 1) return tf.tile(all, [taskIndex.length, 1, 1]) as tf.Tensor3D;
    const select = tf.oneHot(tf.tensor1d(taskIndex, 'int32'), k); // [B, K]
    return tf.reshape(tf.matMul(select, tf.reshape(all, [k, l * d])), [taskIndex.length, l, d]) as tf.Tensor3D;
  });
}

let variableCounter = 0;
/** Unique variable names: tfjs keys gradients by name, and several runs may live in one page. */
function uniqueName(stem: string): string {
  return `${stem}_${variableCounter++}`;
}

export class SeparatePrompts implements PromptSet {
  readonly variableGroups;
  private readonly variable: tf.Variable<tf.Rank.R3>;

  /** `initial` [K, l, d]: one starting prompt per task; it is copied, not taken over. */
  constructor(initial: tf.Tensor3D) {
    this.variable = tf.variable(initial.clone(), true, uniqueName('prompts'));
    this.variableGroups = [{ name: 'prompt' as const, variables: [this.variable as tf.Variable] }];
  }

  get named() {
    return { prompts: this.variable as tf.Variable };
  }

  get numTasks() {
    return this.variable.shape[0];
  }
  get length() {
    return this.variable.shape[1];
  }
  get dim() {
    return this.variable.shape[2];
  }

  prompts(): tf.Tensor3D {
    return this.variable;
  }

  dispose(): void {
    this.variable.dispose();
  }
}

/** One task's rank-r pair: u [l, r] and v [d, r]. */
export interface TaskVectors {
  u: tf.Tensor2D;
  v: tf.Tensor2D;
}

export class DecomposedPrompts implements PromptSet {
  readonly shared: tf.Variable<tf.Rank.R2>; // P* [l, d]
  readonly u: tf.Variable<tf.Rank.R3>; // [K, l, r]
  readonly v: tf.Variable<tf.Rank.R3>; // [K, d, r]
  readonly variableGroups;

  /**
   * `shared` [l, d] is copied. Each task's U, V start as `start` ([l, r] and [d, r], copied) or,
   * by default, so that U Vᵀ is all ones (every entry of U is 1 and of V is 1/r): every task's
   * prompt then starts equal to P*.
   */
  constructor(shared: tf.Tensor2D, numTasks: number, rank: number, start?: TaskVectors) {
    const [l, d] = shared.shape;
    this.shared = tf.variable(shared.clone(), true, uniqueName('shared_prompt'));
    const [u, v] = tf.tidy(() =>
      start
        ? [tf.tile(tf.expandDims(start.u, 0), [numTasks, 1, 1]), tf.tile(tf.expandDims(start.v, 0), [numTasks, 1, 1])]
        : [tf.ones([numTasks, l, rank]), tf.fill([numTasks, d, rank], 1 / rank)],
    );
    this.u = tf.variable(u as tf.Tensor3D, true, uniqueName('task_u'));
    this.v = tf.variable(v as tf.Tensor3D, true, uniqueName('task_v'));
    tf.dispose([u, v]);
    this.variableGroups = [
      { name: 'prompt' as const, variables: [this.shared as tf.Variable] },
      { name: 'taskVectors' as const, variables: [this.u as tf.Variable, this.v as tf.Variable] },
    ];
  }

  get numTasks() {
    return this.u.shape[0];
  }
  get length() {
    return this.shared.shape[0];
  }
  get dim() {
    return this.shared.shape[1];
  }
  get named() {
    return { shared: this.shared as tf.Variable, u: this.u as tf.Variable, v: this.v as tf.Variable };
  }

  get rank() {
    return this.u.shape[2];
  }

  prompts(): tf.Tensor3D {
    return composePrompts(this.shared, this.u, this.v);
  }

  dispose(): void {
    tf.dispose([this.shared, this.u, this.v]);
  }
}
