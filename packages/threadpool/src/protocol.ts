/**
 * The messages the pool and its workers exchange. @internal
 *
 * One `MessageChannel` per worker, created with the worker and reused for every task (the
 * worker's `parentPort` stays free for the task module's own use). Messages are small arrays
 * so that the structured clone has little to walk:
 *
 *   pool -> worker, once, on parentPort:  WorkerInit { filename, handler, port, started }
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
 * `seq` numbers the tasks sent to one worker, from 1. The worker stores the `seq` of the last
 * task it started in `started` (a one-element Float64Array on a SharedArrayBuffer), so that after
 * a crash the pool knows which of the tasks it had sent were never started and can run them on
 * another worker instead of failing them.
 */
import type { MessagePort } from 'node:worker_threads';

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
  /** Float64Array(1) storage: the seq of the last task started */
  started: SharedArrayBuffer;
}

/** A task as posted to a worker: [seq, payload, handler]. @internal */
export type TaskMessage = [seq: number, payload: unknown, handler: string | null];

/** A worker's reply: [kind, seq, value]. @internal */
export type ReplyMessage = [kind: Reply, seq: number, value: unknown];
