import { CHARS_PER_TOKEN } from '../../method/user-data';
import { useDataStore } from '../../store/data-store';
import { Panel } from '../Panel';
import '../playground.css';
import { DataSource } from './DataSource';
import { MappingForm } from './MappingForm';
import { RowTable } from './RowTable';
import { UserTaskReady } from './UserTaskReady';

/** Your own data: read, map, check every row, and make it a task the pipeline and Compare can use. */
export function DataPanel() {
  const fileName = useDataStore((s) => s.fileName);
  const validUtf8 = useDataStore((s) => s.validUtf8);
  const table = useDataStore((s) => s.table);
  const checked = useDataStore((s) => s.checked);
  const userTask = useDataStore((s) => s.userTask);
  const tokenCounts = useDataStore((s) => s.tokenCounts);
  const maxInputTokens = useDataStore((s) => s.maxInputTokens);
  const loadError = useDataStore((s) => s.loadError);
  const clear = useDataStore((s) => s.clear);

  return (
    <Panel id="your-data" title="Your data">
      <DataSource />
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      {table && (
        <>
          <div className="row data-loaded">
            <p>
              Read <span className="file-name">{fileName ?? 'pasted text'}</span>: {table.rows.length} rows, {table.columns.length} columns.
            </p>
            <button type="button" onClick={clear}>
              Clear
            </button>
          </div>
          {!validUtf8 && (
            <p className="error">The file is not valid UTF-8: undecodable bytes show as � and their rows are left out. Save it as UTF-8 and load it again.</p>
          )}
          <MappingForm />
        </>
      )}
      {checked && (
        <>
          <div className="data-summary" data-testid="data-summary" aria-live="polite">
            <p>
              <strong>{checked.rows.length - checked.excluded}</strong> usable rows ·{' '}
              <strong className={checked.excluded ? 'error' : undefined}>{checked.excluded}</strong> left out for errors ·{' '}
              <strong>{checked.withWarnings}</strong> kept with warnings
            </p>
            {checked.classes.length > 0 && (
              <p className="muted">
                Classes: {checked.classes.map((c) => `${c.label} (${c.rows}, ${c.train} for training)`).join(' · ')}
              </p>
            )}
            <p className="hint">
              {tokenCounts
                ? `Input lengths are counted with the model's tokenizer (limit ${maxInputTokens} tokens).`
                : `Input lengths are estimated at ${CHARS_PER_TOKEN} characters a token until a model is loaded (limit ${maxInputTokens} tokens).`}
            </p>
            {checked.blocker ? (
              <p className="error" role="alert">
                No task yet: {checked.blocker}
              </p>
            ) : (
              userTask && <UserTaskReady task={userTask} />
            )}
          </div>
          <RowTable />
        </>
      )}
    </Panel>
  );
}
