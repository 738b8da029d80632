/**
 * Counts complete replies in a RESP2/RESP3 byte stream without building them
 * (https://github.com/redis/redis-specifications/blob/master/protocol/RESP3.md): the load
 * generator only needs how many replies arrived and how many were errors, and building 600
 * strings for every LRANGE_600 reply would measure the client instead of the server.
 *
 * Where readability was traded for speed: one loop over the bytes with the state in fields and
 * typed arrays (no object per reply, no closure), headers parsed by index, bulk bodies skipped by
 * arithmetic. A header cut by a chunk boundary is carried over (the only copy, and a rare one);
 * a bulk body cut by a boundary is skipped across chunks by count.
 *
 *     depth:        0         1          2
 *     remaining:  [ 3,        2,         ... ]   elements still expected by each open aggregate
 *     attribute:  [ 0,        1,         ... ]   1 when the aggregate is RESP3 attributes (`|`),
 *                                                 which do not count as an element of their parent
 */

const LF = 10;
const CR = 13;
const MINUS = 45;
const MAX_DEPTH = 64;

/** RESP type bytes (https://redis.io/docs/latest/develop/reference/protocol-spec/). */
const T = {
  SIMPLE: 43, // +
  ERROR: 45, // -
  INTEGER: 58, // :
  BULK: 36, // $
  ARRAY: 42, // *
  NULL: 95, // _
  BOOLEAN: 35, // #
  DOUBLE: 44, // ,
  BIG_NUMBER: 40, // (
  BULK_ERROR: 33, // !
  VERBATIM: 61, // =
  MAP: 37, // %
  SET: 126, // ~
  ATTRIBUTE: 124, // |
  PUSH: 62, // >
} as const;

/**
 * Counts replies.
 *
 * @example
 * ```ts
 * const counter = new ReplyCounter();
 * counter.push(Buffer.from('+OK\r\n*2\r\n$1\r\na\r\n'));  // 1: the array is not complete
 * counter.push(Buffer.from(':1\r\n-ERR x\r\n'));          // 2
 * counter.errors;                                        // 1
 * ```
 */
export class ReplyCounter {
  readonly #remaining = new Float64Array(MAX_DEPTH);
  readonly #attribute = new Uint8Array(MAX_DEPTH);
  #depth = 0;
  /** bytes of a bulk body (CRLF included) still to skip */
  #bulkLeft = 0;
  /** a header line cut by the end of the previous chunk */
  #partial: Buffer | undefined = undefined;
  /** Top-level error replies seen. */
  errors = 0;
  /** The text of the first top-level error reply (its first line). */
  firstError: string | undefined = undefined;

  /**
   * Feeds a chunk; returns how many top-level replies it completed. O(chunk). Throws a
   * `RangeError` for aggregates nested deeper than 64.
   */
  push(input: Uint8Array): number {
    let chunk = input;
    let pos = 0;
    let completed = 0;
    if (this.#partial !== undefined) {
      chunk = Buffer.concat([this.#partial, input]);
      this.#partial = undefined;
    } else if (this.#bulkLeft > 0) {
      const take = Math.min(this.#bulkLeft, chunk.length);
      this.#bulkLeft -= take;
      pos = take;
      if (this.#bulkLeft > 0) return 0;
      completed += this.#elementDone();
    }
    const end = chunk.length;
    while (pos < end) {
      const type = chunk[pos]!;
      const lf = chunk.indexOf(LF, pos + 1);
      if (lf === -1) {
        this.#partial = Buffer.from(chunk.subarray(pos));
        break;
      }
      const headerEnd = chunk[lf - 1] === CR ? lf - 1 : lf;
      const headerStart = pos + 1;
      pos = lf + 1;
      switch (type) {
        case T.ERROR:
          if (this.#depth === 0) this.#error(chunk, headerStart, headerEnd);
          completed += this.#elementDone();
          break;
        case T.BULK:
        case T.VERBATIM:
        case T.BULK_ERROR: {
          const length = readNumber(chunk, headerStart, headerEnd);
          if (length < 0) {
            completed += this.#elementDone();
            break;
          }
          if (type === T.BULK_ERROR && this.#depth === 0) {
            this.#error(chunk, pos, Math.min(end, pos + length));
          }
          const need = length + 2;
          if (end - pos >= need) {
            pos += need;
            completed += this.#elementDone();
          } else {
            this.#bulkLeft = need - (end - pos);
            pos = end;
          }
          break;
        }
        case T.ARRAY:
        case T.SET:
        case T.PUSH:
        case T.MAP:
        case T.ATTRIBUTE: {
          let count = readNumber(chunk, headerStart, headerEnd);
          if (type === T.MAP || type === T.ATTRIBUTE) count *= 2;
          if (count <= 0) {
            if (type !== T.ATTRIBUTE) completed += this.#elementDone();
            break;
          }
          if (this.#depth === MAX_DEPTH) throw new RangeError('replies nested deeper than 64');
          this.#remaining[this.#depth] = count;
          this.#attribute[this.#depth] = type === T.ATTRIBUTE ? 1 : 0;
          this.#depth++;
          break;
        }
        default:
          // + : , # _ ( and anything else that is one line
          completed += this.#elementDone();
      }
    }
    return completed;
  }

  /** One element ended: closes the aggregates it completes; 1 if a top-level reply ended. */
  #elementDone(): number {
    while (this.#depth > 0) {
      const top = this.#depth - 1;
      if (--this.#remaining[top]! > 0) return 0;
      this.#depth = top;
      // attributes precede the value they describe: their end is not an element of the parent
      if (this.#attribute[top] === 1) return 0;
    }
    return 1;
  }

  #error(chunk: Uint8Array, start: number, end: number): void {
    this.errors++;
    this.firstError ??= Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start).toString(
      'latin1',
    );
  }
}

/** A decimal integer (with an optional minus) between `start` and `end`. */
function readNumber(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let value = 0;
  for (; i < end; i++) value = value * 10 + (bytes[i]! - 48);
  return negative ? -value : value;
}
