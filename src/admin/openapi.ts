/** The OpenAPI 3.1 document of the admin API, served at /_vcoroute/openapi.json. */
import { ROUTE_CHANGE_CAUSES } from '../store/store';

const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const connectionIdParam = { name: 'vpnConnectionId', in: 'path', required: true, schema: { type: 'string', pattern: '^vco-[0-9a-z]{1,64}$' } };

const ROUTE_CHANGE_FILTERS = [
  { name: 'VpnConnectionId', in: 'query', required: true, schema: { type: 'string' } },
  { name: 'RouteEntryType', in: 'query', schema: { type: 'string', enum: ['custom', 'bgp'] } },
  { name: 'Source', in: 'query', schema: { type: 'string', enum: ['CUSTOM', 'VPN_BGP', 'CLOUD'] } },
  { name: 'DestinationCidrBlock', in: 'query', description: 'only changes whose RouteDest lies in this block', schema: { type: 'string', example: '10.0.0.0/16' } },
  { name: 'StartTime', in: 'query', schema: { type: 'string', example: '2026-11-27T16:00:00Z' } },
  { name: 'EndTime', in: 'query', schema: { type: 'string', example: '2026-11-27T17:00:00.000Z' } },
];

const ROUTE_ATTRIBUTES = {
  type: ['object', 'null'],
  properties: {
    Weight: { type: 'integer' }, State: { type: 'string' }, CreateTime: { type: 'integer' }, AsPath: { type: 'string' }, Community: { type: 'string' },
    Source: { type: 'string' }, NextHopTunnelIdList: { type: 'array', items: { type: 'string' } },
  },
};

