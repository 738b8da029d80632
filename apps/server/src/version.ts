/** byor's own version, reported by `byor-server --version` and INFO (byor_version). */
export const BYOR_VERSION = '0.1.0';
