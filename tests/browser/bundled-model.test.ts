import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../src/model/backend';
import { loadT5 } from '../../src/model/load';
import { wasmFileUrls } from '../../src/model/wasm-paths';

describe('the bundled model in Chromium', () => {
  it('loads from the served folder and generates the same ids on wasm and webgpu', async () => {
    const index = await (await fetch('/models/index.json')).json();
    const entry = index.models.find((m: { name: string }) => m.name === index.default);
    const outputs: number[][] = [];
    for (const backend of ['wasm', 'webgpu'] as BackendName[]) {
      expect((await initBackend(backend, { wasmPaths: wasmFileUrls })).name).toBe(backend);
      const model = await loadT5({ kind: 'url', baseUrl: entry.path });
      const { ids } = await model.generate('The President of the <extra_id_0> said that the war was over.', { maxNewTokens: 6 });
      model.dispose();
      outputs.push(ids);
    }
    expect(outputs[0].length).toBeGreaterThan(0);
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
