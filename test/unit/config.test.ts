/**
 * zoo.cfg loading: the properties text format, every value rule, server.N lines, myid, and
 * defaults. The last tests are differential: the same files go through Apache ZooKeeper 3.8's
 * own QuorumPeerConfig and java.util.Properties (via `java` and Debian's zookeeper.jar, skipped
 * when either is missing), and the answers must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, parseConfig, parseProperties, defaultConfig, loadConfigFile, applyMyId, parseMyId, isDistributed,
  fourLetterWhitelistOf, configDefaults, knownConfigKeys, type ServerConfig,
} from '../../src/runtime/config.js';
import { opensslCipherName, ZOOKEEPER_DEFAULT_CIPHERS } from '../../src/runtime/tls-config.js';

const FILE = 'zoo.cfg';
const parse = (...lines: string[]) => parseConfig(lines.join('\n') + '\n', { fileName: FILE });
const config = (...lines: string[]) => parse(...lines).config;
/** A minimal valid file plus `lines`. */
const withDataDir = (...lines: string[]) => parse('dataDir=/var/zk', ...lines);

/** Asserts a ConfigError whose message starts with file:line: key: and contains `detail`. */
function assertConfigError(fn: () => unknown, line: number | undefined, key: string | undefined, detail: string | RegExp): ConfigError {
  let caught: unknown;
  try { fn(); } catch (error) { caught = error; }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.line, line, caught.message);
  assert.equal(caught.key, key, caught.message);
  const prefix = `${FILE}${line === undefined ? '' : `:${line}`}: ${key === undefined ? '' : `${key}: `}`;
  assert.ok(caught.message.startsWith(prefix), `'${caught.message}' should start with '${prefix}'`);
  if (typeof detail === 'string') assert.ok(caught.message.includes(detail), `'${caught.message}' should include '${detail}'`);
  else assert.match(caught.message, detail);
  return caught;
}

// ---------------------------------------------------------------------------------------------
// The properties format

test('properties: comments, blank lines, separators, trimming', () => {
  const lines = parseProperties([
    '# a comment',
    '! also a comment',
    '',
    '   ',
    '  tickTime=2000',
    'dataDir : /var/zk   ',
    'clientPort 2181',
    'initLimit\t=\t10\t',
    'syncLimit:5',
    'bare',
    '=novalue',
    'a=b=c',
  ].join('\n'), FILE);
  assert.deepEqual(lines, [
    { key: 'tickTime', value: '2000', line: 5 },
    { key: 'dataDir', value: '/var/zk', line: 6 },
    { key: 'clientPort', value: '2181', line: 7 },
    { key: 'initLimit', value: '10', line: 8 },
    { key: 'syncLimit', value: '5', line: 9 },
    { key: 'bare', value: '', line: 10 },
    { key: '', value: 'novalue', line: 11 },
    { key: 'a', value: 'b=c', line: 12 },
  ]);
});

test('properties: CRLF and CR line endings count lines the same', () => {
  for (const eol of ['\r\n', '\r', '\n']) {
    const lines = parseProperties(['# c', 'a=1', '', 'b=2'].join(eol), FILE);
    assert.deepEqual(lines, [{ key: 'a', value: '1', line: 2 }, { key: 'b', value: '2', line: 4 }], JSON.stringify(eol));
  }
});

test('properties: continuation lines join without leading whitespace and report the first line', () => {
  const lines = parseProperties([
    'server.1=host1:\\',
    '      2888:3888',
    '4lw.commands.whitelist=ruok,\\',
    '  stat,\\',
    '  srvr',
    'even=ends with two\\\\',
    'next=1',
    'cut=short\\',
    '',
    'after=2',
  ].join('\n'), FILE);
  assert.deepEqual(lines, [
    { key: 'server.1', value: 'host1:2888:3888', line: 1 },
    { key: '4lw.commands.whitelist', value: 'ruok,stat,srvr', line: 3 },
    { key: 'even', value: 'ends with two\\', line: 6 },
    { key: 'next', value: '1', line: 7 },
    { key: 'cut', value: 'short', line: 8 },
    { key: 'after', value: '2', line: 10 },
  ]);
});

test('properties: a comment line ending in a backslash does not continue', () => {
  assert.deepEqual(parseProperties('# comment \\\na=1\n', FILE), [{ key: 'a', value: '1', line: 2 }]);
});

test('properties: escapes in keys and values', () => {
  const lines = parseProperties('my\\ key\\=x = a\\tb\\u0041\\\\c\\q\n', FILE);
  assert.deepEqual(lines, [{ key: 'my key=x', value: 'a\tbA\\cq', line: 1 }]);
  assertConfigError(() => parseProperties('a=\\u00g1\n', FILE), 1, undefined, 'malformed \\uxxxx');
});

test('properties: duplicate keys, last one wins; raw keeps every key as written', () => {
  const { config: c } = withDataDir('tickTime=1000', 'clientPort=2181', 'tickTime=4000', 'zookeeper.skipACL=no', 'skipACL=yes');
  assert.equal(c.tickTimeMs, 4000);
  assert.equal(c.skipACL, true);
  assert.deepEqual([...c.raw], [['dataDir', '/var/zk'], ['tickTime', '4000'], ['clientPort', '2181'], ['zookeeper.skipACL', 'no'], ['skipACL', 'yes']]);
  // The prefixed and the bare spelling are one key: whichever comes later wins.
  assert.equal(withDataDir('skipACL=yes', 'zookeeper.skipACL=no').config.skipACL, false);
});

// ---------------------------------------------------------------------------------------------
// Defaults and the sample file

test('a file with only dataDir gets ZooKeeper code defaults', () => {
  const { config: c, warnings } = withDataDir();
  const expected: Omit<ServerConfig, 'raw' | 'fourLetterWhitelist' | 'initialConfig'> = {
    tickTimeMs: 3000, dataDir: '/var/zk', dataLogDir: '/var/zk', clientPort: 0, clientPortAddress: '0.0.0.0',
    maxClientCnxns: 60, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60000, juteMaxBuffer: 0xfffff,
    extendedTypesEnabled: false, enforceQuota: false, superDigest: undefined, skipACL: false, containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000, containerMaxNeverUsedIntervalMs: 0, snapCount: 100000, snapSizeLimitKb: 4194304,
    preAllocSizeKb: 65536, forceSync: true, fsyncWarningThresholdMs: 1000, autopurgeSnapRetainCount: 3, autopurgePurgeIntervalHours: 0, initLimitTicks: undefined,
    syncLimitTicks: undefined, servers: [], peerType: 'participant', reconfigEnabled: false, standaloneEnabled: true,
    secureClientPort: 0, secureClientPortAddress: '0.0.0.0', tls: undefined,
    adminEnableServer: true, adminServerAddress: '0.0.0.0', adminServerPort: 8080, adminCommandUrl: '/commands', adminIdleTimeoutMs: 30000,
    globalOutstandingLimit: 1000, myid: undefined,
  };
  const { raw, fourLetterWhitelist, initialConfig, ...rest } = c;
  assert.equal(initialConfig, 'dataDir=/var/zk\n', 'the file as read');
  assert.deepEqual(rest, expected);
  assert.deepEqual(fourLetterWhitelist, new Set(['srvr']));
  assert.deepEqual(warnings, ['zoo.cfg: clientPort is not set; the server will not accept client connections']);
});

