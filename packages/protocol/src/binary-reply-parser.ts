/**
 * The client side of the book's binary protocol: responses, fed arbitrary chunks.
 *
 *     u32 total_len | value      value = tag | payload (see binary-protocol.ts)
 *
 * A message is parsed once it is all there; its value must fill it exactly.
 */
import { BinaryTags, DEFAULT_MAX_MESSAGE_LENGTH, FRAME_HEADER_BYTES } from './binary-protocol.js';
import { BinaryErrorReply, type BinaryValue } from './binary-value.js';
import type { FastBuffer } from './bytes.js';
import { ProtocolError } from './errors.js';
import { ReadBuffer } from './read-buffer.js';
import { RespDouble } from './resp-value.js';

/** Options of {@link BinaryReplyParser}. */
export interface BinaryReplyParserOptions {
  /** Largest message accepted, in bytes. Default 32 MiB. */
  maxMessageLength?: number;
  /** Decoding of STR and ERR text: 'utf8' (default) or 'latin1' (binary safe). */
  encoding?: 'utf8' | 'latin1';
  /** Deepest nesting of arrays accepted. Default 512. */
  maxDepth?: number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An incremental parser of binary-protocol responses (`byor-cli --proto byor`). Malformed
 * messages throw {@link ProtocolError}, and keep throwing until reset(). O(bytes).
 *
 * @example
 * ```ts
 * const parser = new BinaryReplyParser();
 * parser.push(chunk);
 * for (let reply = parser.next(); reply !== undefined; reply = parser.next()) print(reply);
 * ```
 */
export class BinaryReplyParser {
  readonly #input = new ReadBuffer();
  readonly #maxMessageLength: number;
  readonly #utf8: boolean;
  readonly #maxDepth: number;
  #error: ProtocolError | undefined = undefined;
  /** read position inside the message being parsed */
  #at = 0;
  #end = 0;

  constructor(options: BinaryReplyParserOptions = {}) {
    this.#maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#utf8 = (options.encoding ?? 'utf8') === 'utf8';
    this.#maxDepth = options.maxDepth ?? 512;
  }

  /** Bytes received and not yet parsed. O(1). */
  get bufferedBytes(): number {
    return this.#input.end - this.#input.start;
  }

  /** Appends a chunk (kept, not copied, when nothing is pending; do not modify it). */
  push(chunk: Uint8Array): void {
    this.#input.push(chunk);
  }

  /** The next complete response, or `undefined` when more bytes are needed. O(message). */
  next(): BinaryValue | undefined {
    if (this.#error !== undefined) throw this.#error;
    const input = this.#input;
    const start = input.start;
    const available = input.end - start;
    if (available < FRAME_HEADER_BYTES) {
      input.releaseIfEmpty();
      return undefined;
    }
    const bytes = input.bytes;
    const length = bytes.readUInt32LE(start);
    if (length > this.#maxMessageLength) {
      this.#fail(
        `Protocol error: message too long (${length} bytes, at most ${this.#maxMessageLength})`,
      );
    }
    if (available < FRAME_HEADER_BYTES + length) {
      input.wanted = FRAME_HEADER_BYTES + length;
      return undefined;
    }
    this.#at = start + FRAME_HEADER_BYTES;
    this.#end = this.#at + length;
    const value = this.#value(bytes, 0);
    if (this.#at !== this.#end) this.#fail('Protocol error: trailing bytes after the value');
    input.start = this.#end;
    input.wanted = 0;
    return value;
  }

  /** Forgets buffered bytes and any error. O(1). */
  reset(): void {
    this.#input.clear();
    this.#error = undefined;
  }

  #fail(message: string): never {
    this.#error = new ProtocolError(message);
    throw this.#error;
  }

  #need(size: number): void {
    if (this.#end - this.#at < size)
      this.#fail('Protocol error: value past the end of its message');
  }

  #value(bytes: FastBuffer, depth: number): BinaryValue {
    this.#need(1);
    const tag = bytes[this.#at++]!;
    switch (tag) {
      case BinaryTags.NIL:
        return null;
      case BinaryTags.ERR: {
        this.#need(8);
        const code = bytes.readUInt32LE(this.#at);
        const size = bytes.readUInt32LE(this.#at + 4);
        this.#at += 8;
        return new BinaryErrorReply(code, this.#text(bytes, size));
      }
      case BinaryTags.STR: {
        this.#need(4);
        const size = bytes.readUInt32LE(this.#at);
        this.#at += 4;
        return this.#text(bytes, size);
      }
      case BinaryTags.INT: {
        this.#need(8);
        const low = bytes.readUInt32LE(this.#at);
        const high = bytes.readInt32LE(this.#at + 4);
        this.#at += 8;
        // a safe integer while -2^21 < high < 2^21; otherwise through BigInt
        if (high > -0x200000 && high < 0x200000) return high * 2 ** 32 + low;
        const big = (BigInt(high) << 32n) | BigInt(low);
        return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
      }
      case BinaryTags.DBL: {
        this.#need(8);
        const x = bytes.readDoubleLE(this.#at);
        this.#at += 8;
        return new RespDouble(x);
      }
      case BinaryTags.ARR: {
        this.#need(4);
        const count = bytes.readUInt32LE(this.#at);
        this.#at += 4;
        if (depth >= this.#maxDepth)
          this.#fail(`Protocol error: arrays nested deeper than ${this.#maxDepth}`);
        // every element takes at least one byte: a count past that cannot be honest
        this.#need(count);
        const items: BinaryValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.#value(bytes, depth + 1));
        return items;
      }
      default:
        return this.#fail(`Protocol error: unknown value tag ${String(tag)}`);
    }
  }

  #text(bytes: FastBuffer, size: number): string {
    this.#need(size);
    const start = this.#at;
    this.#at += size;
    return this.#utf8
      ? bytes.utf8Slice(start, start + size)
      : bytes.latin1Slice(start, start + size);
  }
}
