#!/usr/bin/env node
/**
 * The `zkts` command. `zkts start [--config zoo.cfg]` runs a standalone server in the foreground,
 * like `zkServer.sh start-foreground`; without --config it serves 127.0.0.1:2181 with data in ./data.
 */
import { ConfigError, defaultConfig, loadConfigFile } from '../runtime/config.js';
import { startServer } from '../runtime/server.js';
import { logger } from '../runtime/log.js';
import { ZKTS_VERSION } from '../runtime/version.js';
import { ZOOKEEPER_PROTOCOL_VERSION } from '../admin/four-letter.js';

const log = logger('zkts');

const usage = `usage: zkts <command> [options]

commands:
  start [--config <zoo.cfg>]   run a server in the foreground (default: 127.0.0.1:2181, data in ./data)
  version                      print the version
  help                         this text
`;

async function start(args: string[]): Promise<void> {
  let configPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--config' || arg === '-c') configPath = args[++i];
    else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else if (arg === '--help' || arg === '-h') { process.stdout.write(usage); return; }
    else if (configPath === undefined && !arg.startsWith('-')) configPath = arg;
    else throw new ConfigError(`unknown option for start: ${arg}`);
  }
  let config;
  if (configPath === undefined) {
    config = defaultConfig({});
  } else {
    const loaded = await loadConfigFile(configPath);
    for (const warning of loaded.warnings) log.warn(warning);
    config = loaded.config;
  }
  const server = await startServer(config);
  const stop = (signal: string) => {
    log.info(`${signal} received, shutting down`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': return start(rest);
    case 'version': case '--version': process.stdout.write(`zkts ${ZKTS_VERSION} (ZooKeeper ${ZOOKEEPER_PROTOCOL_VERSION} protocol)\n`); return;
    case undefined: case 'help': case '--help': case '-h': process.stdout.write(usage); return;
    default:
      process.stderr.write(`zkts: unknown command '${command}'\n${usage}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`zkts: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`zkts: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
