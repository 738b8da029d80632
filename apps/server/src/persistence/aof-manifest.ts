import { splitArgs } from '@byor/protocol';
import { sdsRepr } from '../util/repr.js';
import { AofManifestError } from './errors.js';

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

/** fgets' buffer in aofLoadManifestFromFile: a longer line is an error. */
const MANIFEST_MAX_LINE = 1024;

/** atoll: leading white space, a sign, the digits that follow (0 when there are none). */
function atoll(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Parses manifest text as aofLoadManifestFromFile does; throws {@link AofManifestError} with its
 * reason (and the line, when there is one) for what it refuses: an empty manifest, a line of more
 * than 1024 bytes or without its newline, a blank line, fewer than three key/value pairs, a file
 * name that is a path, a missing name, sequence or type, an unknown type, a second base, an
 * incremental sequence that does not increase. `#` lines are comments. O(n).
 *
 * @example
 * ```ts
 * parseManifest('file appendonly.aof.1.base.rdb seq 1 type b\n').base?.name; // 'appendonly.aof.1.base.rdb'
 * ```
 */
export function parseManifest(text: string): AofManifest {
  const manifest = emptyManifest();
  if (text === '') throw new AofManifestError('Found an empty AOF manifest');
  let position = 0;
  let lineNumber = 0;
  while (position < text.length) {
    // fgets: up to the newline, or MANIFEST_MAX_LINE bytes
    const newline = text.indexOf('\n', position);
    const end = Math.min(newline === -1 ? text.length : newline + 1, position + MANIFEST_MAX_LINE);
    const chunk = text.slice(position, end);
    position = end;
    lineNumber++;
    if (chunk.startsWith('#')) continue;
    if (!chunk.includes('\n'))
      throw new AofManifestError('The AOF manifest file contains too long line');
    const line = chunk.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const refuse = (reason: string) => new AofManifestError(reason, { lineNumber, line });
    if (line === '') throw refuse('Invalid AOF manifest file format');
    const argv = splitArgs(Buffer.from(line, 'latin1'));
    // 'argc < 6' was done for forward compatibility (aof.c)
    if (argv === undefined || argv.length < 6 || argv.length % 2 !== 0)
      throw refuse('Invalid AOF manifest file format');
    let name: string | undefined;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const key = (argv[i] ?? '').toLowerCase();
      const value = argv[i + 1] ?? '';
      if (key === 'file') {
        name = value;
        if (name.includes('/')) throw refuse("File can't be a path, just a filename");
      } else if (key === 'seq') seq = atoll(value);
      else if (key === 'type') type = value.charAt(0);
    }
    if (!name || seq === 0 || type === '') throw refuse('Invalid AOF manifest file format');
    if (type === 'b') {
      if (manifest.base) throw refuse('Found duplicate base file information');
      manifest.base = { name, seq, type };
      manifest.baseSeq = seq;
    } else if (type === 'h') {
      manifest.history.push({ name, seq, type });
    } else if (type === 'i') {
      if (seq <= manifest.incrSeq) throw refuse('Found a non-monotonic sequence number');
      manifest.incrs.push({ name, seq, type });
      manifest.incrSeq = seq;
    } else throw refuse('Unknown AOF file type');
  }
  return manifest;
}

/**
 * aofInfoFormat: a file name as it is, or quoted (sdscatrepr) when sdsneedsrepr says so (a
 * backslash, a double quote, white space or a byte that is not printable ASCII).
 */
function quoteName(name: string): string {
  return /^[\x21\x23-\x5b\x5d-\x7e]*$/.test(name) ? name : sdsRepr(name);
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
