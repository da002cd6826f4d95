/**
 * ZooKeeper's wire constants: op codes, error codes, event types, keeper states, watcher types,
 * create modes and permission bits, as `as const` objects with derived unions.
 *
 * Values are Apache ZooKeeper 3.8/3.9's (ZooDefs.OpCode, KeeperException.Code, Watcher.Event),
 * which are identical between those lines. Deliberately no behaviour here: only names and numbers.
 */

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCodeName = keyof typeof OpCode;
export type OpCodeValue = (typeof OpCode)[OpCodeName];

const opNameByCode = new Map<number, OpCodeName>(
  (Object.keys(OpCode) as OpCodeName[]).map((name) => [OpCode[name], name]),
);
export function opName(code: number): OpCodeName | undefined {
  return opNameByCode.get(code);
}

export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const errNameByCode = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);
export function errorName(code: number): string {
  return errNameByCode.get(code) ?? `UNKNOWN(${code})`;
}

export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;
export type KeeperStateValue = (typeof KeeperState)[keyof typeof KeeperState];

/** The `type` field of CheckWatches/RemoveWatches; 4 and 5 are 3.9 additions. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;
export type WatcherTypeValue = (typeof WatcherType)[keyof typeof WatcherType];

export const AddWatchMode = {
  persistent: 0,
  persistentRecursive: 1,
} as const;
export type AddWatchModeValue = (typeof AddWatchMode)[keyof typeof AddWatchMode];

export const CreateFlag = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;
export type CreateFlagValue = (typeof CreateFlag)[keyof typeof CreateFlag];

export interface CreateModeInfo {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}
/** CreateMode by flag value, 0…6 (shared and frozen: every create asks). */
const CREATE_MODES: readonly CreateModeInfo[] = [
  { ephemeral: false, sequential: false, container: false, ttl: false },
  { ephemeral: true, sequential: false, container: false, ttl: false },
  { ephemeral: false, sequential: true, container: false, ttl: false },
  { ephemeral: true, sequential: true, container: false, ttl: false },
  { ephemeral: false, sequential: false, container: true, ttl: false },
  { ephemeral: false, sequential: false, container: false, ttl: true },
  { ephemeral: false, sequential: true, container: false, ttl: true },
].map((mode) => Object.freeze(mode));

export function createModeOf(flags: number): CreateModeInfo | undefined {
  return CREATE_MODES[flags];
}

export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** Special xids (ClientCnxn). */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;
