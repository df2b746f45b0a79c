/**
 * WebGPU in node, for the headless runner: Dawn through the npm `webgpu` package.
 *
 * tfjs-backend-webgpu registers its backend at import time only if `navigator.gpu` exists, so
 * `installNodeWebGpu()` must run BEFORE anything imports `@tensorflow/tfjs-backend-webgpu`
 * (src/model/backend.ts does, at the top). This module therefore imports nothing but node
 * built-ins; `run.ts` awaits it and only then imports the runner.
 *
 * What Dawn needs on Linux, and where this finds it by default:
 *  - a Vulkan loader, `libvulkan.so.1`: the system's (Debian package libvulkan1) or else the
 *    one Chromium ships next to its SwiftShader ICD (/usr/lib/chromium/libvulkan.so.1). Dawn
 *    dlopens it by soname, so loading Chromium's copy first (RTLD_NODELETE) makes Dawn find it.
 *  - a Vulkan driver (ICD): `VK_ICD_FILENAMES` if set, else SwiftShader, the CPU Vulkan driver
 *    Debian's chromium package installs (/usr/lib/chromium/vk_swiftshader_icd.json).
 * SwiftShader is a software adapter: correct, ~40x slower than threaded WASM (PLATFORM.md).
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** The SwiftShader Vulkan ICD that Debian's `chromium` package installs. */
export const CHROMIUM_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** glibc's RTLD_NODELETE (node's os.constants.dlopen does not list it). */
const RTLD_NODELETE = 0x1000;

export interface NodeWebGpu {
  /** e.g. "google swiftshader (fallback)". */
  adapter: string;
  /** The Vulkan ICD file(s) in effect, when one was set. */
  icd?: string;
  /** Which Vulkan loader was loaded (Linux). */
  vulkanLoader?: string;
}

/** An error whose message says what is missing; the runner prints it without a stack trace. */
export class NodeWebGpuError extends Error {
  override name = 'NodeWebGpuError';
}

/** dlopen(path) and keep it loaded; returns null on success, else dlerror's message. */
function preload(path: string): string | null {
  const flags = constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, path, flags);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // A plain library (not a node addon) loads, then fails node's addon check: that is success.
    return /did not self-register/.test(message) ? null : message;
  }
}

function chooseIcd(): string | undefined {
  const env = process.env;
  // VK_DRIVER_FILES is the newer loader's name for the same setting.
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES;
  if (process.platform === 'linux' && existsSync(CHROMIUM_SWIFTSHADER_ICD)) {
    // The Vulkan loader reads it with getenv() when Dawn first enumerates adapters, i.e. later.
    env.VK_ICD_FILENAMES = CHROMIUM_SWIFTSHADER_ICD;
    return CHROMIUM_SWIFTSHADER_ICD;
  }
  return undefined;
}

function loadVulkanLoader(icd: string | undefined): { loader?: string; problem?: string } {
  if (process.platform !== 'linux') return {};
  const systemError = preload('libvulkan.so.1');
  if (!systemError) return { loader: 'libvulkan.so.1 (system)' };
  const candidates = [icd && !icd.includes(':') ? join(dirname(icd), 'libvulkan.so.1') : undefined, '/usr/lib/chromium/libvulkan.so.1'];
  for (const path of candidates) {
    if (path && existsSync(path) && !preload(path)) return { loader: path };
  }
  return { problem: `no Vulkan loader (libvulkan.so.1: ${systemError}; none next to the ICD or in /usr/lib/chromium)` };
}

const HOW_TO_FIX =
  'WebGPU in node needs a Vulkan driver: on Debian `apt-get install chromium` provides SwiftShader ' +
  `(${CHROMIUM_SWIFTSHADER_ICD} and its libvulkan.so.1), or set VK_ICD_FILENAMES to another ICD; ` +
  'or run with --backend wasm';

/**
 * Sets up `navigator.gpu` and the WebGPU globals (GPUBufferUsage, ...) from Dawn and checks that
 * an adapter exists. Throws NodeWebGpuError naming what is missing. Call before importing tfjs.
 */
export async function installNodeWebGpu(): Promise<NodeWebGpu> {
  const icd = chooseIcd();
  const missing: string[] = [];
  if (process.platform === 'linux' && !icd) missing.push(`no Vulkan ICD (VK_ICD_FILENAMES is not set and ${CHROMIUM_SWIFTSHADER_ICD} does not exist)`);
  else if (icd && !icd.includes(':') && !existsSync(icd)) missing.push(`the Vulkan ICD file ${icd} does not exist`);
  const { loader, problem } = loadVulkanLoader(icd);
  if (problem) missing.push(problem);

  let dawn: { create: (flags: string[]) => GPU; globals: object };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (e) {
    throw new NodeWebGpuError(
      `no WebGPU for node: the npm package \`webgpu\` (Dawn) did not load for ${process.platform}-${process.arch} ` +
        `(${e instanceof Error ? e.message : e}); run \`npm install\`, or use --backend wasm`,
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const g = globalThis as { navigator?: object };
  if (!g.navigator) g.navigator = {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });

  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) {
    throw new NodeWebGpuError(`no WebGPU adapter: ${[...missing, 'Dawn found no usable device'].join('; ')}. ${HOW_TO_FIX}`);
  }
  const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean } }).info ?? {};
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = info.isFallbackAdapter === true || /swiftshader/i.test(name);
  return { adapter: fallback ? `${name} (fallback)` : name, icd, vulkanLoader: loader };
}
