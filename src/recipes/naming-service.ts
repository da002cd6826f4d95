/**
 * Naming service: unique, increasing ids from one path (ZooKeeper's sequential nodes used as a
 * name generator). `nextId()` creates an ephemeral sequential node under `<path>`, reads the
 * number the server appended, and deletes the node again: the server never hands out a
 * parent's sequence number twice, whoever asks and whatever is deleted.
 *
 * The node is protected (a GUID prefix), so an id whose create reply was lost is recovered
 * rather than a second id taken. Ids increase per path in the order the server handles the
 * creates; they are not dense (a create that failed elsewhere uses a number too).
 *
 * Not here: anything else a naming service might do (hierarchical names are just paths).
 * Limits: ids stop being unique past 2^31 creates under one path (the server's counter is an int).
 */
import type { ZooKeeperClient } from '../client/index.js';
import { parseSequential } from './core/names.js';
import { Deadline, type WaitOptions } from './waiting.js';
import { createProtected, deleteQuietly } from './zk-ops.js';

export class NamingService {
  constructor(readonly client: ZooKeeperClient, readonly path: string) {}

  /** A new id, unique among every id this path ever gave out. */
  async nextId(options: WaitOptions = {}): Promise<number> {
    const created = await createProtected(this.client, this.path, 'id-', null, 'ephemeralSequential', new Deadline(options, `id from ${this.path}`));
    deleteQuietly(this.client, created).catch(() => undefined);
    const node = parseSequential(created.slice(created.lastIndexOf('/') + 1));
    if (node === undefined) throw new Error(`server returned a non-sequential name: ${created}`);
    return node.sequence;
  }
}
