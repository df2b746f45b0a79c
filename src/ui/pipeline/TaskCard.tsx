import type { TaskManifest } from '../../data/task-manifest';
import { useTaskStore } from '../../store/tasks';

const LABELS_SHOWN = 6;
const EXAMPLE_CHARS = 160;

/** One built-in task: what it asks, its labels, its split sizes and, on request, a few examples. */
export function TaskCard({
  task,
  input,
}: {
  task: TaskManifest;
  /** The checkbox or radio button that picks the task. */
  input: { type: 'checkbox' | 'radio'; name: string; checked: boolean; disabled: boolean; onChange: () => void };
}) {
  const examples = useTaskStore((s) => s.examples[task.id]);
  const loadExamples = useTaskStore((s) => s.loadExamples);
  const id = `task-${input.name}-${task.id}`;
  const labels = task.labels ?? [];

  return (
    <article className={input.checked ? 'task-card selected' : 'task-card'} data-testid={`task-card-${task.id}`}>
      <div className="task-card-head">
        <input id={id} type={input.type} name={input.name} checked={input.checked} disabled={input.disabled} onChange={input.onChange} />
        <label htmlFor={id} className="task-name">
          {task.name}
        </label>
        <span className="badge">{task.kind === 'classification' ? `${labels.length} classes` : 'generation'}</span>
      </div>
      <p className="task-description">{task.description}</p>
      <p className="hint" title={labels.map((l) => `${l.label} → ${l.verbalizer}`).join('\n')}>
        {task.kind === 'classification' ? (
          <>
            Labels:{' '}
            {labels
              .slice(0, LABELS_SHOWN)
              .map((l) => (l.label.toLowerCase().includes(l.verbalizer.toLowerCase()) ? l.verbalizer : `${l.label} → ${l.verbalizer}`))
              .join(', ')}
            {labels.length > LABELS_SHOWN && `, +${labels.length - LABELS_SHOWN} more`}
          </>
        ) : (
          'Writes a text answer (exact match).'
        )}
      </p>
      <p className="hint split-counts">
        {(['train', 'validation', 'test'] as const).map((split) => `${split} ${task.splits[split].count.toLocaleString('en')}`).join(' · ')}
      </p>
      <details onToggle={(e) => e.currentTarget.open && void loadExamples(task.id)}>
        <summary>Examples</summary>
        {examples?.status === 'loading' && <p className="muted">Loading…</p>}
        {examples?.status === 'error' && <p className="error">{examples.message}</p>}
        {examples?.status === 'ready' && (
          <ul className="examples">
            {examples.examples.map((e, i) => (
              <li key={i}>
                <span className="example-input" title={e.input}>
                  {e.input.length > EXAMPLE_CHARS ? `${e.input.slice(0, EXAMPLE_CHARS)}…` : e.input}
                </span>{' '}
                <span className="example-label">→ {e.label}</span>
              </li>
            ))}
          </ul>
        )}
      </details>
    </article>
  );
}
