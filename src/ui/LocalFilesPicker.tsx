import type { ChangeEvent } from 'react';
import { useModelStore } from '../store/model-store';

/** Loads model files from disk; the File objects go to the worker as they are. */
export function LocalFilesPicker({ disabled }: { disabled: boolean }) {
  const loadModel = useModelStore((s) => s.loadModel);

  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    // Cleared so that picking the same files again loads them again.
    event.target.value = '';
    if (files.length > 0) void loadModel({ kind: 'files', files });
  };

  return (
    <div className="field">
      <label htmlFor="local-files">Local files</label>
      <input
        id="local-files"
        type="file"
        multiple
        accept=".json,.safetensors"
        disabled={disabled}
        onChange={pick}
        aria-describedby="local-files-hint"
      />
      <p id="local-files-hint" className="hint">
        Pick config.json, tokenizer.json and model.safetensors (or model.safetensors.index.json with its
        shards) together.
      </p>
    </div>
  );
}
