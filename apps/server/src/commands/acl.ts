import { randomBytes } from 'node:crypto';
import type { Client } from '../client.js';
import { Acl, denialText } from '../acl/acl.js';
import { ACL_CATEGORIES, categoryIndex, type AclCommand } from '../acl/commands.js';
import { AclResult } from '../acl/selector.js';
import { AclText } from '../acl/texts.js';
import { wrongArity } from '../errors.js';
import { parseInt64 } from '../util/numbers.js';
import { intArg } from './args.js';
import { arityRefuses } from './spec.js';
import type { HandlerTable } from './types.js';

/** The ACL command family (acl.c's aclCommand), replies byte for byte as redis-server 7.0. */

function setuser(client: Client, argv: string[]): void {
  const error = Acl.of(client.server).setUser(argv[2] ?? '', argv.slice(3));
  if (error !== undefined) client.server.errorReply(client, error);
  else client.w.ok();
}

function getuser(client: Client, argv: string[]): void {
  const user = Acl.of(client.server).users.get(argv[2] ?? '');
  const w = client.w;
  if (!user) {
    w.nil();
    return;
  }
  w.mapHeader(6);
  w.bulk('flags');
  const flags = user.flagNames();
  w.setHeader(flags.length);
  for (const flag of flags) w.bulk(flag);
  w.bulk('passwords');
  w.arrayHeader(user.passwords.length);
  for (const hash of user.passwords) w.bulk(hash);
  const describe = (index: number): void => {
    const selector = user.selectors[index];
    if (!selector) return;
    w.bulk('commands');
    w.bulk(selector.describeCommands());
    w.bulk('keys');
    w.bulk(selector.describeKeys());
    w.bulk('channels');
    w.bulk(selector.describeChannels());
  };
  describe(0);
  w.bulk('selectors');
  w.arrayHeader(user.selectors.length - 1);
  for (let i = 1; i < user.selectors.length; i++) {
    w.mapHeader(3);
    describe(i);
  }
}

function deluser(client: Client, argv: string[]): void {
  const names = argv.slice(2);
  if (names.includes('default')) {
    client.server.errorReply(client, AclText.DEFAULT_UNDELETABLE);
    return;
  }
  client.w.integer(Acl.of(client.server).deleteUsers(names, client));
}

function users(client: Client): void {
  const list = Acl.of(client.server).sortedUsers();
  client.w.arrayHeader(list.length);
  for (const user of list) client.w.bulk(user.name);
}

function list(client: Client): void {
  const lines = Acl.of(client.server).list();
  client.w.arrayHeader(lines.length);
  for (const line of lines) client.w.bulk(line);
}

function whoami(client: Client): void {
  client.w.bulk(Acl.of(client.server).userName(client));
}

function cat(client: Client, argv: string[]): void {
  const w = client.w;
  if (argv.length === 2) {
    w.arrayHeader(ACL_CATEGORIES.length);
    for (const name of ACL_CATEGORIES) w.bulk(name);
    return;
  }
  const bit = categoryIndex(argv[2] ?? '');
  if (bit < 0) {
    client.server.errorReply(client, AclText.unknownCategory(argv[2] ?? ''));
    return;
  }
  const mask = 1 << bit;
  const names: string[] = [];
  const visit = (command: AclCommand): void => {
    if (command.categories & mask) names.push(command.name);
    for (const sub of command.subcommands) visit(sub);
  };
  for (const command of Acl.of(client.server).table.commands) visit(command);
  w.arrayHeader(names.length);
  for (const name of names) w.bulk(name);
}

/** ACL subcommands with an argument count the metadata does not fix (acl.c checks it itself). */
function arityError(client: Client, argv: string[], max: number): boolean {
  if (argv.length <= max) return false;
  client.server.errorReply(client, AclText.subcommandArity(argv[1] ?? ''));
  return true;
}

function genpass(client: Client, argv: string[]): void {
  if (arityError(client, argv, 3)) return;
  let bits = 256;
  if (argv.length === 3) {
    const parsed = intArg(client, argv[2] ?? '');
    if (parsed === undefined) return;
    bits = typeof parsed === 'bigint' ? (parsed > 0n ? 1e9 : -1) : parsed;
  }
  if (bits <= 0 || bits > 4096) {
    client.server.errorReply(client, AclText.GENPASS_RANGE);
    return;
  }
  const chars = Math.floor((bits + 3) / 4);
  client.w.bulk(
    randomBytes(Math.ceil(chars / 2))
      .toString('hex')
      .slice(0, chars),
  );
}

