/**
 * The small argument parser the tool commands share: named flags and valued options under any
 * number of spellings (so ZooKeeper's own `-d`, `-json`, `-n 3` work beside `--data`, `--json`),
 * `--name=value`, and positionals. Anything starting with '-' that is not known is a UsageError.
 */
import { UsageError } from './command.js';

export interface ArgSpec {
  /** Boolean flags: name → spellings. */
  readonly flags?: Readonly<Record<string, readonly string[]>>;
  /** Options taking a value: name → spellings. */
  readonly options?: Readonly<Record<string, readonly string[]>>;
}

export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly options: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const flagBySpelling = new Map<string, string>();
  const optionBySpelling = new Map<string, string>();
  for (const [name, spellings] of Object.entries(spec.flags ?? {})) for (const spelling of spellings) flagBySpelling.set(spelling, name);
  for (const [name, spellings] of Object.entries(spec.options ?? {})) for (const spelling of spellings) optionBySpelling.set(spelling, name);
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const spelling = equals > 0 ? arg.slice(0, equals) : arg;
    const flag = flagBySpelling.get(spelling);
    const option = optionBySpelling.get(spelling);
    if (flag !== undefined && equals < 0) {
      flags.add(flag);
    } else if (option !== undefined) {
      const value = equals > 0 ? arg.slice(equals + 1) : args[++index];
      if (value === undefined) throw new UsageError(`${spelling} needs a value`);
      if (options.has(option)) throw new UsageError(`${spelling} given twice`);
      options.set(option, value);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positionals.push(arg);
    }
  }
  return { flags, options, positionals };
}
