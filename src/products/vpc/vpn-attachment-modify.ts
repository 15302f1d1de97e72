/**
 * ModifyVpnAttachmentAttribute. Dual-tunnel connections may change only Name, LocalSubnet, RemoteSubnet,
 * EffectImmediately, EnableTunnelsBgp and TunnelOptionsSpecification; single-tunnel ones also their
 * JSON-string configs, DPD and NAT traversal. An attached connection goes `updating`; a change while
 * another is in progress is VpnConnection.Configuring.
 */
import { E, PopError, illegalParam } from '../../pop/errors';
import { effectiveState, isChanging } from '../../domain/vpn';
import type { ConnectionRecord, TunnelBgpConfig, TunnelRecord } from '../../store/store';
import type { Params } from '../../pop/signature';
import { defineOperation } from '../product';
import { optionalString, regionIdParam, requiredString } from '../params';
import { beginAttachedChange, findConnection, gatewayAsns, lostWrite } from './connection-access';
import { completeTunnelBgp, parseIke, parseIpsec } from './tunnel-config';
import { booleanParam, jsonObjectParam, nameValue, subnetListParam } from './vpc-params';
import { checkDistinctTunnelCidrs, parseHealthCheck, parseSingleBgp, parseTunnelSpecs, type TunnelSpec } from './vpn-attachment-create';
import { modifyConnectionView } from './vpn-connection-views';
import { VPC, vpnConnectionArn } from './product';
import { propagateFromConnection } from '../../routing';

/** Parameters a dual-tunnel connection may not change (the documented list is what it may change). */
const SINGLE_TUNNEL_ONLY = ['NetworkType', 'CustomerGatewayId', 'AutoConfigRoute', 'RemoteCaCert', 'IkeConfig', 'IpsecConfig', 'BgpConfig', 'HealthCheckConfig', 'EnableDpd', 'EnableNatTraversal'];

interface ModifyInput {
  regionId: string;
  vpnConnectionId: string;
  params: Params;
  name?: string;
  description?: string;
  localSubnet?: string;
  remoteSubnet?: string;
  effectImmediately?: boolean;
  enableTunnelsBgp?: boolean;
  tunnels: TunnelSpec[];
}

const optionalSubnets = (params: Params, name: string) => (optionalString(params, name) === undefined ? undefined : subnetListParam(params, name));
const optionalBoolean = (params: Params, name: string) => (optionalString(params, name) === undefined ? undefined : booleanParam(params, name, false));

/** A BGP change over the current settings; a new TunnelCidr without a LocalBgpIp takes the CIDR's default address. */
function mergeTunnelBgp<T extends TunnelBgpConfig>(current: T, change: Partial<TunnelBgpConfig>): T {
  const reset = change.tunnelCidr !== undefined && change.localBgpIp === undefined ? { localBgpIp: '' } : {};
  return { ...current, ...completeTunnelBgp({ ...current, ...change, ...reset }) };
}

function applyTunnelSpec(tunnel: TunnelRecord, spec: TunnelSpec, bgpEnabled: boolean): TunnelRecord {
  if (Object.keys(spec.bgp).length > 0 && !bgpEnabled) {
    throw illegalParam('TunnelBgpConfig', 'TunnelBgpConfig can be set only when EnableTunnelsBgp is true.');
  }
  if (spec.customerGatewayId !== undefined && spec.customerGatewayId !== tunnel.customerGatewayId) {
    throw illegalParam('CustomerGatewayId', 'The customer gateway of a tunnel cannot be changed.');
  }
  const o = tunnel.options;
  return {
    ...tunnel,
    options: {
      ...o,
      enableDpd: spec.enableDpd ?? o.enableDpd,
      enableNatTraversal: spec.enableNatTraversal ?? o.enableNatTraversal,
      ike: { ...o.ike, ...spec.ike },
      ipsec: { ...o.ipsec, ...spec.ipsec },
      bgp: mergeTunnelBgp(o.bgp, spec.bgp),
    },
  };
}

