import { execPermissionError } from '../acl/acl.js';
import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import type { HandlerTable } from './types.js';

/** MULTI / EXEC / DISCARD / WATCH / UNWATCH (multi.c). */

function multi(client: Client): void {
  if (client.multi) {
    client.server.errorReply(client, ReplyError.NESTED_MULTI);
    return;
  }
  client.multi = { commands: [], dirty: false };
  client.w.ok();
}

/** A watched key that has expired since (but is not yet reclaimed) also aborts EXEC. */
function watchedKeyExpired(client: Client): boolean {
  const now = client.server.now();
  for (const id of client.watched) {
    if (client.watchedExpired.has(id)) continue; // expired when WATCHed: not a change since
    const separator = id.indexOf('\0');
    const db = client.server.db(Number(id.slice(0, separator)));
    const at = db.getExpire(id.slice(separator + 1));
    if (at !== undefined && now > at) return true;
  }
  return false;
}

function exec(client: Client): void {
  const state = client.multi;
  if (!state) {
    client.server.errorReply(client, ReplyError.EXEC_WITHOUT_MULTI);
    return;
  }
  if (watchedKeyExpired(client)) client.watchDirty = true;
  if (state.dirty || client.watchDirty) {
    if (state.dirty) client.server.errorReply(client, ReplyError.EXECABORT);
    else client.w.nullArray();
    discardTransaction(client);
    return;
  }
  client.server.unwatchAll(client);
  client.multi = undefined;
  client.denyBlocking = true;
  try {
    client.w.arrayHeader(state.commands.length);
    for (const { command, argv } of state.commands) {
      // ACLs are checked again: the rules may have changed since the command was queued
      const denied = execPermissionError(client, command, argv);
      if (denied !== undefined) client.server.errorReply(client, denied);
      else client.server.call(client, command, argv);
    }
  } finally {
    client.denyBlocking = false;
  }
}

function discardTransaction(client: Client): void {
  client.multi = undefined;
  client.server.unwatchAll(client);
}

function discard(client: Client): void {
  if (!client.multi) {
    client.server.errorReply(client, ReplyError.DISCARD_WITHOUT_MULTI);
    return;
  }
  discardTransaction(client);
  client.w.ok();
}

function watch(client: Client, argv: string[]): void {
  if (client.multi) {
    client.server.errorReply(client, ReplyError.WATCH_IN_MULTI);
    return;
  }
  for (let i = 1; i < argv.length; i++) client.server.watch(client, client.db, argv[i] ?? '');
  client.w.ok();
}

function unwatch(client: Client): void {
  client.server.unwatchAll(client);
  client.w.ok();
}

export const transactionCommands: HandlerTable = { multi, exec, discard, watch, unwatch };
