/**
 * Argument reading for the bench/ scripts (compare, scale): a cursor over argv with checked
 * numbers, and the options both scripts share (where data dirs go, ZooKeeper's heap, JSON
 * output, keeping the dirs). Not here: each script's own options and defaults.
 */

export class ToolUsageError extends Error {
  override readonly name = 'ToolUsageError';
}

export interface SharedToolOptions {
  dataRoot: string;
  zookeeperHeap: string;
  jsonPath: string | undefined;
  keep: boolean;
}

export const sharedToolUsage = (tmpdir: string) => `  --data-root <dir>     where the servers' data dirs go, one disk for all (default ${tmpdir})
  --zk-heap <size>      ZooKeeper's -Xmx (default 1g; its RSS depends on it)
  --json <file>         also write the full results and the machine description as JSON
  --keep                keep the data dirs and logs
`;

export class ArgCursor {
  private index = -1;

  constructor(private readonly args: readonly string[]) {}

  /** The next option name, or undefined at the end. */
  next(): string | undefined {
    this.index++;
    return this.args[this.index];
  }

  /** The value after the current option. */
  value(name: string): string {
    const value = this.args[++this.index];
    if (value === undefined) throw new ToolUsageError(`${name} needs a value`);
    return value;
  }

  number(name: string, min: number, max: number): number {
    const text = this.value(name);
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new ToolUsageError(`${name} must be a number in ${min}..${max}, not '${text}'`);
    return value;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.number(name, min, max);
    if (!Number.isInteger(value)) throw new ToolUsageError(`${name} must be an integer`);
    return value;
  }
}

/** Applies `arg` if it is a shared option; false if it is not one. `--help` throws an empty ToolUsageError. */
export function sharedToolOption(arg: string, cursor: ArgCursor, options: SharedToolOptions): boolean {
  switch (arg) {
    case '--data-root': options.dataRoot = cursor.value(arg); return true;
    case '--zk-heap': {
      const heap = cursor.value(arg);
      if (!/^\d+[kmgKMG]?$/.test(heap)) throw new ToolUsageError('--zk-heap takes a JVM size like 1g or 512m');
      options.zookeeperHeap = heap;
      return true;
    }
    case '--json': options.jsonPath = cursor.value(arg); return true;
    case '--keep': options.keep = true; return true;
    case '--help': case '-h': throw new ToolUsageError('');
    default: return false;
  }
}

/**
 * Parses a script's arguments, or says why not: the options, or the exit code after printing
 * the usage (0 for --help, 2 for bad arguments, with the reason first).
 */
export function parseToolArgs<T>(tool: string, usage: string, argv: readonly string[], parse: (argv: readonly string[]) => T, write: (text: string) => void): { options: T } | { exitCode: number } {
  try {
    return { options: parse(argv) };
  } catch (error) {
    if (!(error instanceof ToolUsageError)) throw error;
    if (error.message !== '') write(`${tool}: ${error.message}\n`);
    write(usage);
    return { exitCode: error.message === '' ? 0 : 2 };
  }
}