test('the sample zoo.cfg shipped by Debian', async (t) => {
  const path = '/etc/zookeeper/conf/zoo.cfg';
  if (!existsSync(path)) { t.skip(`${path} is not installed`); return; }
  const text = readFileSync(path, 'utf8');
  const { config: c, warnings } = parseConfig(text, { fileName: path });
  // Expected values come from the file's own active lines, so the test follows the package.
  const active = new Map(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const at = l.indexOf('=');
    return [l.slice(0, at).trim(), l.slice(at + 1).trim()] as const;
  }));
  assert.ok(active.has('dataDir') && active.has('tickTime'), 'the sample sets dataDir and tickTime');
  assert.equal(c.tickTimeMs, Number(active.get('tickTime')));
  assert.equal(c.dataDir, active.get('dataDir'));
  assert.equal(c.dataLogDir, active.get('dataLogDir') ?? active.get('dataDir'));
  if (active.has('clientPort')) assert.equal(c.clientPort, Number(active.get('clientPort')));
  if (active.has('initLimit')) assert.equal(c.initLimitTicks, Number(active.get('initLimit')));
  if (active.has('syncLimit')) assert.equal(c.syncLimitTicks, Number(active.get('syncLimit')));
  assert.equal(c.minSessionTimeoutMs, 2 * c.tickTimeMs);
  assert.equal(c.maxSessionTimeoutMs, 20 * c.tickTimeMs);
  assert.deepEqual([...c.raw.keys()], [...active.keys()]);
  assert.deepEqual(warnings.filter((w) => w.includes('unknown key')), []);
});

test('defaultConfig is what `npm start` serves, and follows tickTime and dataDir overrides', () => {
  const c = defaultConfig({});
  assert.equal(c.clientPort, 2181);
  assert.equal(c.clientPortAddress, '127.0.0.1');
  assert.equal(c.dataDir, './data');
  assert.equal(c.dataLogDir, './data');
  assert.equal(c.tickTimeMs, 2000);
  assert.equal(c.minSessionTimeoutMs, 4000);
  assert.equal(c.maxSessionTimeoutMs, 40000);
  assert.equal(c.raw.size, 0);
  assert.deepEqual(c.fourLetterWhitelist, new Set(['srvr']));
  const o = defaultConfig({ tickTimeMs: 500, dataDir: '/d', clientPort: 0, fourLetterWhitelist: '*' });
  assert.deepEqual([o.tickTimeMs, o.minSessionTimeoutMs, o.maxSessionTimeoutMs, o.dataDir, o.dataLogDir, o.clientPort, o.fourLetterWhitelist], [500, 1000, 10000, '/d', '/d', 0, '*']);
  assert.equal(defaultConfig({ minSessionTimeoutMs: 1, dataLogDir: '/l' }).minSessionTimeoutMs, 1);
  assert.equal(defaultConfig({ dataLogDir: '/l' }).dataLogDir, '/l');
});

// ---------------------------------------------------------------------------------------------
// Values

test('ConfigError names file:line and key', () => {
  const error = assertConfigError(() => parse('dataDir=/x', '', 'tickTime=abc'), 3, 'tickTime', "not a number: 'abc'");
  assert.equal(error.message, "zoo.cfg:3: tickTime: not a number: 'abc'");
  assert.equal(error.name, 'ConfigError');
  assert.equal(error.file, FILE);
  assert.equal(new ConfigError('plain').message, 'plain');
});

test('every integer key rejects 12abc, 1.5, empty and out-of-range values', () => {
  const intKeys = [
    'tickTime', 'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'initLimit', 'syncLimit', 'snapCount',
    'autopurge.snapRetainCount', 'autopurge.purgeInterval', 'globalOutstandingLimit', 'znode.container.checkIntervalMs',
    'znode.container.maxPerMinute', 'connectToLearnerMasterLimit', 'clientPortListenBacklog', 'maxCnxns', 'cnxTimeout',
    'electionAlg', 'zookeeper.snapCount', 'jute.maxbuffer',
  ];
  for (const key of intKeys) {
    for (const bad of ['12abc', '1.5', '', ' ', '0x', 'ten']) {
      assertConfigError(() => withDataDir('# pad', `${key}=${bad}`), 3, key, `not a number: '${bad.trim()}'`);
    }
    assertConfigError(() => withDataDir(`${key}=2147483648`), 2, key, 'out of range');
  }
  for (const key of ['preAllocSize', 'znode.container.maxNeverUsedIntervalMs', 'snapSizeLimitInKb', 'fsync.warningthresholdms']) {
    assertConfigError(() => withDataDir(`${key}=12abc`), 2, key, "not a number: '12abc'");
    assertConfigError(() => withDataDir(`${key}=99999999999999999999`), 2, key, 'out of range');
  }
  // Java's parseInt accepts a plus sign and leading zeros.
  assert.equal(withDataDir('tickTime=+0100').config.tickTimeMs, 100);
});

test('ports: 0..65535, negative and too large rejected', () => {
  for (const key of ['clientPort', 'admin.serverPort', 'secureClientPort', 'observerMasterPort']) {
    assertConfigError(() => withDataDir(`${key}=-1`), 2, key, "not a port number (0-65535): '-1'");
    assertConfigError(() => withDataDir(`${key}=65536`), 2, key, 'not a port number');
    assertConfigError(() => withDataDir(`${key}=21x`), 2, key, 'not a number');
  }
  assert.equal(withDataDir('clientPort=65535').config.clientPort, 65535);
  assert.equal(withDataDir('admin.serverPort=0').config.adminServerPort, 0);
  assert.equal(withDataDir('zookeeper.admin.serverPort=9090').config.adminServerPort, 9090);
});

test('range rules: tickTime positive, counts non-negative, container interval positive', () => {
  assertConfigError(() => withDataDir('tickTime=0'), 2, 'tickTime', 'positive');
  assertConfigError(() => withDataDir('tickTime=-5'), 2, 'tickTime', 'positive');
  assertConfigError(() => withDataDir('maxClientCnxns=-1'), 2, 'maxClientCnxns', "'-1'");
  assertConfigError(() => withDataDir('autopurge.purgeInterval=-1'), 2, 'autopurge.purgeInterval', "'-1'");
  assertConfigError(() => withDataDir('znode.container.checkIntervalMs=0'), 2, 'znode.container.checkIntervalMs', 'positive');
  assertConfigError(() => withDataDir('preAllocSize=0'), 2, 'preAllocSize', 'positive');
  assertConfigError(() => withDataDir('globalOutstandingLimit=-3'), 2, 'globalOutstandingLimit', "'-3'");
  assert.equal(withDataDir('maxClientCnxns=0').config.maxClientCnxns, 0);
});

