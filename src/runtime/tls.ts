/**
 * The secure client port's TLS settings: reads the key and trust stores zoo.cfg names (ssl.*)
 * and turns them into node's server options, as ZooKeeper's X509Util does for its SSLContext.
 * - a PEM key store holds the private key (encrypted with ssl.keyStore.password, or not) and the
 *   certificate chain; a PKCS12 one is opened with the password;
 * - a PEM trust store holds the CA certificates client certificates must chain to; without one
 *   the runtime's default CAs are used, as Java falls back to its cacerts;
 * - ssl.clientAuth need (the default) refuses a client without a valid certificate, want asks
 *   for one (client-port.ts refuses an invalid one), none asks for none;
 * - the protocols are the range of ssl.enabledProtocols (or ssl.protocol), the suites those of
 *   ssl.ciphersuites or ZooKeeper's defaults (config.ts).
 * Client hostnames are not checked against their certificates: ZooKeeper checks them only
 * between quorum servers. Problems are ConfigErrors naming the key, found before serving.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions, type SecureVersion, type TlsOptions } from 'node:tls';
import { ConfigError } from './config-error.js';
import type { StoreFile, TlsConfig } from './tls-config.js';

function read(store: StoreFile, key: string): Buffer {
  try {
    return readFileSync(store.location);
  } catch (error) {
    throw new ConfigError(`cannot read ${store.location}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { key });
  }
}

/** The key store's key and certificates, and the trust store's CAs, as node's options. */
function storeOptions(tls: TlsConfig): TlsOptions & ConnectionOptions {
  const keyStore = read(tls.keyStore, 'ssl.keyStore.location');
  const options: TlsOptions & ConnectionOptions = tls.keyStore.type === 'PKCS12'
    ? { pfx: keyStore, passphrase: tls.keyStore.password }
    : { key: keyStore, cert: keyStore, passphrase: tls.keyStore.password };
  if (tls.trustStore !== undefined) options.ca = read(tls.trustStore, 'ssl.trustStore.location');
  return options;
}

/**
 * What `zkts status` connects to a TLS-only server with: the server's own key store as its
 * certificate (its CA is the one the server trusts) and the trust store for the server's; the
 * server's certificate is not checked against a host name, since status asks its own address.
 */
export function tlsStatusOptions(tls: TlsConfig): ConnectionOptions {
  return { ...storeOptions(tls), checkServerIdentity: () => undefined };
}

export function tlsServerOptions(tls: TlsConfig): TlsOptions {
  const options: TlsOptions = storeOptions(tls);
  options.requestCert = tls.clientAuth !== 'none';
  options.rejectUnauthorized = tls.clientAuth === 'need';
  const order: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const ranks = tls.protocols.map((protocol) => order.indexOf(protocol));
  options.minVersion = order[Math.min(...ranks)];
  options.maxVersion = order[Math.max(...ranks)];
  // node takes the TLS 1.3 suites (names starting TLS_) in the same list; without any it keeps its
  // own, unused then, since the protocols stop at TLS 1.2.
  options.ciphers = [tls.ciphers, ...tls.tls13Suites].filter((part) => part !== '').join(':');
  try {
    createSecureContext(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const key = /passphrase|mac verify|bad decrypt/i.test(message) ? 'ssl.keyStore.password' : 'ssl.keyStore.location';
    throw new ConfigError(`cannot use the key store ${tls.keyStore.location} (${tls.keyStore.type}): ${message}`, { key });
  }
  return options;
}
