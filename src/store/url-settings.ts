import type { PromptInit } from '../method/prompt-init';
import type { Mixing } from '../method/sampler';
import type { MethodSettings } from '../method/settings';
import {
  DEFAULT_RUN_OPTIONS,
  FEW_SHOT_KS,
  OPTION_FIELDS,
  parseField,
  SETTING_FIELDS,
  type FewShotK,
  type SessionConfig,
} from './session-config';

/**
 * The session's configuration as a query string, so a setup can be shared as a link:
 * `?sources=spam,sotu-era&target=quiz&k=16&seed=1&promptLength=20&mixing=uniform`. Only
 * hyperparameters that differ from the model's defaults are written; values that do not parse
 * are ignored when reading.
 */

export function encodePromptInit(init: PromptInit): string {
  switch (init.kind) {
    case 'random':
      return init.range === undefined ? 'random' : `random:${init.range}`;
    case 'vocab':
      return init.fromTopTokens === undefined ? 'vocab' : `vocab:${init.fromTopTokens}`;
    case 'text':
      return `text:${init.text}`;
  }
}

export function decodePromptInit(text: string): PromptInit | null {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  if (kind === 'text') return arg?.trim() ? { kind, text: arg } : null;
  if (kind !== 'random' && kind !== 'vocab') return null;
  if (arg === undefined) return { kind };
  const n = Number(arg);
  if (!(Number.isFinite(n) && n > 0)) return null;
  if (kind === 'random') return { kind, range: n };
  return Number.isInteger(n) ? { kind, fromTopTokens: n } : null;
}

export function encodeMixing(mixing: Mixing): string {
  return mixing.kind === 'uniform' ? 'uniform' : `proportional:${mixing.cap}`;
}

export function decodeMixing(text: string): Mixing | null {
  if (text === 'uniform') return { kind: 'uniform' };
  const match = /^proportional:(\d+)$/.exec(text);
  return match && Number(match[1]) > 0 ? { kind: 'proportional', cap: Number(match[1]) } : null;
}

export function configToQuery(config: SessionConfig): string {
  const params = new URLSearchParams();
  if (config.sources) params.set('sources', config.sources.join(','));
  if (config.target) params.set('target', config.target);
  params.set('k', String(config.k));
  params.set('seed', String(config.seed));
  const o = config.overrides;
  for (const { key } of SETTING_FIELDS) if (o[key] !== undefined) params.set(key, String(o[key]));
  if (o.promptInit) params.set('promptInit', encodePromptInit(o.promptInit));
  if (o.hiddenStates) params.set('hiddenStates', o.hiddenStates);
  if (o.targetStart) params.set('targetStart', o.targetStart);
  if (o.mixing) params.set('mixing', encodeMixing(o.mixing));
  for (const { key } of OPTION_FIELDS) {
    if (config.options[key] !== DEFAULT_RUN_OPTIONS[key]) params.set(key, String(config.options[key]));
  }
  return params.toString();
}

/** Applies what a query string sets on top of `base`; a query without any known key gives `base`. */
export function configFromQuery(query: string, base: SessionConfig): SessionConfig {
  const params = new URLSearchParams(query);
  const get = (key: string) => params.get(key);
  const config: SessionConfig = { ...base, overrides: { ...base.overrides }, options: { ...base.options } };

  const sources = get('sources');
  if (sources !== null) config.sources = sources.split(',').filter((s) => s !== '');
  const target = get('target');
  if (target) config.target = target;
  const k = FEW_SHOT_KS.find((value) => String(value) === get('k'));
  if (k !== undefined) config.k = k as FewShotK;
  const seed = Number(get('seed') ?? NaN);
  if (Number.isInteger(seed) && seed >= 0) config.seed = seed;

  const overrides: Partial<MethodSettings> = config.overrides;
  for (const field of SETTING_FIELDS) {
    const value = parseField(field, get(field.key) ?? '');
    if (value !== null) overrides[field.key] = value;
  }
  const promptInit = decodePromptInit(get('promptInit') ?? '');
  if (promptInit) overrides.promptInit = promptInit;
  const hidden = get('hiddenStates');
  if (hidden === 'encoder' || hidden === 'decoder') overrides.hiddenStates = hidden;
  const targetStart = get('targetStart');
  if (targetStart === 'ones' || targetStart === 'source-average') overrides.targetStart = targetStart;
  const mixing = decodeMixing(get('mixing') ?? '');
  if (mixing) overrides.mixing = mixing;

  for (const field of OPTION_FIELDS) {
    const value = parseField(field, get(field.key) ?? '');
    if (value !== null) config.options[field.key] = value;
  }
  return config;
}

/** Whether a query string sets anything this page reads (else a stored session is kept as is). */
export function queryHasConfig(query: string): boolean {
  const known = new Set(['sources', 'target', 'k', 'seed', 'promptInit', 'hiddenStates', 'targetStart', 'mixing', ...SETTING_FIELDS.map((f) => f.key), ...OPTION_FIELDS.map((f) => f.key)]);
  return [...new URLSearchParams(query).keys()].some((key) => known.has(key));
}
