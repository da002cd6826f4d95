/**
 * `zkts start [--config zoo.cfg]`: runs a server in the foreground, like
 * `zkServer.sh start-foreground`; without --config it serves 127.0.0.1:2181 with data in ./data.
 */
import { defaultConfig, loadConfigFile } from '../../runtime/config.js';
import { startServer } from '../../runtime/server.js';
import { logger } from '../../runtime/log.js';
import { UsageError, type Command } from '../command.js';

const log = logger('zkts');

export const startCommand: Command = {
  name: 'start',
  summary: 'run a server in the foreground (default: 127.0.0.1:2181, data in ./data)',
  usage: `usage: zkts start [--config <zoo.cfg>]

Runs a server in the foreground until SIGINT or SIGTERM, like zkServer.sh start-foreground.
Without --config: standalone on 127.0.0.1:2181, data in ./data, tickTime 2000.

options:
  --config, -c <file>   a ZooKeeper config file (zoo.cfg); may also be given as the only argument
`,
  async run(args) {
    let configPath: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--config' || arg === '-c') configPath = args[++i];
      else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
      else if (configPath === undefined && !arg.startsWith('-')) configPath = arg;
      else throw new UsageError(`unknown option for start: ${arg}`);
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
  },
};


