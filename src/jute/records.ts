/**
 * Every record of Apache ZooKeeper 3.8/3.9's zookeeper.jute, field names verbatim, plus
 * DeleteContainerRequest (a Java-only record: one buffer holding the UTF-8 path).
 * ConnectRequest/ConnectResponse are the 3.8 forms without readOnly; the handshake code probes
 * for the optional trailing byte, which is how both 3.8 and 3.9 servers accept pre-3.4 clients.
 */
import { record, vector, type Rec } from './schema.js';

// org.apache.zookeeper.data
export const Id = record('Id', [['scheme', 'ustring'], ['id', 'ustring']]);
export const ACL = record('ACL', [['perms', 'int'], ['id', Id]]);
export const Stat = record('Stat', [
  ['czxid', 'long'], ['mzxid', 'long'], ['ctime', 'long'], ['mtime', 'long'],
  ['version', 'int'], ['cversion', 'int'], ['aversion', 'int'], ['ephemeralOwner', 'long'],
  ['dataLength', 'int'], ['numChildren', 'int'], ['pzxid', 'long'],
]);
export const StatPersisted = record('StatPersisted', [
  ['czxid', 'long'], ['mzxid', 'long'], ['ctime', 'long'], ['mtime', 'long'],
  ['version', 'int'], ['cversion', 'int'], ['aversion', 'int'], ['ephemeralOwner', 'long'],
  ['pzxid', 'long'],
]);
export const ClientInfo = record('ClientInfo', [['authScheme', 'ustring'], ['user', 'ustring']]);

