/**
 * The client side of RESP: replies from a server, every RESP2 and RESP3 type, streaming.
 *
 * RESP2: https://redis.io/docs/latest/develop/reference/protocol-spec/
 * RESP3: https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md
 *
 * Aggregates are read with an explicit stack of frames instead of recursion, so a reply cut by a
 * chunk boundary resumes at the element where it stopped: the elements already read stay in
 * their frames, and only the cut element is read again once its bytes are all there (an element
 * is a header, a line, or a bulk whose length is known, so the cost is bounded). That keeps a
 * 10,000-element array arriving in 50 chunks O(n) where parsing it again each time is O(n^2).
 *
 * Where readability was traded for speed:
 * - `next()` reads bulk strings and integers inline (digits accumulated while looking for the
 *   \r); the other types go through one method each.
 * - Strings are cut from a shared decoded window (see {@link ReplyParserOptions.copyStrings}):
 *   one native decode per 8 KiB instead of one per string, which costs more than the copy for
 *   the short strings replies are made of.
 * - A bulk string of 128 KiB or more is decoded in 64 KiB pieces joined into a rope, and when
 *   it is cut by chunk boundaries each piece is decoded as it arrives, so the bytes are never
 *   gathered into one buffer (no copy, no doubling) and no 1 MiB flat string is allocated.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { CR, LOWER_F, LOWER_T, MINUS, PLUS, RESP_TYPES, ZERO, type FastBuffer } from './bytes.js';
import { ProtocolError } from './errors.js';
import { ReadBuffer } from './read-buffer.js';
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

/** How bulk strings, simple strings and errors are decoded. */
export type ReplyEncoding = 'utf8' | 'latin1';

/** Options of {@link ReplyParser}. */
export interface ReplyParserOptions {
  /**
   * Text decoding of strings: 'utf8' (default, what clients show) or 'latin1' (one char per
   * byte, binary safe: `Buffer.from(reply, 'latin1')` gives the bytes back).
   */
  encoding?: ReplyEncoding;
  /**
   * Decode every string on its own. Default false: strings under 1 KiB are cut from a decoded
   * window of up to 8 KiB of the input, which is several times faster, but V8 keeps a cut string
   * of 13 chars or more pointing into its window, so a string kept for long (in a cache) can keep
   * up to 8 KiB alive. Set it for parsers whose strings are stored rather than consumed.
   */
  copyStrings?: boolean;
  /** Largest bulk string (and verbatim string, bulk error) accepted, in bytes. Default 512 MiB. */
  maxBulkLength?: number;
  /** Largest aggregate element count accepted. Default 2^31-1. */
  maxAggregateLength?: number;
  /** Deepest nesting of aggregates accepted. Default 512. */
  maxDepth?: number;
}

/** Aggregates up to this size get their array allocated up front; larger ones grow. */
const PREALLOCATE_UP_TO = 1024;
/** Bytes decoded at once for the shared window. */
const WINDOW_BYTES = 8192;
/** Strings shorter than this come from the window; longer ones are decoded alone. */
const WINDOW_STRING_MAX = 1024;
/** Size of the pieces a large string is decoded in. */
const PIECE_BYTES = 65536;
/** Bulk strings from this size on are decoded in pieces (and streamed across chunks). */
const LARGE_BULK = 2 * PIECE_BYTES;
/** Digit runs are read at most this far: past it a number is malformed whatever follows. */
const MAX_DIGITS = 21;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One aggregate being filled. Reused from a pool: one shape, no allocation per reply. */
class Frame {
  type = 0;
  items: RespValue[] = [];
  index = 0;
  length = 0;
  /** attributes that preceded this aggregate, to wrap it with once complete */
  attributes: Attributes | null = null;
}

/**
 * Attributes waiting for the value they describe; `outer` when attributes came before attributes
 * (the value is then wrapped twice, innermost first).
 */
interface Attributes {
  map: Map<RespValue, RespValue>;
  outer: Attributes | null;
}

function wrap(attributes: Attributes | null, value: RespValue): RespValue {
  for (let at = attributes; at !== null; at = at.outer) value = new AttributedValue(at.map, value);
  return value;
}

