import { describe, expect, it } from 'vitest';
import {
  AvlCapacityError,
  AvlError,
  AvlErrorCode,
  AvlInvalidNodeError,
  AvlInvariantError,
  AvlTree,
  MAX_NODES,
} from '../src/index.js';

describe('errors', () => {
  const cases: [string, AvlError, string, string][] = [
    ['invariant', new AvlInvariantError('broken'), 'BYOR_AVL_INVARIANT', 'AvlInvariantError'],
    ['invalid node', new AvlInvalidNodeError(7), 'BYOR_AVL_INVALID_NODE', 'AvlInvalidNodeError'],
    ['capacity', new AvlCapacityError('full'), 'BYOR_AVL_CAPACITY', 'AvlCapacityError'],
  ];

  it.each(cases)('%s error has a stable code and name', (_label, error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
    expect(AvlError.isInstance(error)).toBe(true);
  });

  it('isInstance tells the classes apart and rejects look-alikes', () => {
    const invariant = new AvlInvariantError('x');
    expect(AvlInvariantError.isInstance(invariant)).toBe(true);
    expect(AvlInvalidNodeError.isInstance(invariant)).toBe(false);
    expect(AvlCapacityError.isInstance(invariant)).toBe(false);
    expect(AvlError.isInstance(new Error('x'))).toBe(false);
    expect(AvlError.isInstance({ code: AvlErrorCode.INVARIANT })).toBe(false);
    expect(AvlError.isInstance(null)).toBe(false);
    expect(AvlError.isInstance('BYOR_AVL_INVARIANT')).toBe(false);
  });

  it('isInstance recognises an error from another copy of the package by its global brand', () => {
    const foreign = Object.assign(new Error('from a second copy'), {
      [Symbol.for('@byor/avl.error')]: true,
      [Symbol.for('@byor/avl.AvlInvalidNodeError')]: true,
    });
    expect(AvlError.isInstance(foreign)).toBe(true);
    expect(AvlInvalidNodeError.isInstance(foreign)).toBe(true);
    expect(foreign).not.toBeInstanceOf(AvlInvalidNodeError);
  });

  it('keeps the cause', () => {
    const cause = new RangeError('Array buffer allocation failed');
    expect(new AvlCapacityError('cannot grow', { cause }).cause).toBe(cause);
  });

  it('refuses a capacity past MAX_NODES', () => {
    expect(() => new AvlTree<number>(undefined, { capacity: MAX_NODES + 1 })).toThrow(
      AvlCapacityError,
    );
    expect(() => new AvlTree<number>(undefined, { capacity: Number.NaN })).toThrow(
      AvlCapacityError,
    );
  });
});
