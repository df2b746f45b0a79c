import { describe, expect, it } from 'vitest';
import { fewShot } from '../../src/method/task-data';
import { buildUserTask, checkRows, guessMapping, taskIdFrom, type CheckOptions } from '../../src/method/user-data';
import { decodeText, guessFormat, parseTable } from '../../src/method/user-table';

const options: CheckOptions = { k: 1, seed: 1, maxInputTokens: 64, tokenCounts: null };
const issuesOf = (checked: ReturnType<typeof checkRows>, line: number) =>
  checked.rows.find((r) => r.line === line)!.issues.map((i) => `${i.severity}:${i.code}`);

describe('reading tables', () => {
  it('reads CSV with quotes, embedded newlines, CRLF and empty lines, keeping line numbers', () => {
    const table = parseTable('text,label\r\n"a, b",x\r\n\r\n"two\nlines",y\r\nplain,z\r\n', 'csv', true);
    expect(table.columns).toEqual(['text', 'label']);
    expect(table.rows.map((r) => [r.line, r.values[0], r.values[1].trim()])).toEqual([
      [2, 'a, b', 'x'],
      [4, 'two\nlines', 'y'],
      [6, 'plain', 'z'],
    ]);
    expect(table.rows.every((r) => !r.readError)).toBe(true);
  });

  it('turns a bad quote into one bad row and reads on from the next line', () => {
    const table = parseTable('text,label\ngood,x\n"bad "quote,y\nafter,z\n"unclosed,y\nlast,x\n', 'csv', true);
    expect(table.rows.map((r) => [r.line, r.readError ? 'bad' : r.values[0]])).toEqual([
      [2, 'good'],
      [3, 'bad'],
      [4, 'after'],
      [5, 'bad'],
      [6, 'last'],
    ]);
    expect(table.rows[1].readError).toMatch(/^bad quote/);
    expect(table.rows[1].values[0]).toBe('"bad "quote,y');
  });

  it('flags rows with too many or too few fields', () => {
    const table = parseTable('text,label\na,b,c\nonly\n', 'csv', true);
    expect(table.rows[0].readError).toMatch(/3 fields but the header has 2/);
    expect(table.rows[1].readError).toMatch(/1 field but the header has 2/);
  });

  it('reads TSV and headerless files', () => {
    const table = parseTable('a b\tpos\nc, d\tneg\n', 'tsv', false);
    expect(table.columns).toEqual(['column 1', 'column 2']);
    expect(table.rows.map((r) => r.values)).toEqual([
      ['a b', 'pos'],
      ['c, d', 'neg'],
    ]);
  });

  it('reads JSONL, flagging bad lines and non-text fields', () => {
    const table = parseTable('{"input":"a","label":"x"}\nnot json\n[1]\n{"input":"b","label":{"k":1},"extra":2}\n', 'jsonl', true);
    expect(table.columns).toEqual(['input', 'label', 'extra']);
    expect(table.rows.map((r) => [r.line, r.readError ?? r.values.join('|')])).toEqual([
      [1, 'a|x|'],
      [2, expect.stringMatching(/^not JSON/)],
      [3, 'not a JSON object'],
      [4, '"label" is not text'],
    ]);
  });

  it('guesses the format and decodes bad bytes to U+FFFD', () => {
    expect(guessFormat('x', 'data.TSV')).toBe('tsv');
    expect(guessFormat('{"a":1}\n')).toBe('jsonl');
    expect(guessFormat('a\tb\n')).toBe('tsv');
    expect(guessFormat('a,b\n')).toBe('csv');
    const decoded = decodeText(new Uint8Array([0x61, 0xff, 0x62]));
    expect(decoded).toEqual({ text: 'a\uFFFDb', validUtf8: false });
    expect(decodeText(new TextEncoder().encode('é')).validUtf8).toBe(true);
  });
});

