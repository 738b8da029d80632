/**
 * @byor/avl against sorted-btree, js-sdsl (OrderedMap), functional-red-black-tree and bintrees,
 * in one process on the same 1M random double keys, all with the same `(a, b) => a - b`.
 *
 * - insert / delete at 1M keys: 100k fresh keys inserted into the 1M-key structure, then the
 *   same 100k deleted, timed by hand in CPU time (one batch is one sample; the first round is warm-up, the
 *   median of the others is reported). Rounds alternate between implementations.
 * - lookup, rank, range: mitata, 1,000 random probes per call on the 1M-key structures.
 *   rank = the 0-based position of a key (ours: `indexOf`, one descent; js-sdsl and
 *   functional-red-black-tree: `find(key).index`). Range of 100 from a rank = find the entry at
 *   a random rank, then visit it and the next 99. sorted-btree and bintrees keep no subtree sizes,
 *   so they have no rank or select and are left out of those two; js-sdsl finds ranks in
 *   O(log n) only with `enableIndex` (so that variant is the one in the rank comparisons), and
 *   its select (`getElementByPos`) is an O(n) in-order walk even then.
 * - range of 100 from a key (lowerBound, then 99 successors), where every peer takes part.
 *   Ours reads ranges with an `AvlCursor`; the layout comparison below keeps `next()` steps.
 * - memory: heap + array buffers retained per entry after building the 1M-key structure.
 * - layout: the same AVL algorithm with one object per node (bench/object-node-avl.ts) against
 *   the struct-of-arrays layout we ship, timed by hand, interleaved, on the same keys.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type * as BintreesModule from 'bintrees';
import type CreateRedBlackTree from 'functional-red-black-tree';
import { OrderedMap } from 'js-sdsl';
import type * as SortedBtreeModule from 'sorted-btree';
import { compare, do_not_optimize, report } from '../../../scripts/bench.js';
import { AvlCursor, AvlTree, NIL } from '../src/index.js';
import { ObjectNodeAvl } from './object-node-avl.js';

const require = createRequire(import.meta.url);
// sorted-btree, functional-red-black-tree and bintrees are CommonJS; require() gives the
// constructors regardless of how the ESM loader wraps `exports.default`
const BTree = (require('sorted-btree') as typeof SortedBtreeModule.default).default;
const createRBTree = require('functional-red-black-tree') as typeof CreateRedBlackTree;
const { RBTree } = require('bintrees') as typeof BintreesModule;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * CPU time this process has used, in nanoseconds. The hand-timed figures use it rather than the
 * wall clock: on a shared machine, time spent waiting for a core is not the structure's cost.
 */
function cpuNanoseconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

// the runner's title filter (`pnpm bench <pattern>`): hand-timed sections it excludes are skipped
const filter = process.argv[2] ? new RegExp(process.argv[2], 'i') : undefined;
const wanted = (...titles: string[]): boolean =>
  !filter || titles.some((title) => filter.test(title));

const N = 1_000_000;
const FRESH = 100_000;
const PROBES = 1000;
const RANGE = 100;

