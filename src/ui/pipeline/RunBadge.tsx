import { stepsDone, useTrainingStore } from '../../store/training-store';

const WORDS = { starting: 'starting', running: 'training', paused: 'paused', done: 'done', cancelled: 'cancelled', failed: 'failed', interrupted: 'interrupted' };

/** The run's state in a line, for the sticky navigation: visible wherever the page is scrolled. */
export function RunBadge() {
  const run = useTrainingStore((s) => s.run);
  const progress = useTrainingStore((s) => s.progress);
  if (!run) return null;
  const { done, total } = stepsDone(run, progress);
  const stage = progress && run.status !== 'done' ? `stage ${progress.phase.stage}, ` : '';
  return (
    <a className="run-badge" href="#pipeline" aria-label={`Run ${WORDS[run.status]}: ${stage}${done} of ${total} steps`}>
      <progress max={total} value={done} aria-hidden="true" />
      <span>
        {WORDS[run.status]} · {stage}
        {done}/{total}
      </span>
    </a>
  );
}
