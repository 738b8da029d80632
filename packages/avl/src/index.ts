export { AvlCursor } from './avl-cursor.js';
export { AvlTree, MAX_NODES, NIL } from './avl-tree.js';
export type { AvlTreeOptions } from './avl-tree.js';
export { naturalOrder } from './comparator.js';
export type { Comparator } from './comparator.js';
export {
  AvlCapacityError,
  AvlError,
  AvlErrorCode,
  AvlInvalidNodeError,
  AvlInvariantError,
} from './errors.js';
