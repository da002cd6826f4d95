/**
 * A work queue on Queue: producers put jobs, any number of workers take them, each job goes to
 * exactly one worker (also across connection losses: see docs/recipes.md, Queue).
 *
 *   npm start
 *   node dist/examples/work-queue.js produce 20          # put 20 jobs
 *   node dist/examples/work-queue.js work               # in a few terminals: take and "do" jobs
 *   node dist/examples/work-queue.js produce 3 --priority 0   # urgent jobs go first
 *
 * Options: --connect host:port (default 127.0.0.1:2181), --idle ms (a worker stops after this
 * long without a job; default: never), --priority n (0..999, default 500).
 */
import { parseArgs } from 'node:util';
import { createClient } from 'zkts/client';
import { Queue, RecipeTimeoutError } from 'zkts/recipes';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    connect: { type: 'string', default: '127.0.0.1:2181' },
    idle: { type: 'string' },
    priority: { type: 'string', default: '500' },
  },
});

const client = await createClient(values.connect, { sessionTimeoutMs: 10_000 });
const queue = new Queue(client, '/examples/jobs');
const [command, countText] = positionals;

if (command === 'produce') {
  const count = Number(countText ?? 10);
  for (let i = 1; i <= count; i++) {
    const job = `job ${i} from ${process.pid}`;
    await queue.put(job, { priority: Number(values.priority) });
    console.log(`put: ${job}`);
  }
} else if (command === 'work') {
  const idleMs = values.idle === undefined ? undefined : Number(values.idle);
  for (;;) {
    try {
      const job = await queue.take(idleMs === undefined ? {} : { timeoutMs: idleMs });
      console.log(`${process.pid} did: ${job.toString()}`);
    } catch (error) {
      if (!(error instanceof RecipeTimeoutError)) throw error;
      console.log(`${process.pid} idle for ${idleMs} ms: done`);
      break;
    }
  }
} else {
  console.error('usage: work-queue.js produce [count] [--priority n] | work [--idle ms]');
  process.exitCode = 2;
}
await client.close();
