/**
 * The client port: accepts TCP connections, frames bytes, answers four-letter words, enforces
 * maxClientCnxns and jute.maxbuffer, and shuttles frames to the server core and outputs back.
 * Optionally a second, TLS port (secureClientPort) serves the same way after the handshake; its
 * connections share the id space, and maxClientCnxns counts on each port by itself (ZooKeeper
 * runs a connection factory per port).
 *
 * Not here: protocol decisions (server/zk-server.ts) or four-letter formatting (admin/).
 * A bad frame closes only its own connection, with a logged reason; the server keeps serving.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { FrameDecoder } from '../jute/frame-decoder.js';
import type { ServerOutput } from '../server/zk-server.js';
import { logger } from './log.js';

const log = logger('client-port');

export interface ClientPortOptions {
  readonly host: string;
  /** The plain port; undefined for a server that serves TLS only (secureClientPort alone). */
  readonly port: number | undefined;
  readonly frameBytesMax: number;
  /** 0 means unlimited. */
  readonly maxClientCnxns: number;
  /** The word's reply if `head` (the first 4 bytes) is a four-letter word, else undefined. */
  readonly fourLetterWord: (head: Uint8Array, remoteHost: string, remotePort: number) => string | undefined;
  /** The TLS port, if any. */
  readonly secure?: SecurePortOptions;
}

export interface SecurePortOptions {
  readonly host: string;
  readonly port: number;
  /** Key, certificates, CAs, requestCert/rejectUnauthorized, protocol range. */
  readonly tls: TlsOptions;
  /**
   * ssl.clientAuth=want: a client may come without a certificate, but one it presents must
   * verify (Java's SSLEngine wantClientAuth); node's rejectUnauthorized=false alone would take
   * a bad one too, so the check is made here.
   */
  readonly wantClientAuth: boolean;
}

export interface ClientPortHandlers {
  opened(connectionId: number, remoteAddress: string, remotePort: number): void;
  frame(connectionId: number, payload: Uint8Array): void;
  /**
   * Every frame of one read has been handed to `frame`. A server can take what they produced
   * here once per read instead of once per frame: a read of a pipelining client holds dozens.
   */
  framesDone(connectionId: number): void;
  closed(connectionId: number): void;
}

interface ClientSocket {
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  readonly address: string;
  started: boolean;
  head: Buffer | undefined;
}

export class ClientPort {
  private readonly server: Server;
  private readonly secureServer: Server | undefined;
  private readonly sockets = new Map<number, ClientSocket>();
  private readonly perAddress = new Map<string, number>();
  private readonly securePerAddress = new Map<string, number>();
  private nextConnectionId = 1;
  /** Where the TLS port listens, once `listen` has resolved. */
  secureAddress: { host: string; port: number } | undefined;

  constructor(private readonly options: ClientPortOptions, private readonly handlers: ClientPortHandlers) {
    this.server = createServer({ noDelay: true }, (socket) => this.onSocket(socket, this.perAddress));
    const secure = options.secure;
    if (secure !== undefined) {
      this.secureServer = createTlsServer({ ...secure.tls, noDelay: true }, (socket: TLSSocket) => {
        if (secure.wantClientAuth && !socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) {
          log.warn(`closing TLS connection from /${normaliseAddress(socket.remoteAddress ?? 'unknown')}: its certificate does not verify (${String(socket.authorizationError)})`);
          socket.destroy();
          return;
        }
        this.onSocket(socket, this.securePerAddress);
      });
      this.secureServer.on('tlsClientError', (error, socket) => {
        log.warn(`TLS handshake from /${normaliseAddress(socket.remoteAddress ?? 'unknown')} failed: ${error.message}`);
      });
    }
  }

