/**
 * `zkts shell` driven as scripts drive zkCli.sh: commands on stdin, and one command per run
 * (`zkts shell -server host:port cmd args`). Against a real zkts server over TCP, with expected
 * output in zkCli's formats; and, when Apache ZooKeeper is installed, the same script through
 * the real zkCli.sh against ZooKeeper 3.8, whose stdout must match ours exactly (after zxids and
 * dates are normalized) and whose stderr may differ only by the deviations listed here, which
 * the README documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apacheZooKeeperAvailable, freePort, startApacheZooKeeper, startZkts, type RunningServer } from '../support/servers.js';
import { normalize, runZkCli, runZkts, zkCliInstalled } from './support.js';

const serverOptions = { config: { extendedTypesEnabled: 'true' } };

/** Exercises every command family, successes and failures; ROOT is replaced per run. */
const script = `create ROOT hello
create ROOT again
create ROOT/child
create -e ROOT/eph
create -s ROOT/seq- x
create -c ROOT/cont
create ROOT/nodata
create ROOT/empty ""
get ROOT/nodata
get ROOT/empty
get -s ROOT
ls ROOT
ls -s ROOT
ls -R ROOT
stat ROOT/child
set ROOT v2
set -s -v 1 ROOT v3
set -v 7 ROOT v4
delete ROOT
delete -v 3 ROOT/child
getAcl ROOT
setAcl ROOT world:anyone:cdrwx
getAcl -s ROOT
create ROOT/acl x ip:127.0.0.1:cdrwa,world:anyone:r
getAcl ROOT/acl
setAcl ROOT/acl bad
getEphemerals ROOT
getAllChildrenNumber ROOT
sync ROOT
whoami
addauth digest user:secret
whoami
create ROOT/mine x auth::cdrwa
getAcl ROOT/mine
create -t 100 -e ROOT/t
create -c -s ROOT/t
create -t abc ROOT/t
create -t 0 ROOT/t
create ROOT/x/y/z
create noslash
ls -x /
ls
foo bar
history
redo 3
redo 99
config
removewatches ROOT
get -w ROOT
removewatches ROOT -d
deleteall ROOT
ls ROOT
get /zookeeper
quit
`;

/** A normalized Stat block: zxids and times are the same placeholder on every server. */
function stat(cversion: number, dataVersion: number, aclVersion: number, dataLength: number, numChildren: number): string {
  return ['cZxid = 0x…', 'ctime = <date>', 'mZxid = 0x…', 'mtime = <date>', 'pZxid = 0x…', `cversion = ${cversion}`,
    `dataVersion = ${dataVersion}`, `aclVersion = ${aclVersion}`, 'ephemeralOwner = 0x…', `dataLength = ${dataLength}`,
    `numChildren = ${numChildren}`].join('\n');
}

const expectedStdout = `Connecting to <server>
Welcome to ZooKeeper!
JLine support is disabled

WATCHER::

WatchedEvent state:SyncConnected type:None path:null
null

hello
${stat(6, 0, 0, 5, 6)}
[child, cont, empty, eph, nodata, seq-0000000002]
[child, cont, empty, eph, nodata, seq-0000000002]
${stat(6, 0, 0, 5, 6)}
ROOT
ROOT/child
ROOT/cont
ROOT/empty
ROOT/eph
ROOT/nodata
ROOT/seq-0000000002
${stat(0, 0, 0, 0, 0)}
${stat(6, 2, 0, 2, 6)}
'world,'anyone
: cdrwa
'world,'anyone
: cdrw
${stat(6, 2, 1, 2, 6)}
'ip,'127.0.0.1
: cdrwa
'world,'anyone
: r
[ROOT/eph]
7
Sync is OK
Auth scheme: User
ip: 127.0.0.1
Auth scheme: User
ip: 127.0.0.1
digest: user
'digest,'user:5w9W4eL3797Y4Wq8AcKUPPk8ha4=
: cdrwa
33 - getAcl ROOT/mine
34 - create -t 100 -e ROOT/t
35 - create -c -s ROOT/t
36 - create -t abc ROOT/t
37 - create -t 0 ROOT/t
38 - create ROOT/x/y/z
39 - create noslash
40 - ls -x /
41 - ls
42 - foo bar
43 - history

v3

WATCHER::

WatchedEvent state:SyncConnected type:DataWatchRemoved path:ROOT


WATCHER::

WatchedEvent state:Closed type:None path:null
`;

