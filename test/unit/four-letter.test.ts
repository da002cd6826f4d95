/**
 * Four-letter words: recognition of the word in a connection's first bytes, and the exact text
 * of every command against golden outputs of a live Apache ZooKeeper 3.8.0. The goldens below
 * are copied from shared/reference/zk380-captures/*.txt and from a 3.8.0 server probed with
 * two kazoo sessions holding ephemerals and watches; the contexts feed in the same state, and
 * only the version string (ours by design) is substituted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  fourLetterWords, fourLetterWordOf, isTelnetClose, traceMaskOf, runFourLetterWord,
  fullVersion, javaDateString, javaHex, lastOperationName, summaryMetrics,
  ZOOKEEPER_PROTOCOL_VERSION, NOT_SERVING_MESSAGE, STMK_ARGUMENT_BYTES,
  type FourLetterContext, type ConnectionStats, type FourLetterWord,
} from '../../src/admin/four-letter.js';
import { OpCode } from '../../src/protocol/codes.js';
import { formatJavaDouble } from '../../src/util/java-format.js';

const ascii = (text: string) => new TextEncoder().encode(text);
const ZK_VERSION = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';
const OUR_VERSION = fullVersion('0.1.0', '2025-01-02 03:04 UTC');
/** A 3.8.0 golden with our version string in place of ZooKeeper's. */
const golden = (text: string) => text.split(ZK_VERSION).join(OUR_VERSION);

/** The four-letter-word connection itself: no session, one packet received, nothing sent. */
function probe(port: number): ConnectionStats {
  return {
    remoteHost: '127.0.0.1', remotePort: port, interestOps: 0, outstandingRequests: 0,
    packetsReceived: 1, packetsSent: 0, sessionId: 0n, lastOperation: 'NA', establishedMs: 0,
    sessionTimeoutMs: 0, lastCxid: -1, lastZxid: -1n, lastResponseTimeMs: 0, lastLatencyMs: 0,
    latency: { count: 0, totalMs: 0, minMs: 0, maxMs: 0 },
  };
}

interface Recorded { serverResets: number; connectionResets: number; traceMasks: bigint[] }

/** A fresh standalone server as in the zk380 captures (5 nodes, zxid 0, one probe connection). */
function freshContext(overrides: Partial<FourLetterContext> = {}): FourLetterContext & { recorded: Recorded } {
  const recorded: Recorded = { serverResets: 0, connectionResets: 0, traceMasks: [] };
  return {
    recorded,
    whitelist: '*',
    serving: true,
    zktsVersion: '0.1.0',
    builtOn: '2025-01-02 03:04 UTC',
    serverState: 'standalone',
    readOnly: false,
    packetsReceived: 2,
    packetsSent: 1,
    outstandingRequests: 0,
    latency: { count: 0, totalMs: 0, minMs: 0, maxMs: 0 },
    lastProcessedZxid: 0n,
    nodeCount: 5,
    approximateDataSize: 44,
    watchCount: 0,
    ephemeralsCount: 0,
    uptimeMs: 11524,
    openFileDescriptorCount: 43,
    maxFileDescriptorCount: 20000,
    localSessionCount: 0,
    connections: [probe(43290)],
    sessions: [],
    ephemerals: [],
    dataWatches: [],
    conf: {
      clientPort: 23810, secureClientPort: -1, dataDir: '/tmp/zkrun/data/version-2', dataLogDir: '/tmp/zkrun/data/version-2',
      tickTimeMs: 2000, maxClientCnxns: 60, minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000,
      clientPortListenBacklog: -1, serverId: 0,
    },
    dataDirSizeBytes: 457,
    dataLogDirSizeBytes: 457,
    environment: {
      hostName: 'localhost',
      runtime: [
        ['java.version', '17.0.15'], ['java.vendor', 'Debian'], ['java.home', '/usr/lib/jvm/java-17-openjdk-amd64'],
        ['java.class.path', '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar:/usr/share/java/servlet-api.jar'],
        ['java.library.path', '/usr/java/packages/lib:/usr/lib/x86_64-linux-gnu/jni:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/jni:/lib:/usr/lib'],
        ['java.io.tmpdir', '/tmp'], ['java.compiler', '<NA>'],
      ],
      osName: 'Linux', osArch: 'amd64', osVersion: '6.18.44-fc-v769', userName: 'root', userHome: '/root', userDir: '/tmp/zkrun',
      // Not whole MiB, to check that envi truncates as Java's long division does.
      memoryFreeBytes: 375 * 1048576 + 1048575, memoryMaxBytes: 6028 * 1048576, memoryTotalBytes: 388 * 1048576 + 7,
    },
    traceMask: 306n,
    digests: [],
    resetServerStats() { recorded.serverResets++; },
    resetConnectionStats() { recorded.connectionResets++; },
    setTraceMask(mask) { recorded.traceMasks.push(mask); },
    ...overrides,
  };
}

