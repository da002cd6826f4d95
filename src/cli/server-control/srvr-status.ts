/**
 * `zkts status` reads the server's `srvr` four-letter word and prints what zkServer.sh status
 * prints (the client port line, then Mode) plus the zxid and the connection count.
 *
 * PURE: parsing and formatting only; the socket is in commands/status.ts.
 */

export interface SrvrAnswer {
  readonly mode: string;
  readonly zxid: string;
  readonly connections: number;
  readonly nodeCount: number | undefined;
}

/** The failure a `srvr` answer may be instead of statistics, as a one-line reason. */
export class SrvrError extends Error {
  override readonly name = 'SrvrError';
}

/**
 * Parses `srvr`'s `Key: value` lines. Throws SrvrError for the answers that are not statistics:
 * srvr not whitelisted, or a server that is not serving yet.
 */
export function parseSrvr(text: string): SrvrAnswer {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2).trim());
  }
  const mode = fields.get('Mode');
  const zxid = fields.get('Zxid');
  const connections = Number(fields.get('Connections'));
  if (mode === undefined || zxid === undefined || !Number.isInteger(connections)) {
    const first = text.split('\n').find((line) => line.trim() !== '')?.trim();
    throw new SrvrError(first === undefined ? 'the server sent an empty srvr answer' : `unexpected srvr answer: ${first}`);
  }
  const nodeCount = fields.has('Node count') ? Number(fields.get('Node count')) : undefined;
  return { mode, zxid, connections, nodeCount };
}

/** zkServer.sh status's first line (zkts has no TLS client port, so SSL is always false). */
export function clientPortLine(address: string, port: number, secure = false): string {
  return `Client port found: ${port}. Client address: ${address}. Client SSL: ${secure}.`;
}

/**
 * status's report after that line. `Connections` is srvr's count, which includes status's own
 * connection (ZooKeeper counts the four-letter-word connection asking).
 */
export function formatStatus(answer: SrvrAnswer): string[] {
  return [
    `Mode: ${answer.mode}`,
    `Zxid: ${answer.zxid}`,
    `Connections: ${answer.connections}`,
    ...(answer.nodeCount !== undefined ? [`Node count: ${answer.nodeCount}`] : []),
  ];
}

/** zkServer.sh's words when nothing answers on the client port. */
export const NOT_RUNNING_MESSAGE = 'Error contacting service. It is probably not running.';

/** The address to reach a server bound to `bindAddress`: a wildcard bind is reached on loopback. */
export function contactAddress(bindAddress: string): string {
  if (bindAddress === '0.0.0.0' || bindAddress === '') return '127.0.0.1';
  if (bindAddress === '::' || bindAddress === '[::]') return '::1';
  return bindAddress;
}
