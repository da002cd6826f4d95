/**
 * Configuration center with the "ready znode" pattern (ZooKeeper's programmer's guide and the
 * ZooKeeper paper, §2.3): keys are persistent nodes `<path>/keys/<key>` holding JSON, and
 * `<path>/ready` exists exactly when they form a complete configuration.
 *
 * Writers (serialised by a lock at `<path>/writer`): delete `ready`, write the changed keys,
 * then create `ready` again with the new generation number. A multi-key update is therefore
 * never half-visible to a reader that follows the rule below, although each key is its own node.
 *
 * Readers: set a watch on `ready` and check it exists, read the keys, and trust what they read
 * only if that watch has not fired meanwhile. This works because ZooKeeper delivers a watch
 * event to a client before any reply that reflects the change (and zkts's client calls the
 * listener before such a reply settles): if a writer deleted `ready` before changing a key the
 * reader saw, the reader's watch fired first, so the reader discards that read and waits for
 * `ready` to come back. A reader without a trusted configuration keeps the last one it had.
 *
 * A writer that dies between deleting and re-creating `ready` leaves the configuration
 * "not ready": readers keep the previous one until the next writer completes an update.
 *
 * Connection events: 'suspended' — the cached configuration is the last trusted one and may be
 * stale; 'reconnected' — the client re-registered the ready watch (SetWatches reports a change
 * made meanwhile, which triggers a re-read); 'lost' — it stays frozen.
 *
 * Not here: typing rules (pass `decode` to validate the raw record). Invariant: `snapshot` only
 * ever holds a configuration read under an unfired ready watch.
 */
import { EventEmitter } from 'node:events';
import { isRetryable, NodeExistsError, NoNodeError, type ZooKeeperClient } from '../client/index.js';
import { CorruptDataError } from './core/errors.js';
import { childPath } from './core/names.js';
import { checkComponent } from './core/service-instance.js';
import { Lock } from './lock.js';
import { isEnded, reportError, SessionWatch, type ConnectionEvents } from './session-events.js';
import { afterRetryableFailure, bounded, Deadline, forgetWatch, persistently, Wakeup, type WaitOptions } from './waiting.js';
import { createWithParents, ensurePath } from './zk-ops.js';

export type RawConfig = Readonly<Record<string, unknown>>;

export interface ConfigStoreOptions<T> {
  /** Turns the raw key → JSON value record into T; throw to reject it. Default: as it is. */
  readonly decode?: (raw: RawConfig) => T;
}

export interface ConfigSnapshot<T> {
  readonly values: T;
  /** Counts completed updates: each writer's update makes it one larger. */
  readonly generation: number;
}

export interface ConfigChange<T> {
  readonly previous: T | undefined;
  readonly current: T;
  readonly changedKeys: readonly string[];
  readonly generation: number;
}

export interface ConfigStoreEvents<T> extends ConnectionEvents {
  change: [change: ConfigChange<T>];
  /** A configuration that `decode` rejected, or another failure while following changes. */
  error: [error: unknown];
}

/** Changes for update(): a value sets the key, `undefined` deletes it. */
export type ConfigUpdate<T> = { readonly [K in keyof T]?: T[K] | undefined };

type ReadResult<T> = { readonly kind: 'notReady' } | { readonly kind: 'read'; readonly snapshot: ConfigSnapshot<T>; readonly raw: RawConfig };

const utf8 = new TextDecoder();
/** Pause after an unexpected failure while following, before reading again. */
const followRetryMs = 200;

export class ConfigStore<T extends object = RawConfig> extends EventEmitter<ConfigStoreEvents<T>> {
  private readonly keysPath: string;
  private readonly readyPath: string;
  private current: { snapshot: ConfigSnapshot<T>; raw: RawConfig } | undefined;
  private following: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private session: SessionWatch | undefined;
  private readonly firstWaiters = new Set<() => void>();
  private readonly decode: (raw: RawConfig) => T;

