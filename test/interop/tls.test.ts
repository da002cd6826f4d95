/**
 * The secure client port (secureClientPort, ssl.*), differential: zkts and Apache ZooKeeper 3.8
 * (with its Netty connection factory, which TLS needs) get the same zoo.cfg TLS lines and the
 * same certificates, made here with openssl: a test CA, a server certificate, a client one, and
 * a client certificate from another CA. kazoo over TLS works on both; a client without a
 * certificate, or with one from an unknown CA, is refused by both; four-letter words answer over
 * TLS; ZooKeeper's Java client, the zkts client library and zkts shell connect over TLS; both negotiate the same protocol;
 * ssl.clientAuth=want and none behave alike. Then zkts
 * alone: a server with no plain port, a PKCS12 key store, an encrypted PEM key, and a wrong
 * password (start-up fails naming the key).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import { apacheZooKeeperAvailable, freePort, startApacheZooKeeper, startZkts, zktsMain, type RunningServer } from '../support/servers.js';
import { fourLetterWord, runZooKeeperClass } from '../support/zk-datadir.js';
import { createClient } from '../../src/client/index.js';
import { commandSucceeds } from './clients/support.js';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const haveOpenssl = commandSucceeds('openssl', ['version']);
const haveKazoo = commandSucceeds(python, ['-c', 'import kazoo']);
const skip = !haveOpenssl ? 'openssl is not installed' : !haveKazoo ? 'kazoo is not installed' : false;

interface Certificates {
  readonly dir: string;
  readonly path: (name: string) => string;
}

/** A CA, server and client certificates signed by it (for 127.0.0.1), and a stranger's client certificate. */
function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  for (const ca of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=zkts ${ca}`);
  writeFileSync(path('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [who, ca] of [['server', 'ca'], ['client', 'ca'], ['stranger', 'other-ca']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', 'san.ext');
    writeFileSync(path(`${who}.pem`), readFileSync(path(`${who}.key`), 'utf8') + readFileSync(path(`${who}.crt`), 'utf8'));
  }
  openssl('pkcs12', '-export', '-in', 'server.crt', '-inkey', 'server.key', '-out', 'server.p12', '-passout', 'pass:p12-secret');
  openssl('pkey', '-in', 'server.key', '-out', 'server-enc.key', '-aes256', '-passout', 'pass:pem-secret');
  writeFileSync(path('server-enc.pem'), readFileSync(path('server-enc.key'), 'utf8') + readFileSync(path('server.crt'), 'utf8'));
  return { dir, path };
}

interface Secure {
  readonly server: RunningServer;
  readonly securePort: number;
}

async function startSecure(kind: 'zkts' | 'zookeeper', certs: Certificates, extra: Record<string, string> = {}): Promise<Secure> {
  const securePort = await freePort();
  const start = kind === 'zkts' ? startZkts : startApacheZooKeeper;
  const server = await start({
    config: {
      serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory',
      secureClientPort: String(securePort),
      secureClientPortAddress: '127.0.0.1',
      'ssl.keyStore.location': certs.path('server.pem'),
      'ssl.trustStore.location': certs.path('ca.pem'),
      ...extra,
    },
  });
  return { server, securePort };
}

/** kazoo over TLS: connects with `who`'s certificate (or none), writes and reads a node; its outcome. */
async function kazoo(target: Secure, certs: Certificates, who: string | undefined): Promise<string> {
  const script = `
import sys
from kazoo.client import KazooClient
from kazoo.retry import KazooRetry
who = sys.argv[2]
extra = {} if who == '-' else {'certfile': sys.argv[3] + '/' + who + '.crt', 'keyfile': sys.argv[3] + '/' + who + '.key'}
zk = KazooClient(hosts=sys.argv[1], use_ssl=True, verify_certs=True, ca=sys.argv[3] + '/ca.pem', timeout=4,
                 connection_retry=KazooRetry(max_tries=2, delay=0.1), **extra)
try:
    zk.start(timeout=4)
except Exception as error:
    print('refused: ' + type(error).__name__)
    sys.exit(0)
path = zk.create('/tls-', b'over tls', sequence=True)
print('ok ' + zk.get(path)[0].decode())
zk.stop()
`;
  const { stdout } = await run(python, ['-c', script, `127.0.0.1:${target.securePort}`, who ?? '-', certs.dir], { timeout: 30_000 });
  return stdout.trim();
}

/** A raw TLS connection: the negotiated protocol and a four-letter word's answer, or the error. */
function tlsWord(port: number, word: string, options: ConnectionOptions): Promise<{ protocol: string | null; answer: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const protocol = socket.getProtocol();
      let answer = '';
      socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
      socket.on('end', () => resolve({ protocol, answer }));
      socket.write(word);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    socket.on('error', (error) => resolve({ error: error.message }));
  });
}

const withCert = (certs: Certificates, who: string): ConnectionOptions => ({
  ca: readFileSync(certs.path('ca.pem')), cert: readFileSync(certs.path(`${who}.crt`)), key: readFileSync(certs.path(`${who}.key`)),
});

describe('the TLS client port, next to Apache ZooKeeper 3.8', { skip: skip || (apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed') }, () => {
  let certs: Certificates;
  let zk: Secure;
  let ours: Secure;
  before(async () => {
    certs = makeCertificates();
    [zk, ours] = await Promise.all([startSecure('zookeeper', certs), startSecure('zkts', certs)]);
  });
  after(async () => {
    await zk?.server.stop();
    await ours?.server.stop();
    if (certs !== undefined) rmSync(certs.dir, { recursive: true, force: true });
  });

  it('kazoo with a certificate from the trusted CA works; without one, or from another CA, it is refused', async () => {
    for (const target of [zk, ours]) {
      const kind = target.server.kind;
      assert.equal(await kazoo(target, certs, 'client'), 'ok over tls', `${kind}: client certificate`);
      assert.match(await kazoo(target, certs, undefined), /^refused/, `${kind}: no certificate`);
      assert.match(await kazoo(target, certs, 'stranger'), /^refused/, `${kind}: another CA's certificate`);
      assert.equal(await fourLetterWord(target.server.port, 'ruok'), 'imok', `${kind}: the plain port serves on`);
    }
  });

  it('the zkts client library works over TLS on both; a server certificate from another CA is not trusted', async () => {
    for (const target of [zk, ours]) {
      const client = await createClient(`127.0.0.1:${target.securePort}`, { tls: withCert(certs, 'client'), sessionTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
      try {
        const path = await client.create('/lib-', new TextEncoder().encode('via tls'), { mode: 'persistentSequential' });
        assert.equal(new TextDecoder().decode((await client.getData(path)).data!), 'via tls', target.server.kind);
      } finally {
        await client.close();
      }
      const untrusting = { ...withCert(certs, 'client'), ca: readFileSync(certs.path('other-ca.pem')) };
      await assert.rejects(createClient(`127.0.0.1:${target.securePort}`, { tls: untrusting, sessionTimeoutMs: 10_000, connectTimeoutMs: 2_000 }), Error, target.server.kind);
    }
  });

  it('ZooKeeper\'s own Java client (zkCli) works over TLS on both, with its zookeeper.ssl.* properties', async () => {
    for (const target of [zk, ours]) {
      const { stdout, stderr } = await runZooKeeperClass('org.apache.zookeeper.ZooKeeperMain', ['-server', `127.0.0.1:${target.securePort}`], {
        input: 'create /java-tls hello\nget /java-tls\nquit\n',
        properties: {
          'zookeeper.client.secure': 'true', 'zookeeper.clientCnxnSocket': 'org.apache.zookeeper.ClientCnxnSocketNetty',
          'zookeeper.ssl.keyStore.location': certs.path('client.pem'), 'zookeeper.ssl.trustStore.location': certs.path('ca.pem'),
        },
      });
      // zkCli reports the create on stderr and prints the data on stdout.
      assert.match(stderr, /Created \/java-tls\n/, `${target.server.kind}:\n${stderr}`);
      assert.match(stdout, /\nhello\n/, `${target.server.kind}:\n${stdout}`);
    }
  });

  it('zkts shell works over TLS on both, with --ca and a PEM holding key and certificate; without a certificate it cannot connect', async () => {
    for (const target of [zk, ours]) {
      const shell = (...args: string[]) => run(process.execPath, [zktsMain, 'shell', '-server', `127.0.0.1:${target.securePort}`, '-timeout', '5000', ...args], { timeout: 20_000 });
      await shell('--ca', certs.path('ca.pem'), '--cert', certs.path('client.pem'), 'create', '/shell-tls', 'from the shell');
      const { stdout } = await shell('--ca', certs.path('ca.pem'), '--cert', certs.path('client.crt'), '--key', certs.path('client.key'), 'get', '/shell-tls');
      assert.match(stdout, /\nfrom the shell\n/, target.server.kind);
      const refused = await shell('--ca', certs.path('ca.pem'), 'get', '/shell-tls').then(() => 0, (error: { code?: number }) => error.code);
      assert.equal(refused, 1, `${target.server.kind}: no client certificate`);
    }
  });

  it('four-letter words answer over TLS, with the protocol ZooKeeper negotiates', async () => {
    const theirs = await tlsWord(zk.securePort, 'ruok', withCert(certs, 'client'));
    const mine = await tlsWord(ours.securePort, 'ruok', withCert(certs, 'client'));
    assert.deepEqual(mine, theirs);
    assert.deepEqual(mine, { protocol: 'TLSv1.2', answer: 'imok' });
    const conf = await tlsWord(ours.securePort, 'conf', withCert(certs, 'client'));
    assert.ok('answer' in conf && conf.answer.includes(`secureClientPort=${ours.securePort}\n`), JSON.stringify(conf));
    // Without a client certificate both end the handshake.
    for (const target of [zk, ours]) {
      assert.ok('error' in (await tlsWord(target.securePort, 'ruok', { ca: readFileSync(certs.path('ca.pem')) })), `${target.server.kind}: no certificate`);
    }
  });
});

