/**
 * The client's only socket code: one TCP connection per connection attempt (over TLS when given
 * TLS options: a server's secureClientPort), reporting open, bytes and close back to the caller.
 * It decides nothing — no framing, no timeouts, no retries: those are the pure core's
 * (src/client/core/connection.ts).
 *
 * Invariant: after `destroy()` or the first 'close'/'error', no further callback fires.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface TransportHandlers {
  onOpen(): void;
  onData(bytes: Uint8Array): void;
  onClosed(reason: string): void;
}

export class TcpTransport {
  private readonly socket: Socket;
  private finished = false;

  constructor(host: string, port: number, handlers: TransportHandlers, tls?: ConnectionOptions) {
    // The certificate is checked against the host as the connect string names it (SNI takes
    // names only, so an address goes without one).
    this.socket = tls === undefined ? connect({ host, port }) : tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tls });
    this.socket.setNoDelay(true);
    this.socket.on(tls === undefined ? 'connect' : 'secureConnect', () => {
      if (!this.finished) handlers.onOpen();
    });
    this.socket.on('data', (chunk: Buffer) => {
      if (!this.finished) handlers.onData(chunk);
    });
    const finish = (reason: string) => {
      if (this.finished) return;
      this.finished = true;
      this.socket.destroy();
      handlers.onClosed(reason);
    };
    this.socket.on('error', (error: Error) => finish(`${host}:${port}: ${error.message}`));
    this.socket.on('close', () => finish(`${host}:${port}: connection closed`));
  }

  write(bytes: Uint8Array): void {
    if (!this.finished) this.socket.write(bytes);
  }

  destroy(): void {
    this.finished = true;
    this.socket.destroy();
  }
}
