import type { T5Config } from '../model/config';
import { expectedShapes } from '../model/weights';

/**
 * Exact parameter counts for any loaded T5: what stays frozen and what each method trains per
 * task. MPT's per-task share is l·d (its copy of P*) + (l + d)·r for U and V.
 */
export interface ParameterBudget {
  frozen: number;
  promptTuningPerTask: number; // l·d
  mptSharedPrompt: number; // l·d, shared by the source tasks
  mptTaskVectorsPerTask: number; // (l + d)·r
  /** A target task: its P* copy and its u, v. */
  mptPerTargetTask: number;
  mptShareOfModel: number; // mptPerTargetTask / frozen
}

export function modelParameterCount(config: T5Config): number {
  let n = 0;
  for (const shape of expectedShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

export function parameterBudget(config: T5Config, promptLength: number, rank: number): ParameterBudget {
  const frozen = modelParameterCount(config);
  const prompt = promptLength * config.dModel;
  const taskVectors = (promptLength + config.dModel) * rank;
  return {
    frozen,
    promptTuningPerTask: prompt,
    mptSharedPrompt: prompt,
    mptTaskVectorsPerTask: taskVectors,
    mptPerTargetTask: prompt + taskVectors,
    mptShareOfModel: (prompt + taskVectors) / frozen,
  };
}
