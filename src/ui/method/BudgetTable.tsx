import { methodBudgets } from '../../method/accounting';
import { useModelStore } from '../../store/model-store';
import { effectiveSettings, useChosenTasks, useTrainingStore } from '../../store/training-store';
import { formatCount } from '../format';

const percent = (share: number) => (share >= 0.1 ? `${(share * 100).toFixed(1)}%` : share >= 0.001 ? `${(share * 100).toFixed(3)}%` : `${(share * 100).toFixed(4)}%`);

/** What each method trains per target task on the loaded model, from its config and the current l, r and K. */
export function BudgetTable() {
  const model = useModelStore((s) => s.model);
  const config = useTrainingStore((s) => s.config);
  const { sources } = useChosenTasks();
  if (!model) return <p className="muted">Load a model: the counts are computed from its config.</p>;

  const settings = effectiveSettings(config, model.config);
  const rows = methodBudgets(model.config, settings.promptLength, settings.rank, sources.length);
  return (
    <>
      <p className="hint">
        Trained parameters per target task on this model ({formatCount(rows[0].perTask)} parameters, d = {model.config.dModel},{' '}
        {model.config.numLayers} + {model.config.numDecoderLayers} blocks) with l = {settings.promptLength}, r = {settings.rank}.
      </p>
      <div className="table-scroll">
        <table className="budget" data-testid="budget-table">
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col" className="number">
                Per task
              </th>
              <th scope="col" className="number">
                % of model
              </th>
              <th scope="col">Formula and assumptions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.method} className={row.method === 'MPT' ? 'highlight' : undefined}>
                <th scope="row">{row.method}</th>
                <td className="number">{row.perTask.toLocaleString('en')}</td>
                <td className="number">{percent(row.shareOfModel)}</td>
                <td>
                  <code>{row.formula}</code>
                  <p className="hint">{row.note}</p>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
