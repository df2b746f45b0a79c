import { useDataStore } from '../../store/data-store';
import { useTaskStore, manifestsByRole } from '../../store/tasks';
import { FEW_SHOT_KS, type FewShotK } from '../../store/session-config';
import { ACTIVE, useChosenTasks, useTrainingStore } from '../../store/training-store';
import { Panel } from '../Panel';
import { NumberSetting } from './NumberSetting';
import { TaskCard } from './TaskCard';
import { UserTaskCard } from './UserTaskCard';

const SEED_FIELD = { key: 'seed', label: 'Seed', hint: 'Fixes the few-shot examples, the batches and the prompt initialisation.', integer: true, min: 0 };

/** Which source tasks stage 1 and 2 learn from, which target stage 3 adapts to, and with how many examples. */
export function TasksPanel() {
  const catalog = useTaskStore((s) => s.catalog);
  const config = useTrainingStore((s) => s.config);
  const locked = useTrainingStore((s) => s.run !== null && ACTIVE.includes(s.run.status));
  const updateConfig = useTrainingStore((s) => s.updateConfig);
  const { sources, target } = useChosenTasks();
  const userTask = useDataStore((s) => s.userTask);

  if (catalog.status !== 'ready') {
    return (
      <Panel id="tasks" title="Tasks">
        {catalog.status === 'loading' ? <p className="muted">Reading the built-in tasks…</p> : <p className="error">{catalog.message}</p>}
      </Panel>
    );
  }
  const allSources = manifestsByRole(catalog, 'source');
  const toggle = (id: string) => {
    const next = allSources.map((t) => t.id).filter((s) => (s === id ? !sources.includes(id) : sources.includes(s)));
    updateConfig({ sources: next.length === allSources.length ? null : next });
  };

  return (
    <Panel id="tasks" title="Tasks">
      <div className="row task-options">
        <div className="field">
          <label htmlFor="few-shot-k">Few-shot k (target)</label>
          <select
            id="few-shot-k"
            value={String(config.k)}
            disabled={locked}
            onChange={(e) => updateConfig({ k: FEW_SHOT_KS.find((k) => String(k) === e.target.value) as FewShotK })}
          >
            {FEW_SHOT_KS.map((k) => (
              <option key={k} value={String(k)}>
                {k === 'all' ? 'all training examples' : `${k} per class`}
              </option>
            ))}
          </select>
        </div>
        <NumberSetting field={SEED_FIELD} value={config.seed} disabled={locked} onChange={(seed) => updateConfig({ seed })} />
      </div>

      <h3>
        Source tasks <span className="muted">({sources.length} of {allSources.length} chosen; stages 1 and 2)</span>
      </h3>
      <div className="task-grid">
        {allSources.map((task) => (
          <TaskCard
            key={task.id}
            task={task}
            input={{ type: 'checkbox', name: 'source', checked: sources.includes(task.id), disabled: locked, onChange: () => toggle(task.id) }}
          />
        ))}
      </div>
      {sources.length === 0 && <p className="error">Choose at least one source task.</p>}

      <h3>
        Target task <span className="muted">(stage 3)</span>
      </h3>
      <div className="task-grid">
        {manifestsByRole(catalog, 'target').map((task) => (
          <TaskCard
            key={task.id}
            task={task}
            input={{ type: 'radio', name: 'target', checked: task.id === target, disabled: locked, onChange: () => updateConfig({ target: task.id }) }}
          />
        ))}
        <UserTaskCard task={userTask} checked={userTask !== null && userTask.id === target} disabled={locked} onChange={(id) => updateConfig({ target: id })} />
      </div>
    </Panel>
  );
}