let seed = 0x9e3779b9;
function random(): number {
  // xorshift32: the same keys on every run
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

// distinct non-integer doubles (scores are doubles): N in the structures, FRESH to insert
const unique = new Set<number>();
while (unique.size < N + FRESH) unique.add(Math.floor(random() * 2 ** 40) + 0.5);
const all = Float64Array.from(unique);
const keys = all.subarray(0, N);
const fresh = all.subarray(N);
const probeKeys = new Float64Array(PROBES);
const probeRanks = new Int32Array(PROBES);
for (let index = 0; index < PROBES; index++) {
  probeKeys[index] = keys[Math.floor(random() * N)]!;
  probeRanks[index] = Math.floor(random() * (N - RANGE));
}
const byNumber = (a: number, b: number): number => a - b;

function heapBytes(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function measureMemory<T>(build: () => T): [T, number] {
  const before = heapBytes();
  const structure = build();
  return [structure, (heapBytes() - before) / N];
}

const memory: Record<string, number> = {};
let avl!: AvlTree<number, number>;
[avl, memory['@byor/avl']] = measureMemory(() => {
  const tree = new AvlTree<number, number>(byNumber);
  for (let index = 0; index < N; index++) tree.set(keys[index]!, index);
  return tree;
});
let btree!: InstanceType<typeof BTree<number, number>>;
[btree, memory['sorted-btree']] = measureMemory(() => {
  const tree = new BTree<number, number>(undefined, byNumber);
  for (let index = 0; index < N; index++) tree.set(keys[index]!, index);
  return tree;
});
let sdsl!: OrderedMap<number, number>;
[sdsl, memory['js-sdsl OrderedMap']] = measureMemory(() => {
  const map = new OrderedMap<number, number>([], byNumber);
  for (let index = 0; index < N; index++) map.setElement(keys[index]!, index);
  return map;
});
let sdslIndexed!: OrderedMap<number, number>;
[sdslIndexed, memory['js-sdsl OrderedMap (enableIndex)']] = measureMemory(() => {
  const map = new OrderedMap<number, number>([], byNumber, true);
  for (let index = 0; index < N; index++) map.setElement(keys[index]!, index);
  return map;
});
let frbt!: ReturnType<typeof createRBTree<number, number>>;
[frbt, memory['functional-red-black-tree']] = measureMemory(() => {
  let tree = createRBTree<number, number>(byNumber);
  for (let index = 0; index < N; index++) tree = tree.insert(keys[index]!, index);
  return tree;
});
let bintree!: InstanceType<typeof RBTree<number>>;
[bintree, memory['bintrees RBTree (keys only)']] = measureMemory(() => {
  const tree = new RBTree<number>(byNumber);
  for (let index = 0; index < N; index++) tree.insert(keys[index]!);
  return tree;
});
report('memory per entry, 1M keys', 'bytes', memory);

// ---- insert / delete at 1M keys, timed by hand ----------------------------------------------

interface Churn {
  insert(): void;
  remove(): void;
}
const churns: Record<string, Churn> = {
  '@byor/avl': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) avl.set(fresh[index]!, index);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) avl.delete(fresh[index]!);
    },
  },
  'sorted-btree': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) btree.set(fresh[index]!, index);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) btree.delete(fresh[index]!);
    },
  },
  'js-sdsl OrderedMap': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) sdsl.setElement(fresh[index]!, index);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) sdsl.eraseElementByKey(fresh[index]!);
    },
  },
  'js-sdsl OrderedMap (enableIndex)': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) sdslIndexed.setElement(fresh[index]!, index);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) sdslIndexed.eraseElementByKey(fresh[index]!);
    },
  },
  'functional-red-black-tree': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) frbt = frbt.insert(fresh[index]!, index);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) frbt = frbt.remove(fresh[index]!);
    },
  },
  'bintrees RBTree (keys only)': {
    insert: () => {
      for (let index = 0; index < FRESH; index++) bintree.insert(fresh[index]!);
    },
    remove: () => {
      for (let index = 0; index < FRESH; index++) bintree.remove(fresh[index]!);
    },
  },
};

const ROUNDS = Number(process.env.BYOR_BENCH_ROUNDS ?? 7);
const insertSamples: Record<string, number[]> = {};
const removeSamples: Record<string, number[]> = {};
const churnRounds = wanted('insert 100k fresh keys into 1M keys', 'delete 100k keys from 1.1M keys')
  ? ROUNDS
  : 0;
for (let round = 0; round < churnRounds; round++) {
  for (const [name, churn] of Object.entries(churns)) {
    const start = cpuNanoseconds();
    churn.insert();
    const middle = cpuNanoseconds();
    churn.remove();
    const end = cpuNanoseconds();
    if (round === 0) continue;
    (insertSamples[name] ??= []).push(FRESH / ((middle - start) / 1e9));
    (removeSamples[name] ??= []).push(FRESH / ((end - middle) / 1e9));
  }
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
};
const medians = (samples: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
report('insert 100k fresh keys into 1M keys', 'ops/s', medians(insertSamples), {
  higherIsBetter: true,
});
report('delete 100k keys from 1.1M keys', 'ops/s', medians(removeSamples), {
  higherIsBetter: true,
});

// ---- reads: mitata, and the same functions interleaved ---------------------------------------
//
// The machine these figures come from is shared (2 vCPU, other work running), and mitata times
// one implementation after another: a burst of outside load lands on whichever runs then. So
// each read comparison is also timed round-robin, every implementation once per round, in CPU
// time, and the median of the rounds is reported; the README quotes those.

const interleaved: {
  title: string;
  implementations: Record<string, () => unknown>;
  opsPerCall: number;
}[] = [];

function compareReads(
  title: string,
  implementations: Record<string, () => unknown>,
  opsPerCall: number,
): void {
  compare(title, implementations, { opsPerCall });
  if (!filter || filter.test(title)) interleaved.push({ title, implementations, opsPerCall });
}

compareReads(
  'lookup 1,000 random keys in 1M',
  {
    '@byor/avl': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += avl.get(probeKeys[index]!)!;
      return do_not_optimize(sum);
    },
    'sorted-btree': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += btree.get(probeKeys[index]!)!;
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedMap': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += sdsl.getElementByKey(probeKeys[index]!)!;
      return do_not_optimize(sum);
    },
    'functional-red-black-tree': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += frbt.get(probeKeys[index]!)!;
      return do_not_optimize(sum);
    },
    'bintrees RBTree (keys only)': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += bintree.find(probeKeys[index]!)!;
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

