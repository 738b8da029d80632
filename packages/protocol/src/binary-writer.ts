/**
 * The server side of the book's binary protocol: responses appended into one reusable buffer.
 *
 *     buffer: [ message | message | u32 len (patched at the end) | tag ... (message being written) ]
 *
 * Each top-level value is one message. The writer counts the elements of open arrays, so the
 * message's u32 length is patched as soon as its value is complete, with no begin/end calls; a
 * message over the limit is replaced by the book's ERR 2 "response is too big." (response_end).
 */
import {
  BinaryErrorCodes,
  BinaryTags,
  DEFAULT_MAX_MESSAGE_LENGTH,
  FRAME_HEADER_BYTES,
} from './binary-protocol.js';
import type { FastBuffer } from './bytes.js';
import { InvalidArgumentError } from './errors.js';

/** Options of {@link BinaryWriter}. */
export interface BinaryWriterOptions {
  /** Bytes allocated up front. Default 4096. */
  initialCapacity?: number;
  /** A message over this size is replaced by ERR 2 "response is too big.". Default 32 MiB. */
  maxMessageLength?: number;
}

const TWO_TO_32 = 2 ** 32;
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const SHRINK_ABOVE = 1024 * 1024;

/**
 * Appends responses of the book's binary protocol to a growable buffer. Each top-level value
 * (a nil, an error, a string, an integer, a double, or an array header followed by its elements)
 * is framed as one message. Every method is O(size of the value), amortised over growth.
 *
 * @example
 * ```ts
 * const writer = new BinaryWriter();
 * writer.arrayHeader(2);   // a zquery reply: member, score
 * writer.str('alice');
 * writer.dbl(1.5);         // the array is complete: its message length is patched
 * socket.write(writer.take());
 * ```
 */
export class BinaryWriter {
  #buffer: FastBuffer;
  #length = 0;
  readonly #initialCapacity: number;
  readonly #maxMessageLength: number;
  /** where the open message starts (its u32 length), or -1 between messages */
  #messageStart = -1;
  /** elements still expected by each open array, innermost last */
  readonly #pending: number[] = [];

  constructor(options: BinaryWriterOptions = {}) {
    this.#initialCapacity = Math.max(options.initialCapacity ?? 4096, 16);
    this.#maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
  }

  /** Bytes written since the last reset/take, the open message included. O(1). */
  get length(): number {
    return this.#length;
  }

  /** True while an array is waiting for elements (its message is not complete). O(1). */
  get inMessage(): boolean {
    return this.#messageStart !== -1;
  }

  /** NIL. O(1). */
  nil(): void {
    this.#begin(1);
    this.#buffer[this.#length++] = BinaryTags.NIL;
    this.#completed();
  }

  /** ERR with one of {@link BinaryErrorCodes} and a message (latin1). O(message). */
  error(code: number, message: string): void {
    if (!Number.isInteger(code) || code < 0 || code >= TWO_TO_32) {
      throw new InvalidArgumentError(`an error code is a u32, got ${code}`);
    }
    this.#begin(9 + message.length);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at] = BinaryTags.ERR;
    buffer.writeUInt32LE(code, at + 1);
    buffer.writeUInt32LE(message.length, at + 5);
    at += 9;
    at += buffer.latin1Write(message, at, message.length);
    this.#length = at;
    this.#completed();
  }

  /** STR: a string as latin1 (one byte per char), or bytes. O(value). */
  str(value: string | Uint8Array): void {
    const size = value.length;
    this.#begin(5 + size);
    const buffer = this.#buffer;
    const at = this.#length;
    buffer[at] = BinaryTags.STR;
    buffer.writeUInt32LE(size, at + 1);
    if (typeof value === 'string') buffer.latin1Write(value, at + 5, size);
    else buffer.set(value, at + 5);
    this.#length = at + 5 + size;
    this.#completed();
  }

