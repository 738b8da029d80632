import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, hasRedisServer, startRedisServer } from '../src/index.js';

/** Sends one inline command and resolves with the first reply bytes. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1'));
    });
    socket.write(`${command}\r\n`);
  });
}

describe('freePort', () => {
  it('gives a loopback port nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    await expect(ask(port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.skipIf(!hasRedisServer)('startRedisServer', () => {
  it('starts redis-server with the given arguments and removes its directory on stop', async () => {
    const server = await startRedisServer(['--requirepass', 'secret']);
    try {
      expect(await ask(server.port, 'PING')).toBe('-NOAUTH Authentication required.\r\n');
      expect(existsSync(server.dir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).toBe(false);
    await expect(ask(server.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });
});
