/**
 * globalOutstandingLimit, as ZooKeeperServer.shouldThrottle applies it: while more requests than
 * the limit are in process, a connection that has sent one with requests of its own still
 * unanswered stops being read; it is read again once all of its requests are answered or the
 * server is back under the limit. What a paused connection sent before is still served, so every
 * request is answered and no connection waits on itself. When nothing is throttled the checks
 * cost one comparison per read.
 *
 * Pure: the caller reports reads and answers and pauses and resumes the sockets it is told to.
 */
export interface ThrottleView {
  /** Requests in process on the server. */
  readonly outstandingRequests: number;
  /** Requests of this connection not answered yet. */
  connectionOutstanding(connectionId: number): number;
}

export class OutstandingThrottle {
  private readonly paused = new Set<number>();

  constructor(private readonly view: ThrottleView, private readonly limit: number) {}

  private overLimit(): boolean {
    return this.view.outstandingRequests > this.limit;
  }

  /** A connection's read was handed to the server: true if the connection must now be paused. */
  afterRead(connectionId: number): boolean {
    if (this.paused.has(connectionId) || !this.overLimit() || this.view.connectionOutstanding(connectionId) === 0) return false;
    this.paused.add(connectionId);
    return true;
  }

  /** Answers went out: the paused connections to read again. */
  afterAnswers(): number[] {
    if (this.paused.size === 0) return [];
    const over = this.overLimit();
    const resumed: number[] = [];
    for (const id of this.paused) {
      if (over && this.view.connectionOutstanding(id) > 0) continue;
      this.paused.delete(id);
      resumed.push(id);
    }
    return resumed;
  }

  closed(connectionId: number): void {
    this.paused.delete(connectionId);
  }

  isPaused(connectionId: number): boolean {
    return this.paused.has(connectionId);
  }
}
