import { describe, expect, it } from 'vitest';
import {
  CapacityError,
  HeapError,
  HeapErrorCode,
  HeapInvariantError,
  InvalidKeyError,
  StaleHandleError,
} from '../src/index.js';

describe('errors', () => {
  it.each([
    [new StaleHandleError(7), StaleHandleError, 'BYOR_HEAP_STALE_HANDLE', 'StaleHandleError'],
    [new InvalidKeyError(Number.NaN), InvalidKeyError, 'BYOR_HEAP_INVALID_KEY', 'InvalidKeyError'],
    [new CapacityError('full'), CapacityError, 'BYOR_HEAP_CAPACITY', 'CapacityError'],
    [
      new HeapInvariantError('bad'),
      HeapInvariantError,
      'BYOR_HEAP_INVARIANT',
      'HeapInvariantError',
    ],
  ])('%s has a stable code, a name and a brand', (error, Class, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(HeapError);
    expect(error).toBeInstanceOf(Error);
    expect(HeapError.isInstance(error)).toBe(true);
    expect(Class.isInstance(error)).toBe(true);
  });

  it('isInstance tells the classes apart and rejects look-alikes', () => {
    expect(StaleHandleError.isInstance(new InvalidKeyError(1))).toBe(false);
    expect(HeapError.isInstance(new Error('x'))).toBe(false);
    expect(HeapError.isInstance({ code: HeapErrorCode.STALE_HANDLE })).toBe(false);
    expect(HeapError.isInstance(null)).toBe(false);
    expect(HeapError.isInstance('BYOR_HEAP_STALE_HANDLE')).toBe(false);
  });

  it('isInstance recognises an error from another copy of the package by its brand', () => {
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('@byor/heap/error'), { value: true });
    Object.defineProperty(foreign, 'code', { value: HeapErrorCode.STALE_HANDLE });
    expect(HeapError.isInstance(foreign)).toBe(true);
    expect(StaleHandleError.isInstance(foreign)).toBe(true);
  });

  it('keeps the ES2022 cause', () => {
    const cause = new Error('root');
    expect(new CapacityError('full', { cause }).cause).toBe(cause);
    expect(new StaleHandleError(1, { cause }).cause).toBe(cause);
  });

  it('StaleHandleError names the handle', () => {
    expect(new StaleHandleError(4294967296).message).toBe(
      'heap handle 4294967296 is not in the heap',
    );
  });
});
