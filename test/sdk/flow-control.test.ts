/**
 * API flow control through the official VPC SDK: Throttling.User (400) with x-acs-retry-after in milliseconds
 * once a (region, API, account) quota is used up; the SDK's retry options recover; RAM users share their
 * account's quota; several servers on one PostgreSQL enforce one quota together.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { RetryCondition, RetryOptions } from '@darabonba/typescript';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';
import { v1Get } from '../helpers/http';
import { ROOT, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { vpcClient } from '../helpers/vpc-client';
import { outcome, ramClient, userWithKey, vpcClientFor } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const CONN = 'vco-throttle01';

function quotaFile(doc: unknown): string {
  const file = path.join(tempDataDir(), 'quotas.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const describeRequest = (regionId = REGION) =>
  new $Vpc.DescribeVcoRouteEntriesRequest({ regionId, vpnConnectionId: CONN, routeEntryType: 'custom' });


/** Waits for the start of the next quota window, so a test's calls all fall in one that nothing used before. */
async function atWindowStart(windowMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 5));
}

describe('flow control (quota file: DescribeVcoRouteEntries 3 per 2 s)', () => {
  let server: TestServer;
  before(async () => {
    const file = quotaFile({ profile: 'none', limits: { DescribeVcoRouteEntries: 3, DeleteCustomerGateway: 0 }, windowSeconds: 2 });
    server = await startTestServer(undefined, { VCOROUTE_THROTTLE: file });
    assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-t1' })).status, 201);
  });
  after(() => server?.close());

  test('over the quota: 400 Throttling.User with x-acs-retry-after (ms) and the documented message; other regions and APIs unaffected', async () => {
    const throttledCount = async () => {
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      return Number(/^vcoroute_throttled_requests_total\{product="Vpc",action="DescribeVcoRouteEntries"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
    };
    const throttledBefore = await throttledCount();
    await atWindowStart(2000);
    const vpc = vpcClient(server);
    for (let i = 0; i < 3; i++) assert.equal(await outcome(vpc.describeVcoRouteEntries(describeRequest())), 'ok');
    let err: any;
    try {
      await vpc.describeVcoRouteEntries(describeRequest());
    } catch (e) {
      err = e;
    }
    assert.equal(err?.name, 'ThrottlingError', 'the SDK classifies it as throttling');
    assert.equal(err.code, 'Throttling.User');
    assert.equal(err.statusCode, 400);
    assert.match(err.message, /Request was denied due to user flow control\./);
    assert.ok(err.retryAfter > 0 && err.retryAfter <= 2000, `retryAfter ${err.retryAfter} ms`);
    // the header itself, on a raw V1 request
    const raw = await v1Get(server.baseUrl, { Action: 'DescribeVcoRouteEntries', Version: '2016-04-28', RegionId: REGION, VpnConnectionId: CONN });
    assert.equal(raw.status, 400);
    assert.ok(Number(raw.headers['x-acs-retry-after']) > 0 && Number(raw.headers['x-acs-retry-after']) <= 2000, String(raw.headers['x-acs-retry-after']));
    assert.equal(raw.json.Code, 'Throttling.User');
    assert.equal(await throttledCount() - throttledBefore, 2, 'both refusals counted in /metrics');
    // another region has its own quota; an unlimited API is not touched
    assert.equal(await outcome(vpc.describeVcoRouteEntries(describeRequest('cn-beijing'))), 'InvalidVpnConnectionInstanceId.NotFound');
    assert.equal(await outcome(vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))), 'ok');
  });

  test('the official SDK with retry options recovers from throttling', async () => {
    await atWindowStart(2000);
    const retryOptions = new RetryOptions({
      retryable: true,
      retryCondition: [new RetryCondition({ maxAttempts: 5, exception: ['ThrottlingError'], errorCode: ['Throttling.User'], maxDelay: 5000 })],
      noRetryCondition: [],
    });
    const vpc = vpcClient(server, { retryOptions });
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) assert.equal((await vpc.describeVcoRouteEntries(describeRequest())).statusCode, 200, `call ${i}`);
    assert.ok(Date.now() - t0 >= 2000, 'the calls beyond the quota waited for the next window');
  });

  test("RAM users share their account's quota; a limit of 0 refuses every call", async () => {
    const ram = ramClient(server, ROOT);
    const reader = await userWithKey(ram, 'throttled-reader', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    const asUser = vpcClientFor(server, reader);
    const asRoot = vpcClient(server);
    await atWindowStart(2000);
    assert.equal(await outcome(asRoot.describeVcoRouteEntries(describeRequest())), 'ok');
    assert.equal(await outcome(asUser.describeVcoRouteEntries(describeRequest())), 'ok');
    assert.equal(await outcome(asRoot.describeVcoRouteEntries(describeRequest())), 'ok');
    assert.equal(await outcome(asUser.describeVcoRouteEntries(describeRequest())), 'Throttling.User');
    const deleteGateway = asRoot.deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: REGION, customerGatewayId: 'cgw-none' }));
    assert.equal(await outcome(deleteGateway), 'Throttling.User', 'a limit of 0');
  });
});

describe('flow control (--throttle alibaba)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_THROTTLE: 'alibaba' });
    assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-t1' })).status, 201);
  });
  after(() => server?.close());

  test('DeleteVcoRouteEntry: the published 60 calls per 60 s, then Throttling.User', async () => {
    const vpc = vpcClient(server);
    const del = () => vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: 'cn-shanghai', vpnConnectionId: CONN, routeDest: '10.0.0.0/24', nextHop: CONN, weight: 100 }));
    const window = 60_000 - (Date.now() % 60_000);
    if (window < 10_000) await new Promise((resolve) => setTimeout(resolve, window + 5));
    const outcomes = [];
    for (let i = 0; i < 61; i++) outcomes.push(await outcome(del()));
    assert.deepEqual(outcomes.slice(0, 60), Array(60).fill('InvalidVpnConnectionInstanceId.NotFound'), 'refused calls count too');
    assert.equal(outcomes[60], 'Throttling.User');
  });
});

describe('flow control: several servers on one PostgreSQL enforce one quota', async () => {
  const skip = await postgresSkipReason();
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    if (skip) return;
    db = await createTestDatabase();
    const file = quotaFile({ profile: 'none', limits: { DescribeCustomerGateways: 5 }, windowSeconds: 5 });
    [a, b] = await Promise.all([0, 1].map(() => startServerProcess(['--database', db.url, '--throttle', file])));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('alternating between two servers, 5 calls pass in the window, not 10', { skip }, async () => {
    await atWindowStart(5000);
    const clients = [a, b].map((s) => vpcClient({ endpoint: s.endpoint } as TestServer));
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await outcome(clients[i % 2]!.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))));
    assert.deepEqual(outcomes, [...Array(5).fill('ok'), ...Array(5).fill('Throttling.User')]);
  });
});
