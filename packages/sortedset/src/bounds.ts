/**
 * Range bounds and the parsers for Redis's argument syntax (src/t_zset.c in redis 7.0:
 * `zslParseRange`, `zslParseLexRangeItem`, and `getDoubleFromObject` in src/object.c).
 */
import { isCSpace, scanEnd, scanRangeError, strtod } from './strtod.js';

/**
 * One end of a score range: `value` included, or excluded when `exclusive` (Redis's `(`).
 *
 * @example
 * const min: ScoreBound = { value: 1.5, exclusive: true }; // "(1.5"
 */
export interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

/**
 * One end of a lex range: a member value included (`[a`) or excluded (`(a`), or `'-'` (below
 * every member) or `'+'` (above every member).
 *
 * @example
 * const min: LexBound = { value: 'a', exclusive: false }; // "[a"
 * const max: LexBound = '+';
 */
export type LexBound = { readonly value: string; readonly exclusive: boolean } | '-' | '+';

/** The bound below every score, `-inf`. @example set.countByScore(MIN_SCORE, MAX_SCORE); */
export const MIN_SCORE: ScoreBound = Object.freeze({ value: -Infinity, exclusive: false });
/** The bound above every score, `+inf`. @example set.rangeByScore(MIN_SCORE, MAX_SCORE); */
export const MAX_SCORE: ScoreBound = Object.freeze({ value: Infinity, exclusive: false });

const OPEN_PAREN = 40; // (
const OPEN_BRACKET = 91; // [
const PLUS = 43; // +
const MINUS = 45; // -

/**
 * Parses a score as ZADD, ZINCRBY and ZADD INCR read it: the whole string must be a number
 * (decimal, hex, `inf`, `+inf`, `-inf`, `infinity`, any case). Returns `undefined` for what
 * redis answers "ERR value is not a valid float": empty, leading whitespace, trailing garbage,
 * `nan`, or a finite literal that overflows to infinity or underflows to zero. O(length).
 *
 * @example
 * parseScore('1.5'); // 1.5
 * parseScore('-inf'); // -Infinity
 * parseScore('1e400'); // undefined
 * parseScore('nan'); // undefined
 */
export function parseScore(text: string): number | undefined {
  if (text.length === 0 || isCSpace(text.charCodeAt(0))) return undefined;
  const value = strtod(text, 0);
  if (scanEnd !== text.length || scanRangeError || Number.isNaN(value)) return undefined;
  return value;
}

/**
 * Parses one end of a score range as ZRANGEBYSCORE, ZCOUNT and ZREMRANGEBYSCORE read it: an
 * optional `(` for an exclusive bound, then a number read by C's strtod. Returns `undefined`
 * where redis answers "ERR min or max is not a float" (trailing garbage, `nan`). Like
 * redis-server 7.0, it accepts what strtod accepts: leading whitespace, an empty number
 * (`""` is 0 and `"("` is exclusive 0), and literals past the double range (as +-inf). O(length).
 *
 * @example
 * parseScoreBound('(1.5'); // { value: 1.5, exclusive: true }
 * parseScoreBound('-inf'); // { value: -Infinity, exclusive: false }
 * parseScoreBound('5x'); // undefined
 */
export function parseScoreBound(text: string): ScoreBound | undefined {
  const exclusive = text.charCodeAt(0) === OPEN_PAREN;
  const value = strtod(text, exclusive ? 1 : 0);
  // C stops reading at the string's end or at a NUL byte
  if (scanEnd < text.length && text.charCodeAt(scanEnd) !== 0) return undefined;
  if (Number.isNaN(value)) return undefined;
  return { value, exclusive };
}

/**
 * Parses one end of a lex range as ZRANGEBYLEX, ZLEXCOUNT and ZREMRANGEBYLEX read it: `-`,
 * `+`, or `[`/`(` followed by the member (which may be empty). Returns `undefined` where redis
 * answers "ERR min or max not valid string range item". O(length).
 *
 * @example
 * parseLexBound('[a'); // { value: 'a', exclusive: false }
 * parseLexBound('(a'); // { value: 'a', exclusive: true }
 * parseLexBound('-'); // '-'
 * parseLexBound('a'); // undefined
 */
export function parseLexBound(text: string): LexBound | undefined {
  const first = text.charCodeAt(0);
  if (first === PLUS || first === MINUS) {
    // redis checks only that the next byte ends the C string: "+" and "+\0..." are both "+"
    if (text.length > 1 && text.charCodeAt(1) !== 0) return undefined;
    return first === PLUS ? '+' : '-';
  }
  if (first === OPEN_BRACKET) return { value: text.slice(1), exclusive: false };
  if (first === OPEN_PAREN) return { value: text.slice(1), exclusive: true };
  return undefined;
}