test('the first four bytes name a word only when they spell one we know', () => {
  for (const word of fourLetterWords) assert.equal(fourLetterWordOf(ascii(word)), word);
  assert.equal(fourLetterWords.length, 18);
  assert.equal(fourLetterWordOf(ascii('ruok plus more bytes')), 'ruok');
  assert.equal(fourLetterWordOf(ascii('RUOK')), undefined);
  assert.equal(fourLetterWordOf(ascii('xxxx')), undefined);
  assert.equal(fourLetterWordOf(ascii('ruo')), undefined);
  // A ConnectRequest frame starts with its length, 45 (zk380-captures/wire_probe_output.txt).
  assert.equal(fourLetterWordOf(Uint8Array.from([0x00, 0x00, 0x00, 0x2d, 0, 0])), undefined);
  assert.equal(isTelnetClose(Uint8Array.from([0xff, 0xf4, 0xff, 0xfd])), true);
  assert.equal(isTelnetClose(ascii('ruok')), false);
});

test('srvr, stat, conf, cons, dirs, envi and the short answers match a fresh 3.8.0 byte for byte', () => {
  const ctx = freshContext();
  assert.equal(runFourLetterWord('srvr', ctx), golden(
    'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\n'
    + 'Received: 2\nSent: 1\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n'));
  assert.equal(runFourLetterWord('stat', freshContext({ packetsReceived: 3, packetsSent: 2, connections: [probe(43194)] })), golden(
    'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nClients:\n'
    + ' /127.0.0.1:43194[0](queued=0,recved=1,sent=0)\n\nLatency min/avg/max: 0/0.0/0\n'
    + 'Received: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n'));
  assert.equal(runFourLetterWord('conf', ctx),
    'clientPort=23810\nsecureClientPort=-1\ndataDir=/tmp/zkrun/data/version-2\ndataDirSize=457\n'
    + 'dataLogDir=/tmp/zkrun/data/version-2\ndataLogSize=457\ntickTime=2000\nmaxClientCnxns=60\n'
    + 'minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n');
  assert.equal(runFourLetterWord('cons', ctx), ' /127.0.0.1:43290[0](queued=0,recved=1,sent=0)\n\n');
  assert.equal(runFourLetterWord('dirs', ctx), 'datadir_size: 457\nlogdir_size: 457\n');
  assert.equal(runFourLetterWord('envi', ctx), golden([
    'Environment:', 'zookeeper.version=3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC', 'host.name=localhost',
    'java.version=17.0.15', 'java.vendor=Debian', 'java.home=/usr/lib/jvm/java-17-openjdk-amd64',
    'java.class.path=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar:/usr/share/java/servlet-api.jar',
    'java.library.path=/usr/java/packages/lib:/usr/lib/x86_64-linux-gnu/jni:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/jni:/lib:/usr/lib',
    'java.io.tmpdir=/tmp', 'java.compiler=<NA>', 'os.name=Linux', 'os.arch=amd64', 'os.version=6.18.44-fc-v769',
    'user.name=root', 'user.home=/root', 'user.dir=/tmp/zkrun', 'os.memory.free=375MB', 'os.memory.max=6028MB',
    'os.memory.total=388MB', ''].join('\n')));
  assert.equal(runFourLetterWord('ruok', ctx), 'imok');
  assert.equal(runFourLetterWord('isro', ctx), 'rw');
  assert.equal(runFourLetterWord('gtmk', ctx), '306');
  assert.equal(runFourLetterWord('hash', ctx), '');
  assert.equal(runFourLetterWord('wchs', ctx), '0 connections watching 0 paths\nTotal watches:0\n');
  assert.equal(runFourLetterWord('wchc', ctx), '\n');
  assert.equal(runFourLetterWord('wchp', ctx), '\n');
});

