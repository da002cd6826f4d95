/**
 * Node data copied into shared blocks. While a data dir is loaded, the data of every node is a
 * slice of the snapshot or log file being read; kept as a view, each node would keep its whole
 * file alive (a log file is 64 MiB), and a copy per node costs an ArrayBuffer per node. Copied
 * here, a million nodes of 100 B share about 400 blocks.
 *
 * The trade-off: a block is freed only when no node still uses any part of it, so this is for
 * bulk loads, whose nodes mostly live on, not for the write path. Not here: which data to copy.
 */
const BLOCK_BYTES = 256 * 1024;
/** Larger data gets a copy of its own rather than a large share of a block. */
const OWN_COPY_BYTES = 4 * 1024;
const EMPTY = new Uint8Array(0);

export class DataSlab {
  private block = EMPTY;
  private used = 0;

  copy(data: Uint8Array | null): Uint8Array | null {
    if (data === null) return null;
    if (data.length === 0) return EMPTY;
    if (data.length > OWN_COPY_BYTES) return data.slice();
    if (this.used + data.length > this.block.length) {
      this.block = new Uint8Array(BLOCK_BYTES);
      this.used = 0;
    }
    this.block.set(data, this.used);
    const out = this.block.subarray(this.used, this.used + data.length);
    this.used += data.length;
    return out;
  }
}
