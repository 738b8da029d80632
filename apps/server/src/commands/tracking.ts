import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { Tracking, TrackingFlag, TrackingReply } from '../tracking.js';
import { parseInt64 } from '../util/numbers.js';
import { is } from './args.js';
import type { HandlerTable } from './types.js';

/**
 * Client-side caching commands: CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, parsed and
 * checked in redis-server 7.0's order (networking.c clientCommand). The tables live in
 * src/tracking.ts.
 */

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTracking(client: Client, argv: string[]): void {
  const server = client.server;
  let redirect = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = argv[j];
    if (is(option, 'REDIRECT') && more > 0) {
      j++;
      if (redirect !== 0) {
        server.errorReply(client, TrackingReply.SINGLE_REDIRECT);
        return;
      }
      const id = parseInt64(argv[j] ?? '');
      if (id === undefined) {
        server.errorReply(client, ReplyError.NOT_INTEGER);
        return;
      }
      redirect = Number(id);
      // the client must exist now, even if it may go away later
      if (!server.clients.has(redirect)) {
        server.errorReply(client, TrackingReply.NO_REDIRECT_CLIENT);
        return;
      }
    } else if (is(option, 'BCAST')) options |= TrackingFlag.BCAST;
    else if (is(option, 'OPTIN')) options |= TrackingFlag.OPTIN;
    else if (is(option, 'OPTOUT')) options |= TrackingFlag.OPTOUT;
    else if (is(option, 'NOLOOP')) options |= TrackingFlag.NOLOOP;
    else if (is(option, 'PREFIX') && more > 0) prefixes.push(argv[++j] ?? '');
    else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (is(argv[2], 'ON')) {
    const tracking = Tracking.of(server);
    const flags = tracking.state(client)?.flags ?? 0;
    let error: string | undefined;
    if (!(options & TrackingFlag.BCAST) && prefixes.length !== 0)
      error = TrackingReply.PREFIX_NEEDS_BCAST;
    else if (
      flags & TrackingFlag.ON &&
      !(flags & TrackingFlag.BCAST) !== !(options & TrackingFlag.BCAST)
    )
      error = TrackingReply.BCAST_SWITCH;
    else if (options & TrackingFlag.BCAST && options & (TrackingFlag.OPTIN | TrackingFlag.OPTOUT))
      error = TrackingReply.BCAST_OPT;
    else if (options & TrackingFlag.OPTIN && options & TrackingFlag.OPTOUT)
      error = TrackingReply.OPTIN_AND_OPTOUT;
    else if (
      (options & TrackingFlag.OPTIN && flags & TrackingFlag.OPTOUT) ||
      (options & TrackingFlag.OPTOUT && flags & TrackingFlag.OPTIN)
    )
      error = TrackingReply.OPT_SWITCH;
    if (error !== undefined) {
      server.errorReply(client, error);
      return;
    }
    if (options & TrackingFlag.BCAST) {
      const check = tracking.checkPrefixes(client, prefixes);
      // redis-server 7.0 answers an overlap between given prefixes past the first with the error
      // and then OK, tracking them all: the same two replies here
      if (check.error !== undefined) server.errorReply(client, check.error);
      if (!check.proceed) return;
    }
    tracking.enable(client, redirect, options, prefixes);
  } else if (is(argv[2], 'OFF')) {
    Tracking.peek(server)?.disable(client);
  } else {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  client.w.ok();
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT). */
function clientCaching(client: Client, argv: string[]): void {
  const server = client.server;
  const state = Tracking.peek(server)?.state(client);
  if (!state || !(state.flags & TrackingFlag.ON)) {
    server.errorReply(client, TrackingReply.CACHING_NOT_TRACKING);
    return;
  }
  if (is(argv[2], 'YES')) {
    if (!(state.flags & TrackingFlag.OPTIN)) {
      server.errorReply(client, TrackingReply.CACHING_YES);
      return;
    }
  } else if (is(argv[2], 'NO')) {
    if (!(state.flags & TrackingFlag.OPTOUT)) {
      server.errorReply(client, TrackingReply.CACHING_NO);
      return;
    }
  } else {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  state.flags |= TrackingFlag.CACHING;
  client.w.ok();
}

/** CLIENT GETREDIR: the redirect id, 0 without one, -1 when not tracking. */
function clientGetredir(client: Client): void {
  const state = Tracking.peek(client.server)?.state(client);
  client.w.integer(state && state.flags & TrackingFlag.ON ? state.redirect : -1);
}

/** CLIENT TRACKINGINFO: flags (a set), redirect, prefixes. */
function clientTrackinginfo(client: Client): void {
  const state = Tracking.peek(client.server)?.state(client);
  const flags = state?.flags ?? 0;
  const names = [flags & TrackingFlag.ON ? 'on' : 'off'];
  if (flags & TrackingFlag.BCAST) names.push('bcast');
  if (flags & TrackingFlag.OPTIN) {
    names.push('optin');
    if (flags & TrackingFlag.CACHING) names.push('caching-yes');
  }
  if (flags & TrackingFlag.OPTOUT) {
    names.push('optout');
    if (flags & TrackingFlag.CACHING) names.push('caching-no');
  }
  if (flags & TrackingFlag.NOLOOP) names.push('noloop');
  if (flags & TrackingFlag.BROKEN_REDIR) names.push('broken_redirect');
  const w = client.w;
  w.mapHeader(3);
  w.bulk('flags');
  w.setHeader(names.length);
  for (const name of names) w.bulk(name);
  w.bulk('redirect');
  w.integer(state && flags & TrackingFlag.ON ? state.redirect : -1);
  w.bulk('prefixes');
  const prefixes = state ? [...state.prefixes].sort() : [];
  w.arrayHeader(prefixes.length);
  for (const prefix of prefixes) w.bulk(prefix);
}

/** The client-side caching subcommands of CLIENT. */
export const trackingCommands: HandlerTable = {
  'client|tracking': clientTracking,
  'client|caching': clientCaching,
  'client|getredir': clientGetredir,
  'client|trackinginfo': clientTrackinginfo,
};
