/**
 * The server side of RESP: commands from a client, as redis-server reads them.
 *
 * A port of `processMultibulkBuffer` and `processInlineBuffer` (redis 7.0 networking.c), with
 * their limits and exact error texts, over chunks of any size:
 *
 *     *<argc>\r\n  then argc x  $<len>\r\n<len bytes>\r\n     multibulk (what clients send)
 *     SET key "a value"\r\n                                   inline (telnet, scripts)
 *
 * Like Redis, the parser keeps its place between chunks (the argument count still expected,
 * the arguments read so far, the length of the bulk being read) instead of parsing a command
 * again from its first byte when it is cut by a chunk boundary.
 *
 * Redis behaviours kept on purpose, each checked against redis-server 7.0.15:
 * - `*0`, `*-1` (any count <= 0) and empty or blank inline lines are skipped;
 * - the two bytes after a bulk are skipped without being checked, and so is the byte after the
 *   `\r` of a header line (`*1\rX$4\r\nPING\r\n` is PING);
 * - a header line is searched with `strchr`, so a NUL byte before its `\r` (or, inline, before
 *   the `\n`) hides the rest: the parser waits, until the line-length limit is passed;
 * - a multibulk count may go up to 2^31-1: 7.0 has no 1M cap (6.2 had);
 * - an argument string is latin1: one char per byte, binary safe.
 */
import { CR, LF, NUL, RESP_TYPES, ZERO, type FastBuffer } from './bytes.js';
import { ProtocolError } from './errors.js';
import { parseLongLong } from './parse-long-long.js';
import { ReadBuffer } from './read-buffer.js';
import { MEDIUM_MAX, latin1Medium } from './latin1-medium.js';
import { splitArgs, splitPlain } from './split-args.js';

/** redis-server's default `proto-max-bulk-len`: 512 MiB. */
export const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
/** redis-server 7.0's largest multibulk count: INT_MAX. */
export const DEFAULT_MAX_MULTIBULK_LENGTH = 2 ** 31 - 1;
/** redis-server's PROTO_INLINE_MAX_SIZE: 64 KiB, for inline lines and header lines. */
export const DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
/** Before AUTH (when a password is set), Redis caps the argument count at 10... */
const UNAUTHENTICATED_MAX_MULTIBULK_LENGTH = 10;
/** ...and each argument at 16 KiB. */
const UNAUTHENTICATED_MAX_BULK_LENGTH = 16384;

/** Options of {@link RequestParser}. */
export interface RequestParserOptions {
  /** Largest argument, in bytes (redis `proto-max-bulk-len`). Default 512 MiB. */
  maxBulkLength?: number;
  /** Largest argument count of one multibulk command. Default 2^31-1 (redis 7.0). */
  maxMultibulkLength?: number;
  /** Longest inline command line, and longest header line, in bytes. Default 64 KiB. */
  maxInlineLength?: number;
  /**
   * Apply Redis's limits for clients that have not authenticated yet (at most 10 arguments of
   * at most 16 KiB each). Default false; settable later through {@link RequestParser.authRequired}.
   */
  authRequired?: boolean;
}

/** V8 copies substrings shorter than this (SlicedString::kMinLength) instead of pointing into the parent. */
const SLICED_STRING_MIN = 13;
/** A first argument longer than this is not remembered as the command name (no name is). */
const MAX_NAME_LENGTH = 32;
/** A second argument longer than this is not remembered for the next command (see #key). */
const MAX_KEY_LENGTH = 64;
/**
 * True when the latin1 string `text` is `bytes[pos, pos + length)`. The last byte is compared
 * first: keys that differ mostly differ at the end (key:000000012345).
 */
