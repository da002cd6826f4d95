/**
 * Wire fuzz test for the client port: while one well-behaved "healthy" session keeps working, a
 * bounded number of hostile connections send garbage, truncated and oversized frames, bad
 * handshakes, unknown opcodes, absurd vector counts and truncated records. After every batch the
 * server process must still be alive, answer `ruok` with `imok`, and serve the healthy session
 * correctly (its session not expired, its answers right, zxids never going backwards).
 *
 * Runs against zkts by default; `ZKTS_INTEROP_TARGET=zookeeper` runs the same cases against
 * Apache ZooKeeper 3.8 to validate the expectations. `ZKTS_FUZZ_SEED=<n>` replays a run (the seed
 * is always printed); `ZKTS_FUZZ_KINDS=a,b` and `ZKTS_FUZZ_CONNECTIONS=n` narrow it while
 * debugging; `ZKTS_FUZZ_VERBOSE=1` prints how the server reacted to each kind of input.
 *
 * Deliberately self-contained: the tiny wire client below builds frames with src/jute only, so a
 * bug in the project's own client helpers cannot hide a server bug. Every socket has a deadline;
 * the whole run is bounded by `connectionCount` and `fuzzBudgetMs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { JuteError, JuteReader } from '../../src/jute/archive.js';
import { encode, readRecord, type Fields, type RecordOf, type RecordSchema } from '../../src/jute/schema.js';
import { frame } from '../../src/jute/frame-decoder.js';
import {
  ConnectRequest, ConnectResponse, CreateRequest, DeleteRequest, ExistsRequest, GetChildrenRequest, GetDataRequest,
  ReplyHeader, RequestHeader, SetACLRequest, SetDataRequest, SetWatches, Stat, MultiHeader, AuthPacket, CheckVersionRequest,
} from '../../src/jute/records.js';
import { ErrorCode, OpCode } from '../../src/protocol/codes.js';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts, type RunningServer } from '../support/servers.js';

const target: 'zkts' | 'zookeeper' = process.env.ZKTS_INTEROP_TARGET === 'zookeeper' ? 'zookeeper' : 'zkts';
const verbose = process.env.ZKTS_FUZZ_VERBOSE === '1';

/** jute.maxbuffer default (facts §1.1); the server's frame limit. */
const juteMaxBuffer = 0xfffff;
const connectionCount = Number(process.env.ZKTS_FUZZ_CONNECTIONS ?? 300);
assert.ok(Number.isInteger(connectionCount) && connectionCount > 0 && connectionCount <= 2000, 'ZKTS_FUZZ_CONNECTIONS must be 1..2000');
const concurrentConnections = 15; // below ZooKeeper's default maxClientCnxns (60 per address)
const fuzzBudgetMs = 50_000;
/** After sending, how long a connection may stay quiet before we half-close it. */
const quietMs = 250;
/** After our FIN (or once a reply is complete), how long the server has to close. */
const closeWithinMs = 2_000;
const healthyPath = '/fuzz-healthy';
const healthyEphemeralPath = '/fuzz-healthy-ephemeral';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32): the seed is printed so any failure replays.

type Rng = () => number;
function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const intIn = (rng: Rng, low: number, high: number) => low + Math.floor(rng() * (high - low + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const randomBytes = (rng: Rng, count: number) => Uint8Array.from({ length: count }, () => Math.floor(rng() * 256));

// ---------------------------------------------------------------------------------------------
// Tiny wire client.

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
function int32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value);
  return out;
}
function rec<F extends Fields>(schema: RecordSchema<F>, value: RecordOf<F>): Uint8Array {
  return encode(schema, value);
}

/** ConnectRequest + the trailing readOnly byte a 3.8 client sends, framed (facts §1.3). */
function connectFrame(options: { timeOut?: number; sessionId?: bigint; passwd?: Uint8Array; lastZxidSeen?: bigint } = {}): Uint8Array {
  const body = rec(ConnectRequest, {
    protocolVersion: 0,
    lastZxidSeen: options.lastZxidSeen ?? 0n,
    timeOut: options.timeOut ?? 10_000,
    sessionId: options.sessionId ?? 0n,
    passwd: options.passwd ?? new Uint8Array(16),
  });
  return frame(concat([body, Uint8Array.of(0)]));
}

function requestFrame(xid: number, type: number, body: Uint8Array = new Uint8Array()): Uint8Array {
  return frame(concat([rec(RequestHeader, { xid, type }), body]));
}

const openAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

interface Reply {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
  readonly body: JuteReader;
  readonly bodyLength: number;
}
function parseReply(payload: Uint8Array): Reply {
  const reader = new JuteReader(payload);
  const header = readRecord(reader, ReplyHeader);
  return { ...header, body: reader, bodyLength: reader.remaining };
}

