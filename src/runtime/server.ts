/**
 * Runs a standalone zkts server: the server core driven by real time, real sockets and node's
 * crypto. This is the only place that wires the pure core to the machine.
 *
 * Not here: protocol logic (server/), config parsing (config.ts), word formatting (admin/).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ZooKeeperServerCore } from '../server/zk-server.js';
import { sessionPassword } from '../util/java-random.js';
import { ClientPort } from './client-port.js';
import { ConfigError, type ServerConfig } from './config.js';
import { logger } from './log.js';
import { fourLetterResponder } from './four-letter-context.js';

const log = logger('server');

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly core: ZooKeeperServerCore;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  if (config.clientPort === 0) throw new ConfigError('clientPort is not set: a standalone server needs a client port to serve');
  mkdirSync(config.dataDir, { recursive: true });
  const startedWallMs = Date.now();
  const core = new ZooKeeperServerCore({
    serverId: config.myid ?? 0,
    tickTimeMs: config.tickTimeMs,
    minSessionTimeoutMs: config.minSessionTimeoutMs,
    maxSessionTimeoutMs: config.maxSessionTimeoutMs,
    extendedTypesEnabled: config.extendedTypesEnabled,
    reconfigEnabled: config.reconfigEnabled,
    skipACL: config.skipACL,
    superDigest: config.superDigest,
    containerCheckIntervalMs: config.containerCheckIntervalMs,
    containerMaxPerMinute: config.containerMaxPerMinute,
    containerMaxNeverUsedIntervalMs: config.containerMaxNeverUsedIntervalMs,
  }, {
    monotonicMs: () => performance.now(),
    wallMs: () => Date.now(),
    sha1Base64: (text) => createHash('sha1').update(text, 'utf8').digest('base64'),
    sessionPassword,
  });

  let port: ClientPort;
  // Persistence arrives with the durability work: until then a txn is "durable" once prepared.
  const flush = () => {
    const logged = core.takeTxnsToLog();
    if (logged.length > 0) core.markDurable(logged[logged.length - 1]!.header.zxid);
    port.deliver(core.takeOutputs());
  };
  port = new ClientPort({
    host: config.clientPortAddress,
    port: config.clientPort,
    frameBytesMax: config.juteMaxBuffer,
    maxClientCnxns: config.maxClientCnxns,
    fourLetterWord: fourLetterResponder(config, core, startedWallMs),
  }, {
    opened: (id, address, remotePort) => { core.openConnection(id, address, remotePort); flush(); },
    frame: (id, payload) => { core.onFrame(id, payload); flush(); },
    closed: (id) => { core.connectionClosed(id); flush(); },
  });
  const address = await port.listen();
  const ticker = setInterval(() => { core.tick(); flush(); }, Math.max(10, Math.floor(config.tickTimeMs / 2)));
  log.info(`zkts serving clients on ${address.host}:${address.port} (standalone, tickTime ${config.tickTimeMs} ms, dataDir ${config.dataDir})`);
  return {
    host: address.host,
    port: address.port,
    core,
    async close() {
      clearInterval(ticker);
      await port.close();
    },
  };
}