test('booleans: true/false in any case; yes/no keys take exactly yes or no', () => {
  for (const key of ['extendedTypesEnabled', 'reconfigEnabled', 'standaloneEnabled', 'admin.enableServer', 'localSessionsEnabled', 'digest.enabled', 'audit.enable', 'quorumListenOnAllIPs', 'syncEnabled', 'zookeeper.extendedTypesEnabled']) {
    assertConfigError(() => withDataDir(`${key}=maybe`), 2, key, "expected true or false: 'maybe'");
    assertConfigError(() => withDataDir(`${key}=yes`), 2, key, 'expected true or false');
    assertConfigError(() => withDataDir(`${key}=`), 2, key, 'expected true or false');
  }
  for (const key of ['skipACL', 'forceSync', 'leaderServes', 'zookeeper.forceSync']) {
    for (const bad of ['true', 'false', 'YES', 'No', '1', 'maybe']) {
      assertConfigError(() => withDataDir(`${key}=${bad}`), 2, key, `expected yes or no: '${bad}'`);
    }
  }
  const c = withDataDir('extendedTypesEnabled=TRUE', 'reconfigEnabled=True', 'standaloneEnabled=false', 'admin.enableServer=FALSE', 'skipACL=yes', 'forceSync=no').config;
  assert.deepEqual([c.extendedTypesEnabled, c.reconfigEnabled, c.standaloneEnabled, c.adminEnableServer, c.skipACL, c.forceSync], [true, true, false, false, true, false]);
});

test('jute.maxbuffer: decimal, hex, octal as Integer.decode reads them; bare or prefixed', () => {
  const cases: ReadonlyArray<readonly [string, number]> = [['4194304', 4194304], ['0xfffff', 0xfffff], ['0X10', 16], ['#ff', 255], ['010', 8], ['0', 0]];
  for (const [text, expected] of cases) {
    if (expected > 0) assert.equal(withDataDir(`jute.maxbuffer=${text}`).config.juteMaxBuffer, expected, text);
  }
  assert.equal(withDataDir('zookeeper.jute.maxbuffer=0x200000').config.juteMaxBuffer, 0x200000);
  assertConfigError(() => withDataDir('jute.maxbuffer=0'), 2, 'jute.maxbuffer', 'positive');
  assertConfigError(() => withDataDir('jute.maxbuffer=-0x10'), 2, 'jute.maxbuffer', 'positive');
  assertConfigError(() => withDataDir('jute.maxbuffer=09'), 2, 'jute.maxbuffer', 'not a number');
  assertConfigError(() => withDataDir('jute.maxbuffer=0xfffffg'), 2, 'jute.maxbuffer', 'not a number');
  assertConfigError(() => withDataDir('jute.maxbuffer=0x80000000'), 2, 'jute.maxbuffer', 'out of range');
});

test('session timeouts: -1 means 2 and 20 ticks; min above max is an error on the right line', () => {
  let c = withDataDir('tickTime=1000').config;
  assert.deepEqual([c.minSessionTimeoutMs, c.maxSessionTimeoutMs], [2000, 20000]);
  c = withDataDir('tickTime=1000', 'minSessionTimeout=-1', 'maxSessionTimeout=90000').config;
  assert.deepEqual([c.minSessionTimeoutMs, c.maxSessionTimeoutMs], [2000, 90000]);
  c = withDataDir('minSessionTimeout=5000', 'maxSessionTimeout=5000').config;
  assert.deepEqual([c.minSessionTimeoutMs, c.maxSessionTimeoutMs], [5000, 5000]);
  assertConfigError(() => withDataDir('minSessionTimeout=9000', 'maxSessionTimeout=8000'), 2, 'minSessionTimeout', 'must not be larger than maxSessionTimeout');
  // Only max given, below the derived minimum: the max line is the culprit.
  assertConfigError(() => withDataDir('tickTime=2000', 'maxSessionTimeout=1000'), 3, 'maxSessionTimeout', 'must not be larger');
  assertConfigError(() => withDataDir('minSessionTimeout=-2'), 2, 'minSessionTimeout', '-1 for the default');
});

test('directories: dataDir required and non-empty, dataLogDir defaults to it, relative paths', () => {
  assertConfigError(() => parse('tickTime=2000', 'clientPort=2181'), undefined, 'dataDir', 'dataDir is not set');
  assertConfigError(() => parse('dataDir='), 1, 'dataDir', 'empty path');
  assertConfigError(() => parse('dataDir=/x', 'dataLogDir=  '), 2, 'dataLogDir', 'empty path');
  assert.equal(parse('dataDir=/x', 'dataLogDir=/y').config.dataLogDir, '/y');
  // Relative paths stay relative (the working directory decides, as in ZooKeeper) with a warning…
  const relative = parse('dataDir=data', 'clientPort=1');
  assert.equal(relative.config.dataDir, 'data');
  assert.deepEqual(relative.warnings, ["zoo.cfg:1: dataDir: 'data' is relative to the working directory; prepend ./ to show that is intended"]);
  assert.deepEqual(parse('dataDir=./data', 'clientPort=1').warnings, []);
  // …unless the caller gives a baseDir.
  const based = parseConfig('dataDir=data\ndataLogDir=/abs\nclientPort=1\n', { fileName: FILE, baseDir: '/etc/zk' });
  assert.deepEqual([based.config.dataDir, based.config.dataLogDir, based.warnings], ['/etc/zk/data', '/abs', []]);
});

test('clientPort and clientPortAddress', () => {
  const c = withDataDir('clientPort=2181', 'clientPortAddress=127.0.0.1').config;
  assert.deepEqual([c.clientPort, c.clientPortAddress], [2181, '127.0.0.1']);
  assertConfigError(() => withDataDir('clientPortAddress=127.0.0.1'), 2, 'clientPortAddress', 'clientPort is not');
  assertConfigError(() => withDataDir('clientPort=0', 'clientPortAddress=127.0.0.1'), 3, 'clientPortAddress', 'clientPort is not');
  assertConfigError(() => withDataDir('secureClientPortAddress=127.0.0.1'), 2, 'secureClientPortAddress', 'secureClientPort is not');
});

test('four-letter-word whitelist as FourLetterCommands reads it', () => {
  assert.deepEqual(withDataDir('4lw.commands.whitelist=ruok, stat ,,mntr').config.fourLetterWhitelist, new Set(['ruok', 'stat', 'mntr', 'srvr']));
  assert.equal(withDataDir('4lw.commands.whitelist=*').config.fourLetterWhitelist, '*');
  assert.equal(withDataDir('zookeeper.4lw.commands.whitelist=stat, *').config.fourLetterWhitelist, '*');
  assert.deepEqual(withDataDir('4lw.commands.whitelist=').config.fourLetterWhitelist, new Set(['srvr']));
  assert.deepEqual(withDataDir('readonlymode.enabled=true').config.fourLetterWhitelist, new Set(['srvr', 'isro']));
  assert.deepEqual(withDataDir('zookeeper.readonlymode.enabled=true', '4lw.commands.whitelist=ruok').config.fourLetterWhitelist, new Set(['ruok', 'isro', 'srvr']));
  const { warnings } = withDataDir('clientPort=1', '4lw.commands.whitelist=ruok,rouk,Stat');
  assert.deepEqual(warnings, ['zoo.cfg:3: 4lw.commands.whitelist: unknown four-letter words: rouk, Stat']);
  assert.deepEqual(fourLetterWhitelistOf(undefined, false).whitelist, new Set(['srvr']));
});

