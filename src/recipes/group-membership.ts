/**
 * Group membership (ZooKeeper's "Group Membership" use of ephemeral nodes): a member joins by
 * creating the ephemeral node `<path>/<id>` (with optional data) and is in the group exactly
 * while that node exists — until it leaves or its session ends. Anyone can watch the group:
 * `start()` keeps a local list (ChildrenCache) and emits 'change' with who joined and who left.
 *
 * Connection events: 'suspended' — the member still counts as joined while its session lives,
 * and the list may be stale; 'reconnected' — the own node is checked (re-created if someone
 * deleted it) and the list refreshed; 'lost' — the session ended: this member has left, and the
 * list is frozen.
 *
 * Not here: the watching itself (children-cache.ts). Invariant: `members()` is sorted by id.
 */
import { EventEmitter } from 'node:events';
import type { Data, ZooKeeperClient } from '../client/index.js';
import { childPath } from './core/names.js';
import { checkComponent } from './core/service-instance.js';
import { ChildrenCache } from './children-cache.js';
import { reportError, SessionWatch, type ConnectionEvents } from './session-events.js';
import { Deadline, type WaitOptions } from './waiting.js';
import { createOwnedEphemeral, deleteQuietly, newGuid } from './zk-ops.js';

export interface Member {
  readonly id: string;
  readonly data: Buffer;
}

export interface GroupMembershipOptions {
  /** This member's id (default: a fresh GUID); one path component. */
  readonly id?: string;
  /** Stored in the member node. */
  readonly data?: Data;
}

export interface GroupMembershipEvents extends ConnectionEvents {
  /** The group changed: ids that joined and ids that left. */
  change: [change: { readonly joined: readonly string[]; readonly left: readonly string[] }];
  error: [error: unknown];
}

export class GroupMembership extends EventEmitter<GroupMembershipEvents> {
  readonly id: string;
  private readonly cache: ChildrenCache;
  private joined = false;
  private session: SessionWatch | undefined;

  constructor(readonly client: ZooKeeperClient, readonly path: string, private readonly options: GroupMembershipOptions = {}) {
    super();
    this.id = checkComponent('member id', options.id ?? newGuid());
    this.cache = new ChildrenCache(client, path);
    this.cache.on('change', ({ added, removed }) => this.emit('change', { joined: added, left: removed }));
    this.cache.on('error', (error) => reportError(this, client, error));
  }

  private get nodePath(): string {
    return childPath(this.path, this.id);
  }

  /** True while this member's node exists as far as this client knows. */
  get isMember(): boolean {
    return this.joined;
  }

  /** Joins the group (idempotent while joined). */
  async join(options: WaitOptions = {}): Promise<void> {
    this.watchSession();
    await createOwnedEphemeral(this.client, this.nodePath, this.options.data, new Deadline(options, `join ${this.path}`));
    this.joined = true;
  }

  /** Leaves the group. */
  async leave(options: WaitOptions = {}): Promise<void> {
    this.joined = false;
    await deleteQuietly(this.client, this.nodePath, new Deadline(options, `leave ${this.path}`));
  }

  /** Starts watching the group; resolves once the first member list is in. */
  async start(options: WaitOptions = {}): Promise<void> {
    this.watchSession();
    await this.cache.start(options);
  }

  /** The members as last seen (after start()), sorted by id. */
  members(): Member[] {
    return [...this.cache.children.values()].map((child) => ({ id: child.name, data: child.data })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Stops watching and leaves (if joined). */
  async close(): Promise<void> {
    this.cache.close();
    this.session?.stop();
    this.session = undefined;
    if (this.joined) await this.leave();
  }

  private watchSession(): void {
    this.session ??= new SessionWatch(this.client, {
      suspended: () => this.emit('suspended'),
      reconnected: () => {
        this.emit('reconnected');
        if (!this.joined) return;
        createOwnedEphemeral(this.client, this.nodePath, this.options.data, Deadline.none(`rejoin ${this.path}`)).catch((error: unknown) => reportError(this, this.client, error));
      },
      lost: (cause) => {
        this.session = undefined;
        this.joined = false;
        this.emit('lost', cause);
      },
    });
  }
}
