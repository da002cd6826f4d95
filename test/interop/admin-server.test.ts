/**
 * The AdminServer over HTTP, differential: Apache ZooKeeper 3.8 (its Jetty admin server) and
 * zkts serve the same state (two sessions with ephemerals and watches), and every command in
 * ZooKeeper's index is fetched from both. Values differ between servers (ports, session ids,
 * times, sizes), so each answer is compared as its text with every string and number replaced
 * by its kind: same fields, same order, same nesting, same value kinds, same layout. Where
 * values must agree (counts, flags, error messages, configured limits), they are compared too.
 * Also: the trace mask is one with the four-letter words'; a busy admin port does not stop
 * zkts; admin.enableServer=false opens nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { apacheZooKeeperAvailable, freePort, startApacheZooKeeper, startZkts, type RunningServer } from '../support/servers.js';
import { openAcl, WireClient } from '../support/wire-client.js';
import { fourLetterWord } from '../support/zk-datadir.js';

const skip = apacheZooKeeperAvailable() ? false : 'Apache ZooKeeper is not installed';
const utf8 = (text: string) => new TextEncoder().encode(text);

interface Admin {
  readonly server: RunningServer;
  readonly adminPort: number;
  readonly clients: WireClient[];
}

async function startWithAdmin(kind: 'zkts' | 'zookeeper'): Promise<Admin> {
  const adminPort = await freePort();
  const start = kind === 'zkts' ? startZkts : startApacheZooKeeper;
  const server = await start({ config: { 'admin.enableServer': 'true', 'admin.serverAddress': '127.0.0.1', 'admin.serverPort': String(adminPort) } });
  const a = await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 30_000 });
  const b = await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 20_000 });
  assert.equal((await a.create('/x', utf8('xx'), openAcl, 0)).err, 0);
  assert.equal((await a.create('/x/e1', utf8('e'), openAcl, 1)).err, 0);
  assert.equal((await b.create('/x/e2', utf8('e'), openAcl, 1)).err, 0);
  await a.getData('/x', true);
  await b.getData('/x', true);
  await b.exists('/y', true);
  // As many watched paths for each session: which session a hash map lists first depends on
  // the session ids, which the two servers choose differently.
  await a.exists('/z', true);
  await a.getChildren('/x', true);
  return { server, adminPort, clients: [a, b] };
}

async function get(admin: Admin, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(`http://127.0.0.1:${admin.adminPort}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/**
 * The answer's layout: field names as they are, other strings (and keys that are data: session
 * ids, times, paths) as "S", integers as N, doubles as D. The fields of "server_stats" are
 * sorted first, by name: Jackson lists a bean's properties in the order reflection
 * returns its getters, which differs from one JVM run to the next (seen: provider_null before
 * or after data_dir_size).
 */
function shape(json: string): string {
  const lines = json.split('\n');
  const start = lines.findIndex((line) => line.startsWith('  "server_stats" : {'));
  if (start >= 0) {
    const end = lines.indexOf('  },', start);
    const fields = lines.slice(start + 1, end).join('\n').split(/,\n(?=    ")/).sort();
    lines.splice(start + 1, end - start - 1, ...fields.join(',\n').split('\n'));
  }
  return lines.join('\n')
    .replace(/"((?:[^"\\]|\\.)*)"( :)?/g, (_, text: string, colon?: string) => (colon !== undefined && /^[a-z][a-z_]*$/.test(text) ? `"${text}" :` : `"S"${colon ?? ''}`))
    .replace(/-?\d+\.\d+(?:E-?\d+)?/g, 'D').replace(/(?<![a-z_])-?\d+/g, 'N');
}