test('system-property keys work bare and with the zookeeper. prefix', () => {
  const pairs: ReadonlyArray<readonly [string, string, (c: ServerConfig) => unknown, unknown]> = [
    ['extendedTypesEnabled', 'true', (c) => c.extendedTypesEnabled, true],
    ['DigestAuthenticationProvider.superDigest', 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=', (c) => c.superDigest, 'super:D/InIHSb7yEEbrWz8b9l71RjZJU='],
    ['znode.container.checkIntervalMs', '500', (c) => c.containerCheckIntervalMs, 500],
    ['znode.container.maxPerMinute', '7', (c) => c.containerMaxPerMinute, 7],
    ['znode.container.maxNeverUsedIntervalMs', '123456', (c) => c.containerMaxNeverUsedIntervalMs, 123456],
    ['snapCount', '5000', (c) => c.snapCount, 5000],
    ['preAllocSize', '1024', (c) => c.preAllocSizeKb, 1024],
    ['forceSync', 'no', (c) => c.forceSync, false],
    ['skipACL', 'yes', (c) => c.skipACL, true],
    ['globalOutstandingLimit', '42', (c) => c.globalOutstandingLimit, 42],
    ['admin.enableServer', 'false', (c) => c.adminEnableServer, false],
    ['admin.serverAddress', '127.0.0.1', (c) => c.adminServerAddress, '127.0.0.1'],
  ];
  for (const [key, value, read, expected] of pairs) {
    for (const spelled of [key, `zookeeper.${key}`]) {
      const { config: c, warnings } = withDataDir('clientPort=1', `${spelled}=${value}`);
      assert.deepEqual(read(c), expected, spelled);
      assert.deepEqual(warnings, [], spelled);
    }
  }
});

test('unknown keys are warnings naming file:line and key, with a suggestion for a case slip', () => {
  const { config: c, warnings } = withDataDir('clientPort=2181', 'fooBar=1', 'ticktime=5', 'zookeeper.tickTime=5', 'constructor=x', 'server=1');
  assert.equal(c.tickTimeMs, 3000);
  assert.deepEqual(warnings, [
    'zoo.cfg:3: fooBar: unknown key, ignored',
    "zoo.cfg:4: ticktime: unknown key, ignored (did you mean 'tickTime'?)",
    // QuorumPeerConfig reads its own keys only bare, as ZooKeeper does.
    "zoo.cfg:5: zookeeper.tickTime: unknown key, ignored (did you mean 'tickTime'?)",
    'zoo.cfg:6: constructor: unknown key, ignored',
    'zoo.cfg:7: server: unknown key, ignored',
  ]);
  assert.equal(c.raw.get('fooBar'), '1');
});

test('known keys zkts does not use yet are accepted silently (some with a note)', () => {
  const ignored = [
    'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider', 'metricsProvider.httpPort=7000',
    'metricsProvider.exportJvmInfo=true', 'admin.idleTimeout=30000', 'admin.commandURL=/commands', 'audit.enable=true',
    'quorumListenOnAllIPs=true', 'electionAlg=3', 'cnxTimeout=5000', 'leaderServes=yes', 'syncEnabled=true',
    'localSessionsEnabled=true', 'localSessionsUpgradingEnabled=false', 'multiAddress.enabled=false',
    'clientPortListenBacklog=100', 'maxCnxns=0', 'snapSizeLimitInKb=4194304', 'txnLogSizeLimitInKb=-1',
    'fsync.warningthresholdms=1000', 'zookeeper.fsync.warningthresholdms=50', 'digest.enabled=true',
    'ssl.keyStore.location=/ks', 'zookeeper.ssl.quorum.trustStore.password=x', 'ssl.clientAuth=none', 'authProvider.1=org.x.Y',
    'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory', 'autopurge.purgeInterval=1',
    'connectToLearnerMasterLimit=10', 'quorum.auth.enableSasl=false', 'jvm.pause.monitor=false',
    'snapshot.compression.method=gz', 'nio.numWorkerThreads=4', 'request_throttle_max_requests=0', 'commitLogCount=500',
    'snapshotSizeFactor=0.33', 'electionPortBindRetry=3', 'sslQuorumReloadCertFiles=false', 'version=100000000',
    'enforce.auth.enabled=false', 'X509AuthenticationProvider.superUser=CN=admin',
  ];
  const { warnings } = withDataDir('clientPort=2181', ...ignored);
  assert.deepEqual(warnings, []);
  const noted = withDataDir('clientPort=2181', 'secureClientPort=2281', 'ssl.keyStore.location=/k/s.pem', 'sslQuorum=true', 'ssl.crl=true').warnings;
  assert.deepEqual(noted, ['zoo.cfg:5: sslQuorum: TLS between servers is not supported yet; ignored',
    "zoo.cfg:6: ssl.crl: not supported by zkts yet; ignored (the TLS library's defaults apply)"]);
  // The key table lists each name once.
  assert.equal(new Set(knownConfigKeys).size, knownConfigKeys.length);
});

test('values of ignored keys are still checked', () => {
  assertConfigError(() => withDataDir('cnxTimeout=5s'), 2, 'cnxTimeout', 'not a number');
  assertConfigError(() => withDataDir('quorumListenOnAllIPs=on'), 2, 'quorumListenOnAllIPs', 'true or false');
  assertConfigError(() => withDataDir('snapshotSizeFactor=a third'), 2, 'snapshotSizeFactor', 'not a number');
  assertConfigError(() => withDataDir('electionAlg=1'), 2, 'electionAlg', 'only 3');
  assertConfigError(() => withDataDir('peerType=leader'), 2, 'peerType', 'participant or observer');
  assertConfigError(() => withDataDir('quorum.auth.serverRequireSasl=true'), 2, 'quorum.auth.serverRequireSasl', 'quorum.auth.enableSasl');
});

test('autopurge.snapRetainCount below 3 and snapCount below 2 are raised, with a warning', () => {
  const { config: c, warnings } = withDataDir('clientPort=1', 'autopurge.snapRetainCount=1', 'snapCount=1');
  assert.deepEqual([c.autopurgeSnapRetainCount, c.snapCount], [3, 2]);
  assert.deepEqual(warnings, ['zoo.cfg:3: autopurge.snapRetainCount: 1 is below the minimum; using 3', 'zoo.cfg:4: snapCount: 1 is below the minimum; using 2']);
  assert.equal(withDataDir('autopurge.snapRetainCount=10').config.autopurgeSnapRetainCount, 10);
});

test('superDigest must look like user:hash', () => {
  assertConfigError(() => withDataDir('DigestAuthenticationProvider.superDigest=nocolon'), 2, 'DigestAuthenticationProvider.superDigest', 'user:base64');
  assertConfigError(() => withDataDir('zookeeper.DigestAuthenticationProvider.superDigest=super:'), 2, 'zookeeper.DigestAuthenticationProvider.superDigest', 'user:base64');
});

// ---------------------------------------------------------------------------------------------
// server.N

const quorum = (...lines: string[]) => withDataDir('clientPort=2181', 'initLimit=10', 'syncLimit=5', ...lines);

test('server.N: every form of the address string', () => {
  const { config: c, warnings } = quorum(
    'server.3=zk3.example.com:2888:3888:observer;10.0.0.3:2183',
    'server.1=zk1:2888:3888',
    'server.2=zk2:2889:3889:PARTICIPANT;2182',
    'server.4=[fe80::1]:2888:3888;[::1]:2184',
    'server.5=zk5:2888:3888:participant;',
  );
  assert.deepEqual(c.servers, [
    { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' },
    { id: 2, host: 'zk2', quorumPort: 2889, electionPort: 3889, role: 'participant', clientHost: '0.0.0.0', clientPort: 2182 },
    { id: 3, host: 'zk3.example.com', quorumPort: 2888, electionPort: 3888, role: 'observer', clientHost: '10.0.0.3', clientPort: 2183 },
    { id: 4, host: 'fe80::1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientHost: '::1', clientPort: 2184 },
    { id: 5, host: 'zk5', quorumPort: 2888, electionPort: 3888, role: 'participant' },
  ]);
  assert.ok(isDistributed(c));
  assert.deepEqual(warnings, ['zoo.cfg:6: server.1: non-optimal configuration; consider an odd number of servers']);
});

test('server.N: malformed lines are errors on their line', () => {
  const bad: ReadonlyArray<readonly [string, string | RegExp]> = [
    ['zk1:2888', 'expected host:quorumPort:electionPort'],
    ['zk1', 'expected host:quorumPort:electionPort'],
    ['zk1:2888:3888:observer:extra', 'expected host:quorumPort:electionPort'],
    ['zk1:2888:3888;2181;2182', 'expected host:quorumPort:electionPort'],
    ['zk1:2888:3888;h:2181:1', 'expected host:quorumPort:electionPort'],
    ['zk1:28x8:3888', "quorum port is not a number: '28x8'"],
    ['zk1:2888:-1', "election port is not a port number (0-65535): '-1'"],
    ['zk1:2888:70000', 'election port is not a port number'],
    ['zk1:2888:3888;21a', "client port is not a number: '21a'"],
    ['zk1:2888:2888', 'quorum port and election port must differ'],
    ['zk1:2888:3888:leader', "unknown role 'leader'"],
    [':2888:3888', 'empty host'],
    ['[fe80::1:2888:3888', 'expected host:quorumPort:electionPort'],
    ['zk1:2888:3888|zk1b:2888:3888', 'multiAddress.enabled'],
    ['', 'expected host:quorumPort:electionPort'],
  ];
  for (const [value, detail] of bad) {
    assertConfigError(() => quorum(`server.1=${value}`, 'server.2=zk2:2888:3888', 'server.3=zk3:2888:3888'), 5, 'server.1', detail);
  }
  assertConfigError(() => quorum('server.abc=zk1:2888:3888'), 5, 'server.abc', "'abc' is not a server id");
  assertConfigError(() => quorum('server.-1=zk1:2888:3888'), 5, 'server.-1', 'is not a server id');
  assertConfigError(() => quorum('server.1.2=zk1:2888:3888'), 5, 'server.1.2', 'is not a server id');
});

test('server.N: multiAddress when enabled uses the first address, roles must agree', () => {
  const { config: c, warnings } = quorum('multiAddress.enabled=true', 'server.1=a1:2888:3888|a2:2888:3888', 'server.2=b:2888:3888', 'server.3=c:2888:3888');
  assert.equal(c.servers[0]!.host, 'a1');
  assert.deepEqual(warnings, ['zoo.cfg:6: server.1: zkts uses only the first of 2 addresses']);
  assertConfigError(() => quorum('multiAddress.enabled=true', 'server.1=a1:2888:3888:observer|a2:2888:3888:participant'), 6, 'server.1', 'same role');
});

test('server.N: a repeated id keeps the last line', () => {
  const c = quorum('server.1=old:2888:3888', 'server.2=b:2888:3888', 'server.01=new:2888:3888', 'server.3=c:2888:3888').config;
  assert.deepEqual(c.servers.map((s) => `${s.id}=${s.host}`), ['1=new', '2=b', '3=c']);
});

test('ensemble shape: the rules of QuorumPeerConfig.parseDynamicConfig and checkValidity', () => {
  // One participant with standaloneEnabled: runs standalone, with a warning.
  const one = withDataDir('clientPort=1', 'server.1=a:2888:3888');
  assert.equal(isDistributed(one.config), false);
  assert.deepEqual(one.warnings, ['zoo.cfg:3: server.1: only one server specified; running standalone and ignoring the server list']);
  // One participant without standalone is a quorum of one: it needs the limits.
  assertConfigError(() => withDataDir('standaloneEnabled=false', 'server.1=a:2888:3888'), undefined, 'initLimit', 'initLimit is not set');
  assertConfigError(() => withDataDir('initLimit=5', 'server.1=a:2888:3888', 'server.2=b:2888:3888'), undefined, 'syncLimit', 'syncLimit is not set');
  assertConfigError(() => withDataDir('initLimit=0', 'syncLimit=2', 'server.1=a:2888:3888', 'server.2=b:2888:3888'), 2, 'initLimit', 'must be positive');
  assertConfigError(() => withDataDir('server.1=a:2888:3888:observer'), 2, 'server.1', 'observers without participants');
  assertConfigError(() => withDataDir('server.1=a:2888:3888', 'server.2=b:2888:3888:observer'), 2, 'server.1', 'observers without a quorum');
  assertConfigError(() => withDataDir('standaloneEnabled=false', 'server.1=a:2888:3888:observer'), 2, 'standaloneEnabled', 'at least one participant');
  const two = quorum('server.1=a:2888:3888', 'server.2=b:2888:3888');
  assert.deepEqual(two.warnings, ['zoo.cfg:5: server.1: no server failure will be tolerated; you need at least 3 servers']);
  const three = quorum('server.1=a:2888:3888', 'server.2=b:2888:3888', 'server.3=c:2888:3888', 'server.4=d:2888:3888:observer');
  assert.deepEqual(three.warnings, []);
  assert.deepEqual([three.config.initLimitTicks, three.config.syncLimitTicks], [10, 5]);
});

test('dynamicConfigFile: server lines in the static file are an error; hierarchical quorums warn', () => {
  assertConfigError(() => quorum('dynamicConfigFile=/etc/zk/zoo.cfg.dynamic', 'server.1=a:2888:3888'), 6, 'server.1', 'dynamic config file');
  const { warnings } = quorum('server.1=a:2888:3888', 'server.2=b:2888:3888', 'server.3=c:2888:3888', 'group.1=1:2:3', 'weight.1=1', 'weight.2=1', 'weight.3=1');
  assert.deepEqual(warnings, ['zoo.cfg:8: group.1: hierarchical quorums are not supported yet; group.N and weight.N are ignored']);
  assertConfigError(() => quorum('weight.1=heavy'), 5, 'weight.1', 'not a number');
  assertConfigError(() => quorum('group.1=1:x'), 5, 'group.1', "server ids separated by ':'");
});

// ---------------------------------------------------------------------------------------------
// myid

test('parseMyId: the first line is a non-negative number', () => {
  assert.equal(parseMyId('3\n', 'myid'), 3);
  assert.equal(parseMyId(' 17 \r\nignored', 'myid'), 17);
  for (const bad of ['', 'one', '1.0', '-1', 'replace this text with the id']) {
    assert.throws(() => parseMyId(bad, '/d/myid'), (e: unknown) => e instanceof ConfigError && e.message.startsWith('/d/myid:1: serverid') && e.line === 1);
  }
});

test('applyMyId: the own server line supplies the client address and the role', () => {
  const base = withDataDir('initLimit=5', 'syncLimit=2', 'peerType=observer',
    'server.1=a:2888:3888;127.0.0.1:2191', 'server.2=b:2888:3888', 'server.3=c:2888:3888:observer').config;
  const one = applyMyId(base, 1, FILE);
  assert.deepEqual([one.config.myid, one.config.clientPort, one.config.clientPortAddress, one.config.peerType], [1, 2191, '127.0.0.1', 'participant']);
  assert.deepEqual(one.warnings, ['zoo.cfg: peerType observer does not match server.1 (participant); using the server list']);
  const three = applyMyId(base, 3, FILE);
  assert.deepEqual([three.config.clientPort, three.config.peerType, three.warnings], [0, 'observer', []]);
  assert.throws(() => applyMyId(base, 9, FILE), /myid 9 is not in the server list/);
  assert.equal(applyMyId(base, undefined, FILE).config, base);
  // A static clientPort must agree with the server line (any-address matches any host).
  const conflicting = withDataDir('clientPort=2181', 'initLimit=5', 'syncLimit=2', 'server.1=a:2888:3888;2191', 'server.2=b:2888:3888').config;
  assert.throws(() => applyMyId(conflicting, 1, FILE), (e: unknown) => e instanceof ConfigError && e.key === 'clientPort' && /differs/.test(e.message));
  const agreeing = withDataDir('clientPort=2191', 'initLimit=5', 'syncLimit=2', 'server.1=a:2888:3888;10.1.1.1:2191', 'server.2=b:2888:3888').config;
  assert.equal(applyMyId(agreeing, 1, FILE).config.clientPortAddress, '10.1.1.1');
  // A standalone server not in its own (ignored) list keeps its id.
  assert.equal(applyMyId(withDataDir('clientPort=1').config, 4, FILE).config.myid, 4);
});

// ---------------------------------------------------------------------------------------------
// loadConfigFile

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'zkts-config-'));
}

