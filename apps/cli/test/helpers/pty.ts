import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DRIVER = fileURLToPath(new URL('./pty_driver.py', import.meta.url));

/** True when python3 with its pty module is there to drive a pseudo-terminal. */
export function ptyAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;
}

/** Removes ANSI escape sequences and carriage returns: what a person would read. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** A program running in a pseudo-terminal, typed into and read from. */
export class PtySession {
  readonly #child: ChildProcessWithoutNullStreams;
  #output = '';
  #exit: Promise<number | null>;

  constructor(
    command: string,
    args: readonly string[],
    env: Record<string, string | undefined> = {},
  ) {
    this.#child = spawn('python3', [DRIVER, command, ...args], {
      env: { ...process.env, TERM: 'xterm-256color', ...env },
    });
    this.#child.stdout.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
    });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
    });
    this.#exit = new Promise((resolve) => this.#child.on('close', (code) => resolve(code)));
  }

  /** Everything printed so far, escapes included. */
  get output(): string {
    return this.#output;
  }

  /** Types text (use \r for Enter, \t for Tab, \x03 for Ctrl-C, \x1b[A for Up). */
  type(text: string): void {
    this.#child.stdin.write(text);
  }

  /** Waits until the plain output (from `from` on) matches. */
  async waitFor(pattern: string | RegExp, from = 0, timeout = 15_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const seen = plain(this.#output.slice(from));
      if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) return seen;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${String(pattern)}; output was:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Types a line, waits for the next prompt, and returns what was printed in between (the
   * echoed line and the prompt left out).
   */
  async command(line: string, prompt: RegExp = /> $/): Promise<string> {
    const from = this.#output.length;
    this.type(line + '\r');
    const seen = await this.waitFor(new RegExp(`\\n[^\\n]*${prompt.source}`), from);
    return seen.split('\n').slice(1, -1).join('\n');
  }

  /** Types Ctrl-D, closes the terminal's input and waits for the program to end. */
  async close(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.stdin.writable) {
      this.#child.stdin.write('\x04');
      this.#child.stdin.end();
    }
    // a program that does not leave on Ctrl-D loses its terminal (SIGHUP)
    const timer = setTimeout(() => this.#child.kill('SIGTERM'), 3_000);
    const code = await this.#exit;
    clearTimeout(timer);
    return code;
  }
}
