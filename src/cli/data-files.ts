/**
 * What the data-file commands (log-dump, snapshot-dump, purge) share at the edge: reading a file
 * with a one-line error instead of a stack trace, and the zone to print times in.
 */
import { readFile } from 'node:fs/promises';

/** The zone a JVM would print in: TZ, else the system's. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The file's bytes, or undefined after reporting why it cannot be read (exit code 1). */
export async function readDataFile(command: string, path: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = await readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    process.stderr.write(`zkts ${command}: cannot read ${path}: ${code}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
