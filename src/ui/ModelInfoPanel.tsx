import { useModelStore } from '../store/model-store';
import { formatBytes, formatCount } from './format';
import { Panel } from './Panel';

/** Label/value pairs laid out in as many columns as fit. */
function PairGrid({ pairs, mono = false }: { pairs: [string, string][]; mono?: boolean }) {
  return (
    <dl className={mono ? 'pair-grid mono-keys' : 'pair-grid'}>
      {pairs.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The loaded model's size, configuration and files. */
export function ModelInfoPanel() {
  const model = useModelStore((s) => s.model);

  return (
    <Panel id="model-info" title="Model info">
      {model ? (
        <>
          <p className="stat">
            <span className="stat-value" data-testid="parameter-count">
              {formatCount(model.parameterCount)}
            </span>{' '}
            parameters
          </p>
          <h3>Configuration</h3>
          <PairGrid pairs={Object.entries(model.config).map(([key, value]) => [key, String(value)])} />
          <h3>Files</h3>
          <PairGrid mono pairs={model.files.map((f) => [f.name, formatBytes(f.bytes)])} />
        </>
      ) : (
        <p className="muted">Load a model to see its configuration.</p>
      )}
    </Panel>
  );
}
