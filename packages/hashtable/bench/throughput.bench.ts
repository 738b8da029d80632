/**
 * set / get / delete throughput on 1M string keys: @byor/hashtable next to V8's Map and
 * js-sdsl's HashMap, in one process. mnemonist is left out: it has no string-keyed hash map of
 * its own (its maps wrap Map or plain objects).
 *
 * Two lookup flavours: with the very string objects that were inserted (V8 caches a string's
 * hash in the string, so Map does not hash them again), and with fresh copies made from Buffers,
 * as a server's parser hands them over (everyone hashes every key).
 */
import { HashMap } from 'js-sdsl';
import { compare } from './compare.js';
import { HashTable } from '../src/index.js';
import { fromWire, makeKeys, selected, shuffled } from './data.js';

const N = 1_000_000;
const titles = {
  set: 'set: insert 1M new string keys into an empty table',
  get: 'get: 1M hits in random order (the inserted string objects)',
  wire: 'get: 1M hits in random order (fresh strings, as parsed off the wire)',
  miss: 'get: 1M misses',
  delete: 'delete: 1M keys in random order, down to empty',
};

if (Object.values(titles).some(selected)) {
  const keys = makeKeys(N);
  const order = shuffled(keys);
  const wire = order.map(fromWire);
  const absent = makeKeys(2 * N).slice(N);

  const fillOurs = (): HashTable<number> => {
    const table = new HashTable<number>();
    for (let i = 0; i < N; i++) table.set(keys[i]!, i);
    return table;
  };
  const fillMap = (): Map<string, number> => {
    const map = new Map<string, number>();
    for (let i = 0; i < N; i++) map.set(keys[i]!, i);
    return map;
  };
  const fillSdsl = (): HashMap<string, number> => {
    const map = new HashMap<string, number>();
    for (let i = 0; i < N; i++) map.setElement(keys[i]!, i, false);
    return map;
  };

  compare(
    titles.set,
    { '@byor/hashtable': fillOurs, Map: fillMap, 'js-sdsl HashMap': fillSdsl },
    {
      opsPerCall: N,
    },
  );

  if (selected(titles.get) || selected(titles.wire) || selected(titles.miss)) {
    const ours = fillOurs();
    const map = fillMap();
    const sdsl = fillSdsl();
    for (const [title, lookups] of [
      [titles.get, order],
      [titles.wire, wire],
      [titles.miss, absent],
    ] as const) {
      compare(
        title,
        {
          '@byor/hashtable': () => {
            let sum = 0;
            for (let i = 0; i < N; i++) sum += ours.get(lookups[i]!) ?? 1;
            return sum;
          },
          Map: () => {
            let sum = 0;
            for (let i = 0; i < N; i++) sum += map.get(lookups[i]!) ?? 1;
            return sum;
          },
          'js-sdsl HashMap': () => {
            let sum = 0;
            for (let i = 0; i < N; i++) sum += sdsl.getElementByKey(lookups[i]!, false) ?? 1;
            return sum;
          },
        },
        { opsPerCall: N },
      );
    }
  }

  // each iteration deletes from a table filled outside the timed part (mitata computed parameter)
  compare(
    titles.delete,
    {
      '@byor/hashtable': function* () {
        yield {
          0: fillOurs,
          bench(table: HashTable<number>) {
            for (let i = 0; i < N; i++) table.delete(order[i]!);
          },
        };
      },
      Map: function* () {
        yield {
          0: fillMap,
          bench(map: Map<string, number>) {
            for (let i = 0; i < N; i++) map.delete(order[i]!);
          },
        };
      },
      'js-sdsl HashMap': function* () {
        yield {
          0: fillSdsl,
          bench(map: HashMap<string, number>) {
            for (let i = 0; i < N; i++) map.eraseElementByKey(order[i]!, false);
          },
        };
      },
    },
    { opsPerCall: N },
  );
}
