/** The implementations a child measures, behind one tiny interface. */
import { HashMap } from 'js-sdsl';
import { HashTable } from '../../src/index.js';

export interface StringTable {
  set(key: string, value: number): unknown;
  readonly size: number;
}

export const implementations: Record<string, () => StringTable> = {
  '@byor/hashtable': () => new HashTable<number>(),
  Map: () => new Map<string, number>(),
  'js-sdsl HashMap': () => {
    const map = new HashMap<string, number>();
    return {
      set: (key: string, value: number) => map.setElement(key, value, false),
      get size() {
        return map.size();
      },
    };
  },
};

/** Collects garbage until the heap stops shrinking (weak callbacks and finalizers included). */
export async function settle(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  let last = Infinity;
  for (let round = 0; round < 10; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const { heapUsed, external } = process.memoryUsage();
    const used = heapUsed + external;
    if (used >= last) return used;
    last = used;
  }
  return last;
}
