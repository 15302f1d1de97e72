/**
 * CreateVpnAttachment: an IPsec connection meant for a transit router — dual-tunnel with
 * TunnelOptionsSpecification.N.* (sent in a form body by the SDK), or single-tunnel with CustomerGatewayId
 * and JSON-string configs. Created attached to nothing (`init`), unless the server auto-attaches.
 */
import { E, PopError, illegalParam, missingParameter } from '../../pop/errors';
import {
  DEFAULT_LOCAL_ASN, DEFAULT_RESOURCE_GROUP, NETWORK_TYPES, TUNNEL_BANDWIDTHS, attachTransition, defaultSingleIke, defaultSingleIpsec,
  defaultTunnelIke, defaultTunnelIpsec, newResourceId,
} from '../../domain/vpn';
import { PHASE2_UP } from '../../domain/routes';
import { StoreConflictError } from '../../store/store';
import type { ConnectionAttributes, ConnectionRecord, CustomerGatewayRecord, IkeConfig, IpsecConfig, Tag, TunnelBgpConfig, TunnelRecord } from '../../store/store';
import type { Params } from '../../pop/signature';
import { defineOperation } from '../product';
import { optionalString, regionIdParam } from '../params';
import { completeTunnelBgp, parseIke, parseIpsec, parseTunnelBgp } from './tunnel-config';
import { boolValue, booleanParam, enumParam, flattenedList, intValue, isDryRun, jsonObjectParam, nameValue, subnetListParam, tagsParam } from './vpc-params';
import { findCustomerGateway } from './connection-access';
import { recordAutoAttachment } from '../../routing';
import { VPC, vpnConnectionArn } from './product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';

/** What a request says about one tunnel (given fields only), before defaults and gateway lookups. */
export interface TunnelSpec {
  tunnelIndex?: number;
  tunnelId?: string;
  customerGatewayId?: string;
  enableDpd?: boolean;
  enableNatTraversal?: boolean;
  ike: Partial<IkeConfig>;
  ipsec: Partial<IpsecConfig>;
  bgp: Partial<TunnelBgpConfig>;
}

