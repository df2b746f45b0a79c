import { useMemo } from 'react';
import { useTrainingStore } from '../../store/training-store';
import { composedPrompts, taskMatrices } from '../../method/prompt-matrices';
import { SimilarityMatrix } from './SimilarityMatrix';

/** How alike the task prompts are: the stage-1 teachers, then the decomposed P̂_k (and the target's, after stage 3). */
export function TaskSimilarity() {
  const run = useTrainingStore((s) => s.run);
  const teachers = useTrainingStore((s) => s.teachers);
  const sourcePrompts = useTrainingStore((s) => s.sourcePrompts);
  const targetPrompts = useTrainingStore((s) => s.targetPrompts);

  const teacherNames = (run?.sources ?? []).filter((id) => teachers[id]);
  const decomposed = useMemo(() => {
    if (!run || !sourcePrompts) return null;
    const names = [...run.sources];
    const prompts = composedPrompts(sourcePrompts.prompts);
    if (targetPrompts) {
      names.push(`${run.target} (target)`);
      prompts.push(taskMatrices(targetPrompts.prompts, 0).prompt.data);
    }
    return { names, prompts };
  }, [run, sourcePrompts, targetPrompts]);

  if (teacherNames.length < 2 && !decomposed) {
    return <p className="muted">Appears once stage 1 has trained two teacher prompts.</p>;
  }
  return (
    <div className="similarities">
      {teacherNames.length >= 2 && (
        <SimilarityMatrix
          title="Teacher prompts (stage 1)"
          names={teacherNames}
          prompts={teacherNames.map((id) => teachers[id].data)}
          testId="similarity-teachers"
        />
      )}
      {decomposed && (
        <SimilarityMatrix
          title={`P̂_k (stage 2, step ${sourcePrompts!.step}${targetPrompts ? `; target: stage 3, step ${targetPrompts.step}` : ''})`}
          names={decomposed.names}
          prompts={decomposed.prompts}
          testId="similarity-decomposed"
        />
      )}
    </div>
  );
}
