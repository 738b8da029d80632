/**
 * Memory: bytes per entry of a table of 1M string keys, and bytes per table of 100k small
 * tables of 10 fields (the server's many small hashes). Each implementation runs in its own
 * process (see child/memory.ts).
 */
import { report } from './compare.js';
import { runChild } from './child/run.js';
import { selected } from './data.js';

interface Memory {
  perEntry: number;
  perSmallTable: number;
}

const title = 'memory: bytes per entry at 1M string keys';
const smallTitle = 'memory: bytes per table, 100k tables of 10 fields';

if (selected(title) || selected(smallTitle)) {
  const results: Record<string, Memory> = {};
  for (const name of ['@byor/hashtable', 'Map', 'js-sdsl HashMap']) {
    results[name] = runChild<Memory>('./memory.ts', [name, '1000000']);
  }
  const pick = (field: keyof Memory): Record<string, number> =>
    Object.fromEntries(Object.entries(results).map(([name, value]) => [name, value[field]]));
  report(title, 'bytes/entry', pick('perEntry'));
  report(smallTitle, 'bytes/table', pick('perSmallTable'));
}
