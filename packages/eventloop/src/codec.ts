/**
 * The codec contract: structural, so a protocol package implements it without importing this one.
 */

/**
 * An incremental decoder of one connection's input. The loop pushes every chunk it reads and
 * then calls `next()` until it answers undefined; the decoder owns the buffering (a chunk list,
 * a ring...) so that no read copies the whole input.
 *
 * @typeParam F - the frame type (the server's is `string[]`, argv as latin1 strings)
 *
 * @example
 * ```ts
 * const lines: Decoder<string> = {
 *   pending: '',
 *   get bufferedBytes() { return this.pending.length; },
 *   push(chunk) { this.pending += chunk.toString('latin1'); },
 *   next() {
 *     const end = this.pending.indexOf('\n');
 *     if (end < 0) return undefined;
 *     const line = this.pending.slice(0, end);
 *     this.pending = this.pending.slice(end + 1);
 *     return line;
 *   },
 * } as Decoder<string> & { pending: string };
 * ```
 */
export interface Decoder<F> {
  /** Appends bytes read from the socket. The decoder may keep a reference to `chunk`. */
  push(chunk: Buffer): void;
  /**
   * The next complete frame, or undefined when more bytes are needed. Throws on malformed input;
   * the error's message is what a server typically sends back (`Protocol error: ...`).
   */
  next(): F | undefined;
  /** Bytes held and not yet returned as frames (the query buffer; checked against its limit). */
  readonly bufferedBytes: number;
  /**
   * Optional: stop referring to the chunks pushed so far, copying the bytes still unconsumed.
   * The loop reads every connection into one shared buffer and calls this after each read that
   * left bytes buffered; a decoder without it is pushed a copy of every read instead.
   */
  detach?(): void;
}

/**
 * Makes one {@link Decoder} per connection.
 *
 * @example
 * ```ts
 * const resp: Codec<string[]> = { createDecoder: () => new RequestParser() };
 * ```
 */
export interface Codec<F> {
  /** Called once per accepted connection. */
  createDecoder(): Decoder<F>;
}