/** A socket that collects raw bytes and length-prefixed frames, with deadlines on every wait. */
class RawConnection {
  private buffered = Buffer.alloc(0);
  readonly frames: Uint8Array[] = [];
  received = 0;
  closed = false;
  /** Set when the server sent a length prefix no sane server would send. */
  badFrame: number | undefined;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.badFrame === undefined && this.buffered.length >= 4) {
        const length = this.buffered.readInt32BE(0);
        if (length < 0 || length > 16 * 1024 * 1024) {
          this.badFrame = length;
          break;
        }
        if (this.buffered.length < 4 + length) break;
        this.frames.push(new Uint8Array(this.buffered.subarray(4, 4 + length)));
        this.buffered = this.buffered.subarray(4 + length);
      }
      this.notify();
    });
    // ECONNRESET and EPIPE are normal answers to hostile input: the server may drop us mid-send.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static open(port: number, timeoutMs = 5_000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RawConnection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get rawText(): string {
    return this.buffered.toString('latin1');
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves when `ready()` holds, or with false after `timeoutMs`. */
  async until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }

  /** Waits until no byte has arrived for `quietForMs` (or the socket closed), at most `timeoutMs`. */
  async quiet(quietForMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const before = this.received;
      const changed = await this.until(() => this.closed || this.received !== before, Math.min(quietForMs, deadline - Date.now()));
      if (!changed || this.closed || Date.now() >= deadline) return;
    }
  }

  async nextFrame(timeoutMs: number, what: string): Promise<Uint8Array> {
    const ok = await this.until(() => this.frames.length > 0 || this.closed || this.badFrame !== undefined, timeoutMs);
    const next = this.frames.shift();
    if (next !== undefined) return next;
    throw new Error(`${what}: ${ok ? (this.closed ? 'connection closed' : `bad frame length ${this.badFrame}`) : `no reply within ${timeoutMs} ms`}`);
  }

  send(bytes: Uint8Array): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A well-behaved session that must survive the fuzzing untouched. */
class HealthySession {
  private xid = 1;
  private lastZxid = 0n;
  private version = 0;
  private data = new Uint8Array();

  private constructor(
    private connection: RawConnection,
    readonly sessionId: bigint,
    readonly passwd: Uint8Array,
    readonly timeOut: number,
  ) {}

