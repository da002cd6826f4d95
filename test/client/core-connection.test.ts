/**
 * Unit tests of the pure client connection core (src/client/core/connection.ts): no sockets,
 * no timers — the test plays the server by decoding the frames the core emits and feeding back
 * reply frames, and plays the clock by passing nowMs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JuteReader, JuteWriter } from '../../src/jute/archive.js';
import { FrameDecoder, frame } from '../../src/jute/frame-decoder.js';
import * as R from '../../src/jute/records.js';
import { readRecord, writeRecord, type Fields, type RecordOf, type RecordSchema } from '../../src/jute/schema.js';
import { ErrorCode, EventType, OpCode, Xid } from '../../src/protocol/codes.js';
import { ClientCore, type CoreConfig, type Output } from '../../src/client/core/connection.js';
import {
  AuthFailedError, ClientClosedError, ConnectionLossError, NoNodeError, RequestQueueFullError, RequestTimeoutError,
  SessionExpiredError,
} from '../../src/client/core/errors.js';
import { Chroot } from '../../src/client/core/paths.js';
import * as ops from '../../src/client/core/requests.js';

type Listener = string;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function config(overrides: Partial<CoreConfig> = {}): CoreConfig {
  return {
    hosts: [{ host: 'a', port: 1 }],
    chroot: '',
    sessionTimeoutMs: 3000,
    canBeReadOnly: false,
    requestTimeoutMs: 0,
    queuedRequestsMax: 100,
    inFlightRequestsMax: 10,
    reconnectDelayInitialMs: 100,
    reconnectDelayMaxMs: 1000,
    setWatchesBatchBytesMax: 128 * 1024,
    frameBytesMax: 1 << 20,
    closeTimeoutMs: 1000,
    random: seeded(1),
    expireLocally: true,
    ...overrides,
  };
}

interface Sent { readonly xid: number; readonly type: number; readonly body: JuteReader }

/** Plays the server side of one core: decodes what it sends, builds replies. */
class Harness {
  readonly core: ClientCore<Listener>;
  now = 0;
  connection = 0;
  outputs: Output<Listener>[] = [];
  private decoder = new FrameDecoder(1 << 20);
  zxid = 0x100n;

  constructor(cfg: CoreConfig) {
    this.core = new ClientCore<Listener>(cfg);
  }

  drain(): Output<Listener>[] {
    const out = this.core.takeOutputs();
    this.outputs.push(...out);
    for (const o of out) if (o.kind === 'open') { this.connection = o.connection; this.decoder = new FrameDecoder(1 << 20); }
    return out;
  }

  /** Frames sent on the current connection since the last call. */
  sentFrames(out: Output<Listener>[]): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const o of out) {
      if (o.kind !== 'send' || o.connection !== this.connection) continue;
      for (const event of this.decoder.push(o.bytes)) if (event.kind === 'frame') frames.push(event.payload);
    }
    return frames;
  }

  requests(out: Output<Listener>[]): Sent[] {
    return this.sentFrames(out).map((payload) => {
      const reader = new JuteReader(payload);
      const header = readRecord(reader, R.RequestHeader);
      return { xid: header.xid, type: header.type, body: reader };
    });
  }

  /** start + open + ConnectResponse; returns the ConnectRequest the core sent. */
  connect(sessionId = 0x42n, timeOut = 3000, readOnly = false): RecordOf<typeof R.ConnectRequest.fields> & { readOnly: boolean } {
    this.core.start(this.now);
    this.drain();
    return this.handshake(sessionId, timeOut, readOnly);
  }

  handshake(sessionId = 0x42n, timeOut = 3000, readOnly = false) {
    this.core.onOpen(this.connection, this.now);
    const [payload] = this.sentFrames(this.drain());
    const reader = new JuteReader(payload!);
    const request = { ...readRecord(reader, R.ConnectRequest), readOnly: reader.readBoolean() };
    const writer = new JuteWriter();
    writeRecord(writer, R.ConnectResponse, { protocolVersion: 0, timeOut, sessionId, passwd: new Uint8Array(16).fill(7) });
    writer.writeBoolean(readOnly);
    this.core.onData(this.connection, frame(writer.toBytes()), this.now);
    return request;
  }

  reply<F extends Fields>(xid: number, err: number, schema?: RecordSchema<F>, body?: RecordOf<F>, zxid = ++this.zxid): void {
    const writer = new JuteWriter();
    writeRecord(writer, R.ReplyHeader, { xid, zxid, err });
    if (schema !== undefined && body !== undefined) writeRecord(writer, schema, body);
    this.core.onData(this.connection, frame(writer.toBytes()), this.now);
  }

  notify(type: number, path: string): void {
    const writer = new JuteWriter();
    writeRecord(writer, R.ReplyHeader, { xid: Xid.notification, zxid: -1n, err: 0 });
    writeRecord(writer, R.WatcherEvent, { type, state: 3, path });
    this.core.onData(this.connection, frame(writer.toBytes()), this.now);
  }

  settled(ticket: number): Output<Listener> | undefined {
    return this.outputs.find((o) => (o.kind === 'resolve' || o.kind === 'reject') && o.ticket === ticket);
  }
}

