/**
 * The shell on a terminal: node:readline line editing with zkCli's prompt, TAB completion of
 * commands and znode paths (ShellSession.complete), up/down-arrow recall of earlier lines, kept
 * across runs in a history file, and watch events printed the moment they arrive without
 * garbling the line being typed: the prompt line is cleared, the event printed, and the prompt
 * redrawn with the typed text intact.
 *
 * Not here: what commands do (session.ts). Invariant: lines run one at a time, in order; a line
 * typed while one runs waits for it.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { clearLine, createInterface, cursorTo } from 'node:readline';
import type { ShellSession } from './session.js';

/** Lines kept for up-arrow recall, in memory and in the history file. */
export const historyLinesMax = 1000;

export interface TerminalOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { columns?: number };
  /** Where recalled lines persist between runs; undefined keeps them in memory only. */
  readonly historyFile: string | undefined;
}

/**
 * The history file's lines, oldest first; a missing or unreadable file is an empty history. A
 * file past the limit is cut back to it here, so appending during a session keeps it bounded.
 */
export function loadHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  } catch {
    return [];
  }
  if (lines.length <= historyLinesMax) return lines;
  const kept = lines.slice(-historyLinesMax);
  try {
    writeFileSync(file, `${kept.join('\n')}\n`, { mode: 0o600 });
  } catch {
    // Keep using it as it is; a read-only history file is not an error.
  }
  return kept;
}

function saveLine(file: string | undefined, line: string): void {
  if (file === undefined) return;
  try {
    appendFileSync(file, `${line}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only home directory must not break the shell.
  }
}

/**
 * Runs the shell until `quit` or end of input (Ctrl-D). Ctrl-C abandons the line being typed,
 * as in bash. Resolves when the session is closed.
 */
export async function runInteractive(session: ShellSession, options: TerminalOptions, setEventSink: (sink: (text: string) => void) => void): Promise<void> {
  const recalled = loadHistory(options.historyFile);
  const rl = createInterface({
    input: options.input,
    output: options.output,
    terminal: true,
    historySize: historyLinesMax,
    // readline wants the most recent line first.
    history: [...recalled].reverse(),
    completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
      session.complete(line).then((result) => callback(null, result), () => callback(null, [[], line]));
    },
  });
  let waitingForInput = false;
  setEventSink((text) => {
    if (!waitingForInput) {
      options.output.write(text);
      return;
    }
    clearLine(options.output, 0);
    cursorTo(options.output, 0);
    options.output.write(text);
    // The event may be a connection change, which the prompt shows.
    rl.setPrompt(session.prompt());
    rl.prompt(true);
  });
  rl.on('SIGINT', () => {
    options.output.write('^C\n');
    // Drop the typed text (end of line, then kill to its start), which redraws the prompt.
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
  });
  const showPrompt = () => {
    rl.setPrompt(session.prompt());
    waitingForInput = true;
    rl.prompt();
  };
  showPrompt();
  for await (const line of rl) {
    waitingForInput = false;
    if (line.trim() !== '') saveLine(options.historyFile, line);
    const result = await session.runLine(line);
    if (result === 'quit') break;
    showPrompt();
  }
  waitingForInput = false;
  rl.close();
  await session.close(true);
}
