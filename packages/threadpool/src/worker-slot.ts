/**
 * One worker thread of a pool, with its task channel and the memory it shares with the pool.
 * @internal
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { PendingTask } from './pending-task.js';

/**
 * Life of a worker: STARTING (loading the task module) -> READY (takes tasks) -> RETIRING
 * (terminate() called: idle, closed, aborted or timed-out task, failed start) -> EXITED.
 * A worker that crashes goes from STARTING or READY straight to EXITED. @internal
 */
export const WorkerState = { STARTING: 0, READY: 1, RETIRING: 2, EXITED: 3 } as const;

/** @internal */
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** @internal */
export class WorkerSlot {
  readonly worker: Worker;
  /** the pool's end of the task channel */
  readonly port: MessagePort;
  /** seq of the last task the worker started (written by the worker) */
  readonly started: Float64Array;
  /** bumped and notified after each task posted, to wake a worker in Atomics.wait() */
  readonly wake: Int32Array;
  state: WorkerState = WorkerState.STARTING;
  /** tasks handed to this worker and not settled, in seq order */
  readonly inFlight: PendingTask[] = [];
  /** seq of the last task sent */
  sent = 0;
  busySince = 0;
  idleSince = 0;
  /** whether the worker and its port keep the process alive (only while it has tasks) */
  referenced = true;
  /** the uncaught error the worker reported before exiting */
  error: unknown = undefined;
  /** why the pool terminated it, for the tasks it still held */
  retireReason = '';

  constructor(worker: Worker, port: MessagePort, shared: SharedArrayBuffer) {
    this.worker = worker;
    this.port = port;
    this.started = new Float64Array(shared, 0, 1);
    this.wake = new Int32Array(shared, Float64Array.BYTES_PER_ELEMENT, 1);
  }
}
