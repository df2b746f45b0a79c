import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import { T5Tokenizer } from '../../src/model/tokenizer';
import { WASM_DIST } from '../support/node-fixtures';

const root = resolve(__dirname, '../..');
const index = JSON.parse(readFileSync(join(root, 'public/models/index.json'), 'utf8'));
const entry = index.models.find((m: { name: string }) => m.name === index.default);
const folder = join(root, 'public', entry.path);

describe(`the bundled model (${index.default})`, () => {
  it('tokenizes held-out corpus lines like SentencePiece (>= 99% identical)', () => {
    const tokenizer = new T5Tokenizer(JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8')));
    const { cases } = JSON.parse(readFileSync(join(root, 'tests/fixtures/bundled-tokenizer-heldout.json'), 'utf8'));
    const same = cases.filter((c: { text: string; ids: number[] }) => JSON.stringify(tokenizer.encode(c.text)) === JSON.stringify(c.ids));
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(same.length / cases.length).toBeGreaterThanOrEqual(0.99);
  });

  it('loads in node on wasm and fills a masked span', async () => {
    await initBackend('wasm', { wasmPaths: WASM_DIST });
    const files = readdirSync(folder)
      .filter((name) => /\.(json|safetensors)$/.test(name))
      .map((name) => new File([readFileSync(join(folder, name))], name));
    const model = await loadT5({ kind: 'files', files });
    expect(model.config.feedForward).toBe('gated-gelu');
    const { ids } = await model.generate('The President of the <extra_id_0> said that the war was over.', { maxNewTokens: 8 });
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < model.config.vocabSize)).toBe(true);
    model.dispose();
  });
});
