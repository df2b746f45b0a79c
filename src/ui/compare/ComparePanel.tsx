import { useMemo } from 'react';
import { COMPARED_METHODS, keptRow, parseList, summarizeRows, targetChoices, useCompareStore, type CompareForm } from '../../store/compare-store';
import { ACTIVE, useTrainingStore } from '../../store/training-store';
import { useDataStore } from '../../store/data-store';
import { useModelStore } from '../../store/model-store';
import { manifestsByRole, useTaskStore } from '../../store/tasks';
import { IntegerField } from '../data/IntegerField';
import { Panel } from '../Panel';
import '../playground.css';
import { CompareChart } from './CompareChart';

const DEFAULT_SOURCES = 2;
const STEP_FIELDS: { key: keyof CompareForm & ('sourceSteps' | 'distillSteps' | 'targetSteps' | 'sourceExamples' | 'evalExamples'); label: string }[] = [
  { key: 'sourceSteps', label: 'Stage 1 steps' },
  { key: 'distillSteps', label: 'Stage 2 steps' },
  { key: 'targetSteps', label: 'Target steps' },
  { key: 'sourceExamples', label: 'Source examples' },
  { key: 'evalExamples', label: 'Test examples' },
];

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** MPT against prompt tuning and SPoT on one target at several k, from this page. */
export function ComparePanel() {
  const form = useCompareStore((s) => s.form);
  const status = useCompareStore((s) => s.status);
  const rows = useCompareStore((s) => s.rows);
  const finished = useCompareStore((s) => s.finished);
  const { update, run, cancel, keepVectors } = useCompareStore.getState();
  const catalog = useTaskStore((s) => s.catalog);
  const userTask = useDataStore((s) => s.userTask);
  const ready = useModelStore((s) => s.model !== null && s.status !== 'loading' && s.workerProblem === null);
  const training = useTrainingStore((s) => s.run !== null && ACTIVE.includes(s.run.status));
  const summary = useMemo(() => summarizeRows(rows), [rows]);
  const summaryKs = [...new Set(summary.map((s) => s.k))];

  const targets = useMemo(() => targetChoices(catalog, userTask), [catalog, userTask]);
  const allSources = manifestsByRole(catalog, 'source');
  const sources = form.sources ?? allSources.slice(0, DEFAULT_SOURCES).map((t) => t.id);
  const target = targets.some((t) => t.id === form.target) ? form.target! : (userTask?.id ?? targets[0]?.id ?? null);
  const ks = parseList(form.ks);
  const seeds = parseList(form.seeds);
  const running = status.kind === 'running';
  const canRun = ready && !running && !training && ks !== null && seeds !== null && target !== null && sources.length > 0;
  const toggle = (id: string) => update({ sources: sources.includes(id) ? sources.filter((s) => s !== id) : [...sources, id] });

  return (
    <Panel id="compare" title="Compare methods">
      <p className="hint compare-intro">
        Few-shot test scores of {COMPARED_METHODS.map((m) => m.name).join(', ')} on one target. Step counts are small so a run fits in a tab; raise
        them for real numbers.
      </p>
      <div className="field">
        <label htmlFor="compare-target">Target task</label>
        <select id="compare-target" value={target ?? ''} disabled={running} onChange={(e) => update({ target: e.target.value })}>
          {targets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="source-choices" disabled={running}>
        <legend>Source tasks</legend>
        {allSources.map((t) => (
          <label key={t.id} className="checkbox">
            <input type="checkbox" checked={sources.includes(t.id)} onChange={() => toggle(t.id)} /> {t.id}
          </label>
        ))}
      </fieldset>
      <div className="compare-grid">
        <div className="field">
          <label htmlFor="compare-ks">k values</label>
          <input id="compare-ks" type="text" value={form.ks} disabled={running} aria-invalid={ks === null} onChange={(e) => update({ ks: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="compare-seeds">Seeds</label>
          <input id="compare-seeds" type="text" value={form.seeds} disabled={running} aria-invalid={seeds === null} onChange={(e) => update({ seeds: e.target.value })} />
        </div>
        {STEP_FIELDS.map((f) => (
          <IntegerField key={f.key} id={`compare-${f.key}`} label={f.label} value={form[f.key]} min={1} disabled={running} onChange={(value) => update({ [f.key]: value })} />
        ))}
      </div>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={!canRun}
          onClick={() => {
            update({ target, sources });
            void run();
          }}
        >
          {running ? 'Comparing…' : 'Run comparison'}
        </button>
        {running && (
          <button type="button" disabled={status.cancelling} onClick={() => void cancel()}>
            Cancel
          </button>
        )}
      </div>
      <div aria-live="polite">
        {training && <p className="muted">Training is running in the model worker; compare once it has stopped.</p>}
        {status.kind === 'running' && (
          <p className="muted" data-testid="compare-progress">
            {status.done} of {status.total} runs done · {status.message}
          </p>
        )}
        {status.kind === 'cancelled' && (
          <p className="muted" data-testid="compare-cancelled">
            Cancelled after {status.done} of {status.total} runs{status.done > 0 ? '; the finished ones are shown below' : ''}.
          </p>
        )}
        {status.kind === 'error' && (
          <p className="error" role="alert">
            {status.message}
          </p>
        )}
      </div>
      {summary.length > 0 && (
        <>
          <CompareChart summary={summary} />
          <div className="scroll-table">
            <table aria-label="Comparison results">
              <thead>
                <tr>
                  <th scope="col">Method</th>
                  {summaryKs.map((k) => (
                    <th key={k} scope="col">
                      k = {k}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {COMPARED_METHODS.map(({ method, name }) => (
                  <tr key={method}>
                    <th scope="row">{name}</th>
                    {summaryKs.map((k) => {
                      // A cancelled comparison may lack some (method, k).
                      const s = summary.find((c) => c.method === method && c.k === k);
                      return (
                        <td key={k} className="num">
                          {s ? (
                            <>
                              {percent(s.mean)} <span className="muted">({percent(s.min)}–{percent(s.max)}, n = {s.n})</span>
                            </>
                          ) : (
                            <span className="muted">–</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {finished && keptRow(finished.result) && (
            <button type="button" onClick={keepVectors}>
              Use these MPT vectors for Try it and Export
            </button>
          )}
        </>
      )}
    </Panel>
  );
}
