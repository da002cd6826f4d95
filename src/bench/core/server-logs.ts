/**
 * What bench/scale reads from the servers about themselves: recovery and snapshot times and
 * sizes from zkts's INFO log lines (src/runtime/server.ts words them), from ZooKeeper 3.8's log
 * lines (ZKDatabase "Snapshot loaded in N ms", ZooKeeperServer "Snapshot taken in N ms") and
 * from its `mntr` metrics (snapshottime, startup_snap_load_time).
 *
 * Not here: reading files or sockets. A server log holds several starts, each after a line
 * `--- <time> start` (launch.ts writes it), and these parse the last start's part.
 */

export const startMarker = /^--- .* start$/m;

/** The log of the most recent start. */
export function lastStart(log: string): string {
  const markers = [...log.matchAll(new RegExp(startMarker.source, 'gm'))];
  const last = markers[markers.length - 1];
  return last === undefined ? log : log.slice(last.index! + last[0].length);
}

export interface ZktsRecovery {
  readonly nodes: number;
  readonly txnsReplayed: number;
  readonly durationMs: number;
}

/** zkts: `loaded <file> (N nodes, zxid ...), replayed T txns from ... in D ms`. */
export function zktsRecovery(log: string): ZktsRecovery | undefined {
  const match = /loaded \S+ \((\d+) nodes, zxid [^)]*\), replayed (\d+) txns .* in (\d+) ms/.exec(lastStart(log));
  return match === null ? undefined : { nodes: Number(match[1]), txnsReplayed: Number(match[2]), durationMs: Number(match[3]) };
}

export interface SnapshotWritten {
  readonly nodes: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** zkts: every `snapshot <file> written (N nodes, B bytes, D ms...)` line, in order. */
export function zktsSnapshots(log: string): SnapshotWritten[] {
  return [...log.matchAll(/snapshot \S+ written \((\d+) nodes, (\d+) bytes, (\d+) ms/g)].map((match) => ({
    nodes: Number(match[1]), bytes: Number(match[2]), durationMs: Number(match[3]),
  }));
}

/** ZooKeeper: the last start's `Snapshot loaded in N ms` (ZKDatabase.loadDataBase: snapshot and log replay). */
export function zookeeperLoadMs(log: string): number | undefined {
  const match = /Snapshot loaded in (\d+) ms/.exec(lastStart(log));
  return match === null ? undefined : Number(match[1]);
}

/** ZooKeeper: every `Snapshot taken in N ms` of the last start. */
export function zookeeperSnapshotMs(log: string): number[] {
  return [...lastStart(log).matchAll(/Snapshot taken in (\d+) ms/g)].map((match) => Number(match[1]));
}

/** `mntr` output: one `zk_<name>\t<value>` a line. */
export function parseMntr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1).trim());
  }
  return out;
}
