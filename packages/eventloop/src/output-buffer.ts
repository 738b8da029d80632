/**
 * A connection's pending output: the reply bytes handlers wrote since the last flush.
 *
 * `append` copies into a staging Buffer (so a caller may reuse its own buffer at once); `flush`
 * hands the written range to the socket as a view and keeps appending after it, so one staging
 * Buffer serves many batches before a new one is allocated; when the socket took every byte at
 * once (nothing left in its buffer, the usual case) the next batch starts at 0 again:
 *
 *     staging: [ flushed, owned by the socket | pending (start..used) | free (used..end) ]
 *
 * When an append does not fit, the pending range moves to `chunks` (still one socket write: the
 * flush corks the socket so Node issues a single writev) and a new staging Buffer starts, twice
 * as large when a single batch outgrew the last one (up to 64 KiB).
 * Small staging Buffers come from Node's shared pool (`Buffer.allocUnsafe` below 4 KiB).
 *
 * @internal
 */
import type { Socket } from 'node:net';

/** The first staging size: served by Node's 8 KiB buffer pool. */
const FIRST_STAGING = 2048;
/** The staging size stops doubling here; larger appends get a Buffer of their own size. */
const MAX_STAGING = 65536;

/** @internal */
export class OutputBuffer {
  #staging: Buffer | undefined = undefined;
  #start = 0;
  #used = 0;
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  #nextSize = FIRST_STAGING;
  /** The last view of staging[0, n) written (see #view); dropped with the staging Buffer. */
  #lastView: Buffer | undefined = undefined;

  /** Bytes appended and not yet flushed. O(1). */
  get pendingBytes(): number {
    return this.#chunkBytes + this.#used - this.#start;
  }

  /** Copies `bytes` to the end of the pending output. O(bytes). */
  append(bytes: Uint8Array): void {
    const length = bytes.length;
    if (length === 0) return;
    let staging = this.#staging;
    if (staging === undefined || this.#used + length > staging.length) {
      if (staging !== undefined && this.#used > this.#start) {
        this.#chunks.push(staging.subarray(this.#start, this.#used));
        this.#chunkBytes += this.#used - this.#start;
      }
      // Grow only when one batch outgrew a whole staging Buffer (it started at 0): many small
      // batches that used a staging up keep the small size, so idle connections stay small.
      if (staging !== undefined && this.#start === 0 && this.#nextSize < MAX_STAGING) {
        this.#nextSize *= 2;
      }
      const size = Math.max(length, this.#nextSize);
      staging = Buffer.allocUnsafe(size);
      this.#staging = staging;
      this.#lastView = undefined;
      this.#start = 0;
      this.#used = 0;
    }
    staging.set(bytes, this.#used);
    this.#used += length;
  }

  /** Writes everything pending to `socket` (one write, or one corked writev). Returns the bytes. */
  flush(socket: Socket): number {
    const pending = this.#used - this.#start;
    const chunks = this.#chunks;
    let written = pending;
    if (chunks.length === 0) {
      if (pending === 0) return 0;
      socket.write(this.#view());
    } else {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      if (pending > 0) socket.write(this.#view());
      socket.uncork();
      written += this.#chunkBytes;
      chunks.length = 0;
      this.#chunkBytes = 0;
    }
    // Nothing left in the socket's buffer: every write so far went to the kernel at once (the
    // usual case) and no view of the staging Buffer is referenced any more, so the next batch
    // starts at 0 again: the staging stays warm in the CPU cache and its views can be reused.
    if (socket.writableLength === 0) this.#used = 0;
    this.#start = this.#used;
    return written;
  }

  /**
   * The pending range of the staging Buffer as a Buffer for the socket. A range from 0 (most
   * batches: see flush) as long as the last one reuses its view: a client repeating a command
   * gets replies of one length, and the write one object fewer.
   */
  #view(): Buffer {
    const staging = this.#staging!;
    const end = this.#used;
    if (this.#start !== 0) return staging.subarray(this.#start, end);
    let view = this.#lastView;
    if (view === undefined || view.length !== end) {
      view = staging.subarray(0, end);
      this.#lastView = view;
    }
    return view;
  }

  /** Drops everything pending and the staging Buffer (the connection is closing). */
  discard(): void {
    this.#staging = undefined;
    this.#lastView = undefined;
    this.#start = 0;
    this.#used = 0;
    this.#chunks.length = 0;
    this.#chunkBytes = 0;
  }
}
