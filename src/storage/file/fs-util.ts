/** Small file-system helpers the storage layer shares. */
import { open } from 'node:fs/promises';

/**
 * fsync a directory, so a file just created or renamed in it survives a crash (POSIX leaves
 * the directory entry in the page cache otherwise).
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
