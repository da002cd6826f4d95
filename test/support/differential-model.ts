/**
 * The operation language of the differential test (test/interop/differential.test.ts): what a
 * random sequence is made of, how fast-check generates it, and how each op is described in a
 * trace. Paths come from a tiny alphabet under a per-sequence root so that collisions (NODEEXISTS,
 * NONODE, NOTEMPTY, BADVERSION) are common; bad paths and bad ACLs are generated on purpose.
 *
 * Deliberately not here: sockets and servers (the test file runs sequences), and any idea of what
 * the right answer is: the reference server decides that.
 * Invariant: every valid ACL the generator can produce grants ALL to an identity the cleanup
 * session can authenticate as (digest admin, digest u or v, or ip 127.0.0.1), so every root can be
 * deleted after its sequence whatever the sequence did.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ACLT } from '../../src/jute/records.js';

export type Slot = number;

/**
 * A path relative to the sequence root ('' is the root itself). A leading '@' means a literal
 * absolute path instead ('@' is the empty string, '@x' is 'x'): paths outside any root that no
 * server can accept as a write.
 */
export type RelPath = string;

export const goodPaths: readonly RelPath[] = ['', '/a', '/a/b', '/a/b/c', '/a/c', '/b', '/b/a', '/c'];
/** Trailing slash, empty segment, '.', '..', control character, no leading slash, empty string. */
export const badPaths: readonly RelPath[] = ['/', '/a/', '//a', '/a//b', '/a/.', '/a/..', '/a\u0001', '@x', '@'];

export const digestUsers = { admin: 'admin:secret', u: 'u:p', v: 'v:q' } as const;

export function digestId(userPassword: string): string {
  const user = userPassword.slice(0, userPassword.indexOf(':'));
  return `${user}:${createHash('sha1').update(userPassword).digest('base64')}`;
}

const admin: ACLT = { perms: 31, id: { scheme: 'digest', id: digestId(digestUsers.admin) } };
const world = (perms: number): ACLT => ({ perms, id: { scheme: 'world', id: 'anyone' } });

/** Named ACL choices; the names appear in traces. */
export const aclChoices: Readonly<Record<string, readonly ACLT[]>> = {
  open: [world(31)],
  readOnly: [world(1), admin],
  readCreate: [world(5), admin],
  noDelete: [world(31 & ~8), admin],
  uOnly: [{ perms: 31, id: { scheme: 'digest', id: digestId(digestUsers.u) } }],
  ipLocal: [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }],
  ipNet: [{ perms: 3, id: { scheme: 'ip', id: '127.0.0.0/8' } }, admin],
  authCreator: [{ perms: 31, id: { scheme: 'auth', id: '' } }],
  // Each of these should be INVALIDACL.
  empty: [],
  badScheme: [{ perms: 31, id: { scheme: 'nosuchscheme', id: 'x' } }],
  badIp: [{ perms: 31, id: { scheme: 'ip', id: 'not-an-ip' } }],
  badDigest: [{ perms: 31, id: { scheme: 'digest', id: 'nocolon' } }],
  worldSomeone: [{ perms: 31, id: { scheme: 'world', id: 'someone' } }],
};
export type AclName = keyof typeof aclChoices & string;

export type Data = string | null;

export type WriteSubOp =
  | { readonly k: 'create'; readonly path: RelPath; readonly data: Data; readonly acl: AclName; readonly flags: number; readonly v2: boolean }
  | { readonly k: 'createContainer'; readonly path: RelPath; readonly data: Data }
  | { readonly k: 'createTTL'; readonly path: RelPath; readonly flags: number; readonly ttl: number }
  | { readonly k: 'delete'; readonly path: RelPath; readonly version: number }
  | { readonly k: 'setData'; readonly path: RelPath; readonly data: Data; readonly version: number }
  | { readonly k: 'check'; readonly path: RelPath; readonly version: number };
export type ReadSubOp = { readonly k: 'getData' | 'getChildren'; readonly path: RelPath };

