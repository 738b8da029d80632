import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Client } from '../client.js';
import { protectedRefusal } from '../commands/admin.js';
import type { Server } from '../server.js';
import type { Command } from '../commands/types.js';
import { arityRefuses, CommandFlag } from '../commands/spec.js';
import { ConfigError } from '../errors.js';
import { aclCommandTable, type AclCommand, type AclCommandTable } from './commands.js';
import { AclLog, type AclLogContext, type AclLogReason } from './log.js';
import {
  AclResult,
  KeyCache,
  SelectorFlag,
  channelAllowed,
  type CheckOutcome,
  type RuleError,
} from './selector.js';
import { User, validUsername } from './user.js';
import { AclText, ruleErrorText } from './texts.js';

/** What a permission check found: the result and the argv index of the denied key or channel. */
export interface AclDenial {
  readonly result: number;
  readonly position: number;
}

const instances = new WeakMap<Server, Acl>();

/**
 * The ACL state of one server (redis-server's acl.c): users, which user each client is
 * authenticated as, the permission check run before each command, the security log and the
 * ACL file.
 *
 * Only a server whose users can all do everything pays nothing per command: the check is
 * installed as a `beforeCommand` hook only while some user is restricted, a user other than
 * "default" exists or the default user's login differs from what `requirepass` says.
 *
 * @example
 * ```ts
 * const acl = Acl.of(server);
 * acl.setUser('alice', ['on', '>secret', '~app:*', '+@read']); // undefined: applied
 * acl.list(); // ['user alice on #2bb8... ~app:* resetchannels -@all +@read', 'user default ...']
 * ```
 */
export class Acl {
  readonly server: Server;
  readonly table: AclCommandTable;
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  readonly log = new AclLog();
  readonly #clientUsers = new WeakMap<Client, User>();
  #hookInstalled = false;
  readonly #outcome: CheckOutcome = { result: 0, position: 0 };
  readonly #hook = (client: Client, argv: string[]): string | undefined =>
    this.#beforeCommand(client, argv);

  private constructor(server: Server) {
    this.server = server;
    this.table = aclCommandTable();
    this.defaultUser = this.#createDefaultUser();
    this.users.set('default', this.defaultUser);
    const password = server.config.string('requirepass');
    if (password !== '') this.#setDefaultPassword(password);
    server.config.onChange('requirepass', (value) => {
      this.#setDefaultPassword(value);
      this.refresh();
    });
    server.hooks.clientClosed.push((client) => this.#clientUsers.delete(client));
    server.hooks.clientInfo = {
      ...server.hooks.clientInfo,
      user: (client) => this.userName(client),
    };
  }

  /**
   * The ACL state of a server, created on first use. The config's `user` directives and
   * `aclfile` are applied then if {@link Acl.attach} did not run at start-up (problems are
   * logged rather than thrown).
   */
  static of(server: Server): Acl {
    let acl = instances.get(server);
    if (!acl) {
      acl = new Acl(server);
      instances.set(server, acl);
      const error = acl.#loadStartupUsers();
      if (error !== undefined) server.logger.warning(error);
      acl.refresh();
    }
    return acl;
  }

  /**
   * Sets a server's ACLs up at start-up: `user` directives of the config file or the `aclfile`.
   * Throws ConfigError with redis-server's message when it would refuse to start.
   */
  static attach(server: Server): Acl {
    const existing = instances.get(server);
    if (existing) return existing;
    const acl = new Acl(server);
    instances.set(server, acl);
    const error = acl.#loadStartupUsers();
    acl.refresh();
    if (error !== undefined) throw new ConfigError(error);
    return acl;
  }

  /** Applies the config's users or ACL file; returns the start-up error text, if any. */
  #loadStartupUsers(): string | undefined {
    const config = this.server.config;
    const declared = config.users;
    const file = config.string('aclfile');
    if (declared.length && file !== '') return AclText.USERS_AND_FILE;
    const seen = new Set<string>();
    for (const [name = '', ...rules] of declared) {
      if (seen.has(name)) return AclText.userDeclaration(name, ruleErrorText('EALREADY'));
      seen.add(name);
      const error = this.#applyRules(name, rules);
      if (error !== undefined) return AclText.userDeclaration(name, error);
    }
    if (file !== '') {
      const error = this.loadFile(file);
      if (error !== undefined) return `Aborting Redis startup because of ACL errors: ${error}`;
    }
    return undefined;
  }

