import { useState, type FormEvent } from 'react';
import { useModelStore } from '../store/model-store';
import { sourceFromText } from '../store/model-source';

/** Loads from a Hugging Face repo id or any folder URL that serves the model files. */
export function RemoteModelForm({ disabled }: { disabled: boolean }) {
  const loadModel = useModelStore((s) => s.loadModel);
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      const source = sourceFromText(text);
      setInvalid(null);
      void loadModel(source);
    } catch (e) {
      setInvalid((e as Error).message);
    }
  };

  return (
    <form className="field" onSubmit={submit}>
      <label htmlFor="remote-model">Hugging Face repo id or folder URL</label>
      <div className="row">
        <input
          id="remote-model"
          type="text"
          placeholder="google/flan-t5-small"
          spellCheck={false}
          autoComplete="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={invalid !== null}
          aria-describedby={invalid ? 'remote-model-error' : undefined}
        />
        <button type="submit" disabled={disabled || text.trim() === ''}>
          Load
        </button>
      </div>
      {invalid && (
        <p id="remote-model-error" className="error">
          {invalid}
        </p>
      )}
    </form>
  );
}
