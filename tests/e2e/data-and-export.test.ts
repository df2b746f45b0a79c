/**
 * Your data, Compare, Try a task and Export in real Chromium against the production build: a
 * malformed CSV shows its row errors, a good one becomes a task, a tiny comparison trains MPT on
 * it, the vectors classify text, download as safetensors / JSON / a peft zip (read back here),
 * and import again; files for another model are refused with the mismatch named.
 * The steps share one page and run in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Download, Page } from 'playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeVectorsSafetensors } from '../../src/method/export';
import type { VectorSet } from '../../src/method/vector-set';
import { parseSafetensors, readSafetensorsMetadata, writeSafetensors } from '../../src/model/safetensors';
import { FIXTURE_D_MODEL as D_MODEL, FIXTURE_FILES, openPlayground, POS_NEG_CSV as GOOD, SCREENSHOTS } from './playground-page';

const TASK = 'reviews';
/** A training run of a few steps per stage, set through the page's URL (see src/store/url-settings.ts). */
const TINY_RUN = 'sources=wordnet-relation,spam&target=word-polarity&k=4&promptLength=4&batchSize=4&warmupSteps=1&sourceSteps=2&distillSteps=3&targetSteps=2&evalEvery=2&evalExamples=4&sourceExamples=8&snapshotEvery=1';

const MALFORMED = [
  'text,label',
  'a fine film,pos', // 2
  'a dull film,neg', // 3
  'no label here,', // 4: empty label
  'a fine film,pos', // 5: duplicate of line 2
  '"a bad "quote,neg', // 6: bad quote
  `${'very long words '.repeat(60)},pos`, // 7: over-long input
  'after the bad row,neg', // 8: still read
].join('\n');

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let lengthL = 0;

beforeAll(async () => {
  ({ browser, page, pageErrors } = await openPlayground(TINY_RUN, { downloads: true }));
});

afterAll(async () => {
  await browser?.close();
});

const upload = (name: string, text: string | Uint8Array) =>
  ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(text) }) as const;
const row = (line: number) => page.locator(`#your-data tr[data-line="${line}"]`);

/** One panel, cut from a full-page shot so the sticky section bar does not cover its top. */
async function screenshot(name: string, selector: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const clip = (await page.locator(selector).boundingBox())!;
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, clip });
}

async function downloadBytes(button: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [download] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()])) as [Download, void];
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

async function importVectors(name: string, bytes: Uint8Array) {
  await page.getByLabel('Import vectors (.safetensors, .json or a peft .zip)').setInputFiles(upload(name, bytes));
}

test('loads the tiny model from local files', async () => {
  await expect.poll(() => page.getByTestId('backend-name').textContent(), { timeout: 60_000 }).toMatch(/^(webgpu|wasm|cpu)$/);
  await page.getByLabel('Local files').setInputFiles(FIXTURE_FILES);
  await page.getByText('Loaded:').waitFor({ timeout: 120_000 });
});

test("a tiny training run's vectors are the ones in use, and download", async () => {
  await page.locator('#pipeline').getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/Done/);
  expect(await page.getByTestId('vector-origin').textContent()).toBe('the training run');
  const rows = page.getByRole('table', { name: 'Vectors per task' }).locator('tbody tr');
  await expect.poll(() => rows.allInnerTexts()).toEqual([
    expect.stringMatching(/^wordnet-relation\tsource\tteacher · u, v\tvalidation accuracy \d\.\d{3}$/),
    expect.stringMatching(/^spam\tsource\tteacher · u, v\tvalidation accuracy \d\.\d{3}$/),
    expect.stringMatching(/^word-polarity\ttarget\tu, v · own P\*\tvalidation accuracy \d\.\d{3}$/),
  ]);
  await screenshot('export-run', '#export');
  const { name, bytes } = await downloadBytes('Download .safetensors');
  const tensors = parseSafetensors(bytes, name);
  expect(tensors.get('shared_prompt')!.shape).toEqual([4, D_MODEL]);
  expect(tensors.get('teacher.spam')!.shape).toEqual([4, D_MODEL]);
  expect(tensors.get('task.word-polarity.v')!.shape).toEqual([D_MODEL, 1]);
  expect(JSON.parse(readSafetensorsMetadata(bytes, name).tasks)[2]).toMatchObject({ id: 'word-polarity', role: 'target', labels: ['positive', 'negative'] });
});

