/**
 * The compact encoding of small hashes: redis-server's listpack, as one latin1 string. Items sit
 * back to back, each its length then its bytes; a hash stores field, value, field, value...
 *
 *     +--------+----------+--------+----------+--------+----------+-----
 *     | len f0 | f0 bytes | len v0 | v0 bytes | len f1 | f1 bytes | ...
 *     +--------+----------+--------+----------+--------+----------+-----
 *
 * A length is 7 bits per char, low group first, the high bit set on every char but the last
 * (one char below 128 bytes, which is every item at the default hash-max-listpack-value of 64).
 *
 * Why one string and not an array of strings: V8 gives every string a 12-byte header padded to 8,
 * and an array a header plus 4 bytes per slot with growth slack; a hash of 10 short fields takes
 * about 1000 bytes as an array of 20 strings and about 250 as one string (measured, 100k hashes),
 * with one heap object instead of 21 for the GC to trace. Reads walk the string and compare in
 * place (`startsWith` at an offset, no allocation); writes rebuild it, O(n) like a listpack's
 * memmove, which the entry limit (512 by default) bounds.
 *
 * @internal
 */

/** The length header of an item of `length` chars. */
function header(length: number): string {
  if (length < 0x80) return String.fromCharCode(length); // single-char strings are cached by V8
  let out = '';
  let rest = length;
  while (rest >= 0x80) {
    out += String.fromCharCode((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  return out + String.fromCharCode(rest);
}

/** One encoded item. */
export function lpItem(text: string): string {
  return header(text.length) + text;
}

/**
 * Concatenation builds a rope (a V8 ConsString); reading a char flattens it in place and the GC
 * then drops the rope nodes. Without this a hash written ten times and not read holds ten rope
 * nodes: seven times the memory (measured).
 */
export function lpFlat(packed: string): string {
  packed.charCodeAt(0);
  return packed;
}

/** Offset just past the item starting at `at`. */
export function lpSkip(packed: string, at: number): number {
  let c = packed.charCodeAt(at++);
  let length = c & 0x7f;
  for (let shift = 7; c & 0x80; shift += 7) {
    c = packed.charCodeAt(at++);
    length |= (c & 0x7f) << shift;
  }
  return at + length;
}

/** The text of the item starting at `at`. */
export function lpRead(packed: string, at: number): string {
  let c = packed.charCodeAt(at++);
  let length = c & 0x7f;
  for (let shift = 7; c & 0x80; shift += 7) {
    c = packed.charCodeAt(at++);
    length |= (c & 0x7f) << shift;
  }
  return packed.slice(at, at + length);
}

/** Longer fields are compared by `startsWith` (native) once their last chars match. */
const COMPARE_IN_LOOP = 32;

/**
 * Offset of the entry (its field item) whose field is `field`, or -1. O(n), no allocation. The
 * chars are compared last first, in place: fields often share a prefix ("user:1", "user:2") and
 * the last char rejects most of them at once; comparing in the loop rather than calling
 * `startsWith` makes the scan of a 100-field hash about a third faster (measured). Fields longer
 * than COMPARE_IN_LOOP chars still go to `startsWith` once their last chars match.
 */
export function lpFind(packed: string, field: string): number {
  const end = packed.length;
  const wanted = field.length;
  let at = 0;
  while (at < end) {
    const entry = at;
    // field item, decoded inline (hot loop)
    let c = packed.charCodeAt(at++);
    let length = c & 0x7f;
    for (let shift = 7; c & 0x80; shift += 7) {
      c = packed.charCodeAt(at++);
      length |= (c & 0x7f) << shift;
    }
    if (length === wanted) {
      if (wanted <= COMPARE_IN_LOOP) {
        let i = wanted - 1;
        while (i >= 0 && packed.charCodeAt(at + i) === field.charCodeAt(i)) i--;
        if (i < 0) return entry;
      } else if (
        packed.charCodeAt(at + wanted - 1) === field.charCodeAt(wanted - 1) &&
        packed.startsWith(field, at)
      ) {
        return entry;
      }
    }
    at += length;
    // value item: one header char below 128 chars
    c = packed.charCodeAt(at);
    at = c < 0x80 ? at + 1 + c : lpSkip(packed, at);
  }
  return -1;
}

/** Every item, decoded: `[field, value, field, value, ...]`. O(n). */
export function lpItems(packed: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < packed.length; at = lpSkip(packed, at)) out.push(lpRead(packed, at));
  return out;
}
