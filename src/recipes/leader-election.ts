/**
 * Leader election (ZooKeeper's "Leader Election" recipe; Curator's LeaderLatch behaviour): every
 * candidate creates an ephemeral sequential node under the election path, the smallest is the
 * leader, and each other candidate watches only its predecessor (contender.ts) — when the
 * leader goes, exactly one candidate is woken and checks whether it now leads.
 *
 * Leadership is an ongoing role, so the election is strict about the connection:
 * - 'suspended' (ConnectionLoss): the leader is revoked at once ('revoked' with reason
 *   'suspended', `isLeader` false). Its node stays while the session lives, so no one else can
 *   become leader until the session expires; the client hears about the drop (its read timeout is
 *   2/3 of the session timeout) before the server can expire the session, so the old leader has
 *   stopped before a new one starts.
 * - 'reconnected' (same session): the node is checked again; if it is still the smallest the
 *   candidate is elected again ('elected').
 * - 'lost' (session expired or closed): revoked with reason 'lost'; the election is over for
 *   this instance (the client is unusable — build a new client and a new LeaderElection).
 * `relinquish()` steps down and rejoins at the back of the queue; `close()` leaves.
 * An operator deleting the leader's node revokes it too ('vanished'), and it rejoins.
 *
 * Not here: the queue mechanics (contender.ts). Invariants: 'elected' and 'revoked' alternate,
 * starting with 'elected'; `isLeader` is true only between them, and only while connected.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, type ZooKeeperClient, type ZooKeeperError } from '../client/index.js';
import { AbortError, NodeVanishedError, RecipeClosedError } from './core/errors.js';
import { childPath } from './core/names.js';
import { exclusiveTurn } from './core/turns.js';
import { Contender, firstParticipant, listParticipants } from './contender.js';
import { isEnded, reportError, SessionWatch, type ConnectionEvents } from './session-events.js';
import { bounded, connected, Deadline, forgetWatch, persistently, Wakeup, type WaitOptions } from './waiting.js';

export type ElectionState = 'idle' | 'candidate' | 'leader' | 'suspended' | 'lost' | 'closed';
export type RevokeReason = 'suspended' | 'lost' | 'relinquished' | 'closed' | 'vanished';

export interface LeaderElectionEvents extends ConnectionEvents {
  /** This candidate is now the leader. */
  elected: [];
  /** This candidate stopped being the leader, and why. */
  revoked: [reason: RevokeReason];
  /** Something unexpected failed; the candidate keeps trying. */
  error: [error: unknown];
}

export interface LeaderElectionOptions {
  /** This participant's id, stored in its node (`leader()` and `participants()` report it). */
  readonly id?: string;
}

export interface Participant {
  readonly id: string;
  readonly node: string;
  readonly isLeader: boolean;
}

const candidateBase = 'n_';
/** Pause before trying again after an unexpected failure. */
const retryDelayMs = 200;