test('a malformed CSV shows every bad row in the table and the page keeps working', async () => {
  await page.getByLabel('Drop a CSV, TSV or JSONL file here, or pick one').setInputFiles(upload('broken.csv', MALFORMED));
  await row(8).waitFor({ timeout: 30_000 });
  const cells = async (line: number) => (await row(line).locator('td').allTextContents()).join(' | ');
  // Two rows per label: fewer than k = 16 for training, a warning on each usable row.
  expect(await cells(2)).toMatch(/^2 \| kept \| a fine film \| pos \| \w+ \| class "pos" has \d training rows?, fewer than k = 16$/);
  expect(await cells(4)).toMatch(/left out .*empty label/);
  expect(await cells(5)).toMatch(/left out .*duplicate of line 2/);
  expect(await cells(6)).toMatch(/left out \| "a bad "quote,neg .*bad quote/);
  // Token counts come from the model's tokenizer once the worker has counted them.
  await expect.poll(() => cells(7), { timeout: 30_000 }).toMatch(/kept .*\d+ tokens, more than 64: the end is cut off/);
  // The limit is the training setting "Max input tokens": changing it checks the rows again.
  const maxInput = page.locator('#settings').getByLabel('Max input tokens', { exact: true });
  await maxInput.fill('1000');
  await expect.poll(() => cells(7)).not.toMatch(/tokens, more than/);
  expect(await cells(7)).toMatch(/^7 \| kept \| very long words.* \| class "pos" has 2 training rows, fewer than k = 16$/);
  await maxInput.fill('64');
  await expect.poll(() => cells(7)).toMatch(/more than 64: the end is cut off/);
  expect(await cells(8)).toMatch(/after the bad row/);
  expect(await page.getByTestId('data-summary').textContent()).toMatch(/4 usable rows · 3 left out for errors · 4 kept with warnings/);

  // With k = 2 every label has enough training rows: only the long row keeps a warning.
  await page.locator('#your-data').getByLabel('Few-shot k', { exact: true }).fill('2');
  await expect.poll(() => cells(2)).toMatch(/^2 \| ok \| a fine film \| pos \| train \| $/);
  expect(await page.getByTestId('data-summary').textContent()).toMatch(/4 usable rows · 3 left out for errors · 1 kept with warnings/);
  await page.getByLabel('Only rows with problems').check();
  expect(await page.locator('#your-data tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['4', '5', '6', '7']);
  await screenshot('data-malformed', '#your-data');
  await page.getByLabel('Only rows with problems').uncheck();

  // The page still works: the frozen model generates.
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByTestId('generated-ids').waitFor({ timeout: 60_000 });
});

test('a good CSV becomes a task', async () => {
  await page.getByLabel('Drop a CSV, TSV or JSONL file here, or pick one').setInputFiles(upload(`${TASK}.csv`, GOOD));
  const ready = page.getByTestId('user-task');
  await ready.waitFor({ timeout: 30_000 });
  expect(await ready.textContent()).toMatch(new RegExp(`Task “${TASK}” is ready: 16 train / 4 validation / 4 test examples, 2 labels`));
  expect(await page.getByTestId('data-summary').textContent()).toMatch(/24 usable rows · 0 left out/);
  await page.locator('#your-data').getByLabel('Few-shot k', { exact: true }).fill('4');
  await screenshot('data-good', '#your-data');
});

test('compares MPT, prompt tuning and SPoT on the task and keeps the MPT vectors', async () => {
  await page.locator('#compare').getByLabel('Target task').selectOption(TASK);
  for (const [label, value] of [
    ['k values', '2, 4'],
    ['Seeds', '1, 2'],
    ['Stage 1 steps', '2'],
    ['Stage 2 steps', '2'],
    ['Target steps', '2'],
    ['Source examples', '8'],
    ['Test examples', '4'],
  ]) {
    await page.locator('#compare').getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Run comparison' }).click();
  await page.getByTestId('compare-chart').waitFor({ timeout: 150_000 });
  const table = page.getByRole('table', { name: 'Comparison results' });
  expect(await table.locator('thead th').allTextContents()).toEqual(['Method', 'k = 2', 'k = 4']);
  expect(await table.locator('tbody th').allTextContents()).toEqual(['MPT', 'Prompt tuning', 'SPoT']);
  expect(await table.locator('tbody td').first().textContent()).toMatch(/^\d+\.\d% \(\d+\.\d%–\d+\.\d%, n = 2\)$/);
  expect(await page.locator('#compare .recharts-line').count()).toBe(3);
  await screenshot('compare', '#compare');

  await page.getByRole('button', { name: 'Use these MPT vectors for Try it and Export' }).click();
  expect(await page.getByTestId('vector-origin').textContent()).toBe(`the comparison on ${TASK} (MPT, k = 4, seed 1)`);
});

test('classifies with the task vectors and switches tasks without reloading', async () => {
  const taskSelect = page.locator('#classify').getByLabel('Task', { exact: true });
  const choices = await taskSelect.locator('option').allTextContents();
  expect(choices).toContain(`${TASK} (target, MPT)`);
  await taskSelect.selectOption({ label: `${TASK} (target, MPT)` });
  await page.getByLabel('Text to classify').fill('a lovely warm story');
  await page.getByRole('button', { name: 'Classify' }).click();
  const bars = page.getByRole('list', { name: 'Class probabilities' });
  await bars.waitFor({ timeout: 60_000 });
  expect(await bars.locator('li .prob-label').allTextContents()).toEqual(['pos', 'neg']);
  const total = (await bars.locator('.prob-value').allTextContents()).reduce((sum, t) => sum + parseFloat(t), 0);
  expect(total).toBeCloseTo(100, 0);
  expect(['pos', 'neg']).toContain(await page.getByTestId('predicted-label').textContent());
  await screenshot('try-a-task', '#classify');

  // Another task: the same frozen model, only the prompt in the worker changes.
  const source = choices.find((c) => c.endsWith('(source, MPT)'))!;
  await taskSelect.selectOption({ label: source });
  await expect.poll(() => bars.locator('li .prob-label').allTextContents(), { timeout: 30_000 }).not.toEqual(['pos', 'neg']);
});

test('downloads the vectors as safetensors and JSON with names, shapes and metadata', async () => {
  const { name, bytes } = await downloadBytes('Download .safetensors');
  expect(name).toBe('mpt-vectors.safetensors');
  const tensors = parseSafetensors(bytes, name);
  const metadata = readSafetensorsMetadata(bytes, name);
  lengthL = Number(metadata.prompt_length);
  const r = Number(metadata.rank);
  expect(metadata).toMatchObject({ format: 'mpt-playground.task-vectors', d_model: String(D_MODEL) });
  expect(JSON.parse(metadata.tasks).map((t: { id: string; role: string }) => `${t.id}:${t.role}`)).toEqual(['brown-genre:source', 'sotu-era:source', `${TASK}:target`]);
  expect(JSON.parse(metadata.tasks)[2]).toMatchObject({ kind: 'classification', labels: ['pos', 'neg'], verbalizers: ['pos', 'neg'] });
  expect(Object.keys(JSON.parse(metadata.metrics)[TASK])).toEqual(['test_accuracy']);
  expect(tensors.get('shared_prompt')!.shape).toEqual([lengthL, D_MODEL]);
  expect(tensors.get('teacher.brown-genre')!.shape).toEqual([lengthL, D_MODEL]);
  expect(tensors.get('task.sotu-era.u')!.shape).toEqual([lengthL, r]);
  expect(tensors.get('task.sotu-era.v')!.shape).toEqual([D_MODEL, r]);
  expect(tensors.get(`task.${TASK}.shared_prompt`)!.shape).toEqual([lengthL, D_MODEL]);

  const json = await downloadBytes('Download .json');
  const parsed = JSON.parse(strFromU8(json.bytes)) as { prompt_length: number; tensors: Record<string, { shape: number[] }> };
  expect(parsed.prompt_length).toBe(lengthL);
  expect(parsed.tensors[`task.${TASK}.u`].shape).toEqual([lengthL, r]);

  // Import it back: the same vectors, now from the file.
  await importVectors(name, bytes);
  await expect.poll(() => page.getByTestId('vector-origin').textContent()).toBe(`the file ${name}`);
  expect(await page.getByTestId('vector-summary').textContent()).toMatch(new RegExp(`l = ${lengthL}, d = ${D_MODEL}, r = ${r}`));
});

test('downloads a peft MultitaskPromptTuning adapter zip and imports it back', async () => {
  const { name, bytes } = await downloadBytes('Download peft adapter (.zip)');
  expect(name).toBe('mpt-peft-adapter.zip');
  const files = unzipSync(bytes);
  const config = JSON.parse(strFromU8(files['adapter_config.json'])) as Record<string, unknown>;
  expect(config).toMatchObject({
    peft_type: 'MULTITASK_PROMPT_TUNING',
    task_type: 'SEQ_2_SEQ_LM',
    base_model_name_or_path: null, // loaded from local files: no Hugging Face id to give
    num_virtual_tokens: lengthL,
    token_dim: D_MODEL,
    num_transformer_submodules: 1,
    num_tasks: 2,
    num_ranks: 1,
    num_attention_heads: 3,
    num_layers: 2,
    prompt_tuning_init: 'RANDOM',
    inference_mode: true,
  });
  const weights = parseSafetensors(files['adapter_model.safetensors'], 'adapter_model.safetensors');
  expect(Object.fromEntries([...weights].map(([n, t]) => [n, t.shape]))).toEqual({
    prefix_task_cols: [2, lengthL, 1],
    prefix_task_rows: [2, 1, D_MODEL],
    prompt_embeddings: [lengthL, D_MODEL],
  });
  expect(JSON.parse(strFromU8(files['target/adapter_config.json'])).num_tasks).toBe(1);

  await importVectors(name, bytes);
  await expect.poll(() => page.getByTestId('vector-origin').textContent()).toBe(`the file ${name}`);
  expect(await page.getByRole('table', { name: 'Vectors per task' }).locator('tbody tr').count()).toBe(3);
});

test('refuses vectors for another model, naming the mismatch', async () => {
  // Another width d: the loaded model cannot use these prompts.
  await importVectors('wide.safetensors', writeVectorsSafetensors(sharedOnly(lengthL, 16)));
  const error = page.getByTestId('import-error');
  await expect.poll(() => error.textContent(), { timeout: 30_000 }).toMatch(/wide\.safetensors: these vectors are for another model: their d = 16 .* has d_model = 32/);
  await screenshot('import-error', '#export');

  // Another l than the file says its prompts have.
  const metadata = readSafetensorsMetadata(writeVectorsSafetensors(sharedOnly(lengthL, D_MODEL)), 'x');
  const short = writeSafetensors({ shared_prompt: { shape: [lengthL - 1, D_MODEL], data: new Float32Array((lengthL - 1) * D_MODEL) } }, metadata);
  await importVectors('short.safetensors', short);
  await expect
    .poll(() => error.textContent())
    .toBe(`Could not import: short.safetensors: tensor "shared_prompt" has shape [${lengthL - 1}, ${D_MODEL}] but l = ${lengthL}, d = ${D_MODEL}, r = 1 make [l, d] = [${lengthL}, ${D_MODEL}]`);
  // What was in use stays in use.
  expect(await page.getByTestId('vector-origin').textContent()).toBe('the file mpt-peft-adapter.zip');
});

test('the panels fit a narrow window', async () => {
  await page.setViewportSize({ width: 400, height: 800 });
  // Charts follow the width through a ResizeObserver, a moment later.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { timeout: 10_000 }).toBeLessThanOrEqual(0);
  await screenshot('data-narrow', '#your-data');
});

test('nothing threw in the page', () => {
  expect(pageErrors).toEqual([]);
});

/** A vector set with nothing but a zero P* [l, d]. */
function sharedOnly(l: number, d: number): VectorSet {
  return { modelId: 'other-model', promptLength: l, dModel: d, rank: 1, shared: { shape: [l, d], data: new Float32Array(l * d) }, tasks: [] };
}
