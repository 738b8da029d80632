/**
 * LZF, the compression of RDB strings (redis-server's lzf_c.c and lzf_d.c, liblzf 3.6 as Redis
 * builds it: HLOG 16, VERY_FAST, no hash-table initialisation). A port that follows the C code
 * step by step, so that byor compresses a string to the same bytes as redis-server (DUMP payloads
 * compare byte for byte); any valid LZF stream decompresses.
 *
 * Compressed format (from lzf_c.c):
 *
 *     000LLLLL <L+1 bytes>          literal run of L+1 bytes
 *     LLLooooo oooooooo             back reference: copy L+2 bytes from `o + 1` bytes back
 *     111ooooo LLLLLLLL oooooooo    back reference of L+9 bytes
 *
 * Readability was traded for speed: positions are plain indexes into the input, and the hash
 * table keeps positions tagged with a per-call base instead of being cleared for every string
 * (clearing 64K slots per call would cost more than compressing a short string).
 */

/** The signature of {@link lzfCompress}. */
export type LzfCompress = (
  input: Uint8Array,
  inStart: number,
  inLength: number,
  output: Uint8Array,
  outStart: number,
  outLength: number,
) => number;

/**
 * Makes an LZF compressor with its own hash table. Self-contained (no outer references): the
 * persistence worker runs it from its source text.
 *
 * @internal
 */
export function lzfCompressor(): LzfCompress {
  const HLOG = 16;
  const HSIZE = 1 << HLOG;
  const MAX_LIT = 1 << 5;
  const MAX_OFF = 1 << 13;
  const MAX_REF = (1 << 8) + (1 << 3);
  /** hash slot -> position + base of the call that stored it */
  const table = new Int32Array(HSIZE);
  /** added to every stored position; grows per call so older calls' slots read as "before input" */
  let tableBase = 1;
  /** IDX(h) with VERY_FAST: ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), in uint32 arithmetic */
  const slotOf = (hval: number): number =>
    ((hval >>> (24 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1);

  return function compress(
    input: Uint8Array,
    inStart: number,
    inLength: number,
    output: Uint8Array,
    outStart: number,
    outLength: number,
  ): number {
    if (inLength === 0 || outLength === 0) return 0;
    if (tableBase > 0x7fffffff - inLength - 2) {
      table.fill(0);
      tableBase = 1;
    }
    const base = tableBase - inStart; // stored value = position + base
    tableBase += inLength + 1;
    const inEnd = inStart + inLength;
    const outEnd = outStart + outLength;
    let ip = inStart;
    let op = outStart;
    let lit = 0;
    op++; // start run
    let hval = ((input[ip] as number) << 8) | (input[ip + 1] ?? 0);
    while (ip < inEnd - 2) {
      hval = (hval << 8) | (input[ip + 2] as number);
      const slot = slotOf(hval);
      const ref = (table[slot] as number) - base;
      table[slot] = ip + base;
      const off = ip - ref - 1;
      if (
        ref < ip &&
        off < MAX_OFF &&
        ip + 4 < inEnd &&
        ref > inStart &&
        input[ref] === input[ip] &&
        input[ref + 1] === input[ip + 1] &&
        input[ref + 2] === input[ip + 2]
      ) {
        // match found at ref
        let len = 2;
        let maxlen = inEnd - ip - len;
        if (maxlen > MAX_REF) maxlen = MAX_REF;
        output[op - lit - 1] = lit - 1; // stop run
        if (lit === 0) op--; // undo run if length is zero
        if (op + 3 + 1 >= outEnd) return 0;
        extend: {
          if (maxlen > 16) {
            for (let k = 0; k < 16; k++) {
              len++;
              if (input[ref + len] !== input[ip + len]) break extend;
            }
          }
          do len++;
          while (len < maxlen && input[ref + len] === input[ip + len]);
        }
        len -= 2; // len is now #octets - 1
        ip++;
        if (len < 7) {
          output[op++] = (off >>> 8) + (len << 5);
        } else {
          output[op++] = (off >>> 8) + (7 << 5);
          output[op++] = len - 7;
        }
        output[op++] = off & 0xff;
        lit = 0;
        op++; // start run
        ip += len + 1;
        if (ip >= inEnd - 2) break;
        // VERY_FAST: hash the two positions before the new ip
        ip -= 2;
        hval = ((input[ip] as number) << 8) | (input[ip + 1] as number);
        hval = (hval << 8) | (input[ip + 2] as number);
        table[slotOf(hval)] = ip + base;
        ip++;
        hval = (hval << 8) | (input[ip + 2] as number);
        table[slotOf(hval)] = ip + base;
        ip++;
      } else {
        // one more literal byte we must copy
        if (op >= outEnd) return 0;
        lit++;
        output[op++] = input[ip++] as number;
        if (lit === MAX_LIT) {
          output[op - lit - 1] = lit - 1; // stop run
          lit = 0;
          op++; // start run
        }
      }
    }
    if (op + 3 > outEnd) return 0; // at most 3 bytes can be missing here
    while (ip < inEnd) {
      lit++;
      output[op++] = input[ip++] as number;
      if (lit === MAX_LIT) {
        output[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
    output[op - lit - 1] = lit - 1; // end run
    if (lit === 0) op--; // undo run if length is zero
    return op - outStart;
  };
}

/**
 * lzf_compress: compresses `input[inStart, inStart + inLength)` into `output` from `outStart`,
 * writing at most `outLength` bytes. Returns the compressed length, or 0 when the result would
 * not fit in `outLength` bytes (Redis then stores the string uncompressed). `output` must have
 * 4 spare bytes past `outStart + outLength` (the C code may touch them before giving up). O(n).
 *
 * @example
 * ```ts
 * const input = Buffer.from('a'.repeat(100));
 * const output = Buffer.alloc(100);
 * const length = lzfCompress(input, 0, input.length, output, 0, input.length - 4); // 8
 * ```
 */
export const lzfCompress: LzfCompress = lzfCompressor();

/**
 * lzf_decompress: expands `input[inStart, inStart + inLength)` into `output` from `outStart`.
 * Returns the number of bytes written, or -1 when the stream is invalid or would write more than
 * `outLength` bytes (lzf_decompress's EINVAL and E2BIG). O(output).
 *
 * @example
 * ```ts
 * const plain = Buffer.alloc(100);
 * lzfDecompress(compressed, 0, compressed.length, plain, 0, 100); // 100
 * ```
 */
export function lzfDecompress(
  input: Uint8Array,
  inStart: number,
  inLength: number,
  output: Uint8Array,
  outStart: number,
  outLength: number,
): number {
  const inEnd = inStart + inLength;
  const outEnd = outStart + outLength;
  let ip = inStart;
  let op = outStart;
  while (ip < inEnd) {
    let ctrl = input[ip++] as number;
    if (ctrl < 1 << 5) {
      // literal run
      ctrl++;
      if (op + ctrl > outEnd || ip + ctrl > inEnd) return -1;
      output.set(input.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      // back reference
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) return -1;
      if (len === 7) {
        len += input[ip++] as number;
        if (ip >= inEnd) return -1;
      }
      ref -= input[ip++] as number;
      len += 2;
      if (op + len > outEnd || ref < outStart) return -1;
      if (ref + len <= op) {
        output.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        // overlapping: the copy repeats the bytes it just wrote, one at a time
        for (let k = 0; k < len; k++) output[op++] = output[ref++] as number;
      }
    }
  }
  return op - outStart;
}
