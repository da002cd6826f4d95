/**
 * Shared plumbing for the recipe tests: participants (each its own session through its own
 * TestProxy, so one can be cut off alone), ways to kill a participant, safety monitors that
 * record what the participants say they hold, and a counter of the watch notifications the
 * server sends to a participant (read off the wire by the proxy, not from the recipe).
 *
 * Killing, and what each means:
 * - `crash`: the participant's connection is cut and never restored, like a process that died
 *   or a partition. The server expires its session after the session timeout.
 * - `expire`: the same cut, then the session is closed at once from outside (another client
 *   re-attaches with its id and password and closes it), so ephemerals go without waiting for
 *   the timeout; the proxy is restored and the participant hears that its session expired.
 * - `blip`: a cut and a restore, short enough for the session to survive.
 * A cut comes first in every case because that is the order the real world gives: a client
 * loses its connection before the server can end its session, and a recipe reacts to the loss.
 *
 * Not a test. Invariants: every wait is bounded (waitFor/within from the client support).
 */
import assert from 'node:assert/strict';
import { createClient, type ClientOptions, type ZooKeeperClient } from '../../src/client/index.js';
import { waitFor, type ProxyTap, type ServerContext, type TestProxy } from '../client/support.js';

export { describeEachServer, sleep, waitFor, within, tickTimeMs, type ServerContext, type TestProxy } from '../client/support.js';

/** Session timeout of participants: 4 ticks of 500 ms, so a crashed one is gone in about 2 s. */
export const participantSessionTimeoutMs = 2_000;

export interface Participant {
  readonly name: string;
  readonly client: ZooKeeperClient;
  readonly proxy: TestProxy;
}

/** A participant: its own session through its own proxy. Closed by the suite after the test. */
export async function participant(ctx: ServerContext, name: string, options: ClientOptions = {}, tap?: ProxyTap): Promise<Participant> {
  const proxy = await ctx.proxy(tap);
  const client = await ctx.client({ sessionTimeoutMs: participantSessionTimeoutMs, ...options }, proxy.connectString);
  return { name, client, proxy };
}

export async function participants(ctx: ServerContext, count: number, prefix = 'p', options: ClientOptions = {}): Promise<Participant[]> {
  const made: Participant[] = [];
  for (let i = 0; i < count; i++) made.push(await participant(ctx, `${prefix}${i}`, options));
  return made;
}

/** Cuts the participant off for good; the server expires its session after the timeout. */
export function crash(p: Participant): void {
  p.proxy.cut();
}

/**
 * Cuts the participant off, closes its session from outside (its ephemerals go now), restores
 * the network and waits until the participant's client has heard that the session expired.
 */
export async function expire(ctx: ServerContext, p: Participant): Promise<void> {
  p.proxy.cut();
  const twin = await createClient(ctx.server.connectString, { sessionId: p.client.sessionId, sessionPasswd: p.client.sessionPasswd, sessionTimeoutMs: participantSessionTimeoutMs });
  await twin.close();
  p.proxy.restore();
  await waitFor(`${p.name} to hear its session expired`, () => p.client.state === 'expired', 10_000);
}

/** A cut and a restore once the client noticed; the session survives. */
export async function blip(p: Participant): Promise<void> {
  p.proxy.cut();
  await waitFor(`${p.name} to notice the cut`, () => p.client.state === 'connecting', 5_000);
  p.proxy.restore();
  await p.client.connected(10_000);
}

/**
 * Records who holds an exclusive resource, from the holders' own reports, in the order the
 * test process sees them (one event loop: a single clock). `enter` while someone else holds is
 * a violation. Slots > 1 make it a counting monitor (a semaphore's leases).
 */
export class HoldMonitor {
  private readonly holders = new Set<string>();
  readonly violations: string[] = [];
  readonly history: string[] = [];
  maxConcurrent = 0;
  enters = 0;

  constructor(readonly what: string, private readonly slots = 1) {}

  enter(who: string): void {
    this.history.push(`+${who}`);
    this.enters++;
    if (this.holders.has(who)) this.violations.push(`${who} entered ${this.what} twice`);
    this.holders.add(who);
    if (this.holders.size > this.slots) this.violations.push(`${[...this.holders].join(', ')} hold ${this.what} at once (at most ${this.slots})`);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.holders.size);
  }

  exit(who: string): void {
    if (!this.holders.delete(who)) return;
    this.history.push(`-${who}`);
  }

  get current(): string[] {
    return [...this.holders];
  }

  assertSafe(): void {
    assert.deepEqual(this.violations, [], `${this.what}: ${this.violations.join('; ')}\nhistory: ${this.history.join(' ')}`);
  }
}

/**
 * A proxy tap that splits one direction of every connection into frames (4-byte length prefix)
 * and hands `onFrame` each frame but the connection's first, which is the handshake
 * (ConnectRequest / ConnectResponse) and has no request or reply header.
 */
export function frameTap(direction: 'toServer' | 'toClient', onFrame: (frame: Buffer) => void): ProxyTap {
  const streams = new Map<number, { buffer: Buffer; handshaken: boolean }>();
  return (connection, chunkDirection, chunk) => {
    if (chunkDirection !== direction) return;
    let stream = streams.get(connection);
    if (stream === undefined) {
      stream = { buffer: Buffer.alloc(0), handshaken: false };
      streams.set(connection, stream);
    }
    stream.buffer = Buffer.concat([stream.buffer, chunk]);
    while (stream.buffer.length >= 4) {
      const length = stream.buffer.readInt32BE(0);
      if (stream.buffer.length < 4 + length) break;
      const frame = stream.buffer.subarray(4, 4 + length);
      stream.buffer = stream.buffer.subarray(4 + length);
      if (stream.handshaken) onFrame(frame);
      stream.handshaken = true;
    }
  };
}

/** Counts the watch notifications (ReplyHeader xid -1) the server sends through a proxy. */
export class NotificationCounter {
  count = 0;
  readonly tap: ProxyTap = frameTap('toClient', (frame) => {
    if (frame.length >= 4 && frame.readInt32BE(0) === -1) this.count++;
  });
}

/**
 * Calls `onRequest(opCode)` for every request a client sends through a proxy (RequestHeader:
 * xid, then type). It runs before the request is forwarded, so it can switch the proxy to
 * dropReplies and lose exactly that request's reply.
 */
export class RequestSpy {
  onRequest: (opCode: number) => void = () => undefined;
  readonly tap: ProxyTap = frameTap('toServer', (frame) => {
    if (frame.length >= 8) this.onRequest(frame.readInt32BE(4));
  });
}