/** Ops that can be sent on their own (and pipelined). */
export type SimpleOp =
  | Exclude<WriteSubOp, { k: 'check' }>
  | { readonly k: 'exists' | 'getData' | 'getChildren' | 'getChildren2'; readonly path: RelPath; readonly watch: boolean }
  | { readonly k: 'getACL' | 'getAllChildrenNumber' | 'getEphemerals' | 'sync'; readonly path: RelPath }
  | { readonly k: 'setACL'; readonly path: RelPath; readonly acl: AclName; readonly version: number }
  | { readonly k: 'multi'; readonly ops: readonly WriteSubOp[] }
  | { readonly k: 'multiRead'; readonly ops: readonly ReadSubOp[] }
  | { readonly k: 'addWatch'; readonly path: RelPath; readonly mode: number }
  | { readonly k: 'removeWatches' | 'checkWatches'; readonly path: RelPath; readonly type: number }
  | { readonly k: 'whoAmI' };

export interface WatchLists {
  readonly data: readonly RelPath[];
  readonly exist: readonly RelPath[];
  readonly child: readonly RelPath[];
  readonly persistent: readonly RelPath[];
  readonly recursive: readonly RelPath[];
}

export type Op =
  | (SimpleOp & { readonly s: Slot })
  | { readonly k: 'auth'; readonly s: Slot; readonly scheme: string; readonly user: string }
  /** closeSession; the slot then opens a new session. */
  | { readonly k: 'closeSession'; readonly s: Slot }
  /** Drop the socket, reattach to the same session, and send SetWatches2 with the given lists. */
  | { readonly k: 'reconnect'; readonly s: Slot; readonly watches: WatchLists }
  /** Several ops written back to back on one session before any reply is read. */
  | { readonly k: 'pipeline'; readonly s: Slot; readonly ops: readonly SimpleOp[] };

export interface Sequence {
  readonly sessions: number;
  readonly ops: readonly Op[];
}

// --- generation ------------------------------------------------------------------------------

// Shallow paths dominate so that parents usually exist and deeper ops get past NONODE.
const goodPath = fc.oneof(
  { arbitrary: fc.constant('/a'), weight: 6 }, { arbitrary: fc.constant('/b'), weight: 4 }, { arbitrary: fc.constant('/c'), weight: 2 },
  { arbitrary: fc.constant('/a/b'), weight: 4 }, { arbitrary: fc.constant('/a/c'), weight: 2 }, { arbitrary: fc.constant('/b/a'), weight: 2 },
  { arbitrary: fc.constant('/a/b/c'), weight: 2 }, { arbitrary: fc.constant(''), weight: 1 },
);
const path = fc.oneof({ arbitrary: goodPath, weight: 16 }, { arbitrary: fc.constantFrom(...badPaths), weight: 1 });
const data: fc.Arbitrary<Data> = fc.constantFrom<Data>(null, '', 'x', 'hello');
const version = fc.constantFrom(-1, -1, 0, 0, 1, 2);
const validAcl = fc.constantFrom<AclName>('open', 'open', 'open', 'open', 'readOnly', 'readCreate', 'noDelete', 'uOnly', 'ipLocal', 'ipNet', 'authCreator');
const anyAcl = fc.oneof({ arbitrary: validAcl, weight: 15 }, { arbitrary: fc.constantFrom<AclName>('empty', 'badScheme', 'badIp', 'badDigest', 'worldSomeone'), weight: 1 });
/** 0-3 normal modes; 4-6 are not valid through create/create2 (containers and TTL have their own op codes); 7 and -1 are nonsense. */
const createFlags = fc.oneof({ arbitrary: fc.constantFrom(0, 0, 1, 2, 3), weight: 10 }, { arbitrary: fc.constantFrom(4, 5, 6, 7, -1), weight: 1 });

