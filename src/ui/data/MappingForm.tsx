import { useDataStore } from '../../store/data-store';
import type { TableFormat } from '../../method/user-table';
import { IntegerField } from './IntegerField';

const FORMATS: { value: TableFormat; name: string }[] = [
  { value: 'csv', name: 'CSV (comma)' },
  { value: 'tsv', name: 'TSV (tab)' },
  { value: 'jsonl', name: 'JSONL (one object a line)' },
];

/** How the text is read and what its columns mean; k and seed of the few-shot split. */
export function MappingForm() {
  const table = useDataStore((s) => s.table);
  const mapping = useDataStore((s) => s.mapping);
  const format = useDataStore((s) => s.format);
  const hasHeader = useDataStore((s) => s.hasHeader);
  const taskName = useDataStore((s) => s.taskName);
  const k = useDataStore((s) => s.k);
  const seed = useDataStore((s) => s.seed);
  const store = useDataStore.getState();
  if (!table || !mapping) return null;

  const columnSelect = (id: string, label: string, value: number, onChange: (index: number) => void) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {table.columns.map((c, i) => (
          <option key={`${i}-${c}`} value={i}>
            {c}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <div className="mapping-grid">
      <div className="field">
        <label htmlFor="data-format">Format</label>
        <select id="data-format" value={format} onChange={(e) => store.setFormat(e.target.value as TableFormat)}>
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.name}
            </option>
          ))}
        </select>
      </div>
      {format !== 'jsonl' && (
        <label className="checkbox">
          <input type="checkbox" checked={hasHeader} onChange={(e) => store.setHasHeader(e.target.checked)} /> First row is a header
        </label>
      )}
      <div className="field">
        <label htmlFor="data-kind">Task type</label>
        <select id="data-kind" value={mapping.kind} onChange={(e) => store.setMapping({ kind: e.target.value as typeof mapping.kind })}>
          <option value="classification">classification</option>
          <option value="generation">generation</option>
        </select>
      </div>
      {columnSelect('data-input-column', 'Input column', mapping.input, (input) => store.setMapping({ input }))}
      {columnSelect('data-output-column', mapping.kind === 'classification' ? 'Label column' : 'Target text column', mapping.output, (output) => store.setMapping({ output }))}
      <div className="field">
        <label htmlFor="data-task-name">Task name</label>
        <input id="data-task-name" type="text" value={taskName} onChange={(e) => store.setTaskName(e.target.value)} />
      </div>
      <IntegerField id="data-k" label="Few-shot k" value={k} min={1} onChange={store.setK} />
      <IntegerField id="data-seed" label="Split seed" value={seed} min={0} onChange={store.setSeed} />
    </div>
  );
}