describe('the admin HTTP server, next to Apache ZooKeeper 3.8', { skip }, () => {
  let zk: Admin;
  let ours: Admin;
  before(async () => {
    [zk, ours] = await Promise.all([startWithAdmin('zookeeper'), startWithAdmin('zkts')]);
  });
  after(async () => {
    for (const admin of [zk, ours]) {
      for (const client of admin?.clients ?? []) await client.destroy();
      await admin?.server.stop();
    }
  });

  it('lists the same commands, and answers each with the same fields in the same layout', async () => {
    const [theirIndex, ourIndex] = [await get(zk, '/commands'), await get(ours, '/commands')];
    assert.equal(ourIndex.status, 200);
    assert.equal(ourIndex.body, theirIndex.body);
    assert.deepEqual((await get(ours, '/commands/')).body, theirIndex.body);
    const names = [...theirIndex.body.matchAll(/<a href="\/commands\/([a-z_]+)">/g)].map((match) => match[1]!);
    assert.ok(names.length >= 25, `ZooKeeper lists ${names.length} commands`);
    // Fields that are the Node process's own or that zkts does not have (its mntr has fewer keys).
    const ownFields = new Set(['environment', 'system_properties', 'monitor']);
    // Commands that change state last, so the others see the state as set up.
    const resets = new Set(['stat_reset', 'connection_stat_reset', 'observer_connection_stat_reset', 'set_trace_mask']);
    for (const name of [...names.filter((each) => !resets.has(each)), ...resets, 'nosuch']) {
      const [theirs, mine] = [await get(zk, `/commands/${name}`), await get(ours, `/commands/${name}`)];
      assert.equal(mine.status, theirs.status, `${name}: HTTP status`);
      assert.equal(mine.type, theirs.type, `${name}: content type`);
      const [theirJson, myJson] = [JSON.parse(theirs.body) as Record<string, unknown>, JSON.parse(mine.body) as Record<string, unknown>];
      assert.equal(myJson['command'], theirJson['command'], `${name}: its primary name`);
      assert.equal(myJson['error'], theirJson['error'], `${name}: error`);
      if (ownFields.has(name)) {
        assert.deepEqual(Object.keys(myJson).slice(-2), ['command', 'error']);
        continue;
      }
      assert.equal(shape(mine.body), shape(theirs.body), `${name}: layout\n${mine.body}\nZooKeeper:\n${theirs.body}`);
    }
  });

  it('agrees with ZooKeeper on the values both must have', async () => {
    const json = async (admin: Admin, name: string) => JSON.parse((await get(admin, `/commands/${name}`)).body) as Record<string, unknown>;
    for (const name of ['watch_summary', 'is_read_only', 'observers', 'voting_view', 'zabstate', 'hash', 'leader', 'ruok', 'nosuch']) {
      assert.deepEqual(await json(ours, name), await json(zk, name), name);
    }
    const [theirConf, myConf] = [await json(zk, 'conf'), await json(ours, 'conf')];
    for (const key of ['tick_time', 'max_client_cnxns', 'min_session_timeout', 'max_session_timeout', 'server_id', 'client_port_listen_backlog']) {
      assert.equal(myConf[key], theirConf[key], `configuration ${key}`);
    }
    assert.equal(myConf['client_port'], ours.server.port);
    // The ephemerals and watches, with session ids replaced by which client holds them.
    const sessionIndex = (admin: Admin) => new Map(admin.clients.map((client, index) => [String(client.sessionId), index]));
    const bySession = (admin: Admin, map: Record<string, unknown>) =>
      Object.entries(map).map(([id, list]) => [sessionIndex(admin).get(id), [...(list as string[])].sort()]).sort();
    const [theirDump, myDump] = [await json(zk, 'dump'), await json(ours, 'dump')];
    assert.deepEqual(bySession(ours, myDump['session_id_to_ephemeral_paths'] as Record<string, unknown>),
      bySession(zk, theirDump['session_id_to_ephemeral_paths'] as Record<string, unknown>));
    assert.deepEqual(bySession(ours, (await json(ours, 'watches'))['session_id_to_watched_paths'] as Record<string, unknown>),
      bySession(zk, (await json(zk, 'watches'))['session_id_to_watched_paths'] as Record<string, unknown>));
    const stats = async (admin: Admin) => {
      const answer = await json(admin, 'server_stats');
      const server = answer['server_stats'] as Record<string, unknown>;
      return [answer['read_only'], answer['node_count'], server['server_state'], server['num_alive_client_connections'], server['last_processed_zxid']];
    };
    assert.deepEqual(await stats(ours), await stats(zk));
    const monitorKeys = async (admin: Admin) => Object.keys(await json(admin, 'monitor'));
    const theirKeys = await monitorKeys(zk);
    const myKeys = await monitorKeys(ours);
    assert.deepEqual(myKeys.filter((key) => !theirKeys.includes(key)), [], 'every monitor key is one of ZooKeeper\'s');
    assert.deepEqual(myKeys.slice(0, 8), theirKeys.slice(0, 8), 'in ZooKeeper\'s order');
    assert.equal((await json(ours, 'monitor'))['znode_count'], (await json(zk, 'monitor'))['znode_count']);
    assert.equal((await json(ours, 'environment'))['zookeeper.version'], (await json(ours, 'server_stats'))['version']);
  });

  it('shares the trace mask with the four-letter words; a bad mask is refused', async () => {
    for (const admin of [zk, ours]) {
      assert.equal(await fourLetterWord(admin.server.port, 'gtmk'), '306', `${admin.server.kind}: the default mask`);
      const set = JSON.parse((await get(admin, '/commands/set_trace_mask?traceMask=5')).body) as Record<string, unknown>;
      assert.deepEqual(set, { tracemask: 5, command: 'set_trace_mask', error: null });
      assert.equal(await fourLetterWord(admin.server.port, 'gtmk'), '5', `${admin.server.kind}: gtmk after the admin command`);
      assert.equal(JSON.parse((await get(admin, '/commands/gtmk')).body).tracemask, 5);
    }
    for (const query of ['', '?traceMask=x', '?traceMask=%2B7', '?traceMask=99999999999999999999', '?traceMask=-1']) {
      assert.equal((await get(ours, `/commands/stmk${query}`)).body, (await get(zk, `/commands/stmk${query}`)).body, query);
    }
  });

  it('answers 404 outside the command URL, as Jetty does', async () => {
    for (const path of ['/', '/foo', '/command']) {
      assert.equal((await get(ours, path)).status, (await get(zk, path)).status, path);
    }
  });
});

