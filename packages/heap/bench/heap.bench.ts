/**
 * @byor/heap against flatqueue, tinyqueue, heap-js and @datastructures-js/priority-queue, in one
 * process on the same data.
 *
 * - push/pop: 1M random keys pushed, then all popped (ops = 2M per call), as (key, value) pairs
 *   (NumericHeap and flatqueue keep keys in arrays; the comparator heaps hold { key, value }
 *   objects) and as bare numbers (the comparator heaps' best case: the item is its own key).
 *   Each call makes a new heap: growth is part of the cost for every implementation.
 * - update / remove: a heap of 100k items, a sequence of 1,000 random items re-keyed or removed
 *   (and pushed back). flatqueue and tinyqueue have neither operation; heap-js has
 *   `remove(item)` (a search through every item with a smaller key, O(n)) and no update
 *   (remove + push stands in); @datastructures-js/priority-queue has `remove(predicate)` (pops
 *   every item and pushes back the rest, O(n log n)) and re-keys through a mutation plus `fix()`
 *   (O(n) heapify). Ours does both through the handle `push` returned, in O(log n). The O(n)
 *   peers run a few operations per call instead of 1,000 (see below), so that the bench
 *   finishes in minutes; the summary's ops/s is per operation for everyone.
 *
 * `pnpm bench` runs this with --expose-gc, so that mitata collects garbage before each benchmark.
 * Without it mitata allocates a 1 GB buffer instead, and the first implementation of the first
 * comparison paid for the garbage of this file's setup (1M pairs, the 100k heaps): 1 s of GC
 * pauses during NumericHeap's run there, against 0.14 s with a collection before it.
 */
import { PriorityQueue } from '@datastructures-js/priority-queue';
import FlatQueue from 'flatqueue';
import { Heap as HeapJs } from 'heap-js';
import TinyQueue from 'tinyqueue';
import { compare, do_not_optimize } from '../../../scripts/bench.js';
import { Heap, NumericHeap, type HeapHandle } from '../src/index.js';

