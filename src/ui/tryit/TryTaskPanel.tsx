import type { FormEvent } from 'react';
import { useModelStore } from '../../store/model-store';
import { MAX_NEW_TOKENS, useTryItStore, type TryItTask } from '../../store/tryit-store';
import { formatMs } from '../format';
import { Panel } from '../Panel';
import '../playground.css';

/** Runs a task's prompt on a text: label probabilities, or the generated answer; switching tasks only switches the prompt in the worker. */
export function TryTaskPanel() {
  const tasks = useTryItStore((s) => s.tasks);
  const selected = useTryItStore((s) => s.selected);
  const text = useTryItStore((s) => s.text);
  const running = useTryItStore((s) => s.running);
  const result = useTryItStore((s) => s.result);
  const error = useTryItStore((s) => s.error);
  const { setText, select, run } = useTryItStore.getState();
  const ready = useModelStore((s) => s.model !== null && s.status !== 'loading' && s.workerProblem === null);
  const task = tasks.find((t) => t.key === selected);
  const shown = result && result.taskId === selected ? result : null;
  const generative = task?.kind === 'generation';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  return (
    <Panel id="classify" title="Try a task">
      {tasks.length === 0 ? (
        <p className="muted">Train, compare or import vectors first: each task with a prompt shows up here.</p>
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
            <label htmlFor="classify-text">{generative ? 'Input for the task' : 'Text to classify'}</label>
            <textarea id="classify-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <button type="submit" className="primary" disabled={!ready || running || text.trim() === ''}>
            {generative ? (running ? 'Writing…' : 'Write an answer') : running ? 'Classifying…' : 'Classify'}
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
          {shown.kind === 'generation' ? (
            <p>
              Answer: <strong data-testid="task-answer">{shown.text || <span className="muted">(empty)</span>}</strong>{' '}
              <span className="muted">(greedy, at most {MAX_NEW_TOKENS} tokens; {formatMs(shown.ms)} in the worker)</span>
            </p>
          ) : (
            <ClassProbabilities task={task} probs={shown.probs} best={shown.best} ms={shown.ms} />
          )}
        </div>
      )}
    </Panel>
  );
}

function ClassProbabilities({ task, probs, best, ms }: { task: TryItTask; probs: number[]; best: number; ms: number }) {
  return (
    <>
      <p>
        Predicted: <strong data-testid="predicted-label">{task.labels[best]}</strong> <span className="muted">({formatMs(ms)} in the worker)</span>
      </p>
      <ul className="prob-bars" aria-label="Class probabilities">
        {task.labels.map((label, i) => (
          <li key={label} className={i === best ? 'best' : undefined}>
            <span className="prob-label" title={task.verbalizers[i] !== label ? `verbalizer: ${task.verbalizers[i]}` : undefined}>
              {label}
            </span>
            <span className="prob-track">
              <span className="prob-fill" style={{ width: `${(probs[i] * 100).toFixed(1)}%` }} />
            </span>
            <span className="prob-value">{(probs[i] * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ul>
    </>
  );
}
