import { encodeCommand } from '@byor/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyCounter } from '../src/bench/reply-counter.js';
import { arbitraryReply, type GeneratedReply } from './helpers/replies.js';

function countAll(chunks: readonly Buffer[]): {
  replies: number;
  errors: number;
  firstError: string | undefined;
} {
  const counter = new ReplyCounter();
  let replies = 0;
  for (const chunk of chunks) replies += counter.push(chunk);
  return { replies, errors: counter.errors, firstError: counter.firstError };
}

/** Cuts bytes at the given fractions of their length. */
function cut(bytes: Buffer, fractions: readonly number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

describe('ReplyCounter', () => {
  it('counts replies and top-level errors however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryReply({ resp3: true, attributes: true }), { maxLength: 12 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (replies: GeneratedReply[], fractions) => {
          const bytes = Buffer.concat(replies.map((reply) => Buffer.from(reply.bytes, 'latin1')));
          const errors = replies.filter((reply) => reply.isError).length;
          expect(countAll(cut(bytes, fractions))).toMatchObject({
            replies: replies.length,
            errors,
          });
          // and byte by byte
          const single = [...bytes].map((byte) => Buffer.from([byte]));
          expect(countAll(single)).toMatchObject({ replies: replies.length, errors });
        },
      ),
    );
  });

  it.each([
    ['+OK\r\n', 1, 0],
    ['$-1\r\n*-1\r\n_\r\n', 3, 0],
    ['*0\r\n%0\r\n~0\r\n', 3, 0],
    ['$4\r\nhe\r\n\r\n', 1, 0],
    ['*2\r\n*1\r\n:1\r\n$1\r\n\n\r\n', 1, 0],
    ['-ERR x\r\n*1\r\n-ERR nested\r\n', 2, 1],
    ['!5\r\nERR x\r\n', 1, 1],
    ['|1\r\n+ttl\r\n:3\r\n$2\r\nhi\r\n', 1, 0],
    ['*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n', 1, 0],
    ['>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n', 1, 0],
    ['%1\r\n*2\r\n:1\r\n:2\r\n=7\r\ntxt:abc\r\n', 1, 0],
  ])('%j holds %d replies, %d errors', (text, replies, errors) => {
    expect(countAll([Buffer.from(text, 'latin1')])).toMatchObject({ replies, errors });
  });

  it('keeps the first error text', () => {
    expect(countAll([Buffer.from('-ERR first\r\n-ERR second\r\n')]).firstError).toBe('ERR first');
    expect(countAll([Buffer.from('!9\r\nERR bulky\r\n')]).firstError).toBe('ERR bulky');
  });

  it('counts nothing in a request (a sanity check of the fixture encoder)', () => {
    // a multibulk request is an array of bulks: one "reply" to the counter
    expect(countAll([encodeCommand(['SET', 'k', 'v'])]).replies).toBe(1);
  });

  it('refuses nesting deeper than 64', () => {
    expect(() => new ReplyCounter().push(Buffer.from('*1\r\n'.repeat(65)))).toThrow(RangeError);
  });
});