  #createDefaultUser(): User {
    const user = this.#newUser('default');
    for (const rule of ['+@all', '~*', '&*', 'on', 'nopass']) user.setRule(rule);
    return user;
  }

  #newUser(name: string): User {
    return new User(
      name,
      this.table,
      this.server.config.string('acl-pubsub-default') === 'allchannels',
    );
  }

  /** ACLUpdateDefaultUserPassword: requirepass sets (or, empty, removes) the default password. */
  #setDefaultPassword(password: string): void {
    this.defaultUser.setRule('resetpass');
    this.defaultUser.setRule(password === '' ? 'nopass' : `>${password}`);
  }

  /** Installs or removes the per-command check, as the users require. */
  refresh(): void {
    const def = this.defaultUser;
    const freeLogin = def.nopass && def.enabled;
    const needed =
      this.users.size > 1 ||
      !def.unrestricted ||
      freeLogin !== (this.server.config.string('requirepass') === '');
    if (needed === this.#hookInstalled) return;
    const hooks = this.server.hooks.beforeCommand;
    if (needed) {
      // clients already connected keep their login, as the default user
      for (const client of this.server.clients.values())
        if (client.conn && !this.#clientUsers.has(client)) this.#clientUsers.set(client, def);
      hooks.push(this.#hook);
    } else {
      const at = hooks.indexOf(this.#hook);
      if (at >= 0) hooks.splice(at, 1);
    }
    this.#hookInstalled = needed;
  }

  /** The user a client is authenticated as (the default user until AUTH). */
  userOf(client: Client): User {
    let user = this.#clientUsers.get(client);
    if (user === undefined) {
      user = this.defaultUser;
      this.#clientUsers.set(client, user);
      // a connection seen for the first time: logged in when the default user needs no password
      if (client.conn && this.#hookInstalled) client.authenticated = user.nopass && user.enabled;
    }
    return user;
  }

  /** RESET and a new connection: the default user, logged in when it needs no password. */
  resetClient(client: Client): void {
    const user = this.defaultUser;
    this.#clientUsers.set(client, user);
    client.authenticated = user.nopass && user.enabled;
  }

  /** True when AUTH with one argument makes sense (the default user has a password). */
  get defaultHasPassword(): boolean {
    return !this.defaultUser.nopass;
  }

  /**
   * AUTH / HELLO AUTH: logs the client in as `username`, or logs the failure (ACL LOG reason
   * "auth") and returns false. O(1) plus one SHA-256.
   */
  authenticate(client: Client, username: string, password: string, commandName: string): boolean {
    const user = this.users.get(username);
    if (user?.checkPassword(password)) {
      this.#clientUsers.set(client, user);
      client.authenticated = true;
      return true;
    }
    this.addLogEntry(client, 'auth', client.multi ? 'multi' : 'toplevel', commandName, username);
    return false;
  }

  #beforeCommand(client: Client, argv: string[]): string | undefined {
    const user = this.userOf(client);
    if (!client.authenticated || user.unrestricted) return undefined;
    const command = this.server.lookupCommand(argv);
    if (!command) return undefined;
    if (arityRefuses(command.meta.arity, argv.length)) return undefined;
    if (!command.handler && argv.length < 2) return undefined;
    if (client.multi && command.meta.flags & CommandFlag.NO_MULTI) return undefined;
    // protected commands refused by enable-debug-command / enable-module-command come first
    if (protectedRefusal(client, command.meta.name) !== undefined) return undefined;
    const denial = this.check(user, command, argv);
    if (denial === undefined) return undefined;
    const context: AclLogContext = client.multi ? 'multi' : 'toplevel';
    this.logDenial(client, user, command, argv, denial, context);
    // rejectCommand: counted as rejected, and a queued transaction fails at EXEC
    command.rejectedCalls++;
    if (client.multi) client.multi.dirty = true;
    return denialText(denial.result, command.meta.name);
  }

  /**
   * ACLCheckAllUserCommandPerm: undefined when one of the user's selectors allows the command
   * with these arguments, else the most relevant denial (a key or channel over the command, the
   * last argument). O(selectors x keys x patterns).
   */
  check(user: User, command: Command | AclCommand, argv: readonly string[]): AclDenial | undefined {
    if (user.unrestricted) return undefined;
    const aclCommand = 'id' in command ? command : this.table.lookup(command.meta.name);
    if (!aclCommand) return undefined;
    const cache = new KeyCache(aclCommand, argv);
    const outcome = this.#outcome;
    let relevant: number = AclResult.DENIED_CMD;
    let lastPosition = 0;
    for (const selector of user.selectors) {
      selector.check(aclCommand, argv, cache, outcome);
      if (outcome.result === AclResult.OK) return undefined;
      if (
        outcome.result > relevant ||
        (outcome.result === relevant && outcome.position > lastPosition)
      ) {
        relevant = outcome.result;
        lastPosition = outcome.position;
      }
    }
    return { result: relevant, position: lastPosition };
  }

  /** Records a denied command in ACL LOG. */
  logDenial(
    client: Client,
    user: User,
    command: Command | AclCommand,
    argv: readonly string[],
    denial: AclDenial,
    context: AclLogContext,
    infoClient: Client = client,
  ): void {
    const reason: AclLogReason =
      denial.result === AclResult.DENIED_KEY
        ? 'key'
        : denial.result === AclResult.DENIED_CHANNEL
          ? 'channel'
          : 'command';
    const name = 'id' in command ? command.name : command.meta.name;
    const object = reason === 'command' ? name : (argv[denial.position] ?? '');
    this.addLogEntry(infoClient, reason, context, object, user.name);
  }

  /** addACLLogEntry */
  addLogEntry(
    client: Client,
    reason: AclLogReason,
    context: AclLogContext,
    object: string,
    username: string,
  ): void {
    this.log.add(
      {
        reason,
        context,
        object,
        username,
        time: this.server.clock.now(),
        clientInfo: this.server.describeClient(client),
      },
      this.server.config.number('acllog-max-len'),
    );
  }

  /** The name of the user a client is logged in as. */
  userName(client: Client): string {
    return (this.#clientUsers.get(client) ?? this.defaultUser).name;
  }

  /** Users sorted by name as redis-server's radix tree keeps them. */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** ACL LIST lines. */
  list(): string[] {
    return this.sortedUsers().map((user) => `user ${user.name} ${user.describe()}`);
  }

  /**
   * ACL SETUSER: applies the rules to a staged copy (all or nothing), then to the user, created
   * if needed. Returns the error reply text, or undefined.
   */
  setUser(name: string, rules: readonly string[]): string | undefined {
    if (!validUsername(name)) return AclText.USERNAME_SPACES;
    const merged = mergeSelectorArguments(rules);
    if (typeof merged === 'number') return AclText.unmatchedParenthesis(rules[merged] ?? '');
    const existing = this.users.get(name);
    const staged = existing ? existing.clone() : this.#newUser(name);
    for (const rule of merged) {
      const error = staged.setRule(rule);
      if (error !== undefined) return AclText.setuserError(rule, ruleErrorText(error));
    }
    if (existing) {
      this.#killPubsubClientsIfNeeded(existing, staged);
      existing.copyFrom(staged);
    } else this.users.set(name, staged);
    this.refresh();
    return undefined;
  }

  /** Rules for a user at start-up or from a file (no staging: the caller discards on error). */
  #applyRules(name: string, rules: readonly string[]): string | undefined {
    if (!validUsername(name)) return ruleErrorText('EINVAL');
    const merged = mergeSelectorArguments(rules);
    if (typeof merged === 'number') return 'Unmatched parenthesis in acl selector';
    const user = this.users.get(name) ?? this.#newUser(name);
    const staged = user.clone();
    for (const rule of merged) {
      const error: RuleError | undefined = staged.setRule(
        rule.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''),
      );
      if (error !== undefined) return ruleErrorText(error);
    }
    user.copyFrom(staged);
    this.users.set(name, user);
    return undefined;
  }

  /** ACL DELUSER: removes users and disconnects their clients; returns how many existed. */
  deleteUsers(names: readonly string[], current: Client | undefined): number {
    let deleted = 0;
    for (const name of names) {
      const user = this.users.get(name);
      if (!user || user === this.defaultUser) continue;
      this.users.delete(name);
      this.killClientsOf(user, current);
      deleted++;
    }
    this.refresh();
    return deleted;
  }

  /** Disconnects every client logged in as `user` (the current one after its reply). */
  killClientsOf(user: User, current: Client | undefined): void {
    for (const client of [...this.server.clients.values()]) {
      if (this.#clientUsers.get(client) !== user) continue;
      this.server.killClient(client, client === current);
    }
  }

  /**
   * ACLKillPubsubClientsIfNeeded: clients subscribed to channels the new rules no longer allow
   * are disconnected.
   */
  #killPubsubClientsIfNeeded(current: User, next: User): void {
    const allowed = (channel: string, isPattern: boolean): boolean =>
      next.selectors.some(
        (selector) =>
          (selector.flags & SelectorFlag.ALLCHANNELS) !== 0 ||
          channelAllowed(selector.channels, channel, isPattern),
      );
    for (const client of [...this.server.clients.values()]) {
      if (this.#clientUsers.get(client) !== current || client.subscriptionCount === 0) continue;
      let keep = true;
      for (const channel of client.channels) keep &&= allowed(channel, false);
      for (const channel of client.shardChannels) keep &&= allowed(channel, false);
      for (const pattern of client.patterns) keep &&= allowed(pattern, true);
      if (!keep) this.server.killClient(client, client === this.server.currentClient);
    }
  }

  /**
   * ACL LOAD: replaces every user with the file's (all or nothing). Clients of the replaced
   * users are disconnected. Returns the error text, or undefined.
   */
  loadFile(file: string): string | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (error) {
      return `Error loading ACLs, opening file '${file}': ${(error as Error).message}`;
    }
    const loaded = new Map<string, User>();
    let errors = '';
    text.split('\n').forEach((rawLine, index) => {
      const line = rawLine.trim();
      const number = index + 1;
      if (line === '') return;
      const argv = line.split(' ').filter((part) => part.length > 0);
      if (argv.length === 0) return;
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${file}:${number} should start with user keyword. `;
        return;
      }
      const name = argv[1] ?? '';
      if (loaded.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${number}. `;
        return;
      }
      const user = this.#newUser(name);
      const merged = mergeSelectorArguments(argv.slice(2));
      if (typeof merged === 'number') {
        errors += `${file}:${number}: Unmatched parenthesis in selector definition.`;
        return;
      }
      for (const rule of merged) {
        const error = user.setRule(rule.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''));
        if (error !== undefined) {
          errors += `${file}:${number}: ${ruleErrorText(error)}. `;
          return;
        }
      }
      loaded.set(name, user);
    });
    if (errors !== '') return errors.trimEnd();
    const old = [...this.users.values()];
    this.users.clear();
    const newDefault = loaded.get('default');
    if (newDefault) this.defaultUser.copyFrom(newDefault);
    else this.defaultUser.copyFrom(this.#createDefaultUser());
    this.users.set('default', this.defaultUser);
    for (const [name, user] of loaded) if (name !== 'default') this.users.set(name, user);
    for (const user of old)
      if (user !== this.defaultUser) this.killClientsOf(user, this.server.currentClient);
    this.refresh();
    return undefined;
  }

  /** ACL SAVE: writes ACL LIST's lines to a temporary file renamed over `file`. */
  saveFile(file: string): boolean {
    const temporary = `${file}.tmp-${process.pid}`;
    try {
      writeFileSync(
        temporary,
        this.list()
          .map((line) => `${line}\n`)
          .join(''),
        'latin1',
      );
      renameSync(temporary, file);
      return true;
    } catch (error) {
      this.server.logger.warning(`Opening temp ACL file for ACL SAVE: ${(error as Error).message}`);
      return false;
    }
  }
}

/**
 * ACLMergeSelectorArguments: "(~x" "+get)" become one "(~x +get)" rule. Returns the index of
 * the argument starting an unclosed selector when a parenthesis is not closed.
 */
export function mergeSelectorArguments(rules: readonly string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let selector = '';
  rules.forEach((op, index) => {
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = index;
      return;
    }
    if (open >= 0) {
      selector += ` ${op}`;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(selector);
      }
      return;
    }
    out.push(op);
  });
  return open >= 0 ? open : out;
}

