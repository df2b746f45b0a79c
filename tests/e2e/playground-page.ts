/**
 * What the e2e files share: the tiny fixture model as local files, the screenshot folder, a
 * labelled CSV, and one Chromium page on the production build that records the page's errors.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vitest.config';

export const FIXTURE = join(import.meta.dirname, '../fixtures/t5-tiny-gated');
export const FIXTURE_FILES = ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => join(FIXTURE, f));
export const FIXTURE_D_MODEL = (JSON.parse(readFileSync(FIXTURE_FILES[0], 'utf8')) as { d_model: number }).d_model;
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

const WORDS = ['bright', 'warm', 'lovely', 'grand', 'sweet', 'happy', 'dark', 'cold', 'awful', 'grim', 'sour', 'sad'];
/** A CSV with a header and twelve rows per label (pos, neg), every input different. */
export const POS_NEG_CSV = ['text,label', ...WORDS.flatMap((w, i) => [`a ${w} story number ${i},${i < 6 ? 'pos' : 'neg'}`, `the ${w} day ${i},${i < 6 ? 'pos' : 'neg'}`])].join('\n');

export interface PlaygroundPage {
  browser: Browser;
  page: Page;
  /** Uncaught errors in the page, in order. */
  pageErrors: string[];
}

/** Opens the preview server's page at 1280x800, with `query` as its URL settings. */
export async function openPlayground(query = '', { downloads = false } = {}): Promise<PlaygroundPage> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: downloads });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(query ? `${inject('baseUrl')}?${query}` : inject('baseUrl'));
  return { browser, page, pageErrors };
}
