import type { ModelSource } from '../model/sources';

// "owner/name", optionally "@revision": the shape of a Hugging Face model id.
const HUB_REPO = /^([\w.-]+\/[\w.-]+)(?:@([\w./-]+))?$/;

/** Reads the text field that takes either a Hugging Face repo id or a folder URL. */
export function sourceFromText(text: string): ModelSource {
  const value = text.trim();
  if (/^(https?:)?\/|^\.\.?\//.test(value)) {
    // Files are resolved relative to the folder, which needs the trailing slash.
    const url = new URL(value, document.baseURI).href;
    return { kind: 'url', baseUrl: url.endsWith('/') ? url : `${url}/` };
  }
  const hub = HUB_REPO.exec(value);
  if (hub) return hub[2] ? { kind: 'hub', repo: hub[1], revision: hub[2] } : { kind: 'hub', repo: hub[1] };
  throw new Error(
    `"${value}" is neither a Hugging Face repo id (like google/flan-t5-small) nor a folder URL (https://… or /…).`,
  );
}

/** A short human name for where a model comes from. */
export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'url':
      return source.baseUrl;
    case 'hub':
      return source.revision ? `${source.repo}@${source.revision}` : source.repo;
    case 'files':
      return `local files: ${source.files.map((f) => f.name).join(', ')}`;
  }
}
