/**
 * The first-visit flow in real Chromium against the production build: run the three
 * stages on built-in tasks, paste a few examples, make them the pipeline's target, adapt P* to
 * them (stage 3 only), reload mid-run and resume, and download vectors that hold the new task.
 * Also: Try a task writes answers for a generative task, and a comparison can be cancelled.
 * The steps share one page and run in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseSafetensors, readSafetensorsMetadata } from '../../src/model/safetensors';
import { FIXTURE_D_MODEL as D_MODEL, FIXTURE_FILES, openPlayground, POS_NEG_CSV as PASTED, SCREENSHOTS } from './playground-page';

/** A run of a few steps per stage; wordnet-define is a generative source. */
const TINY_RUN =
  'sources=wordnet-define,spam&target=word-polarity&k=4&promptLength=4&batchSize=4&warmupSteps=1&sourceSteps=2&distillSteps=3&targetSteps=2&evalEvery=2&evalExamples=4&sourceExamples=8&snapshotEvery=1&checkpointEvery=1';
/** Pasted text is named "your data". */
const TASK = 'your-data';
/** Stage 3 on the pasted examples: long enough to pause it on the way. */
const ADAPT_STEPS = 60;

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  ({ browser, page, pageErrors } = await openPlayground(TINY_RUN, { downloads: true }));
});

afterAll(async () => {
  await browser?.close();
});

async function loadModel() {
  await expect.poll(() => page.getByTestId('backend-name').textContent(), { timeout: 60_000 }).toMatch(/^(webgpu|wasm|cpu)$/);
  await page.getByLabel('Local files').setInputFiles(FIXTURE_FILES);
  await page.locator('#model').getByText('Loaded:').waitFor({ timeout: 120_000 });
}

const runStatus = () => page.getByTestId('run-status').textContent();
const points = async (chart: string) => Number(await page.getByTestId(`chart-${chart}`).getAttribute('data-points'));

async function screenshot(name: string, selector: string) {
  // The sticky navigation would be drawn over whatever the shot scrolls to.
  await page.locator(selector).screenshot({ path: join(SCREENSHOTS, `${name}.png`), style: '.app-nav { position: static !important; }' });
}

test('runs the three stages on built-in tasks, then suggests adapting P* to a new target', async () => {
  await loadModel();
  await page.locator('#pipeline').getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(runStatus, { timeout: 180_000 }).toMatch(/Done/);
  const banner = page.locator('#pipeline .adapt-banner');
  expect(await banner.textContent()).toMatch(/P\* is trained\. .*Your data/);
  // Nothing new is chosen yet: adapting would go to the same built-in target.
  expect(await banner.getByRole('button').textContent()).toBe('Adapt P* to “Word polarity”');
  await screenshot('own-data-adapt-offer', '#pipeline');
  // Before any data, the Tasks panel says where own examples come from.
  expect(await page.getByTestId('user-task-card').textContent()).toMatch(/Paste or drop a few labelled examples in Your data/);
});

test('Try a task writes an answer for a generative task and ranks labels for a classifier', async () => {
  const taskSelect = page.locator('#classify').getByLabel('Task', { exact: true });
  expect(await taskSelect.locator('option').allTextContents()).toContain('wordnet-define (source, MPT)');
  await taskSelect.selectOption({ label: 'wordnet-define (source, MPT)' });
  await page.locator('#classify').getByLabel('Input for the task').fill('a large natural stream of water');
  await page.getByRole('button', { name: 'Write an answer' }).click();
  const answer = page.getByTestId('task-answer');
  await answer.waitFor({ timeout: 60_000 });
  expect(await page.locator('#classify .output').textContent()).toMatch(/^Answer: .+ \(greedy, at most 32 tokens; [\d.]+ m?s in the worker\)$/);
  expect(await page.getByRole('list', { name: 'Class probabilities' }).count()).toBe(0);
  await screenshot('tryit-generation', '#classify');

  // A classification task on the same text: label probabilities instead of an answer.
  await taskSelect.selectOption({ label: 'spam (source, MPT)' });
  const bars = page.getByRole('list', { name: 'Class probabilities' });
  await bars.waitFor({ timeout: 60_000 });
  expect(await bars.locator('li .prob-label').allTextContents()).toEqual(['spam', 'ham']);
  expect(await answer.count()).toBe(0);
});

