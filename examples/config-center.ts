/**
 * A configuration center on ConfigStore: `set` writes several keys as one update (readers see
 * all of them change together or none), `watch` prints every configuration a reader trusts.
 *
 *   npm start
 *   node dist/examples/config-center.js watch                      # in one terminal
 *   node dist/examples/config-center.js set db.host=10.0.0.5 db.port=5432
 *   node dist/examples/config-center.js set db.port=                # an empty value deletes the key
 *
 * Options: --connect host:port (default 127.0.0.1:2181). Values are JSON when they parse as JSON
 * (numbers, true/false, quoted strings), else plain strings.
 */
import { parseArgs } from 'node:util';
import { createClient } from 'zkts/client';
import { ConfigStore } from 'zkts/recipes';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { connect: { type: 'string', default: '127.0.0.1:2181' } },
});
const client = await createClient(values.connect, { sessionTimeoutMs: 10_000 });
const store = new ConfigStore(client, '/examples/config');
const [command, ...assignments] = positionals;

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

if (command === 'set') {
  const changes: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new Error(`not key=value: ${assignment}`);
    const value = assignment.slice(equals + 1);
    changes[assignment.slice(0, equals)] = value === '' ? undefined : parseValue(value);
  }
  console.log(`generation ${await store.update(changes, { timeoutMs: 10_000 })}`);
  await client.close();
} else if (command === 'watch') {
  store.on('change', ({ current, changedKeys, generation }) => console.log(`generation ${generation}: ${JSON.stringify(current)} (changed: ${changedKeys.join(', ')})`));
  store.on('suspended', () => console.log('(disconnected: showing the last trusted configuration)'));
  console.log('waiting for a ready configuration...');
  await store.start();
  process.on('SIGINT', () => void client.close().then(() => process.exit(0)));
} else {
  console.error('usage: config-center.js set key=value... | watch');
  process.exitCode = 2;
  await client.close();
}
