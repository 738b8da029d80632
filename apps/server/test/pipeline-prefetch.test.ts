import fc from 'fast-check';
import { encodeCommand, RequestParser } from '@byor/protocol';
import { describe, expect, it } from 'vitest';
import { latin1 } from './helpers/arbitraries.js';
import type { Client } from '../src/client.js';
import { keysOf, PrefetchingParser } from '../src/pipeline-prefetch.js';
import { startServer } from '../src/index.js';

/** What a client's database is asked to prefetch, read by read. */
function fakeClient(prefetched: { keys: string[]; elements: (string | undefined)[] }[]): Client {
  return {
    db: {
      prefetchKeys: (keys: string[], elements: (string | undefined)[]) =>
        prefetched.push({ keys: [...keys], elements: elements.slice(0, keys.length) }),
    },
  } as unknown as Client;
}

/** Every frame and the error a parser gives for `chunks`, with its query buffer after each. */
function drain(
  parser: RequestParser,
  chunks: readonly Buffer[],
): { frames: (string[] | string)[]; buffered: number[] } {
  const frames: (string[] | string)[] = [];
  const buffered: number[] = [];
  try {
    for (const chunk of chunks) {
      parser.push(chunk);
      for (let frame = parser.next(); frame !== undefined; frame = parser.next()) {
        frames.push(frame);
        buffered.push(parser.bufferedBytes);
      }
      buffered.push(parser.bufferedBytes);
    }
  } catch (error) {
    frames.push(`error: ${(error as Error).message}`);
  }
  return { frames, buffered };
}

describe('keysOf', () => {
  it("finds each command's key and the field or member it names, a repeated key once", () => {
    const name = fc.constantFrom('HSET', 'hget', 'SADD', 'ZADD', 'ZINCRBY', 'GET', 'SET', 'Zscore');
    // where the element is, by name (-1: none)
    const elementAt: Record<string, number> = {
      hset: 2,
      hget: 2,
      sadd: 2,
      zadd: 3,
      zincrby: 3,
      zscore: 2,
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, fc.array(fc.constantFrom('k', 'l', 'f', 'g'), { maxLength: 4 })), {
          maxLength: 64,
        }),
        (commands) => {
          const frames = commands.map(([command, args]) => [command, ...args]);
          const keys = new Array<string>(64).fill('');
          const elements = new Array<string | undefined>(64).fill(undefined);
          const found = keysOf(frames, frames.length, keys, elements);
          // the model: each command's key and element, but a key repeating the one before is
          // left out when the command names no element
          const expected: { key: string; element: string | undefined }[] = [];
          for (const argv of frames) {
            if (argv.length < 2) continue;
            const at = elementAt[argv[0]!.toLowerCase()] ?? -1;
            const element = at >= 0 && at < argv.length ? argv[at] : undefined;
            if (element === undefined && argv[1] === expected.at(-1)?.key) continue;
            expected.push({ key: argv[1]!, element });
          }
          expect(found).toBe(expected.length);
          expect(keys.slice(0, found)).toEqual(expected.map(({ key }) => key));
          expect(elements.slice(0, found)).toEqual(expected.map(({ element }) => element));
        },
      ),
    );
  });
});

