/**
 * vitest globalSetup for the e2e project: builds the app into a temporary folder, serves it with
 * `vite preview` (which sends the COOP/COEP headers from vite.config.ts) on a free localhost
 * port, and hands the URL to the tests as `inject('baseUrl')`. The test fixtures are served
 * too, under /test-fixtures/, so a model can be loaded from a folder URL.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { build, preview, type Plugin } from 'vite';
import type { TestProject } from 'vitest/node';

const FIXTURES = join(import.meta.dirname, '../fixtures');

/** Serves tests/fixtures read-only; anything else there is a 404, never the app's HTML page. */
const serveFixtures: Plugin = {
  name: 'serve-test-fixtures',
  configurePreviewServer(server) {
    server.middlewares.use('/test-fixtures', (req, res) => {
      const path = normalize(join(FIXTURES, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      const body = path.startsWith(FIXTURES + sep) ? readFile(path) : Promise.reject(new Error('outside'));
      body.then(
        (bytes) => {
          res.setHeader('Content-Length', bytes.byteLength);
          res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
          res.end(bytes);
        },
        () => {
          res.statusCode = 404;
          res.end();
        },
      );
    });
  },
};

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // A folder of its own, so a run never clobbers dist/ or another run's build.
  const outDir = await mkdtemp(join(tmpdir(), 'mpt-e2e-'));
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Port 0: the system picks a free one, read back from the listening socket.
  const server = await preview({
    logLevel: 'warn',
    plugins: [serveFixtures],
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  project.provide('baseUrl', `http://127.0.0.1:${port}/`);

  return async () => {
    await server.close();
    await rm(outDir, { recursive: true, force: true });
  };
}
