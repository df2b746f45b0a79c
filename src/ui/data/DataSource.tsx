import { useState, type DragEvent } from 'react';
import { useDataStore } from '../../store/data-store';

/** Where the data comes from: a dropped or picked file, or pasted text. */
export function DataSource() {
  const loadFile = useDataStore((s) => s.loadFile);
  const loadText = useDataStore((s) => s.loadText);
  const [dragging, setDragging] = useState(false);
  const [pasted, setPasted] = useState('');

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void loadFile(file);
  };

  return (
    <div className="data-source">
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <label htmlFor="data-file">Drop a CSV, TSV or JSONL file here, or pick one</label>
        <input
          id="data-file"
          type="file"
          accept=".csv,.tsv,.tab,.jsonl,.ndjson,.txt,text/csv,text/tab-separated-values"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void loadFile(file);
            e.target.value = ''; // Picking the same file again reloads it.
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="data-paste">…or paste rows (with a header line)</label>
        <textarea id="data-paste" rows={3} value={pasted} placeholder={'text,label\nI loved it,positive'} onChange={(e) => setPasted(e.target.value)} />
        <div>
          <button type="button" disabled={pasted.trim() === ''} onClick={() => loadText(pasted)}>
            Read pasted text
          </button>
        </div>
      </div>
    </div>
  );
}
