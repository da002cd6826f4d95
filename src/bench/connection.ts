/**
 * One bench session: a TCP connection to a server, the ZooKeeper handshake, and a cheap path
 * for replies. Each socket chunk is stamped once with the time it arrived (`receivedAtMs`),
 * scanned in place for replies, and then the driver is told the chunk is done, so it can send
 * all the requests the chunk made room for in one write.
 *
 * Two ways to send: `call` (a promise per request, for setup and cleanup) and a `driver` that
 * takes every reply on the hot path; a connection has at most one of the two in use at a time.
 * Not here: what to send (bench/runner.ts). Invariants: non-special replies come back in xid
 * order (the server answers a session's requests in order); a reply to a `call` that does not
 * match the oldest pending xid is a protocol error that ends the connection.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { JuteReader, JuteWriter } from '../jute/archive.js';
import { ConnectRequest, ConnectResponse } from '../jute/records.js';
import { readRecord, writeRecord, type Fields, type RecordOf, type RecordSchema } from '../jute/schema.js';
import { ErrorCode, OpCode, Xid } from '../protocol/codes.js';
import { ReplyScanner, type ReplySink } from './core/reply-scanner.js';
import { encodeFrame, RequestTemplate } from './core/request-template.js';
import type { ServerAddress } from './core/options.js';

/** Replies larger than this end the connection; ZooKeeper's client refuses frames over jute.maxbuffer too. */
export const replyFrameBytesMax = 16 * 1024 * 1024;
export const connectTimeoutMsDefault = 10_000;
/** How long close() waits for the closeSession reply and then for the socket to close. */
export const closeTimeoutMs = 5000;

/** What a driver on the hot path sees. */
export interface ConnectionDriver extends ReplySink {
  /** All replies of a chunk have been passed to onReply. */
  onChunkEnd(): void;
  /** A watch notification (xid -1) with the event type from its WatcherEvent. */
  onNotification?(eventType: number): void;
}

export interface CallReply {
  readonly err: number;
  /** The reply body, copied. */
  readonly body: Uint8Array;
}

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

interface PendingCall {
  readonly xid: number;
  resolve(reply: CallReply): void;
  reject(error: Error): void;
}

const pingFrame = RequestTemplate.bodiless(OpCode.ping);

