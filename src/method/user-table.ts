import Papa from 'papaparse';

/**
 * Reading the user's own data into a plain table: CSV and TSV through papaparse (quoting,
 * embedded newlines and delimiter guessing are its job), JSONL one object per line. Nothing is
 * dropped: a row that cannot be read becomes a row with a `readError`, so the page can show it.
 */

export type TableFormat = 'csv' | 'tsv' | 'jsonl';

export interface TableRow {
  /** 1-based line of the text where the row starts. */
  line: number;
  /** One value per column; '' where the row has none. */
  values: string[];
  /** Why the row could not be read as it stands (bad quote, wrong field count, bad JSON). */
  readError?: string;
}

export interface Table {
  format: TableFormat;
  columns: string[];
  rows: TableRow[];
}

/** Bytes to text. Invalid UTF-8 becomes U+FFFD, which the row checks then flag. */
export function decodeText(bytes: Uint8Array): { text: string; validUtf8: boolean } {
  let validUtf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    validUtf8 = false;
  }
  return { text: new TextDecoder('utf-8').decode(bytes), validUtf8 };
}

/** The format from a file name, or from the text itself when there is none (pasted text). */
export function guessFormat(text: string, fileName?: string): TableFormat {
  const extension = fileName?.toLowerCase().match(/\.(\w+)$/)?.[1];
  if (extension === 'tsv' || extension === 'tab') return 'tsv';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  if (extension === 'csv') return 'csv';
  if (text.trimStart().startsWith('{')) return 'jsonl';
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  return firstLine.includes('\t') ? 'tsv' : 'csv';
}

export function parseTable(text: string, format: TableFormat, hasHeader: boolean): Table {
  const table = format === 'jsonl' ? parseJsonl(text) : parseDelimited(text, format === 'tsv' ? '\t' : ',', hasHeader);
  return { format, ...table };
}

/** 1-based line number of each character offset, by counting newlines once. */
function lineCounter(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function uniqueColumnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = raw.trim() || `column ${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

/**
 * A quote error makes a CSV parser read on to the next quote, often to the end of the file, so
 * one bad row would swallow every row after it. Instead, the physical line where the bad row
 * starts becomes one row with the error, and parsing starts again on the next line.
 */
function parseDelimited(text: string, delimiter: string, hasHeader: boolean): Omit<Table, 'format'> {
  const lineOf = lineCounter(text);
  const records: { line: number; fields: string[]; error?: string }[] = [];
  let base = 0;
  while (base < text.length) {
    let restartAt = -1;
    let rowStart = base;
    Papa.parse<string[]>(text.slice(base), {
      delimiter,
      skipEmptyLines: true,
      step: (result, parser) => {
        // Empty lines are skipped: the row starts after them.
        let start = rowStart;
        while (text[start] === '\n' || text[start] === '\r') start++;
        const quoteError = result.errors.find((e) => e.type === 'Quotes');
        if (quoteError) {
          const lineEnd = text.indexOf('\n', start);
          const raw = text.slice(start, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
          records.push({ line: lineOf(start), fields: [raw], error: `bad quote: ${quoteError.message.toLowerCase()}` });
          restartAt = lineEnd < 0 ? text.length : lineEnd + 1;
          parser.abort();
          return;
        }
        records.push({ line: lineOf(start), fields: result.data });
        rowStart = base + result.meta.cursor;
      },
    });
    if (restartAt < 0) break;
    base = restartAt;
  }

  const headerRecord = hasHeader ? records.shift() : undefined;
  const width = records.reduce((w, r) => Math.max(w, r.error ? 1 : r.fields.length), 1);
  const columns = uniqueColumnNames(headerRecord?.fields ?? Array.from({ length: width }, () => ''));
  const rows = records.map((r): TableRow => {
    const values = columns.map((_, i) => r.fields[i] ?? '');
    if (r.error) return { line: r.line, values, readError: r.error };
    if (hasHeader && r.fields.length !== columns.length) {
      const readError =
        r.fields.length > columns.length
          ? `has ${r.fields.length} fields but the header has ${columns.length} (an unquoted ${delimiter === '\t' ? 'tab' : 'comma'} in the text?)`
          : `has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'} but the header has ${columns.length}`;
      return { line: r.line, values, readError };
    }
    return { line: r.line, values };
  });
  return { columns, rows };
}

function parseJsonl(text: string): Omit<Table, 'format'> {
  const columns: string[] = [];
  const parsed: { line: number; object?: Record<string, unknown>; error?: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        parsed.push({ line: i + 1, error: 'not a JSON object' });
        return;
      }
      for (const key of Object.keys(value)) if (!columns.includes(key)) columns.push(key);
      parsed.push({ line: i + 1, object: value as Record<string, unknown> });
    } catch (e) {
      parsed.push({ line: i + 1, error: `not JSON: ${(e as Error).message}` });
    }
  });
  if (columns.length === 0) columns.push('column 1');
  const rows = parsed.map(({ line, object, error }): TableRow => {
    if (!object) return { line, values: columns.map(() => ''), readError: error };
    const nonText = columns.filter((c) => typeof object[c] === 'object' && object[c] !== null);
    const values = columns.map((c) => {
      const v = object[c];
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
    return nonText.length ? { line, values, readError: `"${nonText.join('", "')}" is not text` } : { line, values };
  });
  return { columns, rows };
}