/** A unique marker: the element at the cursor is not complete yet. */
const INCOMPLETE = Symbol('incomplete');
type Incomplete = typeof INCOMPLETE;

/**
 * An incremental parser of server replies, RESP2 and RESP3, fed arbitrary chunks. It satisfies
 * the `Decoder<RespValue>` shape of @byor/eventloop. Error replies are returned as
 * {@link ErrorReply} values; malformed bytes throw {@link ProtocolError}.
 *
 * Cost: O(bytes) over the whole stream.
 *
 * @example
 * ```ts
 * const parser = new ReplyParser();
 * parser.push(Buffer.from('+OK\r\n*2\r\n$1\r\na\r\n:1\r\n'));
 * parser.next(); // SimpleString { value: 'OK' }
 * parser.next(); // ['a', 1]
 * parser.next(); // undefined: waiting for more bytes
 * ```
 */
export class ReplyParser {
  readonly #input = new ReadBuffer();
  readonly #utf8: boolean;
  readonly #windowed: boolean;
  readonly #maxBulkLength: number;
  readonly #maxAggregateLength: number;
  readonly #maxDepth: number;
  readonly #frames: Frame[] = [];
  #depth = 0;
  /** attributes read and waiting for the value they describe */
  #attributes: Attributes | null = null;
  /** where the element just read ends (set by the #read* methods) */
  #cursor = 0;
  #error: ProtocolError | undefined = undefined;
  /** the shared window: `#window` is bytes [#windowStart, #windowEnd) of the input, decoded */
  #window = '';
  #windowStart = 0;
  #windowEnd = 0;
  /** no window is tried before this index (the last try met multi-byte characters) */
  #plainUntil = 0;
  /** a large bulk being decoded as it arrives: its type byte, or 0 */
  #streamType = 0;
  #streamBody = 0;
  #streamTrailer = 0;
  #streamText = '';
  #decoder: StringDecoder | undefined = undefined;
  /**
   * true between replies in the ordinary state (no aggregate open, no attributes pending, no
   * stream, no error): the state next()'s fast path needs
   */
  #plain = true;
  /** a DataView of the input bytes, for reading four digits at once */
  #view: DataView = EMPTY_VIEW;
  #viewed: Uint8Array | undefined = undefined;

  constructor(options: ReplyParserOptions = {}) {
    this.#utf8 = (options.encoding ?? 'utf8') === 'utf8';
    this.#windowed = !(options.copyStrings ?? false);
    this.#maxBulkLength = options.maxBulkLength ?? 512 * 1024 * 1024;
    this.#maxAggregateLength = options.maxAggregateLength ?? 2 ** 31 - 1;
    this.#maxDepth = options.maxDepth ?? 512;
    // Every field the parser changes later is changed once here. V8 optimizes code for fields
    // that have kept their first value as constants, and throws that code away when one changes
    // (the first array after a run of plain replies would do it); functions with long loops,
    // drain() above all, can then stay in slower code for a long while.
    this.#depth = 1;
    this.#depth = 0;
    this.#plain = false;
    this.#attributes = { map: new Map(), outer: null };
    this.#streamType = RESP_TYPES.BULK_STRING;
    this.#window = 'x';
    this.#windowStart = 1;
    this.#windowEnd = 1;
    this.#plainUntil = 1;
    this.reset();
  }

  /** Bytes received and not yet consumed (the elements already parsed are not counted). O(1). */
  get bufferedBytes(): number {
    return this.#input.end - this.#input.start;
  }

  /** Appends a chunk. O(1), or O(chunk) when a reply straddles it. Keep the chunk unchanged. */
  push(chunk: Uint8Array): void {
    this.#input.push(chunk);
    // indexes into the input may now point elsewhere
    this.#windowEnd = 0;
    this.#plainUntil = 0;
  }

