/**
 * Sessions and their bucketed expiry (ZooKeeper's SessionTrackerImpl + ExpiryQueue): a session
 * expires at `roundUp(lastTouch + timeout, tickTime)`, so the tracker wakes once per tick bucket
 * rather than once per session. Time comes in as `nowMs` (a monotonic clock owned by the shell).
 *
 * Not here: closing the session (the server submits a closeSession txn) or connections.
 * Invariant: every live session sits in exactly one bucket; a closing session in none.
 */

export interface Session {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
  readonly passwd: Uint8Array;
  expiresAtMs: number;
  closing: boolean;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, Session>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private nextSessionId: bigint;

  constructor(private readonly tickTimeMs: number, serverId: number, nowMs: number,
    private readonly passwordOf: (sessionId: bigint) => Uint8Array) {
    // SessionTrackerImpl.initializeNextSessionId: time in the middle bits, server id in the top byte.
    let id = BigInt.asUintN(64, BigInt(Math.floor(nowMs)) << 24n) >> 8n;
    id = BigInt.asIntN(64, id | (BigInt(serverId) << 56n));
    if (id === -0x8000000000000000n) id++;
    this.nextSessionId = id;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: bigint): Session | undefined {
    return this.sessions.get(sessionId);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Allocates an id and password; the session exists once `add` is called (after its createSession txn). */
  allocate(): { sessionId: bigint; passwd: Uint8Array } {
    const sessionId = this.nextSessionId;
    this.nextSessionId = BigInt.asIntN(64, this.nextSessionId + 1n);
    return { sessionId, passwd: this.passwordOf(sessionId) };
  }

  passwordFor(sessionId: bigint): Uint8Array {
    return this.passwordOf(sessionId);
  }

  add(sessionId: bigint, timeoutMs: number, nowMs: number): Session {
    const existing = this.sessions.get(sessionId);
    if (existing !== undefined) {
      this.touch(sessionId, nowMs);
      return existing;
    }
    const session: Session = { sessionId, timeoutMs, passwd: this.passwordOf(sessionId), expiresAtMs: 0, closing: false };
    this.sessions.set(sessionId, session);
    this.schedule(session, nowMs);
    return session;
  }

  /** Moves a live session to a later bucket; false if it is unknown or closing. */
  touch(sessionId: bigint, nowMs: number): boolean {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.closing) return false;
    this.schedule(session, nowMs);
    return true;
  }

  isLive(sessionId: bigint): boolean {
    const session = this.sessions.get(sessionId);
    return session !== undefined && !session.closing;
  }

  setClosing(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    this.unschedule(session);
    session.closing = true;
  }

  remove(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    this.unschedule(session);
    this.sessions.delete(sessionId);
  }

  /** Sessions whose bucket has passed: marked closing and returned, oldest bucket first. */
  expire(nowMs: number): bigint[] {
    const due = [...this.buckets.keys()].filter((at) => at <= nowMs).sort((a, b) => a - b);
    const out: bigint[] = [];
    for (const at of due) {
      for (const sessionId of this.buckets.get(at)!) {
        const session = this.sessions.get(sessionId)!;
        session.closing = true;
        out.push(sessionId);
      }
      this.buckets.delete(at);
    }
    return out;
  }

  /** Expiry buckets, for the `dump` four-letter word. */
  bucketsByTime(): Map<number, Set<bigint>> {
    return new Map([...this.buckets.entries()].sort(([a], [b]) => a - b));
  }

  private schedule(session: Session, nowMs: number): void {
    const at = (Math.floor((nowMs + session.timeoutMs) / this.tickTimeMs) + 1) * this.tickTimeMs;
    if (at === session.expiresAtMs && this.buckets.get(at)?.has(session.sessionId)) return;
    this.unschedule(session);
    session.expiresAtMs = at;
    let bucket = this.buckets.get(at);
    if (bucket === undefined) this.buckets.set(at, (bucket = new Set()));
    bucket.add(session.sessionId);
  }

  private unschedule(session: Session): void {
    const bucket = this.buckets.get(session.expiresAtMs);
    if (bucket === undefined) return;
    bucket.delete(session.sessionId);
    if (bucket.size === 0) this.buckets.delete(session.expiresAtMs);
  }
}