const create = fc.record({ k: fc.constant('create' as const), path, data, acl: anyAcl, flags: createFlags, v2: fc.boolean() });
const createContainer = fc.record({ k: fc.constant('createContainer' as const), path, data });
// A TTL far longer than any test, so the reaper never races the test; 0 and -5 are invalid; flags 0 is invalid for
// createTTL (but accepted inside multi, as a plain create). Never flags 0 with a negative TTL: that combination makes
// ZooKeeper 3.8.0 throw in PrepRequestProcessor and shut the whole server down (exit code 2).
const createTTL = fc.oneof(
  fc.record({ k: fc.constant('createTTL' as const), path, flags: fc.constantFrom(5, 5, 6), ttl: fc.constantFrom(3_600_000, 3_600_000, 0, -5) }),
  fc.record({ k: fc.constant('createTTL' as const), path, flags: fc.constant(0), ttl: fc.constant(3_600_000) }),
);
const del = fc.record({ k: fc.constant('delete' as const), path, version });
const setData = fc.record({ k: fc.constant('setData' as const), path, data, version });
const check = fc.record({ k: fc.constant('check' as const), path, version });
const watchRead = fc.record({
  k: fc.constantFrom('exists' as const, 'getData' as const, 'getChildren' as const, 'getChildren2' as const),
  path, watch: fc.boolean(),
});
const pathRead = fc.record({ k: fc.constantFrom('getACL' as const, 'getAllChildrenNumber' as const, 'getEphemerals' as const, 'sync' as const), path });
const setACL = fc.record({ k: fc.constant('setACL' as const), path, acl: anyAcl, version: fc.constantFrom(-1, 0, 1) });
const writeSubOp: fc.Arbitrary<WriteSubOp> = fc.oneof(
  { arbitrary: create, weight: 4 }, createContainer, createTTL, { arbitrary: del, weight: 2 }, { arbitrary: setData, weight: 2 }, { arbitrary: check, weight: 2 },
);
const multi = fc.record({ k: fc.constant('multi' as const), ops: fc.array(writeSubOp, { minLength: 0, maxLength: 4 }) });
const multiRead = fc.record({
  k: fc.constant('multiRead' as const),
  ops: fc.array(fc.record({ k: fc.constantFrom('getData' as const, 'getChildren' as const), path }), { minLength: 0, maxLength: 3 }),
});
const addWatch = fc.record({ k: fc.constant('addWatch' as const), path, mode: fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 8 }, { arbitrary: fc.constant(7), weight: 1 }) });
// Types 1-3 only: 4 and 5 are 3.9 additions that a 3.8 server answers differently.
const watchAdmin = fc.record({ k: fc.constantFrom('removeWatches' as const, 'checkWatches' as const), path, type: fc.constantFrom(1, 2, 3, 1, 2, 3, 0, 4, 5) });
const whoAmI = fc.record({ k: fc.constant('whoAmI' as const) });

const simpleOp: fc.Arbitrary<SimpleOp> = fc.oneof(
  { arbitrary: create, weight: 14 },
  { arbitrary: createContainer, weight: 2 },
  { arbitrary: createTTL, weight: 1 },
  { arbitrary: del, weight: 6 },
  { arbitrary: setData, weight: 6 },
  { arbitrary: watchRead, weight: 12 },
  { arbitrary: pathRead, weight: 3 },
  { arbitrary: setACL, weight: 2 },
  { arbitrary: multi, weight: 4 },
  { arbitrary: multiRead, weight: 2 },
  { arbitrary: addWatch, weight: 3 },
  { arbitrary: watchAdmin, weight: 2 },
  { arbitrary: whoAmI, weight: 1 },
);

/**
 * No setACL in a pipeline: ZooKeeper 3.8.0 itself is nondeterministic there (a create pipelined right
 * after a setACL on its parent is checked against the old or the new ACL depending on timing), so
 * two ZooKeepers disagree with each other.
 */
const pipelinedOp = simpleOp.filter((op) => op.k !== 'setACL');

const watchLists: fc.Arbitrary<WatchLists> = fc.record({
  data: fc.uniqueArray(goodPath, { maxLength: 2 }),
  exist: fc.uniqueArray(goodPath, { maxLength: 2 }),
  child: fc.uniqueArray(goodPath, { maxLength: 2 }),
  persistent: fc.uniqueArray(goodPath, { maxLength: 1 }),
  recursive: fc.uniqueArray(goodPath, { maxLength: 1 }),
});

function opArbitrary(sessions: number): fc.Arbitrary<Op> {
  const slot = fc.integer({ min: 0, max: sessions - 1 });
  return fc.oneof(
    { arbitrary: fc.tuple(slot, simpleOp).map(([s, op]): Op => ({ ...op, s })), weight: 40 },
    {
      arbitrary: fc.record({
        k: fc.constant('auth' as const), s: slot,
        // digest u/v are valid; a wrong password is still accepted by ZooKeeper (it just adds that id); an unknown scheme is AUTHFAILED and closes the connection.
        scheme: fc.constantFrom('digest', 'digest', 'digest', 'nosuchscheme'),
        user: fc.constantFrom(digestUsers.u, digestUsers.v, 'u:wrong'),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ k: fc.constant('closeSession' as const), s: slot }), weight: 2 },
    { arbitrary: fc.record({ k: fc.constant('reconnect' as const), s: slot, watches: watchLists }), weight: 2 },
    { arbitrary: fc.record({ k: fc.constant('pipeline' as const), s: slot, ops: fc.array(pipelinedOp, { minLength: 2, maxLength: 4 }) }), weight: 3 },
  );
}