function applyChanges(c: ConnectionRecord, input: ModifyInput): ConnectionRecord {
  const a = c.attributes;
  const enableTunnelsBgp = input.enableTunnelsBgp ?? a.enableTunnelsBgp;
  const next: ConnectionRecord = {
    ...c,
    attributes: {
      ...a,
      name: input.name ?? a.name,
      description: input.description ?? a.description,
      localSubnet: input.localSubnet ?? a.localSubnet,
      remoteSubnet: input.remoteSubnet ?? a.remoteSubnet,
      effectImmediately: input.effectImmediately ?? a.effectImmediately,
      enableTunnelsBgp,
    },
  };
  if (c.tunnels.length === 2) {
    const given = SINGLE_TUNNEL_ONLY.filter((p) => optionalString(input.params, p) !== undefined);
    if (given.length > 0) throw illegalParam(given[0]!, `${given[0]} cannot be changed on a dual-tunnel connection.`);
    next.tunnels = c.tunnels.map((t) => {
      const spec = input.tunnels.find((s) => (s.tunnelId !== undefined ? s.tunnelId === t.tunnelId : s.tunnelIndex === t.tunnelIndex));
      return spec ? applyTunnelSpec(t, spec, enableTunnelsBgp) : t;
    });
    for (const spec of input.tunnels) {
      if (!c.tunnels.some((t) => (spec.tunnelId !== undefined ? spec.tunnelId === t.tunnelId : spec.tunnelIndex === t.tunnelIndex))) {
        throw illegalParam('TunnelId', `The tunnel ${spec.tunnelId ?? `with TunnelIndex ${spec.tunnelIndex}`} does not belong to ${c.connectionId}.`);
      }
    }
    checkDistinctTunnelCidrs(next.tunnels);
  } else {
    if (input.tunnels.length > 0) throw illegalParam('TunnelOptionsSpecification', 'A single-tunnel connection has no TunnelOptionsSpecification.');
    const s = a.single;
    if (s) {
      const p = input.params;
      const bgpFields = jsonObjectParam(p, 'BgpConfig');
      const bgp = bgpFields ? parseSingleBgp(p) : undefined;
      next.attributes.single = {
        ...s,
        enableDpd: optionalBoolean(p, 'EnableDpd') ?? s.enableDpd,
        enableNatTraversal: optionalBoolean(p, 'EnableNatTraversal') ?? s.enableNatTraversal,
        remoteCaCert: optionalString(p, 'RemoteCaCert') ?? s.remoteCaCert,
        ike: { ...s.ike, ...parseIke(jsonObjectParam(p, 'IkeConfig') ?? {}) },
        ipsec: { ...s.ipsec, ...parseIpsec(jsonObjectParam(p, 'IpsecConfig') ?? {}) },
        bgp: bgp ? { ...mergeTunnelBgp(s.bgp, bgp), enableBgp: bgpFields!.EnableBgp === undefined ? s.bgp.enableBgp : bgp.enableBgp } : s.bgp,
        healthCheck: jsonObjectParam(p, 'HealthCheckConfig') ? parseHealthCheck(p) : s.healthCheck,
      };
    }
  }
  return next;
}

export const modifyVpnAttachmentAttribute = defineOperation<ModifyInput>({
  product: VPC,
  action: 'ModifyVpnAttachmentAttribute',
  ramAction: 'vpc:ModifyVpnAttachmentAttribute',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: true,
  parse: (params) => ({
    regionId: regionIdParam(params),
    vpnConnectionId: requiredString(params, 'VpnConnectionId'),
    params,
    name: nameValue('Name', params.Name),
    description: nameValue('Description', params.Description),
    localSubnet: optionalSubnets(params, 'LocalSubnet'),
    remoteSubnet: optionalSubnets(params, 'RemoteSubnet'),
    effectImmediately: optionalBoolean(params, 'EffectImmediately'),
    enableTunnelsBgp: optionalBoolean(params, 'EnableTunnelsBgp'),
    tunnels: parseTunnelSpecs(params),
  }),
  async run(input, ctx) {
    const { store, principal, now } = ctx;
    const c = await findConnection(store, principal.accountId, input.regionId, input.vpnConnectionId);
    if (isChanging(c, now)) throw new PopError(E.VpnConnectionConfiguring);
    const next = applyChanges(c, input);
    // Read-modify-write made conditional on the revision read: a concurrent change, detach or delete wins
    // over this one instead of being overwritten. The transition itself moves the revision on by one.
    let expectedRevision = c.revision ?? 0;
    if (effectiveState(c, now) === 'attached') {
      Object.assign(next, await beginAttachedChange(ctx, c));
      expectedRevision += 1;
    }
    const body = modifyConnectionView(next, now, await gatewayAsns(store, next));
    if (!(await store.updateConnection(next, expectedRevision, ctx.clientToken?.completion(body)))) throw await lostWrite(store, c);
    await propagateFromConnection(store, c.connectionId, ctx.now, 'all'); // EnableTunnelsBgp and LocalAsn decide its CLOUD routes
    return body;
  },
});
