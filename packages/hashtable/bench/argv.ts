/**
 * pnpm passes the `--` of `pnpm bench -- <filter>` through to the script. Dropped here, in a
 * module that run.ts imports first, so that the shared runner (evaluated next) and the bench
 * files see the filter as argv[2].
 */
if (process.argv[2] === '--') process.argv.splice(2, 1);
