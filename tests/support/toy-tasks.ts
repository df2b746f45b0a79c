import type { TaskData } from '../../src/method/task-data';

/** A toy task the random tiny fixture model can learn through its prompt alone: one answer per task. */
export function toyTask(id: string, answer: string, verbalizers: string[]): TaskData {
  const inputs = ['the cat sat', 'a free license', 'copy the program', 'you may not', 'source code', 'warranty of any kind'];
  const examples = inputs.map((input) => ({ input: `${id}: ${input}`, target: answer }));
  return { id, kind: 'classification', verbalizers, train: examples, validation: examples, test: examples };
}
