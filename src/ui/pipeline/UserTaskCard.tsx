import type { TaskData } from '../../method/task-data';

const LABELS_SHOWN = 6;

/** The user's own task as a target choice beside the built-in ones, or where to make one. */
export function UserTaskCard({
  task,
  checked,
  disabled,
  onChange,
}: {
  task: TaskData | null;
  checked: boolean;
  disabled: boolean;
  onChange: (id: string) => void;
}) {
  if (!task) {
    return (
      <article className="task-card user-task-card" data-testid="user-task-card">
        <div className="task-card-head">
          <span className="task-name">Your own examples</span>
          <span className="badge">your data</span>
        </div>
        <p className="task-description">
          Paste or drop a few labelled examples in <a href="#your-data">Your data</a>: once they make a task, it is a target here.
        </p>
      </article>
    );
  }
  const id = `task-target-${task.id}`;
  return (
    <article className={checked ? 'task-card user-task-card selected' : 'task-card user-task-card'} data-testid="user-task-card">
      <div className="task-card-head">
        <input id={id} type="radio" name="target" checked={checked} disabled={disabled} onChange={() => onChange(task.id)} />
        <label htmlFor={id} className="task-name">
          {task.id}
        </label>
        <span className="badge">your data</span>
      </div>
      <p className="task-description">
        Your own examples, from <a href="#your-data">Your data</a>.
      </p>
      <p className="hint">
        {task.kind === 'classification'
          ? `Labels: ${task.verbalizers.slice(0, LABELS_SHOWN).join(', ')}${task.verbalizers.length > LABELS_SHOWN ? `, +${task.verbalizers.length - LABELS_SHOWN} more` : ''}`
          : 'Writes a text answer (exact match).'}
      </p>
      <p className="hint split-counts">
        train {task.train.length} · validation {task.validation.length} · test {task.test.length}
      </p>
    </article>
  );
}
