/**
 * The "skiplist" encoding (the name Redis's OBJECT ENCODING reports for it): the book's
 * pairing of an order-statistic AVL tree, ordered by (score, member), with a hashtable from
 * member to tree node. Score lookups are O(1) through the index; ranks, counts and range
 * starts are O(log n) descents that use subtree sizes; range walks are O(1) per entry.
 *
 * The tree stores members as keys and scores as values, and this file runs its own descents
 * over (score, member), as the book's zset does: the tree's comparator is only consulted by
 * `checkInvariants()`.
 *
 * @internal
 */
import { AvlCursor, AvlInvariantError, AvlTree, NIL } from '@byor/avl';
import { HashTable, HashTableInvariantError } from '@byor/hashtable';
import { SortedSetInvariantError } from './errors.js';
import type { LexBound, ScoreBound } from './bounds.js';
import {
  comparePairs,
  firstInLexRange,
  lastInLexRange,
  type Store,
  type Visitor,
} from './store.js';

/** Below this many entries, LIMIT's offset is walked; above, avl_offset jumps in O(log n). */
const WALK_OFFSET = 32;

export class TreeStore implements Store {
  /** the skiplist's lex ranges find their ends by a descent */
  readonly scansLex = false;
  /** member -> node of the tree */
  readonly #index = new HashTable<number>();
  readonly #tree: AvlTree<string, number>;
  /** walks every range read; ranges read from inside a visitor get their own */
  readonly #cursor: AvlCursor<string, number>;
  #cursorBusy = false;
  /**
   * The member `score()` found last and its node: ZADD's `update()` right after it skips the
   * second lookup. Checked on use, not invalidated: a node names its member until deleted, and a
   * node deleted and taken again names another member (or the same one, correctly).
   */
  #lastMember: string | undefined = undefined;
  #lastNode = NIL;
  /** The last node before the bound the last #lowerBound found (NIL: none). */
  #beforeBound = NIL;

  constructor(capacity: number) {
    const index = this.#index;
    // only checkInvariants() compares keys; the scores come from the nodes through the index
    const tree: AvlTree<string, number> = new AvlTree<string, number>(
      (a, b) => comparePairs(tree.value(index.get(a)!), a, tree.value(index.get(b)!), b),
      { capacity },
    );
    this.#tree = tree;
    this.#cursor = new AvlCursor(tree);
  }

  get size(): number {
    return this.#tree.size;
  }

  score(member: string): number | undefined {
    const node = this.#index.get(member);
    if (node === undefined) return undefined;
    this.#lastMember = member;
    this.#lastNode = node;
    return this.#tree.value(node);
  }

  /** The node of a present `member`. O(1). */
  #nodeOf(member: string): number {
    const node = this.#lastNode;
    const tree = this.#tree;
    if (member === this.#lastMember && tree.isLive(node) && tree.key(node) === member) return node;
    return this.#index.get(member)!;
  }

  insert(member: string, score: number): void {
    const tree = this.#tree;
    const node = tree.insertBefore(this.#lowerBound(score, member), member, score);
    this.#index.set(member, node);
  }

  /** Adds a member that sorts after every present one (building from sorted input). */
  append(member: string, score: number): void {
    this.#index.set(member, this.#tree.insertBefore(NIL, member, score));
  }

  update(member: string, _oldScore: number, newScore: number): void {
    const tree = this.#tree;
    const node = this.#nodeOf(member);
    // Redis's zslUpdateScore: when the new score keeps the node between its neighbours, change
    // it in place; otherwise remove and insert again. One descent, with the node still in the
    // tree, finds both the first node at or after (newScore, member) and the last one before it:
    // the node stays exactly when it is one of the two, and otherwise the first is where it
    // goes (not the node itself, so still live after the delete). No neighbour walks.
    const after = this.#lowerBound(newScore, member);
    const before = this.#beforeBound;
    if (after === node || before === node) {
      tree.setValue(node, newScore);
      return;
    }
    // the member string the tree holds goes back in, not the caller's equal one: a server's
    // argument then dies young instead of being kept (and copied by the next collection)
    const kept = tree.key(node);
    tree.deleteNode(node);
    const moved = tree.insertBefore(after, kept, newScore);
    // the node just freed is the one taken again (a free list): the index names it already
    if (moved !== node) this.#index.set(kept, moved);
  }

  remove(member: string): boolean {
    const node = this.#index.get(member);
    if (node === undefined) return false;
    this.#index.delete(member);
    this.#tree.deleteNode(node);
    return true;
  }

  rank(member: string): number {
    const node = this.#index.get(member);
    return node === undefined ? -1 : this.#tree.rank(node);
  }

  /** The first node >= (score, member), or NIL; the last node before it in #beforeBound. */
  #lowerBound(score: number, member: string): number {
    const tree = this.#tree;
    let node = tree.root;
    let found = NIL;
    let before = NIL;
    while (node !== NIL) {
      const value = tree.value(node);
      if (score < value || (score === value && member <= tree.key(node))) {
        found = node;
        node = tree.left(node);
      } else {
        before = node;
        node = tree.right(node);
      }
    }
    this.#beforeBound = before;
    return found;
  }

