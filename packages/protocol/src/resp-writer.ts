/**
 * The server side of RESP replies: frames appended into one reusable buffer, RESP2 or RESP3 per
 * client, with RESP3-only types degraded to what redis-server 7.0 sends a RESP2 client.
 *
 *     buffer: [ written bytes ............ length | spare capacity ]
 *
 * Hot paths (ok, integer, bulk, arrayHeader, bulkArray) write bytes by index: digits are
 * produced by arithmetic instead of `String(n)` + an encoder, short strings are copied with a
 * `charCodeAt` loop (a native write costs more than it saves below ~32 bytes), and capacity is
 * checked once per frame (once per array in `bulkArray`). Readability was traded for speed there.
 */
import {
  COLON,
  CR,
  LF,
  RESP_TYPES,
  SPACE,
  writeHeader,
  writeInteger,
  type FastBuffer,
} from './bytes.js';
import { InvalidArgumentError } from './errors.js';
import { formatDouble } from './format-double.js';
import {
  AttributedValue,
  BigNumber,
  ErrorReply,
  Push,
  RespDouble,
  SimpleString,
  VerbatimString,
  type RespValue,
} from './resp-value.js';

/** The RESP version a client speaks: 2 by default, 3 after `HELLO 3`. */
export type RespVersion = 2 | 3;

/** Default initial capacity of a {@link RespWriter}: 4 KiB. */
export const DEFAULT_WRITER_CAPACITY = 4096;
/** A writer whose buffer grew past this goes back to its initial capacity on reset(). */
const SHRINK_ABOVE = 1024 * 1024;
/** Strings shorter than this are copied by a JS loop, longer ones by Buffer#latin1Write. */
const SHORT_STRING = 32;
/** Room for a frame header: type byte, sign, 20 digits, \r\n. */
const HEADER_ROOM = 24;

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const BIG_NUMBER_SYNTAX = /^-?[0-9]+$/;

/**
 * Appends RESP replies to a growable buffer, as redis-server writes them.
 * `protocol` is per client: RESP3-only types (map, set, push, double, boolean, verbatim, big
 * number, null) degrade in RESP2 exactly as Redis degrades them.
 *
 * Every method is O(size of the frame), amortised over buffer growth.
 *
 * @example
 * ```ts
 * const writer = new RespWriter();
 * writer.ok();                      // +OK\r\n
 * writer.bulkArray(['a', 'b']);     // *2\r\n$1\r\na\r\n$1\r\nb\r\n
 * writer.protocol = 3;
 * writer.double(1.5);               // ,1.5\r\n
 * socket.write(writer.take());      // hand the bytes over, keep writing
 * ```
 */
export class RespWriter {
  #buffer: FastBuffer;
  #length = 0;
  readonly #initialCapacity: number;
  /** The client's RESP version (2 or 3). Default 2. */
  protocol: RespVersion = 2;

