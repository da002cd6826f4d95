/**
 * The recipes' pure decisions without a server (unit and fast-check property tests): node names
 * and their order, whose turn it is in a lock, read-write lock or election and which one node a
 * waiter watches, the double barrier's leave steps (simulated with random interleavings), the
 * queue's item order and the discovery strategies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findByGuid, parseSequential, protectedName, sortSequential, type SequentialNode } from '../../src/recipes/core/names.js';
import { itemBase, sortItems } from '../../src/recipes/core/queue-items.js';
import { leastRecentlyUsed, randomPick, roundRobin, strategyNamed } from '../../src/recipes/core/strategies.js';
import { exclusiveTurn, leaseGranted, leaveStep, readTurn, type Turn } from '../../src/recipes/core/turns.js';

const seq = (n: number) => String(n).padStart(10, '0');
const guidArbitrary = fc.uuid().map((uuid) => uuid.toLowerCase());

/** Distinct sequence numbers, shuffled: the children of one node in server (unsorted) order. */
const sequencesArbitrary = fc.uniqueArray(fc.integer({ min: 0, max: 2_000_000_000 }), { minLength: 1, maxLength: 30 });

describe('recipe names', () => {
  it('parses protected and plain sequential names and sorts them by sequence', () => {
    const guid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.deepEqual(parseSequential(`${protectedName(guid, 'lock-')}${seq(7)}`), { name: `_c_${guid}-lock-${seq(7)}`, guid, base: 'lock-', sequence: 7 });
    assert.deepEqual(parseSequential(`n_${seq(12)}`), { name: `n_${seq(12)}`, guid: undefined, base: 'n_', sequence: 12 });
    assert.equal(parseSequential('ready'), undefined);
    assert.throws(() => protectedName('not-a-guid', 'x'), RangeError);
    const names = [`read-${seq(3)}`, `write-${seq(1)}`, 'other', `read-${seq(2)}`];
    assert.deepEqual(sortSequential(names).map((node) => node.name), [`write-${seq(1)}`, `read-${seq(2)}`, `read-${seq(3)}`]);
    assert.deepEqual(sortSequential(names, ['read-']).map((node) => node.sequence), [2, 3]);
  });

  it('finds a node by its GUID among any others (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(guidArbitrary, { minLength: 1, maxLength: 10 }), fc.nat(), (guids, pick) => {
      const children = guids.map((guid, i) => `${protectedName(guid, 'lock-')}${seq(i)}`);
      const mine = guids[pick % guids.length]!;
      const found = findByGuid(children, mine);
      assert.equal(found, children[pick % guids.length]);
      assert.equal(parseSequential(found!)?.guid, mine);
    }));
  });
});

function nodes(sequences: readonly number[], base: (i: number) => string = () => 'lock-'): SequentialNode[] {
  return sortSequential(sequences.map((n, i) => `${base(i)}${seq(n)}`));
}

describe('whose turn', () => {
  it('exclusive: exactly one holder, the smallest; every other node watches its immediate predecessor (property)', () => {
    fc.assert(fc.property(sequencesArbitrary, (sequences) => {
      const sorted = nodes(sequences);
      const turns = sorted.map((node) => exclusiveTurn(sorted, node.name));
      assert.deepEqual(turns.map((turn) => turn.kind === 'held'), sorted.map((_, i) => i === 0));
      const watched = turns.flatMap((turn) => (turn.kind === 'wait' ? [turn.watch] : []));
      turns.forEach((turn, i) => {
        if (turn.kind === 'wait') assert.equal(turn.watch, sorted[i - 1]!.name);
      });
      assert.equal(new Set(watched).size, watched.length, 'no node is watched twice: a release wakes one waiter');
      assert.deepEqual(exclusiveTurn(sorted, 'lock-9999999999'), { kind: 'missing' });
    }));
  });

  it('read-write: holders are one writer alone or readers only, the first node always holds, each waiter watches one node before it (property)', () => {
    fc.assert(fc.property(sequencesArbitrary, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (sequences, isWrite) => {
      const sorted = nodes(sequences, (i) => (isWrite[i] === true ? 'write-' : 'read-'));
      const turnOf = (node: SequentialNode): Turn => (node.base === 'write-' ? exclusiveTurn(sorted, node.name) : readTurn(sorted, node.name, 'write-', () => false));
      const holders = sorted.filter((node) => turnOf(node).kind === 'held');
      assert.ok(holders.includes(sorted[0]!), 'the first node holds');
      const writers = holders.filter((node) => node.base === 'write-');
      assert.ok(writers.length === 0 || holders.length === 1, `a writer holds alone: ${holders.map((node) => node.name).join(',')}`);
      for (const node of sorted) {
        const turn = turnOf(node);
        if (turn.kind !== 'wait') continue;
        const watchedIndex = sorted.findIndex((other) => other.name === turn.watch);
        assert.ok(watchedIndex >= 0 && watchedIndex < sorted.indexOf(node), 'watches a node before its own');
        if (node.base === 'read-') assert.equal(sorted[watchedIndex]!.base, 'write-', 'a reader waits only for a writer');
      }
    }));
  });

  it('read-write: a reader is not blocked by its own instance\'s write node (downgrade)', () => {
    const sorted = nodes([1, 2, 3], (i) => ['write-', 'write-', 'read-'][i]!);
    const mine = sorted[1]!.name;
    assert.deepEqual(readTurn(sorted, sorted[2]!.name, 'write-', () => false), { kind: 'wait', watch: mine });
    assert.deepEqual(readTurn(sorted.slice(1), sorted[2]!.name, 'write-', (name) => name === mine), { kind: 'held' });
  });

  it('semaphore: a lease is granted while the leases number at most the maximum', () => {
    assert.equal(leaseGranted(3, 3), true);
    assert.equal(leaseGranted(4, 3), false);
  });
});

