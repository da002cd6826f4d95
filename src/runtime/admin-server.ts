/**
 * The AdminServer over HTTP (ZooKeeper's JettyAdminServer, 3.8): `GET <commandURL>` lists the
 * commands, `GET <commandURL>/<name>[?args]` runs one and answers its JSON (admin/commands.ts),
 * HTTP 200 also for an unknown name, as ZooKeeper does; any other path is a 404. Configured by
 * admin.enableServer, admin.serverAddress, admin.serverPort, admin.commandURL and
 * admin.idleTimeout.
 *
 * It never stops the server: a port that cannot be bound is logged and the client port keeps
 * serving (ZooKeeper logs "Problem starting AdminServer" and goes on too).
 * Not here: what the commands say (admin/), the state they read (four-letter-context.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { adminCommandIndex, runAdminCommand, type AdminContext } from '../admin/commands.js';
import { logger } from './log.js';

const log = logger('admin');

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /** The commands' base path, "/commands" by default. */
  readonly commandUrl: string;
  /** An idle keep-alive connection is closed after this. */
  readonly idleTimeoutMs: number;
  /** The context for one request, built when it arrives. */
  readonly context: () => AdminContext;
}

export interface AdminServer {
  /** The bound address; undefined when the port could not be bound. */
  readonly address: { readonly host: string; readonly port: number } | undefined;
  close(): Promise<void>;
}

function answer(response: ServerResponse, status: number, type: string | undefined, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  response.statusCode = status;
  if (type !== undefined) response.setHeader('Content-Type', type);
  response.setHeader('Content-Length', bytes.length);
  response.end(bytes);
}

function notFound(response: ServerResponse, path: string): void {
  answer(response, 404, 'text/html;charset=utf-8', `<html><body><h2>HTTP ERROR 404 Not Found</h2><p>URI: ${path.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p></body></html>\n`);
}

function handle(options: AdminServerOptions, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://admin');
  const base = options.commandUrl.replace(/\/+$/, '');
  const path = url.pathname;
  if (path !== base && path !== `${base}/` && !path.startsWith(`${base}/`)) {
    notFound(response, path);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    answer(response, 405, 'text/plain;charset=utf-8', 'HTTP method not allowed: use GET\n');
    return;
  }
  const name = path.slice(base.length + 1).split('/')[0] ?? '';
  if (name === '') {
    answer(response, 200, 'text/html;charset=utf-8', adminCommandIndex(base));
    return;
  }
  let body: string;
  try {
    body = runAdminCommand(decodeURIComponent(name), options.context(), url.searchParams);
  } catch (error) {
    log.error(`admin command ${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    answer(response, 500, 'text/plain;charset=utf-8', 'internal error\n');
    return;
  }
  answer(response, 200, 'application/json', body);
}

/** Starts the admin server; resolves once it listens or has given up on its port (logged). */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((request, response) => handle(options, request, response));
  server.keepAliveTimeout = options.idleTimeoutMs;
  const address = await new Promise<{ host: string; port: number } | undefined>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      log.warn(`Problem starting AdminServer on ${options.host}:${options.port}: ${error.code ?? error.message}; the client port serves on without it`);
      resolve(undefined);
    });
    server.listen(options.port, options.host, () => {
      const bound = server.address();
      resolve(typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : undefined);
    });
  });
  if (address !== undefined) log.info(`admin server on http://${address.host}:${address.port}${options.commandUrl}`);
  return {
    address,
    close: () => new Promise((resolve) => {
      if (address === undefined) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
