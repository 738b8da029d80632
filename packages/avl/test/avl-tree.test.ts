import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvlCursor, AvlInvalidNodeError, AvlTree, NIL, naturalOrder } from '../src/index.js';

/** The dumb reference: a sorted array of [key, value] with binary search. */
class SortedArrayModel<V> {
  readonly entries: [number, V][] = [];

  /** index of the first entry with key >= `key` */
  lowerBound(key: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]![0] < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  upperBound(key: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]![0] <= key) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  indexOf(key: number): number {
    const index = this.lowerBound(key);
    return this.entries[index]?.[0] === key ? index : -1;
  }

  set(key: number, value: V): void {
    const index = this.lowerBound(key);
    if (this.entries[index]?.[0] === key) this.entries[index][1] = value;
    else this.entries.splice(index, 0, [key, value]);
  }

  delete(key: number): boolean {
    const index = this.indexOf(key);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }
}

/** Height computed from the structure, iteratively (the tree may be deep). */
function measureHeight(tree: AvlTree<number, unknown>): number {
  let height = 0;
  const stack: [number, number][] = tree.root === NIL ? [] : [[tree.root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    height = Math.max(height, depth);
    if (tree.left(node) !== NIL) stack.push([tree.left(node), depth + 1]);
    if (tree.right(node) !== NIL) stack.push([tree.right(node), depth + 1]);
  }
  return height;
}

function keysOf(tree: AvlTree<number, unknown>): number[] {
  return [...tree.keys()];
}

describe('AvlTree edge cases', () => {
  it('does what the README example says', () => {
    const byScore = new AvlTree<number, string>();
    byScore.set(30, 'ann');
    byScore.set(10, 'bob');
    byScore.set(20, 'cid');
    byScore.set(40, 'dee');
    expect(byScore.indexOf(30)).toBe(2);
    expect(byScore.value(byScore.at(-1))).toBe('dee');
    expect(byScore.countBelow(25)).toBe(2);
    const node = byScore.lowerBound(15);
    expect(byScore.key(node)).toBe(20);
    expect(byScore.key(byScore.offset(node, 2))).toBe(40);
    const cursor = new AvlCursor(byScore);
    const seen: string[] = [];
    for (let n = cursor.seek(node); n !== NIL; n = cursor.next()) seen.push(byScore.value(n));
    expect(seen).toEqual(['cid', 'ann', 'dee']);
  });

  it('answers every query on an empty tree with NIL or the end position', () => {
    const tree = new AvlTree<number>();
    expect([
      tree.size,
      tree.root,
      tree.first(),
      tree.last(),
      tree.at(0),
      tree.at(-1),
      tree.find(1),
      tree.lowerBound(1),
      tree.upperBound(1),
      tree.next(NIL),
      tree.prev(NIL),
      tree.rank(NIL),
      tree.offset(NIL, -1),
      tree.offset(NIL, 0),
      tree.subtreeSize(NIL),
    ]).toEqual([0, NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL, 0, NIL, NIL, 0]);
    expect(tree.delete(1)).toBe(false);
    expect(tree.get(1)).toBeUndefined();
    expect([...tree]).toEqual([]);
    tree.checkInvariants();
  });

  const bounds: [number, number | undefined, number | undefined, number | undefined][] = [
    // probe, key of lowerBound, key of upperBound, key of prev(upperBound) (floor)
    [5, 10, 10, undefined],
    [10, 10, 20, 10],
    [15, 20, 20, 10],
    [20, 20, 30, 20],
    [30, 30, undefined, 30],
    [35, undefined, undefined, 30],
  ];
  it.each(bounds)('bounds of %d in {10, 20, 30}', (probe, lower, upper, floor) => {
    const tree = new AvlTree<number>();
    for (const key of [20, 10, 30]) tree.set(key);
    const keyOrUndefined = (node: number) => (node === NIL ? undefined : tree.key(node));
    expect(keyOrUndefined(tree.lowerBound(probe))).toBe(lower);
    expect(keyOrUndefined(tree.upperBound(probe))).toBe(upper);
    expect(keyOrUndefined(tree.prev(tree.upperBound(probe)))).toBe(floor);
  });

  const offsets: [number, number, number | undefined][] = [
    // start rank, k, key at the result (keys are 0..9)
    [0, 0, 0],
    [0, 9, 9],
    [0, 10, undefined],
    [9, -9, 0],
    [9, -10, undefined],
    [4, 3, 7],
    [4, -4, 0],
    [4, 0.5, undefined],
  ];
  it.each(offsets)('offset(at(%d), %d) in 0..9', (start, k, expected) => {
    const tree = new AvlTree<number>();
    for (let key = 0; key < 10; key++) tree.set(key);
    const node = tree.offset(tree.at(start), k);
    expect(node === NIL ? undefined : tree.key(node)).toBe(expected);
  });

  const counts: [number, number, number, number][] = [
    // probe, indexOf, countBelow, countBelow inclusive (keys 10, 20, 30)
    [5, -1, 0, 0],
    [10, 0, 0, 1],
    [15, -1, 1, 1],
    [20, 1, 1, 2],
    [30, 2, 2, 3],
    [31, -1, 3, 3],
  ];
  it.each(counts)('indexOf and countBelow of %d in {10, 20, 30}', (probe, index, below, atMost) => {
    const tree = new AvlTree<number>();
    for (const key of [30, 10, 20]) tree.set(key);
    expect([tree.indexOf(probe), tree.countBelow(probe), tree.countBelow(probe, true)]).toEqual([
      index,
      below,
      atMost,
    ]);
  });

  it('treats NIL as the end position', () => {
    const tree = new AvlTree<number, string>();
    tree.set(1, 'a');
    tree.set(2, 'b');
    expect(tree.key(tree.next(NIL))).toBe(1);
    expect(tree.key(tree.prev(NIL))).toBe(2);
    expect(tree.next(tree.last())).toBe(NIL);
    expect(tree.prev(tree.first())).toBe(NIL);
    expect(tree.rank(NIL)).toBe(2);
    expect(tree.key(tree.offset(NIL, -2))).toBe(1);
    expect(tree.offset(NIL, -3)).toBe(NIL);
    expect(tree.offset(NIL, 1)).toBe(NIL);
  });

  it('at() takes negative indexes from the end and rejects fractions out of range', () => {
    const tree = new AvlTree<number>();
    for (const key of [3, 1, 2]) tree.set(key);
    expect(
      [tree.at(0), tree.at(1), tree.at(2), tree.at(-1), tree.at(-3)].map((n) => tree.key(n)),
    ).toEqual([1, 2, 3, 3, 1]);
    expect([tree.at(3), tree.at(-4), tree.at(Number.NaN)]).toEqual([NIL, NIL, NIL]);
  });

  it('set replaces, insert refuses duplicates', () => {
    const tree = new AvlTree<string, number>();
    const node = tree.set('a', 1);
    expect(tree.set('a', 2)).toBe(node);
    expect(tree.get('a')).toBe(2);
    expect(tree.insert('a', 3)).toBe(NIL);
    expect(tree.get('a')).toBe(2);
    expect(tree.insert('b', 4)).not.toBe(NIL);
    expect([...tree]).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
    tree.setValue(node, 9);
    expect(tree.value(node)).toBe(9);
  });

  it('keeps every other handle valid when deleting a node with two children', () => {
    const tree = new AvlTree<number, string>();
    const handles = new Map<number, number>();
    for (let key = 0; key < 64; key++) handles.set(key, tree.set(key, `v${key}`));
    for (const key of [31, 15, 47, 0, 63, 32]) {
      expect(tree.delete(key)).toBe(true);
      handles.delete(key);
      tree.checkInvariants();
      for (const [other, node] of handles) {
        expect(tree.key(node)).toBe(other);
        expect(tree.value(node)).toBe(`v${other}`);
      }
    }
  });

  it('reuses freed slots and releases non-number keys', () => {
    const tree = new AvlTree<string>();
    const a = tree.set('a');
    tree.set('b');
    tree.deleteNode(a);
    expect(tree.isLive(a)).toBe(false);
    expect(tree.key(a)).toBeUndefined();
    const c = tree.set('c');
    expect(c).toBe(a);
    expect(keysOf(tree as unknown as AvlTree<number>)).toEqual(['b', 'c']);
    tree.checkInvariants();
  });

  it('rejects stale and foreign handles in mutating methods', () => {
    const tree = new AvlTree<number>();
    const node = tree.set(1);
    tree.deleteNode(node);
    for (const call of [
      () => tree.deleteNode(node),
      () => tree.setValue(node, undefined),
      () => tree.rank(node),
      () => tree.offset(node, 1),
      () => tree.insertBefore(node, 5),
      () => tree.deleteNode(NIL),
      () => tree.deleteNode(999),
      () => [...tree.nodes(node)],
    ]) {
      expect(call).toThrow(AvlInvalidNodeError);
    }
    const thrown = (() => {
      try {
        tree.deleteNode(node);
      } catch (error) {
        return error;
      }
    })();
    expect(AvlInvalidNodeError.isInstance(thrown)).toBe(true);
    expect((thrown as AvlInvalidNodeError).code).toBe('BYOR_AVL_INVALID_NODE');
    expect((thrown as AvlInvalidNodeError).node).toBe(node);
  });

  it('uses the comparator it is given', () => {
    const tree = new AvlTree<string, number>((a, b) => naturalOrder(b, a));
    for (const [index, key] of ['b', 'c', 'a', 'd'].entries()) tree.set(key, index);
    expect([...tree.keys()]).toEqual(['d', 'c', 'b', 'a']);
    expect(tree.key(tree.lowerBound('bb'))).toBe('b');
    tree.checkInvariants();
  });

  it('iterates forward and backward from any node, and visits without allocating', () => {
    const tree = new AvlTree<number, number>();
    for (let key = 0; key < 20; key++) tree.set(key, key * key);
    expect([...tree.keys(tree.find(15))]).toEqual([15, 16, 17, 18, 19]);
    expect([...tree.keys(tree.find(3), true)]).toEqual([3, 2, 1, 0]);
    expect([...tree.values(tree.find(18))]).toEqual([324, 361]);
    expect([...tree.entries(tree.find(19), true)].slice(0, 2)).toEqual([
      [19, 361],
      [18, 324],
    ]);
    const seen: number[] = [];
    const calls = tree.forEach((key) => {
      seen.push(key);
      return key < 12;
    }, tree.find(10));
    expect(seen).toEqual([10, 11, 12]);
    expect(calls).toBe(3);
    const backward: number[] = [];
    tree.forEach((key) => void backward.push(key), NIL, true);
    expect(backward).toEqual([...Array(20).keys()].reverse());
  });

  it('reads ranges with a cursor, either way, from a node, a rank or an end', () => {
    const tree = new AvlTree<number, number>();
    for (let key = 0; key < 50; key++) tree.set(key, key * 2);
    const cursor = new AvlCursor(tree);
    const take = (first: number, count: number) => {
      const seen: number[] = [];
      for (let node = first; node !== NIL && seen.length < count; node = cursor.next()) {
        expect(cursor.node).toBe(node);
        seen.push(tree.key(node));
      }
      return seen;
    };
    expect(take(cursor.seek(NIL), 3)).toEqual([0, 1, 2]);
    expect(cursor.reverse).toBe(false);
    expect(take(cursor.seek(NIL, true), 3)).toEqual([49, 48, 47]);
    expect(cursor.reverse).toBe(true);
    expect(take(cursor.seek(tree.find(47)), 10)).toEqual([47, 48, 49]);
    expect([cursor.next(), cursor.next(), cursor.node]).toEqual([NIL, NIL, NIL]);
    expect(take(cursor.seek(tree.find(2), true), 10)).toEqual([2, 1, 0]);
    expect(take(cursor.seekAt(10), Infinity)).toEqual([...Array(40).keys()].map((k) => k + 10));
    expect(take(cursor.seekAt(-1, true), 2)).toEqual([49, 48]);
    expect(take(cursor.seekAt(-3), 5)).toEqual([47, 48, 49]);
    expect(take(cursor.seekAt(7, true), 3)).toEqual([7, 6, 5]);
    expect([cursor.seekAt(50), cursor.node, cursor.seekAt(-51), cursor.seekAt(Number.NaN)]).toEqual(
      [NIL, NIL, NIL, NIL],
    );
    // two cursors on one tree are independent
    const other = new AvlCursor(tree);
    cursor.seekAt(10);
    other.seekAt(40, true);
    expect(
      [cursor.next(), other.next(), cursor.next(), other.next()].map((n) => tree.key(n)),
    ).toEqual([11, 39, 12, 38]);
    expect(new AvlCursor(new AvlTree<number>()).seek(NIL)).toBe(NIL);
    const stale = tree.find(3);
    tree.deleteNode(stale);
    expect(() => cursor.seek(stale)).toThrow(AvlInvalidNodeError);
  });

  it('allows deleting the node just yielded while iterating', () => {
    const tree = new AvlTree<number>();
    for (let key = 0; key < 100; key++) tree.set(key);
    for (const node of tree.nodes()) if (tree.key(node) % 3 !== 0) tree.deleteNode(node);
    tree.forEach((key, _value, node) => {
      if (key % 2 === 0) tree.deleteNode(node);
    });
    tree.checkInvariants();
    expect(keysOf(tree)).toEqual([...Array(100).keys()].filter((k) => k % 3 === 0 && k % 2 !== 0));
  });

  it('insertBefore places entries by position, trusting the caller', () => {
    const tree = new AvlTree<number>();
    tree.insertBefore(NIL, 50);
    tree.insertBefore(tree.find(50), 10);
    tree.insertBefore(NIL, 90);
    tree.insertBefore(tree.find(50), 30);
    tree.insertBefore(tree.first(), 5);
    for (let key = 60; key < 90; key++) tree.insertBefore(tree.find(90), key);
    expect(keysOf(tree)).toEqual([
      5,
      10,
      30,
      50,
      ...Array.from({ length: 30 }, (_, i) => 60 + i),
      90,
    ]);
    tree.checkInvariants();
  });

  it('stays within the AVL height bound on sorted input, with no recursion', () => {
    const tree = new AvlTree<number>(naturalOrder, { capacity: 1 });
    const count = 200_000;
    for (let key = 0; key < count; key++) tree.set(key);
    tree.checkInvariants();
    const height = measureHeight(tree);
    expect(height).toBeLessThanOrEqual(Math.floor(1.4405 * Math.log2(count + 2)));
    expect(height).toBeGreaterThanOrEqual(Math.ceil(Math.log2(count + 1)));
    for (let key = count - 1; key >= 0; key -= 2) tree.delete(key);
    tree.checkInvariants();
    expect(tree.size).toBe(count / 2);
    expect(tree.key(tree.at(1234))).toBe(2468);
    expect(tree.rank(tree.find(2468))).toBe(1234);
  });

  it('clear() empties the tree and keeps it usable', () => {
    const tree = new AvlTree<number>();
    for (let key = 0; key < 100; key++) tree.set(key);
    tree.clear();
    tree.checkInvariants();
    expect([tree.size, tree.root, tree.first()]).toEqual([0, NIL, NIL]);
    tree.set(7);
    expect(keysOf(tree)).toEqual([7]);
    tree.checkInvariants();
  });

  it('checkInvariants fails on a comparator that changed under the tree', () => {
    let flip = false;
    const tree = new AvlTree<number>((a, b) => (flip ? b - a : a - b));
    for (let key = 0; key < 10; key++) tree.set(key);
    tree.checkInvariants();
    flip = true;
    expect(() => tree.checkInvariants()).toThrow(/out of order/);
  });
});

type Operation =
  | { type: 'set'; key: number; value: number }
  | { type: 'insert'; key: number; value: number }
  | { type: 'delete'; key: number }
  | { type: 'deleteAt'; index: number }
  | { type: 'insertBefore'; key: number; value: number }
  | { type: 'query'; key: number }
  | { type: 'position'; index: number; k: number; length: number; reverse: boolean };

const keyArbitrary = fc.integer({ min: -40, max: 40 });
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('set' as const),
      key: keyArbitrary,
      value: fc.integer(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('insert' as const),
      key: keyArbitrary,
      value: fc.integer(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('delete' as const), key: keyArbitrary }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('deleteAt' as const), index: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('insertBefore' as const),
      key: keyArbitrary,
      value: fc.integer(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('query' as const), key: keyArbitrary }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('position' as const),
      index: fc.integer({ min: -100, max: 100 }),
      k: fc.integer({ min: -100, max: 100 }),
      length: fc.nat({ max: 12 }),
      reverse: fc.boolean(),
    }),
  },
);