  constructor(readonly client: ZooKeeperClient, readonly path: string, options: ConfigStoreOptions<T> = {}) {
    super();
    this.keysPath = childPath(path, 'keys');
    this.readyPath = childPath(path, 'ready');
    this.decode = options.decode ?? ((raw) => raw as T);
  }

  /** The last trusted configuration (after start()), or undefined before the first one. */
  get snapshot(): ConfigSnapshot<T> | undefined {
    return this.current?.snapshot;
  }

  get<K extends keyof T>(key: K): T[K] | undefined {
    return this.current?.snapshot.values[key];
  }

  /** One trusted read (no cache): waits, within the deadline, until the configuration is ready. */
  async read(options: WaitOptions = {}): Promise<ConfigSnapshot<T>> {
    const deadline = new Deadline(options, `read config ${this.path}`);
    for (;;) {
      const guard = new Wakeup();
      const read = await this.readOnce(guard, deadline);
      if (read.kind === 'read' && !guard.hasFired) {
        forgetWatch(this.client, this.readyPath, 'data', guard.listener);
        return read.snapshot;
      }
      await guard.wait(this.client, deadline); // not ready, or a writer is at work: wait for ready
    }
  }

  /** Follows the configuration; resolves with the first trusted one (waiting until it is ready). */
  async start(options: WaitOptions = {}): Promise<ConfigSnapshot<T>> {
    const deadline = new Deadline(options, `config ${this.path}`);
    this.session ??= new SessionWatch(this.client, {
      suspended: () => this.emit('suspended'),
      reconnected: () => this.emit('reconnected'),
      lost: (cause) => this.emit('lost', cause),
    });
    this.following ??= this.follow();
    if (this.current === undefined) {
      let resolveFirst: (() => void) | undefined;
      const first = new Promise<void>((resolve) => { resolveFirst = resolve; this.firstWaiters.add(resolve); });
      try {
        await bounded(this.client, deadline, first);
      } finally {
        if (resolveFirst !== undefined) this.firstWaiters.delete(resolveFirst);
      }
    }
    return this.current!.snapshot;
  }

  /** Stops following. */
  close(): void {
    this.stop.abort();
    this.session?.stop();
    this.session = undefined;
  }