export class BenchConnection implements ReplySink {
  /** When the chunk being scanned arrived (performance.now() milliseconds). */
  receivedAtMs = 0;
  /** When anything was last written, for keep-alive pings. */
  lastWriteMs = 0;
  driver: ConnectionDriver | undefined;
  /** Resolves once the socket has closed, whatever the reason. */
  readonly closed: Promise<void>;
  private readonly scanner = new ReplyScanner(replyFrameBytesMax);
  private readonly pending: PendingCall[] = [];
  private nextXid = 1;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket, readonly sessionId: bigint, readonly address: ServerAddress, rest: Uint8Array) {
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.fail(this.failure ?? new ConnectionError(`connection to ${address.host}:${address.port} closed`));
      resolve();
    }));
    socket.on('error', (error) => { this.failure ??= new ConnectionError(`${address.host}:${address.port}: ${error.message}`); });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (rest.length > 0) this.onData(rest);
  }

  /** Opens a TCP connection and a new session; rejects if that takes longer than `connectTimeoutMs`. */
  static open(address: ServerAddress, sessionTimeoutMs: number, connectTimeoutMs = connectTimeoutMsDefault): Promise<BenchConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: address.host, port: address.port });
      socket.setNoDelay(true);
      let buffered = new Uint8Array(0);
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ConnectionError(`${address.host}:${address.port}: ${message}`));
      };
      const timer = setTimeout(() => fail(`no ConnectResponse within ${connectTimeoutMs} ms`), connectTimeoutMs);
      const onData = (chunk: Buffer) => {
        const joined = new Uint8Array(buffered.length + chunk.length);
        joined.set(buffered, 0);
        joined.set(chunk, buffered.length);
        buffered = joined;
        if (buffered.length < 4) return;
        const length = new DataView(buffered.buffer, buffered.byteOffset).getInt32(0);
        if (length < 0 || length > replyFrameBytesMax) return fail(`bad ConnectResponse length ${length}`);
        if (buffered.length < 4 + length) return;
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        clearTimeout(timer);
        let sessionId: bigint;
        try {
          sessionId = readRecord(new JuteReader(buffered, 4, 4 + length), ConnectResponse).sessionId;
        } catch (error) {
          return fail(`undecodable ConnectResponse: ${(error as Error).message}`);
        }
        // A server that refuses the session (e.g. it is not serving yet) answers sessionId 0 and closes.
        if (sessionId === 0n) return fail('session refused (ConnectResponse sessionId 0)');
        resolve(new BenchConnection(socket, sessionId, address, buffered.subarray(4 + length)));
      };
      const onError = (error: Error) => fail(error.message);
      const onClose = () => fail('connection closed during the handshake');
      socket.on('data', onData);
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once('connect', () => {
        const writer = new JuteWriter();
        writer.writeInt(0);
        writeRecord(writer, ConnectRequest, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: sessionTimeoutMs, sessionId: 0n, passwd: new Uint8Array(16) });
        writer.writeBoolean(false); // readOnly: every 3.4+ client sends it
        writer.patchInt(0, writer.length - 4);
        socket.write(writer.toBytes());
      });
    });
  }

  get isOpen(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  /** Why the connection failed, if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** The xid for the next request; drivers take theirs from here too, so xids never repeat. */
  takeXid(): number {
    return this.nextXid++;
  }

  write(bytes: Uint8Array): void {
    this.lastWriteMs = performance.now();
    this.socket.write(bytes);
  }

  ping(): void {
    const frame = new Uint8Array(pingFrame.length);
    pingFrame.writeTo(frame, 0, Xid.ping);
    this.write(frame);
  }

  /** One request with a promise for its reply (setup and cleanup, not the measured path). */
  call<F extends Fields>(opCode: number, schema: RecordSchema<F> | undefined, body: RecordOf<F> | undefined): Promise<CallReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const xid = this.takeXid();
    const frame = encodeFrame(opCode, xid, (writer) => { if (schema !== undefined) writeRecord(writer, schema, body!); });
    return new Promise((resolve, reject) => {
      this.pending.push({ xid, resolve, reject });
      this.write(frame);
    });
  }

  /** closeSession, then close the socket; bounded by `closeTimeoutMs` at each step. */
  async close(): Promise<void> {
    if (this.isOpen) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, closeTimeoutMs); });
      await Promise.race([this.call(OpCode.closeSession, undefined, undefined).then(() => {}, () => {}), timeout]);
      clearTimeout(timer);
      this.socket.end();
      const destroyTimer = setTimeout(() => this.socket.destroy(), closeTimeoutMs);
      await this.closed;
      clearTimeout(destroyTimer);
    } else {
      this.socket.destroy();
      await this.closed;
    }
  }

  /** Drops the socket without closing the session. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Uint8Array): void {
    this.receivedAtMs = performance.now();
    if (!this.scanner.push(chunk, this)) {
      this.failure ??= new ConnectionError(`${this.address.host}:${this.address.port}: ${this.scanner.error}`);
      this.socket.destroy();
      return;
    }
    this.driver?.onChunkEnd();
  }

  onReply(xid: number, err: number, bytes: Uint8Array, bodyStart: number, frameEnd: number): void {
    if (xid === Xid.notification) {
      // WatcherEvent { type, state, path }: only the type matters here.
      const type = frameEnd - bodyStart >= 4 ? new JuteReader(bytes, bodyStart, frameEnd).readInt() : -1;
      this.driver?.onNotification?.(type);
      return;
    }
    if (xid === Xid.ping) return;
    if (this.driver !== undefined && this.pending.length === 0) {
      this.driver.onReply(xid, err, bytes, bodyStart, frameEnd);
      return;
    }
    const call = this.pending.shift();
    if (call === undefined || call.xid !== xid) {
      this.failure ??= new ConnectionError(`reply xid ${xid} does not match the pending request (${call?.xid ?? 'none'})`);
      if (call !== undefined) call.reject(this.failure);
      this.socket.destroy();
      return;
    }
    call.resolve({ err, body: bytes.slice(bodyStart, frameEnd) });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const call of this.pending.splice(0)) call.reject(error);
  }
}

/** The error of a call reply as an exception, unless it is one of `allowed`. */
export function expectOk(reply: CallReply, what: string, allowed: readonly number[] = []): CallReply {
  if (reply.err !== ErrorCode.OK && !allowed.includes(reply.err)) throw new ConnectionError(`${what}: error ${reply.err}`);
  return reply;
}
