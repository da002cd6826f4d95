/**
 * The service-instance record a provider writes into its instance node and consumers read back,
 * PURE: JSON with a fixed set of fields, checked on the way in (names that are single path
 * components, a port in range) and on the way out (a node that is not such a record is reported,
 * not silently used).
 *
 * Not here: the nodes (service-registry.ts, service-discovery.ts). Invariant:
 * `decodeInstance(encodeInstance(x))` equals x for every valid x whose payload is JSON.
 */

export interface ServiceInstance<P = unknown> {
  /** The service name: the instance node's parent under the registry's base path. */
  readonly name: string;
  /** Unique among the service's instances: the instance node's name. */
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** Anything JSON can carry (version, zone, weight...). */
  readonly payload?: P;
  /** When the provider registered it (epoch ms, the provider's clock). */
  readonly registeredAtMs: number;
}

const componentPattern = /^[^/\u0000]+$/;

/** Throws RangeError unless `value` can be one path component. */
export function checkComponent(what: string, value: string): string {
  if (typeof value !== 'string' || !componentPattern.test(value) || value === '.' || value === '..' || value === 'zookeeper') {
    throw new RangeError(`${what} must be one path component, got '${String(value)}'`);
  }
  return value;
}

export function checkInstance<P>(instance: ServiceInstance<P>): ServiceInstance<P> {
  checkComponent('service name', instance.name);
  checkComponent('instance id', instance.id);
  if (typeof instance.address !== 'string' || instance.address === '') throw new RangeError('address must be a non-empty string');
  if (!Number.isInteger(instance.port) || instance.port < 0 || instance.port > 65_535) throw new RangeError(`port must be in [0, 65535], got ${instance.port}`);
  return instance;
}

export function encodeInstance<P>(instance: ServiceInstance<P>): string {
  return JSON.stringify(checkInstance(instance));
}

/** The record in `text`, or a string saying what is wrong with it. */
export function decodeInstance<P>(text: string): ServiceInstance<P> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not an object';
  const record = value as Record<string, unknown>;
  if (typeof record['name'] !== 'string' || typeof record['id'] !== 'string' || typeof record['address'] !== 'string') return 'name, id or address missing';
  if (typeof record['port'] !== 'number' || typeof record['registeredAtMs'] !== 'number') return 'port or registeredAtMs missing';
  try {
    return checkInstance({
      name: record['name'], id: record['id'], address: record['address'], port: record['port'], registeredAtMs: record['registeredAtMs'],
      ...('payload' in record ? { payload: record['payload'] as P } : {}),
    });
  } catch (error) {
    return (error as Error).message;
  }
}
