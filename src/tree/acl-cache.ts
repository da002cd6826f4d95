/**
 * Interned ACL lists (the role of ZooKeeper's ReferenceCountedACLCache): every node holds the one
 * shared, frozen array for its ACL, counted by how many nodes use it. Two things depend on it:
 * a million nodes with the same ACL cost one array, not a million; and a snapshot can write the
 * ACL table (which the format puts before the nodes) from this small table at once, without
 * walking the tree first.
 *
 * Not here: permission checks (acl.ts). Invariant: an entry's count is the number of nodes whose
 * `acl` is its array; an entry whose count reaches 0 is dropped.
 */
import type { ACLT } from '../jute/records.js';

interface Entry {
  readonly acl: readonly ACLT[];
  count: number;
}

function keyOf(acl: readonly ACLT[]): string {
  let key = '';
  for (const entry of acl) key += `${entry.perms}\u0000${entry.id.scheme}\u0000${entry.id.id}\u0001`;
  return key;
}

function sameAcl(a: readonly ACLT[], b: readonly ACLT[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

export class AclCache {
  private readonly byKey = new Map<string, Entry>();
  private readonly byArray = new Map<readonly ACLT[], Entry>();
  /**
   * The entry acquired last. Creates arrive with a freshly decoded ACL, almost always the same
   * one as the create before: comparing with it skips building a key string per create.
   */
  private last: Entry | undefined;

  /** The shared array equal to `acl`, counted once more. */
  acquire(acl: readonly ACLT[]): ACLT[] {
    // The comparison goes first: looking a fresh array up by identity makes V8 give it a hash.
    const last = this.last;
    let entry = last !== undefined && (last.acl === acl || sameAcl(last.acl, acl)) ? last : this.byArray.get(acl);
    if (entry === undefined) {
      const key = keyOf(acl);
      entry = this.byKey.get(key);
      if (entry === undefined) {
        const frozen = Object.freeze(acl.map((item) => Object.freeze({ perms: item.perms, id: Object.freeze({ ...item.id }) })));
        entry = { acl: frozen, count: 0 };
        this.byKey.set(key, entry);
        this.byArray.set(frozen, entry);
      }
    }
    entry.count++;
    this.last = entry;
    return entry.acl as ACLT[];
  }

  /** One node less uses `acl` (an array this cache handed out). */
  release(acl: readonly ACLT[]): void {
    const entry = this.byArray.get(acl);
    if (entry === undefined) throw new Error('AclCache: release of an ACL it did not hand out');
    if (--entry.count > 0) return;
    if (entry === this.last) this.last = undefined;
    this.byArray.delete(acl);
    this.byKey.delete(keyOf(acl));
  }

  /** The ACL arrays in use now, in the order they were first interned. */
  entries(): (readonly ACLT[])[] {
    return [...this.byArray.keys()];
  }

  get size(): number {
    return this.byArray.size;
  }

  /** How many nodes use `acl`, for invariants and tests. */
  countOf(acl: readonly ACLT[]): number {
    return this.byArray.get(acl)?.count ?? 0;
  }
}
