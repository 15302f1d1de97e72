/**
 * Several servers on one PostgreSQL: two server processes in loopback mode (each on its own loopback
 * address, the tunnel's port shared through the store), BIRD peering with both for one tunnel. One server
 * holds the session (the other refuses with Cease); the routes it learns are listed by both; after a kill -9
 * of the holder every server stops listing what it learned within 15 s, and BIRD re-establishes through the
 * other server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';
import { hasCommand, randomHighPort, startBird, stopAllDaemons, type Bird } from '../helpers/speaker-daemons';
import { bgpFaultCount, createBgpConnection, learned, waitFor, type BgpConnection } from '../helpers/bgp-scenario';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import type { TestServer } from '../helpers/server';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';

describe('BGP speaker, two servers on one PostgreSQL', async () => {
  const skip = (await postgresSkipReason()) ?? (hasCommand('bird') ? undefined : 'bird2 is not installed');
  if (skip) {
    test('two servers', { skip }, () => undefined);
    return;
  }
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let viaA: VpcClient;
  let viaB: VpcClient;
  let conn: BgpConnection;
  let bird: Bird;
  let port: number;
  let holder: ServerProcess;
  let other: ServerProcess;
  let viaOther: VpcClient;
  let otherProtocol: string;

  before(async () => {
    db = await createTestDatabase();
    const first = 21000 + Math.floor(Math.random() * 900) * 10;
    const args = (host: string) => ['--database', db.url, '--bgp', 'loopback', '--bgp-loopback-host', host, '--bgp-loopback-ports', `${first}-${first + 9}`,
      '--auto-attach', '--change-delay-ms', '0'];
    a = await startServerProcess(args('127.0.0.1'), { VCOROUTE_LOG_LEVEL: 'info' });
    b = await startServerProcess(args('127.0.0.11'), { VCOROUTE_LOG_LEVEL: 'info' });
    viaA = vpcClient({ endpoint: a.endpoint } as TestServer);
    viaB = vpcClient({ endpoint: b.endpoint } as TestServer);
  });
  after(async () => {
    if (process.env.VCOROUTE_TEST_SHOW_LOGS) process.stderr.write(`${a?.stderr()}\n----\n${b?.stderr()}\n`);
    await stopAllDaemons();
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  test('one server holds the session; both list what it learned', async () => {
    conn = await createBgpConnection(viaA);
    const views = await Promise.all([a, b].map((s) => waitFor('listener', () => s.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
      (r) => r.body.tunnels?.[0]?.listen !== null, 10_000)));
    port = views[0]!.body.tunnels[0].listen.port;
    assert.deepEqual(views.map((v) => v.body.tunnels[0].listen), [{ host: '127.0.0.1', port }, { host: '127.0.0.11', port }], 'one port per tunnel for every server');
    bird = await startBird(`router id 10.255.0.2;
protocol device { }
protocol static onprem_routes { ipv4; route 10.10.1.0/24 blackhole; route 10.10.2.0/24 blackhole; }
template bgp tun { local as 65001; multihop; connect delay time 1; connect retry time 1; error wait time 1, 2; hold time 90;
  ipv4 { import all; export where proto = "onprem_routes"; }; }
protocol bgp via_a from tun { local 127.0.0.2 port ${randomHighPort()} as 65001; neighbor 127.0.0.1 port ${port} as 45104; }
protocol bgp via_b from tun { local 127.0.0.3 port ${randomHighPort()} as 65001; neighbor 127.0.0.11 port ${port} as 45104; }
`);
    const rows = await waitFor('learned, listed through the other server', () => learned(viaB, conn.connectionId), (r) => r.length === 2, 20_000, 250);
    assert.deepEqual(rows.map((r) => [r.routeDest, r.asPath, r.nextHopTunnelIds]), [
      ['10.10.1.0/24', '[65001]', [conn.tunnelIds[0]]], ['10.10.2.0/24', '[65001]', [conn.tunnelIds[0]]],
    ]);
    assert.deepEqual(await learned(viaA, conn.connectionId), rows);
    // Whichever server BIRD reached first holds the session; the other refuses (Cease 6/8, "Out of Resources").
    const protocols = await bird.birdc('show', 'protocols');
    const viaAUp = /via_a\s+BGP\s+---\s+up\s+\S+\s+Established/.test(protocols);
    const viaBUp = /via_b\s+BGP\s+---\s+up\s+\S+\s+Established/.test(protocols);
    assert.equal(viaAUp !== viaBUp, true, `exactly one session up:\n${protocols}`);
    [holder, other, viaOther, otherProtocol] = viaAUp ? [a, b, viaB, 'via_b'] : [b, a, viaA, 'via_a'];
    const holders = await Promise.all([a, b].map(async (s) => (await s.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`)).body.tunnels[0].session));
    assert.equal(holders[0].state, 'Established');
    assert.equal(holders[1].state, 'Established', 'B shows the session A holds');
    assert.equal(holders[0].holder, holders[1].holder);
  });

  test('a BGP fault rule posted through the other server is applied by the holder within the refresh interval, logged and counted there', async () => {
    const holderProtocol = otherProtocol === 'via_a' ? 'via_b' : 'via_a';
    const posted = await other.admin('POST', '/_vcoroute/v1/chaos/bgp', [{ action: 'flap', vpnConnectionId: conn.connectionId, count: 1, intervalSeconds: 60, expiresInSeconds: 30 }]);
    assert.equal(posted.status, 200);
    const t0 = Date.now();
    const logged = await waitFor('the holder logged the fault', async () => holder.stderr(), (s) => s.includes('BGP fault injected: flap'), 5000, 50);
    assert.ok(Date.now() - t0 <= 2500, `applied within the 1 s refresh (+ polling slack): ${Date.now() - t0} ms`);
    const line = JSON.parse(logged.split('\n').find((l) => l.includes('BGP fault injected: flap'))!);
    assert.deepEqual([line.fault, line.ruleId, line.connectionId, line.tunnelId], ['flap', posted.body[0].id, conn.connectionId, conn.tunnelIds[0]]);
    assert.ok(!other.stderr().includes('BGP fault injected: flap'), 'the server without the session injects nothing');
    assert.equal(await bgpFaultCount(holder.baseUrl, 'flap'), 1);
    assert.equal(await bgpFaultCount(other.baseUrl, 'flap'), 0);
    await waitFor('BIRD saw the reset', () => bird.birdc('show', 'protocols', 'all', holderProtocol), (o) => /Received: Administrative reset/.test(o), 5000);
    await waitFor('relearned', () => learned(viaOther, conn.connectionId), (r) => r.length === 2, 20_000, 250);
    // BIRD reconnects to whichever server answers first: find the holder again.
    const protocols = await waitFor('one session up', () => bird.birdc('show', 'protocols'), (o) => (o.match(/Established/g) ?? []).length === 1, 20_000);
    const viaAUp = /via_a\s+BGP\s+---\s+up\s+\S+\s+Established/.test(protocols);
    [holder, other, viaOther, otherProtocol] = viaAUp ? [a, b, viaB, 'via_b'] : [b, a, viaA, 'via_a'];
  });

  test('kill -9 of the holder: its routes leave every listing within 15 s; BIRD re-establishes through the other server', async () => {
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    const after = await waitFor('no route learned by the killed server', () => learned(viaOther, conn.connectionId),
      (r) => r.every((x) => x.createTime > killedAt), 15_000, 250);
    assert.ok(Date.now() - killedAt <= 15_500);
    assert.ok(after.every((x) => x.createTime > killedAt));
    const relearned = await waitFor('re-established through the other server', () => learned(viaOther, conn.connectionId), (r) => r.length === 2, 20_000, 250);
    assert.ok(relearned.every((x) => x.createTime > killedAt));
    await waitFor('BIRD established with the other server', () => bird.birdc('show', 'protocols'),
      (o) => new RegExp(`${otherProtocol}\\s+BGP\\s+---\\s+up\\s+\\S+\\s+Established`).test(o), 5000);
    const view = await other.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`);
    assert.equal(view.body.tunnels[0].session.state, 'Established');
  });
});
