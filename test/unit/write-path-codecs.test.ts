/**
 * The hand-tuned pieces of the create path against the plain versions they replace:
 * - path validation by char codes gives the same verdict and message as the per-char-string
 *   loop it replaced (kept here as the oracle), on arbitrary strings and on path-like ones,
 *   and a sequential create's requested path the verdict of the path with its suffix;
 * - AclVectorCodec reads what readRecord of vector<ACL> reads (the same lists, or the same
 *   JuteError), also when lists repeat or a repeated list is followed by a different one, and
 *   writes the same bytes as writeRecord, also for a frozen list written again;
 * - a create from this server's prep probes its parent's children once, and stops loudly if
 *   the node is there after all (replayed creates still report NODEEXISTS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pathError } from '../../src/util/path.js';
import { AclVectorCodec, frozenAcl } from '../../src/jute/acl-lists.js';
import { JuteError, JuteReader, JuteWriter } from '../../src/jute/archive.js';
import { readRecord, record, vector, writeRecord } from '../../src/jute/schema.js';
import * as R from '../../src/jute/records.js';
import { DataTree, OPEN_ACL_UNSAFE } from '../../src/tree/data-tree.js';
import { ErrorCode } from '../../src/protocol/codes.js';
import type { Txn } from '../../src/tree/txn.js';

/** The validation loop before it went to char codes. */
function pathErrorOracle(path: string): string | undefined {
  if (path.length === 0) return 'Path length must be > 0';
  if (path[0] !== '/') return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path[path.length - 1] === '/') return 'Path must not end with / character';
  let previous = '/';
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const ch = path[i]!;
    if (c === 0) return `null character not allowed @${i}`;
    if (ch === '/' && previous === '/') return `empty node name specified @${i}`;
    if (ch === '.' && previous === '.') {
      if (path[i - 2] === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if (ch === '.') {
      if (previous === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if ((c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
    previous = ch;
  }
  return undefined;
}

const pathChar = fc.constantFrom('/', '.', 'a', 'Z', '0', '\u0000', '\u0001', '\u001f', '\u007f', '\u009f', '\u00e9', '\ud800', '\uf8ff', '\ufff0', '\uffff', '\u4e2d');

test('path validation by char codes agrees with the per-char loop', () => {
  fc.assert(fc.property(fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.array(pathChar, { maxLength: 12 }).map((chars) => chars.join('')),
    fc.array(pathChar, { maxLength: 12 }).map((chars) => `/${chars.join('')}`),
  ), (path) => {
    assert.equal(pathError(path), pathErrorOracle(path));
  }), { numRuns: 3000 });
  for (const path of ['/', '/a', '/a/', '//a', '/.', '/..', '/a/.', '/a/..', '/a/..b', '/...', '/a.b', '/a/b.']) {
    assert.equal(pathError(path), pathErrorOracle(path), path);
  }
});

test('a sequential create\'s path is judged as it will be with its suffix', () => {
  const suffixes = ['0000000001', '-000000001', '2147483647'];
  // Not the empty path: prep has refused it already (it has no slash), and both call it an error.
  assert.notEqual(pathError('', true), undefined);
  fc.assert(fc.property(fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
    fc.array(pathChar, { maxLength: 12 }).map((chars) => `/${chars.join('')}`),
  ), fc.constantFrom(...suffixes), (path, suffix) => {
    assert.equal(pathError(path, true), pathErrorOracle(path + suffix));
  }), { numRuns: 3000 });
  for (const path of ['/', '/a/', '/a/.', '/a/..', '/.', '//', '/a//']) {
    for (const suffix of suffixes) assert.equal(pathError(path, true), pathErrorOracle(path + suffix), path);
  }
});

const Acls = record('Acls', [['acl', vector(R.ACL)]]);
const aclArb = fc.array(fc.record({
  perms: fc.integer({ min: -1, max: 31 }),
  id: fc.record({ scheme: fc.constantFrom('world', 'digest', 'ip', 'auth'), id: fc.constantFrom('anyone', 'u:h=', '10.0.0.0/8', '', 'é') }),
}), { maxLength: 3 });

function encodeAcl(acl: R.ACLT[]): Uint8Array {
  const writer = new JuteWriter();
  writeRecord(writer, Acls, { acl });
  return writer.toBytes();
}

function readPlain(bytes: Uint8Array): R.ACLT[] | string {
  try {
    return readRecord(new JuteReader(bytes), Acls).acl;
  } catch (error) {
    if (error instanceof JuteError) return 'JuteError';
    throw error;
  }
}

function readCodec(codec: AclVectorCodec, bytes: Uint8Array): { acl: R.ACLT[]; position: number } | string {
  try {
    const reader = new JuteReader(bytes);
    const acl = codec.read(reader, bytes);
    return { acl, position: reader.position };
  } catch (error) {
    if (error instanceof JuteError) return 'JuteError';
    throw error;
  }
}

test('AclVectorCodec reads what the schema reads, list after list, and shares repeated lists', () => {
  // Each input: an encoded list, maybe cut short or followed by bytes that are not ACLs.
  const inputArb = fc.record({ acl: aclArb, cut: fc.option(fc.nat(40), { nil: undefined }), tail: fc.uint8Array({ maxLength: 3 }) });
  fc.assert(fc.property(fc.array(inputArb, { minLength: 1, maxLength: 8 }), (inputs) => {
    const codec = new AclVectorCodec();
    let previous: { bytes: Uint8Array; acl: R.ACLT[] } | undefined;
    for (const { acl, cut, tail } of inputs) {
      const whole = encodeAcl(acl);
      const body = cut === undefined ? whole : whole.subarray(0, Math.min(cut, whole.length));
      const bytes = new Uint8Array([...body, ...tail]);
      const expected = readPlain(bytes);
      const got = readCodec(codec, bytes);
      if (typeof expected === 'string') {
        assert.equal(got, expected);
        continue;
      }
      assert.notEqual(typeof got, 'string');
      const { acl: list, position } = got as { acl: R.ACLT[]; position: number };
      assert.deepEqual(list, expected);
      assert.ok(Object.isFrozen(list) && list.every((entry) => Object.isFrozen(entry) && Object.isFrozen(entry.id)));
      const consumed = new JuteReader(bytes);
      readRecord(consumed, Acls);
      assert.equal(position, consumed.position);
      const ownBytes = bytes.subarray(0, position);
      if (previous !== undefined && Buffer.from(previous.bytes).equals(Buffer.from(ownBytes))) assert.equal(list, previous.acl);
      previous = { bytes: ownBytes.slice(), acl: list };
    }
  }), { numRuns: 500 });
});

test('AclVectorCodec writes what the schema writes, for fresh and frozen lists alike', () => {
  fc.assert(fc.property(fc.array(fc.tuple(aclArb, fc.boolean()), { minLength: 1, maxLength: 6 }), fc.nat(5), (lists, repeatAt) => {
    const codec = new AclVectorCodec();
    const prepared = lists.map(([acl, freeze]) => (freeze ? frozenAcl(structuredClone(acl)) : acl));
    // A frozen list written twice in a row takes the copied-bytes path the second time.
    const order = [...prepared, prepared[repeatAt % prepared.length]!];
    for (const acl of order) {
      const writer = new JuteWriter();
      codec.write(writer, acl);
      assert.deepEqual(writer.toBytes(), encodeAcl(acl));
    }
  }), { numRuns: 500 });
});

test('a prepared create probes once and stops on a node prep should have seen; a replayed one reports NODEEXISTS', () => {
  const tree = new DataTree();
  const create = (): Txn => ({ type: 'create', path: '/a', data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: -1 });
  const header = (zxid: bigint) => ({ clientId: 1n, cxid: 1, zxid, timeMs: 0n });
  assert.equal(tree.applyTxn(header(1n), create(), true).result.err, ErrorCode.OK);
  // The replayed form (fuzzy snapshot) meets the node and changes nothing.
  assert.equal(tree.applyTxn(header(2n), create()).result.err, ErrorCode.NODEEXISTS);
  assert.throws(() => tree.applyTxn(header(3n), create(), true), /invariant: a create replaced the existing child a/);
});