test('dump matches 3.8.0, including its idle-connection queue, and omits that queue when there is none', () => {
  const expiresAtMs = Date.UTC(2026, 10, 22, 4, 29, 9);
  const ctx = freshContext({ connectionExpiry: [{ remoteHost: '127.0.0.1', remotePort: 43282, sessionId: 0n, expiresAtMs }] });
  assert.equal(runFourLetterWord('dump', ctx),
    'SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\n'
    + 'Connections dump:\nConnections Sets (1)/(1):\n1 expire at Sun Nov 22 04:29:09 UTC 2026:\n'
    + '\tip: /127.0.0.1:43282 sessionId: 0x0\n');
  assert.equal(runFourLetterWord('dump', freshContext()),
    'SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\nConnections dump:\n');
});

// Live 3.8.0 with two kazoo sessions: ephemerals /e1 /e2 (s1) and /e3 (s2); data watches
// s1: /a, /nope (exists); s2: /a, /a/b. ZooKeeper listed them in hash order; we sort ids and paths.
const s1 = 0x100006cdd820000n;
const s2 = 0x100006cdd820001n;

function session(port: number, sessionId: bigint, fields: Partial<ConnectionStats>): ConnectionStats {
  return { ...probe(port), interestOps: 1, sessionId, sessionTimeoutMs: 10000, ...fields };
}

const busyConnections: ConnectionStats[] = [
  session(45220, s2, {
    packetsReceived: 4, packetsSent: 4, lastOperation: 'GETD', establishedMs: 1795334198475, lastCxid: 3, lastZxid: 7n,
    lastResponseTimeMs: 7141425, lastLatencyMs: 1, latency: { count: 4, totalMs: 1, minMs: 0, maxMs: 1 },
  }),
  session(45216, s1, {
    packetsReceived: 8, packetsSent: 8, lastOperation: 'EXIS', establishedMs: 1795334198460, lastCxid: 7, lastZxid: 7n,
    lastResponseTimeMs: 7141423, lastLatencyMs: 1, latency: { count: 8, totalMs: 19, minMs: 0, maxMs: 8 },
  }),
  probe(45258),
];

function busyContext(overrides: Partial<FourLetterContext> = {}) {
  return freshContext({
    packetsReceived: 16, packetsSent: 15, lastProcessedZxid: 7n, nodeCount: 10,
    latency: { count: 12, totalMs: 23, minMs: 0, maxMs: 8 }, // average 1.91666… prints 1.9167
    connections: busyConnections,
    sessions: [{ sessionId: s2, expiresAtMs: Date.UTC(2026, 10, 22, 7, 56, 49) }, { sessionId: s1, expiresAtMs: Date.UTC(2026, 10, 22, 7, 56, 49) }],
    ephemerals: [{ sessionId: s2, paths: ['/e3'] }, { sessionId: s1, paths: ['/e2', '/e1'] }],
    dataWatches: [
      { path: '/a', sessionId: s2 }, { path: '/a/b', sessionId: s2 }, { path: '/nope', sessionId: s1 }, { path: '/a', sessionId: s1 },
      { path: '/a', sessionId: s1 }, // a second mode on the same path is still one entry, as in ZooKeeper's watch table
    ],
    ...overrides,
  });
}

