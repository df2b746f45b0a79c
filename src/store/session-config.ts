import type { MethodSettings } from '../method/settings';

/**
 * What the user chooses before a run: tasks, few-shot k, seed, hyperparameters and the run's
 * bookkeeping. Hyperparameters are kept as overrides of defaultSettings(model config), so the
 * untouched ones follow the loaded model.
 */

export const FEW_SHOT_KS = [4, 16, 32, 'all'] as const;
export type FewShotK = (typeof FEW_SHOT_KS)[number];

/** How the pipeline reports and saves, beside the method's own hyperparameters. */
export interface RunOptions {
  checkpointEvery: number;
  evalEvery: number;
  evalExamples: number;
  sourceExamples: number;
  snapshotEvery: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  checkpointEvery: 10,
  evalEvery: 50,
  evalExamples: 32,
  sourceExamples: 1000,
  snapshotEvery: 10,
};

export interface SessionConfig {
  /** null: every built-in source task. */
  sources: string[] | null;
  /** null: the first built-in target task. */
  target: string | null;
  k: FewShotK;
  seed: number;
  overrides: Partial<MethodSettings>;
  options: RunOptions;
}

export const DEFAULT_CONFIG: SessionConfig = {
  sources: null,
  target: null,
  k: 16,
  seed: 1,
  overrides: {},
  options: DEFAULT_RUN_OPTIONS,
};

/** A number field: its label, a one-line explanation and the values it accepts. */
export interface NumberField<K extends string> {
  key: K;
  label: string;
  hint: string;
  integer: boolean;
  min: number;
  /** The smallest value is excluded (a rate must be above 0). */
  exclusiveMin?: boolean;
}

export type NumericSetting = {
  [K in keyof MethodSettings]: MethodSettings[K] extends number ? K : never;
}[keyof MethodSettings];

/** Every numeric hyperparameter of the three stages, in the order the form shows them. */
export const SETTING_FIELDS: NumberField<NumericSetting>[] = [
  { key: 'promptLength', label: 'Prompt length l', hint: 'Soft tokens prepended to every input.', integer: true, min: 1 },
  { key: 'rank', label: 'Rank r', hint: 'Columns of u_k [l, r] and v_k [d, r]; the paper uses 1.', integer: true, min: 1 },
  { key: 'promptLearningRate', label: 'Prompt learning rate', hint: 'For P* and the stage-1 prompts (0.3 in the paper).', integer: false, min: 0, exclusiveMin: true },
  { key: 'taskVectorLearningRate', label: 'u, v learning rate', hint: 'For the rank-r task vectors u_k, v_k.', integer: false, min: 0, exclusiveMin: true },
  { key: 'batchSize', label: 'Batch size', hint: 'Examples per step (mixed over sources in stage 2).', integer: true, min: 1 },
  { key: 'warmupSteps', label: 'Warm-up steps', hint: 'Linear warm-up, then linear decay to 0.', integer: true, min: 0 },
  { key: 'clipNorm', label: 'Gradient clip norm', hint: 'Global norm; 0 turns clipping off.', integer: false, min: 0 },
  { key: 'maxInputTokens', label: 'Max input tokens', hint: 'Longer inputs are cut (the prompt comes on top).', integer: true, min: 2 },
  { key: 'sourceSteps', label: 'Stage 1 steps', hint: 'Per source task, for its teacher prompt.', integer: true, min: 1 },
  { key: 'distillSteps', label: 'Stage 2 steps', hint: 'Distillation into P* and u_k, v_k.', integer: true, min: 1 },
  { key: 'targetSteps', label: 'Stage 3 steps', hint: 'Adapting P*, u, v to the target.', integer: true, min: 1 },
  { key: 'lambda', label: 'λ (distillation weight)', hint: 'L = L_PLM + λ (L_Logits + L_Hidden); 0 turns distillation off.', integer: false, min: 0 },
  { key: 'temperature', label: 'Temperature', hint: 'Softens both distributions in L_Logits.', integer: false, min: 0, exclusiveMin: true },
];

export const OPTION_FIELDS: NumberField<keyof RunOptions>[] = [
  { key: 'checkpointEvery', label: 'Checkpoint every', hint: 'Steps between saves to IndexedDB (resume point); 0: only between stages.', integer: true, min: 0 },
  { key: 'evalEvery', label: 'Evaluate every', hint: 'Steps between validation scores (and at each stage end).', integer: true, min: 1 },
  { key: 'evalExamples', label: 'Eval examples', hint: 'Validation examples scored per task at each evaluation.', integer: true, min: 1 },
  { key: 'sourceExamples', label: 'Source examples', hint: 'Training examples per source task (seeded shuffle).', integer: true, min: 1 },
  { key: 'snapshotEvery', label: 'Heatmap every', hint: 'Steps between snapshots of P*, u, v in stages 2 and 3; 0: never.', integer: true, min: 0 },
];

/** Parses a field's text; null when it is not an acceptable value. */
export function parseField(field: NumberField<string>, text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || (field.integer && !Number.isInteger(value))) return null;
  if (value < field.min || (field.exclusiveMin && value === field.min)) return null;
  return value;
}
