// A small RFC 822 / MIME reader: subject plus the readable text of a raw mail (first text/plain
// part, else text/html with tags stripped), with quoted-printable/base64 and charsets decoded.
import { clean } from './text.mjs';

function splitHead(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) {
      const key = line.slice(0, c).trim().toLowerCase();
      if (!headers.has(key)) headers.set(key, line.slice(c + 1).trim());
    }
  }
  return { headers, body };
}

function param(value, name) {
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value ?? '');
  return m ? (m[1] ?? m[2]) : null;
}

function decodeBytes(bytes, charset) {
  const cs = (charset ?? 'us-ascii').toLowerCase();
  try {
    if (/^(us-ascii|ascii|iso-8859-1|latin1)$/.test(cs)) return new TextDecoder('windows-1252').decode(bytes);
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function decodeTransfer(body, encoding) {
  const enc = (encoding ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (enc === 'quoted-printable') {
    const s = body.replace(/=\r?\n/g, '');
    const out = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
        out.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(s.charCodeAt(i) & 0xff);
    }
    return Buffer.from(out);
  }
  return Buffer.from(body, 'latin1');
}

/** Decode RFC 2047 encoded words (=?charset?B|Q?text?=). */
function decodeWords(s) {
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, cs, enc, text) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeTransfer(text.replace(/_/g, ' '), 'quoted-printable');
    return decodeBytes(bytes, cs);
  });
}

const ENTITIES = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '(c)', reg: '(R)' };

function decodeEntities(s) {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n) < 0x110000 ? Number(n) : 32))
    .replace(/&([a-z]+);/gi, (m, n) => ENTITIES[n.toLowerCase()] ?? m);
}

export function htmlToText(html) {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head|title)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|tr|li|h\d)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ');
}

function partText(raw, depth = 0) {
  const { headers, body } = splitHead(raw);
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(headers.get('content-type'), 'boundary');
    if (!boundary) return { plain: null, html: null };
    const parts = body.split(`--${boundary}`).slice(1);
    let html = null;
    for (const p of parts) {
      if (p.startsWith('--')) break;
      const r = partText(p.replace(/^\r?\n/, ''), depth + 1);
      if (r.plain) return r;
      html ??= r.html;
    }
    return { plain: null, html };
  }
  if (!type.startsWith('text/')) return { plain: null, html: null };
  const text = decodeBytes(decodeTransfer(body, headers.get('content-transfer-encoding')), param(type, 'charset'));
  return type.startsWith('text/html') ? { plain: null, html: text } : { plain: text, html: null };
}

/** Remove quoted replies, "X wrote:" lines and signature blocks from a plain-text body. */
function dropQuotes(text) {
  const out = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(--|__)\s*$/.test(line)) break; // signature delimiter
    if (/^\s*>/.test(line)) continue;
    if (/\bwrote:\s*$/.test(line) || /^-+\s*Original Message/i.test(line)) continue;
    if (/^\s*(Date|From|To|Cc|Sent|Message-ID|In-Reply-To|References|Reply-To):\s/i.test(line)) continue; // quoted headers
    out.push(line);
  }
  return out.join('\n');
}

/** URLs are shortened to their host so they do not fill a short input. */
function shortenUrls(s) {
  return s.replace(/\b(?:https?|ftp):\/\/([^\s/<>"')]+)[^\s<>"')]*/gi, '$1');
}

/** { subject, body } of a raw mail; body is plain, cleaned text. */
export function parseMail(raw) {
  const { headers } = splitHead(raw);
  const subject = clean(decodeWords(headers.get('subject') ?? ''));
  const { plain, html } = partText(raw);
  const text = decodeEntities(plain ?? (html ? htmlToText(html) : ''));
  const body = clean(shortenUrls(dropQuotes(text)));
  return { subject, body };
}