  /**
   * Apache ZooKeeper answers `ruok` before its ZooKeeperServer is running and closes handshakes
   * until then, so a closed first attempt is retried for a bounded time.
   */
  static async open(port: number, timeoutMs = 15_000): Promise<HealthySession> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const connection = await RawConnection.open(port);
      connection.send(connectFrame({ timeOut: 30_000 }));
      try {
        return await HealthySession.finishHandshake(connection);
      } catch (error) {
        connection.destroy();
        if (!connection.closed || Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private static async finishHandshake(connection: RawConnection): Promise<HealthySession> {
    const payload = await connection.nextFrame(5_000, 'healthy handshake');
    const response = readRecord(new JuteReader(payload), ConnectResponse);
    assert.notEqual(response.sessionId, 0n, 'the healthy session was refused');
    assert.ok(response.timeOut > 0);
    return new HealthySession(connection, response.sessionId, response.passwd ?? new Uint8Array(), response.timeOut);
  }

  async call(type: number, body: Uint8Array = new Uint8Array(), xid = this.xid++): Promise<Reply> {
    this.connection.send(requestFrame(xid, type, body));
    for (;;) {
      const reply = parseReply(await this.connection.nextFrame(5_000, `healthy session op ${type}`));
      if (reply.xid === -1) continue; // a watch notification; we set none, but tolerate them
      assert.equal(reply.xid, xid, `healthy session: reply out of order for op ${type}`);
      assert.ok(reply.zxid >= this.lastZxid, `healthy session: zxid went backwards (${reply.zxid} < ${this.lastZxid})`);
      this.lastZxid = reply.zxid;
      return reply;
    }
  }

  async setUp(): Promise<void> {
    for (const [path, flags] of [[healthyPath, 0], [healthyEphemeralPath, 1]] as const) {
      const created = await this.call(OpCode.create, rec(CreateRequest, { path, data: this.data, acl: openAcl, flags }));
      assert.equal(created.err, ErrorCode.OK, `create ${path}`);
    }
  }

  /** Ping, read back the last write, write a new value, and check the ephemeral is still ours. */
  async check(round: number): Promise<void> {
    const ping = await this.call(OpCode.ping, undefined, -2);
    assert.equal(ping.err, ErrorCode.OK);

    const read = await this.call(OpCode.getData, rec(GetDataRequest, { path: healthyPath, watch: false }));
    assert.equal(read.err, ErrorCode.OK, 'healthy getData');
    const data = read.body.readBuffer() ?? new Uint8Array();
    const stat = readRecord(read.body, Stat);
    assert.deepEqual(Buffer.from(data), Buffer.from(this.data), `healthy data after round ${round}`);
    assert.equal(stat.version, this.version);
    assert.equal(stat.dataLength, this.data.length);

    const next = new TextEncoder().encode(`round ${round}`);
    const write = await this.call(OpCode.setData, rec(SetDataRequest, { path: healthyPath, data: next, version: this.version }));
    assert.equal(write.err, ErrorCode.OK, 'healthy setData');
    assert.equal(readRecord(write.body, Stat).version, this.version + 1);
    this.version += 1;
    this.data = next;

    const exists = await this.call(OpCode.exists, rec(ExistsRequest, { path: healthyEphemeralPath, watch: false }));
    assert.equal(exists.err, ErrorCode.OK, 'the healthy ephemeral vanished: was the session expired?');
    assert.equal(readRecord(exists.body, Stat).ephemeralOwner, this.sessionId);

    const missing = await this.call(OpCode.exists, rec(ExistsRequest, { path: '/fuzz-no-such-node', watch: false }));
    assert.equal(missing.err, ErrorCode.NONODE);
    assert.equal(missing.bodyLength, 0);
  }

  /** Whether the server has closed this session's current connection. */
  get disconnected(): boolean {
    return this.connection.closed;
  }

  /** Reconnects with the session's id and password, as a real client would; the session must survive. */
  async reconnect(port: number): Promise<void> {
    this.connection.destroy();
    this.connection = await RawConnection.open(port);
    this.connection.send(connectFrame({ timeOut: 30_000, sessionId: this.sessionId, passwd: this.passwd, lastZxidSeen: this.lastZxid }));
    const response = readRecord(new JuteReader(await this.connection.nextFrame(5_000, 'healthy reconnect')), ConnectResponse);
    assert.equal(response.sessionId, this.sessionId, 'the healthy session was expired instead of reopened');
    assert.ok(response.timeOut > 0);
  }

  close(): void {
    this.connection.destroy();
  }
}

async function fourLetterWord(port: number, word: string): Promise<string> {
  const connection = await RawConnection.open(port);
  try {
    connection.send(new TextEncoder().encode(word));
    const closed = await connection.until(() => connection.closed, 5_000);
    assert.ok(closed, `${word}: the server did not close after answering`);
    return connection.rawText;
  } finally {
    connection.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs. Each case says what it sends and, where ZooKeeper's answer is a documented fact,
// what must come back; everything else is only required not to hurt the server or other sessions.

interface Outcome {
  /** Frames received, the ConnectResponse first when the case shook hands. */
  readonly frames: Uint8Array[];
  /** The server closed before we half-closed our side. */
  readonly closedByServer: boolean;
  /** The server closed at all (before or after our FIN) within the deadline. */
  readonly closed: boolean;
  readonly badFrame: number | undefined;
}

interface FuzzCase {
  readonly kind: string;
  /**
   * raw: the chunks are sent on a fresh connection; own-handshake: the chunks start with their own
   * ConnectRequest, so frame 0 is its response; session: the runner first establishes a session
   * (sends a ConnectRequest and waits for the ConnectResponse), then sends the chunks.
   */
  readonly opens: 'raw' | 'own-handshake' | 'session';
  readonly chunks: readonly Uint8Array[];
  /** Extra time to wait for a reply before half-closing (for cases that expect one). */
  readonly expectReply?: boolean;
  /** The server must hang up by itself: wait for that (bounded) instead of for a quiet spell. */
  readonly expectClose?: boolean;
  /** Presents the healthy session's id, which may cost the healthy client its connection. */
  readonly mayDisconnectHealthy?: boolean;
  readonly check?: (outcome: Outcome) => void;
}

const handshake = () => connectFrame({ timeOut: 4_000 });

function replies(outcome: Outcome): Reply[] {
  return outcome.frames.slice(1).map(parseReply);
}

/** The ConnectResponse in frame 0, or undefined if there is none or it does not parse. */
function connectResponse(outcome: Outcome): RecordOf<typeof ConnectResponse.fields> | undefined {
  const first = outcome.frames[0];
  if (first === undefined) return undefined;
  try {
    return readRecord(new JuteReader(first), ConnectResponse);
  } catch (error) {
    if (error instanceof JuteError) return undefined;
    throw error;
  }
}

/** One reply, MARSHALLINGERROR with no body, and the connection left open. */
function assertMarshallingError(outcome: Outcome, xid: number): void {
  const answers = replies(outcome);
  assert.deepEqual(answers.map((reply) => [reply.xid, reply.err, reply.bodyLength]), [[xid, ErrorCode.MARSHALLINGERROR, 0]]);
  assert.ok(!outcome.closedByServer, 'MARSHALLINGERROR does not end the connection');
}

function assertConnected(outcome: Outcome, kind: string): void {
  const response = connectResponse(outcome);
  assert.ok(response !== undefined, `${kind}: no ConnectResponse`);
  assert.notEqual(response.sessionId, 0n, `${kind}: session refused`);
}

/** Valid request bodies of known ops, used to build truncated and corrupted variants. */
function validRequests(rng: Rng): { type: number; body: Uint8Array }[] {
  const path = `/fuzz-${intIn(rng, 0, 9)}`;
  return [
    { type: OpCode.create, body: rec(CreateRequest, { path, data: randomBytes(rng, 8), acl: openAcl, flags: 0 }) },
    { type: OpCode.create2, body: rec(CreateRequest, { path, data: null, acl: openAcl, flags: 1 }) },
    { type: OpCode.delete, body: rec(DeleteRequest, { path, version: -1 }) },
    { type: OpCode.exists, body: rec(ExistsRequest, { path, watch: true }) },
    { type: OpCode.getData, body: rec(GetDataRequest, { path: healthyPath, watch: false }) },
    { type: OpCode.setData, body: rec(SetDataRequest, { path, data: randomBytes(rng, 4), version: -1 }) },
    { type: OpCode.getChildren, body: rec(GetChildrenRequest, { path: '/', watch: false }) },
    { type: OpCode.setACL, body: rec(SetACLRequest, { path, acl: openAcl, version: -1 }) },
    { type: OpCode.setWatches, body: rec(SetWatches, { relativeZxid: 0n, dataWatches: [path], existWatches: [], childWatches: ['/'] }) },
    { type: OpCode.auth, body: rec(AuthPacket, { type: 0, scheme: 'digest', auth: new TextEncoder().encode('u:p') }) },
    {
      type: OpCode.multi,
      body: concat([
        rec(MultiHeader, { type: OpCode.check, done: false, err: -1 }),
        rec(CheckVersionRequest, { path: '/', version: -1 }),
        rec(MultiHeader, { type: -1, done: true, err: -1 }),
      ]),
    },
  ];
}

/** The xid ZooKeeper requires for a given op (auth and setWatches use fixed xids). */
const xidFor = (type: number) => (type === OpCode.auth ? -4 : type === OpCode.setWatches ? -8 : 1);

const knownOpcodes: ReadonlySet<number> = new Set(Object.values(OpCode));

interface Context {
  readonly rng: Rng;
  readonly healthy: HealthySession;
}

const generators: Record<string, (context: Context) => FuzzCase> = {
  garbage: ({ rng }) => ({ kind: 'garbage', opens: 'raw', chunks: [randomBytes(rng, intIn(rng, 1, 200))] }),

  'truncated-handshake': ({ rng }) => {
    const full = handshake();
    return {
      kind: 'truncated-handshake',
      opens: 'raw',
      chunks: [full.subarray(0, intIn(rng, 1, full.length - 1))],
      check: (outcome) => assert.equal(outcome.frames.length, 0, 'no answer to half a ConnectRequest'),
    };
  },

  'oversized-length': ({ rng }) => {
    // LIVE 3.8.0: the client port refuses any length above jute.maxbuffer itself (0x100000 is
    // refused, 0xfffff is awaited); the read slack of facts §1.1 does not apply to framing.
    const length = rng() < 0.2 ? juteMaxBuffer + 1 : intIn(rng, juteMaxBuffer + 1, 0x7fffffff);
    const afterHandshake = rng() < 0.5;
    return {
      kind: `oversized-length-${afterHandshake ? 'in-session' : 'first-frame'}`,
      opens: afterHandshake ? 'session' : 'raw',
      chunks: [int32(length), randomBytes(rng, intIn(rng, 0, 64))],
      expectClose: true,
      check: (outcome) => {
        assert.ok(outcome.closedByServer, `length ${length} must close the connection`);
        assert.equal(outcome.frames.length, afterHandshake ? 1 : 0, 'no reply to an oversized frame');
      },
    };
  },

  'negative-length': ({ rng }) => {
    const length = rng() < 0.3 ? -1 : intIn(rng, -0x80000000, -1);
    const afterHandshake = rng() < 0.5;
    return {
      kind: `negative-length-${afterHandshake ? 'in-session' : 'first-frame'}`,
      opens: afterHandshake ? 'session' : 'raw',
      chunks: [int32(length), randomBytes(rng, intIn(rng, 0, 16))],
      expectClose: true,
      check: (outcome) => {
        assert.ok(outcome.closedByServer, `length ${length} must close the connection`);
        assert.equal(outcome.frames.length, afterHandshake ? 1 : 0, 'no reply to a negative length');
      },
    };
  },

  'garbage-handshake': ({ rng }) => ({
    kind: 'garbage-handshake',
    opens: 'raw',
    chunks: [frame(randomBytes(rng, intIn(rng, 0, 60)))],
    expectReply: true,
  }),

  'max-size-frame': ({ rng }) => {
    // A frame of exactly jute.maxbuffer bytes is accepted and answered: setData on a missing node.
    const xid = intIn(rng, 1, 1000);
    const path = `/fuzz-absent-big-${intIn(rng, 0, 1e6)}`;
    const overhead = 8 + 4 + path.length + 4 + 4; // header, path, data length, version
    const request = requestFrame(xid, OpCode.setData, rec(SetDataRequest, { path, data: new Uint8Array(juteMaxBuffer - overhead), version: -1 }));
    assert.equal(request.length, 4 + juteMaxBuffer);
    return {
      kind: 'max-size-frame',
      opens: 'session',
      chunks: [request],
      expectReply: true,
      check: (outcome) => {
        assert.deepEqual(replies(outcome).map((reply) => [reply.xid, reply.err]), [[xid, ErrorCode.NONODE]]);
        assert.ok(!outcome.closedByServer, 'a frame of exactly jute.maxbuffer bytes is legal');
      },
    };
  },

  'bad-handshake-fields': ({ rng }) => {
    const variants: [string, Uint8Array][] = [
      // A session id nobody owns, with a random password.
      ['unknown-session', connectFrame({ sessionId: BigInt(intIn(rng, 2, 0x7fffffff)) * 7919n, passwd: randomBytes(rng, 16) })],
      // A timeout of zero, negative or huge is clamped, not fatal.
      ['odd-timeout', connectFrame({ timeOut: pick(rng, [0, -1, -0x80000000, 0x7fffffff]) })],
      // A client that has seen the future: ZooKeeper refuses it.
      ['future-zxid', connectFrame({ lastZxidSeen: 0x7fffffff00000000n })],
      // A password length that runs past the end of the frame.
      ['passwd-overrun', frame(concat([
        rec(ConnectRequest, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 4000, sessionId: 0n, passwd: null }).subarray(0, 24),
        int32(intIn(rng, 17, 0x7fffffff)),
        new Uint8Array(16),
      ]))],
    ];
    const [name, bytes] = pick(rng, variants);
    const checks: Record<string, (outcome: Outcome) => void> = {
      'unknown-session': (outcome) => {
        // Facts §1.3: timeOut 0, sessionId 0, then the server closes.
        const response = connectResponse(outcome);
        assert.ok(response !== undefined, 'no ConnectResponse');
        assert.deepEqual([response.timeOut, response.sessionId], [0, 0n]);
        assert.ok(outcome.closedByServer);
      },
      'odd-timeout': (outcome) => {
        // Clamped to [2, 20] × tickTime (2000 ms here), facts §2.1.
        const response = connectResponse(outcome);
        assert.ok(response !== undefined && response.sessionId !== 0n, 'session refused');
        assert.ok(response.timeOut >= 4000 && response.timeOut <= 40000, `timeOut ${response.timeOut} not clamped`);
        assert.ok(!outcome.closedByServer);
      },
      'future-zxid': (outcome) => {
        assert.equal(outcome.frames.length, 0, 'a client ahead of the server gets no session');
        assert.ok(outcome.closedByServer);
      },
      'passwd-overrun': (outcome) => {
        assert.equal(outcome.frames.length, 0, 'an unparseable ConnectRequest gets no answer');
        assert.ok(outcome.closedByServer);
      },
    };
    return {
      kind: `bad-handshake-${name}`,
      opens: 'own-handshake',
      chunks: [bytes],
      expectReply: true,
      expectClose: name !== 'odd-timeout',
      check: checks[name],
    };
  },

  'zero-length-frame': ({ rng }) => {
    const afterHandshake = rng() < 0.5;
    return {
      kind: `zero-length-frame-${afterHandshake ? 'in-session' : 'first-frame'}`,
      opens: afterHandshake ? 'session' : 'raw',
      chunks: [int32(0)],
      expectClose: true,
      check: (outcome) => {
        // No RequestHeader (or ConnectRequest) fits in zero bytes: ZooKeeper hangs up, no reply.
        assert.ok(outcome.closedByServer, 'a zero-length frame must close the connection');
        assert.equal(outcome.frames.length, afterHandshake ? 1 : 0);
      },
    };
  },

  'garbage-body': ({ rng }) => ({
    kind: 'garbage-body',
    opens: 'session',
    chunks: [frame(randomBytes(rng, intIn(rng, 8, 120)))],
    expectReply: true,
  }),

  'short-header': ({ rng }) => ({
    kind: 'short-header',
    opens: 'session',
    chunks: [frame(randomBytes(rng, intIn(rng, 1, 7)))],
    expectClose: true,
    check: (outcome) => {
      assert.ok(outcome.closedByServer, 'a frame too short for a RequestHeader must close the connection');
      assert.equal(outcome.frames.length, 1, 'no reply without an xid to answer');
    },
  }),

  'unknown-opcode': ({ rng }) => {
    let type: number;
    do {
      type = pick(rng, [10, 23, 99, 108, 500, 999, 0x7fffffff, intIn(rng, 23, 99), intIn(rng, 108, 100_000)]);
    } while (knownOpcodes.has(type));
    const xid = intIn(rng, 1, 1_000_000);
    return {
      kind: 'unknown-opcode',
      opens: 'session',
      chunks: [requestFrame(xid, type, randomBytes(rng, intIn(rng, 0, 32)))],
      expectClose: true,
      check: (outcome) => {
        // Facts §1.5 (LIVE 3.8.0): err -6 UNIMPLEMENTED, then the server closes the connection.
        assertConnected(outcome, `opcode ${type}`);
        const answers = replies(outcome);
        assert.equal(answers.length, 1, `opcode ${type}: exactly one reply`);
        assert.equal(answers[0]!.xid, xid);
        assert.equal(answers[0]!.err, ErrorCode.UNIMPLEMENTED, `opcode ${type}`);
        assert.equal(answers[0]!.bodyLength, 0);
        assert.ok(outcome.closedByServer, `opcode ${type}: the server closes after UNIMPLEMENTED`);
      },
    };
  },

  'huge-vector-count': ({ rng }) => {
    const count = pick(rng, [0x7fffffff, 0x10000000, 1_000_000, intIn(rng, 1000, 0x7fffffff)]);
    const pathBytes = rec(GetDataRequest, { path: '/fuzz-vector', watch: false }).subarray(0, 4 + '/fuzz-vector'.length);
    const variants: [number, Uint8Array][] = [
      // CreateRequest{path, data=null, acl=<count>, ...}
      [OpCode.create, concat([pathBytes, int32(-1), int32(count), int32(0)])],
      // SetACLRequest{path, acl=<count>, version}
      [OpCode.setACL, concat([pathBytes, int32(count), int32(-1)])],
      // SetWatches{relativeZxid, dataWatches=<count>, ...}
      [OpCode.setWatches, concat([new Uint8Array(8), int32(count), int32(0), int32(0)])],
      // multi whose first op is a create with a huge acl count
      [OpCode.multi, concat([rec(MultiHeader, { type: OpCode.create, done: false, err: -1 }), pathBytes, int32(-1), int32(count), int32(0)])],
    ];
    const [type, body] = pick(rng, variants);
    return {
      kind: `huge-vector-count-${opNameOf(type)}`,
      opens: 'session',
      chunks: [requestFrame(xidFor(type), type, body)],
      expectReply: true,
      check: (outcome) => assertMarshallingError(outcome, xidFor(type)),
    };
  },

  'truncated-record': ({ rng }) => {
    const { type, body } = pick(rng, validRequests(rng));
    const cut = intIn(rng, 0, body.length - 1);
    return {
      kind: `truncated-record-${opNameOf(type)}`,
      opens: 'session',
      chunks: [requestFrame(xidFor(type), type, body.subarray(0, cut))],
      expectReply: true,
      expectClose: type === OpCode.auth,
      // An AuthPacket is decoded as it arrives and a bad one ends the connection; every other
      // request is decoded in the pipeline and answered MARSHALLINGERROR (LIVE 3.8.0).
      check: type === OpCode.auth
        ? (outcome) => {
            assert.ok(outcome.closedByServer, 'a truncated AuthPacket closes the connection');
            assert.equal(outcome.frames.length, 1);
          }
        : (outcome) => assertMarshallingError(outcome, xidFor(type)),
    };
  },

  'corrupted-record': ({ rng }) => {
    const { type, body } = pick(rng, validRequests(rng));
    const corrupted = body.slice();
    for (let i = intIn(rng, 1, 4); i > 0; i--) corrupted[intIn(rng, 0, corrupted.length - 1)] = intIn(rng, 0, 255);
    return {
      kind: `corrupted-record-${opNameOf(type)}`,
      opens: 'session',
      chunks: [requestFrame(xidFor(type), type, corrupted)],
      expectReply: true,
    };
  },

  'truncated-frame': ({ rng }) => {
    const { type, body } = pick(rng, validRequests(rng));
    const whole = requestFrame(xidFor(type), type, body);
    return {
      kind: 'truncated-frame',
      opens: 'session',
      chunks: [whole.subarray(0, intIn(rng, 1, whole.length - 1))],
      check: (outcome) => assert.equal(outcome.frames.length, 1, 'no answer to an incomplete frame'),
    };
  },

  'pipelined-garbage': ({ rng }) => {
    // The handshake and hostile bytes in one write, before the session exists. Nothing is asked of
    // the answer (ZooKeeper may or may not send the ConnectResponse before it hangs up).
    const hostile = pick(rng, [
      () => frame(randomBytes(rng, intIn(rng, 0, 40))),
      () => int32(intIn(rng, -0x80000000, -1)),
      () => int32(intIn(rng, 2 * juteMaxBuffer + 2, 0x7fffffff)),
      () => requestFrame(1, intIn(rng, 23, 99), new Uint8Array()),
    ])();
    return { kind: 'pipelined-garbage', opens: 'own-handshake', chunks: [handshake(), hostile], expectReply: true };
  },

  'request-before-handshake': ({ rng }) => {
    const { type, body } = pick(rng, validRequests(rng));
    return { kind: 'request-before-handshake', opens: 'raw', chunks: [requestFrame(xidFor(type), type, body)], expectReply: true };
  },

  'wrong-password-for-healthy': ({ healthy }) => ({
    kind: 'wrong-password-for-healthy',
    opens: 'own-handshake',
    chunks: [connectFrame({ sessionId: healthy.sessionId, passwd: healthy.passwd.map((byte) => byte ^ 0xff) })],
    expectClose: true,
    // May disconnect (never expire) the healthy session: ZooKeeper 3.8 closes the connection that
    // holds a session id before it checks the password of the newcomer presenting that id.
    mayDisconnectHealthy: true,
    check: (outcome) => {
      // Facts §1.3: an invalid reconnect gets timeOut 0 and sessionId 0, then the server closes.
      // ZooKeeper sometimes closes without that response (when two such newcomers race, the
      // second one's close-the-holder step closes the first), so both are accepted.
      assert.ok(outcome.closedByServer, 'a wrong password must end the connection');
      assert.ok(outcome.frames.length <= 1);
      if (outcome.frames.length === 1) {
        const response = connectResponse(outcome);
        assert.ok(response !== undefined, 'unparseable ConnectResponse');
        assert.equal(response.timeOut, 0);
        assert.equal(response.sessionId, 0n);
      }
    },
  }),

  'split-valid': ({ rng }) => {
    // A correct conversation sent one byte at a time must get correct answers.
    const stream = concat([
      handshake(),
      requestFrame(1, OpCode.exists, rec(ExistsRequest, { path: '/', watch: false })),
      requestFrame(2, OpCode.getChildren, rec(GetChildrenRequest, { path: '/', watch: false })),
      requestFrame(3, OpCode.exists, rec(ExistsRequest, { path: `/fuzz-absent-${intIn(rng, 0, 1e9)}`, watch: false })),
    ]);
    return {
      kind: 'split-valid',
      opens: 'own-handshake',
      chunks: [...stream].map((byte) => Uint8Array.of(byte)),
      expectReply: true,
      check: (outcome) => {
        assertConnected(outcome, 'split-valid');
        const answers = replies(outcome);
        assert.deepEqual(answers.map((reply) => reply.xid), [1, 2, 3]);
        assert.deepEqual(answers.map((reply) => reply.err), [ErrorCode.OK, ErrorCode.OK, ErrorCode.NONODE]);
        assert.ok(!outcome.closedByServer, 'a valid conversation must not be closed');
      },
    };
  },
};

function opNameOf(type: number): string {
  return Object.entries(OpCode).find(([, code]) => code === type)?.[0] ?? String(type);
}

async function runCase(port: number, fuzzCase: FuzzCase): Promise<Outcome> {
  const connection = await RawConnection.open(port);
  try {
    if (fuzzCase.opens === 'session') {
      connection.send(handshake());
      // Wait for the ConnectResponse so the hostile bytes land in an established session: sent in
      // the same segment, ZooKeeper often hangs up before it has answered the handshake.
      await connection.until(() => connection.frames.length > 0 || connection.closed, 5_000);
    }
    for (const chunk of fuzzCase.chunks) connection.send(chunk);
    // Give the server time to answer or hang up, then half-close; a healthy server closes on EOF.
    if (fuzzCase.expectClose === true) await connection.until(() => connection.closed, closeWithinMs);
    else await connection.quiet(fuzzCase.expectReply === true ? quietMs * 2 : quietMs, closeWithinMs);
    const closedByServer = connection.closed;
    if (!closedByServer) connection.socket.end();
    const closed = await connection.until(() => connection.closed, closeWithinMs);
    return { frames: connection.frames, closedByServer, closed, badFrame: connection.badFrame };
  } finally {
    connection.destroy();
  }
}

function describe(outcome: Outcome, handshook: boolean): string {
  const answers = handshook
    ? outcome.frames.slice(1).map((payload) => (payload.length >= 16 ? `err ${parseReply(payload).err}` : `${payload.length}-byte frame`))
    : [];
  const response = connectResponse(outcome);
  const connectPart = handshook
    ? response === undefined
      ? 'no ConnectResponse'
      : `session ${response.sessionId === 0n ? 'refused' : 'ok'}`
    : `${outcome.frames.length} frames`;
  const closing = outcome.closedByServer ? 'server closed' : outcome.closed ? 'closed after our FIN' : 'still open';
  return [connectPart, ...answers, closing].join(', ');
}

test(`the ${target} server survives hostile clients and keeps serving a healthy session`, { timeout: 150_000 }, async (t) => {
  if (target === 'zookeeper' && !apacheZooKeeperAvailable()) {
    t.skip('Apache ZooKeeper is not installed');
    return;
  }
  const seed = process.env.ZKTS_FUZZ_SEED === undefined ? (Date.now() % 0x7fffffff) : Number(process.env.ZKTS_FUZZ_SEED);
  console.log(`fuzz: target ${target}, seed ${seed} (replay with ZKTS_FUZZ_SEED=${seed})`);
  const rng = mulberry32(seed);
  const server: RunningServer = target === 'zookeeper' ? await startApacheZooKeeper() : await startZkts();
  let healthy: HealthySession | undefined;
  const seen = new Map<string, Map<string, number>>();
  let failed = false;
  // Last line of defence against a hang: every wait above has its own deadline, so this only
  // fires on a bug in this file, and it prints the seed and the server output before exiting.
  const watchdog = setTimeout(() => {
    console.log(`fuzz: watchdog fired (seed ${seed}); server output:\n${server.output().slice(-4000)}`);
    process.exit(1);
  }, 140_000);
  watchdog.unref();
  /** Why every connection may have failed at once: the server is gone. */
  const serverDied = async () => {
    const exited = () => server.process.exitCode !== null || server.process.signalCode !== null;
    // The exit event can trail the sockets' close events by a moment.
    for (let i = 0; i < 20 && !exited(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return exited()
      ? `\n(the server exited: code ${server.process.exitCode}, signal ${server.process.signalCode}; output:\n${server.output().slice(-4000)})`
      : '';
  };
  try {
    healthy = await HealthySession.open(server.port);
    await healthy.setUp();
    await healthy.check(0);
    const started = Date.now();
    // ZKTS_FUZZ_KINDS=a,b narrows the run to some kinds while debugging.
    const kinds = process.env.ZKTS_FUZZ_KINDS?.split(',') ?? Object.keys(generators);
    for (const kind of kinds) assert.ok(kind in generators, `unknown fuzz kind ${kind}`);
    let sent = 0;
    let disconnects = 0;
    for (let round = 1; sent < connectionCount; round++) {
      assert.ok(Date.now() - started < fuzzBudgetMs, `fuzzing exceeded ${fuzzBudgetMs} ms after ${sent} connections`);
      const batch: FuzzCase[] = [];
      for (let i = 0; i < concurrentConnections && sent < connectionCount; i++, sent++) {
        // Every kind at least once, in order, then random kinds.
        const kind = sent < kinds.length ? kinds[sent]! : pick(rng, kinds);
        const fuzzCase = generators[kind]!({ rng, healthy });
        batch.push(fuzzCase);
      }
      const outcomes = await Promise.all(batch.map((fuzzCase) => runCase(server.port, fuzzCase)));
      for (const [index, fuzzCase] of batch.entries()) {
        const outcome = outcomes[index]!;
        const summary = describe(outcome, fuzzCase.opens !== 'raw');
        const byKind = seen.get(fuzzCase.kind) ?? new Map<string, number>();
        byKind.set(summary, (byKind.get(summary) ?? 0) + 1);
        seen.set(fuzzCase.kind, byKind);
        assert.equal(outcome.badFrame, undefined, `${fuzzCase.kind}: the server sent a frame with length ${outcome.badFrame}`);
        assert.ok(outcome.closed, `${fuzzCase.kind}: the server kept the connection open after our FIN (${summary})`);
        try {
          if (fuzzCase.opens === 'session') assertConnected(outcome, fuzzCase.kind);
          fuzzCase.check?.(outcome);
        } catch (error) {
          throw new Error(`seed ${seed}, round ${round}, case ${fuzzCase.kind}: ${summary}: ${error instanceof Error ? error.message : String(error)}${await serverDied()}`, { cause: error });
        }
      }
      assert.equal(server.process.exitCode, null, `the server exited after round ${round}:\n${server.output().slice(-4000)}`);
      assert.equal(server.process.signalCode, null);
      assert.equal(await fourLetterWord(server.port, 'ruok'), 'imok', `ruok after round ${round}`);
      if (batch.some((fuzzCase) => fuzzCase.mayDisconnectHealthy === true)) {
        // Its connection may be gone, or about to go (the close can trail the batch): start afresh
        // on the same session, which must not have expired. Otherwise a lost connection fails check().
        if (healthy.disconnected) disconnects += 1;
        await healthy.reconnect(server.port);
      }
      await healthy.check(round);
    }
    console.log(`fuzz: ${sent} connections in ${Date.now() - started} ms; the healthy client was disconnected ${disconnects} times by wrong-password logins`);

    // The healthy session is still the owner of its ephemeral when seen from a brand new session.
    const observer = await HealthySession.open(server.port);
    try {
      const exists = await observer.call(OpCode.exists, rec(ExistsRequest, { path: healthyEphemeralPath, watch: false }));
      assert.equal(exists.err, ErrorCode.OK);
      assert.equal(readRecord(exists.body, Stat).ephemeralOwner, healthy.sessionId);
    } finally {
      observer.close();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    clearTimeout(watchdog);
    if (verbose || failed) {
      for (const [kind, summaries] of [...seen].sort()) {
        for (const [summary, count] of summaries) console.log(`fuzz: ${kind.padEnd(40)} ${String(count).padStart(3)}× ${summary}`);
      }
    }
    healthy?.close();
    await server.stop();
  }
});
