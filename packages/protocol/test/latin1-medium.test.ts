import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEDIUM_MAX, latin1Medium } from '../src/latin1-medium.js';
import { RequestParser } from '../src/request-parser.js';

describe('latin1Medium', () => {
  it('decodes every length it takes exactly as latin1, at any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 13, max: MEDIUM_MAX }),
        fc.uint8Array({ minLength: MEDIUM_MAX + 8, maxLength: 64 }),
        fc.nat(7),
        (length, bytes, offset) => {
          const buffer = Buffer.from(bytes);
          expect(latin1Medium(buffer, offset, length)).toBe(
            buffer.toString('latin1', offset, offset + length),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a length it has no case for', () => {
    expect(() => latin1Medium(Buffer.alloc(40), 0, 12)).toThrow(RangeError);
    expect(() => latin1Medium(Buffer.alloc(40), 0, MEDIUM_MAX + 1)).toThrow(RangeError);
  });

  it('the parser gives back arguments of 10 to 30 bytes unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 10, maxLength: 30 }), { minLength: 1, maxLength: 6 }),
        (args) => {
          const strings = args.map((arg) => Buffer.from(arg).toString('latin1'));
          const parser = new RequestParser();
          parser.push(
            Buffer.from(
              `*${strings.length}\r\n${strings.map((s) => `$${s.length}\r\n${s}\r\n`).join('')}`,
              'latin1',
            ),
          );
          expect(parser.next()).toEqual(strings);
        },
      ),
      { numRuns: 300 },
    );
  });
});
