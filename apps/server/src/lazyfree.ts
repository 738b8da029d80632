/**
 * What redis-server frees in the background (lazyfree.c), for INFO's `lazyfreed_objects`. byor's
 * values are freed by the garbage collector whatever the configuration; the counter tells a
 * monitoring tool (or redis-server's own tests) what a lazyfree-lazy-* setting or an UNLINK
 * would have handed to redis-server's background thread: a value whose free effort passes
 * {@link LAZYFREE_THRESHOLD}, a whole database emptied ASYNC, a flushed script cache or function
 * library set of more than that many entries.
 */
import { ListValue } from './types/list.js';
import { HashValue } from './types/hash.js';
import { SetValue } from './types/set.js';
import { StreamValue } from './types/stream.js';
import { raxNodeCount } from './types/stream-rax.js';
import { ZSet } from './types/zset.js';
import type { ObjectValue } from './values.js';

/** Past this free effort a value is freed in the background (LAZYFREE_THRESHOLD). */
export const LAZYFREE_THRESHOLD = 64;

/**
 * Why a value leaves the keyspace: the lazyfree-lazy-* directive that decides how redis-server
 * frees it, `unlink` (always in the background) or `move` (RENAME, MOVE: not freed at all).
 */
export type FreeCause = 'expire' | 'eviction' | 'user-del' | 'server-del' | 'unlink' | 'move';

/**
 * lazyfreeGetFreeEffort: the allocations freeing a value costs redis-server: a list's quicklist
 * nodes, a hash table's (set, hash) or skiplist's (sorted set) elements, a stream's radix tree
 * nodes and consumer groups (each with the first group's PEL size); 1 for anything in one
 * allocation (a string, a listpack, an intset). O(1) but for a stream of at most 64 nodes.
 */
export function freeEffort(value: ObjectValue): number {
  if (value instanceof ListValue) return value.nodeCount;
  if (value instanceof SetValue || value instanceof HashValue)
    return value.encoding() === 'hashtable' ? value.size : 1;
  if (value instanceof ZSet) return value.encoding() === 'skiplist' ? value.size : 1;
  if (value instanceof StreamValue) {
    const nodes = value.nodes;
    // the tree has a node per key and more: past the threshold already without counting them
    let effort = nodes.length > LAZYFREE_THRESHOLD ? nodes.length : raxNodeCount(nodes);
    const groups = value.groups;
    if (groups !== undefined && groups.size > 0) {
      // the first group of redis-server's radix tree: the least name
      let first: string | undefined;
      for (const name of groups.keys()) if (first === undefined || name < first) first = name;
      effort += groups.size * (1 + (groups.get(first ?? '')?.pending.size ?? 0));
    }
    return effort;
  }
  return 1;
}
