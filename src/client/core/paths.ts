/**
 * Connect strings, chroot and client-side path validation.
 *
 * A connect string is `host:port[,host:port...][/chroot]` (ZooKeeper's ConnectStringParser):
 * hosts may be names, IPv4 or bracketed IPv6 (`[::1]:2181`), the port defaults to 2181, and the
 * chroot is the part from the first `/`. With a chroot every path the application passes is
 * relative to it: `/x` is `/app/x` on the server and `/` is `/app` itself; every path the server
 * returns (created names, event paths, ephemerals) has the chroot removed again.
 *
 * Path rules follow ZooKeeper's PathUtils.validatePath (facts §1.9), checked before a request is
 * sent so a bad path fails fast with BadArgumentsError instead of a closed connection.
 * Not here: any I/O. Invariant: `toServer` then `toClient` is the identity for valid paths.
 */
import { BadArgumentsError } from './errors.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ConnectString {
  readonly hosts: readonly HostPort[];
  /** '' for no chroot, else a validated absolute path without trailing slash, e.g. '/app'. */
  readonly chroot: string;
}

export const defaultClientPort = 2181;

export function parseConnectString(connectString: string): ConnectString {
  const trimmed = connectString.trim();
  // The chroot starts at the first '/' that is not inside an IPv6 bracket.
  let slash = -1;
  let inBracket = false;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (ch === '[') inBracket = true;
    else if (ch === ']') inBracket = false;
    else if (ch === '/' && !inBracket) { slash = i; break; }
  }
  const hostPart = slash === -1 ? trimmed : trimmed.slice(0, slash);
  let chroot = slash === -1 ? '' : trimmed.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') validatePath(chroot, false);
  const hosts: HostPort[] = [];
  for (const raw of hostPart.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    hosts.push(parseHostPort(entry));
  }
  if (hosts.length === 0) throw new BadArgumentsError(`connect string has no hosts: '${connectString}'`);
  return { hosts, chroot };
}

function parseHostPort(entry: string): HostPort {
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) throw new BadArgumentsError(`unterminated IPv6 address in '${entry}'`);
    host = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new BadArgumentsError(`bad host:port '${entry}'`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  const port = portText === undefined ? defaultClientPort : Number(portText);
  if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new BadArgumentsError(`bad host:port '${entry}'`);
  }
  return { host, port };
}

function badChar(code: number): boolean {
  return (
    code === 0 ||
    (code > 0x00 && code < 0x20) ||
    (code > 0x7e && code < 0xa0) ||
    (code > 0xd7ff && code < 0xf900) ||
    (code > 0xffef && code < 0x10000)
  );
}

/**
 * Throws BadArgumentsError unless `path` is a valid znode path. `sequential` allows the trailing
 * '/' of a sequential create (the server appends the counter to it).
 */
export function validatePath(path: string, sequential: boolean): void {
  if (typeof path !== 'string') throw new BadArgumentsError('path must be a string');
  const checked = sequential ? path + '1' : path;
  const fail = (reason: string): never => {
    throw new BadArgumentsError(`invalid path '${path}': ${reason}`);
  };
  if (checked.length === 0) fail('empty');
  if (checked[0] !== '/') fail('must start with /');
  if (checked.length === 1) return;
  if (checked.endsWith('/')) fail('must not end with /');
  const segments = checked.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') fail('empty segment');
    if (segment === '.' || segment === '..') fail(`relative segment '${segment}'`);
  }
  for (let i = 0; i < checked.length; i++) {
    if (badChar(checked.charCodeAt(i))) fail(`invalid character at ${i}`);
  }
}

/** Maps client paths to server paths and back for one chroot ('' = none). */
export class Chroot {
  constructor(readonly prefix: string) {}

  toServer(clientPath: string): string {
    if (this.prefix === '') return clientPath;
    return clientPath === '/' ? this.prefix : this.prefix + clientPath;
  }

  /**
   * The client path for a server path. A path outside the chroot (ZooKeeper 3.9 passes
   * `/zookeeper/config` events through) is returned unchanged.
   */
  toClient(serverPath: string): string {
    if (this.prefix === '') return serverPath;
    if (serverPath === this.prefix) return '/';
    if (serverPath.startsWith(this.prefix + '/')) return serverPath.slice(this.prefix.length);
    return serverPath;
  }
}