const stat: RecordOf<typeof R.Stat.fields> = {
  czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: 6, aversion: 7, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 8n,
};
const root = new Chroot('');

describe('client core: handshake and session', () => {
  it('sends a ConnectRequest with the readOnly byte and reports connected', () => {
    const h = new Harness(config({ canBeReadOnly: true }));
    const request = h.connect(0x42n, 2000);
    assert.deepEqual({ ...request, passwd: [...request.passwd!] }, {
      protocolVersion: 0, lastZxidSeen: 0n, timeOut: 3000, sessionId: 0n, passwd: new Array(16).fill(0), readOnly: true,
    });
    const states = h.drain().filter((o) => o.kind === 'state');
    assert.deepEqual(states.map((o) => o.kind === 'state' && o.state), ['connected']);
    assert.equal(h.core.state, 'connected');
    assert.equal(h.core.sessionId, 0x42n);
    assert.equal(h.core.sessionTimeoutMs, 2000);
    h.core.invariants();
  });

  it('reports readOnly when the server says so', () => {
    const h = new Harness(config({ canBeReadOnly: true }));
    h.connect(0x42n, 3000, true);
    assert.equal(h.core.state, 'readOnly');
    assert.ok(h.drain().some((o) => o.kind === 'state' && o.state === 'readOnly'));
  });

  it('re-attaches with sessionId, passwd and lastZxidSeen after a drop, and fails written requests with ConnectionLoss', () => {
    const h = new Harness(config());
    h.connect();
    h.drain();
    const t1 = h.core.submit(ops.getDataOp<Listener>(root, '/a', undefined), h.now);
    const [sent] = h.requests(h.drain());
    h.reply(sent!.xid, 0, R.GetDataResponse, { data: new Uint8Array([1]), stat }, 0x777n);
    const t2 = h.core.submit(ops.getDataOp<Listener>(root, '/b', undefined), h.now);
    h.drain();
    const oldConnection = h.connection;
    h.core.onClosed(oldConnection, h.now, 'reset');
    const out = h.drain();
    assert.ok(h.settled(t1)?.kind === 'resolve');
    const lost = h.settled(t2);
    assert.ok(lost?.kind === 'reject' && lost.error instanceof ConnectionLossError);
    assert.ok(out.some((o) => o.kind === 'state' && o.state === 'disconnected'));
    // The first retry after a working connection is immediate.
    assert.ok(out.some((o) => o.kind === 'open' && o.connection > oldConnection));
    assert.equal(h.core.state, 'connecting');
    // Queued-but-unsent requests survive the drop.
    const t3 = h.core.submit(ops.existsOp<Listener>(root, '/c', undefined), h.now);
    h.core.invariants();
    const request = h.handshake();
    assert.equal(request.sessionId, 0x42n);
    assert.equal(request.lastZxidSeen, 0x777n);
    assert.deepEqual([...request.passwd!], new Array(16).fill(7));
    const [resent] = h.requests(h.drain());
    assert.equal(resent!.type, OpCode.exists);
    h.reply(resent!.xid, ErrorCode.NONODE);
    h.drain();
    const settled = h.settled(t3);
    assert.ok(settled?.kind === 'resolve' && settled.value === null);
  });

  it('treats a ConnectResponse with timeOut 0 as session expiry (terminal)', () => {
    const h = new Harness(config());
    h.connect();
    const queued = h.core.submit(ops.getDataOp<Listener>(root, '/a', undefined), h.now);
    h.drain();
    h.core.onClosed(h.connection, h.now);
    h.drain();
    h.handshake(0n, 0);
    const out = h.drain();
    assert.equal(h.core.state, 'expired');
    assert.ok(out.some((o) => o.kind === 'state' && o.state === 'expired'));
    const settled = h.settled(queued);
    assert.ok(settled?.kind === 'reject' && settled.error instanceof ConnectionLossError); // it was in flight
    const later = h.core.submit(ops.getDataOp<Listener>(root, '/a', undefined), h.now);
    h.drain();
    const refused = h.settled(later);
    assert.ok(refused?.kind === 'reject' && refused.error instanceof SessionExpiredError);
    assert.equal(h.core.nextDeadlineMs(), undefined);
    h.core.invariants();
  });

  it('presumes the session expired after 4/3 of its timeout without reaching a server (expireLocally)', () => {
    for (const expireLocally of [true, false]) {
      const h = new Harness(config({ expireLocally, reconnectDelayMaxMs: 200 }));
      h.connect(0x42n, 3000);
      h.now = 500;
      h.reply(Xid.ping, 0); // the last word from a server: the clock starts here
      h.core.onClosed(h.connection, h.now, 'reset');
      h.drain();
      const queued = h.core.submit(ops.existsOp<Listener>(root, '/q', undefined), h.now);
      // Keep failing to reach anyone, ticking at every deadline the core asks for.
      while (h.now < 500 + 10_000 && h.core.state === 'connecting') {
        h.now = h.core.nextDeadlineMs()!;
        h.core.tick(h.now);
        for (const o of h.drain()) if (o.kind === 'open') h.core.onClosed(o.connection, h.now, 'refused');
      }
      if (expireLocally) {
        assert.equal(h.core.state, 'expired');
        assert.equal(h.now, 500 + 4000, 'expired exactly at 4/3 of the negotiated 3000 ms');
        const settled = h.settled(queued);
        assert.ok(settled?.kind === 'reject' && settled.error instanceof SessionExpiredError);
        assert.ok(h.outputs.some((o) => o.kind === 'state' && o.state === 'expired'));
        assert.equal(h.core.nextDeadlineMs(), undefined);
        h.core.invariants();
      } else {
        assert.equal(h.core.state, 'connecting', 'without expireLocally only a server can say the session expired');
        assert.equal(h.settled(queued), undefined);
      }
    }
  });

  it('backs off exponentially with jitter while a server is unreachable', () => {
    const h = new Harness(config({ reconnectDelayInitialMs: 100, reconnectDelayMaxMs: 800 }));
    h.core.start(h.now);
    h.drain();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      h.core.onClosed(h.connection, h.now, 'refused');
      h.drain();
      const at = h.core.nextDeadlineMs()!;
      delays.push(at - h.now);
      h.now = at - 1;
      h.core.tick(h.now);
      assert.equal(h.drain().filter((o) => o.kind === 'open').length, 0, 'not before the deadline');
      h.now = at;
      h.core.tick(h.now);
      assert.equal(h.drain().filter((o) => o.kind === 'open').length, 1);
    }
    const bases = [100, 200, 400, 800, 800, 800];
    delays.forEach((delay, i) => assert.ok(delay >= bases[i]! / 2 && delay <= bases[i]!, `delay ${i} = ${delay}`));
  });

  it('times out a connect attempt and tries the next host', () => {
    const h = new Harness(config({ hosts: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }], sessionTimeoutMs: 4000 }));
    h.core.start(h.now);
    const first = h.drain().find((o) => o.kind === 'open');
    assert.equal(h.core.nextDeadlineMs(), 2000); // sessionTimeout / hosts
    h.now = 2000;
    h.core.tick(h.now);
    h.now = h.core.nextDeadlineMs()!;
    h.core.tick(h.now);
    const second = h.drain().find((o) => o.kind === 'open');
    assert.ok(first?.kind === 'open' && second?.kind === 'open');
    assert.notEqual(first.host, second.host);
  });
});