function applyAndCompare(
  tree: AvlTree<number, number>,
  model: SortedArrayModel<number>,
  operation: Operation,
): void {
  const entries = model.entries;
  const keyAt = (node: number) => (node === NIL ? undefined : tree.key(node));
  switch (operation.type) {
    case 'set': {
      const node = tree.set(operation.key, operation.value);
      model.set(operation.key, operation.value);
      expect([tree.key(node), tree.value(node)]).toEqual([operation.key, operation.value]);
      break;
    }
    case 'insert': {
      const present = model.indexOf(operation.key) >= 0;
      const node = tree.insert(operation.key, operation.value);
      if (present) {
        expect(node).toBe(NIL);
      } else {
        model.set(operation.key, operation.value);
        expect(tree.value(node)).toBe(operation.value);
      }
      break;
    }
    case 'delete':
      expect(tree.delete(operation.key)).toBe(model.delete(operation.key));
      break;
    case 'deleteAt': {
      if (entries.length === 0) break;
      const index = operation.index % entries.length;
      const node = tree.at(index);
      expect(tree.key(node)).toBe(entries[index]![0]);
      tree.deleteNode(node);
      entries.splice(index, 1);
      break;
    }
    case 'insertBefore': {
      if (model.indexOf(operation.key) >= 0) break;
      const node = tree.insertBefore(
        tree.lowerBound(operation.key),
        operation.key,
        operation.value,
      );
      model.set(operation.key, operation.value);
      expect(tree.rank(node)).toBe(model.indexOf(operation.key));
      break;
    }
    case 'query': {
      const index = model.indexOf(operation.key);
      expect(tree.has(operation.key)).toBe(index >= 0);
      expect(tree.get(operation.key)).toBe(index >= 0 ? entries[index]![1] : undefined);
      if (index >= 0) expect(tree.rank(tree.find(operation.key))).toBe(index);
      expect(tree.indexOf(operation.key)).toBe(index);
      expect(tree.countBelow(operation.key)).toBe(model.lowerBound(operation.key));
      expect(tree.countBelow(operation.key, true)).toBe(model.upperBound(operation.key));
      expect(keyAt(tree.lowerBound(operation.key))).toBe(
        entries[model.lowerBound(operation.key)]?.[0],
      );
      expect(keyAt(tree.upperBound(operation.key))).toBe(
        entries[model.upperBound(operation.key)]?.[0],
      );
      break;
    }
    case 'position': {
      const size = entries.length;
      const node = tree.at(operation.index);
      const index = operation.index < 0 ? operation.index + size : operation.index;
      expect(keyAt(node)).toBe(entries[index]?.[0]);
      if (node === NIL) break;
      expect(tree.rank(node)).toBe(index);
      expect(keyAt(tree.offset(node, operation.k))).toBe(entries[index + operation.k]?.[0]);
      expect(keyAt(operation.reverse ? tree.prev(node) : tree.next(node))).toBe(
        entries[index + (operation.reverse ? -1 : 1)]?.[0],
      );
      const walked: number[] = [];
      tree.forEach(
        (key) => {
          walked.push(key);
          return walked.length < operation.length;
        },
        node,
        operation.reverse,
      );
      const cursor = new AvlCursor(tree);
      const cursorKeys: number[] = [];
      const first =
        operation.k % 2 === 0
          ? cursor.seek(node, operation.reverse)
          : cursor.seekAt(index, operation.reverse);
      for (let n = first; n !== NIL && cursorKeys.length < operation.length; n = cursor.next()) {
        cursorKeys.push(tree.key(n));
      }
      const cursorExpected = operation.reverse
        ? entries.slice(Math.max(0, index - operation.length + 1), index + 1).reverse()
        : entries.slice(index, index + operation.length);
      expect(cursorKeys).toEqual(cursorExpected.map(([key]) => key));
      const limit = Math.max(1, operation.length);
      const expected = operation.reverse
        ? entries.slice(Math.max(0, index - limit + 1), index + 1).reverse()
        : entries.slice(index, index + limit);
      expect(walked).toEqual(expected.map(([key]) => key));
      break;
    }
  }
  expect(tree.size).toBe(entries.length);
}

