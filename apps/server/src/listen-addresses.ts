/**
 * The TCP addresses of `bind` and `port` as redis-server's listenToPort reads them, the reasons it
 * logs when one cannot be bound, and a synchronous trial of new addresses for CONFIG SET.
 *
 * CONFIG SET port / bind answers at once whether the server listens on the new addresses, as
 * redis-server binds them inside the command. Node binds on a later tick (its listen looks the
 * host up first, even an IP address), so the answer cannot come from the real listen: a child
 * process binds the new addresses and reports, and the server then binds them for real (nothing
 * else can take them in between but another process racing for the same port).
 */
import { spawnSync } from 'node:child_process';
import { strerror } from './util/strerror.js';

/** One address of `bind` ("-" marks an optional one, "*" and "::*" every IPv4 / IPv6 address). */
export interface BindAddress {
  /** as `bind` spells it without its "-" (redis-server's log lines show it so) */
  readonly shown: string;
  /** what to bind: "0.0.0.0" for "*", "::" for "::*" */
  readonly host: string;
  /** skipped, with a warning, when the machine has no such address or no IPv6 */
  readonly optional: boolean;
}

/** The addresses of a `bind` value (none for "": no TCP listener, as redis-server). */
export function bindAddresses(bind: string): BindAddress[] {
  return bind
    .split(' ')
    .filter(Boolean)
    .map((word) => {
      const optional = word.startsWith('-');
      const shown = optional ? word.slice(1) : word;
      const host = shown === '*' ? '0.0.0.0' : shown === '::*' ? '::' : shown;
      return { shown, host, optional };
    });
}

/**
 * Whether a failure to bind an optional address is skipped: the address is not on this machine,
 * or the machine has no IPv6 (listenToPort: EADDRNOTAVAIL for an optional address, and the
 * protocol errors).
 */
export function skipsOptional(code: string): boolean {
  return code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EPROTONOSUPPORT';
}

/** The reason redis-server's anetTcpServer gives for a failed bind, from Node's error code. */
export function bindFailureReason(code: string, message = ''): string {
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME') return 'Name or service not known';
  if (code === 'EAFNOSUPPORT') return strerror(code, '');
  const text = strerror(code, '');
  if (text !== '') return `bind: ${text}`;
  return message === '' ? code : message;
}

/** The code of the error a listen failed with ('' when it has none). */
export function listenErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** Run by the child: binds every host given on the port, keeps them all, then reports. */
const TRIAL = `
const { createServer } = require('node:net');
const [port, ...hosts] = process.argv.slice(1);
const servers = [];
(async () => {
  const codes = [];
  for (const host of hosts) {
    codes.push(await new Promise((resolve) => {
      const server = createServer();
      server.once('error', (error) => resolve(error.code || 'EUNKNOWN'));
      const options = { port: Number(port), host, exclusive: true, ipv6Only: host.includes(':') };
      server.listen(options, () => { servers.push(server); resolve(''); });
    }));
  }
  process.stdout.write(JSON.stringify(codes));
  for (const server of servers) server.close();
})();
`;

/**
 * Binds `hosts` on `port` in a child process, all at once as the server would hold them, and
 * returns the error code of each ('' for one that bound). Synchronous. The bound sockets are
 * closed when the child exits, before this returns.
 */
export function tryBinding(hosts: readonly string[], port: number): string[] {
  if (hosts.length === 0) return [];
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawnSync(process.execPath, ['-e', TRIAL, String(port), ...hosts], {
    encoding: 'utf8',
    timeout: 10_000,
    env,
  });
  try {
    const codes = JSON.parse(child.stdout) as unknown;
    if (Array.isArray(codes) && codes.length === hosts.length) return codes.map(String);
  } catch {
    // no answer: reported below as a failure of every address
  }
  return hosts.map(() => 'EUNKNOWN');
}
