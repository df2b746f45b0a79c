/**
 * The training pipeline in real Chromium against the production build: pick tasks and a tiny
 * configuration, train all three stages in the model worker, watch the curves and heatmaps,
 * reload in the middle and resume from the checkpoint; the URL carries the settings.
 * The steps share one page and run in order.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vitest.config';

const SCREENSHOTS = join(import.meta.dirname, 'screenshots');
// The bundled model once the app ships one, else the tiny test checkpoint.
const BUNDLED = existsSync(join(import.meta.dirname, '../../public/models/index.json'));

const SOURCES = ['wordnet-relation', 'spam']; // in the task index's order
const TARGET = 'word-polarity';
/** Field label -> value: a run of a few steps per stage. */
const TINY: Record<string, string> = {
  'Prompt length l': '4',
  'Batch size': '4',
  'Warm-up steps': '1',
  'Max input tokens': '32',
  'Stage 1 steps': '3',
  'Stage 2 steps': '6',
  'Stage 3 steps': '4',
  'Checkpoint every': '1',
  'Evaluate every': '2',
  'Eval examples': '4',
  'Source examples': '8',
  'Heatmap every': '1',
};

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function openPage(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const opened = await context.newPage();
  opened.on('pageerror', (error) => pageErrors.push(error.message));
  await opened.goto(url);
  return opened;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await openPage(inject('baseUrl'));
});

afterAll(async () => {
  await browser?.close();
});

async function loadModel(on: Page) {
  if (BUNDLED) {
    await on.locator('#model').getByRole('button', { name: 'Load bundled model' }).click();
  } else {
    await on.getByLabel('Hugging Face repo id or folder URL').fill('/test-fixtures/t5-tiny-gated');
    await on.locator('#model').getByRole('button', { name: 'Load', exact: true }).click();
  }
  await on.locator('#model').getByText('Loaded:').waitFor({ timeout: 120_000 });
}

const runStatus = () => page.getByTestId('run-status').textContent();
const points = async (chart: string) => Number(await page.getByTestId(`chart-${chart}`).getAttribute('data-points'));

// The sticky navigation would be drawn over whatever a screenshot scrolls to.
const style = '.app-nav { position: static !important; }';

async function screenshot(name: string, selector?: string) {
  const path = join(SCREENSHOTS, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path, style });
  else await page.screenshot({ path, fullPage: true, style });
}

test('shows the built-in tasks with their labels, splits and examples', async () => {
  await loadModel(page);
  const cards = page.locator('[data-testid^="task-card-"]');
  await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(12);
  const spam = page.getByTestId('task-card-spam');
  expect(await spam.textContent()).toMatch(/Labels: spam, ham.*train 2,000 · validation 300 · test 500/);
  // Every source task is chosen by default, and one target.
  expect(await page.locator('input[name="source"]:checked').count()).toBe(7);
  expect(await page.locator('input[name="target"]:checked').count()).toBe(1);

  await spam.getByText('Examples').click();
  await expect.poll(() => spam.locator('.examples li').count(), { timeout: 30_000 }).toBe(3);
  expect(await spam.locator('.examples').textContent()).toMatch(/→ spam.*→ ham|→ ham.*→ spam/);
  await screenshot('pipeline-tasks', '#tasks');
});

test('takes a tiny configuration, and the URL carries it', async () => {
  for (const box of await page.locator('input[name="source"]').all()) {
    const id = (await box.getAttribute('id'))!.replace('task-source-', '');
    if ((await box.isChecked()) !== SOURCES.includes(id)) await box.click();
  }
  await page.locator(`#task-target-${TARGET}`).check();
  await page.locator('#tasks').getByLabel('Few-shot k (target)').selectOption('4');
  await page.locator('#tasks').getByLabel('Seed', { exact: true }).fill('3');
  for (const [label, value] of Object.entries(TINY)) await page.locator('#settings').getByLabel(label, { exact: true }).fill(value);
  await page.locator('#settings').getByLabel('Task mixing (stage 2)').selectOption('uniform');

  const query = new URL(page.url()).searchParams;
  expect(query.get('sources')).toBe(SOURCES.join(','));
  expect(query.get('target')).toBe(TARGET);
  expect(query.get('k')).toBe('4');
  expect(query.get('seed')).toBe('3');
  expect(query.get('sourceSteps')).toBe('3');
  expect(query.get('mixing')).toBe('uniform');
  expect(query.get('snapshotEvery')).toBe('1');
  await screenshot('pipeline-settings', '#settings');

  // The link, opened elsewhere (no stored session there), gives the same setup.
  const other = await openPage(page.url());
  await loadModel(other);
  expect(await other.locator('input[name="source"]:checked').count()).toBe(2);
  expect(await other.locator(`#task-target-${TARGET}`).isChecked()).toBe(true);
  expect(await other.locator('#tasks').getByLabel('Few-shot k (target)').inputValue()).toBe('4');
  for (const [label, value] of Object.entries(TINY)) expect(await other.locator('#settings').getByLabel(label, { exact: true }).inputValue(), label).toBe(value);
  expect(await other.locator('#settings').getByLabel('Task mixing (stage 2)').inputValue()).toBe('uniform');
  await other.context().close();
});