/** zkCli's stderr for the script, with zkts's differences marked. */
function expectedStderr(flavour: 'zkts' | 'zkCli'): string {
  const zkCliOnly = (line: string) => (flavour === 'zkCli' ? [line] : []);
  return [
    'Created ROOT',
    'Node already exists: ROOT',
    'Created ROOT/child',
    'Created ROOT/eph',
    'Created ROOT/seq-0000000002',
    'Created ROOT/cont',
    'Created ROOT/nodata',
    'Created ROOT/empty',
    'version No is not valid : ROOT',
    'Node not empty: ROOT',
    'version No is not valid : ROOT/child',
    'Unknown perm type: x',
    'Created ROOT/acl',
    'bad does not have the form scheme:id:perm',
    // zkCli adds a second line; zkts keeps errors to one.
    ...zkCliOnly('Acl is not valid : null'),
    'Created ROOT/mine',
    'TTLs cannot be used with Ephemeral znodes',
    '-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.',
    '-t argument must be a long value',
    'ttl must be positive and cannot be larger than: 1099511627775',
    'Node does not exist: ROOT/x/y/z',
    // The client library's path check words it differently.
    flavour === 'zkCli' ? 'Path must start with / character' : "invalid path 'noslash': must start with /",
    // zkCli prints the Java exception class first.
    `${flavour === 'zkCli' ? 'org.apache.commons.cli.UnrecognizedOptionException: ' : ''}Unrecognized option: -x`,
    'ls [-s] [-w] [-R] path',
    'ZooKeeper -server host:port -client-configuration properties-file cmd args',
    ...commandUsages(flavour),
    'Command not found: Command not found foo',
    'Node already exists: ROOT/eph',
    'Command index out of range',
    'KeeperErrorCode = No such watcher for ROOT',
    'Node does not exist: ROOT',
    '',
  ].join('\n');
}

/** The usage listing; zkts has no reconfig command. */
function commandUsages(flavour: 'zkts' | 'zkCli'): string[] {
  const all = [
    'addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
    'addauth scheme auth', 'close ', 'config [-c] [-w] [-s]', 'connect host:port',
    'create [-s] [-e] [-c] [-t ttl] path [data] [acl]', 'delete [-v version] path', 'deleteall path [-b batch size]',
    'delquota [-n|-b|-N|-B] path', 'get [-s] [-w] path', 'getAcl [-s] path', 'getAllChildrenNumber path',
    'getEphemerals path', 'history ', 'listquota path', 'ls [-s] [-w] [-R] path', 'printwatches on|off', 'quit ',
    'reconfig [-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
    'redo cmdno', 'removewatches path [-c|-d|-a] [-l]', 'set [-s] [-v version] path data',
    'setAcl [-s] [-v version] [-R] path acl', 'setquota -n|-b|-N|-B val path', 'stat [-w] path', 'sync path', 'version ', 'whoami ',
  ];
  const zkCliOnly = /^reconfig /;
  return all.filter((usage) => flavour === 'zkCli' || !zkCliOnly.test(usage)).map((usage) => `\t${usage}`);
}

function forRoot(text: string, root: string): string {
  return text.split(root).join('ROOT');
}

