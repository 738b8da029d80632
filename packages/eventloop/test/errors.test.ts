import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  EventLoopError,
  EventLoopErrorCode,
  HandlerError,
  InvalidOptionError,
  InvariantError,
  ListenError,
} from '../src/index.js';

describe('errors', () => {
  it.each([
    [new ClosedError('the loop'), ClosedError, 'BYOR_EVENTLOOP_CLOSED', 'the loop is closed'],
    [
      new InvalidOptionError('maxClients', -1, 'a finite number >= 1'),
      InvalidOptionError,
      'BYOR_EVENTLOOP_INVALID_OPTION',
      'maxClients must be a finite number >= 1, got -1',
    ],
    [
      new ListenError('127.0.0.1:6379'),
      ListenError,
      'BYOR_EVENTLOOP_LISTEN_FAILED',
      'cannot listen on 127.0.0.1:6379',
    ],
    [
      new HandlerError(7),
      HandlerError,
      'BYOR_EVENTLOOP_HANDLER_FAILED',
      'the handler of connection 7 threw',
    ],
    [new InvariantError('broken'), InvariantError, 'BYOR_EVENTLOOP_INVARIANT', 'broken'],
  ])('%s has its code, message, name and brand', (error, Class, code, message) => {
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.name).toBe(Class.name);
    expect(error).toBeInstanceOf(EventLoopError);
    expect(EventLoopError.isInstance(error)).toBe(true);
    expect(Class.isInstance(error)).toBe(true);
  });

  it('isInstance tells classes apart, rejects look-alikes, accepts another copy by brand', () => {
    expect(ClosedError.isInstance(new ListenError('x'))).toBe(false);
    expect(EventLoopError.isInstance(new Error('x'))).toBe(false);
    expect(EventLoopError.isInstance({ code: EventLoopErrorCode.CLOSED })).toBe(false);
    expect(EventLoopError.isInstance(undefined)).toBe(false);
    const foreign = new Error('other copy');
    Object.defineProperty(foreign, Symbol.for('@byor/eventloop/error'), { value: true });
    Object.defineProperty(foreign, 'code', { value: EventLoopErrorCode.CLOSED });
    expect(ClosedError.isInstance(foreign)).toBe(true);
  });

  it('keeps the cause and the connection id', () => {
    const cause = new Error('boom');
    const error = new HandlerError(3, { cause });
    expect(error.cause).toBe(cause);
    expect(error.connectionId).toBe(3);
    expect(new ListenError('x', { cause }).cause).toBe(cause);
  });
});
