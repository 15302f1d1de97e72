/**
 * Which requests may change what the speaker serves (connections, tunnels, gateways, CLOUD routes), so the
 * server can tell it at once instead of waiting for the next poll. Reads never do.
 */
import type { IncomingHttpHeaders } from 'node:http';

const VPN_WRITES = new Set([
  'CreateVpnAttachment', 'ModifyVpnAttachmentAttribute', 'DeleteVpnAttachment', 'DeleteVpnConnection', 'CreateVpnConnection',
  'ModifyVpnConnectionAttribute', 'CreateCustomerGateway', 'ModifyCustomerGatewayAttribute', 'DeleteCustomerGateway',
]);

/** The action of a POP request (V3 header, V1 query or form body) is a VPN write. */
export function isVpnWrite(req: { url: string; headers: IncomingHttpHeaders; body: Buffer }): boolean {
  const header = req.headers['x-acs-action'];
  if (typeof header === 'string') return VPN_WRITES.has(header);
  const query = req.url.indexOf('?');
  const fromQuery = query < 0 ? null : new URLSearchParams(req.url.slice(query + 1)).get('Action');
  if (fromQuery !== null) return VPN_WRITES.has(fromQuery);
  return req.body.length > 0 && req.body.length < 1 << 20 && VPN_WRITES.has(new URLSearchParams(req.body.toString('latin1')).get('Action') ?? '');
}