describe('client core: requests', () => {
  it('pipelines requests and matches replies in order; an out-of-order xid drops the connection', () => {
    const h = new Harness(config());
    h.connect();
    h.drain();
    const tickets = ['/a', '/b', '/c'].map((p) => h.core.submit(ops.getDataOp<Listener>(root, p, undefined), h.now));
    const sent = h.requests(h.drain());
    assert.equal(sent.length, 3, 'all written before any reply');
    assert.deepEqual(sent.map((s) => s.xid), [sent[0]!.xid, sent[0]!.xid + 1, sent[0]!.xid + 2]);
    h.reply(sent[0]!.xid, ErrorCode.NONODE);
    h.reply(sent[2]!.xid, 0, R.GetDataResponse, { data: null, stat });
    h.drain();
    const first = h.settled(tickets[0]!);
    assert.ok(first?.kind === 'reject' && first.error instanceof NoNodeError && first.error.path === '/a');
    for (const ticket of tickets.slice(1)) {
      const settled = h.settled(ticket);
      assert.ok(settled?.kind === 'reject' && settled.error instanceof ConnectionLossError);
    }
    assert.equal(h.core.state, 'connecting');
  });

  it('bounds requests in flight and the queue (backpressure)', () => {
    const h = new Harness(config({ inFlightRequestsMax: 2, queuedRequestsMax: 3 }));
    h.connect();
    h.drain();
    const tickets = [1, 2, 3, 4].map((i) => h.core.submit(ops.existsOp<Listener>(root, `/n${i}`, undefined), h.now));
    const out = h.drain();
    const sent = h.requests(out);
    assert.equal(sent.length, 2);
    const refused = h.settled(tickets[3]!);
    assert.ok(refused?.kind === 'reject' && refused.error instanceof RequestQueueFullError);
    h.reply(sent[0]!.xid, 0, R.ExistsResponse, { stat });
    const more = h.requests(h.drain());
    assert.equal(more.length, 1, 'a reply frees one in-flight slot');
    assert.equal(h.core.pendingCount, 2);
  });

  it('fails a request after requestTimeoutMs and drops its late reply', () => {
    const h = new Harness(config({ requestTimeoutMs: 500 }));
    h.connect();
    h.drain();
    const slow = h.core.submit(ops.getDataOp<Listener>(root, '/slow', undefined), h.now);
    const [sent] = h.requests(h.drain());
    h.now = 200;
    const fast = h.core.submit(ops.existsOp<Listener>(root, '/fast', undefined), h.now);
    const [sent2] = h.requests(h.drain());
    h.now = 500;
    h.core.tick(h.now);
    h.drain();
    const timedOut = h.settled(slow);
    assert.ok(timedOut?.kind === 'reject' && timedOut.error instanceof RequestTimeoutError);
    assert.equal(h.settled(fast), undefined);
    h.reply(sent!.xid, 0, R.GetDataResponse, { data: null, stat });
    h.reply(sent2!.xid, 0, R.ExistsResponse, { stat });
    h.drain();
    assert.equal(h.outputs.filter((o) => (o.kind === 'resolve' || o.kind === 'reject') && o.ticket === slow).length, 1);
    assert.equal(h.settled(fast)?.kind, 'resolve');
    assert.equal(h.core.state, 'connected');
  });

  it('pings when idle and gives up on a silent server after the read timeout', () => {
    const h = new Harness(config());
    h.connect(0x42n, 3000); // read timeout 2000, ping interval 1000
    h.drain();
    assert.equal(h.core.nextDeadlineMs(), 1000);
    h.now = 1000;
    h.core.tick(h.now);
    const [ping] = h.requests(h.drain());
    assert.deepEqual([ping!.xid, ping!.type], [Xid.ping, OpCode.ping]);
    h.reply(Xid.ping, 0);
    assert.equal(h.core.nextDeadlineMs(), 2000);
    h.now = 2000;
    h.core.tick(h.now);
    assert.equal(h.requests(h.drain()).filter((r) => r.xid === Xid.ping).length, 1, 'second ping');
    // No answer to it: the read timeout counts from the last bytes received (at 1000).
    assert.equal(h.core.nextDeadlineMs(), 3000);
    h.now = 2999;
    h.core.tick(h.now);
    assert.equal(h.core.state, 'connected');
    h.now = 3000;
    h.core.tick(h.now);
    assert.equal(h.core.state, 'connecting');
    assert.ok(h.drain().some((o) => o.kind === 'close'));
  });

  it('replays auth on reconnect; AUTHFAILED is terminal', () => {
    const h = new Harness(config());
    h.connect();
    h.drain();
    const ok = h.core.addAuth('digest', new TextEncoder().encode('u:p'), h.now);
    const [auth] = h.requests(h.drain());
    assert.deepEqual([auth!.xid, auth!.type], [Xid.auth, OpCode.auth]);
    assert.equal(readRecord(auth!.body, R.AuthPacket).scheme, 'digest');
    h.reply(Xid.auth, 0);
    h.drain();
    assert.equal(h.settled(ok)?.kind, 'resolve');
    h.core.onClosed(h.connection, h.now);
    h.drain();
    h.handshake();
    const primed = h.requests(h.drain());
    assert.equal(primed[0]?.type, OpCode.auth, 'auth replayed first');
    const bad = h.core.addAuth('nope', new Uint8Array(0), h.now);
    h.drain();
    h.reply(Xid.auth, 0);
    h.reply(Xid.auth, ErrorCode.AUTHFAILED);
    h.drain();
    assert.equal(h.core.state, 'authFailed');
    const settled = h.settled(bad);
    assert.ok(settled?.kind === 'reject' && settled.error instanceof AuthFailedError);
    h.core.invariants();
  });

  it('close sends closeSession after queued requests and ends the session', () => {
    const h = new Harness(config());
    h.connect();
    h.drain();
    const read = h.core.submit(ops.existsOp<Listener>(root, '/x', undefined), h.now);
    const done = h.core.close(h.now);
    const sent = h.requests(h.drain());
    assert.deepEqual(sent.map((s) => s.type), [OpCode.exists, OpCode.closeSession]);
    const late = h.core.submit(ops.existsOp<Listener>(root, '/y', undefined), h.now);
    h.drain();
    const refused = h.settled(late);
    assert.ok(refused?.kind === 'reject' && refused.error instanceof ClientClosedError);
    h.reply(sent[0]!.xid, ErrorCode.NONODE);
    h.reply(sent[1]!.xid, 0);
    const out = h.drain();
    assert.equal(h.settled(read)?.kind, 'resolve');
    assert.equal(h.settled(done)?.kind, 'resolve');
    assert.equal(h.core.state, 'closed');
    assert.ok(out.some((o) => o.kind === 'state' && o.state === 'closed'));
    assert.ok(out.some((o) => o.kind === 'close'));
  });
});