describe('zkts shell with commands on stdin', () => {
  let zkts: RunningServer;
  before(async () => { zkts = await startZkts(serverOptions); });
  after(async () => { await zkts?.stop(); });

  it("prints zkCli's output for every command, errors on stderr, and exits 1 because some failed", async () => {
    const root = '/script';
    const result = await runZkts(['shell', '-server', zkts.connectString, '-timeout', '10000'], { input: script.split('ROOT').join(root) });
    assert.equal(forRoot(normalize(result.stdout, zkts.connectString), root), expectedStdout);
    assert.equal(forRoot(result.stderr, root), expectedStderr('zkts'));
    assert.equal(result.code, 1);
  });

  it('exits 0 when every command succeeded, and closes the session at end of input', async () => {
    const result = await runZkts(['shell', '-server', zkts.connectString], { input: 'create -e /eof-ephemeral\nls /zookeeper\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\[config, quota\]\n$/, 'no Closed event at end of input, as zkCli');
    // The ephemeral went with the session: the shell closed it rather than leaving it to expire.
    const after = await runZkts(['shell', '-server', zkts.connectString, 'stat', '/eof-ephemeral']);
    assert.equal(after.code, 1);
    assert.equal(after.stderr, 'Node does not exist: /eof-ephemeral\n');
  });
});

describe('zkts shell running one command', () => {
  let zkts: RunningServer;
  before(async () => { zkts = await startZkts(serverOptions); });
  after(async () => { await zkts?.stop(); });
  const shell = (...args: string[]) => runZkts(['shell', '-server', zkts.connectString, '-timeout', '10000', ...args]);
  const header = () => `Connecting to ${zkts.connectString}\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n`;

  it('prints the result after the connection event and exits 0', async () => {
    const created = await shell('create', '/one', 'two words');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, header());
    assert.equal(created.stderr, 'Created /one\n');
    const got = await shell('get', '/one');
    assert.equal(got.stdout, `${header()}two words\n`, 'argv words are taken as they are, not split again');
    assert.equal(got.code, 0);
  });

  it('exits 1 with one error line when the command fails, 1 for bad usage, 127 for an unknown command', async () => {
    const missing = await shell('get', '/nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Node does not exist: /nope\n');
    const usage = await shell('set', '/one');
    assert.equal(usage.code, 1);
    assert.equal(usage.stderr, 'set [-s] [-v version] path data\n');
    const unknown = await shell('frobnicate');
    assert.equal(unknown.code, 127);
    assert.match(unknown.stderr, /Command not found: Command not found frobnicate\n$/);
  });

  it('gives up on an unreachable server within its timeout, with one line and exit 1', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const result = await runZkts(['shell', '-server', nobody, '-timeout', '1500', 'ls', '/']);
    const tookMs = Date.now() - started;
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^Unable to connect to ${nobody}: .+\n$`));
    assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
  });

  it('answers --help with its usage, listing every command', async () => {
    const help = await runZkts(['shell', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: zkts shell /);
    assert.match(help.stdout, /\n {2}removewatches path \[-c\|-d\|-a\] \[-l\]\n/);
  });
});

const differential = zkCliInstalled && apacheZooKeeperAvailable() ? false : 'zkCli.sh and Apache ZooKeeper are not installed';

describe('zkts shell next to zkCli.sh on Apache ZooKeeper 3.8', { skip: differential }, () => {
  let zookeeper: RunningServer;
  let zkts: RunningServer;
  before(async () => {
    [zookeeper, zkts] = await Promise.all([startApacheZooKeeper(serverOptions), startZkts(serverOptions)]);
  });
  after(async () => { await Promise.all([zookeeper?.stop(), zkts?.stop()]); });

  it('prints the same stdout for the script, on either server, and stderr differing only as documented', async () => {
    const reference = await runZkCli(['-server', zookeeper.connectString], script.split('ROOT').join('/by-zkcli'));
    const referenceOut = forRoot(normalize(reference.stdout, zookeeper.connectString), '/by-zkcli');
    assert.equal(forRoot(reference.stderr, '/by-zkcli'), expectedStderr('zkCli'), 'zkCli itself behaves as this test expects');
    for (const [server, root] of [[zookeeper, '/by-zkts-on-zookeeper'], [zkts, '/by-zkts-on-zkts']] as const) {
      const ours = await runZkts(['shell', '-server', server.connectString, '-timeout', '10000'], { input: script.split('ROOT').join(root) });
      assert.equal(forRoot(normalize(ours.stdout, server.connectString), root), referenceOut, `stdout against ${server.kind}`);
      assert.equal(forRoot(ours.stderr, root), expectedStderr('zkts'), `stderr against ${server.kind}`);
    }
  });

  it('quota commands print what zkCli.sh prints, on either server, and leave the same /zookeeper/quota', async () => {
    // Limits set and merged, listed, nested quotas refused both ways, bad options and values,
    // the warnings for limits the subtree already exceeds, and deletion of one limit or all.
    const quotaScript = `create ROOT hello
create ROOT/child c
create ROOT/child/deep dd
setquota -n 10 ROOT
listquota ROOT
setquota -B 1000 ROOT
listquota ROOT
setquota -n 5 ROOT/child
setquota ROOT
setquota -n 1 -b 2 ROOT
setquota -n abc ROOT
setquota -b 0 ROOT
setquota -N -3 ROOT
setquota -n 1 ROOT/none
setquota -N 1 ROOT
setquota -b 2 ROOT
listquota ROOT
delquota -n -b ROOT
delquota -n ROOT
listquota ROOT
delquota ROOT
listquota ROOT
delquota ROOT
setquota -n 3 ROOT/child/deep
setquota -n 3 ROOT
listquota ROOT/child/deep
ls /zookeeper/quotaROOT
delquota ROOT/child/deep
listquota ROOT/child
ls /zookeeper/quota
quit
`;
    const runs = [
      { run: (text: string) => runZkCli(['-server', zookeeper.connectString], text), server: zookeeper, root: '/q-by-zkcli' },
      { run: (text: string) => runZkts(['shell', '-server', zookeeper.connectString, '-timeout', '10000'], { input: text }), server: zookeeper, root: '/q-by-zkts-on-zookeeper' },
      { run: (text: string) => runZkts(['shell', '-server', zkts.connectString, '-timeout', '10000'], { input: text }), server: zkts, root: '/q-by-zkts-on-zkts' },
    ];
    const results = [];
    for (const { run, server, root } of runs) {
      const result = await run(quotaScript.split('ROOT').join(root));
      // ls of the quota root names every run's directory: keep only this run's.
      const stdout = forRoot(normalize(result.stdout, server.connectString), root).replace(/\[(q-by-[a-z-]+(, )?)*\]/g, '[…]');
      results.push({ stdout, stderr: forRoot(result.stderr, root) });
    }
    const [reference, ...ours] = results;
    assert.match(reference!.stdout, /Output quota for ROOT count=10,bytes=2=;byteHardLimit=1000;countHardLimit=1\n/, 'zkCli as this test expects');
    assert.equal((reference!.stdout.match(/\[Warning\]/g) ?? []).length, 5);
    for (const [index, mine] of ours.entries()) {
      assert.equal(mine.stdout, reference!.stdout, `stdout, run ${index + 2}`);
      // zkCli prints commons-cli's exception class before its message; zkts only the message.
      assert.equal(mine.stderr, reference!.stderr.replace(/^org\.apache\.commons\.cli\.\w+Exception: /gm, ''), `stderr, run ${index + 2}`);
    }
  });

  it('prints the same as zkCli.sh for single commands', async () => {
    const setup = await runZkts(['shell', '-server', zookeeper.connectString], {
      input: 'create /single "some data"\ncreate /single/k1\ncreate -e /single/k2\nsetAcl /single/k1 world:anyone:rw,ip:127.0.0.1:cdrwa\n',
    });
    assert.equal(setup.code, 0, setup.stderr);
    for (const command of [['get', '-s', '/single'], ['ls', '-s', '/single'], ['ls', '-R', '/single'], ['getAcl', '-s', '/single/k1'],
      ['stat', '/single/k2'], ['getAllChildrenNumber', '/'], ['get', '/absent'], ['delete', '/single']]) {
      const reference = await runZkCli(['-server', zookeeper.connectString, ...command]);
      const ours = await runZkts(['shell', '-server', zookeeper.connectString, ...command]);
      const what = command.join(' ');
      assert.equal(normalize(ours.stdout, zookeeper.connectString), normalize(reference.stdout, zookeeper.connectString), `stdout of ${what}`);
      assert.equal(ours.stderr, reference.stderr, `stderr of ${what}`);
      assert.equal(ours.code, reference.code, `exit code of ${what}`);
    }
  });
});
