/**
 * The first page in real Chromium against the production build: load a model from local files,
 * generate, survive a broken file, switch backends and restart a crashed worker.
 * The steps share one page and run in order, each starting from where the last one left off.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { FIXTURE, FIXTURE_FILES, openPlayground, SCREENSHOTS } from './playground-page';


let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let firstIds = '';

beforeAll(async () => {
  ({ browser, page, pageErrors } = await openPlayground());
});

afterAll(async () => {
  await browser?.close();
});

const backendName = () => page.getByTestId('backend-name');
const generateButton = () => page.getByRole('button', { name: 'Generate' });
const loaded = () => page.getByText('Loaded:');
/** A value from the Model info panel's label/value lists. */
const infoValue = (label: string) =>
  page.locator('#model-info dt').getByText(label, { exact: true }).locator('xpath=following-sibling::dd[1]').textContent();

async function screenshot(name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Clicks Generate and returns the ids shown; a click clears the previous result first. */
async function generate(): Promise<string> {
  await expect.poll(() => generateButton().isEnabled(), { timeout: 120_000 }).toBe(true);
  await generateButton().click();
  const ids = page.getByTestId('generated-ids');
  await ids.waitFor({ timeout: 120_000 });
  await expect.poll(() => page.getByTestId('generation-time').textContent()).toMatch(/^[\d.]+ ms · [\d.]+ tokens\/s$/);
  return (await ids.textContent()) ?? '';
}

test('the page is cross-origin isolated and starts a backend', async () => {
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect.poll(() => backendName().textContent(), { timeout: 60_000 }).toMatch(/^(webgpu|wasm|cpu)$/);
  // Auto skips a software WebGPU adapter (SwiftShader here) for WASM, and says so.
  if (/fallback/.test((await page.locator('#backend').textContent()) ?? '')) {
    expect(await backendName().textContent()).toBe('wasm');
    expect(await page.locator('#backend').textContent()).toMatch(/slower than WASM/);
  }
  await expect.poll(() => page.locator('#model').textContent()).toMatch(/No bundled model yet|Bundled model/);
  expect(await generateButton().isDisabled()).toBe(true);
  await screenshot('start');
});

test('loads the model from local files and shows its config', async () => {
  await page.getByLabel('Local files').setInputFiles(FIXTURE_FILES);
  await loaded().waitFor({ timeout: 120_000 });

  const config = JSON.parse(readFileSync(FIXTURE_FILES[0], 'utf8')) as Record<string, number>;
  await expect.poll(() => infoValue('dModel')).toBe(String(config.d_model));
  expect(await infoValue('numHeads')).toBe(String(config.num_heads));
  expect(await infoValue('feedForward')).toBe('gated-gelu');
  expect(await page.getByTestId('parameter-count').textContent()).toMatch(/^[\d.]+( [kMB])?$/);
  expect(await infoValue('model.safetensors')).toMatch(/^[\d.]+ (B|kB|MB|GB)$/);
  await screenshot('loaded');
});

test('generates from a prompt the ids that Hugging Face generates', async () => {
  // golden.json holds transformers' greedy output for this checkpoint.
  const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as {
    generate: { input_text: string; max_new_tokens: number; output_ids: number[] }[];
  };
  const [example] = golden.generate;
  await page.getByLabel('Input text').fill(example.input_text);
  await page.getByLabel('Max new tokens').fill(String(example.max_new_tokens));
  firstIds = await generate();
  expect(firstIds).toBe(example.output_ids.join(' '));
  expect(await page.getByTestId('generated-text').textContent()).not.toBe('');
  await screenshot('generated');
});

test('a broken file gives a clear error and the previous model still generates', async () => {
  // Playwright cannot mix paths and buffers, so every file goes as a buffer; the weights are cut in half.
  const asUpload = (path: string, bytes = readFileSync(path)) => ({
    name: basename(path),
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  const weights = readFileSync(FIXTURE_FILES[2]);
  await page
    .getByLabel('Local files')
    .setInputFiles([asUpload(FIXTURE_FILES[0]), asUpload(FIXTURE_FILES[1]), asUpload(FIXTURE_FILES[2], weights.subarray(0, weights.length >> 1))]);
  const alert = page.locator('#model [role="alert"]');
  await alert.waitFor({ timeout: 60_000 });
  const message = (await alert.textContent()) ?? '';
  expect(message).toMatch(/Could not load the model/);
  expect(message).toMatch(/model\.safetensors: .*truncated/);
  expect(message).toMatch(/still in use/);
  await screenshot('load-error');

  expect(await generate()).toBe(firstIds);
});

test.each(['cpu', 'webgpu', 'wasm'] as const)('switching the backend to %s reloads the model', async (name) => {
  await page.getByLabel('Preferred backend').selectOption(name);
  await expect.poll(() => backendName().textContent(), { timeout: 60_000 }).toBe(name);
  await loaded().waitFor({ timeout: 120_000 });
  // Greedy decoding of the same weights: every backend must pick the same tokens.
  expect(await generate()).toBe(firstIds);
  if (name === 'cpu') await screenshot('backend-cpu');
});

test('a crashed worker is reported and can be restarted', async () => {
  const modelWorker = page.workers().find((w) => w.url().includes('model.worker'));
  expect(modelWorker).toBeDefined();
  await modelWorker!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    });
  });
  const banner = page.getByRole('alert').filter({ hasText: 'The model worker needs a restart.' });
  await banner.waitFor({ timeout: 30_000 });
  expect(await banner.textContent()).toMatch(/simulated crash/);
  expect(await generateButton().isDisabled()).toBe(true);
  await screenshot('worker-crashed');

  await page.getByRole('button', { name: 'Restart worker' }).click();
  await expect.poll(() => backendName().textContent(), { timeout: 60_000 }).toBe('wasm');
  await loaded().waitFor({ timeout: 120_000 });
  expect(await generate()).toBe(firstIds);
});

test('loads from a folder URL, then from the browser cache', async () => {
  const field = page.getByLabel('Hugging Face repo id or folder URL');
  await field.fill('not a model');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  expect(await page.locator('#remote-model-error').textContent()).toMatch(/neither a Hugging Face repo id/);

  const folder = new URL('test-fixtures/t5-tiny-gated/', inject('baseUrl')).href;
  const loadedFrom = page.locator('#model .ok');
  for (const fromCache of [false, true]) {
    await field.fill('/test-fixtures/t5-tiny-gated');
    // The click hides "Loaded:" until this load ends, so the wait below cannot see the last one.
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => loadedFrom.textContent(), { timeout: 120_000 }).toBe(`Loaded: ${folder}`);
    const progress = (await page.getByRole('list', { name: 'Download progress' }).textContent()) ?? '';
    expect(progress).toMatch(/model\.safetensors.*kB of [\d.]+ kB/);
    expect(progress.includes('(from cache)')).toBe(fromCache);
    await screenshot(fromCache ? 'loaded-from-cache' : 'loaded-from-url');
  }
  expect(await generate()).toBe(firstIds);
});

test('the page fits a narrow window', async () => {
  await page.setViewportSize({ width: 400, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot('narrow');
});

test('nothing threw in the page', () => {
  expect(pageErrors).toEqual([]);
});
