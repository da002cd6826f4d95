/**
 * One `zkts shell` session: a ZooKeeper client and the zkCli.sh commands run against it. It
 * turns a parsed command into client calls and prints what zkCli prints (format.ts), results on
 * stdout and errors on stderr, one line each; watch and connection events go to `io.event` as
 * they arrive, because an interactive terminal must redraw its prompt around them.
 *
 * Not here: reading lines, the terminal, history files (interactive.ts and commands/shell.ts),
 * or any formatting decision (format.ts). Invariants: every wait is bounded by the session's
 * timeout (the client gets it as its request timeout); one listener function serves every
 * watch, so a node watched twice prints an event once, as with zkCli's single default watcher.
 */
import type { ConnectionOptions } from 'node:tls';
import {
  BadArgumentsError, NoNodeError, NodeExistsError, ZooKeeperClient, ZooKeeperError, type ClientState, type MultiOp, type StateEvent,
  type WatchEvent, type AddWatchModeName, type WatcherTypeName,
} from '../../client/index.js';
import { fullVersion } from '../../admin/four-letter.js';
import { formatLimits, LIMIT_NODE, NO_LIMITS, parseLimits, QUOTA_ROOT, STAT_NODE, type QuotaLimits } from '../../tree/quotas.js';
import { limitsPath, QUOTA_FIELDS, quotaDir, statsPath, type QuotaLetter } from './quota.js';
import { BUILT_ON, ZKTS_VERSION } from '../../runtime/version.js';
import {
  CommandLineError, commandListing, commandSpecs, parseCommand, splitWords, type ParsedCommand, type ShellCommandName,
} from './command-line.js';
import {
  AclTextError, errorLine, formatAcl, formatChildren, formatHistory, formatStat, formatWatchedEvent, formatWhoAmI,
  javaList, parseAcl, prompt, watcherBlock, type KeeperStateName,
} from './format.js';

export interface ShellIO {
  /** Command output (stdout). */
  out(text: string): void;
  /** Error lines (stderr). */
  err(text: string): void;
  /** Asynchronous output: watch and connection events. */
  event(text: string): void;
}

export interface ShellOptions {
  readonly connectString: string;
  /** Session timeout, and the bound on connecting and on every request. */
  readonly timeoutMs: number;
  readonly readOnly: boolean;
  /** IANA zone for ctime/mtime (zkCli prints the JVM's default zone). */
  readonly timeZone: string;
  /** Connect over TLS with these options (the client library's ClientOptions.tls). */
  readonly tls?: ConnectionOptions;
}

/** How a line ended: its exit status in one-command mode is 0, 1 and 127 respectively. */
export type LineResult = 'ok' | 'failed' | 'unknownCommand' | 'quit';

