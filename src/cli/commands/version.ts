/** `zkts version`: zkts's version and the ZooKeeper protocol release it speaks. */
import { ZKTS_VERSION } from '../../runtime/version.js';
import { ZOOKEEPER_PROTOCOL_VERSION } from '../../admin/four-letter.js';
import type { Command } from '../command.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version',
  usage: 'usage: zkts version\n\nPrints zkts\'s version and the Apache ZooKeeper protocol version it speaks.\n',
  async run() {
    process.stdout.write(`zkts ${ZKTS_VERSION} (ZooKeeper ${ZOOKEEPER_PROTOCOL_VERSION} protocol)\n`);
  },
};
