import type { Client } from '../client.js';
import type { CommandMeta } from './spec.js';

/** A command handler: reads argv (argv[0] is the command name), writes its reply to `client.w`. */
export type Handler = (client: Client, argv: string[]) => void;

/** Handlers of one command group, keyed by lower-case name ("get", "config|get"). */
export type HandlerTable = Readonly<Record<string, Handler>>;

/** A command in the server's table. */
export interface Command {
  readonly meta: CommandMeta;
  readonly handler: Handler | undefined;
  readonly subcommands: ReadonlyMap<string, Command> | undefined;
  /** INFO commandstats */
  calls: number;
  microseconds: number;
  rejectedCalls: number;
  failedCalls: number;
}
