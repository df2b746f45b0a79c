/** The models shipped with the app, listed in `/models/index.json` (optional). */
export interface BundledModel {
  name: string;
  /** Folder URL holding config.json, tokenizer.json and the weights. */
  path: string;
  description: string;
}

export type BundledModels =
  | { status: 'checking' }
  | { status: 'missing' }
  | { status: 'found'; defaultName: string; models: BundledModel[] };

function isBundledModel(value: unknown): value is BundledModel {
  const m = value as Partial<BundledModel> | null;
  return typeof m?.name === 'string' && typeof m.path === 'string' && typeof m.description === 'string';
}

/** Reads the list; any problem (no file, a server's HTML fallback page, bad JSON) means "none". */
export async function fetchBundledModels(): Promise<BundledModels> {
  try {
    const response = await fetch(new URL('models/index.json', document.baseURI));
    if (!response.ok) return { status: 'missing' };
    const index = (await response.json()) as { default?: unknown; models?: unknown };
    const models = Array.isArray(index.models) ? index.models.filter(isBundledModel) : [];
    if (models.length === 0) return { status: 'missing' };
    const defaultName =
      models.find((m) => m.name === index.default)?.name ?? models[0].name;
    return { status: 'found', defaultName, models };
  } catch {
    return { status: 'missing' };
  }
}
