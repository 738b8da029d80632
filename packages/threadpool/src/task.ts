/**
 * The task module's side of the contract, and the types that make `run()` follow it.
 *
 * A task module is a file (ESM or CommonJS) that exports the function a worker runs. The pool
 * looks it up by name: the `handler` given to `run()` or to the pool, else an export named
 * `task`, else the default export (`export default`, `module.exports = fn`). Named exports are
 * the documented way; the default export is accepted for modules written for piscina or
 * tinypool.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { Transferred } from './transfer.js';

/**
 * What a task function receives as its second argument, in the worker.
 *
 * @example
 * ```ts
 * export async function task(files: string[], context: TaskContext) {
 *   for (const [done, file] of files.entries()) {
 *     await compress(file);
 *     context.postMessage({ done: done + 1, of: files.length }); // to run()'s onMessage
 *   }
 * }
 * ```
 */
export interface TaskContext {
  /** The worker's `threadId`. */
  readonly threadId: number;
  /**
   * Sends a message to the `onMessage` callback given to `run()` for this task (progress
   * reports from long-running tasks). Messages arrive in order, all before the task's result.
   * Messages posted after the task settled are dropped. Throws a `DataCloneError` when `message`
   * cannot be cloned. O(size of the message).
   */
  postMessage(message: unknown, transferList?: readonly TransferListItem[]): void;
}

/**
 * A function a worker can run: takes the payload (and the {@link TaskContext}), returns the
 * result or a promise of it. Payload and result cross threads with the structured clone.
 *
 * @example
 * ```ts
 * export const task: TaskFunction<{ text: string }, number> = ({ text }) => text.length;
 * ```
 */
export type TaskFunction<Payload = never, Result = unknown> = (
  payload: Payload,
  context: TaskContext,
) => Result | PromiseLike<Result>;

/**
 * Any task function, whatever its payload: the constraint used by the type helpers.
 *
 * @example
 * ```ts
 * function isTask(value: unknown): value is AnyTaskFunction { return typeof value === 'function'; }
 * ```
 */
export type AnyTaskFunction = (payload: never, context: TaskContext) => unknown;

/**
 * The payload type of a task function (`unknown` when it takes no argument).
 *
 * @example
 * ```ts
 * type P = TaskPayload<(payload: { n: number }) => number>; // { n: number }
 * ```
 */
export type TaskPayload<Task> = Task extends (payload: infer Payload, ...rest: never[]) => unknown
  ? Payload
  : never;

/**
 * What `run()` resolves with for a task function: its return type, awaited, with a
 * {@link Transferred} wrapper unwrapped.
 *
 * @example
 * ```ts
 * type R = TaskResult<() => Promise<Transferred<Uint8Array>>>; // Uint8Array
 * ```
 */
export type TaskResult<Task> = Task extends (...args: never[]) => infer Result
  ? Untransferred<Awaited<Result>>
  : never;

/** `Value` for a `Transferred<Value>`, the type itself otherwise (distributes over unions). */
type Untransferred<Type> = Type extends Transferred<infer Value> ? Value : Type;

/**
 * The function a pool typed by `Module` runs when `run()` names no handler: `Module` itself
 * when it is a function type, else its `task` export, else its `default` export.
 *
 * @example
 * ```ts
 * import type * as Hash from './hash.js';
 * type T = DefaultTask<typeof Hash>; // typeof Hash.task
 * ```
 */
export type DefaultTask<Module> = Module extends AnyTaskFunction
  ? Module
  : Module extends { readonly task: infer Task extends AnyTaskFunction }
    ? Task
    : Module extends { readonly default: infer Task extends AnyTaskFunction }
      ? Task
      : never;

/**
 * The export names of `Module` that are task functions, for `run(payload, { handler })`.
 * `string` when the pool is typed by a single function.
 *
 * @example
 * ```ts
 * import type * as Persistence from './persistence.js';
 * type H = HandlerName<typeof Persistence>; // 'lzf' | 'crc64' | 'fsync'
 * ```
 */
export type HandlerName<Module> = Module extends AnyTaskFunction
  ? string
  : { [Key in keyof Module]-?: Module[Key] extends AnyTaskFunction ? Key : never }[keyof Module] &
      string;

/**
 * The task function exported as `Name` by `Module` (`Module` itself when it is a function).
 *
 * @example
 * ```ts
 * type F = HandlerTask<typeof Persistence, 'crc64'>; // typeof Persistence.crc64
 * ```
 */
export type HandlerTask<Module, Name extends string> = Module extends AnyTaskFunction
  ? Module
  : Name extends keyof Module
    ? Module[Name]
    : never;

/**
 * Declares a task function with explicit payload and result types, so that the second
 * argument is typed as a {@link TaskContext} without an annotation. Returns `task` itself: O(1).
 *
 * @example
 * ```ts
 * // checksum.ts
 * import { defineTask } from '@byor/threadpool';
 * export const task = defineTask<Uint8Array, number>((bytes, context) => crc32(bytes));
 * // main.ts
 * import type * as Checksum from './checksum.js';
 * const pool = new ThreadPool<typeof Checksum>({ filename: new URL('./checksum.js', import.meta.url) });
 * const sum: number = await pool.run(bytes);
 * ```
 */
export function defineTask<Payload, Result>(
  task: TaskFunction<Payload, Result>,
): TaskFunction<Payload, Result> {
  return task;
}
