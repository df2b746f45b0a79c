import { describe, expect, it } from 'vitest';
import { T5Tokenizer } from '../../src/model/tokenizer';
import { fixtureBytes, golden } from '../support/node-fixtures';
import { FIXTURE_MODELS } from '../support/golden';

describe.each(FIXTURE_MODELS)('tokenizer.json of %s', (model) => {
  const tokenizer = new T5Tokenizer(JSON.parse(new TextDecoder().decode(fixtureBytes(model, 'tokenizer.json'))));
  const cases = golden(model).tokenizer_cases;

  it('encodes like SentencePiece, with </s> appended', () => {
    for (const c of cases) expect(tokenizer.encode(c.text), JSON.stringify(c.text)).toEqual(c.ids);
  });

  it('decodes back to SentencePiece text', () => {
    // SentencePiece renders <unk> as " ⁇ "; Hugging Face's decode drops it as a special token.
    const UNK = 2;
    const known = cases.filter((c) => !c.ids.includes(UNK));
    expect(known.length).toBeGreaterThan(10);
    for (const c of known) expect(tokenizer.decode(c.ids), JSON.stringify(c.text)).toEqual(c.decoded);
    for (const c of cases.filter((c) => c.ids.includes(UNK))) {
      expect(tokenizer.decode(c.ids)).toEqual(c.decoded.replaceAll(' ⁇ ', '').replaceAll('⁇', ''));
    }
  });

  it('has the T5 special tokens where T5 puts them', () => {
    expect([0, 1, 2].map((id) => tokenizer.idToToken(id))).toEqual(['<pad>', '</s>', '<unk>']);
    expect(tokenizer.idToToken(tokenizer.size - 1)).toBe('<extra_id_0>');
  });
});
