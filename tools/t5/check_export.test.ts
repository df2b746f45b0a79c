// Loads an exported model folder with the app's loader (TF.js) and checks that greedy generation
// gives the same ids as PyTorch (tools/t5/check_export.py writes the expected ids). Not part of the
// test suite (it needs a trained model); run it on its own:
//
//   MODEL_DIR=public/models/mpt-t5-8m GREEDY_JSON=tools/work/t5/greedy.json \
//     npx vitest run --config vite.config.ts tools/t5/check_export.test.ts
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../src/model/backend';
import { generateGreedy } from '../../src/model/inference';
import { loadT5 } from '../../src/model/load';

const DIR = resolve(process.env.MODEL_DIR ?? 'public/models/mpt-t5-8m');
const CASES: { input_text: string; input_ids: number[]; output_ids: number[]; max_new_tokens: number }[] = JSON.parse(
  readFileSync(resolve(process.env.GREEDY_JSON ?? 'tools/work/t5/greedy.json'), 'utf8'),
);
const WASM_DIST = resolve(__dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/';
const files = () =>
  readdirSync(DIR, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => new File([readFileSync(join(DIR, e.name))], e.name));

describe.each(['wasm', 'cpu'] as BackendName[])('%s', (backend) => {
  it('generates what PyTorch generates', async () => {
    await initBackend(backend, { wasmPaths: WASM_DIST });
    const model = await loadT5({ kind: 'files', files: files() });
    const report = [];
    for (const c of CASES) {
      const got = await generateGreedy(model, c.input_ids, c.max_new_tokens);
      report.push({ input: c.input_text, js: model.tokenizer.decode(got), same: JSON.stringify(got) === JSON.stringify(c.output_ids) });
      expect(got).toEqual(c.output_ids);
    }
    writeFileSync(resolve(`tools/work/t5/js-greedy-${backend}.json`), JSON.stringify(report, null, 1));
    console.log(`${backend}: ${report.filter((r) => r.same).length}/${report.length} identical`);
    model.dispose();
  }, 600_000);
});
