import type { TaskData } from '../../method/task-data';
import { ACTIVE, useChosenTasks, useTrainingStore } from '../../store/training-store';

/** The task built from the user's rows, and the next step: make it the pipeline's target. */
export function UserTaskReady({ task }: { task: TaskData }) {
  const { target } = useChosenTasks();
  const locked = useTrainingStore((s) => s.run !== null && ACTIVE.includes(s.run.status));
  const updateConfig = useTrainingStore((s) => s.updateConfig);
  const isTarget = target === task.id;

  return (
    <div className="user-task-ready">
      <p className="ok" data-testid="user-task">
        Task “{task.id}” is ready: {task.train.length} train / {task.validation.length} validation / {task.test.length} test examples
        {task.kind === 'classification' ? `, ${task.verbalizers.length} labels` : ''}.
      </p>
      {isTarget ? (
        <p data-testid="user-task-target">
          It is the pipeline’s target: stage 3 adapts P* to it. <a href="#pipeline">Go to the pipeline</a> to train.
        </p>
      ) : (
        <p className="row">
          <button type="button" className="primary" disabled={locked} onClick={() => updateConfig({ target: task.id })}>
            Use it as the pipeline’s target
          </button>
          <span className="hint">{locked ? 'Once the run in progress stops. ' : ''}It is also a target choice in Compare.</span>
        </p>
      )}
    </div>
  );
}
