/**
 * Distributed queue, FIFO with optional priorities (ZooKeeper's "Queues" and "Priority Queues"
 * recipes): an item is a persistent sequential node `<path>/qn-<priority>-<seq>` (core/
 * queue-items.ts); consumers take the first item in (priority, sequence) order.
 *
 * Exactly-once where ZooKeeper can know it:
 * - put: the item is created under a protected name, so a put whose reply was lost is found
 *   again after the reconnect instead of being enqueued twice.
 * - take: the consumer reads the first item and deletes it in a multi together with the create
 *   of an ephemeral receipt (zk-ops.ts `commitWithReceipt`). Only one delete of an item can
 *   succeed, so no item is handed to two consumers. If the reply is lost, the consumer looks for
 *   its receipt after the reconnect: there — the item is its own; not there — the item is still
 *   queued (or another consumer has it). So a connection loss neither loses nor duplicates an item.
 *   Finding that out may take a take past its `timeoutMs` (until the reconnect): giving up
 *   earlier could drop an item that was already taken.
 * The one case no protocol can close: the consumer's session ends while its take is in flight.
 * The take then fails with SessionExpiredError and, if the delete had committed, that item is
 * gone without having been delivered (at most one item per consumer session that ends so).
 *
 * Waiting consumers watch the queue's children, so every put wakes all waiting consumers (the
 * recipe's documented cost; one of them gets the item, the others wait again). Receipts live in
 * `<path>/_receipts`, so they do not wake anyone.
 *
 * Not here: item order (core/queue-items.ts). Invariant: take() resolves only with an item whose
 * delete this consumer committed.
 */
import { NoNodeError, ZooKeeperError, type Data, type ZooKeeperClient } from '../client/index.js';
import { assertNever } from '../util/assert.js';
import { childPath } from './core/names.js';
import { itemBase, sortItems } from './core/queue-items.js';
import { Deadline, forgetWatch, persistently, Wakeup, type WaitOptions } from './waiting.js';
import { commitWithReceipt, createProtected, ensurePath } from './zk-ops.js';

export interface PutOptions extends WaitOptions {
  /** 0 (default, first) to 999 (last); equal priorities are taken in put order. */
  readonly priority?: number;
}

const receiptsName = '_receipts';

export class Queue {
  private readonly receiptsPath: string;
  private receiptsReady: Promise<void> | undefined;

  constructor(readonly client: ZooKeeperClient, readonly path: string) {
    this.receiptsPath = childPath(path, receiptsName);
  }

  /** Enqueues `data`; resolves with the item's node name. */
  async put(data: Data, options: PutOptions = {}): Promise<string> {
    const deadline = new Deadline(options, `put into ${this.path}`);
    const created = await createProtected(this.client, this.path, itemBase(options.priority ?? 0), data, 'persistentSequential', deadline);
    return created.slice(created.lastIndexOf('/') + 1);
  }

  /** Takes the first item, waiting (within the deadline) while the queue is empty. */
  async take(options: WaitOptions = {}): Promise<Buffer> {
    const deadline = new Deadline(options, `take from ${this.path}`);
    for (;;) {
      const taken = await this.takeFirst(deadline);
      if (taken !== undefined) return taken;
      const wakeup = new Wakeup();
      let items: string[];
      try {
        items = await persistently(this.client, deadline, () => this.client.getChildren(this.path, { watch: wakeup.listener }));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        await ensurePath(this.client, this.path, deadline); // nothing queued yet: make the node to watch
        continue;
      }
      if (sortItems(items).length > 0) {
        forgetWatch(this.client, this.path, 'children', wakeup.listener);
        continue;
      }
      await wakeup.waitOrForget(this.client, deadline, this.path, 'children');
    }
  }

  /** Takes the first item if there is one, without waiting. */
  async poll(options: WaitOptions = {}): Promise<Buffer | undefined> {
    return this.takeFirst(new Deadline(options, `poll ${this.path}`));
  }

  /** The first item's data without taking it. */
  async peek(options: WaitOptions = {}): Promise<Buffer | undefined> {
    const deadline = new Deadline(options, `peek ${this.path}`);
    for (const item of await this.items(deadline)) {
      try {
        return (await persistently(this.client, deadline, () => this.client.getData(childPath(this.path, item)))).data;
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    return undefined;
  }

  /** How many items are queued now. */
  async size(options: WaitOptions = {}): Promise<number> {
    return (await this.items(new Deadline(options, `size of ${this.path}`))).length;
  }

  private async items(deadline: Deadline): Promise<string[]> {
    try {
      return sortItems(await persistently(this.client, deadline, () => this.client.getChildren(this.path))).map((item) => item.name);
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  /** Tries the items in order until one is taken by this consumer; undefined when none is left. */
  private async takeFirst(deadline: Deadline): Promise<Buffer | undefined> {
    for (const item of await this.items(deadline)) {
      const itemPath = childPath(this.path, item);
      let data: Buffer;
      try {
        data = (await persistently(this.client, deadline, () => this.client.getData(itemPath))).data;
      } catch (error) {
        if (error instanceof NoNodeError) continue; // taken by another consumer meanwhile
        throw error;
      }
      this.receiptsReady ??= ensurePath(this.client, this.receiptsPath, deadline).catch((error: unknown) => {
        this.receiptsReady = undefined;
        throw error;
      });
      await this.receiptsReady;
      const outcome = await commitWithReceipt(this.client, [{ type: 'delete', path: itemPath }], this.receiptsPath, deadline);
      switch (outcome.kind) {
        case 'committed':
          return data;
        case 'notApplied':
          return this.takeFirst(deadline); // lost before it was applied: list again
        case 'failed': {
          const { error } = outcome;
          const failedOp = error instanceof ZooKeeperError ? error.multi?.failedOpIndex : undefined;
          if (error instanceof NoNodeError && failedOp === 0) continue; // another consumer has it
          if (!(error instanceof NoNodeError && failedOp === 1)) throw error;
          this.receiptsReady = undefined; // the receipts node was deleted: make it again
          return this.takeFirst(deadline);
        }
        default:
          return assertNever(outcome);
      }
    }
    return undefined;
  }
}
