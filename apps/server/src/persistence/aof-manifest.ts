import { AofFormatError } from './errors.js';

/**
 * The manifest of a multi-part AOF (redis-server 7's aof.c): the files in `appenddirname` that
 * make up the log, one line each, in load order:
 *
 *     file appendonly.aof.1.base.rdb seq 1 type b
 *     file appendonly.aof.1.incr.aof seq 1 type i
 *     file appendonly.aof.2.incr.aof seq 2 type i
 *
 * `b` is the base (an RDB, or commands when aof-use-rdb-preamble is off), `i` the incremental
 * files appended after it, `h` files a rewrite made obsolete (deleted once the new manifest is
 * in place). The manifest itself is `<appendfilename>.manifest`, replaced atomically.
 */

/** One file of the manifest. */
export interface AofFileInfo {
  readonly name: string;
  readonly seq: number;
  readonly type: 'b' | 'h' | 'i';
}

/** A parsed manifest. */
export interface AofManifest {
  base: AofFileInfo | undefined;
  incrs: AofFileInfo[];
  history: AofFileInfo[];
  /** the highest base sequence number used */
  baseSeq: number;
  /** the highest incremental sequence number used */
  incrSeq: number;
}

/** An empty manifest. O(1). */
export function emptyManifest(): AofManifest {
  return { base: undefined, incrs: [], history: [], baseSeq: 0, incrSeq: 0 };
}

/** Splits a manifest line as sdssplitargs does (quoted names allowed). */
function splitLine(line: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
    out.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? ''));
  }
  return out;
}

/**
 * Parses manifest text (aofLoadManifestFromFile); throws AofFormatError on a bad line. O(n).
 *
 * @example
 * ```ts
 * parseManifest('file appendonly.aof.1.base.rdb seq 1 type b\n').base?.name; // 'appendonly.aof.1.base.rdb'
 * ```
 */
export function parseManifest(text: string): AofManifest {
  const manifest = emptyManifest();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = splitLine(line);
    if (parts.length % 2 !== 0) throw new AofFormatError('Invalid AOF manifest file format');
    const fields = new Map<string, string>();
    for (let i = 0; i < parts.length; i += 2) fields.set(parts[i] ?? '', parts[i + 1] ?? '');
    const name = fields.get('file');
    const seq = Number(fields.get('seq'));
    const type = fields.get('type');
    if (!name || !Number.isInteger(seq) || (type !== 'b' && type !== 'h' && type !== 'i'))
      throw new AofFormatError('Invalid AOF manifest file format');
    const info: AofFileInfo = { name, seq, type };
    if (type === 'b') {
      if (manifest.base) throw new AofFormatError('Found duplicate base file information');
      manifest.base = info;
      manifest.baseSeq = seq;
    } else if (type === 'h') {
      manifest.history.push(info);
    } else {
      if (seq <= manifest.incrSeq)
        throw new AofFormatError('Found a non-monotonic sequence number');
      manifest.incrs.push(info);
      manifest.incrSeq = seq;
    }
  }
  return manifest;
}

function quoteName(name: string): string {
  return /^[^\s"'\\]+$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The manifest's text (getAofManifestAsString): base, history, then the incremental files. O(n).
 *
 * @example
 * ```ts
 * formatManifest(manifest); // 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n'
 * ```
 */
export function formatManifest(manifest: AofManifest): string {
  let text = '';
  const line = (info: AofFileInfo) => {
    text += `file ${quoteName(info.name)} seq ${info.seq} type ${info.type}\n`;
  };
  if (manifest.base) line(manifest.base);
  for (const info of manifest.history) line(info);
  for (const info of manifest.incrs) line(info);
  return text;
}