const N = 1_000_000;
let seed = 42;
function random(): number {
  // xorshift32: the same keys on every run
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const keys = new Float64Array(N);
for (let index = 0; index < N; index++) keys[index] = random() * N;
const byNumber = (a: number, b: number): number => a - b;

interface Pair {
  key: number;
  value: number;
}
const pairs: Pair[] = [];
for (let index = 0; index < N; index++) pairs.push({ key: keys[index]!, value: index });
const byPairKey = (a: Pair, b: Pair): number => a.key - b.key;

compare(
  'push/pop 1M (key, value) pairs',
  {
    '@byor/heap NumericHeap': () => {
      const heap = new NumericHeap<number>();
      for (let index = 0; index < N; index++) heap.push(keys[index]!, index);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!;
      return do_not_optimize(sum);
    },
    '@byor/heap Heap': () => {
      const heap = new Heap<Pair>(byPairKey);
      for (let index = 0; index < N; index++) heap.push(pairs[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!.value;
      return do_not_optimize(sum);
    },
    flatqueue: () => {
      const queue = new FlatQueue<number>();
      for (let index = 0; index < N; index++) queue.push(index, keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!;
      return do_not_optimize(sum);
    },
    tinyqueue: () => {
      const queue = new TinyQueue<Pair>([], byPairKey);
      for (let index = 0; index < N; index++) queue.push(pairs[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!.value;
      return do_not_optimize(sum);
    },
    'heap-js': () => {
      const heap = new HeapJs<Pair>(byPairKey);
      for (let index = 0; index < N; index++) heap.push(pairs[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!.value;
      return do_not_optimize(sum);
    },
    '@datastructures-js/priority-queue': () => {
      const queue = new PriorityQueue<Pair>(byPairKey);
      for (let index = 0; index < N; index++) queue.push(pairs[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!.value;
      return do_not_optimize(sum);
    },
  },
  { opsPerCall: 2 * N },
);

compare(
  'push/pop 1M bare numbers',
  {
    '@byor/heap NumericHeap': () => {
      const heap = new NumericHeap<undefined>();
      for (let index = 0; index < N; index++) heap.push(keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.popKey()!;
      return do_not_optimize(sum);
    },
    '@byor/heap Heap': () => {
      const heap = new Heap<number>(byNumber);
      for (let index = 0; index < N; index++) heap.push(keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!;
      return do_not_optimize(sum);
    },
    flatqueue: () => {
      const queue = new FlatQueue<number>();
      for (let index = 0; index < N; index++) queue.push(keys[index]!, keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!;
      return do_not_optimize(sum);
    },
    tinyqueue: () => {
      const queue = new TinyQueue<number>([], byNumber);
      for (let index = 0; index < N; index++) queue.push(keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!;
      return do_not_optimize(sum);
    },
    'heap-js': () => {
      const heap = new HeapJs<number>(byNumber);
      for (let index = 0; index < N; index++) heap.push(keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!;
      return do_not_optimize(sum);
    },
    '@datastructures-js/priority-queue': () => {
      const queue = new PriorityQueue<number>(byNumber);
      for (let index = 0; index < N; index++) queue.push(keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!;
      return do_not_optimize(sum);
    },
  },
  { opsPerCall: 2 * N },
);

// The handle index is built by the first lookup; from then on every sift step keeps it. This
// is the cost of push/pop in a heap that is also updated or removed from (timers, TTLs).
compare(
  'push/pop 1M (key, value) pairs, handle index on',
  {
    '@byor/heap NumericHeap': () => {
      const heap = new NumericHeap<number>();
      heap.has(heap.push(0, 0)); // builds the index
      heap.pop();
      for (let index = 0; index < N; index++) heap.push(keys[index]!, index);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += heap.pop()!;
      return do_not_optimize(sum);
    },
    flatqueue: () => {
      const queue = new FlatQueue<number>();
      for (let index = 0; index < N; index++) queue.push(index, keys[index]!);
      let sum = 0;
      for (let index = 0; index < N; index++) sum += queue.pop()!;
      return do_not_optimize(sum);
    },
  },
  { opsPerCall: 2 * N },
);

// update / remove: 100k items and one sequence of 1,000 operations on random items. Ours run the
// whole sequence in each call. The O(n)-per-operation peers would take minutes per call that
// way, so each of their calls runs the next few operations of the same sequence (cycling
// through it: over a run they see the same operations); ops/s counts operations, not calls.
const M = 100_000;
const OPERATIONS = 1_000;
interface Item {
  id: number;
  key: number;
}
const byKey = (a: Item, b: Item): number => a.key - b.key;
const victims = new Int32Array(OPERATIONS);
for (let index = 0; index < OPERATIONS; index++) victims[index] = Math.floor(random() * M);
const newKeys = new Float64Array(OPERATIONS);
for (let index = 0; index < OPERATIONS; index++) newKeys[index] = random() * M;

/** Runs the next `count` operations of the sequence per call (by index), cycling through it. */
function slice(count: number): (operation: (index: number) => void) => void {
  let next = 0;
  return (operation) => {
    for (let done = 0; done < count; done++) {
      operation(next);
      next = next + 1 === OPERATIONS ? 0 : next + 1;
    }
  };
}

// Operations per call of the O(n) peers (a call of about 0.1-0.3 s on the reference machine).
const HEAP_JS_OPERATIONS = 4; // remove: a breadth-first search of every smaller item, ~50 ms
const FIX_OPERATIONS = 50; // fix(): a heapify of all 100k items, ~1 ms
const PQ_REMOVE_OPERATIONS = 2; // remove(predicate): pops all 100k items and pushes back the rest

// Prebuilt heaps; each call undoes its own changes so every call sees the same heap.
const numeric = new NumericHeap<number>();
const numericHandles: HeapHandle[] = [];
const general = new Heap<Item>(byKey);
const generalHandles: HeapHandle[] = [];
const items: Item[] = [];
const heapJs = new HeapJs<Item>(byKey);
const priorityQueue = new PriorityQueue<Item>(byKey);
for (let index = 0; index < M; index++) {
  const item = { id: index, key: keys[index]! };
  items.push(item);
  numericHandles.push(numeric.push(item.key, index));
  generalHandles.push(general.push(item));
  heapJs.push(item);
  priorityQueue.push(item);
}

const heapJsUpdates = slice(HEAP_JS_OPERATIONS);
const fixUpdates = slice(FIX_OPERATIONS);
compare(
  'update keys in a 100k heap',
  {
    // 1,000 updates to new keys, then 1,000 back to the old ones: 2,000 per call.
    '@byor/heap NumericHeap': () => {
      for (let index = 0; index < OPERATIONS; index++) {
        numeric.update(numericHandles[victims[index]!]!, newKeys[index]!);
      }
      for (let index = OPERATIONS - 1; index >= 0; index--) {
        const victim = victims[index]!;
        numeric.update(numericHandles[victim]!, items[victim]!.key);
      }
      return do_not_optimize(numeric.peekKey());
    },
    '@byor/heap Heap': () => {
      for (let index = 0; index < OPERATIONS; index++) {
        const victim = victims[index]!;
        general.update(generalHandles[victim]!, { id: victim, key: newKeys[index]! });
      }
      for (let index = OPERATIONS - 1; index >= 0; index--) {
        const victim = victims[index]!;
        general.update(generalHandles[victim]!, items[victim]!);
      }
      return do_not_optimize(general.peek());
    },
    // No update: remove + push of the same item stands in (the key unchanged).
    'heap-js (remove + push)': () => {
      heapJsUpdates((index) => {
        const victim = items[victims[index]!]!;
        if (heapJs.remove(victim)) heapJs.push(victim);
      });
      return do_not_optimize(heapJs.peek());
    },
    // Each update mutates the key and calls fix(); as ours, the call then puts every key back
    // the same way (mutate + fix() each).
    '@datastructures-js/priority-queue (fix)': () => {
      const touched: Item[] = [];
      fixUpdates((index) => {
        const victim = items[victims[index]!]!;
        victim.key = newKeys[index]!;
        priorityQueue.fix();
        touched.push(victim);
      });
      for (let index = touched.length - 1; index >= 0; index--) {
        const victim = touched[index]!;
        victim.key = keys[victim.id]!;
        priorityQueue.fix();
      }
      return do_not_optimize(priorityQueue.front());
    },
  },
  {
    opsPerCall: 2 * OPERATIONS,
    opsPerCallOf: {
      'heap-js (remove + push)': HEAP_JS_OPERATIONS,
      '@datastructures-js/priority-queue (fix)': 2 * FIX_OPERATIONS,
    },
  },
);

const heapJsRemoves = slice(HEAP_JS_OPERATIONS);
const pqRemoves = slice(PQ_REMOVE_OPERATIONS);
compare(
  'remove (and push back) items of a 100k heap',
  {
    '@byor/heap NumericHeap': () => {
      for (let index = 0; index < OPERATIONS; index++) {
        const victim = victims[index]!;
        if (numeric.remove(numericHandles[victim]!)) {
          numericHandles[victim] = numeric.push(items[victim]!.key, victim);
        }
      }
      return do_not_optimize(numeric.size);
    },
    '@byor/heap Heap': () => {
      for (let index = 0; index < OPERATIONS; index++) {
        const victim = victims[index]!;
        if (general.remove(generalHandles[victim]!)) {
          generalHandles[victim] = general.push(items[victim]!);
        }
      }
      return do_not_optimize(general.size);
    },
    'heap-js': () => {
      heapJsRemoves((index) => {
        const victim = items[victims[index]!]!;
        if (heapJs.remove(victim)) heapJs.push(victim);
      });
      return do_not_optimize(heapJs.size());
    },
    '@datastructures-js/priority-queue': () => {
      pqRemoves((index) => {
        const victim = items[victims[index]!]!;
        if (priorityQueue.remove((item) => item === victim).length > 0) priorityQueue.push(victim);
      });
      return do_not_optimize(priorityQueue.size());
    },
  },
  {
    opsPerCall: OPERATIONS,
    opsPerCallOf: {
      'heap-js': HEAP_JS_OPERATIONS,
      '@datastructures-js/priority-queue': PQ_REMOVE_OPERATIONS,
    },
  },
);
