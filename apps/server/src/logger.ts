/**
 * redis-server's log format: `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`, with level
 * marks `.` debug, `-` verbose, `*` notice, `#` warning. Writes to a file or stdout.
 */
import { appendFileSync } from 'node:fs';

export const LogLevel = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 } as const;
export type LogLevelName = keyof typeof LogLevel;

const MARKS = ['.', '-', '*', '#'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface Logger {
  level: LogLevelName;
  debug(message: string): void;
  verbose(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  /** Writes `text` as it is, at the notice level (serverLogRaw's LL_RAW: the start-up logo). */
  raw?(text: string): void;
}

export interface LoggerOptions {
  level?: LogLevelName;
  /** a file to append to; "" or undefined = the `write` function (default stdout) */
  file?: string;
  write?: (line: string) => void;
  /** the role letter after the pid: `M` master, `S` replica (a function when it can change) */
  role?: string | (() => string);
}

/** Creates a logger writing redis-server style lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const role = options.role ?? 'M';
  const roleNow = typeof role === 'string' ? () => role : role;
  const write =
    options.file !== undefined && options.file !== ''
      ? (line: string) => appendFileSync(options.file ?? '', line)
      : (options.write ?? ((line: string) => process.stdout.write(line)));
  const logger: Logger = {
    level: options.level ?? 'notice',
    debug: (message) => log(0, message),
    verbose: (message) => log(1, message),
    notice: (message) => log(2, message),
    warning: (message) => log(3, message),
    raw: (text) => {
      if (LogLevel.notice >= LogLevel[logger.level]) write(text);
    },
  };
  function log(level: 0 | 1 | 2 | 3, message: string): void {
    if (level < LogLevel[logger.level]) return;
    const d = new Date();
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const stamp = `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    write(`${process.pid}:${roleNow()} ${stamp} ${MARKS[level]} ${message}\n`);
  }
  return logger;
}

/** A logger that drops everything (embedded servers in tests). */
export function silentLogger(): Logger {
  const noop = () => {};
  return { level: 'nothing', debug: noop, verbose: noop, notice: noop, warning: noop };
}
