import fc from 'fast-check';
import { encodeCommand } from '@byor/protocol';
import { describe, expect, it } from 'vitest';
import { latin1 } from './helpers/arbitraries.js';
import type { Client } from '../src/client.js';
import { PrefetchingParser, scanFirstArguments } from '../src/pipeline-prefetch.js';
import { startServer } from '../src/index.js';

describe('scanFirstArguments', () => {
  it('finds the first argument of every complete command, and nothing of a cut one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latin1(20), { minLength: 1, maxLength: 5 }), { maxLength: 80 }),
        fc.nat(),
        (commands, cut) => {
          const frames = commands.map((argv) => encodeCommand(argv, 'latin1'));
          const whole = Buffer.concat(frames);
          const bytes = whole.subarray(0, whole.length === 0 ? 0 : cut % (whole.length + 1));
          const starts = new Int32Array(64);
          const ends = new Int32Array(64);
          const count = scanFirstArguments(bytes, starts, ends);
          // the model: complete frames in order, those with a first argument, at most 64
          const expected: string[] = [];
          let at = 0;
          for (let i = 0; i < commands.length && expected.length < 64; i++) {
            at += frames[i]!.length;
            if (at > bytes.length) break;
            const key = commands[i]![1];
            // a key equal to the one found before is found once
            if (key !== undefined && key !== expected.at(-1)) expected.push(key);
          }
          expect(count).toBe(expected.length);
          for (let i = 0; i < count; i++) {
            expect(bytes.toString('latin1', starts[i], ends[i])).toBe(expected[i]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the field or member a command names beside its key', () => {
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
        fc.array(fc.tuple(name, fc.array(latin1(12), { minLength: 1, maxLength: 4 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (commands) => {
          const argvs = commands.map(([command, args]) => [command, ...args]);
          const bytes = Buffer.concat(argvs.map((argv) => encodeCommand(argv, 'latin1')));
          const starts = new Int32Array(64);
          const ends = new Int32Array(64);
          const elements = {
            starts: new Int32Array(64),
            ends: new Int32Array(64),
            groupStarts: new Int32Array(64),
            groupEnds: new Int32Array(64),
          };
          const count = scanFirstArguments(bytes, starts, ends, elements);
          // the model: each command's key and element, but a key repeating the one before is
          // left out when the command names no element
          const expected: { key: string; element: string | undefined }[] = [];
          for (const argv of argvs) {
            const at = elementAt[argv[0]!.toLowerCase()] ?? -1;
            const element = at >= 0 && at < argv.length ? argv[at] : undefined;
            if (element === undefined && argv[1] === expected.at(-1)?.key) continue;
            expected.push({ key: argv[1]!, element });
          }
          expect(count).toBe(expected.length);
          expected.forEach(({ key, element }, i) => {
            expect(bytes.toString('latin1', starts[i], ends[i])).toBe(key);
            if (element === undefined) expect(elements.starts[i]).toBe(-1);
            else
              expect(bytes.toString('latin1', elements.starts[i], elements.ends[i])).toBe(element);
          });
        },
      ),
    );
  });

  it('stops at bytes that are not a RESP command, reading nothing past them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const starts = new Int32Array(64);
        const ends = new Int32Array(64);
        const count = scanFirstArguments(bytes, starts, ends);
        for (let i = 0; i < count; i++) {
          expect(starts[i]).toBeLessThanOrEqual(ends[i]!);
          expect(ends[i]).toBeLessThanOrEqual(bytes.length);
        }
      }),
    );
    const starts = new Int32Array(64);
    const ends = new Int32Array(64);
    expect(scanFirstArguments(Buffer.from('GET a\r\nGET b\r\n'), starts, ends)).toBe(0);
    expect(scanFirstArguments(Buffer.from('*2\r\n$3\r\nGET\r\n$99\r\nab\r\n'), starts, ends)).toBe(
      0,
    );
  });
});

describe('PrefetchingParser', () => {
  it('prefetches reads of several keys, and scans only every eighth read of a client that repeats one key', () => {
    const prefetched: number[] = [];
    const parser = new PrefetchingParser();
    parser.client = {
      db: {
        prefetchBytes: (_b: Uint8Array, _s: Int32Array, _e: Int32Array, n: number) =>
          prefetched.push(n),
      },
    } as unknown as Client;
    const read = (argvs: string[][]) => {
      parser.push(Buffer.concat(argvs.map((argv) => Buffer.from(encodeCommand(argv)))));
      while (parser.next() !== undefined); // the commands are taken, as the network does
    };
    const distinct = Array.from({ length: 16 }, (_, i) => ['GET', `key:${i}`]);
    const same = Array.from({ length: 16 }, () => ['LPUSH', 'mylist', 'x']);
    read(distinct);
    expect(prefetched).toEqual([16]);
    // one key sixteen times: nothing to prefetch, and the next seven reads are not scanned
    read(same);
    for (let i = 0; i < 7; i++) read(distinct);
    expect(prefetched).toEqual([16]);
    read(distinct);
    expect(prefetched).toEqual([16, 16]);
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
