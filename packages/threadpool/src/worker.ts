/**
 * The worker runtime: the script every worker of a pool starts with (built to
 * `dist/worker.js`). It loads the task module, then runs each task posted on its channel and
 * posts back the result, the error, or the task's progress messages. The protocol is in
 * `protocol.ts`. @internal
 */
import { parentPort, threadId, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { Reply, type ReplyMessage, type TaskMessage, type WorkerInit } from './protocol.js';
import { encodeThrown } from './remote-error.js';
import type { AnyTaskFunction, TaskContext } from './task.js';
import { isTransferred } from './transfer.js';

type Handler = (payload: unknown, context: TaskContext) => unknown;

const DEFAULT_NAME = 'task';

let port: MessagePort;
let started: Float64Array;
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

function onTask(message: TaskMessage): void {
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
    result.then(
      (value) => fulfil(seq, context, value),
      (error: unknown) => fail(seq, context, error),
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
  started = new Float64Array(init.started);
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
  port.on('message', onTask);
  port.on('messageerror', onMessageError);
  post(Reply.READY, 0, null);
}

if (parentPort === null) {
  throw new Error('@byor/threadpool: worker.js runs in a worker thread started by ThreadPool');
}
parentPort.once('message', (init: WorkerInit) => {
  void start(init);
});
