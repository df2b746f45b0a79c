import { useState } from 'react';
import { useModelStore } from '../store/model-store';

/** Loads one of the models listed in /models/index.json, when the app ships any. */
export function BundledModelPicker({ disabled }: { disabled: boolean }) {
  const bundled = useModelStore((s) => s.bundled);
  const loadModel = useModelStore((s) => s.loadModel);
  const [chosen, setChosen] = useState<string | null>(null);

  if (bundled.status === 'checking') return <p className="muted">Looking for a bundled model…</p>;
  if (bundled.status === 'missing') return <p className="muted">No bundled model yet.</p>;

  const name = chosen ?? bundled.defaultName;
  const model = bundled.models.find((m) => m.name === name) ?? bundled.models[0];
  return (
    <div className="field">
      <label htmlFor="bundled-model">Bundled model</label>
      <div className="row">
        <select id="bundled-model" value={model.name} onChange={(e) => setChosen(e.target.value)}>
          {bundled.models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={disabled}
          onClick={() => void loadModel({ kind: 'url', baseUrl: new URL(model.path, document.baseURI).href })}
        >
          Load bundled model
        </button>
      </div>
      <p className="hint">{model.description}</p>
    </div>
  );
}
