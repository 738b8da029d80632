import type { Value } from './values.js';

/**
 * MEMORY USAGE: an estimate of the bytes a key and its value take in V8 (pointer-compressed
 * heap): a one-byte string is a 12-byte header plus its characters rounded to 4, a hashtable
 * entry about 16 bytes. Collections report their own estimate.
 */
export function estimateMemoryUsage(key: string, value: Value): number {
  const stringBytes = (s: string) => 12 + Math.ceil(s.length / 4) * 4;
  const entry = 16;
  const valueBytes =
    typeof value === 'string'
      ? stringBytes(value)
      : 'memoryUsage' in value && typeof value.memoryUsage === 'function'
        ? (value.memoryUsage as () => number)()
        : 64;
  return entry + stringBytes(key) + valueBytes;
}
