export {
  CloneError,
  HandlerNotFoundError,
  InvalidOptionError,
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  ThreadPoolError,
  ThreadPoolErrorCode,
  WorkerExitedError,
  WorkerStartupError,
  type ThreadPoolErrorOptions,
} from './errors.js';
export type { RunOptions, ThreadPoolOptions } from './options.js';
export {
  defineTask,
  type AnyTaskFunction,
  type DefaultTask,
  type HandlerName,
  type HandlerTask,
  type TaskContext,
  type TaskFunction,
  type TaskPayload,
  type TaskResult,
} from './task.js';
export { TaskQueue, type Queued } from './task-queue.js';
export { ThreadPool, type ThreadPoolStats } from './thread-pool.js';
export { systemTimers, type PoolTimers } from './timers.js';
export { isTransferred, transfer, type Transferred } from './transfer.js';