describe('the TLS client port: clientAuth modes on both servers, key stores on zkts', { skip }, () => {
  let certs: Certificates;
  before(() => { certs = makeCertificates(); });
  after(() => { if (certs !== undefined) rmSync(certs.dir, { recursive: true, force: true }); });

  it('ssl.clientAuth=want takes a client without a certificate but not one with a bad certificate; none asks for none', async () => {
    for (const kind of ['zookeeper', 'zkts'] as const) {
      if (kind === 'zookeeper' && !apacheZooKeeperAvailable()) continue;
      const want = await startSecure(kind, certs, { 'ssl.clientAuth': 'want' });
      try {
        assert.equal(await kazoo(want, certs, undefined), 'ok over tls', `${kind} want: no certificate`);
        assert.equal(await kazoo(want, certs, 'client'), 'ok over tls', `${kind} want: client certificate`);
        assert.match(await kazoo(want, certs, 'stranger'), /^refused/, `${kind} want: another CA's certificate`);
      } finally {
        await want.server.stop();
      }
      // ssl.protocol=TLSv1.3 alone changes nothing: ZooKeeper's default suites are TLS 1.2 ones.
      const none = await startSecure(kind, certs, { 'ssl.clientAuth': 'none', 'ssl.protocol': 'TLSv1.3', 'ssl.enabledProtocols': 'TLSv1.2,TLSv1.3' });
      try {
        assert.equal(await kazoo(none, certs, undefined), 'ok over tls', `${kind} none`);
        assert.deepEqual(await tlsWord(none.securePort, 'ruok', { ca: readFileSync(certs.path('ca.pem')) }), { protocol: 'TLSv1.2', answer: 'imok' }, `${kind} none`);
      } finally {
        await none.server.stop();
      }
      const suites = await startSecure(kind, certs, {
        'ssl.protocol': 'TLSv1.3', 'ssl.enabledProtocols': 'TLSv1.2,TLSv1.3', 'ssl.ciphersuites': 'TLS_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
      });
      try {
        assert.deepEqual(await tlsWord(suites.securePort, 'ruok', withCert(certs, 'client')), { protocol: 'TLSv1.3', answer: 'imok' }, `${kind} suites`);
        assert.deepEqual(await tlsWord(suites.securePort, 'ruok', { ...withCert(certs, 'client'), maxVersion: 'TLSv1.2' }), { protocol: 'TLSv1.2', answer: 'imok' }, `${kind} suites, 1.2`);
        assert.ok('error' in await tlsWord(suites.securePort, 'ruok', { ...withCert(certs, 'client'), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), `${kind}: a suite not listed`);
      } finally {
        await suites.server.stop();
      }
    }
  });

  it('a server with only a secureClientPort serves TLS clients, and zkts status asks it there', async () => {
    const securePort = await freePort();
    const config = join(certs.dir, 'secure-only.cfg');
    writeFileSync(config, [`dataDir=${join(certs.dir, 'secure-only-data')}`, 'admin.enableServer=false', `secureClientPort=${securePort}`,
      'secureClientPortAddress=127.0.0.1', `ssl.keyStore.location=${certs.path('server.pem')}`, `ssl.trustStore.location=${certs.path('ca.pem')}`, ''].join('\n'));
    const child = spawn(process.execPath, [zktsMain, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        // srvr: the one word the default whitelist allows.
        const probe = await tlsWord(securePort, 'srvr', withCert(certs, 'client'));
        if ('answer' in probe && probe.answer.startsWith('Zookeeper version:')) break;
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no TLS answer within 10 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(await kazoo({ server: undefined as never, securePort }, certs, 'client'), 'ok over tls');
      assert.match(output, new RegExp(`zkts serving TLS clients only on 127\\.0\\.0\\.1:${securePort}`));
      // zkts status asks the TLS port, with the config's own key and trust stores.
      const status = await run(process.execPath, [zktsMain, 'status', '--config', config], { timeout: 15_000 });
      assert.match(status.stdout, new RegExp(`^Client port found: ${securePort}\\. Client address: 127\\.0\\.0\\.1\\. Client SSL: true\\.\nMode: standalone\n`));
      assert.doesNotMatch(output, /clientPort is not set/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('a PKCS12 key store and an encrypted PEM key open with their passwords; a wrong one stops start-up naming the key', async () => {
    for (const store of [{ 'ssl.keyStore.location': certs.path('server.p12'), 'ssl.keyStore.password': 'p12-secret' },
      { 'ssl.keyStore.location': certs.path('server-enc.pem'), 'ssl.keyStore.password': 'pem-secret' }]) {
      const target = await startSecure('zkts', certs, store);
      try {
        assert.equal(await kazoo(target, certs, 'client'), 'ok over tls', store['ssl.keyStore.location']);
      } finally {
        await target.server.stop();
      }
    }
    const config = join(certs.dir, 'zoo.cfg');
    writeFileSync(config, [`dataDir=${join(certs.dir, 'data')}`, `clientPort=${await freePort()}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false',
      `secureClientPort=${await freePort()}`, 'secureClientPortAddress=127.0.0.1', `ssl.keyStore.location=${certs.path('server.p12')}`, 'ssl.keyStore.password=wrong', ''].join('\n'));
    const failed = await run(process.execPath, [zktsMain, 'start', '--config', config], { timeout: 15_000 }).then(() => undefined, (error: { code?: number; stderr?: string }) => error);
    assert.ok(failed !== undefined, 'start-up failed');
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr ?? '', /ssl\.keyStore\.password: cannot use the key store .*server\.p12 \(PKCS12\)/);
  });
});
