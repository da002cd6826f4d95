/**
 * The secure client port's part of zoo.cfg: the ssl.* keys ZooKeeper's X509Util reads, checked
 * and turned into what zkts applies (TlsConfig), with ZooKeeper 3.8's defaults. Called by
 * parseConfig (config.ts) when secureClientPort is set; the files are read by tls.ts.
 * Pure: no I/O.
 */
import { ConfigError } from './config-error.js';
import type { PropertyLine } from './java-properties.js';

type Fail = (entry: PropertyLine, detail: string) => never;

/** A key or trust store file, with ZooKeeper's ssl.*Store.{location,password,type}. */
export interface StoreFile {
  readonly location: string;
  readonly password: string | undefined;
  readonly type: 'PEM' | 'PKCS12';
}

/** ZooKeeper's client TLS settings (X509Util, ssl.* keys) as zkts applies them. */
export interface TlsConfig {
  readonly keyStore: StoreFile;
  /** Absent: the runtime's default CAs verify client certificates. */
  readonly trustStore: StoreFile | undefined;
  /** ssl.clientAuth: need (the default) or want a client certificate, or none. */
  readonly clientAuth: 'need' | 'want' | 'none';
  /** ssl.enabledProtocols up to ssl.protocol (default TLSv1.2, as in 3.8), or that one alone. */
  readonly protocols: readonly ('TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3')[];
  /** ssl.ciphersuites up to TLS 1.2, in OpenSSL's names, ':'-separated ('' for none). */
  readonly ciphers: string;
  /** ssl.ciphersuites of TLS 1.3 (the same names in Java and OpenSSL); none by default. */
  readonly tls13Suites: readonly string[];
}

/**
 * ZooKeeper 3.8's default ssl.ciphersuites (X509Util, Java 9 and later), in OpenSSL's names:
 * ECDHE with AES-GCM first, then AES-CBC; no TLS 1.3 suite, so a 3.8 server speaks TLS 1.2 at
 * most unless ssl.ciphersuites names one (observed: the RSA half is exactly what it accepts).
 */
export const ZOOKEEPER_DEFAULT_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA',
].join(':');

const TLS13_SUITES = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256']);

/**
 * A JSSE cipher suite name as OpenSSL spells it, for the (EC)DHE suites with RSA or ECDSA and
 * AES or ChaCha20 that TLS 1.2 deployments use, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 →
 * ECDHE-RSA-AES128-GCM-SHA256; undefined for anything else.
 */
export function opensslCipherName(javaName: string): string | undefined {
  const match = /^TLS_(ECDHE|DHE)_(RSA|ECDSA)_WITH_(?:(AES)_(128|256)_(GCM|CBC)_(SHA|SHA256|SHA384)|(CHACHA20_POLY1305)_SHA256)$/.exec(javaName);
  if (match === null) return undefined;
  const [, exchange, auth, aes, bits, mode, mac, chacha] = match;
  if (exchange === 'DHE' && auth === 'ECDSA') return undefined;
  const prefix = exchange === 'DHE' ? 'DHE-RSA' : `ECDHE-${auth}`;
  if (chacha !== undefined) return `${prefix}-CHACHA20-POLY1305`;
  return mode === 'GCM' ? `${prefix}-${aes}${bits}-GCM-${mac}` : `${prefix}-${aes}${bits}-${mac}`;
}

const TLS_PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/**
 * The ssl.* keys a secure client port needs. A store's type is ssl.*Store.type (any case) or else
 * its file name's extension, as KeyStoreFileType.fromFilename: .pem, .p12/.pkcs12; .jks and .bcfks
 * are Java's own formats, refused with how to convert them. A PKCS12 trust store is refused too
 * (the TLS library reads trust anchors from PEM only).
 */
