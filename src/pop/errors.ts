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

  // Gateway: server side
  InternalError: def('InternalError', 500, 'The request processing has failed due to some unknown error, exception or failure.'),
  ServiceUnavailable: def('ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.'),

  // VPC: Vco routes
  IllegalParamRouteEntryType: def('IllegalParam.RouteEntryType', 400, 'The specified RouteEntryType is invalid.'),
  IllegalParamPageNumber: def('IllegalParam.PageNumber', 400, 'The specified PageNumber is invalid. It must be an integer from 1 to 1000000000.'),
  IllegalParamPageSize: def('IllegalParam.PageSize', 400, 'The specified PageSize is invalid. It must be an integer from 1 to 50.'),
  VcoStatusNotSupport: def('Vco.StatusNotSupport', 400, 'The current VPN connection state does not support this operation.'),
  VpnConnectionNotFound: def('InvalidVpnConnectionInstanceId.NotFound', 404, 'The specified vpn connection instance id does not exist.'),

  // Authorization (used from the RAM issue on)
  ForbiddenSubUser: def('Forbbiden.SubUser', 403, 'User not authorized to operate on the specified resource as your account is created by another user.'),
  Forbidden: def('Forbidden', 403, 'User not authorized to operate on the specified resource.'),
} as const;

export type ErrorName = keyof typeof E;

export class PopError extends Error {
  readonly code: string;
  readonly status: number;

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
