import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import type { Database } from '../keyspace.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSet } from '../types/zset.js';
import { parseDouble, parseInt64 } from '../util/numbers.js';
import type { HandlerTable } from './types.js';

/**
 * SORT and SORT_RO (redis-server 7.0's sort.c): lists, sets and sorted sets, numeric or ALPHA,
 * ASC/DESC, LIMIT, BY pattern (`*` substituted, `->field` for a hash field, no `*` = no sort), GET
 * patterns (`#` = the element), STORE into a list.
 * https://redis.io/docs/latest/commands/sort/
 */

/**
 * Error texts of this group, as sort.c writes them (each written once).
 *
 * @example
 * ```ts
 * client.server.errorReply(client, SortError.NOT_DOUBLE);
 * ```
 */
export const SortError = {
  NOT_DOUBLE: "ERR One or more scores can't be converted into double",
} as const;

/**
 * One element being sorted (redisSortObject): the element, and what it sorts by: a score
 * (numeric) or a comparison string (ALPHA with BY; null when the BY key is missing).
 */
interface SortItem {
  readonly element: string;
  score: number;
  compareBy: string | null;
}

/** Sort settings (redis-server keeps them in globals for qsort's comparator). */
interface SortSettings {
  readonly desc: boolean;
  readonly alpha: boolean;
  readonly byPattern: boolean;
  readonly store: boolean;
}

/**
 * compareStringObjects (binary): memcmp over the common length, then the shorter first. O(n).
 *
 * @example
 * ```ts
 * compareBinary('a', 'a\0'); // -1
 * ```
 */
export function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0; // latin1 strings: code unit order is byte order
}

/**
 * strcoll in the C / C.UTF-8 locale redis-server runs in: byte order, stopping at the first NUL
 * (the comparison sees C strings). O(n).
 *
 * @example
 * ```ts
 * compareCollate('a\0b', 'a\0c'); // 0
 * ```
 */
export function compareCollate(a: string, b: string): number {
  const nulA = a.indexOf('\0');
  const nulB = b.indexOf('\0');
  return compareBinary(nulA < 0 ? a : a.slice(0, nulA), nulB < 0 ? b : b.slice(0, nulB));
}

/** sortCompare. */
function compareItems(x: SortItem, y: SortItem, settings: SortSettings): number {
  let result: number;
  if (!settings.alpha) {
    if (x.score > y.score) result = 1;
    else if (x.score < y.score) result = -1;
    else result = compareBinary(x.element, y.element);
  } else if (settings.byPattern) {
    const a = x.compareBy;
    const b = y.compareBy;
    if (a === null || b === null) result = a === b ? 0 : a === null ? -1 : 1;
    else result = settings.store ? compareBinary(a, b) : compareCollate(a, b);
  } else {
    result = settings.store
      ? compareBinary(x.element, y.element)
      : compareCollate(x.element, y.element);
  }
  return settings.desc ? -result : result;
}

/**
 * A BY weight as SORT reads it (strtod on the C string): leading white space, decimal, hex,
 * inf/infinity; the whole string up to its first NUL must be consumed; "" is 0; NaN and ERANGE
 * (overflow, or underflow to a denormal or zero) are errors. Returns undefined for an error. O(n).
 *
 * @example
 * ```ts
 * sortScore(' 0x10'); // 16
 * sortScore('1e400'); // undefined
 * ```
 */
export function sortScore(text: string): number | undefined {
  const nul = text.indexOf('\0');
  const c = nul < 0 ? text : text.slice(0, nul);
  if (c.length === 0) return 0;
  let i = 0;
  while (i < c.length && isSpace(c.charCodeAt(i))) i++;
  if (i === c.length) return undefined;
  const value = parseDouble(i === 0 ? c : c.slice(i));
  if (value === undefined || Number.isNaN(value)) return undefined;
  // glibc's strtod sets ERANGE for results in the denormal range
  if (value !== 0 && Math.abs(value) < 2.2250738585072014e-308) return undefined;
  return value;
}

/** isspace() in the C locale. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by the
 * element and the key read, a string value (or, with `->field` after the `*`, that field of a
 * hash). Undefined when there is no `*`, no key, or the wrong type. The pattern is scanned as a C
 * string (up to its first NUL), as redis-server does. O(pattern + element) and one key lookup.
 *
 * @example
 * ```ts
 * lookupByPattern(db, 'user_*->age', '42'); // field "age" of hash "user_42"
 * lookupByPattern(db, '#', '42'); // '42'
 * ```
 */
