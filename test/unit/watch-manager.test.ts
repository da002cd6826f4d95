/**
 * WatchManager against a plain model of its rules (one mode per watcher and path, the latest
 * registration wins, standard watches fire once, recursive ones never for NodeChildrenChanged):
 * whatever sequence of registrations, removals, triggers and closed connections, both notify
 * the same watchers and list the same watches. Closing a connection goes through the manager's
 * index of paths by watcher, so the model also checks that index never loses or keeps a watch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventType } from '../../src/protocol/codes.js';
import { WatchManager, type WatchMode } from '../../src/tree/watch-manager.js';

const paths = ['/', '/a', '/a/b', '/a/b/c', '/d'];
const modes: WatchMode[] = ['standard', 'persistent', 'persistentRecursive'];

type Op =
  | { kind: 'add'; path: string; watcher: number; mode: WatchMode }
  | { kind: 'remove'; path: string; watcher: number; mode: WatchMode | undefined }
  | { kind: 'trigger'; path: string; type: number }
  | { kind: 'close'; watcher: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...paths), watcher: fc.nat(3), mode: fc.constantFrom(...modes) }),
  fc.record({ kind: fc.constant('remove' as const), path: fc.constantFrom(...paths), watcher: fc.nat(3), mode: fc.option(fc.constantFrom(...modes), { nil: undefined }) }),
  fc.record({ kind: fc.constant('trigger' as const), path: fc.constantFrom(...paths), type: fc.constantFrom(EventType.NodeCreated, EventType.NodeDataChanged, EventType.NodeChildrenChanged) }),
  fc.record({ kind: fc.constant('close' as const), watcher: fc.nat(3) }),
);

/** watcher → path → mode. */
type Model = Map<number, Map<string, WatchMode>>;

function modelTrigger(model: Model, path: string, type: number): number[] {
  const out: number[] = [];
  for (const [watcher, held] of model) {
    let hit = false;
    const mode = held.get(path);
    if (mode === 'standard') {
      hit = true;
      held.delete(path);
    } else if (mode === 'persistent') {
      hit = true;
    }
    if (type !== EventType.NodeChildrenChanged) {
      for (const [at, atMode] of held) {
        if (atMode === 'persistentRecursive' && (at === path || at === '/' || path.startsWith(`${at}/`))) hit = true;
      }
    }
    if (hit) out.push(watcher);
  }
  return out.sort();
}

function listing(model: Model): [number, string[]][] {
  return [...model].filter(([, held]) => held.size > 0).map(([watcher, held]): [number, string[]] => [watcher, [...held.keys()].sort()]).sort(([a], [b]) => a - b);
}

test('watches behave as the model says, also when connections close', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
    const watches = new WatchManager();
    const model: Model = new Map();
    for (const op of ops) {
      switch (op.kind) {
        case 'add': {
          watches.add(op.path, op.watcher, op.mode);
          let held = model.get(op.watcher);
          if (held === undefined) model.set(op.watcher, (held = new Map()));
          held.set(op.path, op.mode);
          break;
        }
        case 'remove': {
          const held = model.get(op.watcher);
          const had = held?.get(op.path);
          const expected = had !== undefined && (op.mode === undefined || op.mode === had);
          if (expected) held!.delete(op.path);
          assert.equal(watches.remove(op.path, op.watcher, op.mode), expected);
          break;
        }
        case 'trigger':
          assert.deepEqual([...watches.trigger(op.path, op.type as never)].sort(), modelTrigger(model, op.path, op.type));
          break;
        case 'close':
          watches.removeWatcher(op.watcher);
          model.delete(op.watcher);
          break;
      }
      const listed = [...watches.pathsByWatcher()].map(([watcher, set]): [number, string[]] => [watcher, [...set].sort()]).sort(([a], [b]) => a - b);
      assert.deepEqual(listed, listing(model));
      assert.equal(watches.watchCount, [...model.values()].reduce((sum, held) => sum + held.size, 0));
    }
  }), { numRuns: 500 });
});
