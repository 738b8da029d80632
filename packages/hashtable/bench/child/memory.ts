/**
 * Bytes per entry of one table of N string keys, and bytes per table of many small tables
 * (hashes of 10 fields), measured as the growth of V8's heap plus external memory (typed
 * arrays), after full collections. The keys exist before the measurement starts and are shared,
 * so only the tables are counted. Prints {perEntry, perSmallTable} as JSON.
 */
import { implementations, settle } from './tables.js';
import type { StringTable } from './tables.js';

const [name = '@byor/hashtable', countText = '1000000'] = process.argv.slice(2);
const count = Number(countText);
const create = implementations[name];
if (create === undefined) throw new Error(`unknown implementation ${name}`);

const keys = new Array<string>(count);
for (let i = 0; i < count; i++) keys[i] = `key:${i}`;
const before = await settle();
const table = create();
for (let i = 0; i < count; i++) table.set(keys[i]!, i);
const perEntry = ((await settle()) - before) / count;
if (table.size !== count) throw new Error(`size ${table.size}`);

const TABLES = 100_000;
const fields = Array.from({ length: 10 }, (_, i) => `field${i}`);
const small = new Array<StringTable>(TABLES);
const beforeSmall = await settle();
for (let t = 0; t < TABLES; t++) {
  const hash = create();
  for (let f = 0; f < fields.length; f++) hash.set(fields[f]!, f);
  small[t] = hash;
}
const perSmallTable = ((await settle()) - beforeSmall) / TABLES;

// keep everything reachable until both figures are taken
if (keys.length + small.length === 0) console.log(table);
console.log(JSON.stringify({ perEntry, perSmallTable }));
