import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError, ProtocolError } from '../src/index.js';

describe('errors', () => {
  it('have stable codes and names', () => {
    expect(ErrorCodes).toEqual({
      PROTOCOL: 'BYOR_PROTOCOL_ERROR',
      INVALID_ARGUMENT: 'BYOR_INVALID_ARGUMENT',
    });
    const protocol = new ProtocolError('Protocol error: invalid bulk length');
    expect(protocol.code).toBe('BYOR_PROTOCOL_ERROR');
    expect(protocol.name).toBe('ProtocolError');
    expect(protocol.message).toBe('Protocol error: invalid bulk length');
    expect(protocol).toBeInstanceOf(Error);
    const argument = new InvalidArgumentError('bad');
    expect(argument.code).toBe('BYOR_INVALID_ARGUMENT');
    expect(argument.name).toBe('InvalidArgumentError');
    expect(argument).toBeInstanceOf(TypeError);
  });

  it('carry an ES2022 cause', () => {
    const cause = new Error('underlying');
    expect(new ProtocolError('x', { cause }).cause).toBe(cause);
    expect(new InvalidArgumentError('x', { cause }).cause).toBe(cause);
  });

  it('isInstance() recognises the brand, also from another copy of the package', () => {
    expect(ProtocolError.isInstance(new ProtocolError('x'))).toBe(true);
    expect(ProtocolError.isInstance(new InvalidArgumentError('x'))).toBe(false);
    expect(InvalidArgumentError.isInstance(new InvalidArgumentError('x'))).toBe(true);
    expect(InvalidArgumentError.isInstance(new ProtocolError('x'))).toBe(false);
    for (const other of [
      new Error('x'),
      null,
      undefined,
      'ProtocolError',
      { code: 'BYOR_PROTOCOL_ERROR' },
    ]) {
      expect(ProtocolError.isInstance(other)).toBe(false);
      expect(InvalidArgumentError.isInstance(other)).toBe(false);
    }
    // what a second copy of the package creates: another class, the same global symbol
    class CopiedProtocolError extends Error {}
    Object.defineProperty(
      CopiedProtocolError.prototype,
      Symbol.for('@byor/protocol.ProtocolError'),
      {
        value: true,
      },
    );
    expect(ProtocolError.isInstance(new CopiedProtocolError('x'))).toBe(true);
  });
});
