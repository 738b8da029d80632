import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { parseInt64 } from '../util/numbers.js';
import { is } from './args.js';
import { Acl } from '../acl/acl.js';
import type { HandlerTable } from './types.js';

/** Connection commands: PING ECHO QUIT RESET AUTH HELLO and the CLIENT family. */

function ping(client: Client, argv: string[]): void {
  if (argv.length > 2) {
    client.server.errorReply(client, "ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (client.inPubSubContext) {
    // RESP2 subscriber mode answers PING with a pub/sub-style array
    client.w.arrayHeader(2);
    client.w.bulk('pong');
    client.w.bulk(argv[1] ?? '');
    return;
  }
  if (argv.length === 1) client.w.simple('PONG');
  else client.w.bulk(argv[1] ?? '');
}

function echo(client: Client, argv: string[]): void {
  client.w.bulk(argv[1] ?? '');
}

function quit(client: Client): void {
  client.w.ok();
  client.closing = true;
}

function reset(client: Client): void {
  client.server.resetClient(client);
  Acl.of(client.server).resetClient(client);
  client.w.simple('RESET');
}

function auth(client: Client, argv: string[]): void {
  if (argv.length > 3) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const acl = Acl.of(client.server);
  let username = 'default';
  let password: string;
  if (argv.length === 2) {
    if (!acl.defaultHasPassword) {
      client.server.errorReply(client, ReplyError.AUTH_NO_PASSWORD);
      return;
    }
    password = argv[1] ?? '';
  } else {
    username = argv[1] ?? '';
    password = argv[2] ?? '';
  }
  if (acl.authenticate(client, username, password, argv[0] ?? '')) client.w.ok();
  else client.server.errorReply(client, ReplyError.WRONGPASS);
}

/** validateClientName: printable ASCII without spaces ('!' to '~'). */
function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

function hello(client: Client, argv: string[]): void {
  let version = 0;
  let next = 1;
  if (argv.length >= 2) {
    const parsed = parseInt64(argv[next++] ?? '');
    if (parsed === undefined) {
      client.server.errorReply(client, 'ERR Protocol version is not an integer or out of range');
      return;
    }
    if (parsed < 2 || parsed > 3) {
      client.server.errorReply(client, ReplyError.NOPROTO);
      return;
    }
    version = Number(parsed);
  }
  let credentials: [string, string] | undefined;
  let name: string | undefined;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j] ?? '';
    if (is(opt, 'AUTH') && more >= 2) {
      credentials = [argv[j + 1] ?? '', argv[j + 2] ?? ''];
      j += 2;
    } else if (is(opt, 'SETNAME') && more >= 1) {
      name = argv[j + 1] ?? '';
      if (!validClientName(name)) {
        client.server.errorReply(client, ReplyError.CLIENT_NAME);
        return;
      }
      j++;
    } else {
      client.server.errorReply(client, `ERR Syntax error in HELLO option '${opt}'`);
      return;
    }
  }
  if (
    credentials &&
    !Acl.of(client.server).authenticate(client, credentials[0], credentials[1], argv[0] ?? '')
  ) {
    client.server.errorReply(client, ReplyError.WRONGPASS);
    return;
  }
  if (!client.authenticated) {
    client.server.errorReply(
      client,
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (name !== undefined) client.name = name;
  if (version) {
    client.resp = version as 2 | 3;
    client.w.protocol = client.resp;
  }
  const w = client.w;
  w.mapHeader(7);
  w.bulk('server');
  w.bulk('redis');
  w.bulk('version');
  w.bulk(client.server.redisVersion);
  w.bulk('proto');
  w.integer(client.resp);
  w.bulk('id');
  w.integer(client.id);
  w.bulk('mode');
  w.bulk('standalone');
  w.bulk('role');
  w.bulk('master');
  w.bulk('modules');
  w.arrayHeader(0);
}

function clientId(client: Client): void {
  client.w.integer(client.id);
}

function clientSetname(client: Client, argv: string[]): void {
  const name = argv[2] ?? '';
  if (!validClientName(name)) {
    client.server.errorReply(client, ReplyError.CLIENT_NAME);
    return;
  }
  client.name = name;
  client.w.ok();
}

function clientGetname(client: Client): void {
  if (client.name === '') client.w.nil();
  else client.w.bulk(client.name);
}

function clientSetinfo(client: Client, argv: string[]): void {
  const attribute = (argv[2] ?? '').toLowerCase();
  const value = argv[3] ?? '';
  if (attribute !== 'lib-name' && attribute !== 'lib-ver') {
    client.server.errorReply(client, `ERR Unrecognized option '${argv[2] ?? ''}'`);
    return;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 33 || c > 126) {
      client.server.errorReply(
        client,
        `ERR ${attribute} cannot contain spaces, newlines or special characters.`,
      );
      return;
    }
  }
  if (attribute === 'lib-name') client.libName = value;
  else client.libVersion = value;
  client.w.ok();
}

function clientList(client: Client, argv: string[]): void {
  const server = client.server;
  let clients = [...server.clients.values()];
  if (argv.length === 4 && is(argv[2], 'TYPE')) {
    const kind = (argv[3] ?? '').toLowerCase();
    if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(kind)) {
      server.errorReply(client, `ERR Unknown client type '${argv[3] ?? ''}'`);
      return;
    }
    clients = clients.filter((c) => clientType(c) === (kind === 'slave' ? 'replica' : kind));
  } else if (argv.length >= 4 && is(argv[2], 'ID')) {
    const ids = new Set<number>();
    for (const text of argv.slice(3)) {
      const id = parseInt64(text);
      if (typeof id !== 'number' || id < 1) {
        server.errorReply(client, 'ERR Invalid client ID');
        return;
      }
      ids.add(id);
    }
    clients = clients.filter((c) => ids.has(c.id));
  } else if (argv.length !== 2) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  client.w.verbatim(clients.map((c) => server.describeClient(c) + '\n').join(''));
}

