/**
 * Every promise-API operation of the client against a real zkts server and a real Apache
 * ZooKeeper 3.8 (started once per kind): create in every mode, reads and writes with versions,
 * ACLs and digest auth, multi/transactions (also failing ones), multiRead, getEphemerals,
 * getAllChildrenNumber, whoAmI, sync, chroot, and the typed error each failure maps to.
 * Each test works under its own top-level node so tests do not see each other's data.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import {
  BadArgumentsError, BadVersionError, ClientClosedError, CREATOR_ALL_ACL, isRetryable, InvalidACLError, NoAuthError, NoChildrenForEphemeralsError, NodeExistsError,
  NoNodeError, NotEmptyError, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, RuntimeInconsistencyError, ZooKeeperError,
  type ACL,
} from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/codes.js';
import { describeEachServer, serverOptions, waitFor } from './support.js';

/** Container and TTL reaping every 100 ms, so the tests can see that the modes took effect. */
const options = { ...serverOptions, config: { ...serverOptions.config, 'znode.container.checkIntervalMs': '100' } };

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** ZooKeeper's digest ACL id for user:password (facts §2.4): user:base64(sha1("user:password")). */
function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

async function rejectsWith(promise: Promise<unknown>, Class: abstract new (...args: never[]) => ZooKeeperError, code: number, path?: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Class, `expected ${Class.name}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (path !== undefined) assert.equal(error.path, path);
    return true;
  });
}

describeEachServer('client operations', (ctx) => {
  it('creates persistent and ephemeral nodes and reads them back with their Stat', async () => {
    const zk = await ctx.client();
    assert.equal(await zk.create('/crud', 'hello'), '/crud');
    const { data, stat } = await zk.getData('/crud');
    assert.equal(text(data), 'hello');
    assert.equal(stat.version, 0);
    assert.equal(stat.dataLength, 5);
    assert.equal(stat.ephemeralOwner, 0n);
    assert.equal(stat.czxid, stat.mzxid);

    const created = await zk.create2('/crud/bytes', Uint8Array.of(0, 1, 255), { mode: 'persistent' });
    assert.equal(created.path, '/crud/bytes');
    assert.deepEqual([...(await zk.getData('/crud/bytes')).data], [0, 1, 255]);
    assert.deepEqual((await zk.exists('/crud/bytes'))?.czxid, created.stat.czxid);

    await zk.create('/crud/empty');
    assert.equal((await zk.getData('/crud/empty')).data.length, 0);

    await zk.create('/crud/eph', 'e', { mode: 'ephemeral' });
    assert.equal((await zk.exists('/crud/eph'))?.ephemeralOwner, zk.sessionId);

    const parent = await zk.getChildren('/crud', { withStat: true });
    assert.deepEqual(parent.children.sort(), ['bytes', 'empty', 'eph']);
    assert.equal(parent.stat.numChildren, 3);
    assert.deepEqual((await zk.getChildren('/crud')).sort(), ['bytes', 'empty', 'eph']);
    assert.equal(await zk.exists('/crud/none'), null);
  });

  it('names sequential nodes with the parent counter, shared by every sequential mode', async () => {
    const zk = await ctx.client();
    await zk.create('/seq');
    assert.equal(await zk.create('/seq/n-', 'a', { mode: 'persistentSequential' }), '/seq/n-0000000000');
    assert.equal(await zk.create('/seq/n-', 'b', { mode: 'persistentSequential' }), '/seq/n-0000000001');
    assert.equal(await zk.create('/seq/e-', null, { mode: 'ephemeralSequential' }), '/seq/e-0000000002');
    assert.equal(await zk.create('/seq/', null, { mode: 'persistentSequential' }), '/seq/0000000003');
    assert.equal((await zk.exists('/seq/e-0000000002'))?.ephemeralOwner, zk.sessionId);
  });

  it('creates containers that are reaped once their last child goes', async () => {
    const zk = await ctx.client();
    const created = await zk.create2('/box', null, { mode: 'container' });
    assert.equal(created.stat.ephemeralOwner, 0n, 'containers report ephemeralOwner 0');
    await zk.create('/box/item');
    await zk.delete('/box/item');
    await waitFor('the container to be reaped', async () => (await zk.exists('/box')) === null, 10_000);
  });

  it('creates TTL nodes (also sequential) that are reaped after their ttl', async () => {
    const zk = await ctx.client();
    await zk.create('/ttl');
    const kept = await zk.create2('/ttl/kept', 'x', { mode: 'persistentWithTtl', ttlMs: 60_000 });
    assert.equal(kept.stat.ephemeralOwner, 0n, 'TTL nodes report ephemeralOwner 0');
    assert.equal(await zk.create('/ttl/short-', 'y', { mode: 'persistentSequentialWithTtl', ttlMs: 200 }), '/ttl/short-0000000001');
    await waitFor('the short TTL node to be reaped', async () => (await zk.exists('/ttl/short-0000000001')) === null, 10_000);
    assert.notEqual(await zk.exists('/ttl/kept'), null, 'a node whose ttl has not passed stays');
    await assert.rejects(zk.create('/ttl/bad', null, { mode: 'persistentWithTtl' }), BadArgumentsError);
    await assert.rejects(zk.create('/ttl/bad', null, { mode: 'persistent', ttlMs: 10 }), BadArgumentsError);
  });

  it('checks versions on setData, delete and setACL', async () => {
    const zk = await ctx.client();
    await zk.create('/ver', 'v0');
    const stat1 = await zk.setData('/ver', 'v1', 0);
    assert.equal(stat1.version, 1);
    assert.equal((await zk.setData('/ver', 'v2')).version, 2, 'version -1 matches any');
    await rejectsWith(zk.setData('/ver', 'v3', 1), BadVersionError, ErrorCode.BADVERSION, '/ver');
    assert.equal(text((await zk.getData('/ver')).data), 'v2');
    await rejectsWith(zk.delete('/ver', 0), BadVersionError, ErrorCode.BADVERSION, '/ver');

    const noWrite: ACL[] = [{ perms: Perms.ALL & ~Perms.WRITE, id: { scheme: 'world', id: 'anyone' } }];
    const aclStat = await zk.setACL('/ver', noWrite, 0);
    assert.equal(aclStat.aversion, 1);
    await rejectsWith(zk.setACL('/ver', OPEN_ACL_UNSAFE, 0), BadVersionError, ErrorCode.BADVERSION);
    const { acl, stat } = await zk.getACL('/ver');
    assert.deepEqual(acl, noWrite);
    assert.equal(stat.aversion, 1);
    assert.equal(stat.version, 2, 'setACL leaves the data version alone');
    await rejectsWith(zk.setData('/ver', 'v3'), NoAuthError, ErrorCode.NOAUTH, '/ver');

    await zk.delete('/ver', 2);
    assert.equal(await zk.exists('/ver'), null);
  });

  it('maps server failures to typed errors carrying the client path and the wire code', async () => {
    const zk = await ctx.client();
    await rejectsWith(zk.getData('/err/none'), NoNodeError, ErrorCode.NONODE, '/err/none');
    await rejectsWith(zk.create('/err/none/child'), NoNodeError, ErrorCode.NONODE);
    await rejectsWith(zk.setData('/err', 'x'), NoNodeError, ErrorCode.NONODE);
    await zk.create('/err');
    await rejectsWith(zk.create('/err'), NodeExistsError, ErrorCode.NODEEXISTS, '/err');
    await zk.create('/err/child');
    await rejectsWith(zk.delete('/err'), NotEmptyError, ErrorCode.NOTEMPTY, '/err');
    await zk.create('/err/eph', null, { mode: 'ephemeral' });
    await rejectsWith(zk.create('/err/eph/child'), NoChildrenForEphemeralsError, ErrorCode.NOCHILDRENFOREPHEMERALS);
    await rejectsWith(zk.create('/err/auth', null, { acl: CREATOR_ALL_ACL }), InvalidACLError, ErrorCode.INVALIDACL, '/err/auth');
    await rejectsWith(zk.create('/err/acl', null, { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: 'no-colon' } }] }), InvalidACLError, ErrorCode.INVALIDACL);
    await rejectsWith(zk.create('/err/acl', null, { acl: [{ perms: Perms.ALL, id: { scheme: 'nosuchscheme', id: 'x' } }] }), InvalidACLError, ErrorCode.INVALIDACL);
    await zk.create('/err/ro', 'r', { acl: READ_ACL_UNSAFE });
    assert.equal(text((await zk.getData('/err/ro')).data), 'r');
    await rejectsWith(zk.setData('/err/ro', 'w'), NoAuthError, ErrorCode.NOAUTH, '/err/ro');
    await rejectsWith(zk.create('/err/ro/child'), NoAuthError, ErrorCode.NOAUTH);
    assert.equal(await zk.exists('/err/auth'), null);
    assert.equal(await zk.exists('/err/acl'), null);
  });

  it('rejects invalid paths and arguments before sending anything', async () => {
    const zk = await ctx.client();
    for (const path of ['', 'relative', '/trailing/', '/a//b', '/a/./b', '/a/../b', '/nul\u0000']) {
      await assert.rejects(zk.create(path), BadArgumentsError, JSON.stringify(path));
      await assert.rejects(zk.getData(path), BadArgumentsError, JSON.stringify(path));
    }
    await assert.rejects(zk.setData('/x', 'y', -2), BadArgumentsError);
    await assert.rejects(zk.create('/x', null, { acl: [] }), BadArgumentsError);
    assert.equal(zk.state, 'connected', 'nothing reached the server to make it close the connection');
    assert.ok((await zk.exists('/')) !== null);
  });

  it('protects nodes with digest ACLs; addAuth grants access and shows in whoAmI', async () => {
    const owner = await ctx.client();
    const other = await ctx.client();
    assert.deepEqual(await owner.whoAmI(), [{ authScheme: 'ip', user: '127.0.0.1' }]);
    await owner.addAuth('digest', 'alice:secret');
    const identities = (await owner.whoAmI()).map((info) => `${info.authScheme}:${info.user}`).sort();
    assert.deepEqual(identities, ['digest:alice', 'ip:127.0.0.1']);

    await owner.create('/secret', 'classified', { acl: CREATOR_ALL_ACL });
    const { acl } = await owner.getACL('/secret');
    assert.deepEqual(acl, [{ perms: Perms.ALL, id: { scheme: 'digest', id: digestId('alice', 'secret') } }]);
    assert.equal(text((await owner.getData('/secret')).data), 'classified');

    await rejectsWith(other.getData('/secret'), NoAuthError, ErrorCode.NOAUTH, '/secret');
    await rejectsWith(other.setData('/secret', 'x'), NoAuthError, ErrorCode.NOAUTH);
    await other.addAuth('digest', 'mallory:guess');
    await rejectsWith(other.getData('/secret'), NoAuthError, ErrorCode.NOAUTH);
    await other.addAuth('digest', 'alice:secret');
    assert.equal(text((await other.getData('/secret')).data), 'classified');

    const readOnly: ACL[] = [{ perms: Perms.READ, id: { scheme: 'digest', id: digestId('bob', 'pw') } }];
    await owner.create('/secret/bob', 'b', { acl: readOnly });
    const bob = await ctx.client({ auth: [{ scheme: 'digest', auth: 'bob:pw' }] });
    assert.equal(text((await bob.getData('/secret/bob')).data), 'b', 'auth from the options is sent before any request');
    await rejectsWith(bob.setData('/secret/bob', 'x'), NoAuthError, ErrorCode.NOAUTH);
    await rejectsWith(owner.getData('/secret/bob'), NoAuthError, ErrorCode.NOAUTH);
  });

  it('runs transactions atomically and reports a failing one per op', async () => {
    const zk = await ctx.client();
    await zk.create('/tx', 'v0');
    const results = await zk.transaction()
      .check('/tx', 0)
      .create('/tx/a', 'a')
      .create('/tx/s-', null, { mode: 'persistentSequential' })
      .setData('/tx', 'v1', 0)
      .create('/tx/gone')
      .delete('/tx/gone')
      .commit();
    assert.equal(results.length, 6);
    assert.deepEqual(results[0], { type: 'check' });
    assert.deepEqual(results[1], { type: 'create', path: '/tx/a' });
    assert.deepEqual(results[2], { type: 'create', path: '/tx/s-0000000001' });
    assert.equal(results[3]?.type, 'setData');
    assert.equal(results[3]?.type === 'setData' ? results[3].stat.version : undefined, 1);
    assert.deepEqual(results[5], { type: 'delete' });
    assert.deepEqual((await zk.getChildren('/tx')).sort(), ['a', 's-0000000001']);

    const before = await zk.exists('/tx');
    await assert.rejects(
      zk.transaction().create('/tx/b').check('/tx', 0).setData('/tx', 'v2').commit(),
      (error: unknown) => {
        assert.ok(error instanceof BadVersionError, String(error));
        assert.equal(error.multi?.failedOpIndex, 1);
        assert.deepEqual(error.multi?.opCodes, [0, ErrorCode.BADVERSION, ErrorCode.RUNTIMEINCONSISTENCY]);
        assert.ok(error.multi?.opErrors[2] instanceof RuntimeInconsistencyError);
        assert.equal(error.multi?.opErrors[0], undefined);
        return true;
      },
    );
    assert.equal(await zk.exists('/tx/b'), null, 'nothing of a failed transaction is applied');
    assert.equal(text((await zk.getData('/tx')).data), 'v1');
    assert.equal((await zk.exists('/tx'))?.version, before?.version);

    await assert.rejects(zk.multi([{ type: 'create', path: '/tx/a' }, { type: 'delete', path: '/tx/a' }]), (error: unknown) => {
      assert.ok(error instanceof NodeExistsError, String(error));
      assert.deepEqual(error.multi?.opCodes, [ErrorCode.NODEEXISTS, ErrorCode.RUNTIMEINCONSISTENCY]);
      return true;
    });
    assert.notEqual(await zk.exists('/tx/a'), null);

    const kinds = await zk.multi([
      { type: 'create', path: '/tx/c', options: { mode: 'container' } },
      { type: 'create', path: '/tx/t', options: { mode: 'persistentWithTtl', ttlMs: 60_000 } },
    ]);
    assert.deepEqual(kinds.map((result) => (result.type === 'create' ? result.path : result.type)), ['/tx/c', '/tx/t']);
    assert.equal(kinds[0]?.type === 'create' ? kinds[0].stat?.ephemeralOwner : undefined, 0n, 'container results carry a Stat');
  });

  it('reads several nodes in one multiRead, each op failing on its own', async () => {
    const zk = await ctx.client();
    await zk.create('/mr', 'parent');
    await zk.create('/mr/x', 'x');
    const results = await zk.multiRead([
      { type: 'getData', path: '/mr' },
      { type: 'getChildren', path: '/mr' },
      { type: 'getData', path: '/mr/none' },
      { type: 'getData', path: '/mr/x' },
    ]);
    assert.equal(results.length, 4);
    const [data, children, missing, x] = results;
    assert.ok(data?.type === 'getData' && text(data.data) === 'parent' && data.stat.numChildren === 1);
    assert.deepEqual(children, { type: 'getChildren', children: ['x'] });
    assert.ok(missing?.type === 'error' && missing.error instanceof NoNodeError && missing.error.path === '/mr/none');
    assert.ok(x?.type === 'getData' && text(x.data) === 'x');
  });

  it('lists this session\'s ephemerals by prefix and counts all descendants', async () => {
    const zk = await ctx.client();
    const other = await ctx.client();
    await zk.create('/eph');
    await zk.create('/eph/a', null, { mode: 'ephemeral' });
    await zk.create('/eph/ab', null, { mode: 'ephemeral' });
    await zk.create('/eph/p');
    await zk.create('/eph/p/b', null, { mode: 'ephemeral' });
    await other.create('/eph/theirs', null, { mode: 'ephemeral' });
    assert.deepEqual((await zk.getEphemerals('/eph')).sort(), ['/eph/a', '/eph/ab', '/eph/p/b']);
    assert.deepEqual((await zk.getEphemerals('/eph/a')).sort(), ['/eph/a', '/eph/ab'], 'the prefix is a string prefix');
    assert.deepEqual(await other.getEphemerals('/eph'), ['/eph/theirs']);
    assert.equal(await zk.getAllChildrenNumber('/eph'), 5);
    assert.equal(await zk.getAllChildrenNumber('/eph/p'), 1);
    await assert.rejects(zk.getAllChildrenNumber('/eph/none'), NoNodeError);
    await zk.sync('/eph');
  });

  it('resolves every path inside the chroot of the connect string', async () => {
    const root = await ctx.client();
    await root.create('/app');
    const zk = await ctx.client({}, `${ctx.server.connectString}/app`);
    assert.equal(zk.chroot, '/app');
    assert.equal(await zk.create('/x', 'in chroot'), '/x');
    assert.equal(text((await root.getData('/app/x')).data), 'in chroot');
    assert.equal(await zk.create('/s-', null, { mode: 'ephemeralSequential' }), '/s-0000000001');
    assert.deepEqual((await zk.getChildren('/')).sort(), ['s-0000000001', 'x']);
    assert.equal((await zk.exists('/'))?.czxid, (await root.exists('/app'))?.czxid);
    assert.deepEqual(await zk.getEphemerals('/'), ['/s-0000000001']);
    const [created] = await zk.multi([{ type: 'create', path: '/m' }]);
    assert.deepEqual(created, { type: 'create', path: '/m' });
    await assert.rejects(zk.getData('/app/x'), (error: unknown) => error instanceof NoNodeError && error.path === '/app/x');
    const events: string[] = [];
    await zk.getData('/x', { watch: (event) => events.push(`${event.type} ${event.path}`) });
    await root.setData('/app/x', 'changed');
    await waitFor('the chrooted watch event', () => events.length > 0);
    assert.deepEqual(events, ['NodeDataChanged /x']);
    const rootEvents: string[] = [];
    await zk.getChildren('/', { watch: (event) => rootEvents.push(`${event.type} ${event.path}`) });
    await root.create('/app/y');
    await waitFor('the chroot root\'s child event', () => rootEvents.length > 0);
    assert.deepEqual(rootEvents, ['NodeChildrenChanged /'], 'the chroot itself is / to the client');
    await zk.sync('/');
    assert.equal(await zk.getAllChildrenNumber('/'), 4);
  });

  it('closes the session on close() after the calls already made; ephemerals go at once, later calls fail', async () => {
    const observer = await ctx.client();
    const zk = await ctx.client();
    await zk.create('/closing');
    await zk.create('/closing/eph', null, { mode: 'ephemeral' });
    const creates = Array.from({ length: 50 }, (_, i) => zk.create(`/closing/n${i}`));
    const closed = zk.close();
    await assert.rejects(zk.exists('/'), ClientClosedError, 'no call is taken once close() began');
    assert.equal((await Promise.all(creates)).length, 50, 'calls made before close() still ran');
    await closed;
    assert.equal(zk.state, 'closed');
    assert.equal(await observer.exists('/closing/eph'), null);
    assert.equal((await observer.getChildren('/closing')).length, 50);
    await assert.rejects(zk.getData('/'), (error: unknown) => error instanceof ClientClosedError && !isRetryable(error));
    await zk.close(); // idempotent
  });
}, options);

