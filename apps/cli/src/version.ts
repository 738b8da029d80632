import packageJson from '../package.json' with { type: 'json' };

/**
 * byor-cli's version (its package's).
 *
 * @example
 * ```ts
 * console.log(`byor-cli ${BYOR_CLI_VERSION}`);
 * ```
 */
export const BYOR_CLI_VERSION: string = packageJson.version;
