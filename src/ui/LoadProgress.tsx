import { useModelStore } from '../store/model-store';
import { formatBytes } from './format';

/** One bar per file of the latest load, in bytes. */
export function LoadProgress() {
  const progress = useModelStore((s) => s.progress);
  if (progress.length === 0) return null;
  return (
    <ul className="progress-list" aria-label="Download progress">
      {progress.map(({ file, loadedBytes, totalBytes, fromCache }) => (
        <li key={file}>
          <span className="file-name">{file}</span>
          {/* Without a known size the bar is left indeterminate. */}
          <progress
            aria-label={`${file} progress`}
            value={totalBytes === null ? undefined : loadedBytes}
            max={totalBytes ?? undefined}
          />
          <span className="muted">
            {totalBytes === null ? formatBytes(loadedBytes) : `${formatBytes(loadedBytes)} of ${formatBytes(totalBytes)}`}
            {fromCache && ' (from cache)'}
          </span>
        </li>
      ))}
    </ul>
  );
}