/** The NOPERM reply of processCommand for a denial. */
export function denialText(result: number, commandName: string): string {
  switch (result) {
    case AclResult.DENIED_CMD:
      return `NOPERM this user has no permissions to run the '${commandName}' command`;
    case AclResult.DENIED_KEY:
      return AclText.NOPERM_KEY;
    case AclResult.DENIED_CHANNEL:
      return AclText.NOPERM_CHANNEL;
    default:
      return 'ERR no permission';
  }
}

/**
 * The check redis.call / redis.pcall make (scriptVerifyACL): the script's commands run with the
 * permissions of the user who called EVAL / FCALL. Returns the script error text (the caller
 * raises it), or undefined when allowed; a denial is logged with context "lua".
 */
export function scriptPermissionError(
  scriptClient: Client,
  caller: Client | undefined,
  command: Command,
  argv: readonly string[],
): string | undefined {
  const acl = instances.get(scriptClient.server);
  if (acl === undefined || caller === undefined) return undefined;
  const user = acl.userOf(caller);
  if (user.unrestricted) return undefined;
  const denial = acl.check(user, command, argv);
  if (denial === undefined) return undefined;
  acl.logDenial(scriptClient, user, command, argv, denial, 'lua', caller);
  switch (denial.result) {
    case AclResult.DENIED_CMD:
      return AclText.SCRIPT_DENIED_CMD;
    case AclResult.DENIED_KEY:
      return AclText.SCRIPT_DENIED_KEY;
    case AclResult.DENIED_CHANNEL:
      return AclText.SCRIPT_DENIED_CHANNEL;
    default:
      return AclText.SCRIPT_DENIED;
  }
}

