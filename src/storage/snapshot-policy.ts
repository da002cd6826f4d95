/**
 * When to take the next snapshot (SyncRequestProcessor.shouldSnapshot): once the txns logged
 * since the last one pass snapCount/2 plus a random share of snapCount/2, or their bytes pass
 * half the size limit plus a random share of the other half. The randomness, drawn anew after
 * each snapshot, keeps the servers of an ensemble from all snapshotting at the same moment.
 *
 * Pure: the randomness is injected (a function returning a uniform number in [0, 1)).
 */
export class SnapshotPolicy {
  private randomTxns = 0;
  private randomBytes = 0;

  constructor(private readonly snapCount: number, private readonly snapSizeLimitBytes: number, private readonly random: () => number) {
    this.reset();
  }

  shouldSnapshot(txnsSinceLast: number, bytesSinceLast: number): boolean {
    if (txnsSinceLast > Math.floor(this.snapCount / 2) + this.randomTxns) return true;
    return this.snapSizeLimitBytes > 0 && bytesSinceLast > Math.floor(this.snapSizeLimitBytes / 2) + this.randomBytes;
  }

  /** A snapshot was started: draw the next thresholds. */
  reset(): void {
    this.randomTxns = Math.floor(this.random() * Math.floor(this.snapCount / 2));
    this.randomBytes = this.snapSizeLimitBytes > 0 ? Math.floor(this.random() * Math.floor(this.snapSizeLimitBytes / 2)) : 0;
  }
}
