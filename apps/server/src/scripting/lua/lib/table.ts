import { NONE } from '../runtime.js';
import {
  LuaError,
  LuaTable,
  formatNumber,
  typeName,
  type LuaValue,
  type NativeFunction,
} from '../value.js';
import { ArgChecker } from './args.js';
import type { BaseHost } from './base.js';

/** The table library of Lua 5.1 (ltablib.c): concat, insert, remove, sort (its quicksort, so
 * equal elements end up where Lua puts them), getn, setn, maxn, foreach, foreachi. */
export function tableLibrary(host: BaseHost, G: LuaTable): void {
  const { R, H } = host;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const writable = (table: LuaTable): void => {
    if (table.readonly) throw new LuaError('Attempt to modify a readonly table', R.l);
  };

  set('getn', (...args) => [check.table('getn', args, 1).length()]);
  set('setn', (...args) => {
    check.table('setn', args, 1);
    throw R.error("'setn' is obsolete");
  });
  set('maxn', (...args) => {
    const table = check.table('maxn', args, 1);
    let max = 0;
    for (let i = table.arr.length; i > 0; i--)
      if (table.arr[i - 1] !== undefined) {
        max = i;
        break;
      }
    for (const [key, value] of table.hash)
      if (typeof key === 'number' && value !== undefined && key > max) max = key;
    return [max];
  });

  set('insert', (...args) => {
    const table = check.table('insert', args, 1);
    let e = table.length() + 1;
    let pos: number;
    switch (args.length) {
      case 2:
        pos = e;
        break;
      case 3: {
        pos = check.int('insert', args, 2);
        if (pos > e) e = pos;
        writable(table);
        const arr = table.arr;
        if (pos >= 1 && e === arr.length + 1 && pos <= arr.length) {
          arr.splice(pos - 1, 0, args[2]);
          return NONE;
        }
        for (let i = e; i > pos; i--) table.set(i, table.get(i - 1));
        break;
      }
      default:
        throw R.error("wrong number of arguments to 'insert'");
    }
    writable(table);
    H.checkKey(pos, `${R.chunk}:${R.l}`);
    table.set(pos, args[args.length - 1]);
    return NONE;
  });

  set('remove', (...args) => {
    const table = check.table('remove', args, 1);
    const e = table.length();
    const pos = check.optInt('remove', args, 2, e);
    if (!(1 <= pos && pos <= e)) return NONE;
    writable(table);
    const arr = table.arr;
    if (e === arr.length) {
      const [removed] = arr.splice(pos - 1, 1);
      let end = arr.length;
      while (end > 0 && arr[end - 1] === undefined) end--;
      arr.length = end;
      return [removed];
    }
    const removed = table.get(pos);
    for (let i = pos; i < e; i++) table.set(i, table.get(i + 1));
    table.set(e, undefined);
    return [removed];
  });

  set('concat', (...args) => {
    const table = check.table('concat', args, 1);
    const sep = check.optString('concat', args, 2, '');
    const i = check.optInt('concat', args, 3, 1);
    const j = args[3] === undefined ? table.length() : check.int('concat', args, 4);
    const parts: string[] = [];
    for (let k = i; k <= j; k++) {
      const value = table.get(k);
      if (typeof value === 'string') parts.push(value);
      else if (typeof value === 'number') parts.push(formatNumber(value));
      else throw R.error(`invalid value (${typeName(value)}) at index ${k} in table for 'concat'`);
    }
    return [parts.join(sep)];
  });

  set('foreachi', (...args) => {
    const table = check.table('foreachi', args, 1);
    const fn = args[1];
    const n = table.length();
    for (let i = 1; i <= n; i++) {
      const result = H.callSync(fn, [i, table.get(i)])[0];
      if (result !== undefined) return [result];
    }
    return NONE;
  });
  set('foreach', (...args) => {
    const table = check.table('foreach', args, 1);
    const fn = args[1];
    let entry = table.next(undefined);
    while (entry) {
      const result = H.callSync(fn, [entry[0], entry[1]])[0];
      if (result !== undefined) return [result];
      entry = table.next(entry[0]);
    }
    return NONE;
  });

  set('sort', (...args) => {
    const table = check.table('sort', args, 1);
    const n = table.length();
    const comparator = args[1];
    if (comparator !== undefined && typeName(comparator) !== 'function')
      check.typeError('sort', args, 2, 'function');
    if (n > 1) writable(table);
    const a: LuaValue[] = [undefined];
    for (let i = 1; i <= n; i++) a.push(table.get(i));
    const less =
      comparator === undefined
        ? (x: LuaValue, y: LuaValue) => H.lt(x, y, '')
        : (x: LuaValue, y: LuaValue) => {
            const result = H.callSync(comparator, [x, y])[0];
            return result !== undefined && result !== false;
          };
    auxsort(a, 1, n, less, () => {
      throw R.error('invalid order function for sorting');
    });
    for (let i = 1; i <= n; i++) table.set(i, a[i]);
    return NONE;
  });

  G.set('table', lib);
}

/** ltablib.c's auxsort on a 1-based array. */
function auxsort(
  a: LuaValue[],
  l: number,
  u: number,
  less: (x: LuaValue, y: LuaValue) => boolean,
  invalid: () => never,
): void {
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  while (l < u) {
    // sort elements a[l], a[(l+u)/2] and a[u]
    if (less(a[u], a[l])) swap(l, u);
    if (u - l === 1) break;
    let i = Math.floor((l + u) / 2);
    if (less(a[i], a[l])) swap(i, l);
    else if (less(a[u], a[i])) swap(i, u);
    if (u - l === 2) break;
    const pivot = a[i];
    swap(i, u - 1);
    // a[l] <= P == a[u-1] <= a[u], only need to sort from l+1 to u-2
    i = l;
    let j = u - 1;
    for (;;) {
      while (less(a[++i], pivot)) if (i > u) invalid();
      while (less(pivot, a[--j])) if (j < l) invalid();
      if (j < i) break;
      swap(i, j);
    }
    swap(u - 1, i);
    // a[l..i-1] <= a[i] == P <= a[i+1..u]; recurse into the smaller half
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    auxsort(a, j, i, less, invalid);
  }
}