  countScoreBelow(score: number, inclusive: boolean): number {
    const tree = this.#tree;
    let node = tree.root;
    let count = 0;
    while (node !== NIL) {
      const value = tree.value(node);
      if (value < score || (inclusive && value === score)) {
        count += tree.subtreeSize(tree.left(node)) + 1;
        node = tree.right(node);
      } else {
        node = tree.left(node);
      }
    }
    return count;
  }

  countMemberBelow(member: string, inclusive: boolean): number {
    const tree = this.#tree;
    let node = tree.root;
    let count = 0;
    while (node !== NIL) {
      const key = tree.key(node);
      if (key < member || (inclusive && key === member)) {
        count += tree.subtreeSize(tree.left(node)) + 1;
        node = tree.right(node);
      } else {
        node = tree.left(node);
      }
    }
    return count;
  }

  countPairBelow(score: number, member: string): number {
    const tree = this.#tree;
    let node = tree.root;
    let count = 0;
    while (node !== NIL) {
      const value = tree.value(node);
      if (value < score || (value === score && tree.key(node) < member)) {
        count += tree.subtreeSize(tree.left(node)) + 1;
        node = tree.right(node);
      } else {
        node = tree.left(node);
      }
    }
    return count;
  }

  visit(rank: number, count: number, reverse: boolean, visitor: Visitor): void {
    const tree = this.#tree;
    const cursor = this.#takeCursor();
    try {
      let node = cursor.seekAt(rank, reverse);
      for (let left = count; node !== NIL && left > 0; left--) {
        visitor(tree.key(node), tree.value(node));
        node = cursor.next();
      }
    } finally {
      this.#releaseCursor(cursor);
    }
  }

  // Range walks, as Redis's zslFirstInRange/zslLastInRange: one descent to the first entry in
  // range, then neighbour steps until an entry leaves the range. Two descents fewer than
  // counting both ends first.

