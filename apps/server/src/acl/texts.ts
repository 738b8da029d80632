import type { RuleError } from './selector.js';

/** ACL error replies and messages, redis-server 7.0's texts, each written once. */
export const AclText = {
  NOPERM_KEY: 'NOPERM this user has no permissions to access one of the keys used as arguments',
  NOPERM_CHANNEL:
    'NOPERM this user has no permissions to access one of the channels used as arguments',
  USERNAME_SPACES: "ERR Usernames can't contain spaces or null characters",
  DEFAULT_UNDELETABLE: "ERR The 'default' user cannot be removed",
  GENPASS_RANGE:
    'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
  NO_ACL_FILE:
    'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
  SAVE_FAILED:
    'ERR There was an error trying to save the ACLs. Please check the server logs for more information',
  USERS_AND_FILE:
    'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
  SCRIPT_DENIED_CMD: "The user executing the script can't run this command or subcommand",
  SCRIPT_DENIED_KEY:
    "The user executing the script can't access at least one of the keys mentioned in the command arguments",
  SCRIPT_DENIED_CHANNEL:
    "The user executing the script can't publish to the channel mentioned in the command",
  SCRIPT_DENIED: 'The user executing the script is lacking the permissions for the command',
  subcommandArity: (name: string): string =>
    `ERR unknown subcommand or wrong number of arguments for '${name}'. Try ACL HELP.`,
  unknownCategory: (name: string): string => `ERR Unknown category '${name.slice(0, 128)}'`,
  setuserError: (rule: string, reason: string): string =>
    `ERR Error in ACL SETUSER modifier '${rule}': ${reason}`,
  unmatchedParenthesis: (rule: string): string =>
    `ERR Unmatched parenthesis in acl selector starting at '${rule}'.`,
  userDeclaration: (name: string, reason: string): string =>
    `Error in user declaration '${name}': ${reason}`,
  userNotFound: (name: string): string => `ERR User '${name}' not found`,
  commandNotFound: (name: string): string => `ERR Command '${name}' not found`,
} as const;

/** ACLSetUserStringError: the text for why a rule was refused. */
export function ruleErrorText(error: RuleError): string {
  switch (error) {
    case 'ENOENT':
      return 'Unknown command or category name in ACL';
    case 'EINVAL':
      return 'Syntax error';
    case 'EEXIST':
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR':
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV':
      return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG':
      return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY':
      return 'Duplicate user found. A user can only be defined once in config files';
  }
}
