export { EventLoop, type EventLoopOptions, type CloseOptions } from './event-loop.js';
export { Connection } from './connection.js';
export { Listener, type ListenAddress, type ListenerHandlers } from './listener.js';
export type { Codec, Decoder } from './codec.js';
export { type Clock, systemClock } from './clock.js';
export {
  TimerService,
  type TimerHandle,
  type CronTask,
  type CronOptions,
  type TimerServiceOptions,
} from './timer-service.js';
export {
  OutputClass,
  CloseReason,
  DEFAULT_OUTPUT_BUFFER_LIMITS,
  type OutputBufferLimit,
  type LoopLimits,
  type ResolvedLimits,
} from './limits.js';
export type { LoopStats } from './stats.js';
export {
  EventLoopError,
  EventLoopErrorCode,
  ClosedError,
  InvalidOptionError,
  ListenError,
  HandlerError,
  InvariantError,
} from './errors.js';