describe('client response sizes (mntr, server_stats), next to Apache ZooKeeper 3.8', { skip }, () => {
  it('count every reply and notification but not the ConnectResponse, and srst resets them', async () => {
    const run = async (kind: 'zkts' | 'zookeeper') => {
      const server = await (kind === 'zkts' ? startZkts : startApacheZooKeeper)({});
      const seen: string[] = [];
      const sizes = async () => {
        const mntr = await fourLetterWord(server.port, 'mntr');
        seen.push(['last', 'min', 'max'].map((which) => new RegExp(`^zk_${which}_client_response_size\t(-?\\d+)$`, 'm').exec(mntr)?.[1]).join('/'));
      };
      try {
        await sizes();
        const [c, d] = [await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 10_000 }), await WireClient.connect({ host: server.host, port: server.port, timeOutMs: 10_000 })];
        await sizes();
        const long = `/${'x'.repeat(300)}`;
        await c.ping();
        await sizes();
        await d.create(long, new Uint8Array(100));
        await sizes();
        await c.getData(long, true);
        await sizes();
        await d.delete(long);
        // The notification to c, bigger than any reply so far, may land after the reply to d.
        for (let tries = 0; tries < 50 && !(await fourLetterWord(server.port, 'mntr')).includes('zk_max_client_response_size\t329'); tries++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await sizes();
        await fourLetterWord(server.port, 'srst');
        await sizes();
        await c.destroy();
        await d.destroy();
        return seen;
      } finally {
        await server.stop();
      }
    };
    const [theirs, ours] = await Promise.all([run('zookeeper'), run('zkts')]);
    assert.deepEqual(ours, theirs);
    // last/min/max: none yet; still none after two ConnectResponses; a ping's 16-byte header;
    // the create (path 4 + 301); getData (data 4 + 100, Stat 68); the delete's notification
    // (type, state, path: 4 + 4 + 4 + 301) and its reply; none after srst.
    assert.deepEqual(ours, ['-1/-1/-1', '-1/-1/-1', '16/16/16', '321/16/321', '188/16/321', '16/16/329', '-1/-1/-1']);
  });
});

describe('the admin HTTP server of zkts alone', () => {
  it('a busy admin port is logged and the client port serves on; enableServer=false opens none', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const busyPort = (blocker.address() as { port: number }).port;
    const server = await startZkts({ config: { 'admin.enableServer': 'true', 'admin.serverAddress': '127.0.0.1', 'admin.serverPort': String(busyPort) } });
    try {
      assert.equal(await fourLetterWord(server.port, 'ruok'), 'imok');
      assert.match(server.output(), new RegExp(`Problem starting AdminServer on 127\\.0\\.0\\.1:${busyPort}: EADDRINUSE`));
    } finally {
      await server.stop();
      blocker.close();
    }
    const quiet = await startZkts({ config: { 'admin.enableServer': 'false', 'admin.serverAddress': '127.0.0.1', 'admin.serverPort': String(busyPort) } });
    try {
      assert.equal(await fourLetterWord(quiet.port, 'ruok'), 'imok');
      await assert.rejects(fetch(`http://127.0.0.1:${busyPort}/commands`, { signal: AbortSignal.timeout(5000) }));
      assert.doesNotMatch(quiet.output(), /admin server on/);
    } finally {
      await quiet.stop();
    }
  });
});
