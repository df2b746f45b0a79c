import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from './errors';

const FILE = 'tokenizer.json';

/** A Hugging Face `tokenizer.json` (T5's: Unigram + Metaspace, `$A </s>`) read by the pure-JS port. */
export class T5Tokenizer {
  /** Number of ids the tokenizer can produce: the model's vocab_size must be at least this. */
  readonly size: number;
  private readonly tokenizer: Tokenizer;

  constructor(json: unknown) {
    if (typeof json !== 'object' || json === null || !('model' in json)) {
      throw new ModelLoadError('not a tokenizer.json: it has no "model" section', FILE);
    }
    try {
      this.tokenizer = new Tokenizer(json, { clean_up_tokenization_spaces: false });
    } catch (e) {
      throw new ModelLoadError(`cannot be read: ${(e as Error).message}`, FILE);
    }
    const ids = [...this.tokenizer.get_vocab(true).values()];
    this.size = ids.length === 0 ? 0 : Math.max(...ids) + 1;
  }

  /** Text -> ids, with the end-of-sequence token the post-processor appends. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** Ids -> text, dropping special tokens (pad, eos, sentinels). */
  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}

/** The tokenizer must not produce ids beyond the embedding table. */
export function checkTokenizerFitsModel(tokenizer: T5Tokenizer, vocabSize: number): void {
  if (tokenizer.size > vocabSize) {
    throw new ModelLoadError(
      `has ${tokenizer.size} tokens but config.json's vocab_size is ${vocabSize}; they belong to different models`,
      FILE,
    );
  }
}