test('with sessions, ephemerals and watches the text matches 3.8.0 (ids and paths sorted)', () => {
  const ctx = busyContext();
  assert.equal(runFourLetterWord('srvr', ctx), golden(
    'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/1.9167/8\n'
    + 'Received: 16\nSent: 15\nConnections: 3\nOutstanding: 0\nZxid: 0x7\nMode: standalone\nNode count: 10\n'));
  assert.equal(runFourLetterWord('cons', ctx),
    ' /127.0.0.1:45220[1](queued=0,recved=4,sent=4,sid=0x100006cdd820001,lop=GETD,est=1795334198475,to=10000,'
    + 'lcxid=0x3,lzxid=0x7,lresp=7141425,llat=1,minlat=0,avglat=0,maxlat=1)\n'
    + ' /127.0.0.1:45216[1](queued=0,recved=8,sent=8,sid=0x100006cdd820000,lop=EXIS,est=1795334198460,to=10000,'
    + 'lcxid=0x7,lzxid=0x7,lresp=7141423,llat=1,minlat=0,avglat=2,maxlat=8)\n'
    + ' /127.0.0.1:45258[0](queued=0,recved=1,sent=0)\n\n');
  assert.match(runFourLetterWord('stat', ctx),
    /\nClients:\n \/127\.0\.0\.1:45220\[1\]\(queued=0,recved=4,sent=4\)\n \/127\.0\.0\.1:45216\[1\]\(queued=0,recved=8,sent=8\)\n \/127\.0\.0\.1:45258\[0\]\(queued=0,recved=1,sent=0\)\n\nLatency min\/avg\/max: 0\/1\.9167\/8\n/);
  assert.equal(runFourLetterWord('dump', ctx),
    'SessionTracker dump:\nSession Sets (1)/(2):\n2 expire at Sun Nov 22 07:56:49 UTC 2026:\n\t0x100006cdd820000\n\t0x100006cdd820001\n'
    + 'ephemeral nodes dump:\nSessions with Ephemerals (2):\n0x100006cdd820000:\n\t/e1\n\t/e2\n0x100006cdd820001:\n\t/e3\n'
    + 'Connections dump:\n');
  assert.equal(runFourLetterWord('wchs', ctx), '2 connections watching 3 paths\nTotal watches:4\n');
  assert.equal(runFourLetterWord('wchc', ctx), '0x100006cdd820000\n\t/a\n\t/nope\n0x100006cdd820001\n\t/a\n\t/a/b\n\n');
  assert.equal(runFourLetterWord('wchp', ctx), '/a\n\t0x100006cdd820000\n\t0x100006cdd820001\n/a/b\n\t0x100006cdd820001\n/nope\n\t0x100006cdd820000\n\n');
});

test('dump puts sessions in expiry buckets in time order', () => {
  const t0 = Date.UTC(2030, 0, 5, 1, 2, 3);
  const ctx = freshContext({ sessions: [{ sessionId: 3n, expiresAtMs: t0 + 2000 }, { sessionId: 2n, expiresAtMs: t0 }, { sessionId: 1n, expiresAtMs: t0 + 2000 }] });
  assert.equal(runFourLetterWord('dump', ctx).split('ephemeral')[0],
    'SessionTracker dump:\nSession Sets (2)/(3):\n1 expire at Sat Jan 05 01:02:03 UTC 2030:\n\t0x2\n'
    + '2 expire at Sat Jan 05 01:02:05 UTC 2030:\n\t0x1\n\t0x3\n');
});

