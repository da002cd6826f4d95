/**
 * zkCli's quota commands' text: ZooKeeper 3.8's StatsTrack as it reads and writes the
 * zookeeper_limits node, and the node paths. Observed from zkCli 3.8.0 against ZooKeeper 3.8.0
 * (and checked by test/cli/shell-script.test.ts): a limit is written with all four fields, as
 * `count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=-1` (the `=;` is 3.8.0's own), -1 meaning
 * unset; reading takes `key=value` pairs split at ',' and ';', so either form reads back.
 *
 * Not here: talking to the server (session.ts). Pure.
 */
import { LIMIT_NODE, QUOTA_ROOT, STAT_NODE } from '../../tree/quotas.js';

export interface QuotaLimits {
  /** -n: soft limit on the number of nodes. */
  readonly count: number;
  /** -b: soft limit on data bytes. */
  readonly bytes: number;
  /** -N */
  readonly countHardLimit: number;
  /** -B */
  readonly byteHardLimit: number;
}

export const NO_LIMITS: QuotaLimits = { count: -1, bytes: -1, countHardLimit: -1, byteHardLimit: -1 };

/** setquota's and delquota's option letter → the field it sets. */
export const QUOTA_FIELDS = { n: 'count', b: 'bytes', N: 'countHardLimit', B: 'byteHardLimit' } as const satisfies Record<string, keyof QuotaLimits>;
export type QuotaLetter = keyof typeof QUOTA_FIELDS;

/** StatsTrack(String): every `key=value` pair that parses; what is missing stays -1. */
export function parseLimits(text: string): QuotaLimits {
  const found: Record<string, number> = {};
  for (const pair of text.split(/[,;]/)) {
    const [key, value] = pair.split('=');
    if (key !== undefined && value !== undefined && /^-?\d+$/.test(value)) found[key] = Number(value);
  }
  return {
    count: found['count'] ?? -1, bytes: found['bytes'] ?? -1,
    countHardLimit: found['countHardLimit'] ?? -1, byteHardLimit: found['byteHardLimit'] ?? -1,
  };
}

export function formatLimits(limits: QuotaLimits): string {
  return `count=${limits.count},bytes=${limits.bytes}=;byteHardLimit=${limits.byteHardLimit};countHardLimit=${limits.countHardLimit}`;
}

/** /zookeeper/quota followed by the path: where a quota's nodes live. */
export function quotaDir(path: string): string {
  return `${QUOTA_ROOT}${path}`;
}

export function limitsPath(path: string): string {
  return `${quotaDir(path)}/${LIMIT_NODE}`;
}

export function statsPath(path: string): string {
  return `${quotaDir(path)}/${STAT_NODE}`;
}