describe('double barrier leave', () => {
  type Phase = 'in' | 'leaving' | 'done';

  it('nobody leaves before everybody started leaving, and everybody leaves (random interleavings)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { maxLength: 200 }), (count, choices) => {
      const members = Array.from({ length: count }, (_, i) => `m${i}`);
      const present = new Set(members);
      const phase = new Map<string, Phase>(members.map((m) => [m, 'in']));
      const watching = new Map<string, string>();
      const step = (member: string) => {
        for (;;) {
          const decision = leaveStep([...present].sort(), member);
          if (decision.kind === 'done' || decision.kind === 'deleteOwnAndDone') {
            present.delete(member);
            assert.ok(members.every((m) => phase.get(m) !== 'in'), `${member} left while someone had not started leaving`);
            phase.set(member, 'done');
            watching.delete(member);
            return;
          }
          if (decision.deleteOwn) present.delete(member);
          assert.notEqual(decision.watch, member, 'never waits on itself');
          if (present.has(decision.watch)) {
            watching.set(member, decision.watch);
            return;
          }
        }
      };
      // A random interleaving: start leaving, or wake a waiter whose watched node is gone.
      let next = 0;
      for (let guard = 0; guard < 1_000; guard++) {
        const runnable = members.filter((m) => phase.get(m) === 'in' || (phase.get(m) === 'leaving' && !present.has(watching.get(m)!)));
        if (runnable.length === 0) break;
        const member = runnable[(choices[next++ % Math.max(1, choices.length)] ?? 0) % runnable.length]!;
        phase.set(member, 'leaving');
        step(member);
      }
      assert.deepEqual(members.filter((m) => phase.get(m) !== 'done'), [], 'everybody left');
    }));
  });
});

describe('queue order', () => {
  it('takes items by priority, then in arrival order, ignoring other children (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.nat(1_000_000), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 30, maxLength: 30 }), (sequences, priorities) => {
      const children = sequences.map((n, i) => `${itemBase(priorities[i]!)}${seq(n)}`);
      const order = sortItems([...children, 'receipt', '_c_0f8fad5b-d9cb-469f-a165-70867728950e-receipt']);
      assert.equal(order.length, children.length);
      for (let i = 1; i < order.length; i++) {
        const [a, b] = [order[i - 1]!, order[i]!];
        assert.ok(a.priority < b.priority || (a.priority === b.priority && a.sequence < b.sequence));
      }
    }));
    assert.throws(() => itemBase(1000), RangeError);
    assert.throws(() => itemBase(1.5), RangeError);
  });
});

describe('discovery strategies', () => {
  const list = ['a', 'b', 'c'];

  it('round-robin cycles through the list and continues over a changed list', () => {
    const strategy = roundRobin<string>();
    assert.deepEqual([1, 2, 3, 4].map(() => strategy.pick(list)), ['a', 'b', 'c', 'a']);
    assert.equal(strategy.pick(['x', 'y']), 'x', 'the 5th pick of a 2-list');
    assert.equal(strategy.pick([]), undefined);
  });

  it('least-recently-used picks never-used first, then the oldest use, and forgets vanished instances', () => {
    const strategy = leastRecentlyUsed<string>((s) => s);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => strategy.pick(list)), ['a', 'b', 'c', 'a', 'b']);
    assert.equal(strategy.pick(['c', 'd']), 'd', 'a new instance has never been used');
    assert.equal(strategy.pick(['c', 'd']), 'c');
  });

  it('random uses the injected source; every strategy picks from the list, evenly over many picks (property)', () => {
    assert.equal(randomPick<string>(() => 0.99).pick(list), 'c');
    assert.equal(randomPick<string>(() => 0).pick(list), 'a');
    fc.assert(fc.property(fc.constantFrom('roundRobin' as const, 'leastRecentlyUsed' as const), fc.integer({ min: 1, max: 8 }), (name, size) => {
      const instances = Array.from({ length: size }, (_, i) => `i${i}`);
      const strategy = strategyNamed<string>(name, (s) => s, () => 0.5);
      const counts = new Map<string, number>();
      for (let i = 0; i < size * 5; i++) {
        const picked = strategy.pick(instances)!;
        assert.ok(instances.includes(picked));
        counts.set(picked, (counts.get(picked) ?? 0) + 1);
      }
      assert.deepEqual([...counts.values()], Array<number>(size).fill(5));
    }));
  });
});
