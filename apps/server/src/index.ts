export { startServer, type RunningServer, type StartServerOptions } from './start.js';
export { Server, type Clock, type ServerStats } from './server.js';
export { Config } from './config/config.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logger.js';
export { ByorServerError, ConfigError } from './errors.js';
export { BYOR_VERSION } from './version.js';
export { main } from './main.js';
