export { Heap, type Comparator, type HeapOptions } from './heap.js';
export { NumericHeap, type NumericHeapOptions } from './numeric-heap.js';
export type { HeapHandle } from './handle.js';
export {
  HeapError,
  HeapErrorCode,
  StaleHandleError,
  InvalidKeyError,
  CapacityError,
  HeapInvariantError,
} from './errors.js';
