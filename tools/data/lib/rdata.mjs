// Minimal reader for R's lazy-load data bases (data/Rdata.rdx + data/Rdata.rdb), enough to read
// character vectors, factors and data frames without R installed.
//
// Rdata.rdx is one gzip-compressed serialized R list: $variables maps each object name to
// c(offset, length) in Rdata.rdb. Each blob in Rdata.rdb is a 4-byte big-endian uncompressed
// length followed by a zlib stream holding the serialized object (R's XDR format, version 2 or 3).
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateSync } from 'node:zlib';

const NILVALUE = 254;
const REFSXP = 255;
const ALTREP = 238;
const ATTRLANGSXP = 240;
const ATTRLISTSXP = 239;
const SPECIAL_ENVS = new Set([253, 252, 251, 250, 242, 241]);

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
    this.refs = [];
  }
  int() {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  double() {
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n) {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  header() {
    const magic = this.bytes(2).toString('latin1');
    if (magic !== 'X\n') throw new Error(`unsupported R serialization format ${JSON.stringify(magic)}`);
    const version = this.int();
    this.int(); // writer R version
    this.int(); // minimal reader R version
    if (version === 3) this.bytes(this.int()); // native encoding name
  }
  length() {
    const n = this.int();
    if (n !== -1) return n;
    const hi = this.int();
    const lo = this.int();
    return hi * 2 ** 32 + lo;
  }
  attrs(hasAttr, value) {
    if (!hasAttr) return value;
    const a = this.item();
    return { ...value, attributes: pairlistToObject(a) };
  }
  item() {
    const flags = this.int();
    const type = flags & 0xff;
    const hasAttr = (flags & (1 << 9)) !== 0;
    const hasTag = (flags & (1 << 10)) !== 0;
    if (type === NILVALUE) return null;
    if (SPECIAL_ENVS.has(type)) return { type: 'env' };
    if (type === REFSXP) {
      let idx = flags >> 8;
      if (idx === 0) idx = this.int();
      return this.refs[idx - 1];
    }
    switch (type) {
      case 1: {
        // SYMSXP
        const sym = { type: 'sym', name: this.item() };
        this.refs.push(sym);
        return sym;
      }
      case 4: {
        // ENVSXP
        const env = { type: 'env' };
        this.refs.push(env);
        this.int(); // locked
        this.item(); // enclosure
        this.item(); // frame
        this.item(); // hash table
        this.item(); // attributes
        return env;
      }
      case 2:
      case 3:
      case 5:
      case 6:
      case 17:
      case ATTRLANGSXP:
      case ATTRLISTSXP: {
        // pairlist-like: [attr] [tag] car cdr
        const attr = hasAttr ? this.item() : null;
        const tag = hasTag ? this.item() : null;
        const car = this.item();
        const cdr = this.item();
        return { type: 'pairlist', tag, car, cdr, attr };
      }
      case 9: {
        // CHARSXP
        const n = this.int();
        if (n === -1) return null;
        return this.bytes(n).toString('utf8');
      }
      case 10:
      case 13: {
        const n = this.length();
        const values = new Array(n);
        for (let i = 0; i < n; i++) values[i] = this.int();
        return this.attrs(hasAttr, { type: 'int', values });
      }
      case 14: {
        const n = this.length();
        const values = new Array(n);
        for (let i = 0; i < n; i++) values[i] = this.double();
        return this.attrs(hasAttr, { type: 'real', values });
      }
      case 16: {
        const n = this.length();
        const values = new Array(n);
        for (let i = 0; i < n; i++) values[i] = this.item();
        return this.attrs(hasAttr, { type: 'str', values });
      }
      case 19:
      case 20: {
        const n = this.length();
        const values = new Array(n);
        for (let i = 0; i < n; i++) values[i] = this.item();
        return this.attrs(hasAttr, { type: 'list', values });
      }
      case ALTREP: {
        const info = this.item();
        const state = this.item();
        const attr = this.item();
        const value = expandAltrep(info, state);
        return attr ? { ...value, attributes: pairlistToObject(attr) } : value;
      }
      default:
        throw new Error(`R type ${type} not supported by this reader`);
    }
  }
}

function pairlistToObject(pl) {
  const out = {};
  for (let p = pl; p && p.type === 'pairlist'; p = p.cdr) {
    const name = p.tag && p.tag.type === 'sym' ? p.tag.name : String(Object.keys(out).length);
    out[name] = p.car;
  }
  return out;
}

function expandAltrep(info, state) {
  const cls = info.car.name;
  if (cls === 'compact_intseq' || cls === 'compact_realseq') {
    const [n, start, inc] = state.values;
    const values = Array.from({ length: n }, (_, i) => start + i * inc);
    return { type: cls === 'compact_intseq' ? 'int' : 'real', values };
  }
  if (cls.startsWith('wrap_')) return state.values[0];
  if (cls === 'deferred_string') {
    const src = state.car;
    return { type: 'str', values: src.values.map((v) => String(v)) };
  }
  throw new Error(`ALTREP class ${cls} not supported by this reader`);
}

export function unserialize(buf) {
  const r = new Reader(buf);
  r.header();
  return r.item();
}

/** Reads every object of an R package's lazy-load data base; returns { name: value }. */
export function readLazyLoadData(dataDir, names) {
  const index = unserialize(gunzipSync(readFileSync(`${dataDir}/Rdata.rdx`)));
  const variables = index.attributes.names.values.reduce((acc, key, i) => {
    acc[key] = index.values[i];
    return acc;
  }, {});
  const vars = variables.variables;
  const varNames = vars.attributes.names.values;
  const rdb = readFileSync(`${dataDir}/Rdata.rdb`);
  const out = {};
  varNames.forEach((name, i) => {
    if (names && !names.includes(name)) return;
    const [offset, length] = vars.values[i].values;
    const blob = rdb.subarray(offset, offset + length);
    out[name] = unserialize(inflateSync(blob.subarray(4)));
  });
  return out;
}

/** A character vector, or a factor turned into its level strings. */
export function asStrings(v) {
  if (v.type === 'str') return v.values;
  const levels = v.attributes?.levels;
  if (v.type === 'int' && levels) return v.values.map((i) => (i < 1 ? null : levels.values[i - 1]));
  throw new Error(`expected a character vector or a factor, got ${v.type}`);
}
