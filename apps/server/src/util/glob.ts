/**
 * Redis's glob matcher (util.c stringmatchlen), ported line for line so KEYS, SCAN MATCH,
 * PSUBSCRIBE and CONFIG GET match exactly what redis-server matches: `*`, `?`, `[abc]`, `[^a]`,
 * `[a-z]` (reversed ranges too), `\x` escapes; a trailing unmatched `[` matches literally.
 * Works on latin1 strings (one char per byte).
 */
export function globMatch(pattern: string, text: string, noCase = false): boolean {
  return match(pattern, 0, text, 0, noCase, 0) === 1;
}

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const BACKSLASH = 92; // \
const DASH = 45; // -

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Returns 1 on match, 0 on no match, -1 to stop all backtracking (skipLongerMatches in C). */
function match(
  p: string,
  pi: number,
  s: string,
  si: number,
  noCase: boolean,
  nesting: number,
): number {
  // Protection against abusive patterns (redis-server 7 caps the recursion the same way).
  if (nesting > 1000) return 0;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case STAR: {
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === STAR) pi++;
        if (pi + 1 === plen) return 1; // match
        while (si < slen) {
          const r = match(p, pi + 1, s, si, noCase, nesting + 1);
          if (r === 1) return 1;
          if (r === -1) return -1;
          si++;
        }
        return -1; // no match, and no longer match is possible
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === CARET;
        if (not) pi++;
        let matched = false;
        const sc = s.charCodeAt(si);
        for (;;) {
          if (pi >= plen) {
            pi--; // unterminated class: the C code steps back onto the last char
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === BACKSLASH && plen - pi >= 2) {
            pi++;
            if (p.charCodeAt(pi) === sc) matched = true;
          } else if (c === CLOSE) {
            break;
          } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === DASH) {
            let start = c;
            let end = p.charCodeAt(pi + 2);
            let ch = sc;
            if (start > end) [start, end] = [end, start];
            if (noCase) {
              start = lower(start);
              end = lower(end);
              ch = lower(ch);
            }
            pi += 2;
            if (ch >= start && ch <= end) matched = true;
          } else if (noCase ? lower(c) === lower(sc) : c === sc) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return 0;
        si++;
        break;
      }
      default: {
        // a backslash escapes the next char, which is then matched literally
        if (pc === BACKSLASH && plen - pi >= 2) pi++;
        const c = p.charCodeAt(pi);
        const sc = s.charCodeAt(si);
        if (noCase ? lower(c) !== lower(sc) : c !== sc) return 0;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi === plen && si === slen ? 1 : 0;
}

/** True when a pattern has no glob metacharacters (KEYS/SCAN can then do one lookup). */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}
