import { useState } from 'react';
import type { CheckedRow } from '../../method/user-data';
import { useDataStore } from '../../store/data-store';

const SHOWN = 200;
const CELL_CHARS = 140;

const clip = (text: string) => (text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text);

function status(row: CheckedRow): { className: string; text: string } {
  if (row.excluded) return { className: 'row-excluded', text: 'left out' };
  if (row.issues.length > 0) return { className: 'row-warning', text: 'kept' };
  return { className: 'row-ok', text: 'ok' };
}

/** Every row with what the checks found: errors leave a row out of the task, warnings do not. */
export function RowTable() {
  const checked = useDataStore((s) => s.checked);
  const kind = useDataStore((s) => s.mapping?.kind);
  const [onlyProblems, setOnlyProblems] = useState(false);
  if (!checked) return null;
  const rows = onlyProblems ? checked.rows.filter((r) => r.issues.length > 0) : checked.rows;

  return (
    <div className="row-table">
      <div className="row-table-head">
        <label className="checkbox">
          <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> Only rows with problems
        </label>
        <span className="muted">
          {rows.length > SHOWN ? `first ${SHOWN} of ${rows.length} rows` : `${rows.length} row${rows.length === 1 ? '' : 's'}`}
        </span>
      </div>
      <div className="scroll-table">
        <table aria-label="Rows of your data">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Status</th>
              <th scope="col">Input</th>
              <th scope="col">{kind === 'generation' ? 'Target' : 'Label'}</th>
              <th scope="col">Split</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, SHOWN).map((row) => {
              const s = status(row);
              return (
                <tr key={row.line} className={s.className} data-line={row.line}>
                  <td className="num">{row.line}</td>
                  <td>{s.text}</td>
                  <td title={row.input}>{clip(row.input) || <span className="muted">(empty)</span>}</td>
                  <td title={row.output}>{clip(row.output) || <span className="muted">(empty)</span>}</td>
                  <td>{row.split ?? '–'}</td>
                  <td>
                    {row.issues.map((issue, i) => (
                      <span key={i} className={`issue issue-${issue.severity}`}>
                        {issue.message}
                      </span>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
