/**
 * The client's typed errors (DESIGN.md §3.9): one class per ZooKeeper error code a user branches
 * on, each with the stable numeric `code` of KeeperException.Code, the client `path` it concerns
 * when there is one, and `cause` chaining. `errorFromCode` maps a wire code to its class.
 *
 * Two families matter most and are deliberately distinct:
 * - ConnectionLossError (and RequestTimeoutError): the connection failed while the request was
 *   outstanding, so its OUTCOME IS UNKNOWN; the session may still be alive and a retry of an
 *   idempotent operation is safe (`isRetryable`).
 * - SessionExpiredError, AuthFailedError, ClientClosedError: terminal for this client; every
 *   later call fails the same way and the application must build a new client.
 *
 * Not here: anything that does I/O. Invariant: `new X().code` is the same for every instance of X.
 */
import { ErrorCode, errorName } from '../../protocol/codes.js';

export interface ZooKeeperErrorOptions {
  readonly path?: string | undefined;
  readonly cause?: unknown;
}

/** Outcome of one op inside a failed multi (see MultiOpFailure in requests.ts). */
export interface MultiFailureDetail {
  /** Index in the submitted op list of the op that failed first. */
  readonly failedOpIndex: number;
  /** One entry per submitted op: 0 for ops that would have succeeded, else the op's code. */
  readonly opCodes: readonly number[];
  /** One error per op that did not succeed (undefined for ops that would have succeeded). */
  readonly opErrors: readonly (ZooKeeperError | undefined)[];
}

export class ZooKeeperError extends Error {
  override name = 'ZooKeeperError';
  /** KeeperException.Code value (negative), stable per class. */
  readonly code: number;
  /** The client-side (chroot-relative) path the failed request named, when it named one. */
  readonly path: string | undefined;
  /** Set when this error is the first failure of a multi/transaction. */
  multi: MultiFailureDetail | undefined;

