/**
 * The arguments `zkts start`, `stop` and `status` share: which zoo.cfg (`--config <file>`,
 * `--config=<file>`, `-c <file>`, or the file as the only bare argument), plus each command's
 * own options; and the config it names (the built-in default without one), so that all three
 * agree on the client port and on where the pid file is.
 */
import { resolve } from 'node:path';
import { defaultConfig, loadConfigFile, type ServerConfig } from '../../runtime/config.js';
import { UsageError } from '../command.js';

export interface ServerArgs {
  /** Absolute path of the config file, undefined for the built-in default. */
  readonly configPath: string | undefined;
  /** Options given: flags map to true, value options to their value. */
  readonly options: ReadonlyMap<string, string | true>;
}

/** `known` maps each accepted `--option` to whether it takes a value. */
export function parseServerArgs(command: string, args: readonly string[], known: Readonly<Record<string, boolean>>): ServerArgs {
  let configPath: string | undefined;
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const takeValue = (name: string): string => {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      return value;
    };
    if (arg === '--config' || arg === '-c') configPath = takeValue(arg);
    else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else if (arg in known) options.set(arg, known[arg] === true ? takeValue(arg) : true);
    else if (configPath === undefined && !arg.startsWith('-')) configPath = arg;
    else throw new UsageError(`unknown option for ${command}: ${arg}`);
  }
  return { configPath: configPath === undefined ? undefined : resolve(configPath), options };
}

/** The config named by the arguments; warnings are for the caller to log. */
export async function loadServerConfig(configPath: string | undefined): Promise<{ config: ServerConfig; warnings: readonly string[] }> {
  if (configPath === undefined) return { config: defaultConfig({}), warnings: [] };
  return loadConfigFile(configPath);
}

/** A positive whole number of milliseconds from an option, or the default. */
export function millisecondsOption(options: ReadonlyMap<string, string | true>, name: string, fallbackMs: number): number {
  const text = options.get(name);
  if (text === undefined) return fallbackMs;
  const value = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : 0;
  if (value <= 0 || !Number.isSafeInteger(value)) throw new UsageError(`${name} must be a positive number of milliseconds`);
  return value;
}
