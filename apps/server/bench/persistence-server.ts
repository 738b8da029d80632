/**
 * byor-server with the persistence commands, for bench/persistence.bench.ts: the binary's own
 * main() once the command group is registered in commands/index.ts; until then the same start-up
 * with the group added. Run with `node --import tsx bench/persistence-server.ts <redis args>`.
 */
import { allCommands } from '../src/commands/index.js';
import { persistenceCommands } from '../src/commands/persistence.js';
import { Config } from '../src/config/config.js';
import { createLogger } from '../src/logger.js';
import { main } from '../src/main.js';
import { Network } from '../src/network.js';
import { attachPersistence } from '../src/persistence/persistence.js';
import { Server } from '../src/server.js';

const argv = process.argv.slice(2);
if (allCommands.includes(persistenceCommands)) {
  process.exitCode = await main(argv);
} else {
  const config = Config.fromArgv(argv);
  const logger = createLogger({ level: 'notice' });
  const server = new Server(config, logger, { now: () => Date.now() }, [
    ...allCommands,
    persistenceCommands,
  ]);
  const network = new Network(server);
  await attachPersistence(server, { config }, network.closed);
  await network.listen();
  logger.notice('Ready to accept connections tcp');
  process.on('SIGTERM', () => void network.close().then(() => process.exit(0)));
}
