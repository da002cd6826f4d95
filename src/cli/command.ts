/**
 * What a `zkts` subcommand is: a name, a one-line summary for `zkts help`, its own usage text
 * for `zkts <name> --help`, and a `run` that gets the arguments after the name.
 *
 * A command signals failure by throwing (UsageError for bad arguments: exit 2, with its usage)
 * or by setting process.exitCode; main.ts owns the process exit.
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[]): Promise<void>;
}

/** Bad command-line arguments: main prints the message and the command's usage, exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** True when the arguments ask for help (`--help`, `-h`), which every command answers. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
