/**
 * BGP learning at scale (issue 9, "Performance"): a real BIRD peer announces N prefixes (default 1,000,000; the
 * prefix limit raised) over one tunnel of a loopback-mode vcoroute server process, with a 9 s hold time.
 * Measured, all in this one run:
 *   - seconds from the first prefix received to all N listable through DescribeVcoRouteEntries (VpnRouteCounts);
 *   - the server's RSS growth per learned route;
 *   - whether the session stayed Established throughout (no hold-timer expiry);
 *   - DescribeVcoRouteEntries p99 on another connection during the load, against its idle p99.
 *
 *   node --import tsx bench/bgp-learn.ts [--prefixes 1000000] [--out bench/results/bgp-learn.json]
 * The server runs on SQLite, or on PostgreSQL when VCOROUTE_DATABASE_URL is set; VCOROUTE_ROUTE_HISTORY=off turns
 * recording off (bench/route-history.ts compares the two).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';

const { values } = parseArgs({ options: { prefixes: { type: 'string', default: '1000000' }, out: { type: 'string' } } });
const N = Number(values.prefixes);
const ROOT = path.resolve(__dirname, '..');
const TOKEN = 'bench-admin-token';
const REGION = 'cn-hangzhou';
const log = (line: string) => process.stderr.write(`[bgp-learn] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-bgp-bench-'));
  const port = await freePort();
  const first = 30000 + Math.floor(Math.random() * 500) * 10;
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), '--data', dir], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, VCOROUTE_BGP: 'loopback', VCOROUTE_BGP_LOOPBACK_PORTS: `${first}-${first + 9}`, VCOROUTE_BGP_MAX_PREFIXES: String(N + 10),
      VCOROUTE_AUTO_ATTACH: '1', VCOROUTE_CHANGE_DELAY_MS: '0', VCOROUTE_ADMIN_TOKEN: TOKEN, VCOROUTE_LOG_LEVEL: 'warn' },
  });
  const base = `http://127.0.0.1:${port}`;
  const admin = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as any;
  };
  let bird: string | undefined;
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`${base}/_vcoroute/health`);
        break;
      } catch {
        if (i > 300) throw new Error('vcoroute did not start');
        await sleep(100);
      }
    }
    const vpc = new (Vpc as any)({ accessKeyId: 'LTAIvcorouteDevKeyId0001', accessKeySecret: 'vcorouteDevKeySecret0000000001', endpoint: `127.0.0.1:${port}`, protocol: 'http', regionId: REGION, readTimeout: 120_000 }) as Vpc;
    const gw = await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.10', asn: '65001' }));
    const tunnel = (i: number) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({ customerGatewayId: gw.body!.customerGatewayId!, tunnelIndex: i,
      tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.${i}0.0/30` }) });
    const conn = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({ regionId: REGION, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0',
      enableTunnelsBgp: true, tunnelOptionsSpecification: [tunnel(1), tunnel(2)] }))).body!.vpnConnectionId!;
    // the other connection, read during the load
    await admin('PUT', '/_vcoroute/v1/vpn-connections/vco-benchother', { regionId: REGION, state: 'attached', transitRouterId: 'tr-bench' });
    await admin('POST', '/_vcoroute/v1/vpn-connections/vco-benchother/routes', { routes: Array.from({ length: 200 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `10.${i}.0.0/16` })) });
    const probe = async () => {
      const t = performance.now();
      await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: 'vco-benchother', pageSize: 50 }));
      return performance.now() - t;
    };
    for (let i = 0; i < 50; i++) await probe(); // warm-up
    const idle: number[] = [];
    for (let i = 0; i < 300; i++) idle.push(await probe());

    let view = await admin('GET', `/_vcoroute/v1/vpn-connections/${conn}/bgp`);
    for (let i = 0; !view.tunnels?.[0]?.listen && i < 100; i++) {
      await sleep(100);
      view = await admin('GET', `/_vcoroute/v1/vpn-connections/${conn}/bgp`);
    }
    const speakerPort = view.tunnels[0].listen.port as number;

    bird = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-bgp-bench-bird-'));
    const routes: string[] = [];
    for (let i = 0; i < N; i++) routes.push(`  route ${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24 blackhole;`);
    fs.writeFileSync(path.join(bird, 'bird.conf'), `router id 10.255.0.2;
protocol device { }
protocol static dc {
  ipv4;
${routes.join('\n')}
}
protocol bgp tunnel1 {
  local 127.0.0.2 port ${await freePort()} as 65001; neighbor 127.0.0.1 port ${speakerPort} as 45104;
  multihop; connect delay time 1; hold time 9;
  ipv4 { import none; export where proto = "dc"; };
}
`);
    const rssBefore = rssBytes(server.pid!);
    log(`BIRD loading ${N.toLocaleString('en')} prefixes …`);
    execFileSync('bird', ['-c', path.join(bird, 'bird.conf'), '-s', path.join(bird, 'bird.ctl'), '-P', path.join(bird, 'bird.pid')]);

    const during: number[] = [];
    let established = false;
    let dropped = false;
    let tFirst = 0;
    let tReceived = 0;
    let tListed = 0;
    const deadline = Date.now() + 600_000;
    while (!tListed && Date.now() < deadline) {
      const v = await admin('GET', `/_vcoroute/v1/vpn-connections/${conn}/bgp`);
      const s = v.tunnels[0].session;
      if (s.state === 'Established') established = true;
      else if (established) dropped = true;
      if (!tFirst && s.prefixesReceived > 0) tFirst = performance.now();
      if (!tReceived && s.prefixesReceived >= N) tReceived = performance.now();
      if (tFirst) {
        during.push(await probe());
        const listed = await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: conn, routeEntryType: 'bgp', pageSize: 1 }));
        const count = listed.body!.vpnRouteCounts?.find((c) => c.source === 'VPN_BGP')?.routeCount ?? 0;
        if (count >= N) tListed = performance.now();
      } else {
        await sleep(50);
      }
    }
    if (!tListed) throw new Error('not all prefixes were listed within 10 minutes');
    const rssAfter = rssBytes(server.pid!);
    const result = {
      prefixes: N,
      receiveSeconds: (tReceived - tFirst) / 1000,
      listedAfterLastReceivedSeconds: (tListed - tReceived) / 1000,
      firstToListedSeconds: (tListed - tFirst) / 1000,
      rssGrowthBytesPerRoute: (rssAfter - rssBefore) / N,
      sessionDropped: dropped,
      idleP99Ms: percentile(idle, 99), duringP99Ms: percentile(during, 99), p99Ratio: percentile(during, 99) / percentile(idle, 99),
      duringSamples: during.length,
    };
    const out = values.out ?? path.join(ROOT, 'bench', 'results', 'bgp-learn.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2));
    process.stdout.write(`| prefixes | first→all received, s | last received→all listed, s | first→listed, s | RSS growth, B/route | session dropped | p99 other conn. idle / during, ms (ratio) |
|---|---|---|---|---|---|---|
| ${N.toLocaleString('en')} | ${result.receiveSeconds.toFixed(1)} | ${result.listedAfterLastReceivedSeconds.toFixed(1)} | ${result.firstToListedSeconds.toFixed(1)} | ${result.rssGrowthBytesPerRoute.toFixed(0)} | ${dropped ? 'yes' : 'no'} | ${result.idleP99Ms.toFixed(1)} / ${result.duringP99Ms.toFixed(1)} (${result.p99Ratio.toFixed(2)}) |
`);
  } finally {
    if (bird && fs.existsSync(path.join(bird, 'bird.pid'))) {
      try {
        process.kill(Number(fs.readFileSync(path.join(bird, 'bird.pid'), 'utf8')), 'SIGTERM');
      } catch { /* already gone */ }
    }
    server.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
