/**
 * Transactions: the idempotent state changes that the request pipeline produces and the data
 * tree applies. One variant per ZooKeeper txn type, with the same fields as the jute txn records
 * (CreateTxn, CreateTTLTxn, CreateContainerTxn, DeleteTxn, SetDataTxn, SetACLTxn, CheckVersionTxn,
 * CreateSessionTxn, CloseSessionTxn, ErrorTxn, MultiTxn) so the log can persist them verbatim.
 *
 * Not here: validation (server/prep.ts) or application (data-tree.ts).
 */
import type { ACLT } from '../jute/records.js';

export type Txn =
  | { readonly type: 'create' | 'create2'; readonly path: string; readonly data: Uint8Array | null; readonly acl: ACLT[]; readonly ephemeral: boolean; readonly parentCVersion: number }
  | { readonly type: 'createContainer'; readonly path: string; readonly data: Uint8Array | null; readonly acl: ACLT[]; readonly parentCVersion: number }
  | { readonly type: 'createTTL'; readonly path: string; readonly data: Uint8Array | null; readonly acl: ACLT[]; readonly parentCVersion: number; readonly ttl: bigint }
  | { readonly type: 'delete' | 'deleteContainer'; readonly path: string }
  | { readonly type: 'setData'; readonly path: string; readonly data: Uint8Array | null; readonly version: number }
  | { readonly type: 'setACL'; readonly path: string; readonly acl: ACLT[]; readonly version: number }
  | { readonly type: 'check'; readonly path: string; readonly version: number }
  | { readonly type: 'createSession'; readonly timeOut: number }
  | { readonly type: 'closeSession'; readonly paths2Delete: string[] }
  | { readonly type: 'error'; readonly err: number }
  | { readonly type: 'multi'; readonly txns: Txn[] };

export type TxnType = Txn['type'];

/** TxnHeader fields: who asked (clientId = sessionId, cxid = xid), the zxid and the leader's time. */
export interface TxnHeader {
  readonly clientId: bigint;
  readonly cxid: number;
  readonly zxid: bigint;
  readonly timeMs: bigint;
}

/** ephemeralOwner encodings (EphemeralType): containers and TTL nodes are marked in the owner field. */
export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n;
const TTL_MASK = -0x0100000000000000n; // 0xFF00000000000000 as a signed long
export const TTL_MAX_MS = (1n << 40n) - 1n;

export function ttlEphemeralOwner(ttlMs: bigint): bigint {
  return BigInt.asIntN(64, TTL_MASK | ttlMs);
}

export type EphemeralKind = 'void' | 'normal' | 'container' | 'ttl';

export function ephemeralKindOf(owner: bigint): EphemeralKind {
  if (owner === 0n) return 'void';
  if (owner === CONTAINER_EPHEMERAL_OWNER) return 'container';
  if ((owner & TTL_MASK) === TTL_MASK && ((owner >> 40n) & 0xffffn) === 0n) return 'ttl';
  return 'normal';
}

export function ttlOf(owner: bigint): bigint {
  return owner & TTL_MAX_MS;
}
