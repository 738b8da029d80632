import { describe, expect, it } from 'vitest';
import {
  CapacityExceededError,
  HashTable,
  HashTableError,
  HashTableErrorCode,
  HashTableInvariantError,
  InvalidArgumentError,
} from '../src/index.js';

describe('errors', () => {
  it.each([
    [new InvalidArgumentError('bad'), InvalidArgumentError, 'BYOR_HASHTABLE_INVALID_ARGUMENT'],
    [new CapacityExceededError(7), CapacityExceededError, 'BYOR_HASHTABLE_CAPACITY_EXCEEDED'],
    [new HashTableInvariantError('broken'), HashTableInvariantError, 'BYOR_HASHTABLE_INVARIANT'],
  ] as const)('%s has a stable code, a name and the brand', (error, Class, code) => {
    expect(error.code).toBe(code);
    expect(Object.values(HashTableErrorCode)).toContain(code);
    expect(error.name).toBe(Class.name);
    expect(error).toBeInstanceOf(Error);
    expect(HashTableError.isInstance(error)).toBe(true);
    expect(Class.isInstance(error)).toBe(true);
  });

  it('tells the classes apart', () => {
    const invalid = new InvalidArgumentError('bad');
    expect(CapacityExceededError.isInstance(invalid)).toBe(false);
    expect(HashTableInvariantError.isInstance(invalid)).toBe(false);
  });

  it('recognizes an error from another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('other copy'), {
      code: HashTableErrorCode.INVALID_ARGUMENT,
    });
    Object.defineProperty(foreign, Symbol.for('@byor/hashtable/error'), { value: true });
    expect(HashTableError.isInstance(foreign)).toBe(true);
    expect(InvalidArgumentError.isInstance(foreign)).toBe(true);
    expect(HashTableError.isInstance(new Error('plain'))).toBe(false);
    expect(HashTableError.isInstance(null)).toBe(false);
    expect(HashTableError.isInstance('BYOR_HASHTABLE_INVALID_ARGUMENT')).toBe(false);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new InvalidArgumentError('bad', { cause }).cause).toBe(cause);
  });

  it('formats the capacity message', () => {
    expect(new CapacityExceededError(2147483647).message).toBe(
      'hashtable cannot hold more than 2147483647 entries',
    );
  });

  it.each([
    [() => new HashTable({ seed: 1.5 }), 'seed must be an integer in [0, 2^53), got 1.5'],
    [() => new HashTable({ random: 3 as never }), 'options.random must be a function'],
    [() => new HashTable().rehashStep(0), 'budget must be a positive integer, got 0'],
    [() => new HashTable().rehashStep(1.5), 'budget must be a positive integer, got 1.5'],
    [() => new HashTable().scan(0, 1, 5 as never), 'visit must be a function'],
  ])('throws InvalidArgumentError: %s', (call, message) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
  });
});
