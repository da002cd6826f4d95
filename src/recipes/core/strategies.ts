/**
 * How service discovery picks one instance from its cached list, PURE: round-robin, random (with
 * an injected uniform source) and least-recently-used (by a logical use counter, not a clock).
 * Each strategy keeps only its own small state, so a provider can swap the instance list under it
 * at any time (instances come and go with their providers' sessions).
 *
 * Not here: the list itself (service-discovery.ts keeps it fresh by watches). Invariant: `pick`
 * returns an element of the list it was given, or undefined for an empty list.
 */
import { assertNever } from '../../util/assert.js';

export type StrategyName = 'roundRobin' | 'random' | 'leastRecentlyUsed';

export interface Strategy<T> {
  readonly name: StrategyName;
  /** One of `instances` (keyed by `keyOf`), or undefined when there are none. */
  pick(instances: readonly T[]): T | undefined;
}

/** Cycles through the list in its order; a changed list continues from the same position. */
export function roundRobin<T>(): Strategy<T> {
  let next = 0;
  return {
    name: 'roundRobin',
    pick(instances) {
      if (instances.length === 0) return undefined;
      const chosen = instances[next % instances.length];
      next = (next + 1) % Number.MAX_SAFE_INTEGER;
      return chosen;
    },
  };
}

/** Uniform choice; `random` returns a number in [0, 1). */
export function randomPick<T>(random: () => number): Strategy<T> {
  return {
    name: 'random',
    pick(instances) {
      if (instances.length === 0) return undefined;
      const index = Math.min(instances.length - 1, Math.floor(random() * instances.length));
      return instances[index];
    },
  };
}

/**
 * The instance unused for longest: never-used instances first, in list order, then the one whose
 * last pick is oldest. Forgets instances no longer listed, so its state stays as small as the list.
 */
export function leastRecentlyUsed<T>(keyOf: (instance: T) => string): Strategy<T> {
  const lastUsed = new Map<string, number>();
  let uses = 0;
  return {
    name: 'leastRecentlyUsed',
    pick(instances) {
      if (instances.length === 0) return undefined;
      const listed = new Set(instances.map(keyOf));
      for (const key of lastUsed.keys()) if (!listed.has(key)) lastUsed.delete(key);
      let chosen: T = instances[0] as T;
      let chosenUse = lastUsed.get(keyOf(chosen)) ?? -1;
      for (const instance of instances) {
        const use = lastUsed.get(keyOf(instance)) ?? -1;
        if (use < chosenUse) {
          chosen = instance;
          chosenUse = use;
        }
      }
      lastUsed.set(keyOf(chosen), uses++);
      return chosen;
    },
  };
}

/** The strategy called `name`. */
export function strategyNamed<T>(name: StrategyName, keyOf: (instance: T) => string, random: () => number): Strategy<T> {
  switch (name) {
    case 'roundRobin': return roundRobin<T>();
    case 'random': return randomPick<T>(random);
    case 'leastRecentlyUsed': return leastRecentlyUsed<T>(keyOf);
    default: return assertNever(name);
  }
}