// ---------------------------------------------------------------------------------------------
// TLS (secureClientPort, ssl.*)

test('secureClientPort: the key and trust stores, their types by name or by ssl.*.type, and ZooKeeper\'s defaults', () => {
  const secure = (...lines: string[]) => withDataDir('clientPort=2181', 'secureClientPort=2281', ...lines);
  const { config: c, warnings } = secure('ssl.keyStore.location=/k/server.pem', 'ssl.keyStore.password=pw', 'ssl.trustStore.location=/k/ca.pem');
  assert.deepEqual(warnings, []);
  assert.equal(c.secureClientPort, 2281);
  assert.equal(c.secureClientPortAddress, '0.0.0.0');
  assert.deepEqual(c.tls, {
    keyStore: { location: '/k/server.pem', password: 'pw', type: 'PEM' }, trustStore: { location: '/k/ca.pem', password: undefined, type: 'PEM' },
    clientAuth: 'need', protocols: ['TLSv1.2'], ciphers: ZOOKEEPER_DEFAULT_CIPHERS, tls13Suites: [],
  });
  assert.equal(secure('zookeeper.ssl.keyStore.location=/k/s.p12').config.tls?.keyStore.type, 'PKCS12');
  assert.equal(secure('ssl.keyStore.location=/k/store', 'ssl.keyStore.type=pkcs12').config.tls?.keyStore.type, 'PKCS12');
  assert.equal(withDataDir('clientPort=2181').config.tls, undefined);
  assertConfigError(() => secure(), undefined, 'ssl.keyStore.location', 'needs a key store');
  assertConfigError(() => secure('ssl.keyStore.location=/k/server.jks'), 4, 'ssl.keyStore.location', /JKS stores are Java's own format.*keytool -importkeystore/);
  assertConfigError(() => secure('ssl.keyStore.location=/k/s.pem', 'ssl.trustStore.location=/k/t.p12'), 5, 'ssl.trustStore.location', 'PKCS12 trust store is not supported');
  assertConfigError(() => secure('ssl.keyStore.location=/k/store'), 4, 'ssl.keyStore.location', 'set ssl.keyStore.type');
  assertConfigError(() => secure('ssl.keyStore.location=/k/s.pem', 'ssl.clientAuth=sometimes'), 5, 'ssl.clientAuth', 'need, want or none');
});

test('ssl protocols and suites: ssl.protocol caps ssl.enabledProtocols, TLS 1.3 only with a TLS 1.3 suite, JSSE names mapped', () => {
  const tls = (...lines: string[]) => withDataDir('clientPort=2181', 'secureClientPort=2281', 'ssl.keyStore.location=/k/s.pem', ...lines).config.tls!;
  assert.deepEqual(tls('ssl.enabledProtocols=TLSv1.2,TLSv1.3').protocols, ['TLSv1.2']);
  assert.deepEqual(tls('ssl.protocol=TLSv1.3', 'ssl.enabledProtocols=TLSv1.2,TLSv1.3').protocols, ['TLSv1.2'], 'no TLS 1.3 suite by default');
  const both = tls('ssl.protocol=TLSv1.3', 'ssl.enabledProtocols=TLSv1.2, TLSv1.3', 'ssl.ciphersuites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  assert.deepEqual([both.protocols, both.ciphers, both.tls13Suites], [['TLSv1.2', 'TLSv1.3'], 'ECDHE-RSA-AES256-GCM-SHA384', ['TLS_AES_128_GCM_SHA256']]);
  assert.deepEqual(tls('ssl.protocol=TLSv1.3', 'ssl.ciphersuites=TLS_AES_256_GCM_SHA384').protocols, ['TLSv1.3']);
  assertConfigError(() => tls('ssl.protocol=TLSv1.3'), 5, 'ssl.protocol', 'no cipher suite for TLSv1.3');
  assertConfigError(() => tls('ssl.protocol=SSLv3'), 5, 'ssl.protocol', 'unknown TLS protocol');
  assertConfigError(() => tls('ssl.ciphersuites=TLS_RSA_WITH_NULL_SHA'), 5, 'ssl.ciphersuites', "not supported by zkts: 'TLS_RSA_WITH_NULL_SHA'");
  assert.deepEqual(['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_DHE_ECDSA_WITH_AES_128_GCM_SHA256'].map(opensslCipherName),
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', undefined]);
});

test('loadConfigFile reads the file and dataDir/myid', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const path = join(dir, 'zoo.cfg');
  writeFileSync(path, `tickTime=2000\ndataDir=${dataDir}\nclientPort=2181\nbogus=1\n`);
  let loaded = await loadConfigFile(path);
  assert.deepEqual([loaded.config.tickTimeMs, loaded.config.clientPort, loaded.config.myid], [2000, 2181, undefined]);
  assert.deepEqual(loaded.warnings, [`${path}:4: bogus: unknown key, ignored`]);
  writeFileSync(join(dataDir, 'myid'), '7\n');
  loaded = await loadConfigFile(path);
  assert.equal(loaded.config.myid, 7);
  writeFileSync(join(dataDir, 'myid'), 'seven\n');
  await assert.rejects(loadConfigFile(path), (e: unknown) => e instanceof ConfigError && e.message === `${join(dataDir, 'myid')}:1: serverid 'seven' is not a number`);
});

test('loadConfigFile: a quorum needs myid; a missing file is a ConfigError', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'zoo.cfg');
  writeFileSync(path, `dataDir=${dir}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888;2191\nserver.2=b:2888:3888;2192\n`);
  await assert.rejects(loadConfigFile(path), (e: unknown) => e instanceof ConfigError && /myid file is missing/.test(e.message));
  writeFileSync(join(dir, 'myid'), '2');
  const loaded = await loadConfigFile(path);
  assert.deepEqual([loaded.config.myid, loaded.config.clientPort], [2, 2192]);
  await assert.rejects(loadConfigFile(join(dir, 'nope.cfg')), (e: unknown) => e instanceof ConfigError && e.message.includes('ENOENT') && e.file === join(dir, 'nope.cfg'));
});

