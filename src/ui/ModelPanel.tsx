import { useModelStore } from '../store/model-store';
import { BundledModelPicker } from './BundledModelPicker';
import { LoadProgress } from './LoadProgress';
import { LocalFilesPicker } from './LocalFilesPicker';
import { Panel } from './Panel';
import { RemoteModelForm } from './RemoteModelForm';

/** The three ways to load a model, the download progress and the outcome. */
export function ModelPanel() {
  const status = useModelStore((s) => s.status);
  const loadError = useModelStore((s) => s.loadError);
  const modelName = useModelStore((s) => s.modelName);
  const hasModel = useModelStore((s) => s.model !== null);
  const workerReady = useModelStore((s) => s.backend !== null && s.workerProblem === null);
  const disabled = !workerReady || status === 'loading';

  return (
    <Panel id="model" title="Model">
      <BundledModelPicker disabled={disabled} />
      <RemoteModelForm disabled={disabled} />
      <LocalFilesPicker disabled={disabled} />
      <LoadProgress />
      <div aria-live="polite">
        {status === 'loading' && <p className="muted">Loading…</p>}
        {hasModel && status !== 'loading' && (
          <p className="ok">
            Loaded: <span className="file-name">{modelName}</span>
          </p>
        )}
      </div>
      {status === 'error' && loadError && (
        <div className="error" role="alert">
          <p>
            <strong>Could not load the model.</strong> {loadError}
          </p>
          {hasModel && <p>The model loaded before is still in use.</p>}
        </div>
      )}
    </Panel>
  );
}