describe('client core: watches', () => {
  it('registers watches from replies and fires them once, with the chroot stripped', () => {
    const h = new Harness(config({ chroot: '/app' }));
    const chroot = new Chroot('/app');
    h.connect();
    h.drain();
    h.core.submit(ops.existsOp<Listener>(chroot, '/missing', 'L1'), h.now);
    h.core.submit(ops.getDataOp<Listener>(chroot, '/node', 'L2'), h.now);
    h.core.submit(ops.getChildrenOp<Listener>(chroot, '/node', 'L3'), h.now);
    h.core.submit(ops.getDataOp<Listener>(chroot, '/gone', 'L4'), h.now);
    const sent = h.requests(h.drain());
    assert.equal(readRecord(sent[0]!.body, R.ExistsRequest).path, '/app/missing');
    h.reply(sent[0]!.xid, ErrorCode.NONODE);
    h.reply(sent[1]!.xid, 0, R.GetDataResponse, { data: null, stat });
    h.reply(sent[2]!.xid, 0, R.GetChildrenResponse, { children: [] });
    h.reply(sent[3]!.xid, ErrorCode.NONODE); // getData on a missing node sets no watch
    h.drain();
    assert.equal(h.core.watchCount, 3);
    h.notify(EventType.NodeCreated, '/app/missing');
    h.notify(EventType.NodeDeleted, '/app/node');
    h.notify(EventType.NodeDeleted, '/app/node');
    const events = h.drain().filter((o) => o.kind === 'watch');
    assert.deepEqual(events.map((o) => o.kind === 'watch' && [o.event.type, o.event.path, [...o.listeners].sort()]), [
      ['NodeCreated', '/missing', ['L1']],
      ['NodeDeleted', '/node', ['L2', 'L3']],
    ]);
    assert.equal(h.core.watchCount, 0);
  });

  it('re-registers watches after a reconnect with SetWatches batches under the frame limit', () => {
    const limit = 1024;
    const h = new Harness(config({ setWatchesBatchBytesMax: limit, inFlightRequestsMax: 1000, queuedRequestsMax: 1000 }));
    h.connect();
    h.drain();
    const paths = Array.from({ length: 120 }, (_, i) => `/watched/node-${String(i).padStart(4, '0')}`);
    for (const p of paths) h.core.submit(ops.getDataOp<Listener>(root, p, 'L'), h.now);
    const sent = h.requests(h.drain());
    for (const s of sent) h.reply(s.xid, 0, R.GetDataResponse, { data: null, stat }, 0x500n);
    h.core.submit(ops.existsOp<Listener>(root, '/not-yet', 'E'), h.now);
    const [exists] = h.requests(h.drain());
    h.reply(exists!.xid, ErrorCode.NONODE, undefined, undefined, 0x501n);
    h.drain();
    h.core.onClosed(h.connection, h.now);
    h.drain();
    h.handshake();
    const out = h.drain();
    const frames = out.filter((o) => o.kind === 'send' && o.connection === h.connection).map((o) => o.kind === 'send' && o.bytes);
    const batches = h.requests(out).filter((r) => r.xid === Xid.setWatches);
    assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
    for (const bytes of frames) assert.ok(bytes && bytes.length <= limit, `frame of ${bytes && bytes.length} bytes`);
    const data: string[] = [];
    const exist: string[] = [];
    for (const batch of batches) {
      assert.equal(batch.type, OpCode.setWatches);
      const record = readRecord(batch.body, R.SetWatches);
      assert.equal(record.relativeZxid, 0x501n);
      data.push(...record.dataWatches);
      exist.push(...record.existWatches);
    }
    assert.deepEqual(data.sort(), [...paths].sort());
    assert.deepEqual(exist, ['/not-yet']);
    // Replies to SetWatches are consumed in order; the session carries on.
    for (const batch of batches) h.reply(batch.xid, 0);
    const t = h.core.submit(ops.existsOp<Listener>(root, '/x', undefined), h.now);
    const [next] = h.requests(h.drain());
    h.reply(next!.xid, ErrorCode.NONODE);
    h.drain();
    assert.equal(h.settled(t)?.kind, 'resolve');
    h.core.invariants();
  });

  it('uses SetWatches2 when persistent watches exist, and fires recursive watches for descendants only without child events', () => {
    const h = new Harness(config());
    h.connect();
    h.drain();
    h.core.submit(ops.addWatchOp(root, '/p', 'persistent', 'P'), h.now);
    h.core.submit(ops.addWatchOp(root, '/r', 'persistentRecursive', 'R'), h.now);
    for (const s of h.requests(h.drain())) h.reply(s.xid, 0, R.ErrorResponse, { err: 0 });
    h.drain();
    h.notify(EventType.NodeChildrenChanged, '/p');
    h.notify(EventType.NodeDataChanged, '/p');
    h.notify(EventType.NodeCreated, '/r/a/b');
    h.notify(EventType.NodeChildrenChanged, '/r');
    h.notify(EventType.NodeDataChanged, '/rx');
    const fired = h.drain().filter((o) => o.kind === 'watch').map((o) => o.kind === 'watch' && `${o.event.type} ${o.event.path} ${o.listeners.join()}`);
    assert.deepEqual(fired, ['NodeChildrenChanged /p P', 'NodeDataChanged /p P', 'NodeCreated /r/a/b R']);
    h.core.onClosed(h.connection, h.now);
    h.drain();
    h.handshake();
    const [batch] = h.requests(h.drain()).filter((r) => r.xid === Xid.setWatches);
    assert.equal(batch!.type, OpCode.setWatches2);
    const record = readRecord(batch!.body, R.SetWatches2);
    assert.deepEqual([record.persistentWatches, record.persistentRecursiveWatches], [['/p'], ['/r']]);
  });
});