compareReads(
  'rank of 1,000 random keys in 1M',
  {
    '@byor/avl': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += avl.indexOf(probeKeys[index]!);
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedMap (enableIndex)': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        sum += sdslIndexed.find(probeKeys[index]!).index;
      }
      return do_not_optimize(sum);
    },
    'functional-red-black-tree': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += frbt.find(probeKeys[index]!).index;
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

// ours reads ranges through one reusable cursor (an ancestor stack instead of parent climbs)
const cursor = new AvlCursor(avl);

// js-sdsl's select is an O(n) walk, so this comparison does 10 ranges per call (rotating
// through the probes) for every implementation
const RANK_RANGES = 10;
let rankCursor = 0;
const nextRank = (): number => probeRanks[rankCursor++ % PROBES]!;
compareReads(
  'range of 100 from a random rank in 1M',
  {
    '@byor/avl': () => {
      let sum = 0;
      for (let index = 0; index < RANK_RANGES; index++) {
        let node = cursor.seekAt(nextRank());
        for (let step = 0; step < RANGE && node !== NIL; step++) {
          sum += avl.key(node);
          node = cursor.next();
        }
      }
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedMap (enableIndex)': () => {
      let sum = 0;
      for (let index = 0; index < RANK_RANGES; index++) {
        const [key] = sdslIndexed.getElementByPos(nextRank());
        const iterator = sdslIndexed.lowerBound(key);
        for (let step = 0; step < RANGE && iterator.isAccessible(); step++) {
          sum += iterator.pointer[0];
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
    'functional-red-black-tree': () => {
      let sum = 0;
      for (let index = 0; index < RANK_RANGES; index++) {
        const iterator = frbt.at(nextRank());
        for (let step = 0; step < RANGE && iterator.valid; step++) {
          sum += iterator.key!;
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
  },
  RANK_RANGES,
);

compareReads(
  'range of 100 from a random key in 1M',
  {
    '@byor/avl': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const start = avl.lowerBound(probeKeys[index]!);
        if (start === NIL) continue;
        let node = cursor.seek(start);
        for (let step = 0; step < RANGE && node !== NIL; step++) {
          sum += avl.key(node);
          node = cursor.next();
        }
      }
      return do_not_optimize(sum);
    },
    'sorted-btree': () => {
      let sum = 0;
      let remaining = 0;
      for (let index = 0; index < PROBES; index++) {
        remaining = RANGE;
        btree.forRange(probeKeys[index]!, Infinity, false, (key: number) => {
          sum += key;
          if (--remaining === 0) return { break: true };
        });
      }
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedMap': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const iterator = sdsl.lowerBound(probeKeys[index]!);
        for (let step = 0; step < RANGE && iterator.isAccessible(); step++) {
          sum += iterator.pointer[0];
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
    'functional-red-black-tree': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const iterator = frbt.ge(probeKeys[index]!);
        for (let step = 0; step < RANGE && iterator.valid; step++) {
          sum += iterator.key!;
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
    'bintrees RBTree (keys only)': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const iterator = bintree.lowerBound(probeKeys[index]!);
        let key = iterator.data();
        for (let step = 0; step < RANGE && key !== null; step++) {
          sum += key;
          key = iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

for (const { title, implementations, opsPerCall } of interleaved) {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(implementations)) {
      // enough calls for a ~20 ms (CPU time) sample
      let calls = 0;
      const start = cpuNanoseconds();
      let elapsed: number;
      do {
        run();
        calls++;
        elapsed = cpuNanoseconds() - start;
      } while (elapsed < 20e6);
      if (round === 0) continue;
      (samples[name] ??= []).push((calls * opsPerCall) / (elapsed / 1e9));
    }
  }
  report(`${title} (interleaved medians)`, 'ops/s', medians(samples), { higherIsBetter: true });
}

// ---- layout: struct of arrays (shipped) against object nodes (same algorithm) ----------------

const layoutOperations = ['insert', 'remove', 'lookup', 'rank', 'range'] as const;
if (
  wanted(
    'layout: memory per entry, 1M keys',
    ...layoutOperations.map((operation) => `layout: ${operation} at 1M keys`),
  )
) {
  const SHIPPED = '@byor/avl (struct of arrays)';
  const OBJECTS = 'object nodes, same algorithm';
  const layoutMemory: Record<string, number> = {};
  let arrays!: AvlTree<number, number>;
  [arrays, layoutMemory[SHIPPED]] = measureMemory(() => {
    const tree = new AvlTree<number, number>(byNumber);
    for (let index = 0; index < N; index++) tree.set(keys[index]!, index);
    return tree;
  });
  let objects!: ObjectNodeAvl<number, number>;
  [objects, layoutMemory[OBJECTS]] = measureMemory(() => {
    const tree = new ObjectNodeAvl<number, number>(byNumber);
    for (let index = 0; index < N; index++) tree.set(keys[index]!, index);
    return tree;
  });
  const ours = { ours: [SHIPPED] };
  report('layout: memory per entry, 1M keys', 'bytes', layoutMemory, ours);

  type Layout = Record<'insert' | 'remove' | 'lookup' | 'rank' | 'range', () => number>;
  const layouts: Record<string, Layout> = {
    [SHIPPED]: {
      insert: () => {
        for (let index = 0; index < FRESH; index++) arrays.set(fresh[index]!, index);
        return FRESH;
      },
      remove: () => {
        for (let index = 0; index < FRESH; index++) arrays.delete(fresh[index]!);
        return FRESH;
      },
      lookup: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) sum += arrays.get(probeKeys[index]!)!;
        do_not_optimize(sum);
        return PROBES;
      },
      rank: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) sum += arrays.indexOf(probeKeys[index]!);
        do_not_optimize(sum);
        return PROBES;
      },
      range: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) {
          let node = arrays.at(probeRanks[index]!);
          for (let step = 0; step < RANGE && node !== NIL; step++) {
            sum += arrays.key(node);
            node = arrays.next(node);
          }
        }
        do_not_optimize(sum);
        return PROBES;
      },
    },
    [OBJECTS]: {
      insert: () => {
        for (let index = 0; index < FRESH; index++) objects.set(fresh[index]!, index);
        return FRESH;
      },
      remove: () => {
        for (let index = 0; index < FRESH; index++) objects.delete(fresh[index]!);
        return FRESH;
      },
      lookup: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) sum += objects.get(probeKeys[index]!)!;
        do_not_optimize(sum);
        return PROBES;
      },
      rank: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) sum += objects.indexOf(probeKeys[index]!);
        do_not_optimize(sum);
        return PROBES;
      },
      range: () => {
        let sum = 0;
        for (let index = 0; index < PROBES; index++) {
          let node = objects.at(probeRanks[index]!);
          for (let step = 0; step < RANGE && node !== null; step++) {
            sum += node.key;
            node = objects.next(node);
          }
        }
        do_not_optimize(sum);
        return PROBES;
      },
    },
  };
  const rates: Record<string, Record<string, number[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, layout] of Object.entries(layouts)) {
      for (const operation of layoutOperations) {
        const repeats = operation === 'insert' || operation === 'remove' ? 1 : 50;
        const start = cpuNanoseconds();
        let operations = 0;
        for (let repeat = 0; repeat < repeats; repeat++) operations += layout[operation]();
        const seconds = (cpuNanoseconds() - start) / 1e9;
        if (round === 0) continue;
        ((rates[operation] ??= {})[name] ??= []).push(operations / seconds);
      }
    }
  }
  for (const [operation, byLayout] of Object.entries(rates)) {
    report(`layout: ${operation} at 1M keys`, 'ops/s', medians(byLayout), {
      higherIsBetter: true,
      ...ours,
    });
  }
}
