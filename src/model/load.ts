import { parseT5Config } from './config';
import { ModelLoadError } from './errors';
import { parseSafetensors, parseShardIndex, type SafetensorsFile } from './safetensors';
import { fileReaderFor, type DownloadProgress, type FileReader, type ModelSource } from './sources';
import { T5Model } from './t5';
import { checkTokenizerFitsModel, T5Tokenizer } from './tokenizer';
import { readCheckpoint } from './weights';

/**
 * Loads a Hugging Face T5 folder as it is: config.json, tokenizer.json and model.safetensors
 * (or model.safetensors.index.json and its shards). Every problem is a ModelLoadError naming the
 * file and what is wrong with it.
 */
export async function loadT5(source: ModelSource, onProgress?: (p: DownloadProgress) => void): Promise<T5Model> {
  const read = fileReaderFor(source);
  const config = parseT5Config(decodeText(await readRequired(read, 'config.json', onProgress), 'config.json'));

  const tokenizerText = decodeText(await readRequired(read, 'tokenizer.json', onProgress), 'tokenizer.json');
  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(tokenizerText);
  } catch {
    throw new ModelLoadError('not valid JSON', 'tokenizer.json');
  }
  const tokenizer = new T5Tokenizer(tokenizerJson);
  checkTokenizerFitsModel(tokenizer, config.vocabSize);

  const checkpoint = readCheckpoint(await readWeightFiles(weightReader(source, read), onProgress), config);
  return new T5Model(config, checkpoint, tokenizer);
}

/**
 * Older Hub repos (google/t5-efficient-tiny, ...) keep only pytorch_model.bin on main; the Hub's
 * conversion bot put model.safetensors in pull request refs/pr/1. Like transformers, look there
 * when main has no safetensors.
 */
function weightReader(source: ModelSource, read: FileReader): FileReader {
  if (source.kind !== 'hub' || (source.revision ?? 'main') !== 'main') return read;
  const converted = fileReaderFor({ ...source, revision: 'refs/pr/1' });
  return async (name, onProgress) => {
    const onMain = await read(name, onProgress);
    if (onMain || !/\.safetensors(\.index\.json)?$/.test(name)) return onMain;
    return converted(name, onProgress);
  };
}

async function readWeightFiles(
  read: FileReader,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Map<string, SafetensorsFile>> {
  const files = new Map<string, SafetensorsFile>();
  const INDEX = 'model.safetensors.index.json';
  const single = await read('model.safetensors', onProgress);
  if (single) {
    files.set('model.safetensors', parseSafetensors(single, 'model.safetensors'));
    return files;
  }
  const indexBytes = await read(INDEX, onProgress);
  if (!indexBytes) {
    throw new ModelLoadError(
      `no model.safetensors or ${INDEX} found; only safetensors checkpoints can be read (convert pytorch_model.bin first)`,
    );
  }
  const weightMap = parseShardIndex(decodeText(indexBytes, INDEX));
  for (const shard of new Set(weightMap.values())) {
    const bytes = await read(shard, onProgress);
    if (!bytes) throw new ModelLoadError(`${INDEX} lists shard "${shard}" but it is missing`, shard);
    files.set(shard, parseSafetensors(bytes, shard));
  }
  for (const [name, shard] of weightMap) {
    if (!files.get(shard)!.has(name)) {
      throw new ModelLoadError(`${INDEX} places tensor "${name}" in this shard but it is not there`, shard);
    }
  }
  return files;
}

async function readRequired(
  read: FileReader,
  name: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Uint8Array> {
  const bytes = await read(name, onProgress);
  if (!bytes) throw new ModelLoadError('is missing from the model folder', name);
  return bytes;
}

function decodeText(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelLoadError('is not UTF-8 text', file);
  }
}
