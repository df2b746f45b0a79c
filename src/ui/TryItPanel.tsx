import { useState, type FormEvent } from 'react';
import { useModelStore } from '../store/model-store';
import { formatMs } from './format';
import { Panel } from './Panel';

/** Runs the frozen model on a prompt: a quick check that the weights and the backend work. */
export function TryItPanel() {
  const canGenerate = useModelStore(
    (s) => s.model !== null && s.status !== 'loading' && !s.generating && s.workerProblem === null,
  );
  const generating = useModelStore((s) => s.generating);
  const generation = useModelStore((s) => s.generation);
  const generationError = useModelStore((s) => s.generationError);
  const generate = useModelStore((s) => s.generate);
  const [text, setText] = useState('translate English to German: The house is wonderful.');
  // Kept as typed, so the field can be cleared while editing; the form checks the range.
  const [maxNewTokens, setMaxNewTokens] = useState('20');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void generate(text, Number(maxNewTokens));
  };

  return (
    <Panel id="try-it" title="Try it">
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="prompt">Input text</label>
          <textarea id="prompt" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="max-new-tokens">Max new tokens</label>
            <input
              id="max-new-tokens"
              type="number"
              required
              min={1}
              max={512}
              step={1}
              value={maxNewTokens}
              onChange={(e) => setMaxNewTokens(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={!canGenerate}>
            {generating ? 'Generating…' : 'Generate'}
          </button>
        </div>
      </form>
      {generationError && (
        <p className="error" role="alert">
          {generationError}
        </p>
      )}
      {generation && (
        <dl className="facts output" aria-live="polite">
          <dt>Output</dt>
          <dd data-testid="generated-text">{generation.text || <span className="muted">(empty)</span>}</dd>
          <dt>Ids</dt>
          <dd data-testid="generated-ids" className="ids">
            {generation.ids.join(' ')}
          </dd>
          <dt>Time</dt>
          <dd data-testid="generation-time">
            {formatMs(generation.ms)} · {((generation.ids.length * 1000) / generation.ms).toFixed(1)} tokens/s
          </dd>
        </dl>
      )}
    </Panel>
  );
}
