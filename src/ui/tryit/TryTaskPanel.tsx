import type { FormEvent } from 'react';
import { useModelStore } from '../../store/model-store';
import { useTryItStore } from '../../store/tryit-store';
import { formatMs } from '../format';
import { Panel } from '../Panel';
import '../playground.css';

/** Classifies a text with a task's prompt; switching tasks only switches the prompt in the worker. */
export function ClassifyPanel() {
  const tasks = useTryItStore((s) => s.tasks);
  const selected = useTryItStore((s) => s.selected);
  const text = useTryItStore((s) => s.text);
  const classifying = useTryItStore((s) => s.classifying);
  const result = useTryItStore((s) => s.result);
  const error = useTryItStore((s) => s.error);
  const { setText, select, classify } = useTryItStore.getState();
  const ready = useModelStore((s) => s.model !== null && s.status !== 'loading' && s.workerProblem === null);
  const task = tasks.find((t) => t.key === selected);
  const shown = result && result.taskId === selected ? result : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void classify();
  };

  return (
    <Panel id="classify" title="Try a task">
      {tasks.length === 0 ? (
        <p className="muted">Train, compare or import vectors first: each classification task with a prompt shows up here.</p>
      ) : (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="classify-task">Task</label>
            <select id="classify-task" value={selected ?? ''} onChange={(e) => void select(e.target.value)}>
              {tasks.map((t) => (
                <option key={t.key} value={t.key}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="classify-text">Text to classify</label>
            <textarea id="classify-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <button type="submit" className="primary" disabled={!ready || classifying || text.trim() === ''}>
            {classifying ? 'Classifying…' : 'Classify'}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {shown && task && (
        <div className="output" aria-live="polite">
          <p>
            Predicted: <strong data-testid="predicted-label">{task.labels[shown.best]}</strong>{' '}
            <span className="muted">
              ({formatMs(shown.ms)} in the worker)
            </span>
          </p>
          <ul className="prob-bars" aria-label="Class probabilities">
            {task.labels.map((label, i) => (
              <li key={label} className={i === shown.best ? 'best' : undefined}>
                <span className="prob-label" title={task.verbalizers[i] !== label ? `verbalizer: ${task.verbalizers[i]}` : undefined}>
                  {label}
                </span>
                <span className="prob-track">
                  <span className="prob-fill" style={{ width: `${(shown.probs[i] * 100).toFixed(1)}%` }} />
                </span>
                <span className="prob-value">{(shown.probs[i] * 100).toFixed(1)}%</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Panel>
  );
}
