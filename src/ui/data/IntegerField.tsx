import { useEffect, useState } from 'react';

/**
 * A labelled whole-number field. The text is kept as typed, so it can be cleared while editing;
 * `onChange` gets the value only when it is a whole number of at least `min`.
 */
export function IntegerField({
  id,
  label,
  value,
  min,
  disabled = false,
  onChange,
}: {
  id: string;
  label: string;
  value: number;
  min: number;
  disabled?: boolean;
  onChange: (value: number) => void;
}) {
  const [text, setText] = useState(String(value));
  const parse = (t: string) => (t.trim() !== '' && Number.isInteger(Number(t)) && Number(t) >= min ? Number(t) : null);
  // Follow a value set elsewhere unless the text already means it (`min` never changes).
  useEffect(() => setText((current) => (parse(current) === value ? current : String(value))), [value]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        step={1}
        value={text}
        disabled={disabled}
        aria-invalid={parse(text) === null}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parse(e.target.value);
          if (parsed !== null) onChange(parsed);
        }}
      />
    </div>
  );
}
