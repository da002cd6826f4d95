/**
 * The client calls the recipes share, made safe against the two things a naive recipe gets
 * wrong: missing parents, and ConnectionLoss on a non-idempotent write (the write may or may not
 * have happened, so running it again can do it twice).
 *
 * - `ensurePath` / `createWithParents`: persistent parents are created on demand (a create that
 *   answers NoNode makes them and tries again), so recipes need no set-up step.
 * - `createProtected`: a create under a protected name (`_c_<guid>-…`, core/names.ts); after a
 *   lost reply the creator lists the parent and adopts its node if the create happened, as
 *   Curator's protected mode does. The server handles a session's requests in order, so a list
 *   sent after the reconnect sees the effect of a create sent before it.
 * - `commitWithReceipt`: a multi whose outcome can be learned after a lost reply, by adding the
 *   create of an ephemeral receipt node (a fresh GUID) to the same transaction: the receipt
 *   exists after the reconnect exactly when the multi committed.
 * - `deleteQuietly`: delete an own ephemeral node; gone already, or gone with the session, is
 *   success.
 *
 * Not here: any waiting for watches (waiting.ts). Invariant: nothing here retries a
 * non-idempotent call without first finding out whether the earlier try took effect.
 */
import { randomUUID } from 'node:crypto';
import {
  ClientClosedError, isRetryable, NodeExistsError, NoNodeError, SessionExpiredError,
  type CreateModeName, type Data, type MultiOp, type MultiResult, type ZooKeeperClient,
} from '../client/index.js';
import { childPath, findByGuid, protectedName } from './core/names.js';
import { afterRetryableFailure, connectionLossRetriesMax, Deadline, persistently } from './waiting.js';

