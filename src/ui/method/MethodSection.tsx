import { Panel } from '../Panel';
import { BudgetTable } from './BudgetTable';
import { DecompositionView } from './DecompositionView';
import { TaskSimilarity } from './TaskSimilarity';
import { TrainedVectors } from './TrainedVectors';

/** "See the method": the decomposition as heatmaps, how alike the task prompts are, and what each method costs. */
export function MethodSection() {
  return (
    <>
      <Panel id="decomposition" title="See the method: P̂_k = P* ⊙ (u_k v_kᵀ)">
        <p className="hint intro">
          Stage 2 learns one shared prompt P* and, per source task, a rank-r pair u_k, v_k; task k reads P* scaled cell by
          cell by u_k v_kᵀ. Blue is negative, red positive, white 0; each map has its own range.
        </p>
        <DecompositionView />
      </Panel>
      <Panel id="similarity" title="Task similarity (cosine of the prompts)">
        <TaskSimilarity />
        <h3>Trained vectors</h3>
        <TrainedVectors />
      </Panel>
      <Panel id="budget" title="Parameter budget">
        <BudgetTable />
      </Panel>
    </>
  );
}
