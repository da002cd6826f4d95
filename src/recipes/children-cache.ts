/**
 * A local copy of a node's children and their data, kept fresh by watches (the shape of
 * Curator's PathChildrenCache): a children watch on the node, a data watch on every child, and an
 * exists watch on the node while it does not exist. Service discovery and group membership read
 * this copy instead of asking the server on every call.
 *
 * Every watch event only marks the copy stale and schedules one refresh; refreshes never overlap
 * and a refresh asked for during another runs again after it, so an event can never be lost
 * between a read and its re-armed watch (the refresh's reads re-arm the watches and see
 * everything up to them). After a reconnect the client re-registers the watches (SetWatches
 * reports what changed meanwhile) and the cache refreshes once more, for reads that failed with
 * ConnectionLoss. After the session is lost the copy stays as it was, and 'lost' is emitted.
 *
 * Not here: what the children mean (service-discovery.ts, group-membership.ts). Invariants: the
 * copy holds only names the last children listing returned; a 'change' is emitted only when the
 * copy changed.
 */
import { EventEmitter } from 'node:events';
import { isRetryable, NoNodeError, type Stat, type WatchListener, type ZooKeeperClient } from '../client/index.js';
import { childPath, nameOf } from './core/names.js';
import { isEnded, reportError, SessionWatch, type ConnectionEvents } from './session-events.js';
import { Deadline, persistently, type WaitOptions } from './waiting.js';

export interface CachedChild {
  readonly name: string;
  readonly data: Buffer;
  readonly stat: Stat;
}

export interface ChildrenChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly updated: readonly string[];
}

export interface ChildrenCacheEvents extends ConnectionEvents {
  change: [change: ChildrenChange];
  /** A refresh failed for a reason other than the connection (e.g. NoAuth). */
  error: [error: unknown];
}

export class ChildrenCache extends EventEmitter<ChildrenCacheEvents> {
  private readonly entries = new Map<string, CachedChild>();
  /** Children whose data changed since it was read. */
  private readonly stale = new Set<string>();
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private session: SessionWatch | undefined;
  private readonly onChildren: WatchListener = () => this.refresh();
  private readonly onParent: WatchListener = () => this.refresh();
  private readonly onData: WatchListener = (event) => {
    if (event.type === 'NodeDataChanged') this.stale.add(nameOf(event.path));
    this.refresh();
  };

  constructor(readonly client: ZooKeeperClient, readonly path: string) {
    super();
  }

  /** The cached children by name. */
  get children(): ReadonlyMap<string, CachedChild> {
    return this.entries;
  }

  /** Starts watching; resolves once the first full read is in the copy. */
  async start(options: WaitOptions = {}): Promise<void> {
    if (this.closed) throw new Error('cache closed');
    this.session ??= new SessionWatch(this.client, {
      suspended: () => this.emit('suspended'),
      reconnected: () => {
        this.refresh();
        this.emit('reconnected');
      },
      lost: (cause) => this.emit('lost', cause),
    });
    await persistently(this.client, new Deadline(options, `cache of ${this.path}`), () => this.run());
  }

  /** Stops watching (the server-side watches are removed too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.stop();
    this.session = undefined;
    if (isEnded(this.client)) return;
    const forget = (path: string, type: 'children' | 'data', listener: WatchListener) => {
      this.client.removeWatches(path, type, { listener }).catch(() => undefined);
    };
    forget(this.path, 'children', this.onChildren);
    forget(this.path, 'data', this.onParent);
    for (const name of this.entries.keys()) forget(childPath(this.path, name), 'data', this.onData);
  }

  /** Schedules a refresh; failures that a reconnect will repair are not reported. */
  private refresh(): void {
    if (this.closed) return;
    this.run().catch((error: unknown) => {
      if (!this.closed && !isRetryable(error)) reportError(this, this.client, error);
    });
  }

  /** One refresh at a time; asked again while running, it runs once more afterwards. */
  private run(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const running = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again && !this.closed);
    })();
    this.running = running;
    running.finally(() => { if (this.running === running) this.running = undefined; }).catch(() => undefined);
    return running;
  }

  private async load(): Promise<void> {
    let names: string[];
    try {
      names = await this.client.getChildren(this.path, { watch: this.onChildren });
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      // Not there (yet): watch for its creation; if it came back meanwhile, read again.
      if ((await this.client.exists(this.path, { watch: this.onParent })) !== null) {
        this.again = true;
        return;
      }
      names = [];
    }
    const added: string[] = [];
    const removed: string[] = [];
    const updated: string[] = [];
    try {
      const listed = new Set(names);
      for (const name of [...this.entries.keys()]) {
        if (listed.has(name)) continue;
        this.entries.delete(name);
        this.stale.delete(name);
        removed.push(name);
      }
      for (const name of names) {
        if (this.entries.has(name) && !this.stale.has(name)) continue;
        this.stale.delete(name);
        try {
          const { data, stat } = await this.client.getData(childPath(this.path, name), { watch: this.onData });
          const before = this.entries.get(name);
          this.entries.set(name, { name, data, stat });
          if (before === undefined) added.push(name);
          else if (before.stat.mzxid !== stat.mzxid) updated.push(name);
        } catch (error) {
          if (!(error instanceof NoNodeError)) {
            if (this.entries.has(name)) this.stale.add(name); // read it again next time
            throw error;
          }
          // Deleted since the listing: the children watch fires and the next refresh drops it.
        }
      }
    } finally {
      if (added.length + removed.length + updated.length > 0) this.emit('change', { added, removed, updated });
    }
  }
}