/** A fresh GUID for one protected create or one receipt. */
export function newGuid(): string {
  return randomUUID();
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Creates `path` and its missing ancestors as empty persistent nodes; existing ones are kept. */
export async function ensurePath(client: ZooKeeperClient, path: string, deadline: Deadline): Promise<void> {
  if (path === '/') return;
  if ((await persistently(client, deadline, () => client.exists(path))) !== null) return;
  const parts = path.split('/').slice(1);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = '/' + parts.slice(0, i).join('/');
    try {
      // Creating an empty persistent node twice is harmless (NodeExists), so retrying is safe.
      await persistently(client, deadline, () => client.create(prefix));
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

/**
 * `client.create`, creating missing parents on NoNode. Not retried on ConnectionLoss: the
 * caller decides, since the create may have happened (see createProtected).
 */
export async function createWithParents(client: ZooKeeperClient, path: string, data: Data, mode: CreateModeName, deadline: Deadline): Promise<string> {
  try {
    return await client.create(path, data, { mode });
  } catch (error) {
    if (!(error instanceof NoNodeError)) throw error;
    await ensurePath(client, parentOf(path), deadline);
    return client.create(path, data, { mode });
  }
}

/**
 * Creates `parent/_c_<guid>-<name>` (plus the sequence for sequential modes) and returns its
 * path, also when a reply was lost: the node is then found by its GUID instead of made twice.
 */
export async function createProtected(
  client: ZooKeeperClient, parent: string, name: string, data: Data, mode: CreateModeName, deadline: Deadline, guid = newGuid(),
): Promise<string> {
  const path = childPath(parent, protectedName(guid, name));
  for (let attempt = 1; ; attempt++) {
    deadline.check();
    try {
      return await createWithParents(client, path, data, mode, deadline);
    } catch (error) {
      // A non-sequential protected name is unique to this call: NodeExists on a retry is our node.
      if (error instanceof NodeExistsError && attempt > 1) return path;
      if (!isRetryable(error) || attempt >= connectionLossRetriesMax) throw error;
      await afterRetryableFailure(client, deadline, attempt);
      const found = await findOwnChild(client, parent, guid, deadline);
      if (found !== undefined) return found;
    }
  }
}

/**
 * Creates the ephemeral node `path` (a fixed name: a member or an instance id) for this session,
 * also when a reply was lost: NodeExists on a retry with this session as the ephemeralOwner is
 * the node created by the first try. NodeExists owned by another session is thrown.
 */
export async function createOwnedEphemeral(client: ZooKeeperClient, path: string, data: Data, deadline: Deadline): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    deadline.check();
    try {
      await createWithParents(client, path, data, 'ephemeral', deadline);
      return;
    } catch (error) {
      if (error instanceof NodeExistsError) {
        const stat = await persistently(client, deadline, () => client.exists(path));
        if (stat !== null && stat.ephemeralOwner === client.sessionId) return;
        if (stat !== null || attempt >= connectionLossRetriesMax) throw error;
        continue; // gone meanwhile (its owner's session ended): try again
      }
      if (!isRetryable(error) || attempt >= connectionLossRetriesMax) throw error;
      await afterRetryableFailure(client, deadline, attempt);
    }
  }
}

/** The path of the child of `parent` created under `guid`, if there is one. */
export async function findOwnChild(client: ZooKeeperClient, parent: string, guid: string, deadline: Deadline): Promise<string | undefined> {
  try {
    const found = findByGuid(await persistently(client, deadline, () => client.getChildren(parent)), guid);
    return found === undefined ? undefined : childPath(parent, found);
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}

/**
 * Deletes one of the session's own ephemeral nodes, retrying across connection losses. Resolves
 * when the node is gone: deleted now, already gone, or gone because the session ended.
 */
export async function deleteQuietly(client: ZooKeeperClient, path: string, deadline = Deadline.none(`delete ${path}`)): Promise<void> {
  try {
    await persistently(client, deadline, () => client.delete(path));
  } catch (error) {
    if (error instanceof NoNodeError || error instanceof SessionExpiredError || error instanceof ClientClosedError) return;
    throw error;
  }
}

/** Deletes every child of `parent` created under `guid` (cleanup after an abandoned create). */
export async function deleteOwnChildren(client: ZooKeeperClient, parent: string, guid: string): Promise<void> {
  const deadline = Deadline.none(`cleanup under ${parent}`);
  try {
    for (let found = await findOwnChild(client, parent, guid, deadline); found !== undefined; found = await findOwnChild(client, parent, guid, deadline)) {
      await deleteQuietly(client, found, deadline);
    }
  } catch (error) {
    if (error instanceof SessionExpiredError || error instanceof ClientClosedError) return;
    throw error;
  }
}

export type ReceiptOutcome =
  | { readonly kind: 'committed'; readonly results: MultiResult[] }
  /** The server answered: the multi failed with `error` (e.g. BadVersion or NoNode). */
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The reply was lost and the receipt is absent: nothing was applied; trying again is safe. */
  | { readonly kind: 'notApplied' };

/**
 * Runs `ops` as one multi together with the create of an ephemeral receipt under
 * `receiptParent`, once. After a lost reply it reconnects and looks for the receipt: present
 * means committed (results then hold nothing), absent means not applied. Once the multi was sent
 * the outcome is always found out, past the caller's deadline if need be (giving up would turn a
 * committed change into a lost one); only the session ending stops that, and throws the
 * session's error with the outcome unknown. The receipt is deleted afterwards.
 */
export async function commitWithReceipt(client: ZooKeeperClient, ops: readonly MultiOp[], receiptParent: string, deadline: Deadline): Promise<ReceiptOutcome> {
  deadline.check();
  const receipt = childPath(receiptParent, protectedName(newGuid(), 'receipt'));
  let outcome: ReceiptOutcome;
  try {
    const results = await client.multi([...ops, { type: 'create', path: receipt, options: { mode: 'ephemeral' } }]);
    outcome = { kind: 'committed', results: results.slice(0, ops.length) };
  } catch (error) {
    if (!isRetryable(error)) return { kind: 'failed', error };
    const resolving = Deadline.none(`outcome of a multi on ${receiptParent}`);
    const stat = await persistently(client, resolving, () => client.exists(receipt));
    outcome = stat !== null ? { kind: 'committed', results: [] } : { kind: 'notApplied' };
  }
  if (outcome.kind === 'committed') void deleteQuietly(client, receipt).catch(() => undefined);
  return outcome;
}
