/**
 * The input side of every incremental parser: the bytes pushed so far that are not yet consumed.
 *
 *     bytes:  [ consumed ... | start ...... unconsumed ...... end | spare capacity ]
 *
 * - No leftover when a chunk arrives (the common case: whole frames per read): the chunk itself
 *   becomes `bytes`, borrowed, zero copies.
 * - Leftover (a frame cut by the chunk boundary): the leftover and the new chunk are copied into
 *   an owned buffer, which later chunks are appended to (after moving the leftover to the front
 *   when that makes room). Growth doubles, so a long value costs amortised O(1) copies per byte,
 *   and never goes past `2 x bytes received` or past the size the parser says the pending element
 *   needs (`wanted`): a huge declared length allocates nothing until its bytes arrive.
 * - Everything consumed: the reference is dropped at once, so an idle connection holds nothing.
 *
 * Parsers read `bytes`/`start`/`end` directly in their loops (public fields, one shape).
 *
 * @internal
 */
import { asFastBuffer, EMPTY_BUFFER, type FastBuffer } from './bytes.js';

/** Smallest owned buffer: leftovers are usually a few bytes of a header or a short value. */
const MIN_CAPACITY = 4096;

export class ReadBuffer {
  bytes: FastBuffer = EMPTY_BUFFER;
  start = 0;
  end = 0;
  /** true when `bytes` is ours to write into (not a caller's chunk) */
  owned = false;
  /**
   * Total unconsumed bytes the pending element needs before it can be parsed, when the parser
   * knows it (a bulk body): growth stops there. 0 = unknown.
   */
  wanted = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    const size = chunk.length;
    if (size === 0) return;
    const remaining = this.end - this.start;
    if (remaining === 0) {
      this.bytes = asFastBuffer(chunk);
      this.start = 0;
      this.end = size;
      this.owned = false;
      return;
    }
    const needed = remaining + size;
    if (this.owned) {
      const capacity = this.bytes.length;
      if (capacity - this.end >= size) {
        this.bytes.set(chunk, this.end);
        this.end += size;
        return;
      }
      if (capacity >= needed) {
        this.bytes.copyWithin(0, this.start, this.end);
        this.bytes.set(chunk, remaining);
        this.start = 0;
        this.end = needed;
        return;
      }
    }
    let capacity = Math.max(needed * 2, MIN_CAPACITY);
    if (this.wanted >= needed && this.wanted < capacity) capacity = this.wanted;
    const grown = Buffer.allocUnsafeSlow(capacity) as FastBuffer;
    grown.set(this.bytes.subarray(this.start, this.end), 0);
    grown.set(chunk, remaining);
    this.bytes = grown;
    this.start = 0;
    this.end = needed;
    this.owned = true;
  }

  /**
   * Stops borrowing: when the unconsumed bytes are still in a caller's chunk (which its owner is
   * about to overwrite: a socket read into one shared buffer), copies them into an owned buffer.
   * O(1) when the bytes are owned already or all consumed; else O(unconsumed).
   */
  detach(): void {
    if (this.owned) return;
    const remaining = this.end - this.start;
    if (remaining === 0) {
      this.clear();
      return;
    }
    let capacity = Math.max(remaining * 2, MIN_CAPACITY);
    if (this.wanted >= remaining && this.wanted < capacity) capacity = this.wanted;
    const copy = Buffer.allocUnsafeSlow(capacity) as FastBuffer;
    copy.set(this.bytes.subarray(this.start, this.end), 0);
    this.bytes = copy;
    this.start = 0;
    this.end = remaining;
    this.owned = true;
  }

  /** Drops the reference to the bytes once everything is consumed. */
  releaseIfEmpty(): void {
    if (this.start === this.end && this.bytes !== EMPTY_BUFFER) this.clear();
  }

  clear(): void {
    this.bytes = EMPTY_BUFFER;
    this.start = 0;
    this.end = 0;
    this.owned = false;
    this.wanted = 0;
  }
}
