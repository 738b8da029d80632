import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Codec,
  type Connection,
  type Decoder,
  EventLoop,
  type ListenerHandlers,
} from '../src/index.js';
import { TestClient, eventually, lineCodec, portOf } from './helpers.js';

/** A line decoder that keeps a view of the chunk it was pushed until `detach()` copies it. */
class DetachingLineDecoder implements Decoder<string> {
  /** every chunk pushed, to check where the loop reads into */
  readonly chunks: Buffer[] = [];
  detaches = 0;
  #pending: Buffer = Buffer.alloc(0);

  get bufferedBytes(): number {
    return this.#pending.length;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    // nothing pending: borrow the chunk itself, as the contract allows
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
  }

  next(): string | undefined {
    const newline = this.#pending.indexOf(10);
    if (newline < 0) return undefined;
    const line = this.#pending.toString('latin1', 0, newline);
    this.#pending = this.#pending.subarray(newline + 1);
    return line;
  }

  detach(): void {
    this.detaches++;
    this.#pending = Buffer.from(this.#pending);
  }
}

const decoders: DetachingLineDecoder[] = [];
const detachingCodec: Codec<string> = {
  createDecoder: () => {
    const decoder = new DetachingLineDecoder();
    decoders.push(decoder);
    return decoder;
  },
};

const loops: EventLoop<null>[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(loops.splice(0).map((loop) => loop.close({ timeout: 100 })));
  decoders.length = 0;
});

const paused: Connection<null>[] = [];

async function echoServer(codec: Codec<string>, sharedReadBuffer: boolean): Promise<number> {
  const loop = new EventLoop<null>({ sharedReadBuffer });
  loops.push(loop);
  const handlers: ListenerHandlers<string, null> = {
    codec,
    createState: () => null,
    onFrame: (line, connection) => {
      if (line === 'PAUSE') {
        connection.pause();
        paused.push(connection);
        return;
      }
      connection.write(Buffer.from(`${line}\n`, 'latin1'));
    },
  };
  return portOf(await loop.listen({ port: 0, host: '127.0.0.1' }, handlers));
}

async function connect(port: number): Promise<TestClient> {
  const client = await TestClient.connect(port);
  client.socket.setNoDelay(true);
  clients.push(client);
  return client;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('shared read buffer', () => {
  const modes = [
    ['a decoder with detach(), shared buffer', detachingCodec, true],
    ['a decoder without detach(), shared buffer', lineCodec, true],
    ['a Buffer per read (sharedReadBuffer: false)', lineCodec, false],
  ] as const;

  for (const [name, codec, shared] of modes) {
    it(`${name}: interleaved partial frames of several clients stay intact`, async () => {
      const port = await echoServer(codec, shared);
      const line = fc.stringMatching(/^[a-z0-9 ]{0,20}$/);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(line, { minLength: 1, maxLength: 12 }), {
            minLength: 2,
            maxLength: 4,
          }),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 30 }),
          async (streams, steps) => {
            const inputs = streams.map((lines) =>
              Buffer.from(lines.map((text) => `${text}\n`).join(''), 'latin1'),
            );
            const sockets = await Promise.all(inputs.map(() => connect(port)));
            const sent = inputs.map(() => 0);
            // each step sends a piece of one client's stream (cut anywhere, mid-line too)
            for (const [who, size] of steps) {
              const index = who % inputs.length;
              const input = inputs[index]!;
              const end = Math.min(input.length, sent[index]! + 1 + (size % 9));
              sockets[index]!.send(input.subarray(sent[index], end));
              sent[index] = end;
              await turn();
            }
            for (const [index, input] of inputs.entries()) {
              sockets[index]!.send(input.subarray(sent[index]));
            }
            for (const [index, input] of inputs.entries()) {
              await sockets[index]!.untilBytes(input.length);
              expect(sockets[index]!.received.toString('latin1')).toBe(input.toString('latin1'));
            }
            for (const socket of sockets) socket.destroy();
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('every connection reads into one buffer, and detach() runs only when bytes are left', async () => {
    const port = await echoServer(detachingCodec, true);
    const first = await connect(port);
    const second = await connect(port);
    first.send('one\ntw');
    await eventually(() => first.text === 'one\n');
    second.send('three\n');
    await second.untilBytes(6);
    first.send('o\n');
    await first.untilBytes(8);
    expect(first.text).toBe('one\ntwo\n');
    const [a, b] = decoders;
    expect(a!.chunks[0]!.buffer).toBe(b!.chunks[0]!.buffer);
    expect(a!.chunks[1]!.buffer).toBe(a!.chunks[0]!.buffer);
    expect([a!.detaches, b!.detaches]).toEqual([1, 0]);
  });

  it('a paused connection keeps the bytes it is sent while other connections read', async () => {
    const port = await echoServer(detachingCodec, true);
    const blocked = await connect(port);
    const other = await connect(port);
    blocked.send('PAUSE\nheld one\nheld');
    await eventually(() => paused.length === 1);
    await eventually(() => decoders[0]!.bufferedBytes === 'held one\nheld'.length);
    other.send('x'.repeat(1000) + '\n');
    await other.untilBytes(1001);
    blocked.send(' two\n');
    await eventually(() => decoders[0]!.bufferedBytes === 'held one\nheld two\n'.length);
    other.send('y'.repeat(1000) + '\n');
    await other.untilBytes(2002);
    paused.pop()!.resume();
    await blocked.untilBytes('held one\nheld two\n'.length);
    expect(blocked.text).toBe('held one\nheld two\n');
  });
});
