/**
 * Who may open a session, checked with raw TCP clients: a second connection for a tunnel with a live session
 * gets Cease 6/5, a connection to a tunnel that is down gets Cease 6/2; with the speaker off no port is opened
 * and the admin view still describes the tunnels.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { createBgpConnection, loopbackServerEnv, REGION, waitFor } from '../helpers/bgp-scenario';
import { startTestServer, type TestServer } from '../helpers/server';
import { vpcClient } from '../helpers/vpc-client';

/** Connects and collects every message header (type, and for NOTIFICATION code/subcode) until the server closes. */
function messagesUntilClose(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no close within 10 s')));
    socket.on('close', () => {
      const out: string[] = [];
      for (let at = 0; at + 19 <= data.length;) {
        const length = data.readUInt16BE(at + 16);
        const type = data[at + 18]!;
        out.push(type === 3 ? `NOTIFICATION ${data[at + 19]}/${data[at + 20]}` : type === 1 ? 'OPEN' : `type ${type}`);
        at += length;
      }
      resolve(out);
    });
  });
}

describe('BGP session admission (loopback mode)', () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('a second connection for a live tunnel: Cease 6/5; a tunnel set down: Cease 6/2', async () => {
    const server = await startTestServer(undefined, loopbackServerEnv());
    servers.push(server);
    const conn = await createBgpConnection(vpcClient(server));
    const view = await waitFor('listeners', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels?.[1]?.listen);
    const [port1, port2] = view.body.tunnels.map((t: any) => t.listen.port as number);
    const first = net.connect({ host: '127.0.0.1', port: port1 });
    await new Promise((resolve) => first.once('data', resolve)); // our OPEN: the session runs
    try {
      assert.deepEqual(await messagesUntilClose(port1), ['OPEN', 'NOTIFICATION 6/5']);
    } finally {
      first.destroy();
    }
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/tunnels/${conn.tunnelIds[1]}`, { status: 'ike_sa_established' });
    assert.deepEqual(await messagesUntilClose(port2), ['OPEN', 'NOTIFICATION 6/2']);
  });

  test('detach: Cease 6/3 to the live session, the listener closes', async () => {
    const server = await startTestServer(undefined, loopbackServerEnv());
    servers.push(server);
    const conn = await createBgpConnection(vpcClient(server));
    const view = await waitFor('listeners', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels?.[0]?.listen);
    const port = view.body.tunnels[0].listen.port as number;
    const messages = messagesUntilClose(port);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/detach`)).status, 200);
    assert.deepEqual(await messages, ['OPEN', 'NOTIFICATION 6/3']);
    const after = await waitFor('no listener', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels[0].listen === null);
    assert.equal(after.body.tunnels[0].session.state, 'Idle');
    await assert.rejects(new Promise((resolve, reject) => net.connect({ host: '127.0.0.1', port }).on('connect', resolve).on('error', reject)), /ECONNREFUSED/);
  });

  test("a changed LocalAsn: Cease 6/6 on that tunnel only; the other tunnel's session stays", async () => {
    const server = await startTestServer(undefined, loopbackServerEnv());
    servers.push(server);
    const client = vpcClient(server);
    const conn = await createBgpConnection(client);
    const view = await waitFor('listeners', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels?.[1]?.listen);
    const [port1, port2] = view.body.tunnels.map((t: any) => t.listen.port as number);
    const other = net.connect({ host: '127.0.0.1', port: port2 });
    let otherClosed = false;
    other.on('close', () => (otherClosed = true)).on('error', () => undefined);
    const messages = messagesUntilClose(port1);
    await new Promise((r) => setTimeout(r, 200));
    await client.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: conn.connectionId,
      tunnelOptionsSpecification: [new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecification({
        tunnelId: conn.tunnelIds[0], tunnelBgpConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelBgpConfig({ localAsn: 64999 }),
      })],
    }));
    assert.deepEqual(await messages, ['OPEN', 'NOTIFICATION 6/6']);
    const after = await waitFor('rebound', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels[0].listen !== null);
    assert.equal(after.body.tunnels[0].localAsn, 64999);
    await new Promise((r) => setTimeout(r, 2500)); // a poll later, too
    assert.equal(otherClosed, false);
    other.destroy();
  });

  test('speaker off: no ports, the view lists the tunnels with listen null; unknown connection 404, other methods 405', async () => {
    const server = await startTestServer(undefined, { VCOROUTE_AUTO_ATTACH: '1', VCOROUTE_CHANGE_DELAY_MS: '0' });
    servers.push(server);
    const conn = await createBgpConnection(vpcClient(server));
    const view = await server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`);
    assert.equal(view.status, 200);
    assert.equal(view.body.mode, 'off');
    assert.deepEqual(view.body.tunnels.map((t: any) => [t.tunnelId, t.listen, t.session.state, t.peerBgpIp]), [
      [conn.tunnelIds[0], null, 'Idle', '169.254.10.2'], [conn.tunnelIds[1], null, 'Idle', '169.254.20.2'],
    ]);
    assert.equal((await server.admin('GET', '/_vcoroute/v1/vpn-connections/vco-doesnotexist/bgp')).status, 404);
    const wrong = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`, {});
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error.code, 'MethodNotAllowed');
  });
});