// org.apache.zookeeper.proto
export const ConnectRequest = record('ConnectRequest', [
  ['protocolVersion', 'int'], ['lastZxidSeen', 'long'], ['timeOut', 'int'], ['sessionId', 'long'], ['passwd', 'buffer'],
]);
export const ConnectResponse = record('ConnectResponse', [
  ['protocolVersion', 'int'], ['timeOut', 'int'], ['sessionId', 'long'], ['passwd', 'buffer'],
]);
const paths = vector('ustring');
export const SetWatches = record('SetWatches', [
  ['relativeZxid', 'long'], ['dataWatches', paths], ['existWatches', paths], ['childWatches', paths],
]);
export const SetWatches2 = record('SetWatches2', [
  ['relativeZxid', 'long'], ['dataWatches', paths], ['existWatches', paths], ['childWatches', paths],
  ['persistentWatches', paths], ['persistentRecursiveWatches', paths],
]);
export const RequestHeader = record('RequestHeader', [['xid', 'int'], ['type', 'int']]);
export const MultiHeader = record('MultiHeader', [['type', 'int'], ['done', 'boolean'], ['err', 'int']]);
export const AuthPacket = record('AuthPacket', [['type', 'int'], ['scheme', 'ustring'], ['auth', 'buffer']]);
export const ReplyHeader = record('ReplyHeader', [['xid', 'int'], ['zxid', 'long'], ['err', 'int']]);
export const GetDataRequest = record('GetDataRequest', [['path', 'ustring'], ['watch', 'boolean']]);
export const SetDataRequest = record('SetDataRequest', [['path', 'ustring'], ['data', 'buffer'], ['version', 'int']]);
export const ReconfigRequest = record('ReconfigRequest', [
  ['joiningServers', 'ustring'], ['leavingServers', 'ustring'], ['newMembers', 'ustring'], ['curConfigId', 'long'],
]);
export const SetDataResponse = record('SetDataResponse', [['stat', Stat]]);
export const GetSASLRequest = record('GetSASLRequest', [['token', 'buffer']]);
export const SetSASLRequest = record('SetSASLRequest', [['token', 'buffer']]);
export const SetSASLResponse = record('SetSASLResponse', [['token', 'buffer']]);
const acls = vector(ACL);
export const CreateRequest = record('CreateRequest', [
  ['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['flags', 'int'],
]);
export const CreateTTLRequest = record('CreateTTLRequest', [
  ['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['flags', 'int'], ['ttl', 'long'],
]);
export const DeleteRequest = record('DeleteRequest', [['path', 'ustring'], ['version', 'int']]);
export const GetChildrenRequest = record('GetChildrenRequest', [['path', 'ustring'], ['watch', 'boolean']]);
export const GetAllChildrenNumberRequest = record('GetAllChildrenNumberRequest', [['path', 'ustring']]);
export const GetStatPersistedRequest = record('GetStatPersistedRequest', [['path', 'ustring']]);
export const GetChildren2Request = record('GetChildren2Request', [['path', 'ustring'], ['watch', 'boolean']]);
export const CheckVersionRequest = record('CheckVersionRequest', [['path', 'ustring'], ['version', 'int']]);
export const GetMaxChildrenRequest = record('GetMaxChildrenRequest', [['path', 'ustring']]);
export const GetMaxChildrenResponse = record('GetMaxChildrenResponse', [['max', 'int']]);
export const SetMaxChildrenRequest = record('SetMaxChildrenRequest', [['path', 'ustring'], ['max', 'int']]);
export const SyncRequest = record('SyncRequest', [['path', 'ustring']]);
export const SyncResponse = record('SyncResponse', [['path', 'ustring']]);
export const GetACLRequest = record('GetACLRequest', [['path', 'ustring']]);
export const SetACLRequest = record('SetACLRequest', [['path', 'ustring'], ['acl', acls], ['version', 'int']]);
export const SetACLResponse = record('SetACLResponse', [['stat', Stat]]);
export const AddWatchRequest = record('AddWatchRequest', [['path', 'ustring'], ['mode', 'int']]);
export const WatcherEvent = record('WatcherEvent', [['type', 'int'], ['state', 'int'], ['path', 'ustring']]);
export const ErrorResponse = record('ErrorResponse', [['err', 'int']]);
export const CreateResponse = record('CreateResponse', [['path', 'ustring']]);
export const Create2Response = record('Create2Response', [['path', 'ustring'], ['stat', Stat]]);
export const ExistsRequest = record('ExistsRequest', [['path', 'ustring'], ['watch', 'boolean']]);
export const ExistsResponse = record('ExistsResponse', [['stat', Stat]]);
export const GetDataResponse = record('GetDataResponse', [['data', 'buffer'], ['stat', Stat]]);
export const GetChildrenResponse = record('GetChildrenResponse', [['children', paths]]);
export const GetAllChildrenNumberResponse = record('GetAllChildrenNumberResponse', [['totalNumber', 'int']]);
export const GetStatPersistedResponse = record('GetStatPersistedResponse', [['statPersisted', StatPersisted]]);
export const GetChildren2Response = record('GetChildren2Response', [['children', paths], ['stat', Stat]]);
export const GetACLResponse = record('GetACLResponse', [['acl', acls], ['stat', Stat]]);
export const CheckWatchesRequest = record('CheckWatchesRequest', [['path', 'ustring'], ['type', 'int']]);
export const RemoveWatchesRequest = record('RemoveWatchesRequest', [['path', 'ustring'], ['type', 'int']]);
export const GetEphemeralsRequest = record('GetEphemeralsRequest', [['prefixPath', 'ustring']]);
export const GetEphemeralsResponse = record('GetEphemeralsResponse', [['ephemerals', paths]]);
export const WhoAmIResponse = record('WhoAmIResponse', [['clientInfo', vector(ClientInfo)]]);
export const DeleteContainerRequest = record('DeleteContainerRequest', [['path', 'buffer']]);

// org.apache.zookeeper.server.quorum
export const LearnerInfo = record('LearnerInfo', [['serverid', 'long'], ['protocolVersion', 'int'], ['configVersion', 'long']]);
export const QuorumPacket = record('QuorumPacket', [['type', 'int'], ['zxid', 'long'], ['data', 'buffer'], ['authinfo', vector(Id)]]);
export const QuorumAuthPacket = record('QuorumAuthPacket', [['magic', 'long'], ['status', 'int'], ['token', 'buffer']]);

// org.apache.zookeeper.server.persistence
export const FileHeader = record('FileHeader', [['magic', 'int'], ['version', 'int'], ['dbid', 'long']]);

// org.apache.zookeeper.txn
export const TxnDigest = record('TxnDigest', [['version', 'int'], ['treeDigest', 'long']]);
export const TxnHeader = record('TxnHeader', [['clientId', 'long'], ['cxid', 'int'], ['zxid', 'long'], ['time', 'long'], ['type', 'int']]);
export const CreateTxnV0 = record('CreateTxnV0', [['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['ephemeral', 'boolean']]);
export const CreateTxn = record('CreateTxn', [
  ['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['ephemeral', 'boolean'], ['parentCVersion', 'int'],
]);
export const CreateTTLTxn = record('CreateTTLTxn', [
  ['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['parentCVersion', 'int'], ['ttl', 'long'],
]);
export const CreateContainerTxn = record('CreateContainerTxn', [
  ['path', 'ustring'], ['data', 'buffer'], ['acl', acls], ['parentCVersion', 'int'],
]);
export const DeleteTxn = record('DeleteTxn', [['path', 'ustring']]);
export const SetDataTxn = record('SetDataTxn', [['path', 'ustring'], ['data', 'buffer'], ['version', 'int']]);
export const CheckVersionTxn = record('CheckVersionTxn', [['path', 'ustring'], ['version', 'int']]);
export const SetACLTxn = record('SetACLTxn', [['path', 'ustring'], ['acl', acls], ['version', 'int']]);
export const SetMaxChildrenTxn = record('SetMaxChildrenTxn', [['path', 'ustring'], ['max', 'int']]);
export const CreateSessionTxn = record('CreateSessionTxn', [['timeOut', 'int']]);
export const CloseSessionTxn = record('CloseSessionTxn', [['paths2Delete', paths]]);
export const ErrorTxn = record('ErrorTxn', [['err', 'int']]);
export const Txn = record('Txn', [['type', 'int'], ['data', 'buffer']]);
export const MultiTxn = record('MultiTxn', [['txns', vector(Txn)]]);

export type IdT = Rec<typeof Id>;
export type ACLT = Rec<typeof ACL>;
export type StatT = Rec<typeof Stat>;
export type WatcherEventT = Rec<typeof WatcherEvent>;
export type TxnHeaderT = Rec<typeof TxnHeader>;

/** All schemas by name, for round-trip property tests and dump tools. */
export const allRecords = {
  Id, ACL, Stat, StatPersisted, ClientInfo, ConnectRequest, ConnectResponse, SetWatches, SetWatches2,
  RequestHeader, MultiHeader, AuthPacket, ReplyHeader, GetDataRequest, SetDataRequest, ReconfigRequest,
  SetDataResponse, GetSASLRequest, SetSASLRequest, SetSASLResponse, CreateRequest, CreateTTLRequest,
  DeleteRequest, GetChildrenRequest, GetAllChildrenNumberRequest, GetStatPersistedRequest, GetChildren2Request,
  CheckVersionRequest, GetMaxChildrenRequest, GetMaxChildrenResponse, SetMaxChildrenRequest, SyncRequest,
  SyncResponse, GetACLRequest, SetACLRequest, SetACLResponse, AddWatchRequest, WatcherEvent, ErrorResponse,
  CreateResponse, Create2Response, ExistsRequest, ExistsResponse, GetDataResponse, GetChildrenResponse,
  GetAllChildrenNumberResponse, GetStatPersistedResponse, GetChildren2Response, GetACLResponse,
  CheckWatchesRequest, RemoveWatchesRequest, GetEphemeralsRequest, GetEphemeralsResponse, WhoAmIResponse,
  DeleteContainerRequest, LearnerInfo, QuorumPacket, QuorumAuthPacket, FileHeader, TxnDigest, TxnHeader,
  CreateTxnV0, CreateTxn, CreateTTLTxn, CreateContainerTxn, DeleteTxn, SetDataTxn, CheckVersionTxn,
  SetACLTxn, SetMaxChildrenTxn, CreateSessionTxn, CloseSessionTxn, ErrorTxn, Txn, MultiTxn,
} as const;