/** One recorded change (src/history/events.ts). */
const ROUTE_CHANGE = {
  type: 'object',
  properties: {
    EventId: { type: 'string', description: 'per connection, increasing in commit order' },
    ChangeTime: { type: 'string', format: 'date-time' },
    VpnConnectionId: { type: 'string' },
    ChangeType: { type: 'string', enum: ['Added', 'Modified', 'Removed'] },
    RouteEntryType: { type: 'string', enum: ['custom', 'bgp'] },
    Source: { type: 'string', enum: ['CUSTOM', 'VPN_BGP', 'CLOUD'] },
    RouteDest: { type: 'string' },
    NextHop: { type: 'string' },
    Old: ROUTE_ATTRIBUTES,
    New: ROUTE_ATTRIBUTES,
    TunnelId: { type: 'string' },
    Cause: { type: 'string', enum: ROUTE_CHANGE_CAUSES },
  },
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'vcoroute admin API',
    version: '1',
    description:
      'Seeds state that the Alibaba Cloud API cannot create. Every /_vcoroute/v1 endpoint needs ' +
      '`Authorization: Bearer $VCOROUTE_ADMIN_TOKEN`; without that variable the admin API is off (404 AdminApiDisabled).',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
      Tunnel: {
        type: 'object',
        required: ['tunnelId'],
        additionalProperties: false,
        properties: {
          tunnelId: { type: 'string', pattern: '^tun-[0-9a-z]{1,64}$' },
          status: {
            type: 'string',
            enum: ['ike_sa_not_established', 'ike_sa_established', 'ipsec_sa_not_established', 'ipsec_sa_established'],
            default: 'ipsec_sa_established',
          },
        },
      },
      ConnectionInput: {
        type: 'object',
        required: ['regionId', 'state'],
        additionalProperties: false,
        properties: {
          regionId: { type: 'string', example: 'cn-hangzhou' },
          accountId: { type: 'string', pattern: '^\\d{1,32}$', description: 'defaults to the root account' },
          state: {
            type: 'string',
            enum: ['init', 'active', 'attaching', 'attached', 'detaching', 'updating', 'provisioning', 'financialLocked', 'Upgrading', 'deleted'],
            description: 'routes can be listed in attached and updating',
          },
          transitRouterId: { type: 'string', pattern: '^tr-[0-9a-z]{1,64}$' },
          createTime: { type: 'integer', description: 'epoch milliseconds; default now (kept on replace)' },
          tunnels: { type: 'array', items: { $ref: '#/components/schemas/Tunnel' }, description: 'none = single-tunnel, two = dual-tunnel' },
        },
      },
      Connection: {
        type: 'object',
        properties: {
          vpnConnectionId: { type: 'string' }, regionId: { type: 'string' }, accountId: { type: 'string' }, state: { type: 'string' },
          transitRouterId: { type: ['string', 'null'] }, createTime: { type: 'integer' },
          tunnels: { type: 'array', items: { $ref: '#/components/schemas/Tunnel' } },
        },
      },
      Route: {
        type: 'object',
        required: ['routeEntryType', 'routeDest'],
        additionalProperties: false,
        properties: {
          routeEntryType: { type: 'string', enum: ['custom', 'bgp'] },
          routeDest: { type: 'string', description: 'IPv4 CIDR; host bits are cleared', example: '192.168.10.0/24' },
          nextHop: { type: 'string', description: 'defaults to the connection ID' },
          weight: { type: 'integer', description: 'custom: 0 or 100 (default 100); bgp: 0–100 (default 100)' },
          source: { type: 'string', enum: ['VPN_BGP', 'CLOUD'], description: 'required for bgp, forbidden for custom. CLOUD: a static route of the transit router side (never touched by route propagation; wins over a propagated route of the same prefix). VPN_BGP and custom routes propagate into the route tables of the connection\'s VPN attachment' },
          asPath: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4294967295 }, description: 'bgp only' },
          community: { type: 'string', example: '65535:65510', description: 'bgp only; several pairs separated by spaces' },
          nextHopTunnelIds: { type: 'array', items: { type: 'string' }, description: 'tunnels of this connection; default all' },
          createTime: { type: 'integer', description: 'epoch milliseconds; default now' },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/_vcoroute/health': {
      get: { security: [], summary: 'Liveness: the process answers (no store call)', responses: { '200': { description: 'alive', content: json({ type: 'object' }) } } },
    },
    '/_vcoroute/ready': {
      get: {
        security: [], summary: 'Readiness: the store answers (migrations ran before the server listened)',
        responses: { '200': { description: 'ready', content: json({ type: 'object' }) }, '503': { description: 'the store is unreachable', content: json({ type: 'object' }) } },
      },
    },
    '/_vcoroute/v1/chaos/faults': {
      get: { summary: 'Fault-injection rules (LocalStack chaos shape), with id and expiresAt', responses: { '200': { description: 'rules' } } },
      post: { summary: 'Replace all fault rules: [{service?, region?, operation?, probability?, error?: {statusCode, code}, expiresInSeconds?}]', responses: { '200': { description: 'rules' }, '400': errorResponse('invalid rule') } },
      patch: { summary: 'Add fault rules', responses: { '200': { description: 'rules' }, '400': errorResponse('invalid rule') } },
      delete: { summary: 'Remove the posted rules (no body: all)', responses: { '200': { description: 'rules' } } },
    },
    '/_vcoroute/v1/chaos/effects': {
      get: { summary: 'Latency effects', responses: { '200': { description: 'effects' } } },
      post: { summary: 'Replace all effects: {latency} (global, LocalStack shape) or [{service?, region?, operation?, probability?, latency, jitter?, expiresInSeconds?}]', responses: { '200': { description: 'effects' }, '400': errorResponse('invalid effect') } },
      patch: { summary: 'Add effects', responses: { '200': { description: 'effects' }, '400': errorResponse('invalid effect') } },
      delete: { summary: 'Remove all effects', responses: { '200': { description: 'effects' } } },
    },
    '/_vcoroute/openapi.json': { get: { security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI document' } } } },
    '/_vcoroute/v1/reset': {
      post: { summary: 'Empty all state but the root identity', responses: { '200': { description: 'reset' }, '401': errorResponse('bad token') } },
    },
    '/_vcoroute/v1/accounts': {
      post: {
        summary: 'Create another root account, isolated from all others, with a root AccessKey (the secret is shown only here)',
        responses: {
          '201': {
            description: 'created',
            content: json({
              type: 'object',
              required: ['accountId', 'accessKeyId', 'accessKeySecret'],
              properties: { accountId: { type: 'string', pattern: '^[0-9]{16}$' }, accessKeyId: { type: 'string' }, accessKeySecret: { type: 'string' } },
            }),
          },
          '401': errorResponse('bad token'),
        },
      },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}': {
      parameters: [connectionIdParam],
      put: {
        summary: 'Create or replace a VPN connection (its routes are kept)',
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/ConnectionInput' }) },
        responses: {
          '200': { description: 'replaced', content: json({ $ref: '#/components/schemas/Connection' }) },
          '201': { description: 'created', content: json({ $ref: '#/components/schemas/Connection' }) },
          '400': errorResponse('invalid payload'),
          '409': errorResponse('the ID belongs to another account'),
        },
      },
      get: { summary: 'Read a VPN connection', responses: { '200': { description: 'found', content: json({ $ref: '#/components/schemas/Connection' }) }, '404': errorResponse('unknown') } },
      delete: { summary: 'Delete a VPN connection and its routes', responses: { '200': { description: 'deleted' }, '404': errorResponse('unknown') } },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/attach': {
      parameters: [connectionIdParam],
      post: {
        summary: 'Attach to a transit router: init → attaching → attached. With a transit router created through the CEN API, creates its VPN attachment record exactly as CreateTransitRouterVpnAttachment does; any other tr- ID attaches the connection alone (no routing)',
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['transitRouterId'], properties: { transitRouterId: { type: 'string', pattern: '^tr-[0-9a-z]{1,64}$' } } }),
        },
        responses: { '200': { description: 'attaching (or attached when the change delay is 0)' }, '404': errorResponse('unknown'), '409': errorResponse('not in state init') },
      },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/detach': {
      parameters: [connectionIdParam],
      post: {
        summary: 'Detach from the transit router: attached → detaching → init; removes its VPN attachment record, associations, propagations and the static entries pointing at it (as DeleteTransitRouterVpnAttachment with Force=true)',
        responses: { '200': { description: 'detaching (or init when the change delay is 0)' }, '404': errorResponse('unknown'), '409': errorResponse('not attached') },
      },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/tunnels/{tunnelId}': {
      parameters: [connectionIdParam, { name: 'tunnelId', in: 'path', required: true, schema: { type: 'string' } }],
      put: {
        summary: 'Set a tunnel\'s negotiation status (reported while the connection is attached; default ipsec_sa_established)',
        requestBody: { required: true, content: json({ type: 'object', required: ['status'], properties: { status: { $ref: '#/components/schemas/Tunnel/properties/status' } } }) },
        responses: { '200': { description: 'set' }, '400': errorResponse('unknown status'), '404': errorResponse('unknown connection or tunnel') },
      },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/bgp': {
      parameters: [connectionIdParam],
      get: {
        summary: "The connection's BGP tunnels (whatever its state), where this server listens for each, and each session",
        description: 'mode: the server\'s --bgp setting. listen: null when this server does not listen for the tunnel (mode off, not attached, '
          + 'LocalBgpIp not on this host, port taken: bindError says why). session: this server\'s, else the one another server on the same '
          + 'database holds (holder), else Idle.',
        responses: {
          '200': {
            description: 'the view',
            content: json({
              type: 'object',
              required: ['connectionId', 'mode', 'tunnels'],
              properties: {
                connectionId: { type: 'string' },
                mode: { type: 'string', enum: ['tunnel', 'loopback', 'off'] },
                tunnels: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['tunnelId', 'tunnelIndex', 'localAsn', 'localBgpIp', 'peerBgpIp', 'peerAsn', 'tunnelCidr', 'listen', 'session'],
                    properties: {
                      tunnelId: { type: 'string', description: 'a single-tunnel connection\'s own ID' },
                      tunnelIndex: { type: 'integer' },
                      localAsn: { type: 'integer' },
                      localBgpIp: { type: 'string' },
                      peerBgpIp: { type: 'string', description: 'the other usable address of the /30; the only accepted source in tunnel mode' },
                      peerAsn: { type: 'integer', description: 'the customer gateway\'s ASN; the only one accepted in the peer\'s OPEN' },
                      tunnelCidr: { type: 'string' },
                      listen: { type: ['object', 'null'], properties: { host: { type: 'string' }, port: { type: 'integer' } } },
                      bindError: { type: 'string' },
                      session: {
                        type: 'object',
                        required: ['state', 'prefixesReceived', 'prefixesAccepted', 'prefixesAdvertised'],
                        properties: {
                          state: { type: 'string', enum: ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] },
                          peerAddress: { type: 'string' },
                          prefixesReceived: { type: 'integer', description: 'prefixes the peer announces now, refused ones included' },
                          prefixesAccepted: { type: 'integer', description: 'after import policy and the prefix limit' },
                          prefixesAdvertised: { type: 'integer', description: 'CLOUD routes sent' },
                          establishedAt: { type: 'integer', description: 'epoch milliseconds' },
                          holder: { type: 'string', description: 'the server running the session' },
                        },
                      },
                    },
                  },
                },
              },
            }),
          },
          '404': errorResponse('unknown connection'),
        },
      },
    },
    '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/routes': {
      parameters: [connectionIdParam],
      post: {
        summary: 'Upsert routes (custom: by destination, next hop and weight; bgp: by source and destination). Bgp CLOUD routes are static routes of the transit router side; the transit router\'s tables are recomputed at once',
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['routes'], properties: { routes: { type: 'array', maxItems: 200000, items: { $ref: '#/components/schemas/Route' } } } }),
        },
        responses: {
          '200': { description: 'counts', content: json({ type: 'object', properties: { inserted: { type: 'integer' }, updated: { type: 'integer' } } }) },
          '400': errorResponse('invalid payload'),
          '404': errorResponse('unknown connection'),
        },
      },
      delete: {
        summary: 'Delete the routes matching every given filter (no filter: all routes)',
        parameters: [
          { name: 'routeEntryType', in: 'query', schema: { type: 'string', enum: ['custom', 'bgp'] } },
          { name: 'routeDest', in: 'query', schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string', enum: ['VPN_BGP', 'CLOUD'] } },
        ],
        responses: { '200': { description: 'count', content: json({ type: 'object', properties: { deleted: { type: 'integer' } } }) }, '404': errorResponse('unknown connection') },
      },
    },
    '/_vcoroute/v1/route-changes': {
      get: {
        summary: 'A page of the route-change history of a connection (any account, deleted connections included): newest first, or ascending after AfterEventId',
        parameters: [...ROUTE_CHANGE_FILTERS,
          { name: 'AfterEventId', in: 'query', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
          { name: 'MaxResults', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'NextToken', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'the page; NextToken is empty on the last one',
            content: json({ type: 'object', properties: { RouteChanges: { type: 'array', items: ROUTE_CHANGE }, NextToken: { type: 'string' } } }),
          },
          '400': errorResponse('invalid parameter'),
        },
      },
    },
    '/_vcoroute/v1/route-changes/watch': {
      get: {
        summary: 'Server-Sent Events of a connection\'s route changes: `id: <EventId>`, `event: route-change`, `data: <RouteChange JSON>`; '
          + 'resumes after the Last-Event-ID header (or LastEventId) with no gap and no duplicate, else live only; `: keep-alive` every 15 s',
        parameters: [...ROUTE_CHANGE_FILTERS,
          { name: 'LastEventId', in: 'query', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string', pattern: '^\\d{1,15}$' } },
        ],
        responses: {
          '200': { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          '400': errorResponse('invalid parameter'),
          '503': errorResponse('this server holds --route-history-max-watchers streams already'),
        },
      },
    },
  },
} as const;