describe('checking rows', () => {
  const csv = [
    'text,label',
    'good one,pos', // 2
    'good two,pos', // 3
    'bad one,neg', // 4
    'empty label,', // 5
    'good one,pos', // 6: duplicate of 2
    'torn,pos', // 7
    'torn,neg', // 8: conflicts with 7
    `${'long '.repeat(100)},neg`, // 9
    'bad two,neg', // 10
    'caf\uFFFD,neg', // 11
    'bad three,neg', // 12
    'good three,pos', // 13
  ].join('\n');
  const table = parseTable(csv, 'csv', true);
  const mapping = guessMapping(table.columns);

  it('maps columns by name', () => {
    expect(mapping).toEqual({ kind: 'classification', input: 0, output: 1 });
    expect(guessMapping(['question', 'answer'])).toEqual({ kind: 'generation', input: 0, output: 1 });
    expect(guessMapping(['a', 'b'])).toEqual({ kind: 'classification', input: 0, output: 1 });
  });

  it('flags every problem on its row and excludes only the errors', () => {
    const checked = checkRows(table, mapping, options);
    expect(checked.rows).toHaveLength(12);
    expect(issuesOf(checked, 5)).toEqual(['error:empty']);
    expect(issuesOf(checked, 6)).toEqual(['error:duplicate']);
    expect(issuesOf(checked, 7)).toEqual(['error:conflict']);
    expect(issuesOf(checked, 8)).toEqual(['error:conflict']);
    expect(issuesOf(checked, 9)).toEqual(['warning:too-long']);
    expect(issuesOf(checked, 11)).toEqual(['error:encoding']);
    expect(issuesOf(checked, 2)).toEqual([]);
    expect(checked.excluded).toBe(5);
    expect(checked.rows.find((r) => r.line === 6)!.issues[0].message).toBe('duplicate of line 2');
    expect(checked.blocker).toBeNull();
  });

  it('uses real token counts when it has them', () => {
    const tokenCounts = table.rows.map(() => 3);
    const checked = checkRows(table, mapping, { ...options, tokenCounts });
    expect(issuesOf(checked, 9)).toEqual([]);
    const strict = checkRows(table, mapping, { ...options, tokenCounts, maxInputTokens: 2 });
    expect(strict.rows.find((r) => r.line === 2)!.issues[0].message).toBe('3 tokens, more than 2: the end is cut off');
  });

  it('warns about classes with fewer training rows than k', () => {
    const checked = checkRows(table, mapping, { ...options, k: 16 });
    expect(checked.classes.map((c) => c.label)).toEqual(['pos', 'neg']);
    expect(issuesOf(checked, 2)).toEqual(['warning:small-class']);
    expect(checked.rows.find((r) => r.line === 2)!.issues[0].message).toMatch(/class "pos" has \d training rows?, fewer than k = 16/);
    expect(checked.excluded).toBe(5);
  });

  it('builds a TaskData of the usable rows, split per class and seeded', () => {
    const checked = checkRows(table, mapping, options);
    const task = buildUserTask(checked, mapping.kind, taskIdFrom('My Reviews.csv'));
    expect(task.id).toBe('my-reviews');
    expect(task.verbalizers).toEqual(['pos', 'neg']);
    const all = [...task.train, ...task.validation, ...task.test];
    expect(all).toHaveLength(7);
    expect(new Set(all.map((e) => e.input)).size).toBe(7);
    for (const split of [task.train, task.validation, task.test]) expect(new Set(split.map((e) => e.target))).toEqual(new Set(['pos', 'neg']));
    expect(buildUserTask(checkRows(table, mapping, options), 'classification', 'x')).toEqual({ ...task, id: 'x' });
    expect(fewShot(task, 1, 1)).toHaveLength(2);
  });

  it('refuses to build a task it cannot train or test', () => {
    const oneClass = parseTable('text,label\na,x\nb,x\nc,x\n', 'csv', true);
    const checked = checkRows(oneClass, guessMapping(oneClass.columns), options);
    expect(checked.blocker).toMatch(/at least two labels/);
    expect(() => buildUserTask(checked, 'classification', 'x')).toThrow(/at least two labels/);
    const empty = checkRows(parseTable('text,label\n,\n', 'csv', true), mapping, options);
    expect(empty.blocker).toMatch(/No usable rows/);
  });

  it('keeps several answers to one question for generation, with a warning', () => {
    const qa = parseTable('question,answer\nq1,a\nq1,b\nq2,c\nq3,d\n', 'csv', true);
    const checked = checkRows(qa, guessMapping(qa.columns), options);
    expect(checked.rows.map((r) => r.issues.map((i) => `${i.severity}:${i.code}`))).toEqual([['warning:conflict'], ['warning:conflict'], [], []]);
    const task = buildUserTask(checked, 'generation', 'qa');
    expect(task.verbalizers).toEqual([]);
    expect(task.train.length + task.validation.length + task.test.length).toBe(4);
  });
});
