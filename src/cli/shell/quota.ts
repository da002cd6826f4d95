/**
 * zkCli's quota commands' vocabulary: the option letters and the node paths. The limits text
 * itself (StatsTrack, as zkCli 3.8.0 writes it, checked by test/cli/shell-script.test.ts) is the
 * tree's (tree/quotas.ts), which the server reads too.
 *
 * Not here: talking to the server (session.ts). Pure.
 */
import { LIMIT_NODE, QUOTA_ROOT, STAT_NODE, type QuotaLimits } from '../../tree/quotas.js';

/** setquota's and delquota's option letter → the field it sets. */
export const QUOTA_FIELDS = { n: 'count', b: 'bytes', N: 'countHardLimit', B: 'byteHardLimit' } as const satisfies Record<string, keyof QuotaLimits>;
export type QuotaLetter = keyof typeof QUOTA_FIELDS;

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