test('cons after crst prints reset stats as 3.8.0 does: lop=NA, no lcxid, lzxid -1 in two\'s complement', () => {
  const reset = session(43516, 0x100006cdd820002n, { packetsReceived: 0, packetsSent: 0, establishedMs: 1795334232906 });
  assert.equal(runFourLetterWord('cons', freshContext({ connections: [probe(43636), reset] })),
    ' /127.0.0.1:43636[0](queued=0,recved=1,sent=0)\n'
    + ' /127.0.0.1:43516[1](queued=0,recved=0,sent=0,sid=0x100006cdd820002,lop=NA,est=1795334232906,to=10000,'
    + 'lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n');
});

test('addresses print as Java prints them: IPv4-mapped as IPv4, IPv6 in brackets', () => {
  const ctx = freshContext({ connections: [{ ...probe(1), remoteHost: '::ffff:10.1.2.3' }, { ...probe(2), remoteHost: '::1' }] });
  assert.equal(runFourLetterWord('cons', ctx), ' /10.1.2.3:1[0](queued=0,recved=1,sent=0)\n /[::1]:2[0](queued=0,recved=1,sent=0)\n\n');
});

test('mntr prints zk_<key>\\t<value> for the standalone gauges, in 3.8.0\'s order and with its values', () => {
  // The first 24 lines of zk380-captures/mntr.txt: the gauges, which we print when we know them.
  const captured = [
    `zk_version\t${ZK_VERSION}`, 'zk_server_state\tstandalone', 'zk_ephemerals_count\t0', 'zk_num_alive_connections\t1',
    'zk_avg_latency\t0.0', 'zk_outstanding_requests\t0', 'zk_znode_count\t5', 'zk_global_sessions\t0',
    'zk_non_mtls_remote_conn_count\t0', 'zk_last_client_response_size\t-1', 'zk_packets_sent\t5', 'zk_packets_received\t6',
    'zk_max_client_response_size\t-1', 'zk_connection_drop_probability\t0.0', 'zk_watch_count\t0', 'zk_auth_failed_count\t0',
    'zk_min_latency\t0', 'zk_max_file_descriptor_count\t20000', 'zk_approximate_data_size\t44',
    'zk_open_file_descriptor_count\t43', 'zk_local_sessions\t0', 'zk_uptime\t11524', 'zk_max_latency\t0',
    'zk_outstanding_tls_handshake\t0', 'zk_min_client_response_size\t-1',
  ].map(golden);
  const full = freshContext({ packetsSent: 5, packetsReceived: 6, authFailedCount: 0, clientResponseSize: { last: -1, min: -1, max: -1 } });
  const lines = runFourLetterWord('mntr', full).split('\n');
  assert.equal(lines.pop(), '', 'mntr ends with a newline');
  for (const line of lines) assert.match(line, /^zk_[a-z_]+\t\S.*$/);
  const notOurs = new Set(['zk_non_mtls_remote_conn_count', 'zk_connection_drop_probability', 'zk_outstanding_tls_handshake']);
  assert.deepEqual(lines, captured.filter((line) => !notOurs.has(line.split('\t')[0]!)));

  // Optional gauges disappear when the shell does not know them; extras are appended.
  const lean = freshContext({
    openFileDescriptorCount: undefined, maxFileDescriptorCount: undefined,
    extraMetrics: [['bytes_received_count', 24], ...summaryMetrics('fsynctime', { count: 3, totalMs: 10, minMs: 1, maxMs: 6 })],
  });
  const keys = runFourLetterWord('mntr', lean).trimEnd().split('\n').map((line) => line.split('\t')[0]);
  assert.deepEqual(keys, [
    'zk_version', 'zk_server_state', 'zk_ephemerals_count', 'zk_num_alive_connections', 'zk_avg_latency',
    'zk_outstanding_requests', 'zk_znode_count', 'zk_global_sessions', 'zk_packets_sent', 'zk_packets_received',
    'zk_watch_count', 'zk_min_latency', 'zk_approximate_data_size', 'zk_local_sessions', 'zk_uptime', 'zk_max_latency',
    'zk_bytes_received_count', 'zk_avg_fsynctime', 'zk_min_fsynctime', 'zk_max_fsynctime', 'zk_cnt_fsynctime', 'zk_sum_fsynctime',
  ]);
  assert.match(runFourLetterWord('mntr', lean), /\nzk_avg_fsynctime\t3\.3333\nzk_min_fsynctime\t1\nzk_max_fsynctime\t6\nzk_cnt_fsynctime\t3\nzk_sum_fsynctime\t10\n$/);
  const busy = runFourLetterWord('mntr', busyContext());
  assert.match(busy, /\nzk_avg_latency\t1\.9167\n/);
  assert.match(busy, /\nzk_global_sessions\t2\n/);
  assert.match(busy, /\nzk_num_alive_connections\t3\n/);
  assert.throws(() => runFourLetterWord('mntr', freshContext({ extraMetrics: [['ratio', 0.5]] })), /formatJavaDouble/);
});