function subFields(item: Record<string, string>, prefix: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>; // keys are the client's (see flattenedList)
  for (const [k, v] of Object.entries(item)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

export function parseTunnelSpecs(params: Params): TunnelSpec[] {
  return [...flattenedList(params, 'TunnelOptionsSpecification', 2).values()].map((item) => ({
    tunnelIndex: intValue('TunnelIndex', item.TunnelIndex, 1, 2),
    tunnelId: item.TunnelId === '' ? undefined : item.TunnelId,
    customerGatewayId: item.CustomerGatewayId === '' ? undefined : item.CustomerGatewayId,
    enableDpd: item.EnableDpd === undefined ? undefined : boolValue('EnableDpd', item.EnableDpd, true),
    enableNatTraversal: item.EnableNatTraversal === undefined ? undefined : boolValue('EnableNatTraversal', item.EnableNatTraversal, true),
    ike: parseIke(subFields(item, 'TunnelIkeConfig')),
    ipsec: parseIpsec(subFields(item, 'TunnelIpsecConfig')),
    bgp: parseTunnelBgp(subFields(item, 'TunnelBgpConfig')),
  }));
}

/** Two tunnels may not share a BGP CIDR block. */
export function checkDistinctTunnelCidrs(tunnels: readonly { options: { bgp: TunnelBgpConfig } }[]): void {
  const cidrs = tunnels.map((t) => t.options.bgp.tunnelCidr).filter((c) => c !== '');
  if (new Set(cidrs).size !== cidrs.length) throw illegalParam('TunnelCidr', 'The two tunnels must use different TunnelCidr blocks.');
}

interface SingleTunnelInput {
  customerGatewayId: string;
  enableDpd: boolean;
  enableNatTraversal: boolean;
  remoteCaCert: string;
  ike: Partial<IkeConfig>;
  ipsec: Partial<IpsecConfig>;
  bgp: Partial<TunnelBgpConfig> & { enableBgp: boolean };
  healthCheck: NonNullable<ConnectionAttributes['single']>['healthCheck'];
}

interface CreateInput {
  regionId: string;
  attributes: Omit<ConnectionAttributes, 'single' | 'internetIp'>;
  tunnels: TunnelSpec[];
  single: SingleTunnelInput | null;
  dryRun: boolean;
}

export function parseHealthCheck(params: Params): SingleTunnelInput['healthCheck'] {
  const h = jsonObjectParam(params, 'HealthCheckConfig') ?? {};
  return {
    enable: boolValue('HealthCheckConfig.enable', h.enable, false),
    dip: h.dip ?? '',
    sip: h.sip ?? '',
    interval: intValue('HealthCheckConfig.interval', h.interval, 1, 60) ?? 3,
    retry: intValue('HealthCheckConfig.retry', h.retry, 1, 100) ?? 3,
    policy: h.Policy === undefined ? 'revoke_route' : enumParamValue('HealthCheckConfig.Policy', h.Policy, ['revoke_route', 'reserve_route']),
  };
}

function enumParamValue(name: string, value: string, values: string[]): string {
  return enumParam({ [name]: value }, name, values, values[0]!);
}

export function parseSingleBgp(params: Params): SingleTunnelInput['bgp'] {
  const b = jsonObjectParam(params, 'BgpConfig') ?? {};
  return { enableBgp: boolValue('BgpConfig.EnableBgp', b.EnableBgp, false), ...parseTunnelBgp(b) };
}

function parseSingle(params: Params): SingleTunnelInput {
  const customerGatewayId = optionalString(params, 'CustomerGatewayId');
  if (!customerGatewayId) throw missingParameter('CustomerGatewayId');
  return {
    customerGatewayId,
    enableDpd: booleanParam(params, 'EnableDpd', true),
    enableNatTraversal: booleanParam(params, 'EnableNatTraversal', true),
    remoteCaCert: optionalString(params, 'RemoteCaCert') ?? '',
    ike: parseIke(jsonObjectParam(params, 'IkeConfig') ?? {}),
    ipsec: parseIpsec(jsonObjectParam(params, 'IpsecConfig') ?? {}),
    bgp: parseSingleBgp(params),
    healthCheck: parseHealthCheck(params),
  };
}

function parseDualTunnels(tunnels: TunnelSpec[]): TunnelSpec[] {
  if (tunnels.length !== 2) {
    throw illegalParam('TunnelOptionsSpecification', 'A dual-tunnel connection needs exactly two tunnels (TunnelOptionsSpecification.1 and .2).');
  }
  tunnels.forEach((t, i) => {
    if (!t.customerGatewayId) throw missingParameter(`TunnelOptionsSpecification.${i + 1}.CustomerGatewayId`);
    if (t.tunnelIndex === undefined) throw missingParameter(`TunnelOptionsSpecification.${i + 1}.TunnelIndex`);
  });
  if (tunnels[0]!.tunnelIndex === tunnels[1]!.tunnelIndex) throw illegalParam('TunnelIndex', 'The two tunnels must have TunnelIndex 1 and 2.');
  return [...tunnels].sort((a, b) => a.tunnelIndex! - b.tunnelIndex!);
}

function buildTunnel(spec: TunnelSpec, gateway: CustomerGatewayRecord): TunnelRecord {
  const index = spec.tunnelIndex!;
  return {
    tunnelId: newResourceId('tun'),
    tunnelIndex: index,
    status: PHASE2_UP,
    customerGatewayId: gateway.customerGatewayId,
    options: {
      enableDpd: spec.enableDpd ?? true,
      enableNatTraversal: spec.enableNatTraversal ?? true,
      role: index === 1 ? 'master' : 'slave',
      internetIp: '',
      zoneNo: '',
      ike: { ...defaultTunnelIke(gateway.ipAddress, ''), ...spec.ike },
      ipsec: { ...defaultTunnelIpsec(), ...spec.ipsec },
      bgp: completeTunnelBgp({ localAsn: DEFAULT_LOCAL_ASN, tunnelCidr: '', localBgpIp: '', ...spec.bgp }),
    },
  };
}

function requireAsnForBgp(gateway: CustomerGatewayRecord): void {
  if (gateway.asn === null) throw illegalParam('CustomerGatewayId', `BGP needs a customer gateway with an ASN; ${gateway.customerGatewayId} has none.`);
}

export const createVpnAttachment = defineOperation<CreateInput>({
  product: VPC,
  action: 'CreateVpnAttachment',
  ramAction: 'vpc:CreateVpnAttachment',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, '*'),
  clientToken: true,
  parse(params) {
    const regionId = regionIdParam(params);
    const localSubnet = subnetListParam(params, 'LocalSubnet');
    const remoteSubnet = subnetListParam(params, 'RemoteSubnet');
    const specs = parseTunnelSpecs(params);
    const tags: Tag[] = tagsParam(params);
    return {
      regionId,
      attributes: {
        name: nameValue('Name', params.Name) ?? '',
        description: '',
        localSubnet,
        remoteSubnet,
        networkType: enumParam(params, 'NetworkType', NETWORK_TYPES, 'public'),
        effectImmediately: booleanParam(params, 'EffectImmediately', false),
        autoConfigRoute: booleanParam(params, 'AutoConfigRoute', true),
        enableTunnelsBgp: booleanParam(params, 'EnableTunnelsBgp', false),
        tunnelBandwidth: enumParam(params, 'TunnelBandwidth', TUNNEL_BANDWIDTHS, 'Standard'),
        resourceGroupId: optionalString(params, 'ResourceGroupId') ?? DEFAULT_RESOURCE_GROUP,
        tags,
      },
      tunnels: specs.length > 0 ? parseDualTunnels(specs) : [],
      single: specs.length > 0 ? null : parseSingle(params),
      dryRun: isDryRun(params),
    };
  },
  async run(input, ctx) {
    const { store, principal, now, settings } = ctx;
    const account = principal.accountId;
    const tunnels: TunnelRecord[] = [];
    let single: ConnectionAttributes['single'];
    let customerGatewayId: string | null = null;
    if (input.single) {
      const s = input.single;
      const gateway = await findCustomerGateway(store, account, input.regionId, s.customerGatewayId);
      if (s.bgp.enableBgp) requireAsnForBgp(gateway);
      customerGatewayId = gateway.customerGatewayId;
      const { enableBgp, ...bgp } = s.bgp;
      single = {
        enableDpd: s.enableDpd,
        enableNatTraversal: s.enableNatTraversal,
        remoteCaCert: s.remoteCaCert,
        ike: { ...defaultSingleIke(gateway.ipAddress), ...s.ike },
        ipsec: { ...defaultSingleIpsec(), ...s.ipsec },
        bgp: { enableBgp, ...completeTunnelBgp({ localAsn: DEFAULT_LOCAL_ASN, tunnelCidr: '', localBgpIp: '', ...bgp }) },
        healthCheck: s.healthCheck,
      };
    } else {
      for (const spec of input.tunnels) {
        const gateway = await findCustomerGateway(store, account, input.regionId, spec.customerGatewayId!);
        if (input.attributes.enableTunnelsBgp) requireAsnForBgp(gateway);
        tunnels.push(buildTunnel(spec, gateway));
      }
      checkDistinctTunnelCidrs(tunnels);
    }
    if (input.dryRun) throw new PopError(E.DryRunOperation);

    const autoAttach = settings.autoAttachTransitRouterId;
    const transition = autoAttach ? attachTransition(autoAttach, now, settings.changeDelayMs) : null;
    const connection: ConnectionRecord = {
      connectionId: newResourceId('vco'),
      accountId: account,
      regionId: input.regionId,
      state: transition ? transition.state : 'init',
      pendingState: transition ? transition.pendingState : null,
      pendingUntil: transition ? transition.pendingUntil : null,
      transitRouterId: autoAttach,
      customerGatewayId,
      createTime: now,
      tunnels,
      attributes: { ...input.attributes, internetIp: '', single },
    };
    const body = {
      VpnConnectionId: connection.connectionId,
      Name: connection.attributes.name,
      CreateTime: connection.createTime,
      Code: '200',
      Message: 'successful',
      Success: true,
    };
    // Counted and inserted under the (account, region) lock: concurrent creates never overshoot, across servers.
    const limit = quotasOf(settings).vpnConnectionsPerRegion;
    try {
      if ((await store.putConnection(connection, ctx.clientToken?.completion(body), limit)) === 'limit') {
        throw quotaExceeded(E.VpnConnectionQuotaExceeded, limit);
      }
    } catch (err) {
      // A customer gateway deleted between the lookup above and this write (the only conflict a new ID can meet).
      if (err instanceof StoreConflictError) throw new PopError(E.CustomerGatewayNotFound);
      throw err;
    }
    await recordAutoAttachment(store, connection, now, settings.changeDelayMs);
    return body;
  },
});