test('pasted examples become the pipeline target from the Data panel', async () => {
  await page.getByLabel('…or paste rows (with a header line)').fill(PASTED);
  await page.getByRole('button', { name: 'Read pasted text' }).click();
  const ready = page.getByTestId('user-task');
  await ready.waitFor({ timeout: 30_000 });
  expect(await ready.textContent()).toMatch(new RegExp(`Task “${TASK}” is ready: 16 train / 4 validation / 4 test examples, 2 labels`));
  await screenshot('own-data-use-as-target', '.user-task-ready');
  await page.getByRole('button', { name: 'Use it as the pipeline’s target' }).click();
  expect(await page.getByTestId('user-task-target').textContent()).toMatch(/It is the pipeline’s target/);
  await screenshot('own-data-ready', '#your-data');

  // The Tasks panel lists it beside the built-in targets, chosen; the URL carries the choice.
  expect(await page.locator(`#task-target-${TASK}`).isChecked()).toBe(true);
  expect(await page.getByTestId('user-task-card').textContent()).toMatch(/your data.*Labels: pos, neg.*train 16 · validation 4 · test 4/);
  expect(new URL(page.url()).searchParams.get('target')).toBe(TASK);
  await screenshot('own-data-target-card', '[data-testid="user-task-card"]');
});

test('adapts P* to the pasted examples (stage 3 only), survives a reload mid-run and resumes', async () => {
  const stage1Points = await points('loss-1');
  await page.locator('#settings').getByLabel('Stage 3 steps', { exact: true }).fill(String(ADAPT_STEPS));
  await page.getByRole('button', { name: `Adapt P* to “${TASK} (your data)”` }).click();
  await expect.poll(() => points('loss-3'), { timeout: 120_000 }).toBeGreaterThan(0);
  await page.locator('#pipeline').getByRole('button', { name: 'Pause' }).click();
  await expect.poll(runStatus, { timeout: 60_000 }).toMatch(/Paused/);
  // Stages 1 and 2 were not trained again: their curves are the finished run's.
  expect(await points('loss-1')).toBe(stage1Points);
  expect(await page.getByTestId('stage-1').textContent()).toMatch(/done/);
  expect(await page.getByTestId('stage-2').textContent()).toMatch(/done/);
  await expect.poll(() => page.getByTestId('saved-text').textContent(), { timeout: 30_000 }).toMatch(/stage 3, step \d+/);

  await page.reload();
  await expect.poll(runStatus, { timeout: 30_000 }).toMatch(/Interrupted.*reloaded/);
  // The pasted data and the choice of target came back from IndexedDB.
  await page.getByTestId('user-task').waitFor({ timeout: 30_000 });
  expect(await page.getByTestId('user-task-target').textContent()).toMatch(/It is the pipeline’s target/);
  expect(await page.locator(`#task-target-${TASK}`).isChecked()).toBe(true);
  await loadModel();
  await page.locator('#pipeline').getByRole('button', { name: 'Resume from checkpoint' }).click();
  await expect.poll(runStatus, { timeout: 180_000 }).toMatch(/Done/);
  // Every stage-3 step drawn once (none lost across the reload, none twice), and the stage 1
  // curves still there.
  expect(await points('loss-3')).toBe(ADAPT_STEPS);
  expect(await points('loss-1')).toBe(stage1Points);
  await screenshot('own-data-adapted', '#pipeline');
});

