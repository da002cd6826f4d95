/**
 * The `zkts` package's main entry: the client library (also at `zkts/client`) and the server
 * (`startServer` with a parsed zoo.cfg), for embedding either in a Node.js program.
 */
export * from './client/index.js';
export { startServer, type RunningServer } from './runtime/server.js';
export { parseConfig, loadConfigFile, defaultConfig, ConfigError, type ServerConfig } from './runtime/config.js';
