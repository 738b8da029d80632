import { AofFormatError } from './errors.js';

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
): AofReadResult {
  let at = start;
  let validUpTo = start;
  let validBeforeMulti = start;
  let commands = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // a short read inside a transaction drops the whole transaction
  const short = (): AofReadResult => {
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
  if (target.inMulti()) return short();
  return { commands, truncated: false, validUpTo };
}
