/**
 * Service discovery on ServiceRegistry and ServiceDiscovery: providers register an instance of
 * the service "echo" (here a tiny TCP echo server on a free port); a consumer keeps the instance
 * list in a watched local cache and sends each line to the next instance (round-robin). Stop a
 * provider and it drops out of the consumer's list (at once on Ctrl-C, after the session timeout
 * on kill -9).
 *
 *   npm start
 *   node dist/examples/service-discovery.js provide     # in two terminals
 *   node dist/examples/service-discovery.js consume     # type lines; each goes to one provider
 *
 * Options: --connect host:port (default 127.0.0.1:2181), --strategy roundRobin|random|leastRecentlyUsed.
 */
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClient } from 'zkts/client';
import { ServiceDiscovery, ServiceRegistry, type StrategyName } from 'zkts/recipes';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    connect: { type: 'string', default: '127.0.0.1:2181' },
    strategy: { type: 'string', default: 'roundRobin' },
  },
});
const client = await createClient(values.connect, { sessionTimeoutMs: 4_000 });

if (positionals[0] === 'provide') {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.end(`${process.pid} echoes: ${chunk.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const registry = new ServiceRegistry(client, '/examples/services');
  const instance = await registry.register({ name: 'echo', address: '127.0.0.1', port, payload: { pid: process.pid } });
  console.log(`registered echo instance ${instance.id} on port ${port}`);
  process.on('SIGINT', () => void registry.close().then(() => client.close()).then(() => process.exit(0)));
} else if (positionals[0] === 'consume') {
  const echo = await new ServiceDiscovery(client, '/examples/services').provider<{ pid: number }>('echo', { strategy: values.strategy as StrategyName }).start();
  const show = () => console.log(`instances: ${echo.instances().map((instance) => `${instance.address}:${instance.port} (pid ${instance.payload?.pid})`).join(', ') || 'none'}`);
  show();
  echo.on('change', show);
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      const instance = echo.getInstance(); // from the local cache: no round trip to ZooKeeper
      const socket = createConnection({ host: instance.address, port: instance.port }, () => socket.write(line));
      socket.on('data', (answer) => console.log(answer.toString()));
      socket.on('error', (error) => console.log(`${instance.port}: ${error.message}`));
    } catch (error) {
      console.log((error as Error).message);
    }
  }
  echo.close();
  await client.close();
} else {
  console.error('usage: service-discovery.js provide | consume [--strategy roundRobin|random|leastRecentlyUsed]');
  process.exitCode = 2;
  await client.close();
}
