/**
 * The three connection events every recipe reports, mapped from the client's session states the
 * way Curator's ConnectionStateListener does:
 * - 'suspended': the connection dropped (ConnectionLoss). The session, and everything it holds
 *   (ephemeral nodes: locks, leadership, registrations), may still be alive — or may expire
 *   while the client cannot hear about it. A holder must treat what it holds as *uncertain*.
 * - 'reconnected': connected again within the same session; what it held is still held (each
 *   recipe re-checks its own nodes before it says so).
 * - 'lost': the session ended (expired, closed, authFailed). Every ephemeral node of the
 *   session is gone; locks and leadership are lost for good and the client cannot be reused.
 *
 * All recipes on one client share one 'state' listener on it (a hub per client), so a thousand
 * waiting calls do not mean a thousand listeners on the client's EventEmitter.
 *
 * Not here: what a recipe does about the events (each recipe documents that). Invariants:
 * 'reconnected' only follows 'suspended'; nothing follows 'lost'.
 */
import type { StateEvent, ZooKeeperClient, ZooKeeperError } from '../client/index.js';

export interface ConnectionEvents {
  /** The connection dropped: held locks, leadership and registrations are uncertain. */
  suspended: [];
  /** Connected again within the same session: what was held is held. */
  reconnected: [];
  /** The session ended: whatever the session held is gone. */
  lost: [cause: ZooKeeperError | undefined];
}

type StateListener = (state: StateEvent, cause: ZooKeeperError | undefined) => void;

const hubs = new WeakMap<ZooKeeperClient, Set<StateListener>>();

/** Calls `listener` on every state event of `client`; returns the unsubscribe function. */
export function onClientState(client: ZooKeeperClient, listener: StateListener): () => void {
  let listeners = hubs.get(client);
  if (listeners === undefined) {
    const created = new Set<StateListener>();
    listeners = created;
    hubs.set(client, created);
    client.on('state', (state, cause) => {
      for (const each of [...created]) each(state, cause);
    });
  }
  listeners.add(listener);
  const subscribed = listeners;
  return () => { subscribed.delete(listener); };
}

/** True once the client can never serve a request again. */
export function isEnded(client: ZooKeeperClient): boolean {
  const state = client.state;
  return state === 'expired' || state === 'authFailed' || state === 'closed' || state === 'closing';
}

export interface SessionHandlers {
  suspended(): void;
  reconnected(): void;
  lost(cause: ZooKeeperError | undefined): void;
}

/** Follows one client's session and calls the handlers; `stop()` detaches it. */
export class SessionWatch {
  private suspendedNow: boolean;
  private ended = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly client: ZooKeeperClient, private readonly handlers: SessionHandlers) {
    this.suspendedNow = client.state === 'connecting';
    this.unsubscribe = onClientState(client, (state, cause) => this.onState(state, cause));
  }

  private onState(state: StateEvent, cause: ZooKeeperError | undefined): void {
    if (this.ended) return;
    if (state === 'disconnected') {
      this.suspendedNow = true;
      this.handlers.suspended();
    } else if (state === 'connected' || state === 'readOnly') {
      if (!this.suspendedNow) return;
      this.suspendedNow = false;
      this.handlers.reconnected();
    } else if (state === 'expired' || state === 'authFailed' || state === 'closed') {
      this.ended = true;
      this.unsubscribe();
      this.handlers.lost(cause);
    }
  }

  /** True between 'suspended' and the next 'reconnected' or 'lost'. */
  get suspended(): boolean {
    return this.suspendedNow && !this.lost;
  }

  /** True once the session has ended (or had already when the watch began). */
  get lost(): boolean {
    return this.ended || isEnded(this.client);
  }

  stop(): void {
    this.unsubscribe();
  }
}

/**
 * Emits 'error' on a recipe for a failure it cannot hand to a caller — unless nobody listens
 * (an EventEmitter would throw it out of the watch callback that found it) or the failure is the
 * end of the session or client ('lost' reports that).
 */
export function reportError(emitter: { listenerCount(event: 'error'): number; emit(event: 'error', error: unknown): boolean }, client: ZooKeeperClient, error: unknown): void {
  if (isEnded(client) || emitter.listenerCount('error') === 0) return;
  emitter.emit('error', error);
}
