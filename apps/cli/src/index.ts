export { main } from './main.js';
export {
  CliModes,
  defaultCliOptions,
  parseCliArgs,
  type CliMode,
  type CliOptions,
} from './args.js';
export { parseRedisUri, type RedisUri } from './uri.js';
export {
  Connection,
  fromBinaryValue,
  type ConnectionOptions,
  type ReplyHandler,
} from './connection.js';
export {
  formatInvalidate,
  formatReply,
  OutputFormats,
  type FormatOptions,
  type OutputFormat,
} from './format.js';
export { quoteBytes, quoteJson, quoteJsonAscii, toBytes } from './repr.js';
export { CommandHelp, loadCommandHelp, type HelpEntry } from './command-help.js';
export { isSensitiveCommand } from './repl.js';
export { Session, CommandOutcomes, type CommandOutcome } from './session.js';
export { processIo, type CliIo, type CliInputStream, type CliOutputStream } from './io.js';
export { LatencyHistogram, type HistogramData } from './bench/histogram.js';
export { ReplyCounter } from './bench/reply-counter.js';
export { parseBenchArgs, type BenchOptions } from './bench/options.js';
export { runBenchmark, type BenchmarkHooks, type BenchmarkResult } from './bench/run.js';
export { benchTest, selectTests, standardTests, type BenchTest } from './bench/tests.js';
export { bytesToHuman, infoField } from './modes/stat.js';
export {
  CliError,
  CliErrorCodes,
  ConnectError,
  ConnectionClosedError,
  HandshakeError,
  InvalidHistogramError,
  ReplyProtocolError,
  TimeoutError,
  UsageError,
  type CliErrorCode,
} from './errors.js';
export { BYOR_CLI_VERSION } from './version.js';
