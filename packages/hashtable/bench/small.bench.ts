/**
 * Many small tables, the server's hashes and sets: 100k tables of 10 fields each, built and
 * then read (HSET / HGET on small hashes). Tables this small stay in the linear form.
 */
import { HashMap } from 'js-sdsl';
import { HashTable } from '../src/index.js';
import { compare } from './compare.js';
import { fromWire, selected, shuffled } from './data.js';

const TABLES = 100_000;
const FIELDS = 10;
const titles = {
  build: 'small tables: build 100k tables of 10 fields (1M sets)',
  read: 'small tables: 1M field reads over 100k tables of 10 fields',
};

if (Object.values(titles).some(selected)) {
  const fields = Array.from({ length: FIELDS }, (_, i) => fromWire(`field:${i}`));
  // reads: (table, field) pairs in random order, with fresh field strings as from the wire
  const picks = shuffled(Array.from({ length: TABLES * FIELDS }, (_, i) => i));
  const readTables = new Int32Array(picks.map((pick) => Math.floor(pick / FIELDS)));
  const readFields = picks.map((pick) => fromWire(`field:${pick % FIELDS}`));

  const buildOurs = (): HashTable<number>[] => {
    const tables = new Array<HashTable<number>>(TABLES);
    for (let t = 0; t < TABLES; t++) {
      const table = new HashTable<number>();
      for (let f = 0; f < FIELDS; f++) table.set(fields[f]!, f);
      tables[t] = table;
    }
    return tables;
  };
  const buildMap = (): Map<string, number>[] => {
    const tables = new Array<Map<string, number>>(TABLES);
    for (let t = 0; t < TABLES; t++) {
      const table = new Map<string, number>();
      for (let f = 0; f < FIELDS; f++) table.set(fields[f]!, f);
      tables[t] = table;
    }
    return tables;
  };
  const buildSdsl = (): HashMap<string, number>[] => {
    const tables = new Array<HashMap<string, number>>(TABLES);
    for (let t = 0; t < TABLES; t++) {
      const table = new HashMap<string, number>();
      for (let f = 0; f < FIELDS; f++) table.setElement(fields[f]!, f, false);
      tables[t] = table;
    }
    return tables;
  };

  compare(
    titles.build,
    { '@byor/hashtable': buildOurs, Map: buildMap, 'js-sdsl HashMap': buildSdsl },
    {
      opsPerCall: TABLES * FIELDS,
    },
  );

  if (selected(titles.read)) {
    const ours = buildOurs();
    const maps = buildMap();
    const sdsl = buildSdsl();
    const reads = TABLES * FIELDS;
    compare(
      titles.read,
      {
        '@byor/hashtable': () => {
          let sum = 0;
          for (let i = 0; i < reads; i++) sum += ours[readTables[i]!]!.get(readFields[i]!) ?? 1;
          return sum;
        },
        Map: () => {
          let sum = 0;
          for (let i = 0; i < reads; i++) sum += maps[readTables[i]!]!.get(readFields[i]!) ?? 1;
          return sum;
        },
        'js-sdsl HashMap': () => {
          let sum = 0;
          for (let i = 0; i < reads; i++) {
            sum += sdsl[readTables[i]!]!.getElementByKey(readFields[i]!, false) ?? 1;
          }
          return sum;
        },
      },
      { opsPerCall: reads },
    );
  }
}