function sameText(text: string, bytes: Uint8Array, pos: number, length: number): boolean {
  if (text.length !== length) return false;
  if (length !== 0 && bytes[pos + length - 1] !== text.charCodeAt(length - 1)) return false;
  for (let k = 0; k < length - 1; k++) if (bytes[pos + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Bytes decoded at once for the window short arguments are cut from. */
const WINDOW_BYTES = 4096;

/** Commands with at most this many arguments take the fast path when they are all buffered. */
const WHOLE_MAX_ARGS = 4;

/** Sentinel of `#bulkLength`: the next thing to read is a `$<len>` header. */
const NO_BULK = -1;
/** The longest command whose argument array the parser keeps for the next one (see #argv). */
const ARGV_KEPT = 1024;

/**
 * An incremental parser of client commands (RESP multibulk and inline), fed arbitrary chunks.
 * It satisfies the `Decoder<string[]>` shape of @byor/eventloop (`push`, `next`, `bufferedBytes`).
 *
 * Cost: O(bytes) over the whole stream; a chunk is copied only when a command straddles it, and a
 * declared length allocates nothing until its bytes arrive.
 *
 * @example
 * ```ts
 * const parser = new RequestParser();
 * parser.push(Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n'));
 * parser.next(); // ['GET', 'k']
 * parser.next(); // ['PING']
 * parser.next(); // undefined: waiting for more bytes
 * ```
 */
export class RequestParser {
  readonly #input = new ReadBuffer();
  readonly #maxBulkLength: number;
  readonly #maxMultibulkLength: number;
  readonly #maxInlineLength: number;
  /** digits the fast path of bulk headers takes: exact in a double, and within maxInlineLength */
  readonly #fastDigits: number;
  /** arguments still expected by the multibulk command being read; 0 = between commands */
  #multibulkRemaining = 0;
  /** length of the bulk being read, or NO_BULK while its header is still to come */
  #bulkLength = NO_BULK;
  /**
   * The arguments read so far of the command being read, `#argv[0, #argc)`: reused from command
   * to command and copied out at the end at its exact size, instead of a new array grown by
   * `push` (to 17 slots, then 41...) per command. Slots past `#argc` hold ''.
   */
  #argv: string[] = [];
  #argc = 0;
  #argvBytes = 0;
  /**
   * Bytes after `input.start` already searched for the end of the pending line, so that a line
   * arriving one byte at a time is not searched again from its start (O(n^2)).
   */
  #scanned = 0;
  /** a NUL byte came before the end of the pending line: Redis's strchr will never find it */
  #blocked = false;
  #error: ProtocolError | undefined = undefined;
  /** bytes [#windowStart, #windowEnd) of the input decoded, to cut short arguments from */
  #window = '';
  #windowStart = 0;
  #windowEnd = 0;
  /**
   * The previous command's name: a name with the same bytes is handed out as this same string,
   * so a pipeline of one command allocates no name strings and its hash (a command table
   * lookup) is computed once
   */
  #name = '';
  /**
   * The previous command's second argument (its key, for most commands): the same bytes are
   * handed out as this same string, so a pipeline on one key (LPUSH mylist ..., HSET myhash ...)
   * makes one key string, and the server's "same key as before" checks compare one pointer
   */
  #key = '';

  /**
   * Redis's limits for unauthenticated clients: the server sets it while a password is required
   * and the client has not sent AUTH yet, and clears it after.
   */
  authRequired: boolean;

  constructor(options: RequestParserOptions = {}) {
    this.#maxBulkLength = options.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.#maxMultibulkLength = options.maxMultibulkLength ?? DEFAULT_MAX_MULTIBULK_LENGTH;
    this.#maxInlineLength = options.maxInlineLength ?? DEFAULT_MAX_INLINE_LENGTH;
    this.#fastDigits = Math.min(15, this.#maxInlineLength - 1);
    this.authRequired = options.authRequired ?? false;
  }

  /**
   * Bytes received and not yet parsed into arguments: Redis's query buffer length (`qbuf` in
   * CLIENT LIST, what `client-query-buffer-limit` is checked against). O(1).
   */
  get bufferedBytes(): number {
    return this.#input.end - this.#input.start;
  }

  /**
   * Bytes of the arguments already parsed for a command that is not complete yet (Redis's
   * `argv_len_sum`, part of `argv-mem` in CLIENT LIST). O(1).
   */
  get pendingArgumentBytes(): number {
    return this.#argvBytes;
  }

  /**
   * Appends a chunk. O(1) when nothing is pending; otherwise O(chunk) for one copy.
   * The chunk must not be modified afterwards (it may be kept, not copied).
   */
  push(chunk: Uint8Array): void {
    this.#input.push(chunk);
    this.#windowEnd = 0; // indexes into the input may now point elsewhere
  }

  /**
   * Stops referring to the chunks pushed so far: the unconsumed bytes (a command cut by the end
   * of a read) are copied, so the caller may overwrite its chunk. A server reading every
   * connection into one shared buffer calls it after each read. O(1) when nothing is pending
   * or the bytes were copied already; else O(unconsumed bytes).
   *
   * @example
   * ```ts
   * parser.push(shared.subarray(0, nread));
   * while ((argv = parser.next()) !== undefined) execute(argv);
   * parser.detach(); // `shared` is read into again
   * ```
   */
  detach(): void {
    this.#input.detach();
    this.#windowEnd = 0; // indexes into the input may now point elsewhere
  }

  /**
   * The next complete command, or `undefined` when more bytes are needed. Amortised O(bytes of
   * the command). Throws {@link ProtocolError} on malformed input or a limit passed, and keeps
   * throwing it until {@link reset}: a server replies `-ERR <message>` and closes.
   */
  next(): string[] | undefined {
    if (this.#error !== undefined) throw this.#error;
    const input = this.#input;
    for (;;) {
      if (this.#multibulkRemaining === 0) {
        if (input.start === input.end) {
          // nothing pending: hold no memory while the client is idle
          input.releaseIfEmpty();
          this.#window = '';
          this.#windowEnd = 0;
          return undefined;
        }
        const ready =
          input.bytes[input.start] === RESP_TYPES.ARRAY
            ? this.#readMultibulkHeader()
            : this.#readInline();
        if (ready === undefined) return undefined;
        if (ready.length !== 0) return ready; // an inline command
        if (this.#multibulkRemaining === 0) continue; // *0, *-1, blank line: skipped
        if (this.#multibulkRemaining <= WHOLE_MAX_ARGS) {
          const whole = this.#readWhole(this.#multibulkRemaining);
          if (whole !== undefined) {
            this.#multibulkRemaining = 0;
            return whole;
          }
        }
      }
      const command = this.#readArguments();
      if (command !== undefined || this.#multibulkRemaining !== 0) return command;
    }
  }

  /** Forgets all buffered bytes, any partial command and any error. O(1). */
  reset(): void {
    this.#input.clear();
    this.#multibulkRemaining = 0;
    this.#bulkLength = NO_BULK;
    this.#argv = [];
    this.#argc = 0;
    this.#argvBytes = 0;
    this.#scanned = 0;
    this.#blocked = false;
    this.#error = undefined;
    this.#window = '';
    this.#windowStart = 0;
    this.#windowEnd = 0;
  }

  /**
   * `strchr` from `lineStart` (which is `input.start` for the pending line): the index of
   * `target`, or -1 when the end or a NUL byte comes first. Remembers how far it searched.
   */
  #findLineEnd(bytes: FastBuffer, lineStart: number, end: number, target: number): number {
    if (this.#blocked) return -1;
    for (let i = lineStart + this.#scanned; i < end; i++) {
      const byte = bytes[i];
      if (byte === target) {
        this.#scanned = 0;
        return i;
      }
      if (byte === NUL) {
        this.#blocked = true;
        return -1;
      }
    }
    this.#scanned = end - lineStart;
    return -1;
  }

  #fail(message: string): never {
    this.#error = new ProtocolError(message);
    throw this.#error;
  }

  /**
   * `*<count>\r\n`. Returns undefined when the line is incomplete, an empty array when a
   * command is started (or skipped: count <= 0).
   */
  #readMultibulkHeader(): string[] | undefined {
    const input = this.#input;
    const bytes = input.bytes;
    const start = input.start;
    const end = input.end;
    const cr = this.#findLineEnd(bytes, start, end, CR);
    if (cr === -1 || cr - start > this.#maxInlineLength) {
      if (end - start > this.#maxInlineLength || cr !== -1) {
        this.#fail('Protocol error: too big mbulk count string');
      }
      return undefined;
    }
    // "Buffer should also contain \n": one byte after the \r, whatever it is
    if (cr > end - 2) return undefined;
    const count = parseLongLong(bytes, start + 1, cr);
    if (Number.isNaN(count) || count > this.#maxMultibulkLength) {
      this.#fail('Protocol error: invalid multibulk length');
    }
    if (count > UNAUTHENTICATED_MAX_MULTIBULK_LENGTH && this.authRequired) {
      this.#fail('Protocol error: unauthenticated multibulk length');
    }
    input.start = cr + 2;
    if (count > 0) {
      this.#multibulkRemaining = count;
      this.#bulkLength = NO_BULK;
    }
    return EMPTY_ARGV;
  }

  /**
   * The fast path of a short command (at most {@link WHOLE_MAX_ARGS} arguments) whose bytes are
   * all buffered, as they are for almost every command: its arguments are read into locals and
   * returned as an array literal of the exact size (one small allocation, instead of an empty
   * array grown by `push` to 17 slots), with no parser field written per argument. Returns
   * undefined, having consumed nothing, when the command is incomplete or anything is unusual
   * (a header the fast scan does not take, a length over a limit): the general path then reads
   * it, with Redis's checks and errors. Readability was traded for speed here.
   */
  #readWhole(count: number): string[] | undefined {
    const input = this.#input;
    const bytes = input.bytes;
    const end = input.end;
    const maxBulkLength = this.authRequired
      ? Math.min(this.#maxBulkLength, UNAUTHENTICATED_MAX_BULK_LENGTH)
      : this.#maxBulkLength;
    let pos = input.start;
    let a0 = '';
    let a1 = '';
    let a2 = '';
    let a3 = '';
    for (let index = 0; index < count; index++) {
      // $<digits>\r\n: no sign, no leading zero, at most fastDigits digits
      if (end - pos < 4 || bytes[pos] !== RESP_TYPES.BULK_STRING) return undefined;
      const fastEnd = Math.min(end, pos + 1 + this.#fastDigits);
      let i = pos + 1;
      let length = 0;
      while (i < fastEnd) {
        const digit = bytes[i]! - ZERO;
        if (digit < 0 || digit > 9) break;
        length = length * 10 + digit;
        i++;
      }
      if (
        i >= end - 1 ||
        bytes[i] !== CR ||
        i === pos + 1 ||
        (bytes[pos + 1] === ZERO && i !== pos + 2) ||
        length > maxBulkLength
      ) {
        return undefined;
      }
      pos = i + 2;
      if (end - pos < length + 2) return undefined;
      const argument =
        index === 0
          ? this.#commandName(bytes, pos, length, end)
          : index === 1
            ? this.#keyArgument(bytes, pos, length, end)
            : this.#slice(bytes, pos, length, end);
      if (index === 0) a0 = argument;
      else if (index === 1) a1 = argument;
      else if (index === 2) a2 = argument;
      else a3 = argument;
      pos += length + 2;
    }
    input.start = pos;
    input.wanted = 0;
    return count === 1
      ? [a0]
      : count === 2
        ? [a0, a1]
        : count === 3
          ? [a0, a1, a2]
          : [a0, a1, a2, a3];
  }

  /** The first argument: the previous command's name when the bytes are the same. */
  #commandName(bytes: FastBuffer, pos: number, length: number, end: number): string {
    const name = this.#name;
    if (sameText(name, bytes, pos, length)) return name;
    return length > MAX_NAME_LENGTH
      ? this.#slice(bytes, pos, length, end)
      : (this.#name = this.#slice(bytes, pos, length, end));
  }

  /** The second argument: the previous command's when the bytes are the same. */
  #keyArgument(bytes: FastBuffer, pos: number, length: number, end: number): string {
    const key = this.#key;
    if (sameText(key, bytes, pos, length)) return key;
    const argument = this.#slice(bytes, pos, length, end);
    if (length <= MAX_KEY_LENGTH) this.#key = argument;
    return argument;
  }

  /** The latin1 string of `bytes[pos, pos + length)`. */
  #slice(bytes: FastBuffer, pos: number, length: number, end: number): string {
    if (length >= SLICED_STRING_MIN) {
      return length <= MEDIUM_MAX
        ? latin1Medium(bytes, pos, length)
        : bytes.latin1Slice(pos, pos + length);
    }
    // short arguments (command names, most keys) are cut from a decoded window: V8 copies
    // substrings this short, so nothing keeps the window alive, and a native call per
    // argument costs more than the copy
    let offset = pos - this.#windowStart;
    if (offset < 0 || pos + length > this.#windowEnd) {
      this.#windowStart = pos;
      this.#windowEnd = Math.min(end, pos + WINDOW_BYTES);
      this.#window = bytes.latin1Slice(pos, this.#windowEnd);
      offset = 0;
    }
    return this.#window.substring(offset, offset + length);
  }

  /**
   * The arguments of the multibulk command being read. Returns the command when complete,
   * undefined when more bytes are needed.
   *
   * Hot path: the `$<len>\r\n` header is read in one pass that accumulates the digits while
   * looking for the \r; anything unusual falls back to the exact Redis checks.
   */
  #readArguments(): string[] | undefined {
    const input = this.#input;
    const bytes = input.bytes;
    const end = input.end;
    let pos = input.start;
    let remaining = this.#multibulkRemaining;
    let bulkLength = this.#bulkLength;
    const argv = this.#argv;
    let argc = this.#argc;
    while (remaining > 0) {
      if (bulkLength === NO_BULK) {
        // fast path: $<digits>\r? (no leading zero, no sign, at most 15 digits), unless a
        // previous call already searched part of this header (then the slow path resumes it)
        const fastEnd = this.#scanned === 0 ? Math.min(end, pos + 1 + this.#fastDigits) : pos;
        let i = pos + 1;
        let value = 0;
        while (i < fastEnd) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          value = value * 10 + digit;
          i++;
        }
        if (
          i < end - 1 &&
          bytes[i] === CR &&
          bytes[pos] === RESP_TYPES.BULK_STRING &&
          i > pos + 1 &&
          (bytes[pos + 1] !== ZERO || i === pos + 2)
        ) {
          bulkLength = this.#checkBulkLength(value);
          pos = i + 2;
        } else {
          const cr = this.#readBulkHeaderSlow(bytes, pos, end);
          if (cr === -1) break;
          bulkLength = this.#checkBulkLength(parseLongLong(bytes, pos + 1, cr));
          pos = cr + 2;
        }
      }
      if (end - pos < bulkLength + 2) break;
      argv[argc] =
        argc === 0
          ? this.#commandName(bytes, pos, bulkLength, end)
          : this.#slice(bytes, pos, bulkLength, end);
      argc++;
      this.#argvBytes += bulkLength;
      pos += bulkLength + 2;
      bulkLength = NO_BULK;
      remaining--;
    }
    input.start = pos;
    this.#bulkLength = bulkLength;
    this.#multibulkRemaining = remaining;
    if (remaining === 0) {
      const command = argv.slice(0, argc);
      // the strings go with the command; a command of many arguments leaves no large array here
      if (argc > ARGV_KEPT) this.#argv = [];
      else argv.fill('', 0, argc);
      this.#argc = 0;
      this.#argvBytes = 0;
      input.wanted = 0;
      return command;
    }
    this.#argc = argc;
    // Waiting for bytes: tell the buffer how much the pending bulk needs, so that it grows to
    // that size at most (and only as the bytes arrive).
    input.wanted = bulkLength === NO_BULK ? 0 : bulkLength + 2;
    input.releaseIfEmpty();
    return undefined;
  }

  /**
   * Redis's checks of `$<len>` in order; returns the index of its \r, or -1 when the line is
   * incomplete.
   */
  #readBulkHeaderSlow(bytes: FastBuffer, pos: number, end: number): number {
    const cr = this.#findLineEnd(bytes, pos, end, CR);
    if (cr === -1 || cr - pos > this.#maxInlineLength) {
      if (end - pos > this.#maxInlineLength || cr !== -1) {
        this.#fail('Protocol error: too big bulk count string');
      }
      return -1;
    }
    if (cr > end - 2) return -1;
    const first = bytes[pos]!;
    if (first !== RESP_TYPES.BULK_STRING) {
      // addReplyErrorFormat turns \r and \n into spaces
      const shown = first === CR || first === LF ? ' ' : String.fromCharCode(first);
      this.#fail(`Protocol error: expected '$', got '${shown}'`);
    }
    const length = parseLongLong(bytes, pos + 1, cr);
    if (Number.isNaN(length) || length < 0) this.#fail('Protocol error: invalid bulk length');
    return cr;
  }

  #checkBulkLength(length: number): number {
    if (length > this.#maxBulkLength) this.#fail('Protocol error: invalid bulk length');
    if (length > UNAUTHENTICATED_MAX_BULK_LENGTH && this.authRequired) {
      this.#fail('Protocol error: unauthenticated bulk length');
    }
    return length;
  }

  /** One inline line. Returns undefined when incomplete, the arguments (maybe none) otherwise. */
  #readInline(): string[] | undefined {
    const input = this.#input;
    const bytes = input.bytes;
    const start = input.start;
    const end = input.end;
    let newline = -1;
    if (!this.#blocked) {
      // a native search, resumed where the previous one stopped, and bounded by the input's end
      // (an owned buffer has stale bytes past it)
      const region = end === bytes.length ? bytes : bytes.subarray(0, end);
      newline = region.indexOf(LF, start + this.#scanned);
    }
    if (newline === -1 || newline - start > this.#maxInlineLength) {
      if (end - start > this.#maxInlineLength || newline !== -1) {
        this.#fail('Protocol error: too big inline request');
      }
      if (!this.#blocked) this.#scanned = end - start;
      return undefined;
    }
    const lineEnd = newline > start && bytes[newline - 1] === CR ? newline - 1 : newline;
    let argv = splitPlain(bytes, start, lineEnd);
    if (argv === undefined) {
      argv = bytes.subarray(start, lineEnd).includes(NUL) ? null : splitArgs(bytes, start, lineEnd);
      if (argv === undefined) this.#fail('Protocol error: unbalanced quotes in request');
    }
    if (argv === null) {
      // Redis finds the line with strchr: a NUL before the newline hides it for good, and the
      // bytes pile up until the length limit
      this.#blocked = true;
      if (end - start > this.#maxInlineLength) this.#fail('Protocol error: too big inline request');
      return undefined;
    }
    this.#scanned = 0;
    input.start = newline + 1;
    return argv;
  }
}

const EMPTY_ARGV: string[] = [];