test('trains: the curves grow and the heatmaps of stage 2 appear', async () => {
  await page.locator('#pipeline').getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(() => points('loss-1'), { timeout: 120_000 }).toBeGreaterThan(0);
  const early = await points('loss-1');
  await expect.poll(() => points('loss-1'), { timeout: 120_000 }).toBeGreaterThan(early);

  // Pause inside stage 2, so the reload below lands mid-run for sure.
  await expect.poll(() => page.getByTestId('stage-2').getAttribute('aria-current'), { timeout: 120_000 }).toBe('step');
  await page.locator('#pipeline').getByRole('button', { name: 'Pause' }).click();
  await expect.poll(runStatus, { timeout: 60_000 }).toMatch(/Paused/);
  expect(await points('parts-2')).toBeGreaterThan(0);
  expect(await page.getByTestId('stage-1').textContent()).toMatch(/done/);

  await page.getByTestId('heatmap-shared').waitFor({ timeout: 60_000 });
  const canvas = page.getByTestId('heatmap-shared').locator('canvas');
  await canvas.hover({ position: { x: 10, y: 5 } });
  expect(await page.getByTestId('heatmap-shared-readout').textContent()).toMatch(/^row 0, col \d+: -?[\d.e+-]+$/);
  expect(await page.getByTestId('similarity-teachers').locator('tbody td').count()).toBe(4);
  await screenshot('pipeline-paused');
  await screenshot('pipeline-running', '#pipeline');
  await screenshot('pipeline-curves', '#curves');
  await screenshot('method-heatmaps', '#decomposition');
});

test('after a reload mid-training the page offers Resume and finishes from the checkpoint', async () => {
  const saved = (await page.getByTestId('saved-text').textContent()) ?? '';
  expect(saved).toMatch(/stage 2, step \d+/);
  const stage1Points = await points('loss-1');

  await page.reload();
  await expect.poll(runStatus, { timeout: 30_000 }).toMatch(/Interrupted.*reloaded/);
  // The session came back from IndexedDB: settings, curves and the saved step.
  expect(await points('loss-1')).toBe(stage1Points);
  expect(await page.getByTestId('saved-text').textContent()).toBe(saved);
  await page.getByTestId('heatmap-shared').waitFor(); // the snapshot's Float32Arrays came back too
  const resume = page.locator('#pipeline').getByRole('button', { name: 'Resume from checkpoint' });
  expect(await resume.isDisabled()).toBe(true); // no model in the fresh worker yet
  await loadModel(page);
  await resume.click();
  await expect.poll(runStatus, { timeout: 180_000 }).toMatch(/Done/);

  // Every step drawn once: stage 2 went on from the checkpoint and drew only the steps after it.
  expect(await points('loss-1')).toBe(2 * 3);
  expect(await points('parts-2')).toBe(4 * 6); // total, L_PLM, L_Logits, L_Hidden
  expect(await points('loss-3')).toBe(4);
  expect(await points('eval-3')).toBeGreaterThan(0);
  expect(await page.getByTestId('stage-3').textContent()).toMatch(/done/);
  expect(await page.getByTestId('progress-text').textContent()).toMatch(/(\d+) of \1 steps/);
  // P̂_k of the two sources and of the target.
  expect(await page.getByTestId('similarity-decomposed').locator('tbody td').count()).toBe(9);
  await page.locator('#decomposition').getByLabel('Task', { exact: true }).selectOption(TARGET);
  expect(await page.getByTestId('snapshot-step').textContent()).toMatch(/stage 3 at step 4/);
  expect(await page.getByTestId('budget-table').textContent()).toMatch(/MPT/);
  await screenshot('pipeline-done');
  await screenshot('method-similarity', '#similarity');
  await screenshot('method-budget', '#budget');
});

test('the page fits a narrow window', async () => {
  await page.setViewportSize({ width: 400, height: 800 });
  // The charts follow the new width on their next resize callback.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await screenshot('pipeline-narrow', '#pipeline');
  await screenshot('method-narrow', '#decomposition');
});

test('nothing threw in the page', () => {
  expect(pageErrors).toEqual([]);
});
