import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCommands } from '../../src/commands/index.js';
import { persistenceCommands } from '../../src/commands/persistence.js';
import { Config } from '../../src/config/config.js';
import { crc64 } from '../../src/persistence/crc64.js';
import { silentLogger } from '../../src/logger.js';
import { Network } from '../../src/network.js';
import {
  attachPersistence,
  persistenceOf,
  type Persistence,
} from '../../src/persistence/persistence.js';
import { Server } from '../../src/server.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/start.js';

/**
 * Starts byor with its persistence commands. Uses startServer once the command group is
 * registered in commands/index.ts (requested from the lead); until then it assembles the server
 * the same way with the group added.
 */
export async function startByor(options: StartServerOptions = {}): Promise<RunningServer> {
  if (allCommands.includes(persistenceCommands)) return startServer({ port: 0, ...options });
  const config = new Config();
  for (const [name, value] of Object.entries(options.config ?? {}))
    config.setFromCode(name, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
  config.setFromCode('port', String(options.port ?? 0));
  const server = new Server(
    config,
    options.logger ?? silentLogger(),
    options.clock ?? { now: () => Date.now() },
    [...allCommands, persistenceCommands],
  );
  const network = new Network(server);
  await attachPersistence(server, options, network.closed);
  await network.listen();
  const host = network.host;
  return {
    port: server.port,
    host,
    url: `redis://${host}:${server.port}`,
    server,
    close: () => network.close(),
    closed: network.closed,
  };
}

/** The persistence of a running server. */
export function persistence(running: RunningServer): Persistence {
  return persistenceOf(running.server);
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix = 'byor-persist-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An RDB file's bytes: `body` followed by its CRC-64 (little-endian), as SAVE ends a file. */
export function withFileChecksum(body: Uint8Array): Buffer {
  const bytes = Buffer.alloc(body.length + 8);
  bytes.set(body);
  bytes.writeBigUInt64LE(crc64(bytes, 0, body.length), body.length);
  return bytes;
}

/** A DUMP payload of `body` (type byte and value): RDB version 10, then the CRC-64 of both. */
export function dumpPayload(body: Uint8Array): Buffer {
  const payload = Buffer.alloc(body.length + 10);
  payload.set(body);
  payload.writeUInt16LE(10, body.length);
  payload.writeBigUInt64LE(crc64(payload, 0, body.length + 2), body.length + 2);
  return payload;
}
