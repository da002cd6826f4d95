/**
 * The shell's zkCli output formats (src/cli/shell/format.ts) against text captured from a live
 * zkCli.sh 3.8 talking to ZooKeeper 3.8, and the ACL text zkCli accepts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Perms } from '../../src/protocol/codes.js';
import { ErrorCode } from '../../src/protocol/codes.js';
import {
  AclTextError, errorLine, formatAcl, formatChildren, formatHistory, formatStat, formatWatchedEvent, formatWhoAmI,
  javaList, parseAcl, permString, prompt, watcherBlock,
} from '../../src/cli/shell/format.js';
import { clientConfigString } from '../../src/cli/shell/session.js';
import { javaDateString } from '../../src/admin/four-letter.js';

describe('Stat', () => {
  it("prints zkCli's block, zxids and owner in bare hex, times as java.util.Date", () => {
    // `stat /eph1` on ZooKeeper 3.8.0 (zkCli.sh, TZ=UTC).
    const golden = `cZxid = 0x12e
ctime = Tue Dec 01 20:13:03 UTC 2026
mZxid = 0x12e
mtime = Tue Dec 01 20:13:03 UTC 2026
pZxid = 0x12e
cversion = 0
dataVersion = 0
aclVersion = 0
ephemeralOwner = 0x1000006cffa0076
dataLength = 0
numChildren = 0`;
    const at = Date.UTC(2026, 11, 1, 20, 13, 3, 456);
    const stat = {
      czxid: 0x12en, mzxid: 0x12en, ctime: at, mtime: at, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0x1000006cffa0076n, dataLength: 0, numChildren: 0, pzxid: 0x12en,
    };
    assert.equal(formatStat(stat, 'UTC').join('\n'), golden);
  });

  it('prints negative versions as Java does and the epoch for the root', () => {
    const lines = formatStat({
      czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: -2, aversion: -1,
      ephemeralOwner: 0n, dataLength: 0, numChildren: 2, pzxid: 0n,
    }, 'UTC');
    assert.equal(lines[1], 'ctime = Thu Jan 01 00:00:00 UTC 1970');
    assert.equal(lines[5], 'cversion = -2');
    assert.equal(lines[7], 'aclVersion = -1');
  });

  it('prints times in the zone it is given', () => {
    const at = Date.UTC(2026, 0, 15, 12, 0, 0);
    assert.equal(javaDateString(at, 'America/New_York'), 'Thu Jan 15 07:00:00 EST 2026');
    assert.equal(javaDateString(at, 'Etc/UTC'), 'Thu Jan 15 12:00:00 UTC 2026');
    assert.equal(javaDateString(at), 'Thu Jan 15 12:00:00 UTC 2026');
  });
});

describe('lists', () => {
  it('sorts ls children and prints Java lists', () => {
    // The server returned these in hash order; zkCli printed them sorted.
    assert.equal(formatChildren(['zz', 'm2', 'b', 'aa', 'm10']), '[aa, b, m10, m2, zz]');
    assert.equal(formatChildren([]), '[]');
    assert.equal(javaList(['/eph2-0000000024', '/eph1']), '[/eph2-0000000024, /eph1]', 'getEphemerals keeps server order');
  });
});

describe('ACLs', () => {
  it("prints getAcl's two lines per entry, permissions in cdrwa order", () => {
    assert.deepEqual(formatAcl([
      { perms: Perms.ALL, id: { scheme: 'digest', id: 'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=' } },
      { perms: Perms.WRITE | Perms.READ, id: { scheme: 'ip', id: '127.0.0.1' } },
      { perms: Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } },
    ]), ["'digest,'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=", ': cdrwa', "'ip,'127.0.0.1", ': rw', "'world,'anyone", ': a']);
    assert.equal(permString(Perms.CREATE | Perms.DELETE | Perms.READ), 'cdr');
    assert.equal(permString(0), '');
  });

  it('parses scheme:id:perms lists, the id between the first and the last colon', () => {
    assert.deepEqual(parseAcl('digest:bob:9zG2yzsANXzzbp/EPvjPnrPhtkA=:cdrwa,ip:127.0.0.1:rw,auth::a'), {
      acl: [
        { perms: Perms.ALL, id: { scheme: 'digest', id: 'bob:9zG2yzsANXzzbp/EPvjPnrPhtkA=' } },
        { perms: Perms.READ | Perms.WRITE, id: { scheme: 'ip', id: '127.0.0.1' } },
        { perms: Perms.ADMIN, id: { scheme: 'auth', id: '' } },
      ],
      warnings: [],
    });
    assert.deepEqual(parseAcl('world:anyone:'), { acl: [{ perms: 0, id: { scheme: 'world', id: 'anyone' } }], warnings: [] });
  });

  it('warns about unknown permission letters and keeps the rest, as zkCli does', () => {
    assert.deepEqual(parseAcl('world:anyone:cdrwx'), {
      acl: [{ perms: Perms.ALL & ~Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }],
      warnings: ['Unknown perm type: x'],
    });
  });

  it('refuses an entry without two colons', () => {
    assert.throws(() => parseAcl('bad'), (error: unknown) => error instanceof AclTextError && error.message === 'bad does not have the form scheme:id:perm');
    assert.throws(() => parseAcl('world:anyone:r,ip:x'), /ip:x does not have the form/);
  });
});

describe('errors', () => {
  it("rewords the common errors as zkCli's commands do", () => {
    assert.equal(errorLine(ErrorCode.NONODE, '/nope'), 'Node does not exist: /nope');
    assert.equal(errorLine(ErrorCode.NODEEXISTS, '/a'), 'Node already exists: /a');
    assert.equal(errorLine(ErrorCode.NOTEMPTY, '/ne'), 'Node not empty: /ne');
    assert.equal(errorLine(ErrorCode.BADVERSION, '/a'), 'version No is not valid : /a');
    assert.equal(errorLine(ErrorCode.NOAUTH, '/acl'), 'Insufficient permission : /acl');
    assert.equal(errorLine(ErrorCode.BADARGUMENTS, '/zookeeper'), 'Arguments are not valid : /zookeeper');
    assert.equal(errorLine(ErrorCode.NOCHILDRENFOREPHEMERALS, '/e/x'), 'Ephemerals cannot have children: /e/x');
  });

  it("prints the rest as KeeperException's message", () => {
    assert.equal(errorLine(ErrorCode.NOWATCHER, '/w1'), 'KeeperErrorCode = No such watcher for /w1');
    assert.equal(errorLine(ErrorCode.UNIMPLEMENTED, '/t'), 'KeeperErrorCode = Unimplemented for /t');
    assert.equal(errorLine(ErrorCode.SESSIONEXPIRED, '/x'), 'KeeperErrorCode = Session expired for /x');
    assert.equal(errorLine(ErrorCode.CONNECTIONLOSS, undefined), 'KeeperErrorCode = ConnectionLoss');
    assert.equal(errorLine(-999, '/x'), 'KeeperErrorCode = Unknown error -999 for /x');
  });
});

describe('events, prompt, whoami, history, config', () => {
  it("prints WatchedEvent as ZooKeeper 3.8's toString, inside zkCli's WATCHER:: block", () => {
    assert.equal(formatWatchedEvent('SyncConnected', 'NodeDataChanged', '/p1'), 'WatchedEvent state:SyncConnected type:NodeDataChanged path:/p1');
    assert.equal(watcherBlock(formatWatchedEvent('Closed', 'None', null)), '\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n');
  });

  it("shows zkCli's prompt", () => {
    assert.equal(prompt('127.0.0.1:2181', 'CONNECTED', 3), '[zk: 127.0.0.1:2181(CONNECTED) 3] ');
  });

  it('prints whoami as zkCli', () => {
    assert.deepEqual(formatWhoAmI([{ authScheme: 'ip', user: '127.0.0.1' }, { authScheme: 'digest', user: 'u' }]), [
      'Auth scheme: User', 'ip: 127.0.0.1', 'digest: u',
    ]);
  });

  it('lists the running history command and at most ten before it', () => {
    assert.deepEqual(formatHistory(['ls /', 'history']), ['0 - ls /', '1 - history']);
    const many = Array.from({ length: 12 }, (_, i) => `cmd${i}`);
    const listed = formatHistory(many);
    assert.equal(listed.length, 11);
    assert.equal(listed[0], '1 - cmd1');
    assert.equal(listed[10], '11 - cmd11');
  });

  it('turns a dynamic config into the client connect string for config -c', () => {
    assert.equal(clientConfigString(''), ' ', 'a standalone server has no dynamic config; zkCli prints a space');
    assert.equal(clientConfigString('server.1=h1:2888:3888:participant;0.0.0.0:2181\nserver.2=h2:2888:3888:participant;h2:2182\nversion=100000000'),
      '100000000 0.0.0.0:2181,h2:2182');
  });
});
