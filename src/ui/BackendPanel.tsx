import { useModelStore, type BackendPreference } from '../store/model-store';
import { Panel } from './Panel';

const CHOICES: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Auto (best available)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WASM' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

/** Which tfjs backend runs the model, why, and a way to force another one. */
export function BackendPanel() {
  const preference = useModelStore((s) => s.backendPreference);
  const backend = useModelStore((s) => s.backend);
  const busy = useModelStore((s) => s.status === 'loading' || s.generating);
  const setBackendPreference = useModelStore((s) => s.setBackendPreference);

  return (
    <Panel id="backend" title="Backend">
      <div className="field">
        <label htmlFor="backend-choice">Preferred backend</label>
        <select
          id="backend-choice"
          value={preference}
          disabled={busy}
          aria-describedby="backend-choice-hint"
          onChange={(e) => void setBackendPreference(e.target.value as BackendPreference)}
        >
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <p id="backend-choice-hint" className="hint">
          Changing it restarts the model worker and reloads the model.
        </p>
      </div>
      <dl className="facts" aria-live="polite">
        <dt>In use</dt>
        <dd data-testid="backend-name">{backend ? backend.name : 'starting…'}</dd>
        {backend?.threads !== undefined && (
          <>
            <dt>Threads</dt>
            <dd>{backend.threads ? 'multi-threaded' : 'single-threaded'}</dd>
          </>
        )}
        <dt>Adapter</dt>
        <dd>{backend?.adapter ?? '—'}</dd>
        <dt>Why</dt>
        <dd>{backend?.reason ?? '—'}</dd>
      </dl>
    </Panel>
  );
}