/** redis.acl_check_cmd: may the script's caller run this command with these arguments? */
export function scriptCommandAllowed(
  scriptClient: Client,
  caller: Client | undefined,
  command: Command,
  argv: readonly string[],
): boolean {
  const acl = instances.get(scriptClient.server);
  if (acl === undefined || caller === undefined) return true;
  return acl.check(acl.userOf(caller), command, argv) === undefined;
}

/**
 * EXEC's re-check of a queued command (ACLs may have changed since it was queued): the NOPERM
 * reply redis-server gives for it, logged with context "multi", or undefined when allowed.
 */
export function execPermissionError(
  client: Client,
  command: Command,
  argv: readonly string[],
): string | undefined {
  const acl = instances.get(client.server);
  if (acl === undefined) return undefined;
  const user = acl.userOf(client);
  if (user.unrestricted) return undefined;
  const denial = acl.check(user, command, argv);
  if (denial === undefined) return undefined;
  acl.logDenial(client, user, command, argv, denial, 'multi');
  const reason =
    denial.result === AclResult.DENIED_CMD
      ? 'no permission to execute the command or subcommand'
      : denial.result === AclResult.DENIED_KEY
        ? 'no permission to touch the specified keys'
        : denial.result === AclResult.DENIED_CHANNEL
          ? 'no permission to access one of the channels used as arguments'
          : 'no permission';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}