  visitByScore(
    min: ScoreBound,
    max: ScoreBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number {
    const tree = this.#tree;
    let node = reverse
      ? this.#lastScoreBelow(max.value, max.exclusive)
      : this.#firstScoreAbove(min.value, min.exclusive);
    if (offset > 0) node = this.#skip(node, offset, reverse);
    if (node === NIL) return 0;
    const { value: bound, exclusive } = reverse ? min : max;
    const cursor = this.#takeCursor();
    try {
      node = cursor.seek(node, reverse);
      let visited = 0;
      while (node !== NIL && visited !== count) {
        const score = tree.value(node);
        if (
          reverse
            ? score < bound || (exclusive && score === bound)
            : score > bound || (exclusive && score === bound)
        ) {
          break;
        }
        visitor(tree.key(node), score);
        visited++;
        node = cursor.next();
      }
      return visited;
    } finally {
      this.#releaseCursor(cursor);
    }
  }

  visitByLex(
    min: LexBound,
    max: LexBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number {
    const tree = this.#tree;
    // genericZrangebylexCommand over a skiplist: zslFirstInLexRange (zslLastInLexRange), then
    // LIMIT's offset skipped unchecked, then the walk while within the far end
    const rank = reverse ? lastInLexRange(this, min, max) : firstInLexRange(this, min, max);
    if (rank < 0) return 0;
    let node = tree.at(rank);
    if (offset > 0) node = this.#skip(node, offset, reverse);
    if (node === NIL) return 0;
    // '+' as the maximum (or '-' as the minimum, walking down) bounds nothing (the opposite sign
    // left the range empty above)
    const limit: LexBound = reverse ? min : max;
    const bounded = limit !== '+' && limit !== '-';
    const bound = bounded ? limit.value : '';
    const exclusive = bounded && limit.exclusive;
    const cursor = this.#takeCursor();
    try {
      node = cursor.seek(node, reverse);
      let visited = 0;
      while (node !== NIL && visited !== count) {
        const member = tree.key(node);
        if (
          bounded &&
          (reverse
            ? member < bound || (exclusive && member === bound)
            : member > bound || (exclusive && member === bound))
        ) {
          break;
        }
        visitor(member, tree.value(node));
        visited++;
        node = cursor.next();
      }
      return visited;
    } finally {
      this.#releaseCursor(cursor);
    }
  }

  /** The store's cursor, or a fresh one for a range read from inside a visitor. */
  #takeCursor(): AvlCursor<string, number> {
    if (this.#cursorBusy) return new AvlCursor(this.#tree);
    this.#cursorBusy = true;
    return this.#cursor;
  }

  #releaseCursor(cursor: AvlCursor<string, number>): void {
    if (cursor === this.#cursor) this.#cursorBusy = false;
  }

  #skip(node: number, offset: number, reverse: boolean): number {
    const tree = this.#tree;
    if (node === NIL) return NIL;
    if (offset > WALK_OFFSET) return tree.offset(node, reverse ? -offset : offset);
    for (let step = 0; step < offset && node !== NIL; step++) {
      node = reverse ? tree.prev(node) : tree.next(node);
    }
    return node;
  }

  /** The first node with score > value (exclusive) or >= value. */
  #firstScoreAbove(value: number, exclusive: boolean): number {
    const tree = this.#tree;
    let node = tree.root;
    let found = NIL;
    while (node !== NIL) {
      const score = tree.value(node);
      if (score > value || (!exclusive && score === value)) {
        found = node;
        node = tree.left(node);
      } else {
        node = tree.right(node);
      }
    }
    return found;
  }

  /** The last node with score < value (exclusive) or <= value. */
  #lastScoreBelow(value: number, exclusive: boolean): number {
    const tree = this.#tree;
    let node = tree.root;
    let found = NIL;
    while (node !== NIL) {
      const score = tree.value(node);
      if (score < value || (!exclusive && score === value)) {
        found = node;
        node = tree.right(node);
      } else {
        node = tree.left(node);
      }
    }
    return found;
  }

  removeRange(rank: number, count: number): void {
    const tree = this.#tree;
    const index = this.#index;
    let node = tree.at(rank);
    for (let step = 0; step < count && node !== NIL; step++) {
      const next = tree.next(node);
      index.delete(tree.key(node));
      tree.deleteNode(node);
      node = next;
    }
  }

  *entries(reverse: boolean): IterableIterator<[member: string, score: number]> {
    const tree = this.#tree;
    for (const node of tree.nodes(NIL, reverse)) yield [tree.key(node), tree.value(node)];
  }

  memberAt(rank: number): string {
    return this.#tree.key(this.#tree.at(rank));
  }

  scoreAt(rank: number): number {
    return this.#tree.value(this.#tree.at(rank));
  }

  clear(): void {
    this.#tree.clear();
    this.#index.clear();
  }

  touchBytes(
    bytes: Uint8Array,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    count: number,
  ): void {
    this.#index.touchBytes(bytes, starts, ends, count);
  }

  touch(members: readonly string[]): void {
    this.#index.touch(members);
  }

  checkInvariants(): void {
    const tree = this.#tree;
    const index = this.#index;
    if (index.size !== tree.size) {
      throw new SortedSetInvariantError(`index has ${index.size} members, tree ${tree.size}`);
    }
    for (const [member, node] of index) {
      if (!tree.isLive(node) || tree.key(node) !== member) {
        throw new SortedSetInvariantError(`index maps ${JSON.stringify(member)} to a wrong node`);
      }
      if (Number.isNaN(tree.value(node))) {
        throw new SortedSetInvariantError(`NaN score for ${JSON.stringify(member)}`);
      }
    }
    try {
      // balance, sizes, parent links, and (score, member) order through the comparator
      tree.checkInvariants();
      index.checkInvariants();
    } catch (error) {
      if (!AvlInvariantError.isInstance(error) && !HashTableInvariantError.isInstance(error)) {
        throw error;
      }
      throw new SortedSetInvariantError(`${error.name}: ${error.message}`, { cause: error });
    }
  }
}
