import { formatInput, parseTaskExamples, type SplitName, type TaskManifest } from '../data/task-manifest';
import { seededRandom, shuffled } from './random';

/**
 * A task as the method sees it: text in, text out. For classification the target is the
 * label's verbalizer, so training is the same L_PLM and prediction ranks the verbalizers.
 */
export interface Example {
  input: string;
  target: string;
}

export interface TaskData {
  id: string;
  kind: 'classification' | 'generation';
  /** Classification only: the verbalizer of each label, in label order. */
  verbalizers: string[];
  train: Example[];
  validation: Example[];
  test: Example[];
}

/**
 * The few-shot training set: k examples per class for classification (so every class is seen
 * even at k = 4 with many classes), k examples for generation; `k = 'all'` keeps everything.
 * The seed fixes which examples; the same (task, k, seed) always gives the same set.
 */
export function fewShot(task: TaskData, k: number | 'all', seed: number): Example[] {
  const random = seededRandom(seed);
  if (k === 'all') return shuffled(task.train, random);
  if (task.kind === 'generation') return shuffled(task.train, random).slice(0, k);
  const picked = task.verbalizers.flatMap((v) =>
    shuffled(
      task.train.filter((e) => e.target === v),
      random,
    ).slice(0, k),
  );
  return shuffled(picked, random);
}

/**
 * A built-in (or uploaded) task's manifest and split files as the method's TaskData: inputs go
 * through the task's template, labels are already verbalizers. Bad rows are an error here:
 * built-in data must be clean, and the upload view shows row problems before this point.
 */
export function taskDataFromFiles(manifest: TaskManifest, splits: Record<SplitName, string>): TaskData {
  const read = (name: SplitName): Example[] => {
    const { examples, problems } = parseTaskExamples(splits[name], manifest);
    if (problems.length > 0) {
      const p = problems[0];
      throw new Error(`${manifest.id}/${name}: line ${p.line}: ${p.message} (${problems.length} bad rows)`);
    }
    return examples.map((e) => ({ input: formatInput(manifest, e.input), target: e.label }));
  };
  return {
    id: manifest.id,
    kind: manifest.kind,
    verbalizers: manifest.labels?.map((l) => l.verbalizer) ?? [],
    train: read('train'),
    validation: read('validation'),
    test: read('test'),
  };
}
