import { ModelLoadError } from './errors';

/** Where a checkpoint's files come from. Loading (bytes) is kept apart from running (tensors). */
export type ModelSource =
  | { kind: 'url'; baseUrl: string } // a folder URL holding config.json, tokenizer.json and weights
  | { kind: 'hub'; repo: string; revision?: string } // a Hugging Face repo id, e.g. google/flan-t5-small
  | { kind: 'files'; files: File[] }; // the same files picked from disk

export interface DownloadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number | null;
  fromCache: boolean;
}

/** Reads one named file of a checkpoint; `null` when the source has no such file. */
export type FileReader = (name: string, onProgress?: (p: DownloadProgress) => void) => Promise<Uint8Array | null>;

export const CACHE_NAME = 'mpt-playground-models-v1';
const HUB = 'https://huggingface.co';

export function sourceBaseUrl(source: Extract<ModelSource, { kind: 'url' | 'hub' }>): string {
  if (source.kind === 'hub') {
    if (!/^[\w.-]+\/[\w.-]+$/.test(source.repo)) {
      throw new ModelLoadError(`"${source.repo}" is not a Hugging Face repo id like "google/flan-t5-small"`);
    }
    return `${HUB}/${source.repo}/resolve/${encodeURIComponent(source.revision ?? 'main')}/`;
  }
  return source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`;
}

export function fileReaderFor(source: ModelSource): FileReader {
  if (source.kind === 'files') {
    const byName = new Map(source.files.map((f) => [f.name, f]));
    return async (name, onProgress) => {
      const file = byName.get(name);
      if (!file) return null;
      const bytes = new Uint8Array(await file.arrayBuffer());
      onProgress?.({ file: name, loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength, fromCache: false });
      return bytes;
    };
  }
  const base = sourceBaseUrl(source);
  return (name, onProgress) => fetchCached(new URL(name, new URL(base, globalThis.location?.href)).href, name, onProgress);
}

/**
 * Fetches a file with byte progress, from the Cache API when it was downloaded before so a reload
 * costs no download. Where there is no Cache API (node, insecure origins) it just fetches.
 */
async function fetchCached(
  url: string,
  name: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Uint8Array | null> {
  const cache = typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME).catch(() => null);
  const cached = await cache?.match(url);
  if (cached) return readBody(cached, name, true, onProgress);

  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`could not be downloaded from ${url} (${(e as Error).message})`, name);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new ModelLoadError(`download failed: HTTP ${response.status} from ${url}`, name);
  const bytes = await readBody(response, name, false, onProgress);
  // Only whole files are cached; a failed put (quota) just means downloading again next time.
  await cache?.put(url, new Response(bytes.slice(), { headers: { 'Content-Length': String(bytes.byteLength) } })).catch(() => undefined);
  return bytes;
}

async function readBody(
  response: Response,
  name: string,
  fromCache: boolean,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Uint8Array> {
  const header = Number(response.headers.get('Content-Length'));
  const totalBytes = Number.isFinite(header) && header > 0 ? header : null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ file: name, loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength, fromCache });
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loadedBytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loadedBytes += value.byteLength;
    onProgress?.({ file: name, loadedBytes, totalBytes, fromCache });
  }
  if (totalBytes !== null && loadedBytes < totalBytes && !response.headers.get('Content-Encoding')) {
    throw new ModelLoadError(`download stopped at ${loadedBytes} of ${totalBytes} bytes`, name);
  }
  const bytes = new Uint8Array(loadedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  onProgress?.({ file: name, loadedBytes, totalBytes: loadedBytes, fromCache });
  return bytes;
}
