/**
 * Shared plumbing for the client tests: which servers to run the suite against, a TCP proxy the
 * test controls (cut / hold / restore / black-hole) to simulate network failures without
 * touching the server, and bounded polling.
 *
 * `describeEachServer` runs one suite body once per server kind, starting that server once for
 * the suite and closing every client and proxy a test opened after it.
 *
 * Not a test. Invariants: every wait is bounded and fails with what it was waiting for; every
 * socket the proxy opened is destroyed by `close()`.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe } from 'node:test';
import { createClient, type ClientOptions, type StateEvent, type ZooKeeperClient } from '../../src/client/index.js';
import { apacheZooKeeperAvailable, startApacheZooKeeper, startZkts, type RunningServer, type ServerOptions } from '../support/servers.js';

export type ServerKind = 'zkts' | 'zookeeper';
export const serverKinds: readonly ServerKind[] = ['zkts', 'zookeeper'];

/** tickTime 500 ms: session timeouts are clamped to [1000, 10000] ms, so expiry tests are quick. */
export const tickTimeMs = 500;

export const serverOptions: ServerOptions = {
  tickTimeMs,
  config: { extendedTypesEnabled: 'true' },
};

/** Why a kind is skipped, or false when it can run. `ZKTS_TEST_SERVERS=zkts` (a list) narrows the kinds. */
export function skipReason(kind: ServerKind): string | false {
  const only = process.env['ZKTS_TEST_SERVERS'];
  if (only !== undefined && only !== '' && !only.split(',').includes(kind)) return `ZKTS_TEST_SERVERS=${only}`;
  if (kind === 'zookeeper' && !apacheZooKeeperAvailable()) return 'Apache ZooKeeper is not installed';
  return false;
}

export function startServer(kind: ServerKind, options: ServerOptions = serverOptions): Promise<RunningServer> {
  return kind === 'zkts' ? startZkts(options) : startApacheZooKeeper(options);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves with the first value `events` gets that satisfies `match`, or throws after `timeoutMs`. */
export class Recorder<T> {
  readonly items: T[] = [];
  readonly push = (item: T): void => {
    this.items.push(item);
  };
  async waitFor(what: string, match: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
    return waitFor(what, () => this.items.find(match), timeoutMs);
  }
}

type Mode = 'open' | 'refuse' | 'blackhole' | 'dropReplies';

/** Sees every chunk the proxy forwards: `connection` numbers the accepted connections from 1. */
export type ProxyTap = (connection: number, direction: 'toServer' | 'toClient', chunk: Buffer) => void;

/**
 * A TCP proxy in front of a server. `cut()` drops every connection and refuses new ones (they
 * are accepted and closed at once) until `restore()`. `blackhole()` keeps connections open but
 * forwards nothing in either direction, like a network that silently drops packets.
 */
export class TestProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  acceptedCount = 0;

  private constructor(
    private readonly server: Server, readonly port: number, private readonly target: { host: string; port: number },
    private readonly tap: ProxyTap | undefined,
  ) {}

  static async start(target: { host: string; port: number }, tap?: ProxyTap): Promise<TestProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('proxy has no address');
    const proxy = new TestProxy(server, address.port, target, tap);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get liveConnections(): number {
    return this.pairs.size;
  }

  private accept(client: Socket): void {
    this.acceptedCount++;
    if (this.mode === 'refuse') {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    const upstream = connect(this.target);
    const pair = { client, upstream };
    const connection = this.acceptedCount;
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (this.mode !== 'open' && this.mode !== 'dropReplies') return;
      this.tap?.(connection, 'toServer', chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode !== 'open') return;
      this.tap?.(connection, 'toClient', chunk);
      client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', drop);
      socket.on('error', drop);
    }
  }

  /** Drops every connection and refuses new ones until restore(). */
  cut(): void {
    this.mode = 'refuse';
    for (const pair of [...this.pairs]) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Keeps connections open but passes no bytes (new connections are accepted and starved too). */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Passes requests to the server but drops its answers: a request takes effect, its reply is lost. */
  dropReplies(): void {
    this.mode = 'dropReplies';
  }

  restore(): void {
    this.mode = 'open';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What a suite body gets from describeEachServer; valid inside tests (after the server started). */
export interface ServerContext {
  readonly kind: ServerKind;
  readonly server: RunningServer;
  /** createClient against the server (or `connectString`); closed after the test. */
  client(options?: ClientOptions, connectString?: string): Promise<ZooKeeperClient>;
  /** A TestProxy in front of the server (with a tap on what it forwards); closed after the test. */
  proxy(tap?: ProxyTap): Promise<TestProxy>;
}

/**
 * `describe(name (kind))` for every server kind, with the server started once before the
 * suite and stopped after it. Clients get short reconnect delays so tests do not wait on backoff.
 */
export function describeEachServer(name: string, body: (context: ServerContext) => void, options: ServerOptions = serverOptions): void {
  for (const kind of serverKinds) {
    // The suite timeout is a backstop: every wait in the tests is bounded on its own.
    describe(`${name} (${kind})`, { skip: skipReason(kind), timeout: 120_000 }, () => {
      let server: RunningServer | undefined;
      const clients: ZooKeeperClient[] = [];
      const proxies: TestProxy[] = [];
      const context: ServerContext = {
        kind,
        get server(): RunningServer {
          if (server === undefined) throw new Error(`${kind} server not started`);
          return server;
        },
        async client(clientOptions = {}, connectString = context.server.connectString) {
          const client = await createClient(connectString, { reconnectDelayMs: { initial: 10, max: 100 }, ...clientOptions });
          clients.push(client);
          return client;
        },
        async proxy(tap?: ProxyTap) {
          const proxy = await TestProxy.start({ host: context.server.host, port: context.server.port }, tap);
          proxies.push(proxy);
          return proxy;
        },
      };
      before(async () => { server = await startServer(kind, options); });
      afterEach(async () => {
        await Promise.all(clients.splice(0).map((client) => client.close()));
        await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
      });
      after(async () => { await server?.stop(); });
      body(context);
    });
  }
}

/** Records a client's state events in order. */
export function recordStates(client: ZooKeeperClient): Recorder<StateEvent> {
  const recorder = new Recorder<StateEvent>();
  client.on('state', (state) => recorder.push(state));
  return recorder;
}

/** Sends a four-letter word (servers.ts whitelists all of them) and returns the answer. */
export function fourLetter(server: RunningServer, word: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port }, () => socket.write(word));
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word}: no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The server's total watch count, from `wchs` ("Total watches:N"). */
export async function serverWatchCount(server: RunningServer): Promise<number> {
  const answer = await fourLetter(server, 'wchs');
  const match = /Total watches:(\d+)/.exec(answer);
  if (match === null) throw new Error(`unexpected wchs answer: ${answer}`);
  return Number(match[1]);
}

/** `promise`, or a rejection naming `what` (from `describe()` at that time) after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next `count` values of an async iterator, failing if they do not all come within `timeoutMs`. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5_000): Promise<T[]> {
  const values: T[] = [];
  const collect = async () => {
    while (values.length < count) {
      const result = await iterator.next();
      if (result.done === true) throw new Error(`iterator ended after ${values.length} of ${count} values: ${JSON.stringify(values, bigints)}`);
      values.push(result.value);
    }
    return values;
  };
  return within(collect(), timeoutMs, () => `got ${values.length} of ${count} values: ${JSON.stringify(values, bigints)}`);
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
