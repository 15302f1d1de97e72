/**
 * The error catalogue: every error the server can return, with its fixed code, HTTP status and message.
 * Codes, statuses and messages follow Alibaba Cloud; where Alibaba is silent the choice is recorded in
 * docs/compatibility.md. Errors are values: throw `new PopError(E.X)` or `popError('X', ...)`.
 */

export interface ErrorDefinition {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const def = (code: string, status: number, message: string): ErrorDefinition => ({ code, status, message });

export const E = {
  // Gateway: request shape and dispatch
  InvalidApiNotFound: def('InvalidApi.NotFound', 404, 'Specified api is not found, please check your url and method.'),
  InvalidVersion: def('InvalidVersion', 400, 'Specified parameter Version is not valid.'),
  MissingAction: def('MissingAction', 400, 'Action is mandatory for this action.'),
  MissingVersion: def('MissingVersion', 400, 'Version is mandatory for this action.'),
  UnsupportedHTTPMethod: def('UnsupportedHTTPMethod', 400, 'This http method not supported.'),
  InvalidParameter: def('InvalidParameter', 400, 'The specified parameter is not valid.'),
  InvalidParameterFormat: def('InvalidParameter.Format', 400, 'Specified parameter format is not valid.'),
  RequestTooLarge: def('InvalidParameter.RequestTooLarge', 400, 'The request body is too large.'),

  // Gateway: requests refused by the HTTP layer before any parameter is read (src/server/http-gate.ts)
  ForbiddenHost: def(
    'Forbidden.Host', 403,
    'The Host header names neither a loopback address, nor the address the server listens on, nor a host allowed with --allowed-hosts (VCOROUTE_ALLOWED_HOSTS): add the name you use there.',
  ),
  ForbiddenCrossSite: def(
    'Forbidden.CrossSiteRequest', 403,
    "Requests from other web pages are refused: a browser request must come from the server's own origin (Origin and Sec-Fetch-Site headers).",
  ),

  // Gateway: authentication
  IncompleteSignature: def('IncompleteSignature', 400, 'The request signature does not conform to Aliyun standards.'),
  SignatureDoesNotMatch: def('SignatureDoesNotMatch', 400, 'Specified signature is not matched with our calculation.'),
  InvalidSignatureMethod: def('InvalidSignatureMethod', 400, 'Specified signature method is not valid.'),
  InvalidSignatureVersion: def('InvalidSignatureVersion', 400, 'Specified signature version is not valid.'),
  InvalidAccessKeyIdNotFound: def('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  InvalidAccessKeyIdInactive: def('InvalidAccessKeyId.Inactive', 400, 'Specified access key is disabled.'),
  InvalidTimeStampFormat: def('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  InvalidTimeStampExpired: def('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  SignatureNonceUsed: def('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  InvalidSignatureNonce: def('InvalidSignatureNonce', 400, 'Specified signature nonce is not valid. It must be 1 to 128 printable ASCII characters.'),

  // Gateway: idempotency
  IdempotentParameterMismatch: def('IdempotentParameterMismatch', 400, 'The specified ClientToken was already used with different request parameters.'),
  LastTokenProcessing: def('LastTokenProcessing', 400, 'The request with the same ClientToken is still being processed.'),
  IllegalParamClientToken: def('IllegalParam.ClientToken', 400, 'The specified ClientToken is invalid. It must be 1 to 64 ASCII characters.'),

  // Gateway: flow control (per region, API and account; src/flow-control)
  ThrottlingUser: def('Throttling.User', 400, 'Request was denied due to user flow control.'),

  // Gateway: server side
  InternalError: def('InternalError', 500, 'The request processing has failed due to some unknown error, exception or failure.'),
  ServiceUnavailable: def('ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.'),

  // VPC: Vco routes
  IllegalParamRouteEntryType: def('IllegalParam.RouteEntryType', 400, 'The specified RouteEntryType is invalid.'),
  IllegalParamPageNumber: def('IllegalParam.PageNumber', 400, 'The specified PageNumber is invalid. It must be an integer from 1 to 1000000000.'),
  IllegalParamPageSize: def('IllegalParam.PageSize', 400, 'The specified PageSize is invalid. It must be an integer from 1 to 50.'),
  // VPC: route-change history (vcoroute extension, docs/compatibility.md)
  WatchNeedsEventStream: def('InvalidParameter.Accept', 400, 'WatchVcoRouteChanges answers with Server-Sent Events: send the header Accept: text/event-stream.'),
  VcoStatusNotSupport: def('Vco.StatusNotSupport', 400, 'The current VPN connection state does not support this operation.'),
  VpnConnectionNotFound: def('InvalidVpnConnectionInstanceId.NotFound', 404, 'The specified vpn connection instance id does not exist.'),

  // VPC: customer gateways, VPN connections, Vco route writes
  DryRunOperation: def('DryRunOperation', 400, 'Request validation has been passed with DryRun flag set.'),
  CustomerGatewayNotFound: def('InvalidCustomerGatewayInstanceId.NotFound', 404, 'The specified customer gateway instance id does not exist.'),
  CustomerGatewayInUse: def('DependencyViolation.VpnConnection', 400, 'The specified customer gateway is used by a VPN connection.'),
  VpnConnectionConfiguring: def('VpnConnection.Configuring', 400, 'The specified VPN connection is being configured. Try again later.'),
  VcoRouteEntryAlreadyExists: def('VcoRouteEntry.AlreadyExists', 400, 'The specified route entry already exists.'),
  VcoRouteEntryNotFound: def('InvalidVcoRouteEntry.NotFound', 404, 'The specified route entry does not exist.'),
  VcoRouteEntryQuotaExceeded: def('QuotaExceeded.VcoRouteEntry', 400, 'The number of route entries of the VPN connection exceeds the quota.'),

  // ---- CEN (product Cbn; cen-api.md). Texts without a documented message are decided (docs/compatibility.md). ----
  CenUnauthorized: def('Unauthorized', 400, 'The AccessKeyId is unauthorized.'),
  CenInvalidTagKey: def('InvalidTagKey', 400, 'The tag keys are not valid.'),
  CenInvalidTagValue: def('InvalidTagValue', 400, 'The tag values are not valid.'),
  CenIllegalParamTagKey: def('IllegalParam.TagKey', 400, 'The tag keys are not valid.'),
  CenIllegalParamTagValue: def('IllegalParam.TagValue', 400, 'The tag values are not valid.'),
  CenInvalidName: def('InvalidName', 400, 'Name is invalid.'),
  CenInvalidDescription: def('InvalidDescription', 400, 'Description is invalid.'),
  CenIllegalParamNextToken: def('IllegalParam.NextToken', 400, 'NextToken is illegal'),
  CenIllegalParamMaxResults: def('IllegalParam.MaxResults', 400, 'The specified MaxResults is illegal.'),
  CenNotFound: def('ParameterCenInstanceId', 400, 'The specified CenId does not exist or is not valid.'),
  CenInstanceStatus: def('InvalidOperation.CenInstanceStatus', 400, 'The operation is invalid because of the status of the CEN instance.'),
  CenChildInstanceExist: def('InvalidOperation.AttachedChildInstanceExist', 400, 'The operation is invalid because the instance still has transit routers or attachments.'),
  TransitRouterInstanceExist: def('InstanceExist.TransitRouterInstance', 400, 'The instance already exists.'),
  TransitRouterCombination: def('InvalidParameterCombination.TransitRouter', 400, 'Region ID is required if no TransitRouterId or CenId specified.'),
  TransitRouterInstanceNotFound: def('InvalidTransitRouterInstance.NotFound', 400, 'The Transit Router instance is not found.'),
  TransitRouterIdNotFound: def('InvalidTransitRouterId.NotFound', 400, 'TransitRouterId is not found.'),
  TransitRouterIncorrectStatus: def('IncorrectStatus.TransitRouterInstance', 400, 'The status of TransitRouter is incorrect.'),
  DeleteTransitRouterFailed: def('OperationFailed.DeleteTransitRouter', 400, 'Operation failed because TransitRouterRouteTable or TransitRouterRouteEntry or BandwidthTransitRegion exists.'),
  TransitRouterCidrIllegal: def('IllegalParam.Cidr', 400, 'Cidr is illegal.'),
  TransitRouterCidrOverlap: def('OverLappingExist.Cidr', 400, 'The specified Cidr overlaps with an existing CIDR block.'),
  TransitRouterCidrQuota: def('QuotaExceeded.TransitRouterCidr', 400, 'The number of CIDR blocks of the transit router exceeds the quota (5).'),
  VpnIdNotFound: def('InvalidVpnId.NotFound', 400, 'The specified VpnId is not found.'),
  VpnIncorrectStatus: def('IncorrectStatus.VpnConnection', 400, 'The VPN connection is attached to a transit router or being changed.'),
  VpnAttachmentQuota: def('QuotaExceeded.TransitRouterVpnAttachment', 400, 'The number of VPN attachments of the transit router exceeds the quota (50).'),
  AttachmentIdNotFound: def('InvalidTransitRouterAttachmentId.NotFound', 400, 'The TransitRouterAttachmentId is not found.'),
  AttachmentIncorrectStatus: def('IncorrectStatus.ResourceStatus', 400, 'The resource is not in a valid state for the attachment operation.'),
  AttachmentAssociationExist: def('OperationFailed.RouteTableAssociationExist', 400, 'Operation failed because TransitRouterRouteTable exists.'),
  AttachmentPropagationExist: def('OperationFailed.RouteTablePropagationExist', 400, 'Operation failed because TransitRouterRouteTable exists. You are not allowed to delete TransitAttachment with TransitRouter RouteTable Associated.'),
  AttachmentRouteEntryExist: def('OperationFailed.RouteEntryExist', 400, 'Operation failed because the TransitRouterAttachment exists in RouteTable.'),
  RouteTableIdNotFound: def('InvalidTransitRouterRouteTableId.NotFound', 400, 'TransitRouterRouteTableId is not found.'),
  RouteTableMissingParam: def('MissingParam.TransitRouterIdOrTransitRouterRouteTables', 400, 'Either TransitRouterId or TransitRouterRouteTables must be specified.'),
  RouteTableIncorrectStatus: def('IncorrectStatus.TransitRouterRouteTable', 400, 'TransitRouterRouteTable status is invalid.'),
  RouteTableDeleteSystem: def('OperationFailed.DeleteSystemRouteTable', 400, 'Operation failed because the system route table cannot be deleted.'),
  RouteTableDeleteWithAssociation: def('OperationFailed.DeleteRouteTableWithAssociation', 400, 'Operation failed because the route table has associations.'),
  RouteTableDeleteWithPropagation: def('OperationFailed.DeleteRouteTableWithPropagation', 400, 'Operation failed because the route table has propagations.'),
  RouteTableDeleteWithRouteEntry: def('OperationFailed.DeleteRouteTableWithRouteEntry', 400, 'Operation failed because the route table has static route entries.'),
  LinkIncorrectStatus: def('IncorrectStatus.AttachmentOrRouteTable', 400, 'The resource is not in a valid state for the operation.'),
  LinkTableOfOtherRouter: def('InvalidParameter.TransitRouterRouteTableId', 400, 'The route table and the attachment belong to different transit routers.'),
  PropagationRouteTableNotFound: def('InvalidRouteTableId.NotFound', 404, 'The specified RouteTableId is not found.'),
  PropagationAttachmentNotFound: def('InvalidAttachmentId.NotFound', 404, 'The specified AttachmentId is not found.'),
  PropagationAttachmentNotFound400: def('InvalidAttachmentId.NotFound', 400, 'The specified AttachmentId is not found.'),
  RouteEntryQuota: def('QuotaExceeded.TransitRouterRoutEntry', 400, 'TransitRouterRoutEntry quota exceeded.'),
  RouteEntryIllegalDestination: def('IllegalParam.TransitRouterDestinationCidrBlock', 400, 'The specified TransitRouterRouteEntryDestinationCidrBlock is illegal.'),
  RouteEntrySameDestination: def('OperationFailed.CreateRouteEntryWithSameDestinationCidrBlock', 400, 'Operation failed because a route entry with the same destination CIDR block exists.'),
  RouteEntryIllegalNextHopType: def('IllegalParam.NextHopType', 400, 'The specified NextHopType is illegal.'),
  RouteEntryMissingNextHopId: def('MissingParam.TransitRouterRouteEntryNextHopId', 400, 'The parameter TransitRouterRouteEntryNextHopId is mandatory for next hop type Attachment.'),
  RouteEntryBlackHoleWithNextHopId: def('ParamExclusive.NextHopTypeBlackHoleAndNextHopId', 400, 'A blackhole route cannot have a next hop ID.'),
  RouteEntryNextHopNotFound: def('InvalidTransitRouterRouteEntryNextHopId.NotFound', 400, 'The specified TransitRouterRouteEntryNextHopId is not found.'),
  RouteEntryIdNotFound: def('IllegalParam.TransitRouterRouteEntryId', 400, 'TransitRouterRouteEntryId is not found.'),
  RouteEntryIdExclusive: def('ParamExclusive.RouteEntryIdAndRouteTableIdOrDestCidrBlock', 400, 'TransitRouterRouteEntryId cannot be specified with TransitRouterRouteTableId or TransitRouterRouteEntryDestinationCidrBlock.'),
  RouteEntryDestinationNotFound: def('InvalidDestinationCidrBlock.NotFound', 400, 'The specified destination CIDR block is not found.'),
  RouteEntryAutomatic: def('OperationFailed.DeleteTransitRouterRouteEntry', 400, 'Operation failed because this route entry is created automatically.'),
  RouteEntryIncorrectStatus: def('IncorrectStatus.TransitRouterRouteEntry', 400, 'The status of the TransitRouterRouteEntry is incorrect.'),
  RouteEntryIllegalStatus: def('IllegalParam.TransitRouterRouteEntryStatus', 400, 'The specified TransitRouterRouteEntryStatus is illegal.'),
  RouteEntryIdsAndStatus: def('ParamExclusive.RouteEntryIdsAndStatus', 400, 'TransitRouterRouteEntryIds and TransitRouterRouteEntryStatus cannot be specified together.'),
  RouteEntryIllegalType: def('IllegalParam.TransitRouterRouteEntryType', 400, 'The specified TransitRouterRouteEntryType is illegal.'),
  RouteEntryIllegalNextHopTypeFilter: def('IllegalParam.TransitRouterRouteEntryNextHopType', 400, 'The specified TransitRouterRouteEntryNextHopType is illegal.'),

  // Authorization (used from the RAM issue on)
  ForbiddenSubUser: def('Forbbiden.SubUser', 403, 'User not authorized to operate on the specified resource as your account is created by another user.'),
  Forbidden: def('Forbidden', 403, 'User not authorized to operate on the specified resource.'),

  // ---- RAM & STS (ram.md §8, §9; pop-protocol.md §8). Texts without a documented message are decided. ----
  NoPermission: def('NoPermission', 403, 'You are not authorized to do this action.'),
  NoPermissionSts: def('NoPermission', 403, 'You are not authorized to do this action. You should be authorized by RAM.'),
  NoPermissionRootAssumeRole: def('NoPermission', 403, 'Roles may not be assumed by root accounts.'),
  InvalidSecurityTokenExpired: def('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.'),
  InvalidSecurityTokenMalformed: def('InvalidSecurityToken.Malformed', 400, 'Specified SecurityToken is malformed.'),
  InvalidSecurityTokenMismatch: def('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.'),
  MissingSecurityToken: def('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.'),
  MalformedPolicyDocument: def('MalformedPolicyDocument', 400, 'The policy document is malformed.'),
  EntityNotExistUser: def('EntityNotExist.User', 404, 'The user does not exist.'),
  EntityNotExistUserAccessKey: def('EntityNotExist.User.AccessKey', 404, 'The user access key does not exist.'),
  EntityNotExistPolicy: def('EntityNotExist.Policy', 404, 'The policy does not exist.'),
  EntityNotExistPolicyVersion: def('EntityNotExist.Policy.Version', 404, 'The policy version does not exist.'),
  EntityNotExistUserPolicy: def('EntityNotExist.User.Policy', 404, 'The policy is not attached to the user.'),
  EntityNotExistGroupPolicy: def('EntityNotExist.Group.Policy', 404, 'The policy is not attached to the group.'),
  EntityNotExistRolePolicy: def('EntityNotExist.Role.Policy', 404, 'The policy is not attached to the role.'),
  EntityNotExistGroup: def('EntityNotExist.Group', 404, 'The group does not exist.'),
  EntityNotExistUserGroup: def('EntityNotExist.User.Group', 404, 'The user is not a member of the group.'),
  EntityNotExistRole: def('EntityNotExist.Role', 404, 'The role does not exist.'),
  EntityAlreadyExistsUser: def('EntityAlreadyExists.User', 409, 'The user does already EXIST.'),
  EntityAlreadyExistsUserPolicy: def('EntityAlreadyExists.User.Policy', 409, 'The user has already been attached this policy.'),
  EntityAlreadyExistsGroupPolicy: def('EntityAlreadyExists.Group.Policy', 409, 'The group has already been attached this policy.'),
  EntityAlreadyExistsRolePolicy: def('EntityAlreadyExists.Role.Policy', 409, 'The role has already been attached this policy.'),
  EntityAlreadyExistsPolicy: def('EntityAlreadyExists.Policy', 409, 'The policy does already EXIST.'),
  EntityAlreadyExistsGroup: def('EntityAlreadyExists.Group', 409, 'The group does already EXIST.'),
  EntityAlreadyExistsUserGroup: def('EntityAlreadyExists.User.Group', 409, 'The user is already a member of the group.'),
  EntityAlreadyExistsRole: def('EntityAlreadyExists.Role', 409, 'The role does already EXIST.'),
  LimitExceededUserAccessKey: def('LimitExceeded.User.AccessKey', 409, 'The count of access keys of the user exceeds the limit (2).'),
  LimitExceededUser: def('LimitExceeded.User', 409, 'The count of users exceeds the limit.'),
  LimitExceededPolicy: def('LimitExceeded.Policy', 409, 'The count of custom policies exceeds the limit.'),
  LimitExceededPolicyVersion: def('LimitExceeded.Policy.Version', 409, 'The count of policy versions exceeds the limit (5).'),
  LimitExceededAttachment: def('LimitExceeded.Policy.Attachment', 409, 'The count of policies attached to the entity exceeds the limit.'),
  DeleteConflictUserAccessKey: def('DeleteConflict.User.AccessKey', 409, 'The user still has access keys; delete them first.'),
  DeleteConflictUserPolicy: def('DeleteConflict.User.Policy', 409, 'The user still has attached policies; detach them first.'),
  DeleteConflictUserGroup: def('DeleteConflict.User.Group', 409, 'The user is still a member of groups; remove it first.'),
  DeleteConflictGroupUser: def('DeleteConflict.Group.User', 409, 'The group still has members; remove them first.'),
  DeleteConflictGroupPolicy: def('DeleteConflict.Group.Policy', 409, 'The group still has attached policies; detach them first.'),
  DeleteConflictRolePolicy: def('DeleteConflict.Role.Policy', 409, 'The role still has attached policies; detach them first.'),
  DeleteConflictPolicyAttachment: def('DeleteConflict.Policy.Attachment', 409, 'The policy is still attached to users, groups or roles; detach it first.'),
  DeleteConflictPolicyVersion: def('DeleteConflict.Policy.Version', 409, 'The policy still has non-default versions; delete them first or set CascadingDelete.'),
  DeleteConflictPolicyVersionDefault: def('DeleteConflict.Policy.Version.Default', 409, 'The default version of a policy cannot be deleted.'),
  InvalidParameterPolicyType: def('InvalidParameter.PolicyType', 400, 'The parameter PolicyType must be System or Custom.'),
  InvalidParameterStatus: def('InvalidParameter.Status', 400, 'The parameter Status must be Active or Inactive.'),
  InvalidParameterRoleArn: def('InvalidParameter.RoleArn', 400, 'The parameter RoleArn is wrongly formed.'),
  InvalidParameterRoleSessionName: def('InvalidParameter.RoleSessionName', 400, 'The parameter RoleSessionName is wrongly formed: 2 to 64 letters, digits, ".", "@", "-" or "_".'),
  InvalidParameterDurationSeconds: def('InvalidParameter.DurationSeconds', 400, "The DurationSeconds is out of range: from 900 to the role's MaxSessionDuration."),
  InvalidParameterDurationSecondsChained: def('InvalidParameter.DurationSeconds', 400, 'The DurationSeconds is out of range: a session obtained with role session credentials (role chaining) lasts at most 3600 seconds.'),
  NoPermissionChainOriginGone: def('NoPermission', 403, 'You are not authorized to do this action. The RAM user that started this role chain cannot be found.'),
  InvalidParameterPolicyGrammar: def('InvalidParameter.PolicyGrammar', 400, 'The parameter Policy has not passed grammar check.'),
  InvalidParameterPolicySize: def('InvalidParameter.PolicySize', 400, 'The parameter Policy is longer than 2048 characters.'),
  InvalidParameterExternalId: def('InvalidParameter.ExternalId', 400, 'The parameter ExternalId is wrongly formed.'),
} as const;

export type ErrorName = keyof typeof E;

export class PopError extends Error {
  readonly code: string;
  readonly status: number;
  /** response headers the error carries (e.g. x-acs-retry-after of Throttling.User) */
  headers?: Record<string, string>;

  constructor(readonly definition: ErrorDefinition, message?: string, readonly extra?: Record<string, unknown>) {
    super(message ?? definition.message);
    this.code = definition.code;
    this.status = definition.status;
  }
}

/** `Missing{Param}` errors, e.g. MissingVpnConnectionId (the pattern of the POP gateway). */
export function missingParameter(name: string): PopError {
  return new PopError(def(`Missing${name}`, 400, `${name} is mandatory for this action.`));
}

/** `InvalidParameter` naming the offending parameter. */
export function invalidParameter(name: string, why: string): PopError {
  return new PopError(E.InvalidParameter, `The specified parameter "${name}" is not valid: ${why}`);
}

/**
 * `IllegalParam.{Param}` errors, the pattern DescribeVcoRouteEntries documents for its own parameters
 * (IllegalParam.RouteEntryType); vcoroute uses it for every invalid VPC parameter value.
 */
export function illegalParam(name: string, message: string): PopError {
  return new PopError(def(`IllegalParam.${name}`, 400, message));
}

/** RAM's `InvalidParameter.{Param}[.{Rule}]` family, e.g. InvalidParameter.UserName.Length (ram.md §8). */
export function ramInvalidParameter(param: string, rule: 'Length' | 'InvalidChars' | 'Format' | undefined, message: string): PopError {
  return new PopError(def(rule ? `InvalidParameter.${param}.${rule}` : `InvalidParameter.${param}`, 400, message));
}