test('a word outside the whitelist gets ZooKeeper\'s refusal and has no effect', () => {
  const ctx = freshContext({ whitelist: new Set(['srvr']) });
  for (const word of fourLetterWords.filter((w) => w !== 'srvr')) {
    assert.equal(runFourLetterWord(word, ctx, 1n), `${word} is not executed because it is not in the whitelist.\n`);
  }
  assert.match(runFourLetterWord('srvr', ctx), /^Zookeeper version: /);
  assert.deepEqual(ctx.recorded, { serverResets: 0, connectionResets: 0, traceMasks: [] });
});

test('crst, srst and stmk act through the context and answer as 3.8.0', () => {
  const ctx = freshContext();
  assert.equal(runFourLetterWord('crst', ctx), 'Connection stats reset.\n');
  assert.equal(runFourLetterWord('srst', ctx), 'Server stats reset.\n');
  assert.equal(runFourLetterWord('stmk', ctx, 1234n), '1234');
  const minusTwo = traceMaskOf(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
  assert.equal(minusTwo, -2n);
  assert.equal(runFourLetterWord('stmk', ctx, minusTwo), '-2');
  assert.deepEqual(ctx.recorded, { serverResets: 1, connectionResets: 1, traceMasks: [1234n, -2n] });
  assert.throws(() => runFourLetterWord('stmk', ctx));
  assert.throws(() => traceMaskOf(new Uint8Array(STMK_ARGUMENT_BYTES - 1)));
  assert.equal(runFourLetterWord('gtmk', freshContext({ traceMask: -2n })), '-2');
});

test('a server that is not serving answers as ZooKeeper does, and changes nothing', () => {
  const ctx = freshContext({ serving: false });
  const answers = Object.fromEntries(fourLetterWords.map((word) => [word, runFourLetterWord(word, ctx, 5n)])) as Record<FourLetterWord, string>;
  for (const word of ['srvr', 'stat', 'cons', 'crst', 'srst', 'conf', 'dirs', 'dump', 'wchs', 'wchc', 'wchp', 'mntr'] as const) {
    assert.equal(answers[word], `${NOT_SERVING_MESSAGE}\n`, word);
  }
  assert.equal(answers.hash, NOT_SERVING_MESSAGE);
  assert.equal(answers.isro, 'null');
  assert.equal(answers.ruok, 'imok');
  assert.equal(answers.gtmk, '306');
  assert.equal(answers.stmk, '5');
  assert.match(answers.envi, /^Environment:\n/);
  assert.deepEqual(ctx.recorded, { serverResets: 0, connectionResets: 0, traceMasks: [5n] });
});

test('a read-only server says so in srvr, stat and isro', () => {
  const ctx = freshContext({ readOnly: true, serverState: 'read-only' });
  assert.match(runFourLetterWord('srvr', ctx), /^Zookeeper version: [^\n]+\nREAD-ONLY mode; serving only read-only clients\nLatency/);
  assert.match(runFourLetterWord('srvr', ctx), /\nMode: read-only\n/);
  assert.match(runFourLetterWord('stat', ctx), /\nREAD-ONLY mode; serving only read-only clients\nClients:\n/);
  assert.equal(runFourLetterWord('isro', ctx), 'ro');
});

test('hash lists digests as 3.8.0 does: hex zxid, signed decimal digest', () => {
  const ctx = freshContext({ digests: [{ zxid: 0x80n, digest: 123456789n }, { zxid: 0x100n, digest: 0xffffffffffffffffn }] });
  assert.equal(runFourLetterWord('hash', ctx), '80: 123456789\n100: -1\n');
});

test('the version leads with the ZooKeeper release, and kazoo parses it from envi', () => {
  assert.equal(OUR_VERSION, `${ZOOKEEPER_PROTOCOL_VERSION}-zkts-0.1.0, built on 2025-01-02 03:04 UTC`);
  assert.match(ZOOKEEPER_PROTOCOL_VERSION, /^3\.8\.\d+$/);
  const envi = runFourLetterWord('envi', freshContext());
  // Run kazoo's own KazooClient.server_version on our envi text (no connection: command() is replaced).
  const script = [
    'import sys', 'from kazoo.client import KazooClient', 'c = KazooClient.__new__(KazooClient)',
    'text = sys.stdin.read()', 'c.command = lambda cmd=b"ruok": text', 'print(".".join(map(str, c.server_version())))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: envi, encoding: 'utf8', timeout: 20_000 });
  if (run.error !== undefined || /No module named .kazoo/.test(run.stderr)) {
    // Without kazoo, check the rule kazoo applies: the leading [\d.]* of zookeeper.version.
    assert.equal(/^zookeeper\.version=([\d.]*)/m.exec(envi)?.[1], ZOOKEEPER_PROTOCOL_VERSION);
    return;
  }
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), ZOOKEEPER_PROTOCOL_VERSION);
});

