/**
 * Watch registrations for one kind of trigger (ZooKeeper keeps two: data watches and child
 * watches). A watcher is a connection id: like ZooKeeper, watches belong to the connection that
 * set them and are dropped with it; clients re-register them with setWatches after reconnecting.
 *
 * Modes: `standard` watches fire once and are removed; `persistent` watches stay and fire for
 * their exact path; `persistentRecursive` watches stay and fire for their path and every
 * descendant, but never with NodeChildrenChanged (ZOOKEEPER-4475).
 * Invariants: one trigger notifies a watcher at most once; a watcher holds one mode per path;
 * `byWatcher` lists exactly the paths where a watcher holds a watch.
 */
import { EventType, type EventTypeValue } from '../protocol/codes.js';

export type WatcherId = number;
export type WatchMode = 'standard' | 'persistent' | 'persistentRecursive';

type PathWatchers = Map<string, Set<WatcherId>>;

function addTo(map: PathWatchers, path: string, watcher: WatcherId): void {
  let set = map.get(path);
  if (set === undefined) {
    set = new Set();
    map.set(path, set);
  }
  set.add(watcher);
}

function removeFrom(map: PathWatchers, path: string, watcher: WatcherId): boolean {
  const set = map.get(path);
  if (set === undefined || !set.delete(watcher)) return false;
  if (set.size === 0) map.delete(path);
  return true;
}

function parentOf(path: string): string | undefined {
  if (path === '/') return undefined;
  const slash = path.lastIndexOf('/');
  return slash === 0 ? '/' : path.slice(0, slash);
}

const NONE: ReadonlySet<WatcherId> = new Set<WatcherId>();

export class WatchManager {
  private readonly byMode: Record<WatchMode, PathWatchers> = {
    standard: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };
  /**
   * The paths each watcher watches (in one mode or another), so a closed connection's watches
   * are found without scanning every watched path: with many connections closing at once (a
   * partition healing, a client fleet restarting) that scan was quadratic.
   */
  private readonly byWatcher = new Map<WatcherId, Set<string>>();

  /** Takes `path` out of the watcher's list once it holds no mode there. */
  private forgetPath(path: string, watcher: WatcherId): void {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined || this.has(path, watcher)) return;
    paths.delete(path);
    if (paths.size === 0) this.byWatcher.delete(watcher);
  }

  /**
   * Registers a watch. As in ZooKeeper 3.8, a watcher holds one mode per path and the latest
   * registration wins (a getData watch on a persistently watched path makes it one-shot);
   * several modes per path only arrived in 3.9 (ZOOKEEPER-4466).
   */
  add(path: string, watcher: WatcherId, mode: WatchMode): void {
    for (const other of ['standard', 'persistent', 'persistentRecursive'] as const) {
      if (other !== mode) removeFrom(this.byMode[other], path, watcher);
    }
    addTo(this.byMode[mode], path, watcher);
    let paths = this.byWatcher.get(watcher);
    if (paths === undefined) this.byWatcher.set(watcher, (paths = new Set()));
    paths.add(path);
  }

  /** Removes one registration; with no mode, every mode on that path. True if any was removed. */
  remove(path: string, watcher: WatcherId, mode?: WatchMode): boolean {
    let removed = false;
    if (mode !== undefined) removed = removeFrom(this.byMode[mode], path, watcher);
    else for (const map of Object.values(this.byMode)) removed = removeFrom(map, path, watcher) || removed;
    if (removed) this.forgetPath(path, watcher);
    return removed;
  }

  has(path: string, watcher: WatcherId, mode?: WatchMode): boolean {
    if (mode !== undefined) return this.byMode[mode].get(path)?.has(watcher) ?? false;
    return Object.values(this.byMode).some((map) => map.get(path)?.has(watcher) ?? false);
  }

  /** Whether anyone at all watches `path` (any mode). */
  watched(path: string): boolean {
    return Object.values(this.byMode).some((map) => map.has(path));
  }

  /** Drops every registration of a watcher (its connection closed). */
  removeWatcher(watcher: WatcherId): void {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined) return;
    this.byWatcher.delete(watcher);
    for (const path of paths) for (const map of Object.values(this.byMode)) removeFrom(map, path, watcher);
  }

  /**
   * The watchers to notify of `type` on `path`, consuming standard watches. Watchers in
   * `suppress` are skipped (ZooKeeper notifies a deleted node's child watchers only if its data
   * watchers did not already include them).
   */
  trigger(path: string, type: EventTypeValue, suppress?: ReadonlySet<WatcherId>): ReadonlySet<WatcherId> {
    // Most changes have no watcher at all (replaying a log never has one): no set, no lookups.
    if (this.byMode.standard.size === 0 && this.byMode.persistent.size === 0 && this.byMode.persistentRecursive.size === 0) return NONE;
    const out = new Set<WatcherId>();
    const take = (set: Set<WatcherId> | undefined) => {
      if (set === undefined) return;
      for (const watcher of set) if (suppress === undefined || !suppress.has(watcher)) out.add(watcher);
    };
    const standard = this.byMode.standard.get(path);
    take(standard);
    if (standard !== undefined) {
      this.byMode.standard.delete(path);
      for (const watcher of standard) this.forgetPath(path, watcher);
    }
    take(this.byMode.persistent.get(path));
    const recursive = this.byMode.persistentRecursive;
    if (recursive.size > 0 && type !== EventType.NodeChildrenChanged) {
      for (let at: string | undefined = path; at !== undefined; at = parentOf(at)) take(recursive.get(at));
    }
    return out;
  }

  /** Watch counts and listings for the four-letter words (wchs, wchc, wchp). */
  pathsByWatcher(): Map<WatcherId, Set<string>> {
    const out = new Map<WatcherId, Set<string>>();
    for (const map of Object.values(this.byMode)) {
      for (const [path, set] of map) {
        for (const watcher of set) {
          let paths = out.get(watcher);
          if (paths === undefined) out.set(watcher, (paths = new Set()));
          paths.add(path);
        }
      }
    }
    return out;
  }

  watchersByPath(): Map<string, Set<WatcherId>> {
    const out = new Map<string, Set<WatcherId>>();
    for (const map of Object.values(this.byMode)) {
      for (const [path, set] of map) {
        let watchers = out.get(path);
        if (watchers === undefined) out.set(path, (watchers = new Set()));
        for (const watcher of set) watchers.add(watcher);
      }
    }
    return out;
  }

  get watchCount(): number {
    let count = 0;
    for (const map of Object.values(this.byMode)) for (const set of map.values()) count += set.size;
    return count;
  }
}
