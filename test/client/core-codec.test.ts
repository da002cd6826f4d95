/**
 * Unit tests of the client's pure helpers: connect strings and chroot, path validation, typed
 * errors, the watch registry's firing rules, and the multi wire layout cross-checked against
 * the server's own multi codec (src/server/multi.ts) in both directions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JuteReader, JuteWriter } from '../../src/jute/archive.js';
import * as R from '../../src/jute/records.js';
import { readRecord, writeRecord } from '../../src/jute/schema.js';
import { ErrorCode, OpCode } from '../../src/protocol/codes.js';
import { decodeMultiOps, encodeMultiResults } from '../../src/server/multi.js';
import {
  BadArgumentsError, BadVersionError, ClientClosedError, ConnectionLossError, errorFromCode, isRetryable, NoNodeError,
  NodeExistsError, RequestTimeoutError, RuntimeInconsistencyError, SessionExpiredError, ZooKeeperError,
} from '../../src/client/core/errors.js';
import { Chroot, parseConnectString, validatePath } from '../../src/client/core/paths.js';
import * as ops from '../../src/client/core/requests.js';
import { WatchRegistry } from '../../src/client/core/watches.js';

describe('connect strings and chroot', () => {
  it('parses hosts, default ports, IPv6 and the chroot', () => {
    assert.deepEqual(parseConnectString('h1:2181,h2:2182/app/x'), {
      hosts: [{ host: 'h1', port: 2181 }, { host: 'h2', port: 2182 }], chroot: '/app/x',
    });
    assert.deepEqual(parseConnectString(' [::1]:3000 , h3 /'), { hosts: [{ host: '::1', port: 3000 }, { host: 'h3', port: 2181 }], chroot: '' });
    assert.throws(() => parseConnectString('/only-chroot'), BadArgumentsError);
    assert.throws(() => parseConnectString('h:99999'), BadArgumentsError);
    assert.throws(() => parseConnectString('h:1/bad/'), BadArgumentsError);
  });

  it('maps paths into and out of the chroot', () => {
    const chroot = new Chroot('/app');
    assert.equal(chroot.toServer('/'), '/app');
    assert.equal(chroot.toServer('/a/b'), '/app/a/b');
    assert.equal(chroot.toClient('/app'), '/');
    assert.equal(chroot.toClient('/app/a'), '/a');
    assert.equal(chroot.toClient('/apple'), '/apple', 'a sibling with the same prefix is outside');
    assert.equal(chroot.toClient('/zookeeper/config'), '/zookeeper/config');
    assert.equal(new Chroot('').toServer('/a'), '/a');
  });

  it('validates paths like ZooKeeper', () => {
    for (const good of ['/', '/a', '/a/b-c_d.e', '/\u00e9t\u00e9']) validatePath(good, false);
    for (const bad of ['', 'a', '/a/', '//a', '/a//b', '/a/./b', '/..', '/a\u0000b', '/a\u0001', '/\ud800x']) {
      assert.throws(() => validatePath(bad, false), BadArgumentsError, JSON.stringify(bad));
    }
    validatePath('/queue/', true);
  });
});

describe('typed errors', () => {
  it('maps every code users branch on to its class, with a stable code', () => {
    const cases: [number, new (...args: never[]) => ZooKeeperError][] = [
      [ErrorCode.NONODE, NoNodeError], [ErrorCode.NODEEXISTS, NodeExistsError], [ErrorCode.BADVERSION, BadVersionError],
      [ErrorCode.CONNECTIONLOSS, ConnectionLossError], [ErrorCode.SESSIONEXPIRED, SessionExpiredError],
      [ErrorCode.RUNTIMEINCONSISTENCY, RuntimeInconsistencyError],
    ];
    for (const [code, Class] of cases) {
      const error = errorFromCode(code, { path: '/p' });
      assert.ok(error instanceof Class);
      assert.ok(error instanceof ZooKeeperError);
      assert.equal(error.code, code);
      assert.equal(error.path, '/p');
      assert.equal(error.name, Class.name);
    }
    assert.equal(errorFromCode(-999).constructor, ZooKeeperError);
    const cause = new Error('socket');
    assert.equal(new ConnectionLossError('x', { cause }).cause, cause);
  });

  it('separates retryable from terminal failures', () => {
    assert.equal(isRetryable(new ConnectionLossError()), true);
    assert.equal(isRetryable(new RequestTimeoutError()), true);
    assert.equal(isRetryable(new SessionExpiredError()), false);
    assert.equal(isRetryable(new ClientClosedError()), false);
    assert.equal(isRetryable(new NoNodeError()), false);
    assert.equal(isRetryable(new Error('other')), false);
  });
});

describe('watch registry', () => {
  it('fires one-shot kinds per ZooKeeper semantics and dedupes a listener', () => {
    const registry = new WatchRegistry<string>();
    registry.add('data', '/a', 'D');
    registry.add('exist', '/a', 'E');
    registry.add('child', '/a', 'C');
    registry.add('data', '/a', 'X');
    registry.add('child', '/a', 'X');
    assert.deepEqual(registry.materialize('NodeChildrenChanged', '/a').sort(), ['C', 'X']);
    assert.deepEqual(registry.materialize('NodeDataChanged', '/a').sort(), ['D', 'E', 'X']);
    assert.deepEqual(registry.materialize('NodeDeleted', '/a'), []);
    registry.add('data', '/b', 'D');
    registry.add('child', '/b', 'D');
    assert.deepEqual(registry.materialize('NodeDeleted', '/b'), ['D'], 'once, though registered twice');
    assert.equal(registry.size, 0);
  });

  it('keeps persistent watches and matches recursive ones on ancestors', () => {
    const registry = new WatchRegistry<string>();
    registry.add('persistent', '/a', 'P');
    registry.add('persistentRecursive', '/', 'R');
    assert.deepEqual(registry.materialize('NodeChildrenChanged', '/a'), ['P']);
    assert.deepEqual(registry.materialize('NodeCreated', '/a/b/c'), ['R']);
    assert.deepEqual(registry.materialize('NodeDeleted', '/a').sort(), ['P', 'R']);
    assert.equal(registry.size, 2);
  });
});

describe('multi wire layout', () => {
  const root = new Chroot('/app');

  it('encodes ops the server codec reads back, with chroot applied', () => {
    const op = ops.multiOp(root, [
      { type: 'create', path: '/a', data: 'x', options: { mode: 'ephemeral' } },
      { type: 'create', path: '/t', options: { mode: 'persistentWithTtl', ttlMs: 5000 } },
      { type: 'create', path: '/c', options: { mode: 'container' } },
      { type: 'delete', path: '/b', version: 3 },
      { type: 'setData', path: '/a', data: new Uint8Array([1, 2]) },
      { type: 'check', path: '/', version: 0 },
    ]);
    const writer = new JuteWriter();
    op.write(writer);
    const decoded = decodeMultiOps(writer.toBytes(), 'write');
    assert.deepEqual(decoded.map((d) => [d.type, d.request.path]), [
      [OpCode.create, '/app/a'], [OpCode.createTTL, '/app/t'], [OpCode.createContainer, '/app/c'],
      [OpCode.delete, '/app/b'], [OpCode.setData, '/app/a'], [OpCode.check, '/app'],
    ]);
    assert.equal((decoded[1]!.request as { ttl: bigint }).ttl, 5000n);
    assert.equal((decoded[3]!.request as { version: number }).version, 3);
  });

  it('decodes success and failure results; a failure names the first failing op', () => {
    const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n };
    const op = ops.multiOp(root, [{ type: 'create', path: '/a' }, { type: 'setData', path: '/a', data: 'q' }, { type: 'check', path: '/a', version: 1 }]);
    const ok = new JuteWriter();
    encodeMultiResults(ok, [{ type: 1, path: '/app/a' }, { type: 5, stat }, { type: 13 }]);
    assert.deepEqual(op.read(new JuteReader(ok.toBytes())).map((r) => r.type === 'create' ? r.path : r.type), ['/a', 'setData', 'check']);
    const failed = new JuteWriter();
    encodeMultiResults(failed, [{ type: -1, err: 0 }, { type: -1, err: ErrorCode.BADVERSION }, { type: -1, err: ErrorCode.RUNTIMEINCONSISTENCY }]);
    assert.throws(() => op.read(new JuteReader(failed.toBytes())), (error: unknown) => {
      assert.ok(error instanceof BadVersionError);
      assert.equal(error.path, '/a');
      assert.deepEqual(error.multi?.opCodes, [0, ErrorCode.BADVERSION, ErrorCode.RUNTIMEINCONSISTENCY]);
      assert.equal(error.multi?.failedOpIndex, 1);
      assert.ok(error.multi?.opErrors[2] instanceof RuntimeInconsistencyError);
      return true;
    });
  });

  it('multiRead results fail independently', () => {
    const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0, pzxid: 1n };
    const op = ops.multiReadOp(root, [{ type: 'getData', path: '/a' }, { type: 'getChildren', path: '/' }, { type: 'getData', path: '/x' }]);
    const writer = new JuteWriter();
    op.write(writer);
    assert.deepEqual(decodeMultiOps(writer.toBytes(), 'read').map((d) => d.request.path), ['/app/a', '/app', '/app/x']);
    const results = new JuteWriter();
    encodeMultiResults(results, [{ type: 4, data: '\u0009', stat }, { type: 8, children: ['a'] }, { type: -1, err: ErrorCode.NONODE }]);
    const read = op.read(new JuteReader(results.toBytes()));
    assert.equal(read[0]!.type === 'getData' && read[0]!.data[0], 9);
    assert.deepEqual(read[1], { type: 'getChildren', children: ['a'] });
    assert.ok(read[2]!.type === 'error' && read[2]!.error instanceof NoNodeError && read[2]!.error.path === '/x');
  });

  it('rejects bad create options before sending', () => {
    assert.throws(() => ops.createOp(root, '/a', null, { mode: 'persistentWithTtl' }), BadArgumentsError);
    assert.throws(() => ops.createOp(root, '/a', null, { mode: 'persistent', ttlMs: 5 }), BadArgumentsError);
    assert.throws(() => ops.createOp(root, 'a', null, {}), BadArgumentsError);
    assert.throws(() => ops.deleteOp(root, '/a', -2), BadArgumentsError);
    const seq = ops.createOp(root, '/q/', null, { mode: 'persistentSequential' });
    const writer = new JuteWriter();
    seq.write(writer);
    const request = readRecord(new JuteReader(writer.toBytes()), R.CreateRequest);
    assert.deepEqual([request.path, request.flags, seq.opCode], ['/app/q/', 2, OpCode.create]);
    void writeRecord;
  });
});