test('Java number and date formatting', () => {
  assert.equal(formatJavaDouble(0), '0.0');
  assert.equal(formatJavaDouble(2), '2.0');
  assert.equal(formatJavaDouble(1.9167), '1.9167');
  assert.equal(formatJavaDouble(0.0001), '1.0E-4');
  assert.equal(formatJavaDouble(0.00025), '2.5E-4');
  assert.equal(formatJavaDouble(15_000_000), '1.5E7');
  assert.equal(formatJavaDouble(1_000_000), '1000000.0');
  assert.equal(javaHex(0n), '0');
  assert.equal(javaHex(-1n), 'ffffffffffffffff');
  assert.equal(javaDateString(Date.UTC(2026, 10, 22, 4, 29, 9)), 'Sun Nov 22 04:29:09 UTC 2026');
  // Half-up rounding to 4 decimals, decided exactly: 1/32 = 0.03125 -> 0.0313; 2/3 -> 0.6667.
  assert.match(runFourLetterWord('srvr', freshContext({ latency: { count: 32, totalMs: 1, minMs: 0, maxMs: 1 } })), /min\/avg\/max: 0\/0\.0313\/1\n/);
  assert.match(runFourLetterWord('srvr', freshContext({ latency: { count: 3, totalMs: 2, minMs: 0, maxMs: 1 } })), /min\/avg\/max: 0\/0\.6667\/1\n/);
});

test('cons names the last operation with ZooKeeper\'s short op names', () => {
  assert.equal(lastOperationName(OpCode.getData), 'GETD');
  assert.equal(lastOperationName(OpCode.exists), 'EXIS');
  assert.equal(lastOperationName(OpCode.create2), 'CREA');
  assert.equal(lastOperationName(OpCode.createSession), 'SESS');
  assert.equal(lastOperationName(OpCode.getAllChildrenNumber), 'GETACN');
  assert.equal(lastOperationName(OpCode.whoAmI), 'HOMI');
  assert.equal(lastOperationName(999), 'NA');
});
