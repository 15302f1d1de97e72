/** What an operation is: a small typed function over a validated request, plus what RAM needs to know. */
import type { Params } from '../pop/signature';
import type { ReadAheadHint } from '../store/read-ahead';
import type { Principal } from '../identity/principal';
import type { Store } from '../store/store';
import type { RenderedMembers, StreamedBody } from '../pop/render';
import type { RouteChangeFeed } from '../history';
import type { ClaimedClientToken } from '../pop/idempotency';
import { checkParameterTable, type ParameterTable } from './params';
import type { ResourceQuotas } from '../quotas/resource-quotas';

export interface Product {
  /** name used in Recommend links (product=Vpc) */
  name: string;
  version: string;
  /** echoed as HostId in error bodies */
  host: string;
  /** RAM service prefix, e.g. vpc */
  ramService: string;
  /** the length limit of every parameter of its operations, and its error for a bad value */
  parameters: ParameterTable;
}

/** Server options that operations obey (from config.ts). */
export interface OperationSettings {
  /** how long attaching/detaching/updating last (0 = immediate) */
  changeDelayMs: number;
  /** when set, every new VPN connection is attached to this transit router */
  autoAttachTransitRouterId: string | null;
  /** this server runs the BGP speaker: tunnel BgpStatus reflects live sessions (else it follows the tunnel status) */
  bgpSpeaker?: boolean;
  /** resource quotas in force (--quotas); absent = the cloud's figures (quotas/resource-quotas.ts quotasOf) */
  quotas?: Readonly<ResourceQuotas>;
}

export interface OperationContext {
  store: Store;
  principal: Principal;
  requestId: string;
  now: number;
  settings: OperationSettings;
  /**
   * The request's ClientToken, when it carries one: a write operation passes `clientToken?.completion(body)` to
   * the store write that commits it, so the response is recorded in the same transaction (pop/idempotency.ts).
   */
  clientToken?: ClaimedClientToken;
  /** TCP peer address and TLS flag of the request (condition keys of trust policies) */
  sourceIp?: string;
  secureTransport?: boolean;
  /** this server's route-change watches (streaming operations) */
  routeChanges?: RouteChangeFeed;
  /** the Last-Event-ID request header: where a reconnecting event stream resumes */
  lastEventId?: string;
}

export type ResponseBody = Record<string, unknown>;

export interface Operation<Input = unknown> {
  product: Product;
  action: string;
  /** RAM action, e.g. vpc:DescribeVcoRouteEntries */
  ramAction: string;
  /** RAM resource ARN the call acts on */
  resource(input: Input, principal: Principal): string;
  /** whether the operation takes a ClientToken (idempotency through the pipeline) */
  clientToken: boolean;
  /** validates parameters into a typed request; throws PopError (the product's parameter table first) */
  parse(params: Params): Input;
  /** the body, or its JSON already rendered (RenderedMembers) */
  run(input: Input, ctx: OperationContext): Promise<ResponseBody | RenderedMembers>;
  /**
   * Streaming operations (Server-Sent Events): a request that accepts text/event-stream is answered 200 with
   * this body after the same authentication, throttling and authorization as any request; `run` answers the others.
   */
  stream?(input: Input, ctx: OperationContext): Promise<StreamedBody>;
  /** reads worth asking for with authentication's, from the raw parameters (store/read-ahead.ts); undefined = none */
  readAhead?(params: Params): ReadAheadHint | undefined;
}

/**
 * Helper that keeps the Input type connected between parse and run, and puts the product's parameter table
 * in front of every operation's own parsing: lengths and characters are refused before anything else runs.
 */
export function defineOperation<Input>(op: Operation<Input>): Operation<unknown> {
  const parse = (params: Params): Input => {
    checkParameterTable(op.product.parameters, params);
    return op.parse(params);
  };
  return { ...op, parse } as Operation<unknown>;
}
