import type { TransferListItem } from 'node:worker_threads';

/**
 * The brand of a {@link Transferred} wrapper. `Symbol.for` so that the wrapper made by one copy
 * of the package (the CJS build a task module `require`s) is recognised by another (the ESM
 * worker runtime).
 */
const TRANSFERRED: unique symbol = Symbol.for('@byor/threadpool/transferred') as never;

/**
 * A task result together with the objects to move (not copy) to the pool's thread. Made by
 * {@link transfer}; the pool unwraps it, so `run()` resolves with `value`.
 *
 * @example
 * ```ts
 * export function task(size: number): Transferred<Uint8Array> {
 *   const bytes = new Uint8Array(size);
 *   return transfer(bytes, [bytes.buffer]);
 * }
 * ```
 */
export interface Transferred<Value> {
  readonly [TRANSFERRED]: true;
  readonly value: Value;
  readonly transferList: readonly TransferListItem[];
}

/**
 * Wraps a task's result so that the listed `ArrayBuffer`s and `MessagePort`s are transferred
 * to the pool's thread instead of copied: after the transfer they are detached (length 0) in
 * the worker. The other direction is `run(payload, { transferList })`. O(1).
 *
 * @example
 * ```ts
 * // task.ts (the worker side)
 * import { transfer } from '@byor/threadpool';
 * export function task(size: number) {
 *   const bytes = new Uint8Array(size).fill(7);
 *   return transfer(bytes, [bytes.buffer]); // run() resolves with a Uint8Array, not copied
 * }
 * ```
 */
export function transfer<Value>(
  value: Value,
  transferList: readonly TransferListItem[],
): Transferred<Value> {
  return { [TRANSFERRED]: true, value, transferList };
}

/**
 * Whether `value` was made by {@link transfer} (by any copy of this package). O(1).
 *
 * @example
 * ```ts
 * isTransferred(transfer(buffer, [buffer])); // true
 * ```
 */
export function isTransferred(value: unknown): value is Transferred<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [TRANSFERRED]?: unknown })[TRANSFERRED] === true
  );
}