  /**
   * Listens on the client port and on the TLS port, if any; the answer is the plain port's
   * address, undefined when there is none.
   */
  async listen(): Promise<{ host: string; port: number } | undefined> {
    const plain = this.options.port === undefined ? undefined : await listenOn(this.server, this.options.host, this.options.port);
    if (this.secureServer !== undefined) this.secureAddress = await listenOn(this.secureServer, this.options.secure!.host, this.options.secure!.port);
    return plain;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  private onSocket(socket: Socket, perAddress: Map<string, number>): void {
    const address = normaliseAddress(socket.remoteAddress ?? 'unknown');
    const count = perAddress.get(address) ?? 0;
    if (this.options.maxClientCnxns > 0 && count >= this.options.maxClientCnxns) {
      log.warn(`Too many connections from /${address} - max is ${this.options.maxClientCnxns}`);
      socket.destroy();
      return;
    }
    perAddress.set(address, count + 1);
    const connectionId = this.nextConnectionId++;
    const client: ClientSocket = { socket, decoder: new FrameDecoder(this.options.frameBytesMax), address, started: false, head: undefined };
    this.sockets.set(connectionId, client);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(connectionId, client, chunk);
      } catch (error) {
        // Whatever one connection sends, only that connection may pay for it.
        log.error(`closing connection ${connectionId} from /${address} after an internal error: ${error instanceof Error ? error.stack : String(error)}`);
        socket.destroy();
      }
    });
    socket.on('error', (error) => log.debug(`connection ${connectionId} from /${address}: ${error.message}`));
    socket.on('close', () => {
      this.sockets.delete(connectionId);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
      if (client.started) this.handlers.closed(connectionId);
    });
  }

  private onData(connectionId: number, client: ClientSocket, chunk: Buffer): void {
    if (client.socket.destroyed || client.socket.writableEnded) return;
    if (!client.started) {
      // Before a session exists, the first 4 bytes may be a four-letter word instead of a length.
      client.head = client.head === undefined ? chunk : Buffer.concat([client.head, chunk]);
      if (client.head.length < 4) return;
      let reply: string | undefined;
      try {
        reply = this.options.fourLetterWord(client.head.subarray(0, 4), client.address, client.socket.remotePort ?? 0);
      } catch (error) {
        // A bug in a read-only status view must not take the server down with it.
        log.error(`four-letter word from /${client.address} failed: ${error instanceof Error ? error.stack : String(error)}`);
        client.socket.destroy();
        return;
      }
      if (reply !== undefined) {
        client.socket.end(reply);
        return;
      }
      client.started = true;
      this.handlers.opened(connectionId, client.address, client.socket.remotePort ?? 0);
      chunk = client.head;
      client.head = undefined;
    }
    this.onEvents(connectionId, client, client.decoder.push(chunk));
  }

  private onEvents(connectionId: number, client: ClientSocket, events: ReturnType<FrameDecoder['push']>): void {
    for (const event of events) {
      if (event.kind === 'error') {
        log.warn(`closing connection ${connectionId} from /${client.address}: ${event.reason} (frame of ${event.length} bytes, jute.maxbuffer is ${this.options.frameBytesMax})`);
        client.socket.destroy();
        break;
      }
      if (client.socket.destroyed) break;
      this.handlers.frame(connectionId, event.payload);
    }
    if (events.length > 0) this.handlers.framesDone(connectionId);
  }

  /** Stops reading from a connection (globalOutstandingLimit); what it sent so far is served. */
  pause(connectionId: number): void {
    this.sockets.get(connectionId)?.socket.pause();
  }

  resume(connectionId: number): void {
    this.sockets.get(connectionId)?.socket.resume();
  }

  /**
   * Writes the core's outputs in order: a send (the core gives one per connection per turn,
   * all of its frames together) is one socket write; a close ends the socket after what was
   * queued. Oversized replies are the core's to refuse.
   *
   * A watch event's frame is one array shared by all its watchers' sends (the core encodes it
   * once), and socket.write wraps a plain Uint8Array in a new Buffer on every call, so the
   * wrapper is made here once per distinct array.
   */
  deliver(outputs: readonly ServerOutput[]): void {
    let bytes: Uint8Array | undefined;
    let buffer: Buffer | undefined;
    for (const output of outputs) {
      const client = this.sockets.get(output.connectionId);
      if (client === undefined || client.socket.destroyed) continue;
      const socket = client.socket;
      if (output.kind === 'send') {
        if (socket.writableEnded) continue;
        if (output.bytes !== bytes) {
          bytes = output.bytes;
          buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        socket.write(buffer!);
        continue;
      }
      log.info(`closing connection ${output.connectionId} from /${client.address}: ${output.reason}`);
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 1000);
      timer.unref();
    }
  }

  async close(): Promise<void> {
    for (const client of this.sockets.values()) client.socket.destroy();
    await Promise.all([this.server, this.secureServer].map((server) => (server === undefined || !server.listening ? undefined
      : new Promise<void>((resolve) => server.close(() => resolve())))));
  }
}

function listenOn(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no address'));
      resolve({ host: address.address, port: address.port });
    });
  });
}

function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
