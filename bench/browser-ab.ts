/**
 * Interleaved A/B of the wasm training step in Chromium (threaded build, as the app runs), two
 * pages side by side so that load from other processes hits both alike:
 *
 *   npx vite-node bench/browser-ab.ts threads [pairs] [bundled|t5-small] [inputLen]
 *       page A: tfjs-wasm's default pool (hardwareConcurrency / 2 threads), page B: ?wasmThreads=2
 *   npx vite-node bench/browser-ab.ts switches [pairs] [bundled|t5-small] [inputLen]
 *       page A: SIMD matMul, shared Identity and custom gradients off; page B: on (the app)
 *
 * Stage-1 steps (trainPrompt through the real loop), B = 8, 8 targets, l = 16 (bundled) or 64.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../vitest.config';
import { T5_SMALL } from './lib/models';
import type { ModelChoice } from './page';
import type { StepShape } from './suites/step';

const [mode = 'switches', pairsArg = '5', which = 'bundled', inputArg = '64'] = process.argv.slice(2);
const pairs = Number(pairsArg);
const choice: ModelChoice = {
  spec: which === 'bundled' ? { kind: 'bundled', path: '/models/mpt-t5-4m/' } : { kind: 'random', config: T5_SMALL, seed: 1 },
  transposedCopies: true,
};
const shape: StepShape = { batch: 8, inputLen: Number(inputArg), targetLen: 8, promptLen: which === 'bundled' ? 16 : 64, tasks: 1 };

const port = await new Promise<number>((done) => {
  const s = createNetServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => done(p));
  });
});
const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'warn', server: { host: '127.0.0.1', port, strictPort: true, hmr: false } });
await server.listen();
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  const open = async (query: string, switches: boolean): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/bench/index.html${query}`);
    await page.waitForFunction(() => document.title === 'mpt bench ready', undefined, { timeout: 120_000 });
    const backend = await page.evaluate(() => window.mptBench.useBackend('wasm'));
    await page.evaluate((on) => window.mptBench.setSwitches({ matmul: on, identity: on, customGradients: on }), switches);
    console.log(`page ${query || '(default)'}: wasm threads ${backend.wasmThreads}, switches ${switches ? 'on' : 'off'}`);
    return page;
  };
  const pages: [string, Page][] =
    mode === 'threads'
      ? [
          ['A', await open('', true)],
          ['B', await open('?wasmThreads=2', true)],
        ]
      : [
          ['A', await open('', false)],
          ['B', await open('', true)],
        ];
  const step = (page: Page, reps: number) =>
    page.evaluate(([c, s, r]) => window.mptBench.steps(c, ['prompt-tuning'], s, { warmup: 1, reps: r }), [choice, shape, reps] as const);
  const times: Record<string, number[]> = { A: [], B: [] };
  for (let p = 0; p < pairs; p++) {
    for (const [label, page] of p % 2 ? [...pages].reverse() : pages) times[label].push((await step(page, 2))[0].timing.medianMs);
    const [a, b] = [times.A.at(-1)!, times.B.at(-1)!];
    console.log(`pair ${p}: A ${a.toFixed(0)} ms, B ${b.toFixed(0)} ms, A/B ${(a / b).toFixed(2)}`);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const [ma, mb] = [median(times.A), median(times.B)];
  console.log(`${mode} ${which} ${JSON.stringify(shape)}: A ${ma.toFixed(0)} ms, B ${mb.toFixed(0)} ms, A/B ${(ma / mb).toFixed(2)}x; per pair ${times.A.map((a, i) => (a / times.B[i]).toFixed(2)).join(' ')}`);
} finally {
  await browser.close();
  await server.close();
}