// ---------------------------------------------------------------------------------------------
// Differential: Apache ZooKeeper's own parser on the same files

const zookeeperJar = '/usr/share/java/zookeeper.jar';
const slf4jJar = '/usr/share/java/slf4j-api.jar';

/** Parses each file with QuorumPeerConfig (or, with --props, java.util.Properties), one line per file. */
const PROBE = String.raw`
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeer.QuorumServer;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
public class Probe {
  static String esc(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) { if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') b.append(String.format("\\u%04x", (int) c)); else b.append(c); }
    return b.toString();
  }
  public static void main(String[] args) throws Exception {
    boolean props = args[0].equals("--props");
    Properties clean = (Properties) System.getProperties().clone();
    for (int i = 1; i < args.length; i++) {
      String path = args[i];
      StringBuilder sb = new StringBuilder();
      if (props) {
        Properties p = new Properties();
        try (Reader r = new InputStreamReader(new FileInputStream(path), StandardCharsets.UTF_8)) { p.load(r); }
        List<String> keys = new ArrayList<>(p.stringPropertyNames()); Collections.sort(keys);
        for (String k : keys) sb.append(esc(k.trim())).append('\t').append(esc(p.getProperty(k).trim())).append('\t');
        System.out.println(sb);
        continue;
      }
      System.setProperties((Properties) clean.clone());
      QuorumPeerConfig.setStandaloneEnabled(true);
      QuorumPeerConfig.setReconfigEnabled(false);
      QuorumPeerConfig c = new QuorumPeerConfig();
      try {
        c.parse(path);
        sb.append("OK");
        sb.append("\ttickTime=").append(c.getTickTime());
        sb.append("\tdataDir=").append(c.getDataDir());
        sb.append("\tdataLogDir=").append(c.getDataLogDir());
        sb.append("\tclientPort=").append(c.getClientPortAddress() == null ? 0 : c.getClientPortAddress().getPort());
        sb.append("\tmaxClientCnxns=").append(c.getMaxClientCnxns());
        sb.append("\tminSessionTimeout=").append(c.getMinSessionTimeout());
        sb.append("\tmaxSessionTimeout=").append(c.getMaxSessionTimeout());
        sb.append("\tinitLimit=").append(c.getInitLimit());
        sb.append("\tsyncLimit=").append(c.getSyncLimit());
        sb.append("\tsnapRetainCount=").append(c.getSnapRetainCount());
        sb.append("\tpurgeInterval=").append(c.getPurgeInterval());
        sb.append("\tpeerType=").append(c.getPeerType().toString().toLowerCase());
        sb.append("\tstandaloneEnabled=").append(QuorumPeerConfig.isStandaloneEnabled());
        sb.append("\treconfigEnabled=").append(QuorumPeerConfig.isReconfigEnabled());
        sb.append("\tserverId=").append(c.getServerId());
        List<Long> ids = new ArrayList<>(c.getServers().keySet()); Collections.sort(ids);
        StringBuilder s = new StringBuilder();
        for (Long id : ids) {
          QuorumServer q = c.getServers().get(id);
          s.append(id).append('=').append(q.hostname).append(':').append(q.addr.getReachableOrOne().getPort()).append(':')
           .append(q.electionAddr.getReachableOrOne().getPort()).append(':').append(q.type.toString().toLowerCase());
          if (q.clientAddr != null && !q.isClientAddrFromStatic) s.append(';').append(q.clientAddr.getPort());
          s.append(',');
        }
        sb.append("\tservers=").append(s);
        sb.append("\twhitelist=").append(System.getProperty("zookeeper.4lw.commands.whitelist"));
      } catch (Throwable e) {
        sb.append("ERR\t").append(String.valueOf(e).replace('\n', ' '));
      }
      System.out.println(sb);
    }
  }
}
`;

