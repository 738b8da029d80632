import { describe, expect, it } from 'vitest';
import { decodeThrown, encodeThrown } from '../src/remote-error.js';

/** What the pool gets back: encoded in the worker, structured-cloned, decoded. */
function roundTrip(thrown: unknown): unknown {
  return decodeThrown(structuredClone(encodeThrown(thrown)));
}

class ParseError extends Error {
  override name = 'ParseError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

class Unnamed extends Error {}

describe('errors crossing threads', () => {
  it.each([
    { thrown: new Error('plain'), type: Error, name: 'Error' },
    { thrown: new TypeError('type'), type: TypeError, name: 'TypeError' },
    { thrown: new RangeError('range'), type: RangeError, name: 'RangeError' },
    { thrown: new SyntaxError('syntax'), type: SyntaxError, name: 'SyntaxError' },
    { thrown: new ReferenceError('reference'), type: ReferenceError, name: 'ReferenceError' },
    { thrown: new EvalError('eval'), type: EvalError, name: 'EvalError' },
    { thrown: new URIError('uri'), type: URIError, name: 'URIError' },
    { thrown: new ParseError('parse', 3), type: Error, name: 'ParseError' },
    { thrown: new Unnamed('unnamed'), type: Error, name: 'Unnamed' },
    {
      thrown: new DOMException('dom', 'DataCloneError'),
      type: DOMException,
      name: 'DataCloneError',
    },
  ])('$name comes back as an instance of $type.name named $name', ({ thrown, type, name }) => {
    const error = roundTrip(thrown) as Error;
    expect(error).toBeInstanceOf(type);
    expect(error.name).toBe(name);
    expect(error.message).toBe(thrown.message);
    expect(error.stack).toBe(thrown.stack);
  });

  it('keeps cloneable own properties and drops the others', () => {
    const thrown = Object.assign(new ParseError('bad', 7), {
      code: 'E_PARSE',
      details: { line: 1 },
      callback: () => {},
    });
    const error = roundTrip(thrown) as ParseError & { code: string; details: unknown };
    expect(error.offset).toBe(7);
    expect(error.code).toBe('E_PARSE');
    expect(error.details).toEqual({ line: 1 });
    expect(Object.hasOwn(error, 'callback')).toBe(false);
  });

  it('rebuilds the cause chain and AggregateError#errors', () => {
    const thrown = new AggregateError([new TypeError('a'), 'b'], 'many', {
      cause: new Error('outer', { cause: new RangeError('inner') }),
    });
    const error = roundTrip(thrown) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors[0]).toBeInstanceOf(TypeError);
    expect(error.errors[1]).toBe('b');
    const outer = error.cause as Error;
    expect(outer.message).toBe('outer');
    expect(outer.cause).toBeInstanceOf(RangeError);
  });

  it('keeps cause and stack non-enumerable, as on a native error', () => {
    const error = roundTrip(new Error('x', { cause: 1 })) as Error;
    expect(Object.keys(error)).toEqual([]);
    expect(error.cause).toBe(1);
  });

  it('stops following a cyclic cause chain', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.defineProperty(first, 'cause', { value: second });
    let error = roundTrip(first) as Error | undefined;
    let depth = 0;
    while (error?.cause !== undefined) {
      error = error.cause as Error;
      depth++;
    }
    expect(depth).toBe(8);
  });

  it.each([
    ['a string', 'text', 'text'],
    ['a number', 42, 42],
    ['undefined', undefined, undefined],
    ['null', null, null],
    ['a plain object', { reason: 1 }, { reason: 1 }],
    ['a function (as its source)', function named() {}, 'function named() {}'],
    ['a symbol (as its description)', Symbol('s'), 'Symbol(s)'],
  ])('passes %s through', (_, thrown, expected) => {
    expect(roundTrip(thrown)).toEqual(expected);
  });
});