  /**
   * Writes a multi-key update atomically for readers (delete ready, write keys, create ready),
   * under the writers' lock. Resolves with the new generation.
   */
  async update(changes: ConfigUpdate<T>, options: WaitOptions = {}): Promise<number> {
    const deadline = new Deadline(options, `update config ${this.path}`);
    const entries = Object.entries(changes).map(([key, value]) => [checkComponent('config key', key), value] as const);
    const lock = new Lock(this.client, childPath(this.path, 'writer'), { reentrant: false });
    await lock.acquire(options);
    try {
      await ensurePath(this.client, this.keysPath, deadline);
      const generation = (await this.storedGeneration(deadline)) + 1;
      await this.idempotentDelete(this.readyPath, deadline);
      for (const [key, value] of entries) {
        const keyPath = childPath(this.keysPath, key);
        if (value === undefined) await this.idempotentDelete(keyPath, deadline);
        else await this.put(keyPath, JSON.stringify(value), deadline);
      }
      await persistently(this.client, deadline, () => this.client.setData(this.path, String(generation)));
      await this.put(this.readyPath, String(generation), deadline);
      return generation;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * Reads the configuration with `guard` armed on `ready`: 'notReady' (the guard then fires
   * when it is created), or what was read — to be trusted only if the guard has not fired.
   */
  private async readOnce(guard: Wakeup, deadline: Deadline): Promise<ReadResult<T>> {
    const stat = await persistently(this.client, deadline, () => this.client.exists(this.readyPath, { watch: guard.listener }));
    if (stat === null) return { kind: 'notReady' };
    let generationText: string;
    try {
      generationText = utf8.decode((await persistently(this.client, deadline, () => this.client.getData(this.readyPath))).data);
    } catch (error) {
      if (error instanceof NoNodeError) return { kind: 'notReady' }; // deleted since: the guard fired
      throw error;
    }
    let keys: string[];
    try {
      keys = (await persistently(this.client, deadline, () => this.client.getChildren(this.keysPath))).sort();
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      keys = []; // ready without keys: an empty configuration
    }
    const raw: Record<string, unknown> = {};
    for (const key of keys) {
      const keyPath = childPath(this.keysPath, key);
      let text: string;
      try {
        text = utf8.decode((await persistently(this.client, deadline, () => this.client.getData(keyPath))).data);
      } catch (error) {
        if (error instanceof NoNodeError) continue; // deleted by a writer: the guard fired
        throw error;
      }
      try {
        raw[key] = JSON.parse(text);
      } catch {
        throw new CorruptDataError(keyPath, 'not JSON');
      }
    }
    const generation = Number(generationText);
    if (!Number.isSafeInteger(generation)) throw new CorruptDataError(this.readyPath, `generation '${generationText}' is not an integer`);
    let values: T;
    try {
      values = this.decode(raw);
    } catch (error) {
      throw new CorruptDataError(this.keysPath, `rejected by decode: ${(error as Error).message}`, { cause: error });
    }
    return { kind: 'read', snapshot: { values, generation }, raw };
  }

  /** Re-reads whenever `ready` changes, until closed or the session ends. */
  private async follow(): Promise<void> {
    const deadline = new Deadline({ signal: this.stop.signal }, `follow config ${this.path}`);
    while (!this.stop.signal.aborted && !isEnded(this.client)) {
      const guard = new Wakeup();
      try {
        const read = await this.readOnce(guard, deadline);
        if (read.kind === 'read' && !guard.hasFired) this.adopt(read);
      } catch (error) {
        if (this.stop.signal.aborted || isEnded(this.client)) break;
        if (isRetryable(error)) {
          forgetWatch(this.client, this.readyPath, 'data', guard.listener);
          await afterRetryableFailure(this.client, deadline, 1).catch(() => undefined);
          continue;
        }
        // A configuration that cannot be used: keep the last one, report, wait for the next update.
        reportError(this, this.client, error);
        if (!(error instanceof CorruptDataError)) await new Promise((resolve) => setTimeout(resolve, followRetryMs));
      }
      await guard.wait(this.client, deadline).catch(() => undefined);
    }
  }

  private adopt(read: { snapshot: ConfigSnapshot<T>; raw: RawConfig }): void {
    const previous = this.current;
    if (previous !== undefined && previous.snapshot.generation === read.snapshot.generation) return;
    const keys = new Set([...Object.keys(previous?.raw ?? {}), ...Object.keys(read.raw)]);
    const changedKeys = [...keys].filter((key) => JSON.stringify(previous?.raw[key]) !== JSON.stringify(read.raw[key])).sort();
    this.current = read;
    for (const resolve of [...this.firstWaiters]) resolve();
    this.emit('change', { previous: previous?.snapshot.values, current: read.snapshot.values, changedKeys, generation: read.snapshot.generation });
  }

  // ---- writing -----------------------------------------------------------------------------

  private async storedGeneration(deadline: Deadline): Promise<number> {
    const text = utf8.decode((await persistently(this.client, deadline, () => this.client.getData(this.path))).data);
    const generation = text === '' ? 0 : Number(text);
    if (!Number.isSafeInteger(generation)) throw new CorruptDataError(this.path, `generation '${text}' is not an integer`);
    return generation;
  }

  private async idempotentDelete(path: string, deadline: Deadline): Promise<void> {
    try {
      await persistently(this.client, deadline, () => this.client.delete(path));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }

  /** Sets the node's data, creating the node if needed; both are safe to repeat. */
  private async put(path: string, data: string, deadline: Deadline): Promise<void> {
    for (;;) {
      try {
        await persistently(this.client, deadline, () => this.client.setData(path, data));
        return;
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
      try {
        await persistently(this.client, deadline, () => createWithParents(this.client, path, data, 'persistent', deadline));
        return;
      } catch (error) {
        if (!(error instanceof NodeExistsError)) throw error; // created meanwhile (or by our lost try): set it
      }
    }
  }
}
