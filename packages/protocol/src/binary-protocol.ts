/**
 * The book's binary protocol ("Build Your Own Redis", chapters 4 and 9), all integers
 * little-endian as the book's C code writes them on x86:
 *
 *     request  = u32 total_len | u32 nstr | nstr x (u32 len | len bytes)
 *     response = u32 total_len | one value
 *     value    = NIL 0
 *              | ERR 1 | u32 code | u32 len | message
 *              | STR 2 | u32 len | bytes
 *              | INT 3 | i64
 *              | DBL 4 | f64
 *              | ARR 5 | u32 n | n values
 *
 * A message (total_len) over 32 MiB is refused; a request has at most 200,000 strings.
 */

/**
 * The tag byte of each value of a binary response.
 *
 * @example
 * ```ts
 * const isNil = message[4] === BinaryTags.NIL; // the byte after the u32 length
 * ```
 */
export const BinaryTags = {
  NIL: 0,
  ERR: 1,
  STR: 2,
  INT: 3,
  DBL: 4,
  ARR: 5,
} as const;

/**
 * The book's error codes, carried by an ERR value.
 *
 * @example
 * ```ts
 * writer.error(BinaryErrorCodes.UNKNOWN, 'unknown command.');
 * ```
 */
export const BinaryErrorCodes = {
  /** unknown command */
  UNKNOWN: 1,
  /** response too big */
  TOO_BIG: 2,
  /** wrong type of value */
  BAD_TYPE: 3,
  /** bad argument */
  BAD_ARGUMENT: 4,
} as const;

/** The book's `k_max_msg`: 32 MiB. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 32 << 20;
/** The book's `k_max_args`: 200,000 strings in a request. */
export const DEFAULT_MAX_ARGS = 200_000;
/** Bytes of the u32 length that frames every message. */
export const FRAME_HEADER_BYTES = 4;
