/**
 * The server core driven directly, with a hand-turned clock: no sockets, no sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ZooKeeperServerCore, type ServerOutput } from '../../src/server/zk-server.js';
import { sessionPassword } from '../../src/util/java-random.js';
import { encode, decode, readRecord } from '../../src/jute/schema.js';
import { JuteReader, JuteWriter } from '../../src/jute/archive.js';
import * as R from '../../src/jute/records.js';
import { ErrorCode, EventType, OpCode } from '../../src/protocol/codes.js';

/** The core's outputs with each connection's coalesced send split back into single frames. */
function takeFrames(core: ZooKeeperServerCore): ServerOutput[] {
  return core.takeOutputs().flatMap((output): ServerOutput[] => {
    if (output.kind !== 'send') return [output];
    const frames: ServerOutput[] = [];
    const view = new DataView(output.bytes.buffer, output.bytes.byteOffset, output.bytes.byteLength);
    for (let at = 0; at < output.bytes.length; at += 4 + view.getInt32(at)) {
      frames.push({ kind: 'send', connectionId: output.connectionId, bytes: output.bytes.subarray(at, at + 4 + view.getInt32(at)) });
    }
    return frames;
  });
}

type Reply = { header: { xid: number; zxid: bigint; err: number }; body: Uint8Array } | { close: string };

