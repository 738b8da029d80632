export {
  BaseHashTable,
  HashTableLayout,
  LINEAR_LIMIT,
  TOUCH_MAX,
  type HashTableStats,
  type Restamp,
  type ScanVisitor,
  type StampedVisitor,
} from './base-hash-table.js';
export { CustomHashTable } from './custom-hash-table.js';
export {
  CapacityExceededError,
  HashTableError,
  HashTableErrorCode,
  HashTableInvariantError,
  InvalidArgumentError,
} from './errors.js';
export { hashString } from './hash.js';
export { HashTable } from './hash-table.js';
export { REHASHING_WORK } from './hmap.js';
export type { CustomHashTableOptions, HashTableOptions } from './options.js';
