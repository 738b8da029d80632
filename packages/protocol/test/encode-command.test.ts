import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand, InvalidArgumentError, RequestParser } from '../src/index.js';
import { latin1String } from './support/chunks.js';

describe('encodeCommand', () => {
  it('writes a multibulk request', () => {
    expect(encodeCommand(['SET', 'k', 'v']).toString()).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n',
    );
    expect(encodeCommand(['PING']).toString()).toBe('*1\r\n$4\r\nPING\r\n');
    expect(encodeCommand(['ECHO', '']).toString()).toBe('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n');
  });

  it('encodes strings as UTF-8 by default, latin1 on request, bytes as they are', () => {
    expect(encodeCommand(['ECHO', 'é']).toString('latin1')).toBe(
      '*2\r\n$4\r\nECHO\r\n$2\r\n\xc3\xa9\r\n',
    );
    expect(encodeCommand(['ECHO', '\xe9'], 'latin1').toString('latin1')).toBe(
      '*2\r\n$4\r\nECHO\r\n$1\r\n\xe9\r\n',
    );
    expect(encodeCommand(['ECHO', new Uint8Array([0, 255])]).toString('latin1')).toBe(
      '*2\r\n$4\r\nECHO\r\n$2\r\n\x00\xff\r\n',
    );
    const many = Array.from({ length: 12 }, (_, i) => String(i));
    expect(encodeCommand(many).toString()).toBe(
      `*12\r\n${many.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`,
    );
  });

  it('refuses an empty command', () => {
    expect(() => encodeCommand([])).toThrow(InvalidArgumentError);
  });

  it('round trips through RequestParser', () => {
    fc.assert(
      fc.property(fc.array(latin1String(), { minLength: 1, maxLength: 8 }), (args) => {
        const parser = new RequestParser();
        parser.push(encodeCommand(args, 'latin1'));
        expect(parser.next()).toEqual(args);
        const utf8 = new RequestParser();
        utf8.push(encodeCommand(args));
        expect(utf8.next()).toEqual(args.map((arg) => Buffer.from(arg).toString('latin1')));
      }),
    );
  });
});
