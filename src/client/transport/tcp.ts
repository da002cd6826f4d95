/**
 * The client's only socket code: one TCP connection per connection attempt, reporting open,
 * bytes and close back to the caller. It decides nothing — no framing, no timeouts, no retries:
 * those are the pure core's (src/client/core/connection.ts).
 *
 * Invariant: after `destroy()` or the first 'close'/'error', no further callback fires.
 */
import { connect, type Socket } from 'node:net';

export interface TransportHandlers {
  onOpen(): void;
  onData(bytes: Uint8Array): void;
  onClosed(reason: string): void;
}

export class TcpTransport {
  private readonly socket: Socket;
  private finished = false;

  constructor(host: string, port: number, handlers: TransportHandlers) {
    this.socket = connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
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
