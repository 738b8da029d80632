import type { StreamNode } from './stream-node.js';

/**
 * The number of nodes of the radix tree redis-server 7.0 would hold for a stream's node keys
 * (XINFO STREAM `radix-tree-nodes`). Keys are the nodes' master IDs as 16 big-endian bytes. Redis's
 * rax compresses every chain of single-child nodes into one node, and its insert (split) and
 * remove (re-compress) keep that form, so the count depends on the keys only:
 *
 * - the root, always (an empty tree is one empty node);
 * - every branching point (two or more children) and every key (a leaf: keys are all 16 bytes);
 * - every child of a branching point that is neither: the start of a compressed chain.
 *
 * A root with a single child is itself the chain's compressed node. O(16 n).
 *
 * @example
 * ```ts
 * raxNodeCount([]); // 1
 * raxNodeCount([nodeOf('1-1')]); // 2: the root (15 compressed bytes) and the key
 * ```
 */
export function raxNodeCount(nodes: readonly StreamNode[]): number {
  const n = nodes.length;
  if (n === 0) return 1;
  const keys = new Uint8Array(n * 16);
  const view = new DataView(keys.buffer);
  for (let i = 0; i < n; i++) {
    const words = (nodes[i] as StreamNode).words;
    for (let w = 0; w < 4; w++) view.setUint32(i * 16 + w * 4, words[w] ?? 0);
  }
  return countPoint(keys, 0, n, 0, false, true);
}

/** Nodes at and below the trie point shared by keys[low..high) at `depth` bytes. */
function countPoint(
  keys: Uint8Array,
  low: number,
  high: number,
  depth: number,
  parentBranches: boolean,
  root: boolean,
): number {
  if (depth === 16) return 1;
  let children = 0;
  for (let i = low; i < high; i++)
    if (i === low || keys[i * 16 + depth] !== keys[(i - 1) * 16 + depth]) children++;
  const branches = children >= 2;
  let count = root || branches || parentBranches ? 1 : 0;
  let start = low;
  for (let i = low + 1; i <= high; i++) {
    if (i === high || keys[i * 16 + depth] !== keys[start * 16 + depth]) {
      count += countPoint(keys, start, i, depth + 1, branches, false);
      start = i;
    }
  }
  return count;
}
