import { useMemo, useState } from 'react';
import { useTrainingStore } from '../../store/training-store';
import { Heatmap } from './Heatmap';
import { taskMatrices, transpose } from '../../method/prompt-matrices';

/** P*, u_k, v_k, u_k v_kᵀ and P̂_k = P* ⊙ (u_k v_kᵀ) of one task, from the latest snapshot of stage 2 or 3. */
export function DecompositionView() {
  const run = useTrainingStore((s) => s.run);
  const sourcePrompts = useTrainingStore((s) => s.sourcePrompts);
  const targetPrompts = useTrainingStore((s) => s.targetPrompts);
  const [choice, setChoice] = useState<string | null>(null);

  const options = [
    ...(sourcePrompts ? (run?.sources ?? []).map((id, k) => ({ id, k, stage: 2, snapshot: sourcePrompts })) : []),
    ...(targetPrompts && run ? [{ id: run.target, k: 0, stage: 3, snapshot: targetPrompts }] : []),
  ];
  const selected = options.find((o) => o.id === choice) ?? options[0];
  const matrices = useMemo(
    () => selected && taskMatrices(selected.snapshot.prompts, selected.k),
    [selected?.snapshot, selected?.k],
  );

  if (!selected || !matrices) {
    return (
      <p className="muted">
        The heatmaps appear when stage 2 starts: the worker sends P*, U and V every few steps (set “Heatmap every” in the
        settings).
      </p>
    );
  }
  const [l, d] = [matrices.shared.rows, matrices.shared.cols];
  const r = matrices.u.cols;
  const rowHeight = Math.max(2, Math.min(24, Math.floor(200 / l)));
  const position = `position (l = ${l})`;
  const hidden = `hidden dimension (d = ${d})`;
  const isTarget = selected.stage === 3;

  return (
    <div className="decomposition">
      <div className="row">
        <div className="field">
          <label htmlFor="heatmap-task">Task</label>
          <select id="heatmap-task" value={selected.id} onChange={(e) => setChoice(e.target.value)}>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.id} ({o.stage === 3 ? 'target, stage 3' : 'source, stage 2'})
              </option>
            ))}
          </select>
        </div>
        <p className="hint" data-testid="snapshot-step">
          Snapshot of stage {selected.stage} at step {selected.snapshot.step}.
        </p>
      </div>
      <Heatmap
        title={isTarget ? 'P* (the target’s copy, trained further in stage 3)' : 'P* (shared by all sources)'}
        matrix={matrices.shared}
        rowAxis={position}
        colAxis={hidden}
        rowHeight={rowHeight}
        testId="heatmap-shared"
      />
      <div className="factor-row">
        <Heatmap title="u_k" matrix={matrices.u} rowAxis={position} colAxis={`r = ${r}`} rowHeight={rowHeight} width={Math.max(28, r * 14)} testId="heatmap-u" />
        <Heatmap title="v_kᵀ" matrix={transpose(matrices.v)} rowAxis={`r = ${r}`} colAxis={hidden} rowHeight={20} testId="heatmap-v" />
      </div>
      <Heatmap title="u_k v_kᵀ (rank r)" matrix={matrices.uv} rowAxis={position} colAxis={hidden} rowHeight={rowHeight} testId="heatmap-uv" />
      <Heatmap title="P̂_k = P* ⊙ (u_k v_kᵀ), the prompt the model reads" matrix={matrices.prompt} rowAxis={position} colAxis={hidden} rowHeight={rowHeight} testId="heatmap-prompt" />
    </div>
  );
}