function clientInfo(client: Client): void {
  client.w.verbatim(client.server.describeClient(client) + '\n');
}

/** master | replica | pubsub | normal, as redis-server's getClientType */
export function clientType(client: Client): string {
  if (client.masterLink) return 'master';
  if (client.replica) return 'replica';
  return client.subscriptionCount > 0 ? 'pubsub' : 'normal';
}

function clientKill(client: Client, argv: string[]): void {
  const server = client.server;
  if (argv.length === 3) {
    // old form: CLIENT KILL addr:port
    const target = [...server.clients.values()].find((c) => c.endpoint && c.addr === argv[2]);
    if (!target) {
      server.errorReply(client, ReplyError.NO_SUCH_CLIENT);
      return;
    }
    client.w.ok();
    server.killClient(target, target === client);
    return;
  }
  let id: number | undefined;
  let type: string | undefined;
  let addr: string | undefined;
  let laddr: string | undefined;
  let user: string | undefined;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    const option = (argv[i] ?? '').toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
    if (option === 'id') {
      const parsed = parseInt64(value);
      if (parsed === undefined || parsed <= 0) {
        server.errorReply(client, 'ERR client-id should be greater than 0');
        return;
      }
      id = Number(parsed);
    } else if (option === 'type') {
      const kind = value.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(kind)) {
        server.errorReply(client, `ERR Unknown client type '${value}'`);
        return;
      }
      type = kind === 'slave' ? 'replica' : kind;
    } else if (option === 'addr') addr = value;
    else if (option === 'laddr') laddr = value;
    else if (option === 'user') user = value;
    else if (option === 'skipme') {
      const lower = value.toLowerCase();
      if (lower === 'yes') skipMe = true;
      else if (lower === 'no') skipMe = false;
      else {
        server.errorReply(client, ReplyError.SYNTAX);
        return;
      }
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const acl = Acl.of(server);
  if (user !== undefined && !acl.users.has(user)) {
    server.errorReply(client, `ERR No such user '${user}'`);
    return;
  }
  let killed = 0;
  for (const target of [...server.clients.values()]) {
    if (id !== undefined && target.id !== id) continue;
    if (type !== undefined && clientType(target) !== type) continue;
    if (addr !== undefined && (!target.endpoint || target.addr !== addr)) continue;
    if (laddr !== undefined && (!target.endpoint || target.laddr !== laddr)) continue;
    // the master's client has no user
    if (user !== undefined && (target.masterLink || acl.userName(target) !== user)) continue;
    if (target === client && skipMe) continue;
    killed++;
    server.killClient(target, target === client);
  }
  client.w.integer(killed);
}

function clientReply(client: Client, argv: string[]): void {
  const mode = (argv[2] ?? '').toLowerCase();
  if (mode === 'on') {
    client.replyMode = 'on';
    client.w.ok();
  } else if (mode === 'off') {
    client.replyMode = 'off';
  } else if (mode === 'skip') {
    if (client.replyMode === 'on') client.replyMode = 'skip';
  } else {
    client.server.errorReply(client, ReplyError.SYNTAX);
  }
}

function onOff(client: Client, text: string | undefined, apply: (on: boolean) => void): void {
  if (is(text, 'ON')) apply(true);
  else if (is(text, 'OFF')) apply(false);
  else {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  client.w.ok();
}

function clientPause(client: Client, argv: string[]): void {
  const timeout = parseInt64(argv[2] ?? '');
  if (timeout === undefined || timeout < 0) {
    client.server.errorReply(client, 'ERR timeout is not an integer or out of range');
    return;
  }
  let writesOnly = false;
  if (argv.length === 4) {
    if (is(argv[3], 'WRITE')) writesOnly = true;
    else if (!is(argv[3], 'ALL')) {
      client.server.errorReply(client, 'ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  client.server.pauseClients(client.server.clock.now() + Number(timeout), writesOnly);
  client.w.ok();
}

function clientUnpause(client: Client): void {
  client.server.unpauseClients();
  client.w.ok();
}

function clientUnblock(client: Client, argv: string[]): void {
  // the reason is checked before the id, as redis-server does
  let error = false;
  if (argv.length === 4) {
    if (is(argv[3], 'ERROR')) error = true;
    else if (!is(argv[3], 'TIMEOUT')) {
      client.server.errorReply(client, 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseInt64(argv[2] ?? '');
  if (id === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return;
  }
  const target = client.server.clients.get(Number(id));
  if (!target || !target.blocked) {
    client.w.integer(0);
    return;
  }
  // (the blocking command counts as failed, TIMEOUT too, as in redis-server 7.0)
  client.server.unblockClient(
    target,
    error ? 'UNBLOCKED client unblocked via CLIENT UNBLOCK' : undefined,
    true,
  );
  client.w.integer(1);
}

export const connectionCommands: HandlerTable = {
  ping,
  echo,
  quit,
  reset,
  auth,
  hello,
  'client|id': clientId,
  'client|setname': clientSetname,
  'client|getname': clientGetname,
  'client|setinfo': clientSetinfo,
  'client|list': clientList,
  'client|info': clientInfo,
  'client|kill': clientKill,
  'client|reply': clientReply,
  'client|no-evict': (client, argv) => onOff(client, argv[2], (on) => (client.noEvict = on)),
  'client|pause': clientPause,
  'client|unpause': clientUnpause,
  'client|unblock': clientUnblock,
};
