import { useModelStore } from '../../store/model-store';
import { useTaskStore } from '../../store/tasks';
import { ACTIVE, describePhase, useChosenTasks, useTrainingStore, type RunRecord } from '../../store/training-store';
import { Panel } from '../Panel';
import { RunProgress } from './RunProgress';
import { StageFlow } from './StageFlow';

const STATUS_TEXT: Record<RunRecord['status'], string> = {
  starting: 'Starting: reading the tasks…',
  running: 'Training.',
  paused: 'Paused between two steps.',
  done: 'Done: all three stages finished.',
  cancelled: 'Cancelled.',
  failed: 'Failed.',
  interrupted: 'Interrupted.',
};

/** Why Start is not possible yet, or null. */
function useStartProblem(): string | null {
  const model = useModelStore((s) => s.model);
  const workerProblem = useModelStore((s) => s.workerProblem);
  const { sources, target } = useChosenTasks();
  if (workerProblem) return 'The model worker needs a restart.';
  if (!model) return 'Load a model to start.';
  if (sources.length === 0) return 'Choose at least one source task.';
  if (!target) return 'Choose a target task.';
  return null;
}

/** Start, pause, resume and cancel; after a reload or a cancel, continue from the last checkpoint. */
export function RunPanel() {
  const run = useTrainingStore((s) => s.run);
  const phase = useTrainingStore((s) => s.phase);
  const saved = useTrainingStore((s) => s.saved);
  const { start, pause, resume, cancel, continueRun, adaptFinishedRun } = useTrainingStore.getState();
  const model = useModelStore((s) => s.model);
  const loadModel = useModelStore((s) => s.loadModel);
  const modelLoading = useModelStore((s) => s.status === 'loading');
  const startProblem = useStartProblem();
  const { target } = useChosenTasks();
  const catalog = useTaskStore((s) => s.catalog);
  const targetName = (catalog.status === 'ready' && catalog.tasks.find((t) => t.id === target)?.name) || `${target} (your data)`;

  const active = run !== null && ACTIVE.includes(run.status);
  const stopped = run !== null && ['cancelled', 'failed', 'interrupted'].includes(run.status);
  const sameModel = run !== null && model !== null && JSON.stringify(model.config) === JSON.stringify(run.model.config);
  const runModelUrl = run && /^https?:\/\//.test(run.model.name) ? run.model.name : null;

  return (
    <Panel id="pipeline" title="Pipeline">
      <StageFlow run={run} phase={phase} />
      <div className="row run-controls">
        {!active && (
          <button type="button" className="primary" disabled={startProblem !== null} onClick={() => void start()}>
            {run ? 'Start a new run' : 'Start'}
          </button>
        )}
        {active && run.status !== 'paused' && (
          <button type="button" disabled={run.status !== 'running'} onClick={() => void pause()}>
            Pause
          </button>
        )}
        {active && run.status === 'paused' && (
          <button type="button" className="primary" onClick={() => void resume()}>
            Resume
          </button>
        )}
        {active && (
          <button type="button" disabled={run.status === 'starting'} onClick={() => void cancel()}>
            Cancel
          </button>
        )}
        <p className="hint" aria-live="polite" data-testid="run-status">
          {run ? STATUS_TEXT[run.status] : startProblem ?? 'Ready.'} {run?.message}
          {!active && startProblem && run ? ` ${startProblem}` : ''}
        </p>
      </div>
      {stopped && (
        <div className="banner resume-banner" role="status">
          <p>
            {saved
              ? `The run can continue from its checkpoint at ${describePhase(saved.phase, run.sources)}, step ${saved.step}.`
              : 'No checkpoint of this run was seen; continuing starts it over with the same settings.'}{' '}
            {!sameModel && `It was trained on ${run.model.name}: load that model to continue.`}
          </p>
          <div className="row">
            {!sameModel && runModelUrl && (
              <button type="button" disabled={modelLoading} onClick={() => void loadModel({ kind: 'url', baseUrl: runModelUrl })}>
                Load that model
              </button>
            )}
            <button type="button" className="primary" disabled={!sameModel} onClick={() => void continueRun()}>
              Resume from checkpoint
            </button>
          </div>
        </div>
      )}
      {run?.status === 'done' && (
        <div className="banner adapt-banner" role="status">
          <p>
            P* is trained. MPT adapts it to a new target without training stages 1 and 2 again: choose the target in{' '}
            <a href="#tasks">Tasks</a> (your own examples from <a href="#your-data">Your data</a> are a choice there), then adapt.
          </p>
          <div className="row">
            <button type="button" className="primary" disabled={!sameModel || startProblem !== null} onClick={() => void adaptFinishedRun()}>
              Adapt P* to “{targetName}”
            </button>
            <span className="hint">Stage 3 only, with this run’s hyperparameters; k, seed and stage-3 steps from the form.</span>
          </div>
        </div>
      )}
      <RunProgress />
    </Panel>
  );
}