export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  readonly id: string;
  private stateValue: ElectionState = 'idle';
  private contender: Contender | undefined;
  private session: SessionWatch | undefined;
  private campaign: Promise<void> | undefined;
  private interrupt = new AbortController();
  /** Fired when the current leadership must end (suspension, loss, relinquish, close). */
  private leadershipEnd: Wakeup | undefined;
  private readonly leadershipWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();

  constructor(readonly client: ZooKeeperClient, readonly path: string, options: LeaderElectionOptions = {}) {
    super();
    this.id = options.id ?? client.sessionId.toString(16);
  }

  get state(): ElectionState {
    return this.stateValue;
  }

  /** True while this candidate leads and is connected. */
  get isLeader(): boolean {
    return this.stateValue === 'leader';
  }

  /** This candidate's node, once created. */
  get nodePath(): string | undefined {
    return this.contender?.path;
  }

  /** Joins the election; resolves once the candidate node exists (not when elected). */
  async start(options: WaitOptions = {}): Promise<void> {
    if (this.stateValue !== 'idle') throw new RecipeClosedError(`election ${this.path} was started already (${this.stateValue})`);
    const deadline = new Deadline(options, `join election ${this.path}`);
    this.session = new SessionWatch(this.client, {
      suspended: () => this.onSuspended(),
      reconnected: () => {
        // Still a candidate (the node lives with the session); run() re-checks whether it leads.
        if (this.stateValue === 'suspended') this.stateValue = 'candidate';
        this.emit('reconnected');
      },
      lost: (cause) => this.onLost(cause),
    });
    const contender = this.newContender();
    this.contender = contender;
    try {
      await contender.join(deadline);
    } catch (error) {
      this.session.stop();
      this.session = undefined;
      this.contender = undefined;
      contender.leave().catch(() => undefined);
      throw error;
    }
    if (this.stateValue === 'idle') this.stateValue = 'candidate';
    this.campaign = this.run(this.interrupt.signal);
  }

  /** Resolves when this candidate is (or becomes) the leader; fails if the election ends first. */
  waitForLeadership(options: WaitOptions = {}): Promise<void> {
    if (this.isLeader) return Promise.resolve();
    if (this.stateValue === 'closed' || this.stateValue === 'lost' || this.stateValue === 'idle') {
      return Promise.reject(new RecipeClosedError(`election ${this.path} is ${this.stateValue}`));
    }
    const deadline = new Deadline(options, `leadership of ${this.path}`);
    let waiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const elected = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject };
      this.leadershipWaiters.add(waiter);
    });
    return bounded(this.client, deadline, elected).finally(() => { if (waiter !== undefined) this.leadershipWaiters.delete(waiter); });
  }

  /** Steps down if leading, and rejoins at the back of the queue either way. */
  async relinquish(): Promise<void> {
    if (this.campaign === undefined) throw new RecipeClosedError(`election ${this.path} is ${this.stateValue}`);
    await this.stopCampaign('relinquished');
    if (this.stateValue === 'lost' || this.stateValue === 'closed') return;
    this.stateValue = 'candidate';
    this.campaign = this.run(this.interrupt.signal);
  }

  /** Leaves the election, revoking leadership first (before the node goes). Idempotent. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    if (this.campaign !== undefined) await this.stopCampaign('closed');
    this.session?.stop();
    this.session = undefined;
    if (this.stateValue !== 'lost') this.stateValue = 'closed';
    this.failWaiters(new RecipeClosedError(`election ${this.path} was closed`));
  }

  /** The current leader (the smallest candidate), or undefined when there is none. */
  async leader(options: WaitOptions = {}): Promise<Participant | undefined> {
    const first = await firstParticipant(this.client, this.path, [candidateBase], new Deadline(options, `leader of ${this.path}`));
    return first === undefined ? undefined : { id: first.data.toString('utf8'), node: first.node, isLeader: true };
  }

  /** Every candidate, in queue order (the first leads). */
  async participants(options: WaitOptions = {}): Promise<Participant[]> {
    const deadline = new Deadline(options, `participants of ${this.path}`);
    const participants: Participant[] = [];
    for (const node of await listParticipants(this.client, this.path, [candidateBase], deadline)) {
      try {
        const { data } = await persistently(this.client, deadline, () => this.client.getData(childPath(this.path, node.name)));
        participants.push({ id: data.toString('utf8'), node: node.name, isLeader: participants.length === 0 });
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error; // deleted meanwhile: no longer a candidate
      }
    }
    return participants;
  }

  // ---- the campaign ------------------------------------------------------------------------

  private newContender(): Contender {
    return new Contender(this.client, { basePath: this.path, name: candidateBase, bases: [candidateBase], turn: exclusiveTurn, data: this.id });
  }

  /** Candidate until elected, leader until revoked, and again — until interrupted or lost. */
  private async run(signal: AbortSignal): Promise<void> {
    const deadline = new Deadline({ signal }, `election ${this.path}`);
    while (!signal.aborted && !isEnded(this.client)) {
      try {
        const contender = (this.contender ??= this.newContender());
        await contender.join(deadline);
        await contender.awaitTurn(deadline);
        if (this.client.state !== 'connected') {
          await connected(this.client, deadline);
          continue; // decide again on the new connection
        }
        await this.lead(contender, deadline);
      } catch (error) {
        if (signal.aborted || isEnded(this.client)) break;
        if (error instanceof NodeVanishedError) {
          this.contender = undefined; // deleted by someone else: rejoin at the back
          continue;
        }
        if (!(error instanceof AbortError)) reportError(this, this.client, error);
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  /**
   * Leads until the leadership ends. The own node is watched, so an operator deleting it ends
   * the leadership ('vanished'); a suspension, loss or interruption ends it through
   * `endLeadership`, which has emitted 'revoked' already when this returns.
   */
  private async lead(contender: Contender, deadline: Deadline): Promise<void> {
    const own = contender.path!;
    for (let first = true; ; first = false) {
      const end = new Wakeup();
      this.leadershipEnd = end;
      const stat = await persistently(this.client, deadline, () => this.client.exists(own, { watch: end.listener }));
      if (stat === null) {
        this.leadershipEnd = undefined;
        if (this.stateValue === 'leader') this.revoke('vanished', 'candidate');
        throw new NodeVanishedError(own);
      }
      if (first) {
        if (end.hasFired || this.client.state !== 'connected' || deadline.failure() !== undefined) {
          if (end.event === undefined) forgetWatch(this.client, own, 'data', end.listener);
          return;
        }
        this.stateValue = 'leader';
        this.emit('elected');
        for (const waiter of [...this.leadershipWaiters]) waiter.resolve();
      }
      try {
        await end.wait(this.client, deadline);
      } catch {
        forgetWatch(this.client, own, 'data', end.listener);
        return; // interrupted or the session ended: endLeadership revoked already
      }
      if (this.stateValue !== 'leader') {
        if (end.event === undefined) forgetWatch(this.client, own, 'data', end.listener);
        return; // ended by endLeadership
      }
      // The watch fired while still leading: the node changed (data) or went (deleted). Re-arm
      // and look again; a deleted node is handled at the top of the loop.
    }
  }

  private revoke(reason: RevokeReason, next: ElectionState): void {
    this.stateValue = next;
    this.emit('revoked', reason);
  }

  /** Ends a current leadership at once (synchronously: before anything else can happen). */
  private endLeadership(reason: RevokeReason, next: ElectionState): void {
    if (this.stateValue === 'leader') this.revoke(reason, next);
    else if (this.stateValue === 'candidate' || this.stateValue === 'suspended') this.stateValue = next;
    this.leadershipEnd?.fire();
  }

  private onSuspended(): void {
    this.endLeadership('suspended', 'suspended');
    this.emit('suspended');
  }

  private onLost(cause: ZooKeeperError | undefined): void {
    this.endLeadership('lost', 'lost');
    this.stateValue = 'lost';
    this.session = undefined;
    this.contender = undefined;
    this.interrupt.abort();
    this.emit('lost', cause);
    this.failWaiters(cause ?? new RecipeClosedError(`election ${this.path} lost its session`));
  }

  /** Revokes, stops run(), then deletes the node — in that order, so no one leads before we stop. */
  private async stopCampaign(reason: 'relinquished' | 'closed'): Promise<void> {
    this.endLeadership(reason, 'candidate');
    this.interrupt.abort();
    await this.campaign;
    this.campaign = undefined;
    this.interrupt = new AbortController();
    const contender = this.contender;
    this.contender = undefined;
    await contender?.leave();
  }

  private failWaiters(error: unknown): void {
    for (const waiter of [...this.leadershipWaiters]) waiter.reject(error);
    this.leadershipWaiters.clear();
  }
}