  /** INT: a signed 64-bit integer. Throws {@link InvalidArgumentError} outside int64. O(1). */
  int(n: number | bigint): void {
    if (typeof n === 'number' && !Number.isSafeInteger(n)) {
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`an INT needs an integer, got ${n}`);
      n = BigInt(n);
    }
    if (typeof n === 'bigint' && (n < MIN_INT64 || n > MAX_INT64)) {
      throw new InvalidArgumentError(`an INT is a signed 64-bit integer, got ${n}`);
    }
    this.#begin(9);
    const buffer = this.#buffer;
    const at = this.#length;
    buffer[at] = BinaryTags.INT;
    if (typeof n === 'bigint') {
      buffer.writeBigInt64LE(n, at + 1);
    } else {
      // two 32-bit halves: no BigInt for the common case
      const high = Math.floor(n / TWO_TO_32);
      buffer.writeUInt32LE(n - high * TWO_TO_32, at + 1);
      buffer.writeInt32LE(high, at + 5);
    }
    this.#length = at + 9;
    this.#completed();
  }

  /** DBL: an IEEE 754 double. O(1). */
  dbl(x: number): void {
    this.#begin(9);
    const at = this.#length;
    this.#buffer[at] = BinaryTags.DBL;
    this.#buffer.writeDoubleLE(x, at + 1);
    this.#length = at + 9;
    this.#completed();
  }

  /** ARR: the header of an array of the next `n` values. O(1). */
  arrayHeader(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= TWO_TO_32) {
      throw new InvalidArgumentError(`an array length is a u32, got ${n}`);
    }
    this.#begin(5);
    const at = this.#length;
    this.#buffer[at] = BinaryTags.ARR;
    this.#buffer.writeUInt32LE(n, at + 1);
    this.#length = at + 5;
    if (n === 0) this.#completed();
    else this.#pending.push(n);
  }

  /** An array of strings (the reply of `keys`) in one call. O(total length). */
  strArray(values: readonly (string | Uint8Array)[]): void {
    this.arrayHeader(values.length);
    for (const value of values) this.str(value);
  }

  /** Appends bytes that are already complete messages. O(bytes). */
  raw(bytes: Uint8Array): void {
    if (this.#messageStart !== -1) {
      throw new InvalidArgumentError('raw bytes cannot go inside an open message');
    }
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** The bytes written so far (complete messages, and the open one if any): a view. O(1). */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * The bytes written so far as a Buffer the caller owns, and an empty writer. Throws
   * {@link InvalidArgumentError} while a message is open. O(length) at worst.
   */
  take(): Buffer {
    if (this.#messageStart !== -1) {
      throw new InvalidArgumentError('the open message is not complete');
    }
    const length = this.#length;
    this.#length = 0;
    if (length <= this.#buffer.length >>> 2) {
      const copy = Buffer.allocUnsafe(length);
      this.#buffer.copy(copy, 0, 0, length);
      return copy;
    }
    const taken = this.#buffer.subarray(0, length);
    this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
    return taken;
  }

  /** Forgets everything written, an open message included. O(1). */
  reset(): void {
    this.#length = 0;
    this.#messageStart = -1;
    this.#pending.length = 0;
    if (this.#buffer.length > SHRINK_ABOVE) {
      this.#buffer = Buffer.allocUnsafeSlow(this.#initialCapacity) as FastBuffer;
    }
  }

  /** Room for a value of `size` bytes, and the message header if no message is open. */
  #begin(size: number): void {
    if (this.#messageStart === -1) {
      this.#reserve(FRAME_HEADER_BYTES + size);
      this.#messageStart = this.#length;
      this.#length += FRAME_HEADER_BYTES;
    } else {
      this.#reserve(size);
    }
  }

  #reserve(size: number): void {
    const needed = this.#length + size;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.#buffer.length * 2)) as FastBuffer;
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  /** A value is complete: count it in its array, and close the message when it is the last. */
  #completed(): void {
    const pending = this.#pending;
    while (pending.length > 0) {
      const last = pending.length - 1;
      if (--pending[last]! > 0) return;
      pending.pop();
    }
    const start = this.#messageStart;
    this.#messageStart = -1;
    if (this.#length - start - FRAME_HEADER_BYTES > this.#maxMessageLength) {
      // the book's response_end: the reply is replaced by an error (which is never too big)
      this.#length = start;
      this.#writeTooBig();
      return;
    }
    const size = this.#length - start - FRAME_HEADER_BYTES;
    this.#buffer.writeUInt32LE(size, start);
  }

  #writeTooBig(): void {
    const message = 'response is too big.';
    const size = 9 + message.length;
    this.#reserve(FRAME_HEADER_BYTES + size);
    const buffer = this.#buffer;
    const at = this.#length;
    buffer.writeUInt32LE(size, at);
    buffer[at + 4] = BinaryTags.ERR;
    buffer.writeUInt32LE(BinaryErrorCodes.TOO_BIG, at + 5);
    buffer.writeUInt32LE(message.length, at + 9);
    buffer.latin1Write(message, at + 13, message.length);
    this.#length = at + FRAME_HEADER_BYTES + size;
  }
}
