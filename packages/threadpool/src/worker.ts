/**
 * The worker runtime: the script every worker of a pool starts with (built to
 * `dist/worker.js`). It loads the task module, then runs each task posted on its channel and
 * posts back the result, the error, or the task's progress messages. The protocol is in
 * `protocol.ts`. @internal
 */
import {
  parentPort,
  receiveMessageOnPort,
  threadId,
  type MessagePort,
  type TransferListItem,
} from 'node:worker_threads';
import { Reply, type ReplyMessage, type TaskMessage, type WorkerInit } from './protocol.js';
import { encodeThrown } from './remote-error.js';
import type { AnyTaskFunction, TaskContext } from './task.js';
import { isTransferred } from './transfer.js';

type Handler = (payload: unknown, context: TaskContext) => unknown;

const DEFAULT_NAME = 'task';

let port: MessagePort;
let started: Float64Array;
let wake: Int32Array;
let atomicsWait = 0;
/** tasks that returned a promise not settled yet */
let pendingAsync = 0;
let exports: Record<string, unknown> = {};
/** The function run for tasks that name no handler; undefined when the module has none. */
let defaultHandler: Handler | undefined;
let explicitDefault: string | null = null;
const handlers = new Map<string, Handler | undefined>();
/** seq of the last task message received (a `messageerror` takes the next one) */
let lastSeq = 0;

// One reply array, refilled for every postMessage: the structured clone copies it, so no
// allocation per task is needed here. Readability traded for a little less garbage.
const reply: ReplyMessage = [Reply.RESULT, 0, undefined];

function post(
  kind: Reply,
  seq: number,
  value: unknown,
  transferList?: readonly TransferListItem[],
) {
  reply[0] = kind;
  reply[1] = seq;
  reply[2] = value;
  try {
    port.postMessage(reply, transferList);
  } finally {
    reply[2] = undefined;
  }
}

/** The second argument of a task: posts progress messages tagged with the task's seq. */
class Context implements TaskContext {
  readonly threadId = threadId;
  readonly #seq: number;
  settled = false;

  constructor(seq: number) {
    this.#seq = seq;
  }

  postMessage(message: unknown, transferList?: readonly TransferListItem[]): void {
    if (!this.settled) post(Reply.MESSAGE, this.#seq, message, transferList);
  }
}

function asHandler(value: unknown): Handler | undefined {
  return typeof value === 'function' ? (value as AnyTaskFunction as Handler) : undefined;
}

/** Finds `name` among the module's exports, or among the properties of a CJS `module.exports`. */
function findHandler(name: string): Handler | undefined {
  if (Object.hasOwn(exports, name)) return asHandler(exports[name]);
  const fallback: unknown = exports.default;
  if (typeof fallback === 'object' && fallback !== null && Object.hasOwn(fallback, name)) {
    return asHandler((fallback as Record<string, unknown>)[name]);
  }
  return undefined;
}

function lookup(name: string): Handler | undefined {
  if (name === explicitDefault) return defaultHandler;
  let handler = handlers.get(name);
  if (handler === undefined && !handlers.has(name)) {
    handler = findHandler(name);
    handlers.set(name, handler);
  }
  return handler;
}

function fulfil(seq: number, context: Context, value: unknown): void {
  context.settled = true;
  try {
    if (isTransferred(value)) post(Reply.RESULT, seq, value.value, value.transferList);
    else post(Reply.RESULT, seq, value);
  } catch (error) {
    post(Reply.NO_CLONE, seq, encodeThrown(error));
  }
}

function fail(seq: number, context: Context, error: unknown): void {
  context.settled = true;
  try {
    post(Reply.ERROR, seq, encodeThrown(error));
  } catch (cloneError) {
    post(Reply.NO_CLONE, seq, encodeThrown(cloneError));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function onMessage(message: TaskMessage): void {
  runTask(message);
  if (atomicsWait > 0 && pendingAsync === 0) waitForNext();
}

/**
 * Waits for the next task blocked in Atomics.wait() instead of in the event loop: the pool's
 * Atomics.notify() wakes this thread sooner than a MessagePort wakes an idle event loop, which
 * is most of a small task's round trip. Gives up after `atomicsWait` ms (or as soon as an
 * asynchronous task is pending) so that the worker's own timers, I/O and microtasks are held
 * back by at most that long. Readability traded for latency; measured in bench/.
 */
function waitForNext(): void {
  for (;;) {
    // Read the counter before looking at the port: a task posted after this read bumps it,
    // so Atomics.wait() returns at once instead of sleeping on a queued task.
    const seen = Atomics.load(wake, 0);
    let entry = receive();
    if (entry !== undefined) {
      do {
        runTask(entry.message as TaskMessage);
        if (pendingAsync > 0) return;
        entry = receive();
      } while (entry !== undefined);
      continue;
    }
    if (Atomics.wait(wake, 0, seen, atomicsWait) === 'timed-out') return;
  }
}

function receive(): { message: unknown } | undefined {
  try {
    return receiveMessageOnPort(port);
  } catch (error) {
    onMessageError(error);
    return receive();
  }
}

function settledAsync(): void {
  pendingAsync--;
  if (atomicsWait > 0 && pendingAsync === 0) waitForNext();
}

function runTask(message: TaskMessage): void {
  const seq = message[0];
  lastSeq = seq;
  // Tells the pool this task has started: after a crash, tasks with a higher seq were never
  // started and go to another worker.
  started[0] = seq;
  const name = message[2];
  const handler = name === null ? defaultHandler : lookup(name);
  if (handler === undefined) {
    post(Reply.NO_HANDLER, seq, name);
    return;
  }
  const context = new Context(seq);
  let result: unknown;
  try {
    result = handler(message[1], context);
  } catch (error) {
    fail(seq, context, error);
    return;
  }
  if (isThenable(result)) {
    pendingAsync++;
    result.then(
      (value) => {
        fulfil(seq, context, value);
        settledAsync();
      },
      (error: unknown) => {
        fail(seq, context, error);
        settledAsync();
      },
    );
  } else {
    fulfil(seq, context, result);
  }
}

function onMessageError(error: unknown): void {
  lastSeq++;
  started[0] = lastSeq;
  post(Reply.BAD_PAYLOAD, lastSeq, encodeThrown(error));
}

async function start(init: WorkerInit): Promise<void> {
  port = init.port;
  started = new Float64Array(init.shared, 0, 1);
  wake = new Int32Array(init.shared, Float64Array.BYTES_PER_ELEMENT, 1);
  atomicsWait = init.atomicsWait;
  explicitDefault = init.handler;
  try {
    exports = (await import(init.filename)) as Record<string, unknown>;
    if (explicitDefault !== null) {
      defaultHandler = findHandler(explicitDefault);
      if (defaultHandler === undefined) {
        throw new Error(`the task module exports no function named '${explicitDefault}'`);
      }
    } else {
      defaultHandler =
        findHandler(DEFAULT_NAME) ??
        asHandler(exports.default) ??
        asHandler((exports.default as { default?: unknown } | undefined)?.default);
    }
  } catch (error) {
    post(Reply.STARTUP, 0, encodeThrown(error));
    return;
  }
  port.on('message', onMessage);
  port.on('messageerror', onMessageError);
  post(Reply.READY, 0, null);
}

if (parentPort === null) {
  throw new Error('@byor/threadpool: worker.js runs in a worker thread started by ThreadPool');
}
parentPort.once('message', (init: WorkerInit) => {
  void start(init);
});
