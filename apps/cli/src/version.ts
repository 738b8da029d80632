import packageJson from '../package.json' with { type: 'json' };

/** byor-cli's version (its package's). */
export const BYOR_CLI_VERSION: string = packageJson.version;
