/**
 * A program on a real pseudo-terminal, for tests that type at it as a person would: keystrokes
 * go in through test/cli/pty-bridge.py (python3's pty module), and the terminal's output comes
 * back as the program wrote it, escape sequences and all. `screen` strips those sequences, so
 * tests match the text a person would see scroll by.
 *
 * Not a terminal emulator: cursor movements are dropped, not applied, so a redrawn line appears
 * again in the text rather than overwriting itself. Invariants: every wait is bounded and fails
 * with the text seen so far; `close()` kills the program if it is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bridge = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'cli', 'pty-bridge.py');

export const keys = {
  enter: '\r',
  tab: '\t',
  up: '\x1b[A',
  ctrlC: '\x03',
  ctrlD: '\x04',
} as const;

/** ANSI escape sequences (CSI and the two-byte ones) and carriage returns. */
const escapes = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\r/g;

export class Terminal {
  private raw = '';
  private exitCode: number | null | undefined = undefined;
  private readonly child: ChildProcess;
  /** Where the next `waitFor` starts looking, in `screen` characters. */
  private mark = 0;

  constructor(command: string, args: readonly string[], env: NodeJS.ProcessEnv, columns = 160, rows = 50) {
    this.child = spawn('python3', [bridge, String(columns), String(rows), command, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
    this.child.stdout?.on('data', (chunk: Buffer) => { this.raw += chunk.toString('utf8'); });
    this.child.on('exit', (code) => { this.exitCode = code; });
    this.child.stdin?.on('error', () => { /* the program may already have exited */ });
  }

  /** Everything shown so far, without escape sequences. */
  get screen(): string {
    return this.raw.replace(escapes, '');
  }

  type(text: string): void {
    this.child.stdin?.write(text);
  }

  /**
   * Waits until the text after the previous wait's match contains `pattern`; returns the text
   * from there up to the end of the match, and moves the mark past it.
   */
  async waitFor(pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen;
      const rest = screen.slice(this.mark);
      const match = typeof pattern === 'string'
        ? (rest.includes(pattern) ? { index: rest.indexOf(pattern), length: pattern.length } : undefined)
        : ((found) => (found === null ? undefined : { index: found.index, length: found[0].length }))(pattern.exec(rest));
      if (match !== undefined) {
        const seen = rest.slice(0, match.index + match.length);
        this.mark += match.index + match.length;
        return seen;
      }
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} on the terminal within ${timeoutMs} ms; after the last match it shows:\n${rest}`);
      if (this.exitCode !== undefined) throw new Error(`the program exited (${this.exitCode}) without showing ${String(pattern)}; after the last match it showed:\n${rest}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits for the program to exit; resolves with its exit status. */
  async exited(timeoutMs = 10_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.exitCode === undefined) {
      if (Date.now() > deadline) throw new Error(`the program did not exit within ${timeoutMs} ms; it shows:\n${this.screen.slice(this.mark)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.exitCode;
  }

  async close(): Promise<void> {
    if (this.exitCode === undefined) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGKILL');
      await gone;
    }
  }
}