/** A node's data as text, undefined if there is no such node. */
async function textIfExists(client: ZooKeeperClient, path: string): Promise<string | undefined> {
  try {
    return (await client.getData(path)).data.toString('utf8');
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}

/** A command failed with a message of our own (not a ZooKeeper error code). */
class ShellFailure extends Error {
  override readonly name = 'ShellFailure';
}

/** The most nodes `ls -R`, `deleteall` and `setAcl -R` will walk: a bound on the memory a walk holds. */
const subtreeNodesMax = 1_000_000;
/** ZooKeeper's largest TTL: 40 bits of milliseconds (EphemeralType.MAX_TTL). */
const ttlMsMax = 2 ** 40 - 1;
/** How long a TAB waits for the children of a path before offering nothing. */
const completionWaitMs = 2_000;

const stateEventNames: Readonly<Record<StateEvent, KeeperStateName>> = {
  connected: 'SyncConnected',
  disconnected: 'Disconnected',
  expired: 'Expired',
  authFailed: 'AuthFailed',
  readOnly: 'ConnectedReadOnly',
  closed: 'Closed',
};

// The Java client's ZooKeeper.States names, which zkCli shows in its prompt.
const promptStateNames: Readonly<Record<ClientState, string>> = {
  connecting: 'CONNECTING',
  connected: 'CONNECTED',
  readOnly: 'CONNECTEDREADONLY',
  closing: 'CLOSED',
  closed: 'CLOSED',
  expired: 'CLOSED',
  authFailed: 'AUTH_FAILED',
};

const addWatchModes: Readonly<Record<string, AddWatchModeName>> = {
  PERSISTENT: 'persistent',
  PERSISTENT_RECURSIVE: 'persistentRecursive',
};

export class ShellSession {
  private client: ZooKeeperClient | undefined;
  private connectStringValue: string;
  private printWatches = true;
  /** Suppresses the "state:Closed" event when the shell ends on its own (end of input). */
  private quiet = false;
  private readonly history: string[] = [];

  constructor(private readonly options: ShellOptions, private readonly io: ShellIO) {
    this.connectStringValue = options.connectString;
  }

  get connectString(): string { return this.connectStringValue; }

  /** zkCli's prompt for the next command. */
  prompt(): string {
    return prompt(this.connectStringValue, this.client === undefined ? 'CLOSED' : promptStateNames[this.client.state], this.history.length);
  }

  /**
   * Opens a session to `connectString` (closing any current one) and waits for it, at most the
   * timeout. On failure the new client keeps trying in the background, as zkCli's does, and the
   * error is returned for the caller to print (or not).
   */
  async connect(connectString = this.connectStringValue): Promise<Error | undefined> {
    await this.closeClient();
    let client: ZooKeeperClient;
    try {
      client = new ZooKeeperClient(connectString, {
        sessionTimeoutMs: this.options.timeoutMs,
        connectTimeoutMs: this.options.timeoutMs,
        requestTimeoutMs: this.options.timeoutMs,
        canBeReadOnly: this.options.readOnly,
        ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
      });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    this.connectStringValue = connectString;
    this.client = client;
    client.on('state', (state) => {
      if (this.client === client || state === 'closed') this.printEvent(stateEventNames[state], 'None', null);
    });
    client.on('error', (error) => this.io.err(`${error instanceof Error ? error.message : String(error)}\n`));
    try {
      await client.connect(this.options.timeoutMs);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Closes the session; `quietly` skips the Closed event (the shell is ending by itself). */
  async close(quietly: boolean): Promise<void> {
    this.quiet = quietly;
    await this.closeClient();
  }

  /** Runs a line typed or read from a script: records it in `history`, resolves `redo`. */
  async runLine(line: string, viaRedo = false): Promise<LineResult> {
    let words: string[];
    try {
      words = splitWords(line);
    } catch (error) {
      this.history.push(line);
      return this.reportLineError(error);
    }
    if (words.length === 0) return 'ok';
    if (words[0] === 'redo' && words.length === 2) {
      const index = /^\d+$/.test(words[1]!) ? Number(words[1]) : -1;
      const again = this.history[index];
      // A recorded redo is one that failed; redoing it again would only chase indexes.
      if (again === undefined || viaRedo) {
        this.history.push(line);
        this.io.err('Command index out of range\n');
        return 'failed';
      }
      return this.runLine(again, true);
    }
    this.history.push(line);
    return this.runWords(words);
  }

  /** Runs one command given as words (the one-command mode passes argv as is). */
  async runWords(words: readonly string[]): Promise<LineResult> {
    let command: ParsedCommand;
    try {
      command = parseCommand(words);
    } catch (error) {
      return this.reportLineError(error);
    }
    try {
      return (await this.execute(command)) ?? 'ok';
    } catch (error) {
      this.io.err(`${this.failureLine(error, command)}\n`);
      return 'failed';
    }
  }

  /**
   * Tab completion, as zkCli's: the first word completes to command names, a word starting
   * with '/' to the children of its parent. Returns readline's [candidates, word completed].
   */
  async complete(line: string): Promise<[string[], string]> {
    const word = /(\S*)$/.exec(line)![1]!;
    const isFirst = line.trimStart() === word;
    if (isFirst) return [commandSpecs.map((spec) => spec.name).filter((name) => name.startsWith(word)), word];
    if (!word.startsWith('/')) return [[], word];
    const client = this.client;
    if (client === undefined || (client.state !== 'connected' && client.state !== 'readOnly')) return [[], word];
    const slash = word.lastIndexOf('/');
    const parent = slash === 0 ? '/' : word.slice(0, slash);
    const prefix = word.slice(slash + 1);
    let timer: NodeJS.Timeout | undefined;
    try {
      const children = await Promise.race([
        client.getChildren(parent),
        new Promise<string[]>((resolve) => { timer = setTimeout(() => resolve([]), completionWaitMs); }),
      ]);
      const base = parent === '/' ? '/' : `${parent}/`;
      return [children.filter((child) => child.startsWith(prefix)).sort().map((child) => base + child), word];
    } catch {
      return [[], word];
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- commands ------------------------------------------------------------------------------

  private async execute(command: ParsedCommand): Promise<LineResult | void> {
    const name: ShellCommandName = command.spec.name;
    const { args } = command;
    const flag = (letter: string) => command.options.has(letter);
    const value = (letter: string) => {
      const given = command.options.get(letter);
      return typeof given === 'string' ? given : undefined;
    };
    switch (name) {
      case 'quit':
        await this.closeClient();
        return 'quit';
      case 'history':
        this.lines(formatHistory(this.history));
        return;
      case 'redo':
        // Reached only from one-command mode, where there is no history to redo.
        throw new ShellFailure('Command index out of range');
      case 'printwatches':
        if (args[0] === undefined) this.lines([`printwatches is ${this.printWatches ? 'on' : 'off'}`]);
        else if (args[0] === 'on' || args[0] === 'off') this.printWatches = args[0] === 'on';
        else throw new ShellFailure(command.spec.usage);
        return;
      case 'version':
        this.lines([`ZooKeeper CLI version: ${fullVersion(ZKTS_VERSION, BUILT_ON)}`]);
        return;
      case 'connect': {
        const failure = await this.connect(args[0]);
        if (failure !== undefined) throw new ShellFailure(`Unable to connect to ${this.connectStringValue}: ${failure.message}`);
        return;
      }
      case 'close':
        await this.closeClient();
        return;
      default:
        break;
    }
    const client = this.liveClient();
    switch (name) {
      case 'ls': {
        const path = args[0]!;
        const watch = flag('w') ? this.onWatch : undefined;
        if (flag('R')) {
          for (const node of await this.subtree(client, path, watch)) this.lines([node]);
          return;
        }
        if (flag('s')) {
          const { children, stat } = await client.getChildren(path, { watch, withStat: true });
          this.lines([formatChildren(children), ...formatStat(stat, this.options.timeZone)]);
        } else {
          this.lines([formatChildren(await client.getChildren(path, { watch }))]);
        }
        return;
      }
      case 'get': {
        const { data, dataIsNull, stat } = await client.getData(args[0]!, { watch: flag('w') ? this.onWatch : undefined });
        this.lines([dataIsNull ? 'null' : data.toString('utf8'), ...(flag('s') ? formatStat(stat, this.options.timeZone) : [])]);
        return;
      }
      case 'stat': {
        const stat = await client.exists(args[0]!, { watch: flag('w') ? this.onWatch : undefined });
        if (stat === null) throw new NoNodeError(undefined, { path: args[0]! });
        this.lines(formatStat(stat, this.options.timeZone));
        return;
      }
      case 'set': {
        const stat = await client.setData(args[0]!, args[1]!, versionOption(value('v')));
        if (flag('s')) this.lines(formatStat(stat, this.options.timeZone));
        return;
      }
      case 'create':
        return this.create(client, command);
      case 'delete':
        await client.delete(args[0]!, versionOption(value('v')));
        return;
      case 'deleteall':
        return this.deleteAll(client, args[0]!, batchOption(value('b')));
      case 'getAcl': {
        const { acl, stat } = await client.getACL(args[0]!);
        this.lines([...formatAcl(acl), ...(flag('s') ? formatStat(stat, this.options.timeZone) : [])]);
        return;
      }
      case 'setAcl': {
        const { acl, warnings } = parseAcl(args[1]!);
        for (const warning of warnings) this.io.err(`${warning}\n`);
        const version = versionOption(value('v'));
        if (flag('R')) {
          for (const node of await this.subtree(client, args[0]!, undefined)) await client.setACL(node, acl, version);
          return;
        }
        const stat = await client.setACL(args[0]!, acl, version);
        if (flag('s')) this.lines(formatStat(stat, this.options.timeZone));
        return;
      }
      case 'sync':
        await client.sync(args[0]!);
        this.lines(['Sync is OK']);
        return;
      case 'getEphemerals':
        this.lines([javaList(await client.getEphemerals(args[0] ?? '/'))]);
        return;
      case 'getAllChildrenNumber':
        this.lines([String(await client.getAllChildrenNumber(args[0]!))]);
        return;
      case 'whoami':
        this.lines(formatWhoAmI(await client.whoAmI()));
        return;
      case 'addauth':
        await client.addAuth(args[0]!, args[1] ?? '');
        return;
      case 'addWatch': {
        const mode = addWatchModes[(value('m') ?? 'PERSISTENT_RECURSIVE').toUpperCase()];
        if (mode === undefined) throw new ShellFailure(command.spec.usage);
        await client.addWatch(args[0]!, mode, this.onWatch);
        return;
      }
      case 'removewatches': {
        const type: WatcherTypeName = flag('c') ? 'children' : flag('d') ? 'data' : 'any';
        await client.removeWatches(args[0]!, type, { local: flag('l') });
        return;
      }
      case 'setquota':
        return this.setQuota(client, command);
      case 'listquota':
        return this.listQuota(client, args[0]!);
      case 'delquota':
        return this.delQuota(client, command);
      case 'config': {
        const { data, stat } = await client.getData('/zookeeper/config', { watch: flag('w') ? this.onWatch : undefined });
        const text = data.toString('utf8');
        this.lines([flag('c') ? clientConfigString(text) : text, ...(flag('s') ? formatStat(stat, this.options.timeZone) : [])]);
        return;
      }
      default:
        return assertNever(name);
    }
  }

  // ---- quotas: zkCli 3.8's SetQuotaCommand, ListQuotaCommand and DelQuotaCommand ----------

  /** The one option of setquota's (or delquota's) group, as commons-cli's OptionGroup checks it. */
  private quotaOption(command: ParsedCommand, required: boolean): QuotaLetter | undefined {
    const given = [...command.options.keys()].filter((letter): letter is QuotaLetter => letter in QUOTA_FIELDS);
    if (given.length > 1) throw new ShellFailure(`The option '${given[1]}' was specified but an option from this group has already been selected: '${given[0]}'`);
    if (given.length === 0 && required) throw new ShellFailure('Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]');
    return given[0];
  }

  private async setQuota(client: ZooKeeperClient, command: ParsedCommand): Promise<void> {
    const letter = this.quotaOption(command, true)!;
    const text = command.options.get(letter) as string;
    if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ShellFailure('NumberFormatException happens when parsing the option value');
    const value = Number(text);
    // Only node counts must be positive; zkCli takes any byte limit, 0 included.
    if ((letter === 'n' || letter === 'N') && value <= 0) throw new ShellFailure('the num quota must be greater than zero');
    const path = command.args[0]!;
    if (path === '/') throw new ShellFailure('Path must not end with / character');
    if ((await client.exists(path)) === null) throw new ShellFailure(`${path} does not exist.`);
    // No quota above it, and none below it: quotas do not nest.
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const parent = path.slice(0, at);
      if ((await client.exists(limitsPath(parent))) !== null) throw new ShellFailure(`${path} has a parent ${parent} which has a quota`);
    }
    const child = await this.quotaBelow(client, path);
    if (child !== undefined) throw new ShellFailure(`${path} has a child ${child} which has a quota`);
    const existing = await textIfExists(client, limitsPath(path));
    const limits: QuotaLimits = { ...(existing === undefined ? NO_LIMITS : parseLimits(existing)), [QUOTA_FIELDS[letter]]: value };
    if (existing !== undefined) {
      await client.setData(limitsPath(path), formatLimits(limits));
    } else {
      let dir = QUOTA_ROOT;
      for (const part of path.split('/').slice(1)) {
        dir += `/${part}`;
        await client.create(dir).catch((error: unknown) => { if (!(error instanceof NodeExistsError)) throw error; });
      }
      // The server recounts the stats when the node appears; zkCli writes zeros.
      await client.create(statsPath(path), 'count=0,bytes=0');
      await client.create(limitsPath(path), formatLimits(limits));
    }
    // zkCli warns about every limit now set, soft or hard, that the subtree already exceeds.
    const used = parseLimits((await client.getData(statsPath(path))).data.toString('utf8'));
    const under = (limit: number, have: number) => limit > -1 && limit < have;
    if (under(limits.count, used.count) || under(limits.countHardLimit, used.count)) {
      this.lines([`[Warning]: the count quota you create is less than the existing count:${used.count}`]);
    }
    if (under(limits.bytes, used.bytes) || under(limits.byteHardLimit, used.bytes)) {
      this.lines([`[Warning]: the bytes quota you create is less than the existing bytes:${used.bytes}`]);
    }
  }

  /** The first quota (a zookeeper_limits node) strictly below `path`'s quota directory, as a path. */
  private async quotaBelow(client: ZooKeeperClient, path: string): Promise<string | undefined> {
    const stack = [quotaDir(path)];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const children = await client.getChildren(dir).catch((error: unknown) => {
        if (error instanceof NoNodeError) return [] as string[];
        throw error;
      });
      for (const child of [...children].sort().reverse()) {
        if (child === LIMIT_NODE && dir !== quotaDir(path)) return dir.slice(QUOTA_ROOT.length);
        if (child !== LIMIT_NODE && child !== STAT_NODE) stack.push(`${dir}/${child}`);
      }
    }
    return undefined;
  }

  private async listQuota(client: ZooKeeperClient, path: string): Promise<void> {
    this.io.err(`absolute path is ${limitsPath(path)}\n`);
    const limits = await textIfExists(client, limitsPath(path));
    if (limits === undefined) throw new ShellFailure(`quota for ${path} does not exist.`);
    this.lines([`Output quota for ${path} ${limits}`]);
    this.lines([`Output stat for ${path} ${(await client.getData(statsPath(path))).data.toString('utf8')}`]);
  }

  private async delQuota(client: ZooKeeperClient, command: ParsedCommand): Promise<void> {
    const letter = this.quotaOption(command, false);
    const path = command.args[0]!;
    const limits = await textIfExists(client, limitsPath(path));
    if (limits === undefined) {
      this.lines([`Quota does not exist for ${path}`]);
      return;
    }
    if (letter !== undefined) {
      await client.setData(limitsPath(path), formatLimits({ ...parseLimits(limits), [QUOTA_FIELDS[letter]]: -1 }));
      return;
    }
    for (const child of await client.getChildren(quotaDir(path))) await client.delete(`${quotaDir(path)}/${child}`);
    // Then the directories left empty, up to /zookeeper/quota (trimProcQuotas).
    for (let dir = quotaDir(path); dir !== QUOTA_ROOT; dir = dir.slice(0, dir.lastIndexOf('/'))) {
      if ((await client.getChildren(dir)).length > 0) break;
      await client.delete(dir);
    }
  }

  private async create(client: ZooKeeperClient, command: ParsedCommand): Promise<void> {
    const has = (letter: string) => command.options.has(letter);
    const ttlText = command.options.get('t');
    const sequential = has('s');
    if (has('c') && (sequential || has('e'))) {
      throw new ShellFailure('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
    }
    let ttlMs: number | undefined;
    if (typeof ttlText === 'string') {
      if (has('e')) throw new ShellFailure('TTLs cannot be used with Ephemeral znodes');
      if (has('c')) throw new ShellFailure('TTLs cannot be used with Container znodes');
      if (!/^[+-]?\d+$/.test(ttlText)) throw new ShellFailure('-t argument must be a long value');
      ttlMs = Number(ttlText);
      if (ttlMs <= 0 || ttlMs > ttlMsMax) throw new ShellFailure(`ttl must be positive and cannot be larger than: ${ttlMsMax}`);
    }
    const mode = ttlMs !== undefined
      ? (sequential ? 'persistentSequentialWithTtl' : 'persistentWithTtl')
      : has('c') ? 'container'
        : has('e') ? (sequential ? 'ephemeralSequential' : 'ephemeral')
          : sequential ? 'persistentSequential' : 'persistent';
    const [path, data, aclText] = command.args;
    let acl;
    if (aclText !== undefined) {
      const parsed = parseAcl(aclText);
      for (const warning of parsed.warnings) this.io.err(`${warning}\n`);
      acl = parsed.acl;
    }
    const created = await client.create(path!, data ?? null, { mode, ...(acl !== undefined ? { acl } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}) });
    // zkCli prints this confirmation on stderr, and scripts that discard stderr rely on that.
    this.io.err(`Created ${created}\n`);
  }

  /**
   * `deleteall`: the subtree, deepest nodes first, deleted in multi batches of `batchSize`
   * (each batch is atomic; a failing batch leaves the ones before it done, as in zkCli).
   */
  private async deleteAll(client: ZooKeeperClient, path: string, batchSize: number): Promise<void> {
    const nodes = (await this.subtree(client, path, undefined)).reverse();
    for (let start = 0; start < nodes.length; start += batchSize) {
      const batch: MultiOp[] = nodes.slice(start, start + batchSize).map((node) => ({ type: 'delete', path: node, version: -1 }));
      await client.multi(batch);
    }
  }

  /**
   * The subtree under `path` in breadth-first order, each node's children sorted: the order
   * zkCli's `ls -R` prints. With `watch`, every node listed gets a child watch.
   */
  private async subtree(client: ZooKeeperClient, path: string, watch: ((event: WatchEvent) => void) | undefined): Promise<string[]> {
    const nodes = [path];
    for (let next = 0; next < nodes.length; next++) {
      const node = nodes[next]!;
      const children = (await client.getChildren(node, { watch })).sort();
      if (nodes.length + children.length > subtreeNodesMax) throw new ShellFailure(`more than ${subtreeNodesMax} nodes under ${path}`);
      for (const child of children) nodes.push(node === '/' ? `/${child}` : `${node}/${child}`);
    }
    return nodes;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private readonly onWatch = (event: WatchEvent): void => {
    this.printEvent('SyncConnected', event.type, event.path);
  };

  private printEvent(state: KeeperStateName, type: string, path: string | null): void {
    if (state === 'Closed' && this.quiet) return;
    if (this.printWatches) this.io.event(watcherBlock(formatWatchedEvent(state, type, path)));
  }

  private liveClient(): ZooKeeperClient {
    const client = this.client;
    if (client === undefined || client.state === 'closed' || client.state === 'closing') throw new ShellFailure('Not connected');
    return client;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    if (client.state !== 'closed') await client.close();
  }

  private lines(lines: readonly string[]): void {
    if (lines.length > 0) this.io.out(`${lines.join('\n')}\n`);
  }

  private reportLineError(error: unknown): LineResult {
    if (!(error instanceof CommandLineError)) throw error;
    if (error.kind === 'unknownCommand') {
      this.io.err(`${commandListing()}\n${error.message}\n`);
      return 'unknownCommand';
    }
    this.io.err(`${error.message}\n`);
    return 'failed';
  }

  private failureLine(error: unknown, command: ParsedCommand): string {
    if (error instanceof ShellFailure || error instanceof AclTextError) return error.message;
    // Arguments the client refused before sending anything (a malformed path) carry no path.
    if (error instanceof BadArgumentsError && error.path === undefined) return error.message;
    if (error instanceof ZooKeeperError) return errorLine(error.code, error.path ?? command.args[0]);
    return error instanceof Error ? error.message : String(error);
  }
}

function versionOption(text: string | undefined): number {
  if (text === undefined) return -1;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ShellFailure('-v argument must be an int value');
  return Number(text);
}

function batchOption(text: string | undefined): number {
  if (text === undefined) return 1000;
  const size = /^\d+$/.test(text) ? Number(text) : 0;
  if (size <= 0 || !Number.isSafeInteger(size)) throw new ShellFailure('-b argument must be a positive int value');
  return size;
}

/**
 * `config -c`: the dynamic config as a client connect string, `<version> host:port,...`: the
 * `version=` line's value, then the client address after ';' in each `server.N=` line.
 */
export function clientConfigString(config: string): string {
  let version = '';
  const clients: string[] = [];
  for (const line of config.split('\n')) {
    const [key, ...rest] = line.trim().split('=');
    const entry = rest.join('=');
    if (key === 'version') version = entry;
    else if (key?.startsWith('server.') === true) {
      const client = entry.split(';')[1];
      if (client !== undefined && client !== '') clients.push(client);
    }
  }
  return `${version} ${clients.join(',')}`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected shell command ${String(value)}`);
}
