/** zkts's own version, reported after the ZooKeeper protocol version in srvr/stat/envi. */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageJson = new URL('../../../package.json', import.meta.url);

export const ZKTS_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** When this build was made (the compiled file's time), as ZooKeeper prints it: yyyy-MM-dd HH:mm UTC. */
export const BUILT_ON: string = (() => {
  const time = statSync(fileURLToPath(import.meta.url)).mtime.toISOString();
  return `${time.slice(0, 10)} ${time.slice(11, 16)} UTC`;
})();