describe('AvlTree against a sorted-array model', () => {
  it('matches the model and keeps its invariants after every operation', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary, { maxLength: 400, size: 'max' }),
        fc.nat({ max: 16 }),
        (operations, capacity) => {
          const tree = new AvlTree<number, number>(naturalOrder, { capacity });
          const model = new SortedArrayModel<number>();
          for (const operation of operations) {
            applyAndCompare(tree, model, operation);
            tree.checkInvariants();
          }
          expect([...tree]).toEqual(model.entries);
          expect([...tree.keys(NIL, true)]).toEqual(model.entries.map(([key]) => key).reverse());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives heavy insert/delete churn with invariants checked along the way', () => {
    // deterministic xorshift so that a failure reproduces
    let state = 0x2545f491;
    const random = (limit: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % limit;
    };
    const tree = new AvlTree<number, number>();
    const model = new SortedArrayModel<number>();
    for (let step = 0; step < 200_000; step++) {
      const key = random(4000);
      // grow for a while, then shrink, then grow again: the tree passes through many shapes
      const phase = Math.floor(step / 50_000) % 2;
      if (random(10) < (phase === 0 ? 6 : 4)) {
        tree.set(key, step);
        model.set(key, step);
      } else if (random(2) === 0) {
        expect(tree.delete(key)).toBe(model.delete(key));
      } else if (model.entries.length > 0) {
        const index = random(model.entries.length);
        tree.deleteNode(tree.at(index));
        model.entries.splice(index, 1);
      }
      if (step % 5000 === 0) {
        tree.checkInvariants();
        expect(tree.size).toBe(model.entries.length);
      }
    }
    tree.checkInvariants();
    expect([...tree]).toEqual(model.entries);
    for (let index = 0; index < model.entries.length; index += 97) {
      expect(tree.rank(tree.find(model.entries[index]![0]))).toBe(index);
    }
  });
});
