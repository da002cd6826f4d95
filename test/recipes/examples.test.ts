/**
 * The examples in examples/ run as the README says (built by tsc into dist/examples/), as real
 * processes against a real zkts and a real ZooKeeper 3.8: master/standby fails over when the
 * master process is killed with SIGKILL (after the session timeout) and when it stops cleanly
 * (at once); the work queue hands each job to exactly one of two workers; the config center's
 * watcher prints the update the setter wrote.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { afterEach, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeEachServer, waitFor } from './support.js';

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

const running: Running[] = [];

function run(example: string, args: readonly string[], name = example): Running {
  const child = spawn(process.execPath, [join(examplesDir, `${example}.js`), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const handle = { name, child, lines, exited };
  running.push(handle);
  return handle;
}

afterEach(async () => {
  for (const handle of running.splice(0)) {
    if (handle.child.exitCode === null && handle.child.signalCode === null) {
      handle.child.kill('SIGKILL');
      await handle.exited;
    }
  }
});

const masters = (all: readonly Running[]) => all.filter((r) => r.lines.filter((line) => line.endsWith(' MASTER')).length > r.lines.filter((line) => line.includes('STANDBY (revoked')).length);

describeEachServer('recipes: examples', (ctx) => {
  it('master-standby fails over when the master is killed, and when it stops cleanly', async () => {
    const connect = ctx.server.connectString;
    const nodes = ['a', 'b', 'c'].map((id) => run('master-standby', ['--connect', connect, '--id', id, '--session-timeout', '2000'], id));
    const first = await waitFor('one master', () => (masters(nodes).length === 1 && nodes.every((n) => n.lines.length > 0) ? masters(nodes)[0] : undefined), 20_000);
    const observer = await ctx.client();
    await waitFor('the master\'s heartbeat', async () => (await observer.exists('/examples/master-state')) !== null && (await observer.getData('/examples/master-state')).data.toString().startsWith(first.name), 10_000);

    first.child.kill('SIGKILL');
    const rest = nodes.filter((n) => n !== first);
    const second = await waitFor('a standby to take over', () => (masters(rest).length === 1 ? masters(rest)[0] : undefined), 15_000);
    await waitFor('the new master\'s heartbeat', async () => (await observer.getData('/examples/master-state')).data.toString().startsWith(second.name), 10_000);

    const takeoverStarted = performance.now();
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.lines.join('\n'));
    const third = rest.find((n) => n !== second)!;
    await waitFor('the last standby to take over', () => masters([third]).length === 1, 10_000);
    assert.ok(performance.now() - takeoverStarted < 2_000, 'a clean stop hands over without waiting for a session timeout');
    assert.deepEqual(masters(rest), [third], 'the stopped master said it stepped down');
  });

  it('work-queue gives every job to exactly one of two workers', async () => {
    const connect = ctx.server.connectString;
    const producer = run('work-queue', ['produce', '8', '--connect', connect], 'producer');
    assert.equal(await producer.exited, 0, producer.lines.join('\n'));
    const workers = [1, 2].map((i) => run('work-queue', ['work', '--idle', '1500', '--connect', connect], `worker${i}`));
    for (const worker of workers) assert.equal(await worker.exited, 0, worker.lines.join('\n'));
    const done = workers.flatMap((worker) => worker.lines.filter((line) => line.includes(' did: ')).map((line) => line.split(' did: ')[1]));
    assert.deepEqual(done.sort(), producer.lines.map((line) => line.replace('put: ', '')).sort());
  });

  it('config-center: the watcher prints the multi-key update the setter wrote', async () => {
    const connect = ctx.server.connectString;
    const watcher = run('config-center', ['watch', '--connect', connect], 'watcher');
    await waitFor('the watcher to wait', () => watcher.lines.some((line) => line.startsWith('waiting')), 10_000);
    const setter = run('config-center', ['set', 'db.host=10.0.0.5', 'db.port=5432', '--connect', connect], 'setter');
    assert.equal(await setter.exited, 0, setter.lines.join('\n'));
    assert.deepEqual(setter.lines, ['generation 1']);
    await waitFor('the watcher to print it', () => watcher.lines.includes('generation 1: {"db.host":"10.0.0.5","db.port":5432} (changed: db.host, db.port)'), 10_000);
  });
});