export function lookupByPattern(
  db: Database,
  pattern: string,
  element: string,
): string | undefined {
  const nul = pattern.indexOf('\0');
  const scanned = nul < 0 ? pattern : pattern.slice(0, nul);
  if (scanned === '#') return element;
  const star = scanned.indexOf('*');
  if (star < 0) return undefined;
  const arrow = scanned.indexOf('->', star + 1);
  let fieldLength = 0;
  let field: string | undefined;
  if (arrow >= 0 && arrow + 2 < scanned.length) {
    fieldLength = pattern.length - arrow - 2;
    field = pattern.slice(arrow + 2);
  }
  const postfixLength = pattern.length - (star + 1) - (field !== undefined ? fieldLength + 2 : 0);
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, star + 1 + postfixLength);
  const value = db.lookupRead(key);
  if (value === undefined) return undefined;
  if (field !== undefined) return value instanceof HashValue ? value.get(field) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * _pqsort, Redis's partial quicksort (NetBSD's qsort with a range): sorts just enough that
 * `items[lrange..rrange]` hold the elements a full sort would put there. Ported exactly, because
 * elements that compare equal (ALPHA BY with missing weights) come out in its order; exactly
 * means without NetBSD's switch to insertion sort after a pass that swapped nothing, which
 * Redis's copy does not have (with it, `SORT l BY w_* ALPHA LIMIT 0 1` answered another of
 * the tied elements than redis-server).
 * O(n log n) worst case in practice (median of three, ninther past 40 elements).
 *
 * @internal
 * @example
 * ```ts
 * const items = [5, 1, 4, 2, 3];
 * partialSort(items, 0, items.length, (a, b) => a - b, 0, 1); // items[0..1] are 1, 2
 * ```
 */
