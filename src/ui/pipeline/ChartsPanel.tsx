import { Panel } from '../Panel';
import { CurveChart } from './CurveChart';

const PARTS = { total: 'total', plm: 'L_PLM', logits: 'L_Logits', hidden: 'L_Hidden' };

/** The live curves of every stage: losses per task and per component, and validation scores. */
export function ChartsPanel() {
  return (
    <Panel id="curves" title="Training curves">
      <p className="hint intro">
        Steps count from 1 in each stage. Validation scores are accuracy (classification) or exact match (generation) on the
        first “Eval examples” of the validation split.
      </p>
      <h3>Stage 1: teachers</h3>
      <div className="chart-grid">
        <CurveChart chart="loss-1" title="L_PLM per source task" empty="Starts with stage 1." />
        <CurveChart chart="eval-1" title="Validation score per teacher" percent empty="After the first evaluation." />
      </div>
      <h3>Stage 2: distillation into P* ⊙ u_k v_kᵀ</h3>
      <div className="chart-grid">
        <CurveChart chart="parts-2" title="Loss components" labels={PARTS} empty="Starts with stage 2." />
        <CurveChart chart="loss-2" title="L_PLM per source task" empty="Starts with stage 2." />
        <CurveChart chart="eval-2" title="Validation score per source (P̂_k)" percent empty="After the first evaluation." />
      </div>
      <h3>Stage 3: adaptation to the target</h3>
      <div className="chart-grid">
        <CurveChart chart="loss-3" title="Adaptation curve: L_PLM" empty="Starts with stage 3." />
        <CurveChart chart="eval-3" title="Validation score on the target" percent empty="After the first evaluation." />
      </div>
    </Panel>
  );
}
