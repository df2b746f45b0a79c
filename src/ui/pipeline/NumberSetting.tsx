import { useEffect, useState } from 'react';
import { parseField, type NumberField } from '../../store/session-config';

/**
 * A labelled number field. The text is kept as typed (so it can be cleared while editing); the
 * value is passed on only when it parses and fits the field's range.
 */
export function NumberSetting<K extends string>({
  field,
  value,
  defaultValue,
  disabled,
  onChange,
}: {
  field: NumberField<K>;
  value: number;
  /** Shown when the value differs from it. */
  defaultValue?: number;
  disabled: boolean;
  onChange: (value: number) => void;
}) {
  const [text, setText] = useState(String(value));
  // Follow changes from elsewhere (a reset, a shared link) unless the text already means this value.
  useEffect(() => {
    setText((current) => (parseField(field, current) === value ? current : String(value)));
  }, [value]); // A field never changes its range.

  const id = `setting-${field.key}`;
  const invalid = parseField(field, text) === null;
  const changed = defaultValue !== undefined && value !== defaultValue;
  return (
    <div className={changed ? 'field changed' : 'field'}>
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        type="number"
        min={field.min}
        step={field.integer ? 1 : 'any'}
        value={text}
        disabled={disabled}
        aria-invalid={invalid}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseField(field, e.target.value);
          if (parsed !== null) onChange(parsed);
        }}
      />
      <p id={`${id}-hint`} className="hint">
        {invalid ? <span className="error">{field.integer ? 'A whole number' : 'A number'} ≥ {field.min} is needed. </span> : null}
        {field.hint}
        {changed && ` Default: ${defaultValue}.`}
      </p>
    </div>
  );
}