test('the downloaded vectors hold the pasted task as the target', async () => {
  expect(await page.getByTestId('vector-origin').textContent()).toBe('the training run');
  const rows = page.getByRole('table', { name: 'Vectors per task' }).locator('tbody tr');
  await expect.poll(() => rows.allInnerTexts()).toEqual([
    expect.stringMatching(/^wordnet-define\tsource\tteacher · u, v\t/),
    expect.stringMatching(/^spam\tsource\tteacher · u, v\t/),
    expect.stringMatching(new RegExp(`^${TASK}\\ttarget\\tu, v · own P\\*\\tvalidation accuracy \\d\\.\\d{3}$`)),
  ]);
  const [download] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .safetensors' }).click()])) as [Download, void];
  const bytes = new Uint8Array(readFileSync(await download.path()));
  const tensors = parseSafetensors(bytes, download.suggestedFilename());
  const tasks = JSON.parse(readSafetensorsMetadata(bytes, download.suggestedFilename()).tasks) as { id: string }[];
  expect(tasks.map((t) => t.id)).toEqual(['wordnet-define', 'spam', TASK]);
  expect(tasks[2]).toMatchObject({ role: 'target', kind: 'classification', labels: ['pos', 'neg'] });
  expect(tensors.get(`task.${TASK}.shared_prompt`)!.shape).toEqual([4, D_MODEL]);
  expect(tensors.get(`task.${TASK}.u`)!.shape).toEqual([4, 1]);
  expect(tensors.get(`task.${TASK}.v`)!.shape).toEqual([D_MODEL, 1]);
  expect(tensors.get('teacher.wordnet-define')!.shape).toEqual([4, D_MODEL]);
});

test('Compare can be cancelled: it stops soon, keeps the finished runs, and runs again', async () => {
  const compare = page.locator('#compare');
  await compare.getByLabel('Target task').selectOption(TASK);
  const fill = async (values: [string, string][]) => {
    for (const [label, value] of values) await compare.getByLabel(label, { exact: true }).fill(value);
  };
  await fill([
    ['k values', '2'],
    ['Seeds', '1, 2, 3'],
    ['Stage 1 steps', '2'],
    ['Stage 2 steps', '2'],
    ['Target steps', '200'],
    ['Source examples', '8'],
    ['Test examples', '4'],
  ]);
  await compare.getByRole('button', { name: 'Run comparison' }).click();
  const progress = compare.getByTestId('compare-progress');
  await expect.poll(() => progress.textContent(), { timeout: 120_000 }).toMatch(/^[1-9] of 9 runs done · stage 3: .* step \d+ of 200$/);
  const clicked = Date.now();
  await compare.getByRole('button', { name: 'Cancel' }).click();
  const cancelled = compare.getByTestId('compare-cancelled');
  await cancelled.waitFor({ timeout: 30_000 });
  const seconds = (Date.now() - clicked) / 1000;
  console.log(`Compare stopped ${seconds.toFixed(1)} s after Cancel`);
  expect(seconds).toBeLessThan(10);
  const finished = Number(/Cancelled after (\d) of 9 runs; the finished ones are shown below\./.exec((await cancelled.textContent()) ?? '')?.[1]);
  expect(finished).toBeGreaterThan(0);
  expect(finished).toBeLessThan(9);
  // The finished runs are in the table: n counts the seeds done per method.
  const cells = await compare.getByRole('table', { name: 'Comparison results' }).locator('tbody td').allTextContents();
  const total = cells.reduce((sum, cell) => sum + Number(/n = (\d)/.exec(cell)?.[1] ?? 0), 0);
  expect(total).toBe(finished);
  await screenshot('compare-cancelled', '#compare');

  // The page is usable again: a small comparison runs to the end.
  await fill([
    ['Seeds', '1'],
    ['Target steps', '2'],
  ]);
  await compare.getByRole('button', { name: 'Run comparison' }).click();
  expect(await cancelled.count()).toBe(0);
  await progress.waitFor({ state: 'detached', timeout: 150_000 });
  expect(await compare.getByRole('table', { name: 'Comparison results' }).locator('tbody td').allTextContents()).toEqual([
    expect.stringMatching(/n = 1\)$/),
    expect.stringMatching(/n = 1\)$/),
    expect.stringMatching(/n = 1\)$/),
  ]);
  expect(await compare.getByRole('alert').count()).toBe(0);
});

test('nothing threw in the page', () => {
  expect(pageErrors).toEqual([]);
});