function harness(overrides: Partial<ConstructorParameters<typeof ZooKeeperServerCore>[0]> = {}) {
  const clock = { now: 1_000_000, wall: 1_700_000_000_000 };
  const core = new ZooKeeperServerCore({
    serverId: 1, tickTimeMs: 2000, minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000, extendedTypesEnabled: true,
    reconfigEnabled: false, skipACL: false, superDigest: undefined, containerCheckIntervalMs: 60000, containerMaxPerMinute: 10000,
    containerMaxNeverUsedIntervalMs: 0, ...overrides,
  }, {
    monotonicMs: () => clock.now,
    wallMs: () => clock.wall,
    sha1Base64: (text) => createHash('sha1').update(text).digest('base64'),
    sessionPassword,
  });
  const flush = (): ServerOutput[] => {
    const logged = core.takeTxnsToLog();
    if (logged.length > 0) core.markDurable(logged[logged.length - 1]!.header.zxid);
    return takeFrames(core);
  };
  let nextConnection = 1;
  const connect = (timeOut = 10000, sessionId = 0n, passwd: Uint8Array = new Uint8Array(16)) => {
    const id = nextConnection++;
    core.openConnection(id, '127.0.0.1', 40000 + id);
    const w = new JuteWriter();
    w.writeRaw(encode(R.ConnectRequest, { protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId, passwd }));
    w.writeBoolean(false);
    core.onFrame(id, w.toBytes());
    const out = flush();
    const sent = out.find((o) => o.kind === 'send');
    assert.ok(sent && sent.kind === 'send');
    const reader = new JuteReader(sent.bytes, 4);
    return { id, response: readRecord(reader, R.ConnectResponse), closed: out.some((o) => o.kind === 'close') };
  };
  let xid = 1;
  const request = (connectionId: number, type: number, body: Uint8Array) => {
    const w = new JuteWriter();
    w.writeRaw(encode(R.RequestHeader, { xid: xid++, type }));
    w.writeRaw(body);
    core.onFrame(connectionId, w.toBytes());
    return flush().map((o): Reply => {
      if (o.kind === 'close') return { close: o.reason };
      const reader = new JuteReader(o.bytes, 4);
      const header = readRecord(reader, R.ReplyHeader);
      return { header, body: o.bytes.subarray(reader.position) };
    });
  };
  return { core, clock, connect, request, flush };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

test('create, getData and a data watch fire in order: event before the reply that caused it', () => {
  const h = harness();
  const { id } = h.connect();
  const created = h.request(id, OpCode.create, encode(R.CreateRequest, { path: '/a', data: bytes('x'), acl: open, flags: 0 }));
  assert.equal(created.length, 1);
  const reply = created[0]!;
  assert.ok('header' in reply);
  assert.equal(reply.header.err, 0);
  assert.equal(decode(R.CreateResponse, reply.body).path, '/a');

  h.request(id, OpCode.getData, encode(R.GetDataRequest, { path: '/a', watch: true }));
  const set = h.request(id, OpCode.setData, encode(R.SetDataRequest, { path: '/a', data: bytes('y'), version: 0 }));
  assert.equal(set.length, 2);
  const [event, response] = set;
  assert.ok(event && 'header' in event && event.header.xid === -1);
  assert.deepEqual(decode(R.WatcherEvent, event.body), { type: EventType.NodeDataChanged, state: 3, path: '/a' });
  assert.ok(response && 'header' in response && response.header.err === 0);
  assert.equal(decode(R.SetDataResponse, response.body).stat.version, 1);
  h.core.invariants();
});

test('one change notifies every watcher with the same bytes, skips those without READ, and coalesces a connection\'s frames', () => {
  const h = harness();
  const writer = h.connect();
  const a = h.connect();
  const b = h.connect();
  const onlyElsewhere = [{ perms: 31, id: { scheme: 'ip', id: '10.0.0.1' } }];
  h.request(writer.id, OpCode.create, encode(R.CreateRequest, { path: '/p', data: null, acl: open, flags: 0 }));
  h.request(writer.id, OpCode.create, encode(R.CreateRequest, { path: '/p/c', data: null, acl: open, flags: 0 }));
  h.request(writer.id, OpCode.create, encode(R.CreateRequest, { path: '/p/secret', data: null, acl: onlyElsewhere, flags: 0 }));
  for (const watcher of [a, b]) h.request(watcher.id, OpCode.exists, encode(R.ExistsRequest, { path: '/p/c', watch: true }));
  h.request(b.id, OpCode.getChildren, encode(R.GetChildrenRequest, { path: '/p', watch: true }));
  // exists needs no permission, so a can watch a node it may not read.
  h.request(a.id, OpCode.exists, encode(R.ExistsRequest, { path: '/p/secret', watch: true }));

  const sentTo = (outputs: ServerOutput[], connectionId: number) => outputs.filter((o) => o.kind === 'send' && o.connectionId === connectionId).map((o) => (o.kind === 'send' ? o.bytes : new Uint8Array()));
  const expected = (type: number, path: string) => {
    const w = new JuteWriter();
    const body = new JuteWriter();
    body.writeRaw(encode(R.ReplyHeader, { xid: -1, zxid: -1n, err: 0 }));
    body.writeRaw(encode(R.WatcherEvent, { type, state: 3, path }));
    w.writeBuffer(body.toBytes());
    return [...w.toBytes()];
  };
  const deleted = (path: string) => {
    const w = new JuteWriter();
    w.writeRaw(encode(R.RequestHeader, { xid: 900, type: OpCode.delete }));
    w.writeRaw(encode(R.DeleteRequest, { path, version: -1 }));
    h.core.onFrame(writer.id, w.toBytes());
    const logged = h.core.takeTxnsToLog();
    h.core.markDurable(logged[logged.length - 1]!.header.zxid);
    return h.core.takeOutputs();
  };

  const out = deleted('/p/c');
  assert.deepEqual(sentTo(out, a.id).map((bytes) => [...bytes]), [expected(EventType.NodeDeleted, '/p/c')]);
  // b's two events leave as one send, in the order they fired.
  assert.deepEqual(sentTo(out, b.id).map((bytes) => [...bytes]), [[...expected(EventType.NodeDeleted, '/p/c'), ...expected(EventType.NodeChildrenChanged, '/p')]]);
  // The connect response, two replies, two events.
  assert.equal(h.core.connections.get(b.id)!.stats.packetsSent, 1 + 2 + 2);

  const hidden = deleted('/p/secret');
  assert.deepEqual(sentTo(hidden, a.id), []);
  h.core.invariants();
});

test('a failed multi applies nothing and reports OK, the error, then RUNTIMEINCONSISTENCY', () => {
  const h = harness();
  const { id } = h.connect();
  const w = new JuteWriter();
  const op = (type: number, record: Uint8Array) => {
    w.writeRaw(encode(R.MultiHeader, { type, done: false, err: -1 }));
    w.writeRaw(record);
  };
  op(OpCode.create, encode(R.CreateRequest, { path: '/m', data: null, acl: open, flags: 0 }));
  op(OpCode.delete, encode(R.DeleteRequest, { path: '/nope', version: -1 }));
  op(OpCode.create, encode(R.CreateRequest, { path: '/m2', data: null, acl: open, flags: 0 }));
  w.writeRaw(encode(R.MultiHeader, { type: -1, done: true, err: -1 }));
  const [reply] = h.request(id, OpCode.multi, w.toBytes());
  assert.ok(reply && 'header' in reply);
  assert.equal(reply.header.err, 0);
  const reader = new JuteReader(reply.body);
  const errs: number[] = [];
  for (;;) {
    const header = readRecord(reader, R.MultiHeader);
    if (header.done) break;
    assert.equal(header.type, -1);
    errs.push(readRecord(reader, R.ErrorResponse).err);
  }
  assert.deepEqual(errs, [0, ErrorCode.NONODE, ErrorCode.RUNTIMEINCONSISTENCY]);
  assert.equal(h.core.tree.get('/m'), undefined);
});

test('an expired session loses its ephemerals, fires their watches, and cannot reconnect', () => {
  const h = harness();
  const owner = h.connect(4000);
  const watcher = h.connect(40000);
  h.request(owner.id, OpCode.create, encode(R.CreateRequest, { path: '/e', data: null, acl: open, flags: 1 }));
  h.request(watcher.id, OpCode.exists, encode(R.ExistsRequest, { path: '/e', watch: true }));
  // The watcher keeps pinging; the owner goes silent.
  for (let i = 0; i < 4; i++) {
    h.clock.now += 1500;
    h.request(watcher.id, OpCode.ping, new Uint8Array(0));
    h.core.tick();
  }
  const out = h.flush();
  assert.equal(h.core.tree.get('/e'), undefined);
  assert.ok(out.some((o) => o.kind === 'close' && o.connectionId === owner.id));
  const event = out.find((o) => o.kind === 'send' && o.connectionId === watcher.id);
  assert.ok(event && event.kind === 'send');
  const reader = new JuteReader(event.bytes, 4);
  assert.equal(readRecord(reader, R.ReplyHeader).xid, -1);
  assert.deepEqual(readRecord(reader, R.WatcherEvent), { type: EventType.NodeDeleted, state: 3, path: '/e' });
  const again = h.connect(4000, owner.response.sessionId, owner.response.passwd!);
  assert.equal(again.response.sessionId, 0n);
  assert.equal(again.response.timeOut, 0);
  assert.ok(again.closed);
});

test('timeouts are clamped to [minSessionTimeout, maxSessionTimeout]', () => {
  const h = harness();
  assert.equal(h.connect(1).response.timeOut, 4000);
  assert.equal(h.connect(10_000_000).response.timeOut, 40000);
  assert.equal(h.connect(5000).response.timeOut, 5000);
});

test('reconnecting with the right password keeps the session; a wrong one is refused', () => {
  const h = harness();
  const first = h.connect(10000);
  const again = h.connect(10000, first.response.sessionId, first.response.passwd!);
  assert.equal(again.response.sessionId, first.response.sessionId);
  const wrong = h.connect(10000, first.response.sessionId, new Uint8Array(16).fill(7));
  assert.equal(wrong.response.sessionId, 0n);
  assert.ok(wrong.closed);
});

test('sequential names come from the parent cversion as %010d', () => {
  const h = harness();
  const { id } = h.connect();
  h.request(id, OpCode.create, encode(R.CreateRequest, { path: '/q', data: null, acl: open, flags: 0 }));
  h.request(id, OpCode.create, encode(R.CreateRequest, { path: '/q/x', data: null, acl: open, flags: 0 }));
  const [reply] = h.request(id, OpCode.create, encode(R.CreateRequest, { path: '/q/n-', data: null, acl: open, flags: 2 }));
  assert.ok(reply && 'header' in reply);
  assert.equal(decode(R.CreateResponse, reply.body).path, '/q/n-0000000001');
});

test('an unknown op code is answered UNIMPLEMENTED and closes only that connection', () => {
  const h = harness();
  const a = h.connect();
  const b = h.connect();
  const out = h.request(a.id, 999, new Uint8Array(0));
  assert.ok(out[0] && 'header' in out[0] && out[0].header.err === ErrorCode.UNIMPLEMENTED);
  assert.ok(out[1] && 'close' in out[1]);
  const ok = h.request(b.id, OpCode.exists, encode(R.ExistsRequest, { path: '/', watch: false }));
  assert.ok(ok[0] && 'header' in ok[0] && ok[0].header.err === 0);
});

test('while a write waits for the disk, other connections are still answered and its own connection waits in order', () => {
  const h = harness();
  const a = h.connect();
  const b = h.connect();
  h.request(a.id, OpCode.create, encode(R.CreateRequest, { path: '/n', data: bytes('0'), acl: open, flags: 0 }));
  // A setData from a, not yet durable: hold the log instead of flushing it.
  const frame = (type: number, body: Uint8Array, xid: number) => {
    const w = new JuteWriter();
    w.writeRaw(encode(R.RequestHeader, { xid, type }));
    w.writeRaw(body);
    return w.toBytes();
  };
  h.core.onFrame(a.id, frame(OpCode.setData, encode(R.SetDataRequest, { path: '/n', data: bytes('1'), version: -1 }), 100));
  h.core.onFrame(a.id, frame(OpCode.getData, encode(R.GetDataRequest, { path: '/n', watch: false }), 101));
  h.core.onFrame(b.id, frame(OpCode.getData, encode(R.GetDataRequest, { path: '/n', watch: true }), 200));
  h.core.onFrame(b.id, frame(OpCode.ping, new Uint8Array(0), -2));
  const logged = h.core.takeTxnsToLog();
  assert.equal(logged.length, 1);
  const early = takeFrames(h.core).filter((o) => o.kind === 'send');
  // b's read (the old data) and ping are answered; a's setData and its read behind it are not.
  const xids = early.map((o) => readRecord(new JuteReader(o.kind === 'send' ? o.bytes : new Uint8Array(), 4), R.ReplyHeader).xid);
  assert.deepEqual(xids, [200, -2]);
  const first = early[0]!;
  assert.ok(first.kind === 'send');
  const reader = new JuteReader(first.bytes, 4);
  readRecord(reader, R.ReplyHeader);
  assert.deepEqual(new TextDecoder().decode(readRecord(reader, R.GetDataResponse).data!), '0');
  assert.equal(h.core.outstandingRequests, 2);

  h.core.markDurable(logged[0]!.header.zxid);
  const late = takeFrames(h.core).filter((o) => o.kind === 'send').map((o) => readRecord(new JuteReader(o.kind === 'send' ? o.bytes : new Uint8Array(), 4), R.ReplyHeader).xid);
  // b's watch event first (it was set before the change), then a's replies in a's order.
  assert.deepEqual(late, [-1, 100, 101]);
  assert.equal(h.core.outstandingRequests, 0);
  h.core.invariants();
});
