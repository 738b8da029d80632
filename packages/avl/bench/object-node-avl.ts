/**
 * The road not taken, kept for the layout benchmark: the same AVL algorithm (bottom-up
 * fix-up, subtree sizes, successor relinking) with one object per node instead of the
 * struct-of-arrays layout of src/avl-tree.ts. Only what the benchmark calls is here.
 */
import type { Comparator } from '../src/index.js';

class AvlNode<K, V> {
  left: AvlNode<K, V> | null = null;
  right: AvlNode<K, V> | null = null;
  parent: AvlNode<K, V> | null;
  height = 1;
  size = 1;
  key: K;
  value: V;

  constructor(key: K, value: V, parent: AvlNode<K, V> | null) {
    this.key = key;
    this.value = value;
    this.parent = parent;
  }
}

const heightOf = <K, V>(node: AvlNode<K, V> | null): number => (node === null ? 0 : node.height);
const sizeOf = <K, V>(node: AvlNode<K, V> | null): number => (node === null ? 0 : node.size);

export class ObjectNodeAvl<K, V> {
  root: AvlNode<K, V> | null = null;
  readonly #compare: Comparator<K>;

  constructor(compare: Comparator<K>) {
    this.#compare = compare;
  }

  get size(): number {
    return sizeOf(this.root);
  }

  find(key: K): AvlNode<K, V> | null {
    let node = this.root;
    while (node !== null) {
      const order = this.#compare(key, node.key);
      if (order === 0) return node;
      node = order < 0 ? node.left : node.right;
    }
    return null;
  }

  get(key: K): V | undefined {
    return this.find(key)?.value;
  }

  indexOf(key: K): number {
    let node = this.root;
    let before = 0;
    while (node !== null) {
      const order = this.#compare(key, node.key);
      if (order < 0) {
        node = node.left;
      } else {
        if (order === 0) return before + sizeOf(node.left);
        before += sizeOf(node.left) + 1;
        node = node.right;
      }
    }
    return -1;
  }

  at(index: number): AvlNode<K, V> | null {
    let node = this.root;
    while (node !== null) {
      const leftSize = sizeOf(node.left);
      if (index < leftSize) node = node.left;
      else if (index === leftSize) return node;
      else {
        index -= leftSize + 1;
        node = node.right;
      }
    }
    return null;
  }

  next(node: AvlNode<K, V>): AvlNode<K, V> | null {
    if (node.right !== null) {
      let child = node.right;
      while (child.left !== null) child = child.left;
      return child;
    }
    let current = node;
    let parent = node.parent;
    while (parent !== null && parent.right === current) {
      current = parent;
      parent = parent.parent;
    }
    return parent;
  }

  set(key: K, value: V): void {
    let node = this.root;
    let parent: AvlNode<K, V> | null = null;
    let order = 0;
    while (node !== null) {
      order = this.#compare(key, node.key);
      if (order === 0) {
        node.value = value;
        return;
      }
      parent = node;
      node = order < 0 ? node.left : node.right;
    }
    const created = new AvlNode(key, value, parent);
    if (parent === null) {
      this.root = created;
      return;
    }
    if (order < 0) parent.left = created;
    else parent.right = created;
    this.#fix(parent, 1);
  }

  delete(key: K): boolean {
    const node = this.find(key);
    if (node === null) return false;
    const { left, right, parent } = node;
    let fixFrom: AvlNode<K, V> | null;
    if (left === null || right === null) {
      const child = left ?? right;
      if (child !== null) child.parent = parent;
      this.#replace(parent, node, child);
      fixFrom = parent;
    } else {
      let successor = right;
      while (successor.left !== null) successor = successor.left;
      if (successor === right) {
        fixFrom = successor;
      } else {
        const successorParent = successor.parent!;
        successorParent.left = successor.right;
        if (successor.right !== null) successor.right.parent = successorParent;
        successor.right = right;
        right.parent = successor;
        fixFrom = successorParent;
      }
      successor.left = left;
      left.parent = successor;
      successor.parent = parent;
      this.#replace(parent, node, successor);
      successor.height = node.height;
      successor.size = node.size;
    }
    if (fixFrom !== null) this.#fix(fixFrom, -1);
    return true;
  }

  #replace(parent: AvlNode<K, V> | null, old: AvlNode<K, V>, child: AvlNode<K, V> | null): void {
    if (parent === null) this.root = child;
    else if (parent.left === old) parent.left = child;
    else parent.right = child;
  }

  #fix(start: AvlNode<K, V>, delta: number): void {
    let node: AvlNode<K, V> | null = start;
    while (node !== null) {
      const oldHeight = node.height;
      const top = this.#rebalance(node);
      let parent = top.parent;
      if (top.height === oldHeight) {
        while (parent !== null) {
          parent.size += delta;
          parent = parent.parent;
        }
        return;
      }
      node = parent;
    }
  }

  #update(node: AvlNode<K, V>): void {
    node.height = Math.max(heightOf(node.left), heightOf(node.right)) + 1;
    node.size = sizeOf(node.left) + sizeOf(node.right) + 1;
  }

  #rebalance(node: AvlNode<K, V>): AvlNode<K, V> {
    const leftHeight = heightOf(node.left);
    const rightHeight = heightOf(node.right);
    if (leftHeight > rightHeight + 1) {
      const left = node.left!;
      if (heightOf(left.left) < heightOf(left.right)) this.#rotateLeft(left);
      return this.#rotateRight(node);
    }
    if (rightHeight > leftHeight + 1) {
      const right = node.right!;
      if (heightOf(right.right) < heightOf(right.left)) this.#rotateRight(right);
      return this.#rotateLeft(node);
    }
    this.#update(node);
    return node;
  }

  #rotateLeft(x: AvlNode<K, V>): AvlNode<K, V> {
    const y = x.right!;
    const parent = x.parent;
    x.right = y.left;
    if (y.left !== null) y.left.parent = x;
    y.left = x;
    x.parent = y;
    y.parent = parent;
    this.#replace(parent, x, y);
    this.#update(x);
    this.#update(y);
    return y;
  }

  #rotateRight(x: AvlNode<K, V>): AvlNode<K, V> {
    const y = x.left!;
    const parent = x.parent;
    x.left = y.right;
    if (y.right !== null) y.right.parent = x;
    y.right = x;
    x.parent = y;
    y.parent = parent;
    this.#replace(parent, x, y);
    this.#update(x);
    this.#update(y);
    return y;
  }
}
