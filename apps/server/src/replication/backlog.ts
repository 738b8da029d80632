/**
 * The replication backlog (redis-server's repl_backlog): the last `size` bytes of the replication
 * stream, in a ring, so that a replica that lost its link for a while continues from its offset
 * (PSYNC answered +CONTINUE) instead of loading a whole new RDB.
 *
 * Offsets are redis-server's: the stream's bytes are numbered from 1, `offset` is the number of
 * the last byte written (master_repl_offset), and the backlog holds bytes
 * `[firstByteOffset, firstByteOffset + histlen)`.
 *
 * @example
 * ```ts
 * const backlog = new ReplicationBacklog(1 << 20, 0);
 * backlog.append(Buffer.from('*1\r\n$4\r\nPING\r\n')); // offset 14
 * backlog.since(1); // the 14 bytes
 * ```
 */
export class ReplicationBacklog {
  #ring: Buffer;
  /** where the next byte goes in the ring */
  #next = 0;
  /** bytes held (at most the ring's size) */
  histlen = 0;
  /** master_repl_offset: the number of the last byte appended */
  offset: number;

  /** An empty backlog of `size` bytes whose stream is at `offset` already. */
  constructor(size: number, offset: number) {
    this.#ring = Buffer.alloc(size);
    this.offset = offset;
  }

  /** The ring's size (repl-backlog-size). */
  get size(): number {
    return this.#ring.length;
  }

  /** repl_backlog_first_byte_offset: the number of the oldest byte held. */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  /** Appends stream bytes, dropping the oldest beyond the size. O(bytes). */
  append(bytes: Uint8Array): void {
    const ring = this.#ring;
    const size = ring.length;
    this.offset += bytes.length;
    // only the last `size` bytes can stay
    const start = bytes.length > size ? bytes.length - size : 0;
    let at = this.#next;
    for (let from = start; from < bytes.length;) {
      const n = Math.min(size - at, bytes.length - from);
      ring.set(bytes.subarray(from, from + n), at);
      from += n;
      at = (at + n) % size;
    }
    this.#next = at;
    this.histlen = Math.min(size, this.histlen + bytes.length);
  }

  /**
   * True when the stream can continue from byte number `from` (a replica's PSYNC offset, its
   * own offset + 1): the bytes from there on are all held.
   */
  covers(from: number): boolean {
    return from >= this.firstByteOffset && from <= this.offset + 1;
  }

  /** The bytes from byte number `from` to the end (see {@link covers}). O(bytes). */
  since(from: number): Buffer {
    const length = this.offset + 1 - from;
    const out = Buffer.alloc(length);
    const ring = this.#ring;
    const size = ring.length;
    let at = (this.#next - length + size) % size;
    for (let filled = 0; filled < length;) {
      const n = Math.min(size - at, length - filled);
      ring.copy(out, filled, at, at + n);
      filled += n;
      at = (at + n) % size;
    }
    return out;
  }

  /** CONFIG SET repl-backlog-size: a new ring of `size` bytes that keeps what it can. O(size). */
  resize(size: number): void {
    if (size === this.#ring.length) return;
    const kept = this.since(this.offset + 1 - Math.min(this.histlen, size));
    const offset = this.offset;
    this.#ring = Buffer.alloc(size);
    this.#next = 0;
    this.histlen = 0;
    this.offset = offset - kept.length;
    this.append(kept);
  }
}
