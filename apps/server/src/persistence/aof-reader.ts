import { closeSync, openSync } from 'node:fs';
import { AofFormatError } from './errors.js';
import { FILE_WINDOW, fileRefill } from './rdb-reader.js';

/** How {@link readAofCommands} ended. */
export interface AofReadResult {
  /** commands handed to `execute` */
  readonly commands: number;
  /**
   * true when the data ends in the middle of a command, or inside a MULTI without its EXEC
   * (redis-server treats both as a short read)
   */
  readonly truncated: boolean;
  /** offset just past the last complete command outside a transaction: where to truncate */
  readonly validUpTo: number;
  /**
   * a window that is not the last (see {@link readAofCommands}): the data ended where more
   * follows; call again from `resumeAt` with more bytes, passing `multiStart` back
   */
  readonly needsMore?: boolean;
  /** where the next call starts (just past the last command run) */
  readonly resumeAt?: number;
  /** where the open MULTI's transaction began (validUpTo before it) */
  readonly multiStart?: number;
}

/** What the reader asks of its caller for each command. */
export interface AofCommandTarget {
  /** runs one command; throws to stop (an unknown command) */
  execute(argv: string[]): void;
  /** true while a MULTI is open (its commands are queued, not yet run) */
  inMulti(): boolean;
  /** forgets a transaction left open at the end */
  discardMulti(): void;
}

const STAR = 42;
const DOLLAR = 36;
const HASH = 35;
const CR = 13;
const LF = 10;

/** The line starting at `at` (without CRLF), or -1 when no newline follows. */
function lineEnd(bytes: Uint8Array, at: number, end: number): number {
  for (let i = at; i < end; i++) if (bytes[i] === LF) return i;
  return -1;
}

/** atoi/strtol of the digits after the type byte (stops at the first non-digit, as C does). */
function parseNumber(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (bytes[i] === 45) {
    negative = true;
    i++;
  }
  let value = 0;
  for (; i < to; i++) {
    const c = bytes[i] as number;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  return negative ? -value : value;
}

/**
 * Reads AOF commands from `bytes[start, end)` as redis-server's loadSingleAppendOnlyFile does:
 * `*<argc>` then `$<len>` + bytes + CRLF per argument; `#` lines are annotations and skipped;
 * anything else is "Bad file format" ({@link AofFormatError}). A command cut short by the end of
 * the data, or a MULTI left open, is reported as `truncated` with the offset to truncate at.
 * O(bytes).
 *
 * A file read in windows: `window` says whether this one is the last and where an open MULTI
 * began (relative to `bytes`, negative when in an earlier window); a window that is not the last
 * ends with `needsMore` instead of a short read.
 *
 * @example
 * ```ts
 * const result = readAofCommands(bytes, 0, bytes.length, target);
 * if (result.truncated) truncateSync(file, result.validUpTo);
 * ```
 */
export function readAofCommands(
  bytes: Uint8Array,
  start: number,
  end: number,
  target: AofCommandTarget,
  window?: { readonly final: boolean; readonly multiStart: number },
): AofReadResult {
  let at = start;
  let validUpTo = start;
  let validBeforeMulti = window?.multiStart ?? start;
  const more = window !== undefined && !window.final;
  let commands = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // a short read inside a transaction drops the whole transaction
  const short = (): AofReadResult => {
    if (more) {
      // (the next bytes may complete it)
      return {
        commands,
        truncated: false,
        validUpTo,
        needsMore: true,
        resumeAt: validUpTo,
        multiStart: validBeforeMulti,
      };
    }
    if (!target.inMulti()) return { commands, truncated: true, validUpTo };
    target.discardMulti();
    return { commands, truncated: true, validUpTo: validBeforeMulti };
  };
  while (at < end) {
    const newline = lineEnd(bytes, at, end);
    if (newline < 0) return short();
    const first = bytes[at] as number;
    if (first === HASH) {
      at = newline + 1;
      validUpTo = at;
      continue;
    }
    if (first !== STAR) throw new AofFormatError('Bad file format reading the append only file');
    if (newline === at + 1 || (newline === at + 2 && bytes[at + 1] === CR)) return short();
    const argc = parseNumber(bytes, at + 1, newline);
    if (argc < 1) throw new AofFormatError('Bad file format reading the append only file');
    at = newline + 1;
    const argv = new Array<string>(argc);
    for (let j = 0; j < argc; j++) {
      const lengthEnd = lineEnd(bytes, at, end);
      if (lengthEnd < 0) return short();
      if (bytes[at] !== DOLLAR)
        throw new AofFormatError('Bad file format reading the append only file');
      const length = parseNumber(bytes, at + 1, lengthEnd);
      at = lengthEnd + 1;
      if (at + length + 2 > end) return short();
      argv[j] = buffer.toString('latin1', at, at + length);
      at += length + 2; // the CRLF is skipped unchecked, as fread(buf, 2) does
    }
    const name = (argv[0] ?? '').toLowerCase();
    if (name === 'multi') validBeforeMulti = validUpTo;
    target.execute(argv);
    commands++;
    validUpTo = at;
  }
  if (target.inMulti() || more) return short();
  return { commands, truncated: false, validUpTo };
}

/**
 * readAofCommands over the file at `path` from `position`, a window of `windowBytes` (1 MB) at
 * a time through {@link fileRefill} (twice the last when one command does not fit), so that a
 * large AOF is never held whole. Offsets in the result are the file's.
 */
export function readAofFile(
  path: string,
  position: number,
  target: AofCommandTarget,
  windowBytes = FILE_WINDOW,
): AofReadResult {
  const fd = openSync(path, 'r');
  try {
    const refill = fileRefill(fd, position, windowBytes);
    let window: Buffer = Buffer.alloc(0);
    // the file offset of window[0]; of the open MULTI; how much of the window ran; new bytes to ask
    let base = position;
    let multiStart = position;
    let consumed = 0;
    let ask = windowBytes;
    let commands = 0;
    for (;;) {
      const keep = window.length - consumed;
      window = refill(window, consumed, window.length, keep + ask);
      const final = window.length < keep + ask;
      const result = readAofCommands(window, 0, window.length, target, {
        final,
        multiStart: multiStart - base,
      });
      commands += result.commands;
      if (!result.needsMore) return { ...result, commands, validUpTo: base + result.validUpTo };
      consumed = result.resumeAt ?? 0;
      multiStart = base + (result.multiStart ?? 0);
      base += consumed;
      // a command longer than the window: ask for twice as much (linear in all)
      ask = consumed === 0 ? Math.max(windowBytes, window.length * 2) : windowBytes;
    }
  } finally {
    closeSync(fd);
  }
}