/** The same fields from zkts, in the probe's format. */
function zktsLine(c: ServerConfig): string {
  const servers = c.servers.map((s) => `${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role}${s.clientPort === undefined ? '' : `;${s.clientPort}`},`).join('');
  return ['OK', `tickTime=${c.tickTimeMs}`, `dataDir=${c.dataDir}`, `dataLogDir=${c.dataLogDir}`, `clientPort=${c.clientPort}`,
    `maxClientCnxns=${c.maxClientCnxns}`, `minSessionTimeout=${c.minSessionTimeoutMs}`, `maxSessionTimeout=${c.maxSessionTimeoutMs}`,
    `initLimit=${c.initLimitTicks ?? 0}`, `syncLimit=${c.syncLimitTicks ?? 0}`, `snapRetainCount=${c.autopurgeSnapRetainCount}`,
    `purgeInterval=${c.autopurgePurgeIntervalHours}`, `peerType=${c.peerType}`, `standaloneEnabled=${c.standaloneEnabled}`,
    `reconfigEnabled=${c.reconfigEnabled}`, `serverId=${c.myid ?? -1}`, `servers=${servers}`,
    `whitelist=${c.raw.get('4lw.commands.whitelist') ?? 'null'}`].join('\t');
}

function runProbe(dir: string, mode: '--config' | '--props', files: string[]): string[] {
  writeFileSync(join(dir, 'Probe.java'), PROBE);
  const result = spawnSync('java', ['-cp', `${zookeeperJar}:${slf4jJar}`, join(dir, 'Probe.java'), mode, ...files], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `probe failed: ${result.stderr}`);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, files.length, result.stdout + result.stderr);
  return lines;
}