  /** @param initialCapacity - bytes allocated up front; default 4096 */
  constructor(initialCapacity: number = DEFAULT_WRITER_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new InvalidArgumentError(`initialCapacity must be a non-negative integer`);
    }
    this.#initialCapacity = Math.max(initialCapacity, HEADER_ROOM);
    this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
  }

  /** Bytes written since the last reset/take. O(1). */
  get length(): number {
    return this.#length;
  }

  /** `+OK`. O(1). */
  ok(): void {
    if (this.#length + 5 > this.#buffer.length) this.#grow(5);
    const buffer = this.#buffer;
    const at = this.#length;
    buffer[at] = RESP_TYPES.SIMPLE_STRING;
    buffer[at + 1] = 79; // O
    buffer[at + 2] = 75; // K
    buffer[at + 3] = CR;
    buffer[at + 4] = LF;
    this.#length = at + 5;
  }

  /** `+text`: a status reply. CR and LF in `text` become spaces. O(text). */
  simple(text: string): void {
    this.#line(RESP_TYPES.SIMPLE_STRING, text, true);
  }

  /**
   * `-text`: an error reply; `text` starts with its code (`ERR ...`, `WRONGTYPE ...`).
   * CR and LF in `text` become spaces, as Redis does. O(text).
   */
  error(text: string): void {
    this.#line(RESP_TYPES.SIMPLE_ERROR, text, true);
  }

  /** `:n`. Throws {@link InvalidArgumentError} unless `n` is an integer within int64. O(1). */
  integer(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      if (this.#length + HEADER_ROOM > this.#buffer.length) this.#grow(HEADER_ROOM);
      this.#buffer[this.#length] = COLON;
      this.#length = writeInteger(this.#buffer, this.#length + 1, n);
      this.#buffer[this.#length] = CR;
      this.#buffer[this.#length + 1] = LF;
      this.#length += 2;
      return;
    }
    this.#line(COLON, int64Text(n), false);
  }

  /**
   * `$len\r\nbytes`: a bulk string. A string is written as latin1 (one byte per char, as the
   * request parser produced it); for UTF-8 text pass `Buffer.from(text)`. O(value).
   */
  bulk(value: string | Uint8Array): void {
    const size = value.length;
    if (this.#length + size + HEADER_ROOM + 2 > this.#buffer.length) {
      this.#grow(size + HEADER_ROOM + 2);
    }
    this.#length = writeBulk(this.#buffer, this.#length, value);
  }

  /**
   * A bulk string of `source[start, end)`, copied straight from `source` without a view of it (a
   * value kept in a byte page, say). O(end - start).
   */
  bulkSlice(source: Uint8Array, start: number, end: number): void {
    const size = end - start;
    if (this.#length + size + HEADER_ROOM + 2 > this.#buffer.length) {
      this.#grow(size + HEADER_ROOM + 2);
    }
    const buffer = this.#buffer;
    let at = writeHeader(buffer, this.#length, RESP_TYPES.BULK_STRING, size);
    if (size < SHORT_STRING) {
      for (let i = start; i < end; i++) buffer[at++] = source[i]!;
    } else {
      buffer.set(source.subarray(start, end), at);
      at += size;
    }
    buffer[at++] = CR;
    buffer[at++] = LF;
    this.#length = at;
  }

  /** The null bulk string: `$-1` (RESP2), `_` (RESP3). O(1). */
  nil(): void {
    this.#ascii(this.protocol === 3 ? '_\r\n' : '$-1\r\n');
  }

  /** The null array: `*-1` (RESP2), `_` (RESP3). O(1). */
  nullArray(): void {
    this.#ascii(this.protocol === 3 ? '_\r\n' : '*-1\r\n');
  }

  /** `*n`: an array of the next `n` replies. O(1). */
  arrayHeader(n: number): void {
    this.#header(RESP_TYPES.ARRAY, n);
  }

  /** `%pairs` (RESP3), or `*` with twice as many elements (RESP2). O(1). */
  mapHeader(pairs: number): void {
    if (this.protocol === 3) this.#header(RESP_TYPES.MAP, pairs);
    else this.#header(RESP_TYPES.ARRAY, pairs * 2);
  }

  /** `~n` (RESP3), `*n` (RESP2). O(1). */
  setHeader(n: number): void {
    this.#header(this.protocol === 3 ? RESP_TYPES.SET : RESP_TYPES.ARRAY, n);
  }

  /** `>n` (RESP3), `*n` (RESP2): a push message such as a pub/sub message. O(1). */
  pushHeader(n: number): void {
    this.#header(this.protocol === 3 ? RESP_TYPES.PUSH : RESP_TYPES.ARRAY, n);
  }

  /**
   * `|n`: attributes (n key/value pairs) for the reply that follows. RESP3 only: Redis has no
   * RESP2 form, so a RESP2 writer throws {@link InvalidArgumentError}. O(1).
   */
  attributeHeader(pairs: number): void {
    if (this.protocol !== 3) {
      throw new InvalidArgumentError('attributes exist in RESP3 only');
    }
    this.#header(RESP_TYPES.ATTRIBUTE, pairs);
  }

  /**
   * A double as redis-server 7.0 writes it (`%.17g`, see {@link formatDouble}): `,1.5` (RESP3),
   * a bulk string (RESP2). O(1).
   */
  double(x: number): void {
    const text = formatDouble(x);
    if (this.protocol === 3) this.#line(RESP_TYPES.DOUBLE, text, false);
    else this.bulk(text);
  }

  /** `#t`/`#f` (RESP3), `:1`/`:0` (RESP2). O(1). */
  boolean(b: boolean): void {
    if (this.protocol === 3) this.#ascii(b ? '#t\r\n' : '#f\r\n');
    else this.#ascii(b ? ':1\r\n' : ':0\r\n');
  }

  /**
   * `=len\r\nfmt:text` (RESP3), a bulk string of `text` (RESP2). `text` is latin1 like
   * {@link bulk}; `format` is three bytes, default "txt". O(text).
   */
  verbatim(text: string | Uint8Array, format = 'txt'): void {
    if (format.length !== 3) {
      throw new InvalidArgumentError(`a verbatim format is 3 bytes, got "${format}"`);
    }
    if (this.protocol !== 3) {
      this.bulk(text);
      return;
    }
    const size = text.length + 4;
    if (this.#length + size + HEADER_ROOM + 2 > this.#buffer.length) {
      this.#grow(size + HEADER_ROOM + 2);
    }
    const buffer = this.#buffer;
    let at = writeHeader(buffer, this.#length, RESP_TYPES.VERBATIM_STRING, size);
    at = writeText(buffer, at, format);
    buffer[at++] = COLON;
    at = typeof text === 'string' ? writeText(buffer, at, text) : writeBytes(buffer, at, text);
    buffer[at++] = CR;
    buffer[at++] = LF;
    this.#length = at;
  }

  /** `(digits` (RESP3), a bulk string (RESP2). A string must be an integer literal. O(digits). */
  bigNumber(value: bigint | string): void {
    const text = typeof value === 'bigint' ? value.toString() : value;
    if (!BIG_NUMBER_SYNTAX.test(text)) {
      throw new InvalidArgumentError(`not an integer: "${text}"`);
    }
    if (this.protocol === 3) this.#line(RESP_TYPES.BIG_NUMBER, text, false);
    else this.bulk(text);
  }

  /**
   * `!len\r\ntext` (RESP3 bulk error), a simple error `-text` (RESP2, CR and LF made spaces).
   * O(text).
   */
  bulkError(text: string): void {
    if (this.protocol !== 3) {
      this.error(text);
      return;
    }
    const size = text.length;
    if (this.#length + size + HEADER_ROOM + 2 > this.#buffer.length) {
      this.#grow(size + HEADER_ROOM + 2);
    }
    const start = this.#length;
    this.#length = writeBulk(this.#buffer, start, text);
    this.#buffer[start] = RESP_TYPES.BULK_ERROR;
  }

  /** Appends bytes that are already RESP (a cached reply). O(bytes). */
  raw(bytes: Uint8Array): void {
    if (this.#length + bytes.length > this.#buffer.length) this.#grow(bytes.length);
    this.#length = writeBytes(this.#buffer, this.#length, bytes);
  }

  /**
   * `*n` and n bulk strings in one call, the reply of KEYS, LRANGE, SMEMBERS, HGETALL (RESP2),
   * with one capacity check for the whole array. Strings are latin1. O(total length).
   */
  bulkArray(values: readonly (string | Uint8Array)[]): void {
    const count = values.length;
    let size = HEADER_ROOM;
    for (let i = 0; i < count; i++) size += values[i]!.length + HEADER_ROOM + 2;
    if (this.#length + size > this.#buffer.length) this.#grow(size);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = RESP_TYPES.ARRAY;
    at = writeInteger(buffer, at, count);
    buffer[at++] = CR;
    buffer[at++] = LF;
    for (let i = 0; i < count; i++) at = writeBulk(buffer, at, values[i]!);
    this.#length = at;
  }

  /**
   * Any {@link RespValue}, recursively, as the type it stands for: a string is a bulk string
   * (latin1), a number an integer (a non-integer number is written as a double), a
   * {@link SimpleString} a status, an array an array, a Map a map... RESP3-only types degrade in
   * RESP2 like the methods above; attributes are dropped in RESP2. O(size of the value).
   *
   * @example
   * ```ts
   * writer.value(new Map([['name', 'byor'], ['version', 1]]));
   * ```
   */
  value(value: RespValue): void {
    if (value === null) return this.nil();
    switch (typeof value) {
      case 'string':
        return this.bulk(value);
      case 'number':
        return Number.isInteger(value) ? this.integer(value) : this.double(value);
      case 'bigint':
        return this.integer(value);
      case 'boolean':
        return this.boolean(value);
      case 'object':
      case 'function':
      case 'symbol':
      case 'undefined':
        break;
    }
    if (Array.isArray(value)) {
      this.arrayHeader(value.length);
      for (const item of value) this.value(item);
    } else if (value instanceof SimpleString) {
      this.simple(value.value);
    } else if (value instanceof ErrorReply) {
      if (value.bulk) this.bulkError(value.message);
      else this.error(value.message);
    } else if (value instanceof RespDouble) {
      this.double(value.value);
    } else if (value instanceof BigNumber) {
      this.bigNumber(value.value);
    } else if (value instanceof VerbatimString) {
      this.verbatim(value.text, value.format);
    } else if (value instanceof Map) {
      this.mapHeader(value.size);
      for (const [key, item] of value) {
        this.value(key);
        this.value(item);
      }
    } else if (value instanceof Set) {
      this.setHeader(value.size);
      for (const item of value) this.value(item);
    } else if (value instanceof Push) {
      this.pushHeader(value.values.length);
      for (const item of value.values) this.value(item);
    } else if (value instanceof AttributedValue) {
      if (this.protocol === 3) {
        this.attributeHeader(value.attributes.size);
        for (const [key, item] of value.attributes) {
          this.value(key);
          this.value(item);
        }
      }
      this.value(value.value);
    } else {
      throw new InvalidArgumentError(`not a RESP value: ${String(value)}`);
    }
  }

  /** The bytes written so far: a view, valid until the next write, reset() or take(). O(1). */
  view(): Buffer {
    // a view as long as the last one is that same object (a server answering one command over
    // and over flushes replies of one length): no allocation per flush
    const view = this.#view;
    if (view !== undefined && view.length === this.#length && view.buffer === this.#buffer.buffer)
      return view;
    return (this.#view = this.#buffer.subarray(0, this.#length));
  }
  #view: Buffer | undefined = undefined;

  /**
   * The bytes written so far, as a Buffer the caller owns (safe to hand to `socket.write`), and
   * an empty writer. Copies when the bytes fill less than a quarter of the buffer, otherwise
   * gives the buffer away and allocates a new one. O(length) at worst.
   */
  take(): Buffer {
    const length = this.#length;
    this.#length = 0;
    if (length <= this.#buffer.length >>> 2) {
      const copy = Buffer.allocUnsafe(length);
      this.#buffer.copy(copy, 0, 0, length);
      return copy;
    }
    const taken = this.#buffer.subarray(0, length);
    this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
    this.#view = undefined;
    return taken;
  }

  /**
   * Forgets the bytes written (views from view() become invalid). A buffer that grew past
   * 1 MiB is replaced by one of the initial capacity. O(1).
   */
  reset(): void {
    this.#length = 0;
    if (this.#buffer.length > SHRINK_ABOVE && this.#buffer.length > this.#initialCapacity) {
      this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
      // the cached view would keep the big buffer alive until the next view()
      this.#view = undefined;
    }
  }

  #grow(extra: number): void {
    const needed = this.#length + extra;
    const capacity = Math.max(needed, this.#buffer.length * 2);
    const grown = Buffer.allocUnsafeSlow(capacity) as FastBuffer;
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
    this.#view = undefined;
  }

  #header(type: number, n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new InvalidArgumentError(`an element count must be a non-negative integer, got ${n}`);
    }
    if (this.#length + HEADER_ROOM > this.#buffer.length) this.#grow(HEADER_ROOM);
    // writeHeader written out: through it, arrayHeader + bulk measured 5-9% slower (inlining)
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = type;
    at = writeInteger(buffer, at, n);
    buffer[at++] = CR;
    buffer[at++] = LF;
    this.#length = at;
  }

  /** type byte, text, \r\n; with `sanitize`, CR and LF inside the text become spaces */
  #line(type: number, text: string, sanitize: boolean): void {
    const size = text.length;
    if (this.#length + size + 3 > this.#buffer.length) this.#grow(size + 3);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = type;
    const textStart = at;
    at = writeText(buffer, at, text);
    if (sanitize) {
      for (let i = textStart; i < at; i++) {
        const byte = buffer[i];
        if (byte === CR || byte === LF) buffer[i] = SPACE;
      }
    }
    buffer[at++] = CR;
    buffer[at++] = LF;
    this.#length = at;
  }

  #ascii(text: string): void {
    if (this.#length + text.length > this.#buffer.length) this.#grow(text.length);
    this.#length = writeText(this.#buffer, this.#length, text);
  }
}

/** Text of an int64 integer reply, or InvalidArgumentError. */
function int64Text(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isInteger(n)) {
    throw new InvalidArgumentError(`an integer reply needs an integer, got ${n}`);
  }
  const big = typeof n === 'bigint' ? n : BigInt(n);
  if (big < MIN_INT64 || big > MAX_INT64) {
    throw new InvalidArgumentError(`an integer reply is a signed 64-bit integer, got ${big}`);
  }
  return big.toString();
}

/** Writes a latin1 string at `at`; returns the index after it. Capacity checked by the caller. */
function writeText(buffer: FastBuffer, at: number, text: string): number {
  const size = text.length;
  if (size < SHORT_STRING) {
    for (let i = 0; i < size; i++) buffer[at + i] = text.charCodeAt(i);
    return at + size;
  }
  return at + buffer.latin1Write(text, at, size);
}

function writeBytes(buffer: FastBuffer, at: number, bytes: Uint8Array): number {
  const size = bytes.length;
  if (size < SHORT_STRING) {
    for (let i = 0; i < size; i++) buffer[at + i] = bytes[i]!;
  } else {
    buffer.set(bytes, at);
  }
  return at + size;
}

/** `$len\r\nvalue\r\n` at `at`; returns the index after it. Capacity checked by the caller. */
function writeBulk(buffer: FastBuffer, at: number, value: string | Uint8Array): number {
  at = writeHeader(buffer, at, RESP_TYPES.BULK_STRING, value.length);
  at = typeof value === 'string' ? writeText(buffer, at, value) : writeBytes(buffer, at, value);
  buffer[at++] = CR;
  buffer[at++] = LF;
  return at;
}
