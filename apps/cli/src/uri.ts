/**
 * `redis://[[user]:password@]host[:port][/db]` as redis-cli's `-u` reads it
 * (https://www.iana.org/assignments/uri-schemes/prov/redis), plus `[::1]` hosts and `unix://`.
 */
import { UsageError } from './errors.js';

/**
 * What a URI sets; fields it does not mention are absent.
 *
 * @example
 * ```ts
 * const { host, port }: RedisUri = parseRedisUri('redis://cache:6380');
 * ```
 */
export interface RedisUri {
  host?: string;
  port?: number;
  socket?: string;
  user?: string;
  password?: string;
  db?: number;
}

function percentDecode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (i + 2 >= text.length) throw new UsageError('Incomplete URI encoding');
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UsageError('Illegal character in URI encoding');
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/**
 * Parses a `redis://` (or `unix://`) URI. Throws {@link UsageError} for another scheme
 * (`rediss://` included: byor-cli has no TLS) or a bad escape. O(n).
 *
 * @example
 * ```ts
 * parseRedisUri('redis://alice:s3cret@cache.local:6380/2');
 * // { user: 'alice', password: 's3cret', host: 'cache.local', port: 6380, db: 2 }
 * ```
 */
export function parseRedisUri(uri: string): RedisUri {
  const result: RedisUri = {};
  const lower = uri.toLowerCase();
  if (lower.startsWith('unix://')) {
    result.socket = uri.slice('unix://'.length);
    return result;
  }
  if (lower.startsWith('rediss://')) {
    throw new UsageError('rediss:// needs TLS, which byor-cli does not support');
  }
  if (!lower.startsWith('redis://')) throw new UsageError('Invalid URI scheme');
  let rest = uri.slice('redis://'.length);
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    if (colon === -1) {
      result.password = percentDecode(userinfo);
    } else {
      if (colon > 0) result.user = percentDecode(userinfo.slice(0, colon));
      result.password = percentDecode(userinfo.slice(colon + 1));
    }
  }
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  if (authority !== '') {
    let hostPart = authority;
    let portPart: string | undefined;
    if (authority.startsWith('[')) {
      const close = authority.indexOf(']');
      if (close === -1) throw new UsageError('Invalid URI: unbalanced [ in the host');
      hostPart = authority.slice(1, close);
      const after = authority.slice(close + 1);
      if (after.startsWith(':')) portPart = after.slice(1);
    } else {
      const colon = authority.lastIndexOf(':');
      if (colon !== -1) {
        hostPart = authority.slice(0, colon);
        portPart = authority.slice(colon + 1);
      }
    }
    if (hostPart !== '') result.host = hostPart;
    if (portPart !== undefined && portPart !== '') {
      const port = Number(portPart);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError('Invalid server port.');
      result.port = port;
    }
  }
  const dbText = path.split(/[?#]/, 1)[0] ?? '';
  if (dbText !== '') {
    const db = Number(dbText);
    if (!Number.isInteger(db) || db < 0)
      throw new UsageError(`Invalid database number in URI: '${dbText}'`);
    result.db = db;
  }
  return result;
}