describe('PrefetchingParser', () => {
  it('gives the frames, errors and query buffer of a plain parser, however the input is cut', () => {
    const command = fc.oneof(
      { weight: 8, arbitrary: fc.array(latin1(20), { minLength: 1, maxLength: 5 }) },
      // commands that change an unauthenticated client's limits end the parsing ahead
      { weight: 1, arbitrary: fc.constantFrom(['AUTH', 'pw'], ['hello', '3'], ['RESET']) },
    );
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        // malformed bytes spliced in somewhere, or none
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('*x\r\n', '$', '*2\r\n$-5\r\n', 'GET a\r\n'))),
        (commands, cuts, junk) => {
          let whole = Buffer.concat(commands.map((argv) => Buffer.from(encodeCommand(argv))));
          if (junk !== null) {
            const at = whole.length === 0 ? 0 : junk[0] % whole.length;
            whole = Buffer.concat([
              whole.subarray(0, at),
              Buffer.from(junk[1]),
              whole.subarray(at),
            ]);
          }
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let start = 0;
          for (const point of [...points, whole.length]) {
            chunks.push(whole.subarray(start, point));
            start = point;
          }
          const prefetching = new PrefetchingParser();
          prefetching.client = fakeClient([]);
          expect(drain(prefetching, chunks)).toEqual(drain(new RequestParser(), chunks));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses nothing ahead of a command that changes the limits, nor for an unauthenticated client', () => {
    const big = 'x'.repeat(20_000); // over an unauthenticated client's 16 KiB
    const read = Buffer.concat(
      [['GET', 'a'], ['RESET'], ['SET', 'k', big]].map((argv) => Buffer.from(encodeCommand(argv))),
    );
    const parser = new PrefetchingParser();
    parser.client = fakeClient([]);
    parser.push(read);
    expect(parser.next()).toEqual(['GET', 'a']);
    expect(parser.next()).toEqual(['RESET']);
    // the server ran RESET: the client is not authenticated any more
    parser.authRequired = true;
    expect(() => parser.next()).toThrow(/unauthenticated bulk length/);

    const prefetched: { keys: string[]; elements: (string | undefined)[] }[] = [];
    const locked = new PrefetchingParser({ authRequired: true });
    locked.client = fakeClient(prefetched);
    locked.push(
      Buffer.concat(
        [
          ['GET', 'a'],
          ['GET', 'b'],
        ].map((argv) => Buffer.from(encodeCommand(argv))),
      ),
    );
    expect(prefetched).toEqual([]);
    expect(locked.next()).toEqual(['GET', 'a']);
  });

  it('prefetches reads of several keys, and parses ahead only every eighth read of a client that repeats one key', () => {
    const prefetched: { keys: string[]; elements: (string | undefined)[] }[] = [];
    const parser = new PrefetchingParser();
    parser.client = fakeClient(prefetched);
    const read = (argvs: string[][]) => {
      parser.push(Buffer.concat(argvs.map((argv) => Buffer.from(encodeCommand(argv)))));
      while (parser.next() !== undefined); // the commands are taken, as the network does
    };
    const distinct = Array.from({ length: 16 }, (_, i) => ['GET', `key:${i}`]);
    const same = Array.from({ length: 16 }, () => ['LPUSH', 'mylist', 'x']);
    const fields = Array.from({ length: 16 }, (_, i) => ['HSET', 'myhash', `f${i}`, 'v']);
    read(distinct);
    expect(prefetched).toHaveLength(1);
    expect(prefetched[0]!.keys).toEqual(distinct.map((argv) => argv[1]));
    // one key sixteen times: nothing to prefetch, and the next seven reads are not parsed ahead
    read(same);
    for (let i = 0; i < 7; i++) read(distinct);
    expect(prefetched).toHaveLength(1);
    read(distinct);
    expect(prefetched).toHaveLength(2);
    // one key with sixteen fields: the key at each field's index
    read(fields);
    expect(prefetched[2]).toEqual({
      keys: fields.map(() => 'myhash'),
      elements: fields.map((argv) => argv[2]),
    });
  });
});

describe('pipelined batches through the prefetching parser', () => {
  it('replies to every command of a pipeline as without it, across reads cut anywhere', async () => {
    const server = await startServer({ port: 0 });
    try {
      const { Socket } = await import('node:net');
      const socket = new Socket();
      await new Promise<void>((resolve) => socket.connect(server.port, '127.0.0.1', resolve));
      const commands: string[][] = [];
      for (let i = 0; i < 600; i++) {
        commands.push(['SET', `k${i % 50}`, `v${i}`]);
        commands.push(['GET', `k${(i * 7) % 50}`]);
        commands.push(['INCR', `n${i % 5}`]);
        // a hash big enough for its hashtable encoding, its fields prefetched
        commands.push(['HSET', 'h', `f${(i * 13) % 1000}`, `v${i}`]);
        commands.push(['HGET', 'h', `f${(i * 11) % 1000}`]);
      }
      const bytes = Buffer.concat(commands.map((argv) => Buffer.from(encodeCommand(argv))));
      let received = '';
      socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
      // write in uneven pieces, so reads start and end inside frames
      for (let at = 0; at < bytes.length;) {
        const size = 1 + ((at * 7919) % 997);
        socket.write(bytes.subarray(at, at + size));
        at += size;
      }
      // the model: the same commands in order
      const values = new Map<string, string>();
      const hash = new Map<string, string>();
      let expected = '';
      for (const [name, key, a, b] of commands) {
        if (name === 'SET') {
          values.set(key!, a!);
          expected += '+OK\r\n';
        } else if (name === 'GET' || name === 'HGET') {
          const v = name === 'GET' ? values.get(key!) : hash.get(a!);
          expected += v === undefined ? '$-1\r\n' : `$${v.length}\r\n${v}\r\n`;
        } else if (name === 'HSET') {
          expected += `:${hash.has(a!) ? 0 : 1}\r\n`;
          hash.set(a!, b!);
        } else {
          const n = Number(values.get(key!) ?? '0') + 1;
          values.set(key!, String(n));
          expected += `:${n}\r\n`;
        }
      }
      for (let i = 0; i < 200 && received.length < expected.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(received).toBe(expected);
      socket.destroy();
    } finally {
      await server.close();
    }
  });
});
