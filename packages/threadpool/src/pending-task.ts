/**
 * One call of `run()` as the pool tracks it, from the queue to a worker to its settlement.
 * @internal
 */
import type { RunOptions } from './options.js';
import type { Queued } from './task-queue.js';
import type { WorkerSlot } from './worker-slot.js';

/** Where a task is. @internal */
export const TaskState = { QUEUED: 0, RUNNING: 1, SETTLED: 2 } as const;

/** @internal */
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

type Settle = (value: unknown) => void;

function ignore(): void {}

// `new Promise(capture)` hands out resolve/reject without allocating an executor closure per
// task (Promise.withResolvers is Node 22+). Readability traded for one closure less per run().
let capturedResolve: Settle = ignore;
let capturedReject: Settle = ignore;
function capture(resolve: Settle, reject: Settle): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A task and the promise `run()` returned for it. Every field is set in the constructor, so
 * all tasks share one hidden class. The task is its signal's abort listener (`handleEvent`),
 * so a signal costs no closure either. @internal
 */
export class PendingTask implements Queued {
  queueIndex = -1;
  state: TaskState = TaskState.QUEUED;
  readonly promise: Promise<unknown>;
  readonly resolve: Settle;
  readonly reject: Settle;
  /** kept until settled: a task sent ahead to a worker that dies unstarted is sent again */
  payload: unknown;
  transferList: RunOptions['transferList'];
  readonly handler: string | null;
  signal: AbortSignal | null;
  readonly timeout: number;
  onMessage: ((message: unknown) => void) | null;
  /** the worker it was handed to, while RUNNING */
  slot: WorkerSlot | null = null;
  /** its number on that worker */
  seq = 0;
  /** handle of its timeout timer, while RUNNING with a finite timeout */
  timer: unknown = undefined;
  readonly #onAbort: (task: PendingTask) => void;

  constructor(
    payload: unknown,
    transferList: RunOptions['transferList'],
    handler: string | null,
    signal: AbortSignal | null,
    timeout: number,
    onMessage: ((message: unknown) => void) | null,
    onAbort: (task: PendingTask) => void,
  ) {
    this.promise = new Promise(capture);
    this.resolve = capturedResolve;
    this.reject = capturedReject;
    capturedResolve = capturedReject = ignore;
    this.payload = payload;
    this.transferList = transferList;
    this.handler = handler;
    this.signal = signal;
    this.timeout = timeout;
    this.onMessage = onMessage;
    this.#onAbort = onAbort;
  }

  /** EventListener interface: called when the task's signal aborts. */
  handleEvent(): void {
    this.#onAbort(this);
  }
}