/** Candidate opening moves: most sequences start with some of the tree in place, so later ops get past NONODE. */
const preludeOps: readonly Op[] = (['/a', '/b', '/a/b', '/c', '/b/a'] as const).map((path) =>
  ({ k: 'create', s: 0, path, data: 'x', acl: 'open', flags: 0, v2: false }));

/** Whether an op (or any op inside it) is of one of the excluded kinds. */
function mentions(op: Op | SimpleOp | WriteSubOp | ReadSubOp, excluded: ReadonlySet<string>): boolean {
  if (excluded.has(op.k)) return true;
  if (op.k === 'pipeline' || op.k === 'multi' || op.k === 'multiRead') return op.ops.some((sub) => mentions(sub, excluded));
  return false;
}

/**
 * `excluded` names op kinds to leave out (e.g. 'reconnect', 'createTTL', 'multi'), to look past a known
 * difference for the next one.
 */
export function sequenceArbitrary(maxOps: number, excluded: ReadonlySet<string> = new Set()): fc.Arbitrary<Sequence> {
  return fc.integer({ min: 2, max: 3 }).chain((sessions) =>
    fc.record({
      sessions: fc.constant(sessions),
      ops: fc.tuple(
        fc.subarray([...preludeOps]),
        fc.array(opArbitrary(sessions).filter((op) => !mentions(op, excluded)), { minLength: 1, maxLength: maxOps, size: 'max' }),
      )
        .map(([prelude, ops]) => [...prelude, ...ops]),
    }));
}

// --- description -----------------------------------------------------------------------------

function showPath(rel: RelPath): string {
  return JSON.stringify(rel.startsWith('@') ? rel.slice(1) : `~${rel}`);
}
function showData(value: Data): string {
  return value === null ? 'null' : JSON.stringify(value);
}

export function describeSubOp(op: WriteSubOp | ReadSubOp | SimpleOp): string {
  switch (op.k) {
    case 'create': return `${op.v2 ? 'create2' : 'create'} ${showPath(op.path)} ${showData(op.data)} acl=${op.acl} flags=${op.flags}`;
    case 'createContainer': return `createContainer ${showPath(op.path)} ${showData(op.data)}`;
    case 'createTTL': return `createTTL ${showPath(op.path)} flags=${op.flags} ttl=${op.ttl}`;
    case 'delete': return `delete ${showPath(op.path)} v=${op.version}`;
    case 'setData': return `setData ${showPath(op.path)} ${showData(op.data)} v=${op.version}`;
    case 'check': return `check ${showPath(op.path)} v=${op.version}`;
    case 'exists': case 'getChildren2': return `${op.k} ${showPath(op.path)}${op.watch ? ' watch' : ''}`;
    case 'getData': case 'getChildren': return `${op.k} ${showPath(op.path)}${'watch' in op && op.watch ? ' watch' : ''}`;
    case 'getACL': case 'getAllChildrenNumber': case 'getEphemerals': case 'sync': return `${op.k} ${showPath(op.path)}`;
    case 'setACL': return `setACL ${showPath(op.path)} acl=${op.acl} v=${op.version}`;
    case 'multi': return `multi[${op.ops.map(describeSubOp).join('; ')}]`;
    case 'multiRead': return `multiRead[${op.ops.map(describeSubOp).join('; ')}]`;
    case 'addWatch': return `addWatch ${showPath(op.path)} mode=${op.mode}`;
    case 'removeWatches': case 'checkWatches': return `${op.k} ${showPath(op.path)} type=${op.type}`;
    case 'whoAmI': return 'whoAmI';
  }
}

export function describeOp(op: Op): string {
  switch (op.k) {
    case 'auth': return `s${op.s} auth ${op.scheme} ${op.user}`;
    case 'closeSession': return `s${op.s} closeSession (then a new session)`;
    case 'reconnect': {
      const w = op.watches;
      return `s${op.s} reconnect setWatches2 data=${w.data.map(showPath)} exist=${w.exist.map(showPath)} child=${w.child.map(showPath)} persistent=${w.persistent.map(showPath)} recursive=${w.recursive.map(showPath)}`;
    }
    case 'pipeline': return `s${op.s} pipeline{${op.ops.map(describeSubOp).join(' | ')}}`;
    default: return `s${op.s} ${describeSubOp(op)}`;
  }
}