export function partialSort<T>(
  items: T[],
  base: number,
  count: number,
  compare: (a: T, b: T) => number,
  lrange: number,
  rrange: number,
): void {
  const swap = (i: number, j: number): void => {
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  };
  const cmp = (i: number, j: number): number => compare(items[i] as T, items[j] as T);
  const med3 = (a: number, b: number, c: number): number =>
    cmp(a, b) < 0
      ? cmp(b, c) < 0
        ? b
        : cmp(a, c) < 0
          ? c
          : a
      : cmp(b, c) > 0
        ? b
        : cmp(a, c) < 0
          ? a
          : c;
  const vecswap = (a: number, b: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(a + k, b + k);
  };
  let a = base;
  let n = count;
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++)
        for (let pl = pm; pl > a && cmp(pl - 1, pl) > 0; pl--) swap(pl, pl - 1);
      return;
    }
    let pm = a + (n >>> 1);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = n >>> 3;
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(a, pm);
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      let result: number;
      while (pb <= pc && (result = cmp(pb, a)) <= 0) {
        if (result === 0) {
          swap(pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (result = cmp(pc, a)) >= 0) {
        if (result === 0) {
          swap(pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(pb, pc);
      pb++;
      pc--;
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(pb, pn - r, r);
    r = pb - pa;
    // recurse only into the parts that overlap [lrange, rrange]
    if (r > 1 && !(rrange < a || lrange >= a + r))
      partialSort(items, a, r, compare, lrange, rrange);
    r = pd - pc;
    if (r > 1) {
      a = pn - r;
      n = r;
      if (!(rrange < a || lrange >= a + r)) continue;
    }
    return;
  }
}

/** LIMIT's long arguments (getLongFromObjectOrReply). */
function longArg(client: Client, text: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return undefined;
  }
  // beyond 2^53 the value only ever gets clamped to the collection's size
  return typeof value === 'number'
    ? value
    : value > 0n
      ? Number.MAX_SAFE_INTEGER
      : -Number.MAX_SAFE_INTEGER;
}

function sortGeneric(client: Client, argv: string[], readOnly: boolean): void {
  const db = client.db;
  const getPatterns: string[] = [];
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontSort = false;
  let sortBy: string | undefined;
  let storeKey: string | undefined;
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const option = (argv[j] ?? '').toLowerCase();
    if (option === 'asc') desc = false;
    else if (option === 'desc') desc = true;
    else if (option === 'alpha') alpha = true;
    else if (option === 'limit' && left >= 2) {
      const start = longArg(client, argv[j + 1] ?? '');
      if (start === undefined) return;
      const count = longArg(client, argv[j + 2] ?? '');
      if (count === undefined) return;
      limitStart = start;
      limitCount = count;
      j += 2;
    } else if (!readOnly && option === 'store' && left >= 1) {
      storeKey = argv[++j] ?? '';
    } else if (option === 'by' && left >= 1) {
      sortBy = argv[++j] ?? '';
      // a BY pattern without '*' (before any NUL, strchr) means: do not sort (sticky)
      const nul = sortBy.indexOf('\0');
      if ((nul < 0 ? sortBy : sortBy.slice(0, nul)).indexOf('*') < 0) dontSort = true;
    } else if (option === 'get' && left >= 1) {
      getPatterns.push(argv[++j] ?? '');
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }

  const value = db.lookupRead(argv[1] ?? '');
  if (
    value !== undefined &&
    !(value instanceof ListValue || value instanceof SetValue || value instanceof ZSet)
  ) {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return;
  }
  // a set has no order of its own: sorted for STORE and scripts, so replicas agree
  if (
    dontSort &&
    value instanceof SetValue &&
    (storeKey !== undefined || client.conn === undefined)
  ) {
    dontSort = false;
    alpha = true;
    sortBy = undefined;
  }
  if (value instanceof ZSet) value.convertToSkiplist();

  let length = value === undefined ? 0 : value instanceof ListValue ? value.length : value.size;
  let start = Math.min(Math.max(limitStart, 0), length);
  const count = Math.min(Math.max(limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // lists and sorted sets in their own order with a LIMIT: load just the range
  const direct = dontSort && (value instanceof ListValue || value instanceof ZSet);
  let elements: string[];
  if (value === undefined) elements = [];
  else if (direct && value instanceof ListValue) {
    if (end >= start) {
      const total = value.length;
      elements = desc
        ? value.slice(total - end - 1, total - start).reverse()
        : value.slice(start, end + 1);
    } else elements = [];
  } else if (direct && value instanceof ZSet) {
    elements = [];
    if (end >= start) {
      for (const [member] of value.set.rangeByRank(start, end, desc)) elements.push(member);
    }
  } else if (value instanceof ListValue) elements = value.toArray();
  else if (value instanceof SetValue) elements = value.members();
  else {
    elements = [];
    for (const [member] of value.entries()) elements.push(member);
  }
  if (direct) {
    end -= start;
    start = 0;
    length = elements.length;
  }

  const items: SortItem[] = new Array<SortItem>(elements.length);
  for (let i = 0; i < elements.length; i++)
    items[i] = { element: elements[i] ?? '', score: 0, compareBy: null };

  let conversionError = false;
  if (!dontSort) {
    for (const item of items) {
      let by: string | undefined;
      if (sortBy !== undefined) {
        by = lookupByPattern(db, sortBy, item.element);
        if (by === undefined) continue;
      } else by = item.element;
      if (alpha) {
        if (sortBy !== undefined) item.compareBy = by;
      } else {
        const score = sortScore(by);
        if (score === undefined) conversionError = true;
        else item.score = score;
      }
    }
    const settings: SortSettings = {
      desc,
      alpha,
      byPattern: sortBy !== undefined,
      store: storeKey !== undefined,
    };
    const compare = (x: SortItem, y: SortItem): number => compareItems(x, y, settings);
    if (sortBy !== undefined && (start !== 0 || end !== length - 1))
      partialSort(items, 0, items.length, compare, start, end);
    // glibc's qsort is a merge sort (stable), as Array.prototype.sort is
    else items.sort(compare);
  }

  const outputLength =
    getPatterns.length > 0 ? getPatterns.length * (end - start + 1) : end - start + 1;
  if (conversionError) {
    client.server.errorReply(client, SortError.NOT_DOUBLE);
    return;
  }
  if (storeKey === undefined) {
    client.w.arrayHeader(outputLength);
    for (let j = start; j <= end; j++) {
      const element = (items[j] as SortItem).element;
      if (getPatterns.length === 0) client.w.bulk(element);
      for (const pattern of getPatterns) {
        const found = lookupByPattern(db, pattern, element);
        if (found === undefined) client.w.nil();
        else client.w.bulk(found);
      }
    }
    return;
  }
  const result: string[] = [];
  for (let j = start; j <= end; j++) {
    const element = (items[j] as SortItem).element;
    if (getPatterns.length === 0) result.push(element);
    for (const pattern of getPatterns) result.push(lookupByPattern(db, pattern, element) ?? '');
  }
  if (outputLength > 0) {
    db.set(storeKey, ListValue.from(result));
    // server.dirty += the elements stored (the key's write counted one)
    client.server.changes(outputLength - 1);
    client.server.notify('l', 'sortstore', storeKey, db);
  } else if (db.delete(storeKey)) {
    client.server.notify('g', 'del', storeKey, db);
  }
  client.w.integer(outputLength);
}

/**
 * The handlers of the group: SORT and SORT_RO. O(n + m log m) for n elements of which m are
 * sorted (all, or a LIMIT window with BY), plus one lookup per BY and GET pattern and element.
 *
 * @example
 * ```ts
 * sortCommands['sort']?.(client, ['SORT', 'ids', 'BY', 'w_*', 'GET', '#', 'LIMIT', '0', '10']);
 * ```
 */
export const sortCommands: HandlerTable = {
  sort: (client, argv) => sortGeneric(client, argv, false),
  sort_ro: (client, argv) => sortGeneric(client, argv, true),
};
