// Encode texts with the JS tokenizer (npm @huggingface/tokenizers, what the app uses) and compare
// with expected ids (sentencepiece encode + eos, written by compare_js.py).
//
//   node tools/tokenizer/check_js.mjs <dir with tokenizer.json [+ tokenizer_config.json]> <cases.json> [--show N]
//
// cases.json: [{"text": str, "ids": [int]}, ...]. Prints a JSON summary on stdout; exits 0.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const [dir, casesPath, ...rest] = process.argv.slice(2);
const show = rest[0] === '--show' ? Number(rest[1]) : 5;
const tokenizerJson = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
const configPath = join(dir, 'tokenizer_config.json');
const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
const tok = new Tokenizer(tokenizerJson, config);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));

let same = 0;
const mismatches = [];
for (const c of cases) {
  const got = tok.encode(c.text).ids;
  if (got.length === c.ids.length && got.every((v, i) => v === c.ids[i])) same++;
  else mismatches.push({ text: c.text, expected: c.ids, got,
    expected_tokens: c.ids.map((i) => tok.id_to_token(i)), got_tokens: got.map((i) => tok.id_to_token(i)) });
}
console.log(JSON.stringify({ total: cases.length, same, rate: same / Math.max(1, cases.length),
  mismatches: mismatches.slice(0, show) }, null, 1));
