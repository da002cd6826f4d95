/**
 * zkts client: a typed, promise-based ZooKeeper client for Node.js, imported as `zkts/client`.
 *
 * ```ts
 * import { createClient, NodeExistsError } from 'zkts/client';
 *
 * const client = await createClient('127.0.0.1:2181,127.0.0.1:2182/app', { sessionTimeoutMs: 10_000 });
 * client.on('state', (state) => console.log('session', state));
 * await client.create('/config', 'v1', { mode: 'persistent' }).catch((error) => {
 *   if (!(error instanceof NodeExistsError)) throw error;
 * });
 * const { data, stat } = await client.getData('/config', { watch: (event) => console.log(event.type) });
 * for await (const event of client.watch('/jobs', { mode: 'persistentRecursive' })) console.log(event.path);
 * await client.close();
 * ```
 *
 * This file only re-exports: the API is in client.ts, the pure connection state machine it
 * drives in core/. The API reference (docs/api/) is generated from these exports by
 * `npm run docs`.
 *
 * @packageDocumentation
 */
import { ZooKeeperClient, type ClientOptions } from './client.js';

export { ZooKeeperClient, Transaction } from './client.js';
export type {
  ClientOptions, WatchListener, WatchOptions, GetChildrenOptions, WatchStreamOptions, RemoveWatchesOptions,
  GetDataResult, ChildrenWithStat, MultiReadResult, ZooKeeperClientEvents,
} from './client.js';
export { WatchStream, WatchBufferOverflowError, type WatchStreamMode } from './watch-stream.js';
export { retry, type RetryOptions } from './retry.js';
export * from './core/errors.js';
export {
  OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, CreateMode,
  type ACL, type Id, type Stat, type ClientInfo, type CreateModeName, type CreateOptions, type Data,
  type MultiOp, type MultiResult, type MultiReadOp, type AddWatchModeName, type WatcherTypeName, type ACLAndStat,
} from './core/requests.js';
export type { WatchEvent, WatchEventType } from './core/watches.js';
export type { ClientState, StateEvent } from './core/connection.js';
export { parseConnectString, type HostPort, type ConnectString } from './core/paths.js';
export { Perms } from '../protocol/codes.js';

/**
 * Connects to a ZooKeeper ensemble (`host:port,...[/chroot]`) and resolves once a session is
 * established; rejects (and releases everything) if that does not happen within
 * `options.connectTimeoutMs` (default: the session timeout).
 */
export async function createClient(connectString: string, options: ClientOptions = {}): Promise<ZooKeeperClient> {
  const client = new ZooKeeperClient(connectString, options);
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
