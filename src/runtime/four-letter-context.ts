/**
 * Answers four-letter words on the client port.
 */
import type { ZooKeeperServerCore } from '../server/zk-server.js';
import type { ClientPort } from './client-port.js';
import type { ServerConfig } from './config.js';

export function fourLetterResponder(_config: ServerConfig, _core: ZooKeeperServerCore, _port: () => ClientPort, _startedWallMs: number) {
  return (head: Uint8Array): string | undefined => {
    const word = new TextDecoder().decode(head);
    if (word === 'ruok') return 'imok';
    return undefined;
  };
}
