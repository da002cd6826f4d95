/**
 * A master/standby service on LeaderElection: run two or three copies; one says MASTER and does
 * the work (here: it writes a heartbeat to /examples/master-state), the others say STANDBY.
 * Kill the master (Ctrl-C, or kill -9 to see a crash) and a standby takes over — at once after a
 * clean exit, after the session timeout after a crash.
 *
 *   npm start                                     # a zkts server on 127.0.0.1:2181
 *   node dist/examples/master-standby.js --id a   # in two or three terminals, other ids
 *
 * Options: --connect host:port (default 127.0.0.1:2181), --id name, --session-timeout ms.
 * A master that loses its connection stops working at once ('revoked suspended'); one whose
 * session expired starts over with a new session and rejoins as a standby.
 */
import { parseArgs } from 'node:util';
import { createClient, type ZooKeeperClient } from 'zkts/client';
import { LeaderElection } from 'zkts/recipes';

const { values } = parseArgs({
  options: {
    connect: { type: 'string', default: '127.0.0.1:2181' },
    id: { type: 'string', default: `node-${process.pid}` },
    'session-timeout': { type: 'string', default: '4000' },
  },
});
const id = values.id;
const sessionTimeoutMs = Number(values['session-timeout']);
const log = (message: string) => console.log(`${new Date().toISOString()} ${id} ${message}`);

let stopping = false;
let current: { client: ZooKeeperClient; election: LeaderElection } | undefined;

/** The master's work: a heartbeat, for as long as it leads. */
function work(client: ZooKeeperClient, election: LeaderElection): void {
  let beat = 0;
  const timer = setInterval(() => {
    if (!election.isLeader) return;
    beat++;
    client.setData('/examples/master-state', `${id} ${beat}`).catch(() => client.create('/examples/master-state', `${id} ${beat}`).catch(() => undefined));
  }, 1_000);
  election.once('revoked', () => clearInterval(timer));
}

async function serve(): Promise<void> {
  const client = await createClient(values.connect, { sessionTimeoutMs });
  const election = new LeaderElection(client, '/examples/master', { id });
  current = { client, election };
  election.on('elected', () => {
    log('MASTER');
    work(client, election);
  });
  election.on('revoked', (reason) => log(`STANDBY (revoked: ${reason})`));
  election.on('error', (error) => log(`error: ${(error as Error).message}`));
  election.on('lost', () => {
    if (stopping) return;
    log('session lost: starting over with a new session');
    void client.close().then(() => serve()).catch((error: unknown) => log(`cannot rejoin: ${(error as Error).message}`));
  });
  await election.start({ timeoutMs: sessionTimeoutMs });
  if (!election.isLeader) log(`STANDBY (leader: ${(await election.leader())?.id ?? 'none yet'})`);
}

async function stop(): Promise<void> {
  stopping = true;
  log('stopping');
  await current?.election.close();
  await current?.client.close();
  process.exit(0);
}

process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
serve().catch((error: unknown) => {
  log(`cannot start: ${(error as Error).message}`);
  process.exit(1);
});
