/**
 * The server side of the book's binary protocol: requests, fed arbitrary chunks.
 *
 *     u32 total_len | u32 nstr | nstr x (u32 len | len bytes)      (little-endian)
 *
 * As in the book's `try_one_request` and `parse_req`: a declared length over the limit is refused
 * as soon as its 4 bytes arrive (before any of the message), a message is parsed once it is all
 * there, and a request whose strings do not exactly fill it ("trailing garbage", a string running
 * past the end, too many strings) is refused. A refused request is a {@link ProtocolError}; the
 * book's server closes the connection.
 */
import {
  DEFAULT_MAX_ARGS,
  DEFAULT_MAX_MESSAGE_LENGTH,
  FRAME_HEADER_BYTES,
} from './binary-protocol.js';
import { ProtocolError } from './errors.js';
import { ReadBuffer } from './read-buffer.js';

/** Options of {@link BinaryRequestParser}. */
export interface BinaryRequestParserOptions {
  /** Largest message (total_len) accepted, in bytes. Default 32 MiB (the book's `k_max_msg`). */
  maxMessageLength?: number;
  /** Most strings in one request. Default 200,000 (the book's `k_max_args`). */
  maxArgs?: number;
}

/**
 * An incremental parser of binary-protocol requests. It satisfies the `Decoder<string[]>` shape
 * of @byor/eventloop (`push`, `next`, `bufferedBytes`); arguments are latin1 strings, like
 * {@link RequestParser}'s.
 *
 * Cost: O(bytes); a message is copied at most once when it straddles chunks.
 *
 * @example
 * ```ts
 * const parser = new BinaryRequestParser();
 * parser.push(encodeBinaryRequest(['get', 'k']));
 * parser.next(); // ['get', 'k']
 * ```
 */
export class BinaryRequestParser {
  readonly #input = new ReadBuffer();
  readonly #maxMessageLength: number;
  readonly #maxArgs: number;
  #error: ProtocolError | undefined = undefined;

  constructor(options: BinaryRequestParserOptions = {}) {
    this.#maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#maxArgs = options.maxArgs ?? DEFAULT_MAX_ARGS;
  }

  /** Bytes received and not yet parsed. O(1). */
  get bufferedBytes(): number {
    return this.#input.end - this.#input.start;
  }

  /** Appends a chunk (kept, not copied, when nothing is pending; do not modify it). O(1) or O(chunk). */
  push(chunk: Uint8Array): void {
    this.#input.push(chunk);
  }

  /**
   * Stops referring to the chunks pushed so far (copies a request cut by the end of a read), so
   * the caller may overwrite its chunk. O(1) when nothing is pending; else O(unconsumed bytes).
   *
   * @example
   * ```ts
   * parser.push(shared.subarray(0, nread));
   * for (let argv = parser.next(); argv; argv = parser.next()) handle(argv);
   * parser.detach(); // `shared` is read into again
   * ```
   */
  detach(): void {
    this.#input.detach();
  }

  /**
   * The next complete request, or `undefined` when more bytes are needed. O(message). Throws
   * {@link ProtocolError} for a refused request, and keeps throwing it until reset().
   */
  next(): string[] | undefined {
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
    const end = start + FRAME_HEADER_BYTES + length;
    let at = start + FRAME_HEADER_BYTES;
    if (length < 4) this.#fail('Protocol error: bad request (no string count)');
    const count = bytes.readUInt32LE(at);
    at += 4;
    if (count > this.#maxArgs) {
      this.#fail(`Protocol error: bad request (${count} strings, at most ${this.#maxArgs})`);
    }
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      if (end - at < 4) this.#fail('Protocol error: bad request (truncated string length)');
      const size = bytes.readUInt32LE(at);
      at += 4;
      if (end - at < size) this.#fail('Protocol error: bad request (string past the end)');
      argv.push(bytes.latin1Slice(at, at + size));
      at += size;
    }
    if (at !== end) this.#fail('Protocol error: bad request (trailing garbage)');
    input.start = end;
    input.wanted = 0;
    return argv;
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
}
