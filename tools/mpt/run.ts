/**
 * The headless MPT runner's entry: `npm run mpt -- <config.json> [--backend webgpu|wasm|cpu|auto] [--out <dir>]`.
 *
 * This file only reads the arguments and, for WebGPU, sets up Dawn's `navigator.gpu` (the npm
 * `webgpu` package) BEFORE anything imports tfjs: tfjs-backend-webgpu decides at import time
 * whether a webgpu backend exists. So the runner itself (runner.ts, which imports tfjs and the
 * method code) is imported dynamically, after the setup. Keep the static imports of this file
 * free of tfjs.
 */
import { readFileSync } from 'node:fs';
import { installNodeWebGpu, NodeWebGpuError, type NodeWebGpu } from './node-webgpu';

const BACKENDS = ['webgpu', 'wasm', 'cpu', 'auto'] as const;
type Backend = (typeof BACKENDS)[number];
const USAGE = `usage: npm run mpt -- <config.json> [--backend ${BACKENDS.join('|')}] [--out <dir>]`;

function parseArgs(argv: string[]): { configPath: string; backend?: Backend; out?: string } {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let configPath: string | undefined;
  let backend: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--backend') backend = value();
    else if (flag === '--out') out = value();
    else if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else if (arg === '--') continue;
    else if (arg.startsWith('-') || configPath) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    else configPath = arg;
  }
  if (!configPath) throw new Error(USAGE);
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, not "${backend}"`);
  }
  return { configPath, backend: backend as Backend | undefined, out };
}

async function main() {
  const { configPath, backend: flag, out } = parseArgs(process.argv.slice(2));
  const fromConfig = (JSON.parse(readFileSync(configPath, 'utf8')) as { backend?: string }).backend;
  const backend = (flag ?? fromConfig ?? 'wasm') as Backend;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new Error(`config backend must be one of ${BACKENDS.join(', ')}, not "${backend}"`);

  let webgpu: NodeWebGpu | undefined;
  if (backend === 'webgpu') {
    webgpu = await installNodeWebGpu();
  } else if (backend === 'auto') {
    // auto takes WebGPU only on a hardware adapter (src/model/backend.ts); without one, WASM.
    webgpu = await installNodeWebGpu().catch((e: unknown) => {
      console.log(`webgpu: unavailable (${e instanceof Error ? e.message : e})`);
      return undefined;
    });
  }
  if (webgpu) console.log(`webgpu: ${webgpu.adapter} (Dawn; Vulkan ICD ${webgpu.icd ?? 'default'}, loader ${webgpu.vulkanLoader ?? 'default'})`);

  const { runMpt } = await import('./runner');
  await runMpt({ configPath, backend, out, webgpu });
}

// Top-level await: vite-node closes its module server once this module has evaluated, and the
// runner is still to be imported then.
try {
  await main();
  // Dawn's device can keep node's event loop alive after the work is done.
  process.exit(0);
} catch (e) {
  // One clear line (bad arguments, no WebGPU adapter, ...); MPT_DEBUG=1 shows the stack.
  console.error(e instanceof Error && !(process.env.MPT_DEBUG && !(e instanceof NodeWebGpuError)) ? e.message : e);
  process.exit(1);
}