  /**
   * The next complete reply, or `undefined` when more bytes are needed. Amortised O(bytes of
   * the reply). Throws {@link ProtocolError} on malformed input, and keeps throwing until reset().
   */
  next(): RespValue | undefined {
    // Fast path, small enough for V8 to inline into the caller's loop: a top-level integer, or a
    // bulk string inside the current window, complete in the buffer.
    const input = this.#input;
    const bytes = input.bytes;
    const pos = input.start;
    const end = input.end;
    if (this.#plain) {
      const type = bytes[pos];
      if (type === RESP_TYPES.INTEGER) {
        let i = pos + 1;
        const negative = bytes[i] === MINUS;
        if (negative) i++;
        const first = i;
        const limit = end < first + 15 ? end : first + 15; // 15 digits are exact in a double
        let number = 0;
        for (; i < limit; i++) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          number = number * 10 + digit;
        }
        if (i < end - 1 && bytes[i] === CR && i > first) {
          input.start = i + 2;
          return negative ? -number : number;
        }
      } else if (type === RESP_TYPES.BULK_STRING) {
        let i = pos + 1;
        let length = 0;
        const limit = end < pos + 8 ? end : pos + 8;
        for (; i < limit; i++) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          length = length * 10 + digit;
        }
        const windowStart = this.#windowStart;
        const start = i + 2 - windowStart;
        const after = i + 4 + length; // past the body's CRLF, which the window need not hold
        if (
          start + length <= this.#windowEnd - windowStart &&
          after <= end &&
          start >= 0 &&
          bytes[i] === CR &&
          i > pos + 1
        ) {
          input.start = after;
          return this.#window.substring(start, start + length);
        }
      }
    }
    return this.#nextElement();
  }

  /**
   * Calls `onReply` with every complete reply, in order, and returns how many there were: the
   * push-style twin of {@link next}, for clients that dispatch replies from a callback (as the
   * parsers of ioredis and node-redis do). Cheaper per reply than a loop over next(): the read
   * position stays in a local variable between replies. O(bytes).
   *
   * @example
   * ```ts
   * socket.on('data', (chunk) => {
   *   parser.push(chunk);
   *   parser.drain((reply) => pending.shift()!.resolve(reply));
   * });
   * ```
   */
  drain(onReply: (reply: RespValue) => void): number {
    let count = 0;
    for (;;) {
      const handled = this.#drainPlain(onReply);
      count += handled;
      if (handled === DRAIN_BATCH) continue;
      const reply = this.#nextElement();
      if (reply === undefined) return count;
      count += 1;
      onReply(reply);
    }
  }

  /**
   * The loop of next()'s fast path: top-level integers and short bulk strings, the position kept
   * in a local variable. Stops at anything else, and after DRAIN_BATCH replies: a function that
   * returns often is optimized whole by V8, where one long-running loop can be left in slower
   * code after a deoptimization (it is then only replaced on the stack, for that loop).
   */
  #drainPlain(onReply: (reply: RespValue) => void): number {
    const input = this.#input;
    const bytes = input.bytes;
    const end = input.end;
    let pos = input.start;
    let count = 0;
    if (!this.#plain) return 0;
    if (this.#viewed !== bytes) {
      this.#viewed = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.#view;
    while (pos < end && count < DRAIN_BATCH) {
      const type = bytes[pos];
      let i = pos + 1;
      if (type === RESP_TYPES.INTEGER) {
        const negative = bytes[i] === MINUS;
        if (negative) i++;
        const first = i;
        const limit = end < first + 15 ? end : first + 15;
        let number = 0;
        // four digits per step (SWAR): a 32-bit word is four digits when each byte is 0x3? and
        // stays so with 6 added; pairs of digits are then combined by one multiply
        while (i + 4 <= limit) {
          const word = view.getUint32(i, true);
          if (((word & 0xf0f0f0f0) | (((word + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) {
            break;
          }
          const digits = word & 0x0f0f0f0f;
          const pairs = Math.imul(digits, 10) + (digits >>> 8);
          number = number * 10000 + (pairs & 0xff) * 100 + ((pairs >>> 16) & 0xff);
          i += 4;
        }
        for (; i < limit; i++) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          number = number * 10 + digit;
        }
        if (i >= end - 1 || bytes[i] !== CR || i === first) break;
        pos = i + 2;
        count += 1;
        onReply(negative ? -number : number);
      } else if (type === RESP_TYPES.BULK_STRING) {
        let length = 0;
        const limit = end < pos + 8 ? end : pos + 8;
        for (; i < limit; i++) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          length = length * 10 + digit;
        }
        const start = i + 2;
        const stop = start + length;
        if (bytes[i] !== CR || i === pos + 1 || stop + 2 > end || length >= WINDOW_STRING_MAX) {
          break;
        }
        pos = stop + 2;
        count += 1;
        onReply(
          stop <= this.#windowEnd && start >= this.#windowStart
            ? this.#window.substring(start - this.#windowStart, stop - this.#windowStart)
            : this.#decode(bytes, start, stop),
        );
      } else {
        break;
      }
    }
    input.start = pos;
    return count;
  }

  /** next() for everything but its fast path. */
  #nextElement(): RespValue | undefined {
    if (this.#error !== undefined) throw this.#error;
    const input = this.#input;
    const bytes = input.bytes;
    const end = input.end;
    let pos = input.start;
    for (;;) {
      let value: RespValue | Incomplete;
      if (this.#streamType !== 0) {
        value = this.#continueStream(bytes, pos, end);
      } else if (pos >= end) {
        // nothing pending: hold no memory while idle
        input.start = pos;
        input.releaseIfEmpty();
        this.#window = '';
        this.#windowEnd = 0;
        this.#view = EMPTY_VIEW;
        this.#viewed = undefined;
        return undefined;
      } else {
        const type = bytes[pos]!;
        if (type === RESP_TYPES.BULK_STRING) {
          // inline: $<length>\r\n<bytes>\r\n complete in the buffer
          let i = pos + 1;
          let length = 0;
          const limit = end < pos + 17 ? end : pos + 17;
          for (; i < limit; i++) {
            const digit = bytes[i]! - ZERO;
            if (digit < 0 || digit > 9) break;
            length = length * 10 + digit;
          }
          const start = i + 2;
          const stop = start + length;
          if (
            stop + 2 <= end &&
            bytes[i] === CR &&
            i > pos + 1 &&
            length < LARGE_BULK &&
            length <= this.#maxBulkLength
          ) {
            value =
              this.#windowed && stop <= this.#windowEnd && start >= this.#windowStart
                ? this.#window.substring(start - this.#windowStart, stop - this.#windowStart)
                : this.#decode(bytes, start, stop);
            this.#cursor = stop + 2;
          } else {
            value = this.#readBulk(bytes, pos, end);
          }
        } else if (type === RESP_TYPES.INTEGER) {
          // inline: :<digits>\r\n with at most 15 digits (exact in a double)
          let i = pos + 1;
          const negative = bytes[i] === MINUS;
          if (negative) i++;
          const first = i;
          const limit = end < first + 16 ? end : first + 16;
          let number = 0;
          for (; i < limit; i++) {
            const digit = bytes[i]! - ZERO;
            if (digit < 0 || digit > 9) break;
            number = number * 10 + digit;
          }
          if (i < end - 1 && bytes[i] === CR && i > first && i - first < 16) {
            value = negative ? -number : number;
            this.#cursor = i + 2;
          } else {
            value = this.#readInteger(bytes, pos, end);
          }
        } else {
          const other = this.#readOther(type, bytes, pos, end);
          if (other === OPENED) {
            pos = this.#cursor;
            continue;
          }
          value = other;
        }
      }
      if (value === INCOMPLETE) {
        if (this.#streamType === 0) {
          input.start = pos;
        } else {
          input.start = this.#cursor;
          input.releaseIfEmpty();
        }
        return undefined;
      }
      pos = this.#cursor;
      if (this.#depth === 0 && this.#attributes === null) {
        input.start = pos;
        return value;
      }
      value = this.#store(value);
      if (value !== INCOMPLETE) {
        input.start = pos;
        return value;
      }
    }
  }

  /** Forgets buffered bytes, partial replies and any error. O(1). */
  reset(): void {
    this.#input.clear();
    for (let i = 0; i < this.#depth; i++) {
      this.#frames[i]!.items = EMPTY_ITEMS;
      this.#frames[i]!.attributes = null;
    }
    this.#depth = 0;
    this.#attributes = null;
    this.#error = undefined;
    this.#window = '';
    this.#windowStart = 0;
    this.#windowEnd = 0;
    this.#plainUntil = 0;
    this.#streamType = 0;
    this.#streamText = '';
    this.#decoder = undefined;
    this.#plain = true;
  }

  /**
   * A complete element: stored in its aggregate, closing the aggregates it completes. Returns the
   * top-level reply when that is complete, INCOMPLETE otherwise.
   */
  #store(element: RespValue): RespValue | Incomplete {
    let value: RespValue = element;
    if (this.#attributes !== null) {
      value = wrap(this.#attributes, value);
      this.#attributes = null;
    }
    while (this.#depth > 0) {
      const frame = this.#frames[this.#depth - 1]!;
      frame.items[frame.index++] = value;
      if (frame.index < frame.length) return INCOMPLETE;
      this.#depth--;
      const closed = closeFrame(frame);
      const outer = frame.attributes;
      frame.items = EMPTY_ITEMS;
      frame.attributes = null;
      if (frame.type === RESP_TYPES.ATTRIBUTE) {
        // attributes describe the next value at this level
        this.#attributes = { map: closed as Map<RespValue, RespValue>, outer };
        return INCOMPLETE;
      }
      value = wrap(outer, closed);
    }
    this.#refreshPlain();
    return value;
  }

  #refreshPlain(): void {
    this.#plain =
      this.#depth === 0 &&
      this.#attributes === null &&
      this.#streamType === 0 &&
      this.#error === undefined;
  }

  #fail(message: string): never {
    this.#error = new ProtocolError(message);
    this.#plain = false;
    throw this.#error;
  }

  /** Every type but bulk strings and integers; OPENED when an aggregate was started. */
  #readOther(
    type: number,
    bytes: FastBuffer,
    pos: number,
    end: number,
  ): RespValue | Incomplete | typeof OPENED {
    switch (type) {
      case RESP_TYPES.ARRAY:
      case RESP_TYPES.MAP:
      case RESP_TYPES.SET:
      case RESP_TYPES.PUSH:
      case RESP_TYPES.ATTRIBUTE: {
        const length = this.#readLength(bytes, pos, end, type === RESP_TYPES.ARRAY);
        if (length === -2) return INCOMPLETE;
        if (length === -1) return null;
        if (length === 0 && type !== RESP_TYPES.ATTRIBUTE) return emptyAggregate(type);
        // an empty attribute map opens nothing: the next value is read as if it were absent
        if (length !== 0) this.#open(type, length);
        return OPENED;
      }
      case RESP_TYPES.SIMPLE_STRING:
        return this.#readSimpleString(bytes, pos, end);
      case RESP_TYPES.SIMPLE_ERROR: {
        const message = this.#readLine(bytes, pos, end);
        return message === INCOMPLETE ? message : new ErrorReply(message, false);
      }
      case RESP_TYPES.NULL:
        return this.#readNull(bytes, pos, end);
      case RESP_TYPES.BOOLEAN:
        return this.#readBoolean(bytes, pos, end);
      case RESP_TYPES.DOUBLE:
        return this.#readDouble(bytes, pos, end);
      case RESP_TYPES.BIG_NUMBER:
        return this.#readBigNumber(bytes, pos, end);
      case RESP_TYPES.BULK_ERROR:
      case RESP_TYPES.VERBATIM_STRING:
        return this.#readBulk(bytes, pos, end);
      default:
        return this.#fail(
          `Protocol error: unknown reply type byte ${JSON.stringify(String.fromCharCode(type))}`,
        );
    }
  }

  #open(type: number, length: number): void {
    if (this.#depth >= this.#maxDepth) {
      this.#fail(`Protocol error: aggregates nested deeper than ${this.#maxDepth}`);
    }
    let frame = this.#frames[this.#depth];
    if (frame === undefined) {
      frame = new Frame();
      this.#frames.push(frame);
    }
    this.#depth++;
    this.#plain = false;
    const count = type === RESP_TYPES.MAP || type === RESP_TYPES.ATTRIBUTE ? length * 2 : length;
    frame.type = type;
    frame.items = count <= PREALLOCATE_UP_TO ? new Array<RespValue>(count) : [];
    frame.index = 0;
    frame.length = count;
    frame.attributes = this.#attributes;
    this.#attributes = null;
  }

  /**
   * `<type><digits>\r\n` of an aggregate: the count, -1 for a null (`*-1`, RESP2 only), or -2
   * when the line is incomplete. Sets the cursor after the line.
   */
  #readLength(bytes: FastBuffer, pos: number, end: number, nullable: boolean): number {
    let i = pos + 1;
    let value = 0;
    const limit = Math.min(end, pos + MAX_DIGITS);
    for (; i < limit; i++) {
      const digit = bytes[i]! - ZERO;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i >= end - 1) return -2;
    if (bytes[i] === CR && i > pos + 1 && i - pos <= 11) {
      if (value > this.#maxAggregateLength) this.#fail('Protocol error: invalid multibulk length');
      this.#cursor = i + 2;
      return value;
    }
    const line = this.#readLine(bytes, pos, end);
    if (line === INCOMPLETE) return -2;
    if (nullable && line === '-1') return -1;
    return this.#fail('Protocol error: invalid multibulk length');
  }

  /**
   * `$<len>\r\n<bytes>\r\n`, `!<len>...` (bulk error), `=<len>...` (verbatim): the value, or
   * null for `$-1`. A large one that is not complete starts streaming.
   */
  #readBulk(bytes: FastBuffer, pos: number, end: number): RespValue | Incomplete {
    let i = pos + 1;
    let length = 0;
    const limit = Math.min(end, pos + MAX_DIGITS);
    for (; i < limit; i++) {
      const digit = bytes[i]! - ZERO;
      if (digit < 0 || digit > 9) break;
      length = length * 10 + digit;
    }
    if (i >= end - 1) return INCOMPLETE;
    const type = bytes[pos]!;
    if (bytes[i] !== CR || i === pos + 1 || i - pos > 16) {
      const line = this.#readLine(bytes, pos, end);
      if (line === INCOMPLETE) return INCOMPLETE;
      if (line === '-1' && type === RESP_TYPES.BULK_STRING) return null;
      return this.#fail('Protocol error: invalid bulk length');
    }
    if (length > this.#maxBulkLength) this.#fail('Protocol error: invalid bulk length');
    const start = i + 2;
    const stop = start + length;
    if (stop + 2 > end) {
      if (length >= LARGE_BULK) return this.#startStream(type, length, bytes, start, end);
      // the buffer may grow to exactly what this bulk needs, as its bytes arrive
      this.#input.wanted = stop + 2 - pos;
      return INCOMPLETE;
    }
    this.#cursor = stop + 2;
    return this.#typedBulk(type, this.#decode(bytes, start, stop));
  }

  /** The value of a complete bulk frame of the given type byte. */
  #typedBulk(type: number, text: string): RespValue {
    if (type === RESP_TYPES.BULK_STRING) return text;
    if (type === RESP_TYPES.BULK_ERROR) return new ErrorReply(text, true);
    // verbatim: "fmt:" then the text; the format is three bytes by the spec
    if (text.length < 4 || text.charCodeAt(3) !== 58 /* : */) {
      return this.#fail('Protocol error: invalid verbatim string');
    }
    return new VerbatimString(text.slice(0, 3), text.slice(4));
  }

  /** Begins decoding a large bulk whose bytes are not all here: what is here is consumed. */
  #startStream(
    type: number,
    length: number,
    bytes: FastBuffer,
    start: number,
    end: number,
  ): RespValue | Incomplete {
    this.#streamType = type;
    this.#plain = false;
    this.#streamBody = length;
    this.#streamTrailer = 2;
    this.#streamText = '';
    this.#decoder = undefined;
    return this.#continueStream(bytes, start, end);
  }

  /** Decodes the next bytes of the large bulk being streamed; the value once it is complete. */
  #continueStream(bytes: FastBuffer, pos: number, end: number): RespValue | Incomplete {
    const take = Math.min(end - pos, this.#streamBody);
    if (take > 0) {
      this.#streamText += this.#decodePieces(bytes, pos, pos + take, false);
      this.#streamBody -= take;
      pos += take;
    }
    const skip = Math.min(end - pos, this.#streamTrailer);
    this.#streamTrailer -= skip;
    pos += skip;
    this.#cursor = pos;
    if (this.#streamBody > 0 || this.#streamTrailer > 0) return INCOMPLETE;
    const text = this.#streamText + (this.#decoder === undefined ? '' : this.#decoder.end());
    const type = this.#streamType;
    this.#streamType = 0;
    this.#streamText = '';
    this.#decoder = undefined;
    this.#refreshPlain();
    return this.#typedBulk(type, text);
  }

  /**
   * bytes [start, stop) as a string: cut from the shared window when short, decoded alone when
   * longer, decoded in pieces when large.
   */
  #decode(bytes: FastBuffer, start: number, stop: number): string {
    const length = stop - start;
    if (this.#windowed && length < WINDOW_STRING_MAX) {
      if (stop <= this.#windowEnd && start >= this.#windowStart) {
        return this.#window.substring(start - this.#windowStart, stop - this.#windowStart);
      }
      if (start >= this.#plainUntil) {
        const windowEnd = Math.min(this.#input.end, start + WINDOW_BYTES);
        const window = this.#utf8
          ? bytes.utf8Slice(start, windowEnd)
          : bytes.latin1Slice(start, windowEnd);
        // as many chars as bytes: every byte is one char (ASCII, or a lone invalid byte that
        // decodes to U+FFFD alone), so byte offsets are char offsets
        if (window.length === windowEnd - start) {
          this.#window = window;
          this.#windowStart = start;
          this.#windowEnd = windowEnd;
          return window.substring(0, length);
        }
        this.#plainUntil = windowEnd;
      }
    }
    if (length >= LARGE_BULK) return this.#decodePieces(bytes, start, stop, true);
    return this.#utf8 ? bytes.utf8Slice(start, stop) : bytes.latin1Slice(start, stop);
  }

  /**
   * bytes [start, stop) in PIECE_BYTES pieces, joined. In UTF-8 mode a piece of ASCII is copied
   * as latin1 (three times faster than decoding it) until the first piece that is not, from
   * which on #decoder carries characters cut at piece boundaries; `last` flushes it.
   */
  #decodePieces(bytes: FastBuffer, start: number, stop: number, last: boolean): string {
    let text = '';
    for (let at = start; at < stop; at += PIECE_BYTES) {
      const pieceEnd = Math.min(stop, at + PIECE_BYTES);
      if (!this.#utf8) {
        text += bytes.latin1Slice(at, pieceEnd);
        continue;
      }
      const piece = bytes.subarray(at, pieceEnd);
      if (this.#decoder === undefined && isAscii(piece)) {
        text += bytes.latin1Slice(at, pieceEnd);
      } else {
        this.#decoder ??= new StringDecoder('utf8');
        text += this.#decoder.write(piece);
      }
    }
    if (last && this.#decoder !== undefined) {
      text += this.#decoder.end();
      this.#decoder = undefined;
    }
    return text;
  }

  /** `:<integer>\r\n`: a number, or a bigint outside ±(2^53-1). */
  #readInteger(bytes: FastBuffer, pos: number, end: number): number | bigint | Incomplete {
    let i = pos + 1;
    const negative = bytes[i] === MINUS;
    if (negative || bytes[i] === PLUS) i++;
    const first = i;
    let value = 0;
    const limit = Math.min(end, first + MAX_DIGITS);
    for (; i < limit; i++) {
      const digit = bytes[i]! - ZERO;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i >= end - 1) return INCOMPLETE;
    const digits = i - first;
    if (bytes[i] !== CR || digits === 0) return this.#fail('Protocol error: invalid integer');
    this.#cursor = i + 2;
    if (digits > 15) {
      const big = BigInt(bytes.latin1Slice(pos + 1, i));
      return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
    }
    return negative ? -value : value;
  }

  /** A CRLF-terminated line after the type byte, decoded; sets the cursor after it. */
  #readLine(bytes: FastBuffer, pos: number, end: number): string | Incomplete {
    const cr = bytes.indexOf(CR, pos + 1);
    if (cr === -1 || cr >= end - 1) return INCOMPLETE;
    this.#cursor = cr + 2;
    return this.#decode(bytes, pos + 1, cr);
  }

  #readSimpleString(bytes: FastBuffer, pos: number, end: number): SimpleString | Incomplete {
    // +OK\r\n: the commonest reply of all, answered with the shared instance
    if (
      pos + 4 < end &&
      bytes[pos + 1] === 79 /* O */ &&
      bytes[pos + 2] === 75 /* K */ &&
      bytes[pos + 3] === CR
    ) {
      this.#cursor = pos + 5;
      return SimpleString.OK;
    }
    const line = this.#readLine(bytes, pos, end);
    if (line === INCOMPLETE) return line;
    if (line === 'PONG') return SimpleString.PONG;
    if (line === 'QUEUED') return SimpleString.QUEUED;
    return new SimpleString(line);
  }

  #readNull(bytes: FastBuffer, pos: number, end: number): null | Incomplete {
    if (pos + 2 >= end) return INCOMPLETE;
    if (bytes[pos + 1] !== CR) this.#fail('Protocol error: invalid null');
    this.#cursor = pos + 3;
    return null;
  }

  #readBoolean(bytes: FastBuffer, pos: number, end: number): boolean | Incomplete {
    if (pos + 3 >= end) return INCOMPLETE;
    const flag = bytes[pos + 1];
    if ((flag !== LOWER_T && flag !== LOWER_F) || bytes[pos + 2] !== CR) {
      this.#fail('Protocol error: invalid boolean');
    }
    this.#cursor = pos + 4;
    return flag === LOWER_T;
  }

  #readDouble(bytes: FastBuffer, pos: number, end: number): RespDouble | Incomplete {
    const cr = bytes.indexOf(CR, pos + 1);
    if (cr === -1 || cr >= end - 1) return INCOMPLETE;
    const text = bytes.latin1Slice(pos + 1, cr);
    this.#cursor = cr + 2;
    let value: number;
    switch (text) {
      case 'inf':
      case '+inf':
        value = Infinity;
        break;
      case '-inf':
        value = -Infinity;
        break;
      case 'nan':
      case '-nan':
        value = NaN;
        break;
      default:
        value = DOUBLE_SYNTAX.test(text) ? Number(text) : NaN;
        if (Number.isNaN(value)) this.#fail(`Protocol error: invalid double "${text}"`);
    }
    return new RespDouble(value);
  }

  #readBigNumber(bytes: FastBuffer, pos: number, end: number): BigNumber | Incomplete {
    const cr = bytes.indexOf(CR, pos + 1);
    if (cr === -1 || cr >= end - 1) return INCOMPLETE;
    const text = bytes.latin1Slice(pos + 1, cr);
    if (!BIG_NUMBER_SYNTAX.test(text)) this.#fail(`Protocol error: invalid big number "${text}"`);
    this.#cursor = cr + 2;
    return new BigNumber(BigInt(text));
  }
}

/** A unique marker: an aggregate was opened, its elements follow. */
const OPENED = Symbol('opened');
const EMPTY_ITEMS: RespValue[] = [];
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
/** Most replies drain() handles in one call of its inner loop. */
const DRAIN_BATCH = 256;
const DOUBLE_SYNTAX = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const BIG_NUMBER_SYNTAX = /^[-+]?[0-9]+$/;

function emptyAggregate(type: number): RespValue {
  switch (type) {
    case RESP_TYPES.MAP:
      return new Map();
    case RESP_TYPES.SET:
      return new Set();
    case RESP_TYPES.PUSH:
      return new Push([]);
    default:
      return [];
  }
}

/** The value of a complete aggregate. */
function closeFrame(frame: Frame): RespValue {
  const items = frame.items;
  switch (frame.type) {
    case RESP_TYPES.MAP:
    case RESP_TYPES.ATTRIBUTE: {
      const map = new Map<RespValue, RespValue>();
      for (let i = 0; i < items.length; i += 2) map.set(items[i]!, items[i + 1]!);
      return map;
    }
    case RESP_TYPES.SET:
      return new Set(items);
    case RESP_TYPES.PUSH:
      return new Push(items);
    default:
      return items;
  }
}
