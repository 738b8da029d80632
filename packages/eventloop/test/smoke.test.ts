import { afterEach, describe, expect, it } from 'vitest';
import { EventLoop } from '../src/index.js';
import { TestClient, lineCodec, portOf } from './helpers.js';

describe('smoke', () => {
  let loop: EventLoop | undefined;
  afterEach(async () => {
    await loop?.close();
    loop = undefined;
  });

  it('echoes pipelined lines in order', async () => {
    loop = new EventLoop();
    const listener = await loop.listen(
      { port: 0, host: '127.0.0.1' },
      {
        codec: lineCodec,
        createState: () => undefined,
        onFrame: (line, connection) => connection.write(Buffer.from(`${line.toUpperCase()}\n`)),
      },
    );
    const client = await TestClient.connect(portOf(listener));
    client.send('a\nb\nc');
    client.send('\n');
    await client.untilBytes(6);
    expect(client.text).toBe('A\nB\nC\n');
    client.destroy();
  });
});
