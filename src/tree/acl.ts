/**
 * ACL checks and fix-ups as ZooKeeper's PrepRequestProcessor.fixupACL and ZooKeeperServer.checkACL
 * apply them, for the schemes world, auth, digest, ip and the super user.
 *
 * Not here: hashing (digest ids are computed by the caller, which owns crypto) or auth packets.
 * A caller's identity is its list of authenticated Ids: `ip:<address>` from the connection, plus
 * `digest:<user>:<hash>` per successful addauth, plus `super:` when the digest is the superDigest.
 */
import { ErrorCode, Perms } from '../protocol/codes.js';
import type { ACLT, IdT } from '../jute/records.js';

export interface AclPolicy {
  readonly skipACL: boolean;
}

/** Whether `authInfo` may do `perm` on a node with `acl` (any ACL entry granting any bit of perm). */
export function checkACL(policy: AclPolicy, acl: readonly ACLT[], perm: number, authInfo: readonly IdT[]): boolean {
  if (policy.skipACL) return true;
  if (acl.length === 0) return true;
  if (authInfo.some((id) => id.scheme === 'super')) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    for (const auth of authInfo) {
      if (auth.scheme !== scheme) continue;
      if (scheme === 'ip' ? ipMatches(auth.id, id) : auth.id === id) return true;
    }
  }
  return false;
}

/**
 * Validates and expands a client-supplied ACL list: `auth` entries become one entry per
 * authenticated digest/super id of the caller (InvalidACL if it has none); other schemes must be
 * known and their ids well formed. Duplicates are dropped, keeping first occurrence order.
 */
export function fixupACL(acl: readonly ACLT[], authInfo: readonly IdT[]): { acl: ACLT[] } | { err: number } {
  if (acl.length === 0) return { err: ErrorCode.INVALIDACL };
  const out: ACLT[] = [];
  const add = (entry: ACLT) => {
    if (!out.some((e) => e.perms === entry.perms && e.id.scheme === entry.id.scheme && e.id.id === entry.id.id)) out.push(entry);
  };
  for (const entry of acl) {
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') {
      add(entry);
    } else if (scheme === 'auth') {
      const authenticated = authInfo.filter((auth) => auth.scheme === 'digest' || auth.scheme === 'super');
      if (authenticated.length === 0) return { err: ErrorCode.INVALIDACL };
      for (const auth of authenticated) add({ perms: entry.perms, id: { scheme: auth.scheme, id: auth.id } });
    } else if (scheme === 'digest' ? isValidDigestId(id) : scheme === 'ip' ? isValidIpId(id) : false) {
      add(entry);
    } else {
      return { err: ErrorCode.INVALIDACL };
    }
  }
  return { acl: out };
}

function isValidDigestId(id: string): boolean {
  return id.split(':').length === 2;
}

/** getACL hides digest hashes from callers without ADMIN (ZOOKEEPER-1392). */
export function maskDigests(acl: readonly ACLT[]): ACLT[] {
  return acl.map((entry) => entry.id.scheme === 'digest'
    ? { perms: entry.perms, id: { scheme: 'digest', id: `${entry.id.id.split(':')[0]}:x` } }
    : entry);
}

/** whoAmI's user name for an id: the user part of a digest id, the id itself otherwise. */
export function userNameOf(id: IdT): string {
  return id.scheme === 'digest' ? id.id.split(':')[0]! : id.id;
}

export const ALL_PERMS = Perms.ALL;

// --- ip scheme: `addr` or `addr/bits`, IPv4 or IPv6 -------------------------------------------

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  return bytes.every((byte) => byte >= 0 && byte <= 255) ? bytes : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const toBytes = (parts: string[]): number[] | undefined => {
    const out: number[] = [];
    for (const part of parts) {
      if (part.includes('.')) {
        const v4 = parseIPv4(part);
        if (v4 === undefined) return undefined;
        out.push(...v4);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        const value = parseInt(part, 16);
        out.push(value >> 8, value & 0xff);
      }
    }
    return out;
  };
  const head = toBytes(groups(halves[0]!));
  const tail = halves.length === 2 ? toBytes(groups(halves[1]!)) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  if (head.length + tail.length > 14) return undefined;
  return [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail];
}

function parseAddress(text: string): number[] | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

function isValidIpId(id: string): boolean {
  const [address, bits, ...rest] = id.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const bytes = parseAddress(address);
  if (bytes === undefined) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= bytes.length * 8;
}

function ipMatches(clientAddress: string, aclId: string): boolean {
  const [address, bitsText] = aclId.split('/');
  const want = parseAddress(address ?? '');
  const have = parseAddress(clientAddress.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1'));
  if (want === undefined || have === undefined || want.length !== have.length) return false;
  const bits = bitsText === undefined ? want.length * 8 : Number(bitsText);
  for (let i = 0; i < want.length; i++) {
    const maskBits = Math.max(0, Math.min(8, bits - i * 8));
    const mask = maskBits === 0 ? 0 : (0xff << (8 - maskBits)) & 0xff;
    if ((want[i]! & mask) !== (have[i]! & mask)) return false;
  }
  return true;
}
