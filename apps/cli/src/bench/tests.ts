/**
 * The load generator's tests: redis-benchmark's list (same names, keys and commands, so `-t` and
 * the numbers mean the same thing), or a command given on the command line. Each test is one
 * encoded command whose `__rand_int__` placeholders are replaced, per request, by a random
 * 12-digit key number below `-r` (left as they are without `-r`, as redis-benchmark does).
 */
import { encodeCommand } from '@byor/protocol';

/** The placeholder replaced by random key numbers. */
export const RANDOM_PLACEHOLDER = '__rand_int__';

/**
 * One test: a title and the bytes of one request.
 *
 * @example
 * ```ts
 * const test: BenchTest = benchTest('INCR', 'incr', ['INCR', 'counter']);
 * ```
 */
export interface BenchTest {
  /** What the report calls it: `SET`, `LRANGE_100 (first 100 elements)`. */
  readonly title: string;
  /** The name `-t` selects it by, lower case: `set`, `lrange_100`. */
  readonly name: string;
  /** One request, encoded. */
  readonly request: Buffer;
  /** Byte offsets of the placeholders in `request`. */
  readonly placeholders: readonly number[];
}

/** Offsets of every placeholder in the request. */
function findPlaceholders(request: Buffer): number[] {
  const offsets: number[] = [];
  for (
    let at = request.indexOf(RANDOM_PLACEHOLDER);
    at !== -1;
    at = request.indexOf(RANDOM_PLACEHOLDER, at + 1)
  ) {
    offsets.push(at);
  }
  return offsets;
}

/**
 * A test from a command (arguments as latin1 strings) or from raw bytes (an inline command).
 * O(request).
 *
 * @example
 * ```ts
 * benchTest('INCR counter', 'incr', ['INCR', 'counter:__rand_int__']);
 * ```
 */
export function benchTest(
  title: string,
  name: string,
  command: readonly string[] | Buffer,
): BenchTest {
  const request = Buffer.isBuffer(command) ? command : encodeCommand(command, 'latin1');
  return { title, name, request, placeholders: findPlaceholders(request) };
}

/**
 * redis-benchmark's tests, in its order, with a value of `dataSize` bytes. O(dataSize).
 *
 * @example
 * ```ts
 * standardTests(3).map((test) => test.name); // ['ping_inline', 'ping_mbulk', 'set', ...]
 * ```
 */
export function standardTests(dataSize: number): BenchTest[] {
  const data = 'x'.repeat(dataSize);
  const key = `key:${RANDOM_PLACEHOLDER}`;
  const element = `element:${RANDOM_PLACEHOLDER}`;
  const mset: string[] = ['MSET'];
  for (let i = 0; i < 10; i++) mset.push(key, data);
  return [
    benchTest('PING_INLINE', 'ping_inline', Buffer.from('PING\r\n')),
    benchTest('PING_MBULK', 'ping_mbulk', ['PING']),
    benchTest('SET', 'set', ['SET', key, data]),
    benchTest('GET', 'get', ['GET', key]),
    benchTest('INCR', 'incr', ['INCR', `counter:${RANDOM_PLACEHOLDER}`]),
    benchTest('LPUSH', 'lpush', ['LPUSH', 'mylist', data]),
    benchTest('RPUSH', 'rpush', ['RPUSH', 'mylist', data]),
    benchTest('LPOP', 'lpop', ['LPOP', 'mylist']),
    benchTest('RPOP', 'rpop', ['RPOP', 'mylist']),
    benchTest('SADD', 'sadd', ['SADD', 'myset', element]),
    benchTest('HSET', 'hset', ['HSET', `myhash`, element, data]),
    benchTest('SPOP', 'spop', ['SPOP', 'myset']),
    benchTest('ZADD', 'zadd', ['ZADD', 'myzset', '0', element]),
    benchTest('ZPOPMIN', 'zpopmin', ['ZPOPMIN', 'myzset']),
    benchTest('LPUSH (needed to benchmark LRANGE)', 'lrange_fill', ['LPUSH', 'mylist', data]),
    benchTest('LRANGE_100 (first 100 elements)', 'lrange_100', ['LRANGE', 'mylist', '0', '99']),
    benchTest('LRANGE_300 (first 300 elements)', 'lrange_300', ['LRANGE', 'mylist', '0', '299']),
    benchTest('LRANGE_500 (first 500 elements)', 'lrange_500', ['LRANGE', 'mylist', '0', '499']),
    benchTest('LRANGE_600 (first 600 elements)', 'lrange_600', ['LRANGE', 'mylist', '0', '599']),
    benchTest('MSET (10 keys)', 'mset', mset),
  ];
}

/**
 * The tests `-t` selects (all when undefined), as redis-benchmark reads it: comma-separated
 * names, case-insensitive; `ping` selects both pings, `lrange` every LRANGE; any LRANGE brings
 * the LPUSH that fills the list. O(tests).
 *
 * @example
 * ```ts
 * selectTests(standardTests(3), ['set', 'get']).map((t) => t.title); // ['SET', 'GET']
 * ```
 */
export function selectTests(
  all: readonly BenchTest[],
  names: readonly string[] | undefined,
): BenchTest[] {
  if (names === undefined) return [...all];
  const wanted = new Set(
    names.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''),
  );
  const selected = (name: string): boolean => {
    if (wanted.has(name)) return true;
    if (name.startsWith('ping_') && wanted.has('ping')) return true;
    if (name.startsWith('lrange_') && wanted.has('lrange')) return true;
    return false;
  };
  const anyLrange = all.some(
    (test) => test.name.startsWith('lrange_') && test.name !== 'lrange_fill' && selected(test.name),
  );
  return all.filter((test) => (test.name === 'lrange_fill' ? anyLrange : selected(test.name)));
}
