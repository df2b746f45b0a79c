import type { PipelinePhase } from '../../method/pipeline';
import { phaseOrder } from '../../store/curves';
import type { RunRecord } from '../../store/training-store';

const STAGES = [
  {
    title: 'Teachers',
    text: 'Train one soft prompt per source task with L_PLM alone (vanilla prompt tuning).',
  },
  {
    title: 'Distil and decompose',
    text: 'Learn a shared P* and per-task u_k, v_k so that P̂_k = P* ⊙ (u_k v_kᵀ) imitates each teacher: L = L_PLM + λ (L_Logits + L_Hidden).',
  },
  {
    title: 'Adapt to the target',
    text: 'Start from P* with fresh u, v (u vᵀ = 1, or the sources’ average u, v: see Hyperparameters) and train all three on the k target examples.',
  },
] as const;

type StageStatus = 'waiting' | 'active' | 'done';

function stageStatus(stage: 1 | 2 | 3, phase: PipelinePhase | null, numSources: number): StageStatus {
  if (!phase) return 'waiting';
  const at = phaseOrder(phase, numSources);
  const first = stage === 1 ? 0 : phaseOrder({ stage }, numSources);
  const last = stage === 1 ? numSources - 1 : first;
  return at > last ? 'done' : at >= first ? 'active' : 'waiting';
}

/** The three stages as steps of one flow: what each does, which one runs, which are done. */
export function StageFlow({ run, phase }: { run: RunRecord | null; phase: PipelinePhase | null }) {
  const numSources = run?.sources.length ?? 0;
  const activeLabel = run?.status === 'running' ? 'running' : run?.status === 'paused' ? 'paused' : run?.status === 'starting' ? 'starting' : 'stopped here';
  return (
    <ol className="stage-flow">
      {STAGES.map((s, i) => {
        const stage = (i + 1) as 1 | 2 | 3;
        const status = stageStatus(stage, run ? phase : null, numSources);
        const detail =
          status === 'active' && phase?.stage === 1 && run
            ? `${activeLabel}: ${run.sources[phase.source]} (${phase.source + 1} of ${numSources})`
            : status === 'active'
              ? activeLabel
              : status;
        return (
          <li key={s.title} className={`stage stage-${status}`} data-testid={`stage-${stage}`} aria-current={status === 'active' ? 'step' : undefined}>
            <div className="stage-head">
              <span className="stage-number">{stage}</span>
              <strong>{s.title}</strong>
              <span className={`stage-status status-${status}`}>{detail}</span>
            </div>
            <p>{s.text}</p>
          </li>
        );
      })}
    </ol>
  );
}
