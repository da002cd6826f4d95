/**
 * The shell's command language, as zkCli.sh reads it: a line is split into words (a word that
 * starts with a quote runs to the matching quote, so `set /a "two words"` has three arguments),
 * the first word names a command, and the rest are that command's options and arguments.
 * Options are parsed as commons-cli's POSIX parser does in zkCli: they may come before or after
 * the arguments, boolean flags may be bundled (`-se`), a value-taking option takes the rest of
 * its word or the next word, and `--` ends options.
 *
 * PURE: no I/O. The table below is the single source of each command's name, zkCli usage line
 * (verbatim, because scripts and people read them), options and argument count; the executor,
 * tab completion and `--help` all read it.
 */

export const shellCommandNames = [
  'addWatch', 'addauth', 'close', 'config', 'connect', 'create', 'delete', 'deleteall', 'delquota', 'get', 'getAcl',
  'getAllChildrenNumber', 'getEphemerals', 'history', 'listquota', 'ls', 'printwatches', 'quit', 'redo', 'removewatches',
  'set', 'setAcl', 'setquota', 'stat', 'sync', 'version', 'whoami',
] as const;
export type ShellCommandName = (typeof shellCommandNames)[number];

export interface CommandSpec {
  readonly name: ShellCommandName;
  /** zkCli's usage line, printed (alone) when the arguments do not fit. */
  readonly usage: string;
  /** Option letters; a letter followed by ':' takes a value (getopt style). */
  readonly options: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Which positional arguments are znode paths (for tab completion), by index. */
  readonly pathArgs: readonly number[];
}

function spec(name: ShellCommandName, usage: string, options: string, minArgs: number, maxArgs: number, pathArgs: readonly number[] = []): CommandSpec {
  return { name, usage, options, minArgs, maxArgs, pathArgs };
}

const table: readonly CommandSpec[] = [
  spec('addWatch', 'addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE', 'm:', 1, 1, [0]),
  spec('addauth', 'addauth scheme auth', '', 1, 2),
  spec('close', 'close ', '', 0, 0),
  spec('config', 'config [-c] [-w] [-s]', 'cws', 0, 0),
  spec('connect', 'connect host:port', '', 0, 1),
  spec('create', 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]', 'sect:', 1, 3, [0]),
  spec('delete', 'delete [-v version] path', 'v:', 1, 1, [0]),
  spec('deleteall', 'deleteall path [-b batch size]', 'b:', 1, 1, [0]),
  spec('delquota', 'delquota [-n|-b|-N|-B] path', 'nbNB', 1, 1, [0]),
  spec('get', 'get [-s] [-w] path', 'sw', 1, 1, [0]),
  spec('getAcl', 'getAcl [-s] path', 's', 1, 1, [0]),
  spec('getAllChildrenNumber', 'getAllChildrenNumber path', '', 1, 1, [0]),
  spec('getEphemerals', 'getEphemerals path', '', 0, 1, [0]),
  spec('history', 'history ', '', 0, 0),
  spec('listquota', 'listquota path', '', 1, 1, [0]),
  spec('ls', 'ls [-s] [-w] [-R] path', 'swR', 1, 1, [0]),
  spec('printwatches', 'printwatches on|off', '', 0, 1),
  spec('quit', 'quit ', '', 0, 0),
  spec('redo', 'redo cmdno', '', 1, 1),
  spec('removewatches', 'removewatches path [-c|-d|-a] [-l]', 'cdal', 1, 1, [0]),
  spec('set', 'set [-s] [-v version] path data', 'sv:', 2, 2, [0]),
  spec('setAcl', 'setAcl [-s] [-v version] [-R] path acl', 'sv:R', 2, 2, [0]),
  spec('setquota', 'setquota -n|-b|-N|-B val path', 'n:b:N:B:', 1, 1, [0]),
  spec('stat', 'stat [-w] path', 'w', 1, 1, [0]),
  spec('sync', 'sync path', '', 1, 1, [0]),
  spec('version', 'version ', '', 0, 0),
  spec('whoami', 'whoami ', '', 0, 0),
];

const byName = new Map<string, CommandSpec>(table.map((entry) => [entry.name, entry]));

export function commandSpec(name: string): CommandSpec | undefined {
  return byName.get(name);
}

export const commandSpecs: readonly CommandSpec[] = table;

/**
 * zkCli's answer to an unknown command: the synopsis line and every command's usage, tab
 * indented, in name order.
 */
export function commandListing(): string {
  return ['ZooKeeper -server host:port -client-configuration properties-file cmd args', ...table.map((entry) => `\t${entry.usage}`)].join('\n');
}

/** A line the shell cannot run, with the text to print for it (one line, or the listing). */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
  constructor(
    readonly kind: 'unknownCommand' | 'usage' | 'unrecognizedOption' | 'missingArgument' | 'unterminatedQuote',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a line into words: whitespace separates, a word starting with `"` or `'` runs to the
 * next same quote (quotes dropped, may be empty, may hold spaces). Quotes inside a word are
 * ordinary characters, as in zkCli (`x"y` is one word).
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '"' || ch === "'") {
      const close = line.indexOf(ch, i + 1);
      if (close === -1) throw new CommandLineError('unterminatedQuote', `Unterminated quote: ${line.slice(i)}`);
      words.push(line.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < line.length && !/\s/.test(line[end]!)) end++;
    words.push(line.slice(i, end));
    i = end;
  }
  return words;
}

export interface ParsedCommand {
  readonly spec: CommandSpec;
  /** Flags present: a boolean flag maps to true, a value option to its value. */
  readonly options: ReadonlyMap<string, string | true>;
  readonly args: readonly string[];
}

/** Parses one command's words (name first). Throws CommandLineError. */
export function parseCommand(words: readonly string[]): ParsedCommand {
  const [name, ...rest] = words;
  const found = name === undefined ? undefined : commandSpec(name);
  if (found === undefined) throw new CommandLineError('unknownCommand', `Command not found: Command not found ${name ?? ''}`);
  const takesValue = new Map<string, boolean>();
  for (let i = 0; i < found.options.length; i++) {
    const letter = found.options[i]!;
    if (letter === ':') continue;
    takesValue.set(letter, found.options[i + 1] === ':');
  }
  const options = new Map<string, string | true>();
  const args: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (optionsEnded || !word.startsWith('-') || word === '-') { args.push(word); continue; }
    if (word === '--') { optionsEnded = true; continue; }
    for (let j = 1; j < word.length; j++) {
      const letter = word[j]!;
      const value = takesValue.get(letter);
      if (value === undefined) throw new CommandLineError('unrecognizedOption', `Unrecognized option: ${j === 1 ? word : `-${letter}`}`);
      if (!value) { options.set(letter, true); continue; }
      const inline = word.slice(j + 1);
      if (inline !== '') options.set(letter, inline);
      else if (i + 1 < rest.length) options.set(letter, rest[++i]!);
      else throw new CommandLineError('missingArgument', `Missing argument for option: ${letter}`);
      break;
    }
  }
  if (args.length < found.minArgs || args.length > found.maxArgs) throw new CommandLineError('usage', found.usage);
  return { spec: found, options, args };
}

/** Splits and parses a line; undefined for a blank line. */
export function parseLine(line: string): ParsedCommand | undefined {
  const words = splitWords(line);
  return words.length === 0 ? undefined : parseCommand(words);
}
