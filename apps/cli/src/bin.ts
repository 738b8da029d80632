#!/usr/bin/env node
import { main } from './main.js';

// Exit once stdout has taken everything: a prompt or a finished stream may leave stdin open.
main(process.argv.slice(2)).then(
  (code) => {
    if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => process.exit(code));
    else process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `byor-cli: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
