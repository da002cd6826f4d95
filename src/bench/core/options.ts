/**
 * `zkts bench` arguments: the modes, every parameter with its default and its named limit, and
 * a parser from argv to a checked BenchOptions. Every run is bounded twice, by time
 * (--duration, at most `durationSecondsMax`) and by count (--ops-max), so no load runs on.
 *
 * Not here: what the modes do (bench/runner.ts) or usage text (cli/commands/bench.ts).
 * Invariant: a BenchOptions that parse returned is within every limit below.
 */

export const benchModes = ['create', 'set', 'get', 'exists', 'mixed', 'watch', 'churn', 'load'] as const;
export type BenchMode = (typeof benchModes)[number];

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface BenchOptions {
  readonly mode: BenchMode;
  /** Session i connects to servers[i % servers.length]. */
  readonly servers: readonly ServerAddress[];
  /** Sessions issuing requests; in watch mode, the watchers (plus one writer); in churn mode, concurrent churners. */
  readonly sessions: number;
  /** Requests outstanding per session (pipelined); watch and churn keep one at a time. */
  readonly inFlight: number;
  readonly valueBytes: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** The measured window ends after this many operations, if --duration has not ended it first. */
  readonly opsMax: number;
  /** Znodes that get, set, exists and mixed spread over. */
  readonly keys: number;
  /** mixed: the share of reads (getData); the rest are setData. */
  readonly readRatio: number;
  /** load: znodes to create, and the depth of the tree they form below the root. */
  readonly znodes: number;
  readonly depth: number;
  /** Everything the bench creates lives below this path. */
  readonly root: string;
  readonly json: boolean;
  readonly progress: boolean;
  /** Delete what the run created (not in load mode, whose data is the point). */
  readonly cleanup: boolean;
  /** Server processes on this machine whose CPU time and peak RSS to report. */
  readonly pids: readonly number[];
  readonly sessionTimeoutMs: number;
}

export const sessionsMax = 10_000;
export const inFlightMax = 4096;
/** Below jute.maxbuffer's default (0xfffff) with room for the path and the request header. */
export const valueBytesMax = 1_000_000;
export const durationSecondsMax = 3600;
export const opsMaxDefault = 100_000_000;
/** Key names have 7 decimal digits. */
export const keysMax = 10_000_000;
export const znodesMax = 100_000_000;
export const depthMax = 10;
/** ZooKeeper negotiates within [2, 20] ticks; 30 s fits the default tickTime of 2000 ms. */
export const sessionTimeoutMsDefault = 30_000;

export const benchDefaults = {
  servers: [{ host: '127.0.0.1', port: 2181 }],
  sessions: 32,
  inFlight: 64,
  valueBytes: 128,
  durationS: 10,
  warmupS: 2,
  opsMax: opsMaxDefault,
  keys: 1000,
  readRatio: 0.9,
  znodes: 50_000,
  depth: 4,
  root: '/zkts-bench',
  json: false,
  progress: true,
  cleanup: true,
  pids: [],
  sessionTimeoutMs: sessionTimeoutMsDefault,
} as const satisfies Omit<BenchOptions, 'mode'>;

export class BenchArgumentError extends Error {
  override readonly name = 'BenchArgumentError';
}

function parseServers(text: string): ServerAddress[] {
  const servers = text.split(',').map((entry) => {
    const colon = entry.lastIndexOf(':');
    const host = colon < 0 ? entry : entry.slice(0, colon);
    const port = colon < 0 ? 2181 : Number(entry.slice(colon + 1));
    if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new BenchArgumentError(`bad server '${entry}': expected host:port`);
    return { host, port };
  });
  if (servers.length === 0) throw new BenchArgumentError('--servers needs at least one host:port');
  return servers;
}

function integerIn(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new BenchArgumentError(`${name} must be an integer in ${min}..${max}, not '${text}'`);
  return value;
}

function numberIn(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new BenchArgumentError(`${name} must be a number in ${min}..${max}, not '${text}'`);
  return value;
}

const flags = new Set(['--json', '--quiet', '--no-cleanup']);

/** Parses `<mode> [--option value | --option=value]...`. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const [modeText, ...rest] = args;
  if (modeText === undefined || modeText.startsWith('-')) throw new BenchArgumentError(`a mode is required: one of ${benchModes.join(', ')}`);
  if (!(benchModes as readonly string[]).includes(modeText)) throw new BenchArgumentError(`unknown mode '${modeText}': one of ${benchModes.join(', ')}`);
  const mode = modeText as BenchMode;
  const o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { mode, ...benchDefaults, servers: benchDefaults.servers, pids: [] };
  // A load runs until its znodes are created; its time bound is only a backstop.
  if (mode === 'load') o.durationS = durationSecondsMax;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (flags.has(arg)) {
      if (arg === '--json') o.json = true;
      else if (arg === '--quiet') o.progress = false;
      else o.cleanup = false;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    let value: string | undefined = equals < 0 ? undefined : arg.slice(equals + 1);
    if (value === undefined) {
      value = rest[++i];
      if (value === undefined) throw new BenchArgumentError(`${name} needs a value`);
    }
    switch (name) {
      case '--servers': o.servers = parseServers(value); break;
      case '--sessions': o.sessions = integerIn(name, value, 1, sessionsMax); break;
      case '--in-flight': o.inFlight = integerIn(name, value, 1, inFlightMax); break;
      case '--value-bytes': o.valueBytes = integerIn(name, value, 0, valueBytesMax); break;
      case '--duration': o.durationS = numberIn(name, value, 0.1, durationSecondsMax); break;
      case '--warmup': o.warmupS = numberIn(name, value, 0, durationSecondsMax); break;
      case '--ops-max': o.opsMax = integerIn(name, value, 1, opsMaxDefault); break;
      case '--keys': o.keys = integerIn(name, value, 1, keysMax); break;
      case '--read-ratio': o.readRatio = numberIn(name, value, 0, 1); break;
      case '--znodes': o.znodes = integerIn(name, value, 1, znodesMax); break;
      case '--depth': o.depth = integerIn(name, value, 1, depthMax); break;
      case '--root':
        if (!/^\/[^/]+(\/[^/]+)*$/.test(value)) throw new BenchArgumentError(`--root must be an absolute znode path below /, not '${value}'`);
        o.root = value;
        break;
      case '--pid': o.pids = value.split(',').map((pid) => integerIn(name, pid, 1, 2 ** 31 - 1)); break;
      case '--session-timeout-ms': o.sessionTimeoutMs = integerIn(name, value, 1000, 600_000); break;
      default: throw new BenchArgumentError(`unknown option ${name}`);
    }
  }
  if (mode === 'load' && o.znodes < o.depth) throw new BenchArgumentError(`--znodes (${o.znodes}) must be at least --depth (${o.depth})`);
  return o;
}
