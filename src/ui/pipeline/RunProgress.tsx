import { describePhase, stepsDone, useTrainingStore } from '../../store/training-store';

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** One bar over all three stages, with the speed and an estimate of the time left. */
export function RunProgress() {
  const run = useTrainingStore((s) => s.run);
  const progress = useTrainingStore((s) => s.progress);
  const saved = useTrainingStore((s) => s.saved);
  if (!run) return null;

  const { done, total } = stepsDone(run, progress);
  const left = progress?.secondsPerStep && run.status === 'running' ? (total - done) * progress.secondsPerStep : null;
  const parts = [
    progress && run.status !== 'done' ? `${describePhase(progress.phase, run.sources)}: step ${progress.step} of ${progress.totalSteps}` : null,
    `${done} of ${total} steps`,
    progress ? `${progress.examplesPerSecond.toFixed(1)} examples/s` : null,
    left !== null ? `about ${formatDuration(left)} left` : null,
  ].filter(Boolean);

  return (
    <div className="run-progress">
      <progress max={total} value={done} aria-label="Training progress" />
      <p className="hint" data-testid="progress-text">
        {parts.join(' · ')}
      </p>
      {saved && (
        <p className="hint" data-testid="saved-text">
          {saved.phase.stage === 'done'
            ? 'The finished run is saved in this browser.'
            : `Checkpoint saved at ${describePhase(saved.phase, run.sources)}, step ${saved.step}.`}
        </p>
      )}
    </div>
  );
}
