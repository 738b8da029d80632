/**
 * What a key holds. Strings are plain JS strings in latin1 (one char per byte): the most compact
 * representation V8 has and the one the protocol parser produces, so GET/SET never convert.
 * Every other type is an object with a `type` tag; their classes live in types/*.ts.
 */
export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/**
 * Where the memory account stands with a collection (see Database.refreshCharges), kept in the
 * collection itself. A record per collection in a WeakMap cost ~90 bytes (the record, 48, and
 * the WeakMap's slots with their slack): 9 MB of a 100k-hash dataset's ~42 MB of heap; as three
 * fields of the value it costs 24 bytes.
 */
export abstract class Charged {
  /** bytes counted for it in its database's account */
  chargedBytes = 0;
  /** its last exact estimate (memoryUsage()) and its element count then */
  exactBytes = 0;
  exactCount = 0;
}

/** A non-string value: a list, set, sorted set, hash or stream. */
export interface ObjectValue extends Charged {
  readonly type: Exclude<ValueType, 'string'>;
  /** what OBJECT ENCODING prints for it (listpack, hashtable, quicklist, skiplist, intset, stream) */
  encoding(): string;
  /** a deep copy (COPY) */
  clone(): ObjectValue;
  /**
   * Prefetches the lookups of `elements`, which follow in that order (the fields or members of
   * pipelined commands, see pipeline-prefetch.ts); `elements` is kept until the next prefetch and
   * must not change. Changes nothing. Types whose lookups cannot miss the cache much (a listpack,
   * a list) leave it out.
   */
  touch?(elements: readonly string[]): void;
}

export type Value = string | ObjectValue;

/** The TYPE of a value, as the TYPE command prints it. */
export function typeOf(value: Value): ValueType {
  return typeof value === 'string' ? 'string' : value.type;
}

/**
 * How a command left a string value, where OBJECT ENCODING cannot tell it from the bytes:
 * `raw` for one changed in place (redis-server's dbUnshareStringValue: APPEND, SETRANGE, SETBIT,
 * BITFIELD, the HyperLogLog commands) or built as a buffer (BITOP); `not-int` for one made from
 * a number that is not kept as an integer (INCRBYFLOAT's result: embstr, or raw past 44 bytes);
 * `own-int` for an int-encoded copy (COPY's dupStringObject), an object of its own even for 0 to
 * 9999, which are otherwise redis-server's shared integers (OBJECT REFCOUNT 1, not INT_MAX).
 */
export type StringForm = 'raw' | 'not-int' | 'own-int';

/**
 * OBJECT ENCODING of a string: int when it is a canonical int64, embstr up to 44 bytes, else raw
 * (tryObjectEncoding), unless `form` says how a command left it.
 */
export function stringEncoding(value: string, form?: StringForm): string {
  if (form === 'raw') return 'raw';
  if (
    (form === undefined || form === 'own-int') &&
    value.length <= 20 &&
    /^(?:0|-?[1-9]\d*)$/.test(value)
  ) {
    const n = BigInt(value);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return 'int';
  }
  return value.length <= 44 ? 'embstr' : 'raw';
}