  constructor(code: number, message?: string, options: ZooKeeperErrorOptions = {}) {
    const base = message ?? errorName(code);
    super(options.path !== undefined ? `${base}: ${options.path}` : base, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.path = options.path;
    this.multi = undefined;
  }
}

/** The base of one error class per code: fixed `code` (also static) and default message. */
function define(name: string, code: number, defaultMessage: string) {
  const CodedZooKeeperError = class extends ZooKeeperError {
    override name: string = name;
    static readonly code = code;
    constructor(message?: string, options?: ZooKeeperErrorOptions) {
      super(code, message ?? defaultMessage, options);
    }
  };
  Object.defineProperty(CodedZooKeeperError, 'name', { value: name });
  return CodedZooKeeperError;
}

export class SystemError extends define('SystemError', ErrorCode.SYSTEMERROR, 'system error') {}
export class RuntimeInconsistencyError extends define('RuntimeInconsistencyError', ErrorCode.RUNTIMEINCONSISTENCY, 'runtime inconsistency') {}
export class DataInconsistencyError extends define('DataInconsistencyError', ErrorCode.DATAINCONSISTENCY, 'data inconsistency') {}
/** The connection dropped with the request outstanding: outcome unknown, session maybe alive. */
export class ConnectionLossError extends define('ConnectionLossError', ErrorCode.CONNECTIONLOSS, 'connection loss') {}
export class MarshallingError extends define('MarshallingError', ErrorCode.MARSHALLINGERROR, 'marshalling error') {}
export class UnimplementedError extends define('UnimplementedError', ErrorCode.UNIMPLEMENTED, 'unimplemented') {}
/** The server answered OPERATIONTIMEOUT (-7). */
export class OperationTimeoutError extends define('OperationTimeoutError', ErrorCode.OPERATIONTIMEOUT, 'operation timeout') {}
export class BadArgumentsError extends define('BadArgumentsError', ErrorCode.BADARGUMENTS, 'bad arguments') {}
export class UnknownSessionError extends define('UnknownSessionError', ErrorCode.UNKNOWNSESSION, 'unknown session') {}
export class NewConfigNoQuorumError extends define('NewConfigNoQuorumError', ErrorCode.NEWCONFIGNOQUORUM, 'new config has no quorum') {}
export class ReconfigInProgressError extends define('ReconfigInProgressError', ErrorCode.RECONFIGINPROGRESS, 'reconfig in progress') {}
export class NoNodeError extends define('NoNodeError', ErrorCode.NONODE, 'no node') {}
export class NoAuthError extends define('NoAuthError', ErrorCode.NOAUTH, 'not authorized') {}
export class BadVersionError extends define('BadVersionError', ErrorCode.BADVERSION, 'bad version') {}
export class NoChildrenForEphemeralsError extends define('NoChildrenForEphemeralsError', ErrorCode.NOCHILDRENFOREPHEMERALS, 'no children for ephemerals') {}
export class NodeExistsError extends define('NodeExistsError', ErrorCode.NODEEXISTS, 'node exists') {}
export class NotEmptyError extends define('NotEmptyError', ErrorCode.NOTEMPTY, 'directory not empty') {}
/** Terminal: the server no longer knows this session; its ephemerals and watches are gone. */
export class SessionExpiredError extends define('SessionExpiredError', ErrorCode.SESSIONEXPIRED, 'session expired') {}
export class InvalidCallbackError extends define('InvalidCallbackError', ErrorCode.INVALIDCALLBACK, 'invalid callback') {}
export class InvalidACLError extends define('InvalidACLError', ErrorCode.INVALIDACL, 'invalid ACL') {}
/** Terminal: the server rejected an addAuth; it closes the connection after this. */
export class AuthFailedError extends define('AuthFailedError', ErrorCode.AUTHFAILED, 'authentication failed') {}
export class SessionMovedError extends define('SessionMovedError', ErrorCode.SESSIONMOVED, 'session moved') {}
export class NotReadOnlyError extends define('NotReadOnlyError', ErrorCode.NOTREADONLY, 'not a read-only call') {}
export class EphemeralOnLocalSessionError extends define('EphemeralOnLocalSessionError', ErrorCode.EPHEMERALONLOCALSESSION, 'ephemeral on local session') {}
export class NoWatcherError extends define('NoWatcherError', ErrorCode.NOWATCHER, 'no watcher') {}
/** No reply within the client's requestTimeoutMs: like ConnectionLoss, the outcome is unknown. */
export class RequestTimeoutError extends define('RequestTimeoutError', ErrorCode.REQUESTTIMEOUT, 'request timeout') {}
export class ReconfigDisabledError extends define('ReconfigDisabledError', ErrorCode.RECONFIGDISABLED, 'reconfig disabled') {}
export class SessionClosedRequireSaslAuthError extends define('SessionClosedRequireSaslAuthError', ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, 'session closed: SASL authentication required') {}
export class QuotaExceededError extends define('QuotaExceededError', ErrorCode.QUOTAEXCEEDED, 'quota exceeded') {}
export class ThrottledOpError extends define('ThrottledOpError', ErrorCode.THROTTLEDOP, 'operation throttled') {}

/**
 * The client's own bounded request queue is full (backpressure). Nothing was sent; retrying later
 * is safe. Shares THROTTLEDOP's code because it means the same thing to a caller: slow down.
 */
export class RequestQueueFullError extends ThrottledOpError {
  override name = 'RequestQueueFullError';
  constructor(message = 'client request queue is full', options?: ZooKeeperErrorOptions) {
    super(message, options);
  }
}

/**
 * The client was closed (by `close()`) before or while the request was outstanding. Carries
 * CONNECTIONLOSS's code, as ZooKeeper's own client reports for calls on a closing handle, but it is
 * deliberately NOT a ConnectionLossError: retrying on a closed client can never succeed.
 */
export class ClientClosedError extends ZooKeeperError {
  override name = 'ClientClosedError';
  constructor(message = 'client is closed', options?: ZooKeeperErrorOptions) {
    super(ErrorCode.CONNECTIONLOSS, message, options);
  }
}

type ErrorClass = new (message?: string, options?: ZooKeeperErrorOptions) => ZooKeeperError;

const classByCode = new Map<number, ErrorClass>([
  [ErrorCode.SYSTEMERROR, SystemError],
  [ErrorCode.RUNTIMEINCONSISTENCY, RuntimeInconsistencyError],
  [ErrorCode.DATAINCONSISTENCY, DataInconsistencyError],
  [ErrorCode.CONNECTIONLOSS, ConnectionLossError],
  [ErrorCode.MARSHALLINGERROR, MarshallingError],
  [ErrorCode.UNIMPLEMENTED, UnimplementedError],
  [ErrorCode.OPERATIONTIMEOUT, OperationTimeoutError],
  [ErrorCode.BADARGUMENTS, BadArgumentsError],
  [ErrorCode.UNKNOWNSESSION, UnknownSessionError],
  [ErrorCode.NEWCONFIGNOQUORUM, NewConfigNoQuorumError],
  [ErrorCode.RECONFIGINPROGRESS, ReconfigInProgressError],
  [ErrorCode.NONODE, NoNodeError],
  [ErrorCode.NOAUTH, NoAuthError],
  [ErrorCode.BADVERSION, BadVersionError],
  [ErrorCode.NOCHILDRENFOREPHEMERALS, NoChildrenForEphemeralsError],
  [ErrorCode.NODEEXISTS, NodeExistsError],
  [ErrorCode.NOTEMPTY, NotEmptyError],
  [ErrorCode.SESSIONEXPIRED, SessionExpiredError],
  [ErrorCode.INVALIDCALLBACK, InvalidCallbackError],
  [ErrorCode.INVALIDACL, InvalidACLError],
  [ErrorCode.AUTHFAILED, AuthFailedError],
  [ErrorCode.SESSIONMOVED, SessionMovedError],
  [ErrorCode.NOTREADONLY, NotReadOnlyError],
  [ErrorCode.EPHEMERALONLOCALSESSION, EphemeralOnLocalSessionError],
  [ErrorCode.NOWATCHER, NoWatcherError],
  [ErrorCode.REQUESTTIMEOUT, RequestTimeoutError],
  [ErrorCode.RECONFIGDISABLED, ReconfigDisabledError],
  [ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, SessionClosedRequireSaslAuthError],
  [ErrorCode.QUOTAEXCEEDED, QuotaExceededError],
  [ErrorCode.THROTTLEDOP, ThrottledOpError],
]);

/** The typed error for a wire code; unknown codes get the ZooKeeperError base class. */
export function errorFromCode(code: number, options: ZooKeeperErrorOptions = {}): ZooKeeperError {
  const Class = classByCode.get(code);
  return Class !== undefined ? new Class(undefined, options) : new ZooKeeperError(code, undefined, options);
}

/**
 * True when the failure says nothing about the request's effect and the session may still be
 * usable: a retry of an idempotent operation (or a versioned write) is reasonable.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ClientClosedError) return false;
  return (
    error instanceof ConnectionLossError ||
    error instanceof RequestTimeoutError ||
    error instanceof OperationTimeoutError ||
    error instanceof ThrottledOpError ||
    error instanceof SessionMovedError
  );
}
