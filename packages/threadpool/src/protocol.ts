/**
 * The messages the pool and its workers exchange. @internal
 *
 * One `MessageChannel` per worker, created with the worker and reused for every task (the
 * worker's `parentPort` stays free for the task module's own use). Messages are small arrays
 * so that the structured clone has little to walk:
 *
 *   pool -> worker, once, on parentPort:  WorkerInit { filename, handler, port, shared, atomicsWait }
 *   pool -> worker, per task:             [seq, payload, handler | null]
 *   worker -> pool:                       [kind, seq, value]
 *
 *   kind      value
 *   RESULT    the task's result (after a `transfer()` wrapper is unwrapped)
 *   ERROR     what the task threw, encoded by `encodeThrown()`
 *   MESSAGE   a progress message posted with `context.postMessage()`
 *   NO_HANDLER the handler name that the module does not export
 *   NO_CLONE  the DataCloneError raised while posting the result, encoded
 *   BAD_PAYLOAD the error raised while the worker deserialized the task (`messageerror`)
 *   READY     (seq 0) the task module is loaded: tasks may be sent
 *   STARTUP   (seq 0) the task module failed to load: the encoded error
 *
 * `seq` numbers the tasks sent to one worker, from 1. Each worker also shares 16 bytes with
 * the pool:
 *
 *   bytes 0-7   Float64  started  seq of the last task the worker started (written by it), so
 *                                 that after a crash the pool knows which of the tasks it had
 *                                 sent were never started and can run them on another worker
 *   bytes 8-11  Int32    wake     bumped by the pool after each task it posts, with
 *                                 Atomics.notify(): wakes a worker blocked in Atomics.wait()
 *   bytes 12-15 (padding)
 */
import type { MessagePort } from 'node:worker_threads';

/** Size of the memory each worker shares with the pool (see above). @internal */
export const SHARED_BYTES = 16;

/** Kinds of worker -> pool messages. @internal */
export const Reply = {
  RESULT: 0,
  ERROR: 1,
  MESSAGE: 2,
  NO_HANDLER: 3,
  NO_CLONE: 4,
  BAD_PAYLOAD: 5,
  READY: 6,
  STARTUP: 7,
} as const;

/** @internal */
export type Reply = (typeof Reply)[keyof typeof Reply];

/** The first message a worker receives, on its `parentPort`. @internal */
export interface WorkerInit {
  /** `file:` URL of the task module */
  filename: string;
  /** handler name given to the pool, or null for the default (`task`, then `default`) */
  handler: string | null;
  /** this worker's end of its task channel */
  port: MessagePort;
  /** 16 bytes: Float64 `started` at 0, Int32 `wake` at 8 */
  shared: SharedArrayBuffer;
  /** milliseconds an idle worker waits in Atomics.wait() before returning to its event loop */
  atomicsWait: number;
}

/** A task as posted to a worker: [seq, payload, handler]. @internal */
export type TaskMessage = [seq: number, payload: unknown, handler: string | null];

/** A worker's reply: [kind, seq, value]. @internal */
export type ReplyMessage = [kind: Reply, seq: number, value: unknown];
