// Minimal typings for the untyped benchmark peers (only what bench/ uses).

declare module 'functional-red-black-tree' {
  interface RedBlackTreeIterator<K, V> {
    readonly valid: boolean;
    readonly key: K | undefined;
    readonly value: V | undefined;
    readonly index: number;
    next(): void;
  }
  interface RedBlackTree<K, V> {
    readonly length: number;
    insert(key: K, value: V): RedBlackTree<K, V>;
    remove(key: K): RedBlackTree<K, V>;
    get(key: K): V | undefined;
    find(key: K): RedBlackTreeIterator<K, V>;
    ge(key: K): RedBlackTreeIterator<K, V>;
    at(index: number): RedBlackTreeIterator<K, V>;
  }
  function createRBTree<K, V>(compare?: (a: K, b: K) => number): RedBlackTree<K, V>;
  export = createRBTree;
}

declare module 'bintrees' {
  export class RBTree<T> {
    constructor(comparator: (a: T, b: T) => number);
    readonly size: number;
    insert(data: T): boolean;
    remove(data: T): boolean;
    find(data: T): T | null;
    lowerBound(data: T): { data(): T | null; next(): T | null };
  }
}
