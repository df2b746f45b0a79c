import { useState } from 'react';
import { writeVectorsJson, writeVectorsSafetensors } from '../../method/export';
import { writePeftZip } from '../../method/peft';
import type { TaskVectors, VectorSet } from '../../method/vector-set';
import { useModelStore } from '../../store/model-store';
import { useVectorsStore, type VectorOrigin } from '../../store/vectors-store';
import { Panel } from '../Panel';
import '../playground.css';
import { download } from './download';

function describeOrigin(origin: VectorOrigin): string {
  if (origin.kind === 'run') return 'the training run';
  if (origin.kind === 'file') return `the file ${origin.name}`;
  return origin.description;
}

function parts(task: TaskVectors): string {
  const have = [task.teacher && 'teacher', task.u && task.v && 'u, v', task.shared && 'own P*'].filter(Boolean);
  return have.join(' · ') || '–';
}

function metrics(task: TaskVectors): string {
  return Object.entries(task.metrics ?? {})
    .map(([name, value]) => `${name.replace(/_/g, ' ')} ${value.toFixed(3)}`)
    .join(', ');
}

function VectorSummary({ set }: { set: VectorSet }) {
  return (
    <>
      <dl className="facts" data-testid="vector-summary">
        <dt>Model</dt>
        <dd className="file-name">{set.modelId || '(unnamed)'}</dd>
        <dt>Shape</dt>
        <dd>
          l = {set.promptLength}, d = {set.dModel}, r = {set.rank}
          {set.shared ? ' · shared prompt P*' : ' · no P* yet'}
        </dd>
      </dl>
      <div className="scroll-table">
        <table aria-label="Vectors per task">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Role</th>
              <th scope="col">Vectors</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {set.tasks.map((t) => (
              <tr key={t.id}>
                <td>{t.id}</td>
                <td>{t.role}</td>
                <td>{parts(t)}</td>
                <td>{metrics(t) || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Downloads the vectors in use (safetensors, JSON, peft adapter) and imports them back. */
export function ExportPanel() {
  const set = useVectorsStore((s) => s.set);
  const origin = useVectorsStore((s) => s.origin);
  const importing = useVectorsStore((s) => s.importing);
  const importError = useVectorsStore((s) => s.importError);
  const { importFile, followRun } = useVectorsStore.getState();
  const model = useModelStore((s) => s.model);
  const [exportError, setExportError] = useState<string | null>(null);

  const save = (write: () => [Uint8Array | string, string, string]) => {
    setExportError(null);
    try {
      download(...write());
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    }
  };
  // num_attention_heads and num_layers of the adapter config come from the model the vectors fit.
  const modelInfo = model && set && model.config.dModel === set.dModel ? { numHeads: model.config.numHeads, numLayers: model.config.numLayers } : null;
  const canPeft = set !== null && set.tasks.some((t) => t.u && t.v);

  return (
    <Panel id="export" title="Export and import">
      <p>
        Vectors in use: from <strong data-testid="vector-origin">{describeOrigin(origin)}</strong>
        {origin.kind !== 'run' && (
          <>
            {' '}
            <button type="button" className="link" onClick={followRun}>
              use the training run's instead
            </button>
          </>
        )}
      </p>
      {set ? <VectorSummary set={set} /> : <p className="muted">None yet: train, run a comparison, or import a file.</p>}
      <div className="row export-buttons">
        <button type="button" disabled={!set} onClick={() => save(() => [writeVectorsSafetensors(set!), 'mpt-vectors.safetensors', 'application/octet-stream'])}>
          Download .safetensors
        </button>
        <button type="button" disabled={!set} onClick={() => save(() => [writeVectorsJson(set!), 'mpt-vectors.json', 'application/json'])}>
          Download .json
        </button>
        <button type="button" disabled={!canPeft} onClick={() => save(() => [writePeftZip(set!, modelInfo), 'mpt-peft-adapter.zip', 'application/zip'])}>
          Download peft adapter (.zip)
        </button>
      </div>
      {exportError && (
        <p className="error" role="alert">
          {exportError}
        </p>
      )}
      <p className="hint">
        The peft zip loads in PyTorch with <code>PeftModel.from_pretrained(t5, folder)</code> (sources at the root, the target in <code>target/</code>);
        teachers are only in the .safetensors and .json files.
      </p>
      <div className="field import-field">
        <label htmlFor="vectors-file">Import vectors (.safetensors, .json or a peft .zip)</label>
        <input
          id="vectors-file"
          type="file"
          accept=".safetensors,.json,.zip"
          disabled={importing}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = '';
          }}
        />
      </div>
      {importError && (
        <p className="error" role="alert" data-testid="import-error">
          Could not import: {importError}
        </p>
      )}
    </Panel>
  );
}
