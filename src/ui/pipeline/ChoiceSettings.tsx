import type { PromptInit } from '../../method/prompt-init';
import type { Mixing } from '../../method/sampler';
import type { MethodSettings } from '../../method/settings';
import type { NumberField } from '../../store/session-config';
import { NumberSetting } from './NumberSetting';

/** The hyperparameters that are a choice rather than a number: prompt initialisation, mixing, hidden states, target start. */

type Props<T> = { value: T; defaultValue: T; disabled: boolean; onChange: (value: T) => void };
const changedClass = (changed: boolean) => (changed ? 'field changed' : 'field');

const INIT_DEFAULTS: Record<PromptInit['kind'], PromptInit> = {
  vocab: { kind: 'vocab', fromTopTokens: 5000 },
  random: { kind: 'random', range: 0.5 },
  text: { kind: 'text', text: 'Classify the text.' },
};

const TOP_TOKENS_FIELD: NumberField<'fromTopTokens'> = {
  key: 'fromTopTokens',
  label: 'From the top tokens',
  hint: 'Sample among the N most frequent pieces.',
  integer: true,
  min: 1,
};
const RANGE_FIELD: NumberField<'initRange'> = {
  key: 'initRange',
  label: 'Noise range',
  hint: 'Values uniform in [-range, range].',
  integer: false,
  min: 0,
  exclusiveMin: true,
};
const CAP_FIELD: NumberField<'mixingCap'> = {
  key: 'mixingCap',
  label: 'Mixing cap',
  hint: 'A task weighs at most this many examples.',
  integer: true,
  min: 1,
};

export function PromptInitSetting({ value, defaultValue, disabled, onChange }: Props<PromptInit>) {
  const changed = JSON.stringify(value) !== JSON.stringify(defaultValue);
  return (
    <>
      <div className={changedClass(changed)}>
        <label htmlFor="setting-promptInit">Prompt initialisation</label>
        <select
          id="setting-promptInit"
          value={value.kind}
          disabled={disabled}
          onChange={(e) => onChange(INIT_DEFAULTS[e.target.value as PromptInit['kind']])}
        >
          <option value="vocab">vocabulary</option>
          <option value="random">random noise</option>
          <option value="text">a text</option>
        </select>
        <p className="hint">Stage-1 prompts start as embeddings of sampled vocabulary, noise or a text (Lester et al. 2021).</p>
      </div>
      {value.kind === 'vocab' && (
        <NumberSetting
          field={TOP_TOKENS_FIELD}
          value={value.fromTopTokens ?? 5000}
          disabled={disabled}
          onChange={(fromTopTokens) => onChange({ kind: 'vocab', fromTopTokens })}
        />
      )}
      {value.kind === 'random' && (
        <NumberSetting
          field={RANGE_FIELD}
          value={value.range ?? 0.5}
          disabled={disabled}
          onChange={(range) => onChange({ kind: 'random', range })}
        />
      )}
      {value.kind === 'text' && (
        <div className="field">
          <label htmlFor="setting-initText">Initialisation text</label>
          <input
            id="setting-initText"
            type="text"
            value={value.text}
            disabled={disabled}
            onChange={(e) => e.target.value.trim() !== '' && onChange({ kind: 'text', text: e.target.value })}
          />
          <p className="hint">Repeated to length l.</p>
        </div>
      )}
    </>
  );
}

export function MixingSetting({ value, defaultValue, disabled, onChange }: Props<Mixing>) {
  const changed = JSON.stringify(value) !== JSON.stringify(defaultValue);
  return (
    <>
      <div className={changedClass(changed)}>
        <label htmlFor="setting-mixing">Task mixing (stage 2)</label>
        <select
          id="setting-mixing"
          value={value.kind}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value === 'uniform' ? { kind: 'uniform' } : { kind: 'proportional', cap: 3000 })}
        >
          <option value="proportional">examples-proportional</option>
          <option value="uniform">uniform</option>
        </select>
        <p className="hint">How batch rows pick their source task (T5 §3.5.2).</p>
      </div>
      {value.kind === 'proportional' && (
        <NumberSetting
          field={CAP_FIELD}
          value={value.cap}
          disabled={disabled}
          onChange={(cap) => onChange({ kind: 'proportional', cap })}
        />
      )}
    </>
  );
}

export function HiddenStatesSetting({ value, defaultValue, disabled, onChange }: Props<MethodSettings['hiddenStates']>) {
  return (
    <div className={changedClass(value !== defaultValue)}>
      <label htmlFor="setting-hiddenStates">L_Hidden compares</label>
      <select
        id="setting-hiddenStates"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as MethodSettings['hiddenStates'])}
      >
        <option value="encoder">encoder states</option>
        <option value="decoder">decoder states</option>
      </select>
      <p className="hint">Mean squared error between student and teacher.</p>
    </div>
  );
}

export function TargetStartSetting({ value, defaultValue, disabled, onChange }: Props<MethodSettings['targetStart']>) {
  return (
    <div className={changedClass(value !== defaultValue)}>
      <label htmlFor="setting-targetStart">Target u, v start</label>
      <select id="setting-targetStart" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as MethodSettings['targetStart'])}>
        <option value="ones">P* (u vᵀ = 1)</option>
        <option value="source-average">sources&apos; mean u, v</option>
      </select>
      <p className="hint">The paper starts the target prompt at P* (u vᵀ = 1); peft can also start u, v at the mean of the sources&apos; u_k, v_k.</p>
    </div>
  );
}