const javaAvailable = () => spawnSync('java', ['-version']).status === 0 && existsSync(zookeeperJar) && existsSync(slf4jJar);

test('differential: QuorumPeerConfig and zkts accept and reject the same files with the same values', async (t) => {
  if (!javaAvailable()) { t.skip('java or Debian zookeeper.jar is not installed'); return; }
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const withMyId = join(dir, 'id2');
  mkdirSync(withMyId);
  writeFileSync(join(withMyId, 'myid'), '2\n');
  const d = join(dir, 'plain');
  mkdirSync(d);
  const cases: Record<string, string> = {
    sample: `tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=${d}\nclientPort=2181\n#maxClientCnxns=60\n`,
    separators: `tickTime 1500\ndataDir : ${d}   \nclientPort\t=\t2182\nmaxClientCnxns=0\n4lw.commands.whitelist=ruok, \\\n   stat\n`,
    duplicates: `tickTime=1000\ndataDir=${d}\ntickTime=4000\nclientPort=1\nclientPort=2\n`,
    sessionDefaults: `tickTime=1000\ndataDir=${d}\nclientPort=1\nminSessionTimeout=-1\nmaxSessionTimeout=90000\n`,
    retain: `dataDir=${d}\nclientPort=1\nautopurge.snapRetainCount=1\nautopurge.purgeInterval=24\n`,
    dataLogDir: `dataDir=${d}\ndataLogDir=${d}/log\nclientPort=1\n`,
    noClientPort: `dataDir=${d}\n`,
    quorum: `dataDir=${withMyId}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888\nserver.2=127.0.0.1:2889:3889;2192\nserver.3=[::1]:2890:3890:observer;127.0.0.1:2193\nserver.4=b:2888:3888\n`,
    quorumPeerType: `dataDir=${withMyId}\nclientPort=2192\ninitLimit=5\nsyncLimit=2\npeerType=observer\nserver.1=a:2888:3888\nserver.2=b:2889:3889\nserver.3=c:2888:3888\n`,
    oneServer: `dataDir=${d}\nclientPort=1\nserver.1=a:2888:3888\n`,
    reconfig: `dataDir=${d}\nclientPort=1\nreconfigEnabled=true\nstandaloneEnabled=true\n`,
    // Rejected by both.
    notANumber: `dataDir=${d}\ntickTime=abc\n`,
    trailingGarbage: `dataDir=${d}\nmaxClientCnxns=12abc\n`,
    decimal: `dataDir=${d}\ninitLimit=1.5\n`,
    noDataDir: 'tickTime=2000\nclientPort=2181\n',
    minAboveMax: `dataDir=${d}\nclientPort=1\nminSessionTimeout=9000\nmaxSessionTimeout=8000\n`,
    addressWithoutPort: `dataDir=${d}\nclientPortAddress=127.0.0.1\n`,
    portTooLarge: `dataDir=${d}\nclientPort=70000\n`,
    negativePort: `dataDir=${d}\nclientPort=-1\n`,
    samePorts: `dataDir=${withMyId}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:2888\nserver.2=b:2888:3888\n`,
    twoParts: `dataDir=${withMyId}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888\nserver.2=b:2888:3888\n`,
    badRole: `dataDir=${withMyId}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888:leader\nserver.2=b:2888:3888\n`,
    badServerId: `dataDir=${d}\nclientPort=1\nserver.x=a:2888:3888\n`,
    observersOnly: `dataDir=${d}\nclientPort=1\nserver.1=a:2888:3888:observer\n`,
    noInitLimit: `dataDir=${withMyId}\nsyncLimit=2\nserver.1=a:2888:3888\nserver.2=b:2888:3888\n`,
    noMyId: `dataDir=${d}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888\nserver.2=b:2888:3888\n`,
    electionAlg: `dataDir=${d}\nclientPort=1\nelectionAlg=0\n`,
    badBoolean: `dataDir=${d}\nclientPort=1\nstandaloneEnabled=yes\n`,
    badPeerType: `dataDir=${d}\nclientPort=1\npeerType=leader\n`,
    multiAddressOff: `dataDir=${withMyId}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888|b:2888:3888\nserver.2=b:2889:3889\n`,
    clientPortConflict: `dataDir=${withMyId}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888\nserver.2=b:2889:3889;2192\n`,
  };
  const names = Object.keys(cases);
  const files = names.map((name) => {
    const path = join(dir, `${name}.cfg`);
    writeFileSync(path, cases[name]!);
    return path;
  });
  const java = runProbe(dir, '--config', files);
  for (let i = 0; i < names.length; i++) {
    let ours: string;
    try {
      ours = zktsLine((await loadConfigFile(files[i]!)).config);
    } catch (error) {
      assert.ok(error instanceof ConfigError, `${names[i]}: ${String(error)}`);
      ours = `ERR\t${error.message}`;
    }
    if (java[i]!.startsWith('ERR')) assert.ok(ours.startsWith('ERR'), `${names[i]}: ZooKeeper rejects it (${java[i]}), zkts accepts: ${ours}`);
    else assert.equal(ours, java[i], names[i]);
  }
});

test('differential: java.util.Properties and parseProperties agree on tricky text', (t) => {
  if (!javaAvailable()) { t.skip('java or Debian zookeeper.jar is not installed'); return; }
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const texts = [
    'a=1\n  b = 2  \n\tc:3\nd 4\ne\n=f\n',
    '# c\\\ng=1\n! c\nh=2\\\n   3\\\n\n   i=4\n',
    'j\\ k=\\u0041\\tB\\\\\\q\nl=m=n:o\n\\#notcomment=1\n',
    'p=1\r\nq=2\rr=3\n  \\\n  s=5\n',
    't=\\\nu=6\nv=ends\\\\\nw=7\nx=trail\\',
    'dup=1\ndup=2\nzookeeper.dup=3\n',
    'ü=ö\nsmile=\u263a\n',
  ];
  const files = texts.map((text, i) => {
    const path = join(dir, `p${i}.properties`);
    writeFileSync(path, text);
    return path;
  });
  const java = runProbe(dir, '--props', files);
  texts.forEach((text, i) => {
    const javaPairs: string[][] = [];
    const fields = java[i]!.split('\t').slice(0, -1).map((field) => JSON.parse(`"${field}"`) as string);
    for (let f = 0; f < fields.length; f += 2) javaPairs.push([fields[f]!, fields[f + 1]!]);
    const ours = new Map(parseProperties(text, 'p').map((line) => [line.key, line.value]));
    const sorted = [...ours].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(sorted, javaPairs, JSON.stringify(text));
  });
});