export function parseTlsConfig(get: (key: string) => PropertyLine | undefined, fail: Fail, file: string, resolvePath: (path: string) => string): TlsConfig {
  const store = (kind: 'keyStore' | 'trustStore'): StoreFile | undefined => {
    const location = get(`ssl.${kind}.location`);
    const typeEntry = get(`ssl.${kind}.type`);
    if (location === undefined || location.value === '') {
      if (kind === 'trustStore') return undefined;
      throw new ConfigError('secureClientPort needs a key store: set ssl.keyStore.location (and ssl.keyStore.password)', { file, key: 'ssl.keyStore.location' });
    }
    const named = typeEntry?.value.toUpperCase() ?? (/\.pem$/i.test(location.value) ? 'PEM' : /\.(p12|pkcs12|pfx)$/i.test(location.value) ? 'PKCS12'
      : /\.jks$/i.test(location.value) ? 'JKS' : /\.bcfks$/i.test(location.value) ? 'BCFKS' : undefined);
    const where = typeEntry ?? location;
    if (named === undefined) fail(location, `cannot tell the store's type from its name: set ssl.${kind}.type to PEM or PKCS12`);
    if (named === 'JKS' || named === 'BCFKS') {
      fail(where, `${named} stores are Java's own format, not supported: convert it, e.g. keytool -importkeystore -srckeystore ${location.value} -destkeystore store.p12 -deststoretype PKCS12${kind === 'trustStore' ? ', then openssl pkcs12 -in store.p12 -nokeys -out trust.pem' : ''}`);
    }
    if (named !== 'PEM' && named !== 'PKCS12') fail(where, `unknown store type '${named}': PEM or PKCS12`);
    if (kind === 'trustStore' && named === 'PKCS12') fail(where, 'a PKCS12 trust store is not supported: export its certificates as PEM, e.g. openssl pkcs12 -in trust.p12 -nokeys -out trust.pem');
    return { location: resolvePath(location.value), password: get(`ssl.${kind}.password`)?.value, type: named as 'PEM' | 'PKCS12' };
  };
  const keyStore = store('keyStore')!;
  const clientAuthEntry = get('ssl.clientAuth');
  const clientAuth = (clientAuthEntry?.value.toLowerCase() ?? 'need') as TlsConfig['clientAuth'];
  if (!['need', 'want', 'none'].includes(clientAuth)) fail(clientAuthEntry!, `expected need, want or none: '${clientAuthEntry!.value}'`);
  const protocolOf = (entry: PropertyLine, name: string) => {
    const known = TLS_PROTOCOLS.find((protocol) => protocol.toLowerCase() === name.trim().toLowerCase());
    if (known === undefined) fail(entry, `unknown TLS protocol '${name.trim()}': one of ${TLS_PROTOCOLS.join(', ')}`);
    return known;
  };
  // ssl.protocol names the SSLContext, which speaks nothing newer than itself (3.8: TLSv1.2 unless
  // set); ssl.enabledProtocols, by default that one protocol, picks among what it speaks.
  const protocolEntry = get('ssl.protocol');
  const context = protocolEntry === undefined ? 'TLSv1.2' : protocolOf(protocolEntry, protocolEntry.value);
  const enabled = get('ssl.enabledProtocols');
  const protocols = enabled === undefined ? [context]
    : enabled.value.split(',').map((name) => protocolOf(enabled, name)).filter((name) => TLS_PROTOCOLS.indexOf(name) <= TLS_PROTOCOLS.indexOf(context));
  if (protocols.length === 0) fail(enabled!, `none of these is spoken by ssl.protocol=${context}: '${enabled!.value}'`);
  const suitesEntry = get('ssl.ciphersuites');
  let ciphers = ZOOKEEPER_DEFAULT_CIPHERS;
  const tls13Suites: string[] = [];
  if (suitesEntry !== undefined) {
    const older: string[] = [];
    for (const name of suitesEntry.value.split(',').map((each) => each.trim()).filter((each) => each !== '')) {
      if (TLS13_SUITES.has(name)) tls13Suites.push(name);
      else older.push(opensslCipherName(name) ?? fail(suitesEntry, `cipher suite not supported by zkts: '${name}' (ECDHE/DHE with RSA or ECDSA and AES or ChaCha20, or a TLS 1.3 suite)`));
    }
    ciphers = older.join(':');
  }
  // A protocol needs a suite of its own: TLS 1.3 only with a TLS 1.3 suite, the older ones with an older suite.
  const usable = protocols.filter((name) => (name === 'TLSv1.3' ? tls13Suites.length > 0 : ciphers !== ''));
  if (usable.length === 0) fail(suitesEntry ?? enabled ?? protocolEntry!, `no cipher suite for ${protocols.join(', ')}: with ZooKeeper's default suites that means TLSv1.2 or older`);
  return { keyStore, trustStore: store('trustStore'), clientAuth, protocols: usable, ciphers, tls13Suites };
}
