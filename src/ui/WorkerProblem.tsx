import { useModelStore } from '../store/model-store';

/** Shown when the worker died or lost its GPU: nothing runs until it is restarted. */
export function WorkerProblem() {
  const problem = useModelStore((s) => s.workerProblem);
  const restartWorker = useModelStore((s) => s.restartWorker);
  if (!problem) return null;
  return (
    <div className="banner" role="alert">
      <p>
        <strong>The model worker needs a restart.</strong> {problem}
      </p>
      <button type="button" onClick={() => void restartWorker()}>
        Restart worker
      </button>
    </div>
  );
}