function log(client: Client, argv: string[]): void {
  if (arityError(client, argv, 3)) return;
  const acl = Acl.of(client.server);
  let count = 10;
  if (argv.length === 3) {
    if ((argv[2] ?? '').toLowerCase() === 'reset') {
      acl.log.reset();
      client.w.ok();
      return;
    }
    const parsed = parseInt64(argv[2] ?? '');
    if (parsed === undefined) {
      client.server.errorReply(client, 'ERR value is not an integer or out of range');
      return;
    }
    count = typeof parsed === 'bigint' ? (parsed > 0n ? Number.MAX_SAFE_INTEGER : 0) : parsed;
    if (count < 0) count = 0;
  }
  const entries = acl.log.entries.slice(0, count);
  const now = client.server.now();
  const w = client.w;
  w.arrayHeader(entries.length);
  for (const entry of entries) {
    w.mapHeader(7);
    w.bulk('count');
    w.integer(entry.count);
    w.bulk('reason');
    w.bulk(entry.reason);
    w.bulk('context');
    w.bulk(entry.context);
    w.bulk('object');
    w.bulk(entry.object);
    w.bulk('username');
    w.bulk(entry.username);
    w.bulk('age-seconds');
    w.double((now - entry.time) / 1000);
    w.bulk('client-info');
    w.bulk(entry.clientInfo);
  }
}

function dryrun(client: Client, argv: string[]): void {
  const server = client.server;
  const acl = Acl.of(server);
  const user = acl.users.get(argv[2] ?? '');
  if (!user) {
    server.errorReply(client, AclText.userNotFound(argv[2] ?? ''));
    return;
  }
  const args = argv.slice(3);
  let command = acl.table.lookup(args[0] ?? '');
  if (command && command.subcommands.length && args.length >= 2) {
    command = command.subcommands.find(
      (sub) => sub.name === `${command?.name}|${(args[1] ?? '').toLowerCase()}`,
    );
  }
  if (!command || (command.parent === undefined && !server.command(command.name))) {
    server.errorReply(client, AclText.commandNotFound(args[0] ?? ''));
    return;
  }
  if (arityRefuses(command.meta.arity, args.length)) {
    server.errorReply(client, wrongArity(command.name));
    return;
  }
  const denial = acl.check(user, command, args);
  if (denial === undefined) {
    client.w.ok();
    return;
  }
  const target = args[denial.position] ?? '';
  client.w.bulk(
    denial.result === AclResult.DENIED_CMD
      ? `This user has no permissions to run the '${command.name}' command`
      : denial.result === AclResult.DENIED_KEY
        ? `This user has no permissions to access the '${target}' key`
        : denial.result === AclResult.DENIED_CHANNEL
          ? `This user has no permissions to access the '${target}' channel`
          : denialText(denial.result, command.name),
  );
}

function load(client: Client): void {
  const server = client.server;
  const file = server.config.string('aclfile');
  if (file === '') {
    server.errorReply(client, AclText.NO_ACL_FILE);
    return;
  }
  const error = Acl.of(server).loadFile(file);
  if (error !== undefined) server.errorReply(client, `ERR ${error}`);
  else client.w.ok();
}

function save(client: Client): void {
  const server = client.server;
  const file = server.config.string('aclfile');
  if (file === '') {
    server.errorReply(client, AclText.NO_ACL_FILE);
    return;
  }
  if (Acl.of(server).saveFile(file)) client.w.ok();
  else server.errorReply(client, AclText.SAVE_FAILED);
}

export const aclCommands: HandlerTable = {
  'acl|setuser': setuser,
  'acl|getuser': getuser,
  'acl|deluser': deluser,
  'acl|users': users,
  'acl|list': list,
  'acl|whoami': whoami,
  'acl|cat': cat,
  'acl|genpass': genpass,
  'acl|log': log,
  'acl|dryrun': dryrun,
  'acl|load': load,
  'acl|save': save,
};
