/**
 * Every Cbn (CEN 2017-09-12) operation through an official-client-shaped call (openapi-core callApi, RPC, as the
 * generated @alicloud/cbn20170912 SDK does): documented JSON field names and types, each documented error,
 * paging to the end in both styles, DryRun, ClientToken replay, RAM with cen: actions and the ARNs of
 * cen-api.md §10, and the asynchronous states with a change delay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';
import { createPolicy, doc, ramClient, userWithKey } from '../helpers/ram';
import { CbnClient, cenError } from '../helpers/cbn-client';
import { bgpConnection, cenWithRouter, REGION } from '../helpers/cen-fixtures';

const MINUTE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/;

/** Asserts the JSON type of each named field. */
function types(o: Record<string, unknown>, expected: Record<string, 'string' | 'number' | 'boolean' | 'array' | 'object'>): void {
  for (const [k, t] of Object.entries(expected)) {
    const actual = Array.isArray(o[k]) ? 'array' : typeof o[k];
    assert.equal(actual, t, `${k} is a JSON ${t}`);
  }
}

describe('Cbn operations (change delay 0)', () => {
  let server: TestServer;
  let cen: CbnClient;
  let vpc: VpcClient;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    cen = new CbnClient(server.endpoint);
    vpc = vpcClient(server);
  });
  after(async () => server.close());

  test('CreateCen / DescribeCens / DeleteCen: fields, filters, tags, page style to the end, errors', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await cen.call('CreateCen', { Name: `paging-${i}`, Description: 'd', 'Tag.1.Key': 'team', 'Tag.1.Value': `t${i % 2}` })).CenId);
    for (const id of created) assert.match(id, /^cen-[0-9a-z]{18}$/);
    const one = await cen.call('DescribeCens', { 'Filter.1.Key': 'CenId', 'Filter.1.Value.1': created[0] });
    types(one, { TotalCount: 'number', PageNumber: 'number', PageSize: 'number', Cens: 'object' });
    const row = one.Cens.Cen[0];
    assert.deepEqual(row, {
      CenId: created[0], Name: 'paging-0', Description: 'd', Status: 'Active', CreationTime: row.CreationTime, ProtectionLevel: 'REDUCED', Ipv6Level: 'DISABLED',
      ResourceGroupId: 'rg-default', Tags: { Tag: [{ Key: 'team', Value: 't0' }] }, CenBandwidthPackageIds: { CenBandwidthPackageId: [] },
    });
    assert.match(row.CreationTime, MINUTE_TIME);
    const byTag = await cen.call('DescribeCens', { 'Tag.1.Key': 'team', 'Tag.1.Value': 't1' });
    assert.equal(byTag.TotalCount, 2);
    const byName = await cen.call('DescribeCens', { 'Filter.1.Key': 'Name', 'Filter.1.Value.1': 'paging-3', 'Filter.1.Value.2': 'paging-4' });
    assert.equal(byName.TotalCount, 2);
    // paging to the end
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await cen.call('DescribeCens', { PageNumber: page, PageSize: 2 });
      assert.equal(res.TotalCount, 5);
      seen.push(...res.Cens.Cen.map((x: any) => x.CenId));
      if (res.Cens.Cen.length < 2) break;
    }
    assert.deepEqual(seen, created);
    const unknown = await cen.call('DescribeCens', { 'Filter.1.Key': 'CenId', 'Filter.1.Value.1': 'cen-doesnotexist00000' });
    assert.deepEqual([unknown.TotalCount, unknown.Cens.Cen], [0, []]);

    await cenError(cen.call('CreateCen', { 'Tag.1.Key': 'aliyun:x', 'Tag.1.Value': 'v' }), 'InvalidTagKey');
    await cenError(cen.call('CreateCen', { 'Tag.1.Key': 'k', 'Tag.1.Value': 'http://x' }), 'InvalidTagValue');
    await cenError(cen.call('CreateCen', { Name: 'x'.repeat(129) }), 'InvalidName');
    await cenError(cen.call('DescribeCens', { PageSize: 51 }), 'IllegalParam.PageSize');
    await cenError(cen.call('DescribeCens', { 'Filter.1.Key': 'Status', 'Filter.1.Value.1': 'x' }), 'InvalidParameter');

    await cen.call('DeleteCen', { CenId: created[4] });
    assert.equal((await cen.call('DescribeCens', {})).TotalCount, 4);
    await cenError(cen.call('DeleteCen', { CenId: created[4] }), 'ParameterCenInstanceId');
    await cenError(cen.call('DeleteCen', {}), 'MissingParam.CenId');
    await cen.call('CreateTransitRouter', { CenId: created[3], RegionId: REGION });
    await cenError(cen.call('DeleteCen', { CenId: created[3] }), 'InvalidOperation.AttachedChildInstanceExist');
  });

  test('CreateTransitRouter / ListTransitRouters / DeleteTransitRouter and TR CIDRs: fields, one per CEN and region, errors, DryRun', async () => {
    const { CenId } = await cen.call('CreateCen', {});
    const cidrList = JSON.stringify([{ Cidr: '192.168.10.0/24', Name: 'n', PublishCidrRoute: false }]);
    const { TransitRouterId } = await cen.call('CreateTransitRouter', {
      CenId, RegionId: REGION, TransitRouterName: 'tr', TransitRouterDescription: 'desc', TransitRouterCidrList: cidrList, 'Tag.1.Key': 'k', 'Tag.1.Value': 'v',
    });
    assert.match(TransitRouterId, /^tr-[0-9a-z]{21}$/);
    const listed = await cen.call('ListTransitRouters', { TransitRouterId, RegionId: REGION });
    types(listed, { TotalCount: 'number', PageNumber: 'number', PageSize: 'number', TransitRouters: 'array' });
    const tr = listed.TransitRouters[0];
    types(tr, { AliUid: 'number', SupportMulticast: 'boolean', TransitRouterCidrList: 'array', Tags: 'array', CreationTime: 'string' });
    assert.equal(tr.AliUid, Number(ROOT.accountId));
    assert.deepEqual([tr.CenId, tr.RegionId, tr.Type, tr.Status, tr.TransitRouterName, tr.TransitRouterDescription], [CenId, REGION, 'Enterprise', 'Active', 'tr', 'desc']);
    assert.deepEqual(tr.Tags, [{ Key: 'k', Value: 'v' }]);
    assert.equal(tr.TransitRouterCidrList[0].Cidr, '192.168.10.0/24');
    assert.equal(tr.TransitRouterCidrList[0].PublishCidrRoute, false);
    assert.match(tr.TransitRouterCidrList[0].TransitRouterCidrId, /^cidr-[0-9a-z]{18}$/);

    const { TransitRouterCidrId } = await cen.call('CreateTransitRouterCidr', { RegionId: REGION, TransitRouterId, Cidr: '192.168.20.0/24', Name: 'second' });
    const cidrs = await cen.call('ListTransitRouterCidr', { RegionId: REGION, TransitRouterId });
    assert.deepEqual(cidrs.CidrLists[1], {
      TransitRouterCidrId, TransitRouterId, Cidr: '192.168.20.0/24', Name: 'second', Description: '', Family: 'IPv4', PublishCidrRoute: true,
    });
    await cenError(cen.call('CreateTransitRouterCidr', { RegionId: REGION, TransitRouterId, Cidr: '192.168.20.128/25' }), 'IllegalParam.Cidr');
    await cenError(cen.call('CreateTransitRouterCidr', { RegionId: REGION, TransitRouterId, Cidr: '192.168.0.0/16' }), 'OverLappingExist.Cidr');
    await cenError(cen.call('CreateTransitRouterCidr', { RegionId: REGION, TransitRouterId, Cidr: '100.64.0.0/16' }), 'IllegalParam.Cidr');

    await cenError(cen.call('CreateTransitRouter', { CenId, RegionId: REGION }), 'InstanceExist.TransitRouterInstance');
    await cenError(cen.call('CreateTransitRouter', { CenId: 'cen-nope', RegionId: REGION }), 'ParameterCenInstanceId');
    await cenError(cen.call('CreateTransitRouter', { CenId, RegionId: 'not a region' }), 'IllegalParam.RegionId');
    await cenError(cen.call('CreateTransitRouter', { CenId, RegionId: 'cn-beijing', TransitRouterCidrList: '[{"Cidr":"10.0.0.0/8"}]' }), 'IllegalParam.Cidr');
    await cenError(cen.call('CreateTransitRouter', { CenId, RegionId: 'cn-beijing', DryRun: true }), 'DryRunOperation');
    await cenError(cen.call('ListTransitRouters', {}), 'InvalidParameterCombination.TransitRouter');
    await cenError(cen.call('ListTransitRouters', { CenId, 'FeatureFilter.1.Key': 'Color', 'FeatureFilter.1.Value.1': 'x' }), 'InvalidOperation.UnsupportFilter');
    const other = await cen.call('CreateTransitRouter', { CenId, RegionId: 'cn-beijing' });
    const byCen = await cen.call('ListTransitRouters', { CenId, PageSize: 1, PageNumber: 2 });
    assert.deepEqual([byCen.TotalCount, byCen.TransitRouters.length, byCen.TransitRouters[0].TransitRouterId], [2, 1, other.TransitRouterId]);
    assert.equal((await cen.call('ListTransitRouters', { TransitRouterId: 'tr-unknown', RegionId: REGION })).TotalCount, 0);

    await cenError(cen.call('DeleteTransitRouter', { TransitRouterId, DryRun: true }), 'DryRunOperation');
    const { TransitRouterRouteTableId } = await cen.call('CreateTransitRouterRouteTable', { TransitRouterId });
    await cenError(cen.call('DeleteTransitRouter', { TransitRouterId }), 'OperationFailed.DeleteTransitRouter');
    await cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId });
    await cen.call('DeleteTransitRouter', { TransitRouterId });
    await cenError(cen.call('DeleteTransitRouter', { TransitRouterId }), 'InvalidTransitRouterInstance.NotFound');
    assert.equal((await cen.call('ListTransitRouters', { TransitRouterId, RegionId: REGION })).TotalCount, 0);
    await cenError(cen.call('ListTransitRouterRouteTables', { TransitRouterId }), 'InvalidTransitRouterId.NotFound');
  });

  test('VPN attachments: create by TransitRouterId or CenId+RegionId, list (token paging to the end), update, delete, errors', async () => {
    const router = await cenWithRouter(cen, 'att');
    const vcos: string[] = [];
    for (let i = 0; i < 3; i++) vcos.push(await bgpConnection(vpc, `att-${i}`));
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vcos[0], DryRun: true }), 'DryRunOperation');
    const ids: string[] = [];
    ids.push((await cen.call('CreateTransitRouterVpnAttachment', {
      RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vcos[0], TransitRouterAttachmentName: 'first', AutoPublishRouteEnabled: false,
      'Zone.1.ZoneId': 'cn-hangzhou-h', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v',
    })).TransitRouterAttachmentId);
    ids.push((await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, CenId: router.cenId, VpnId: vcos[1] })).TransitRouterAttachmentId);
    ids.push((await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vcos[2] })).TransitRouterAttachmentId);
    for (const id of ids) assert.match(id, /^tr-attach-[0-9a-z]{18}$/);

    const one = await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId: ids[0], RegionId: REGION });
    types(one, { TotalCount: 'number', MaxResults: 'number', NextToken: 'string', TransitRouterAttachments: 'array' });
    const a = one.TransitRouterAttachments[0];
    types(a, { VpnOwnerId: 'number', AutoPublishRouteEnabled: 'boolean', Zones: 'array', Tags: 'array' });
    assert.deepEqual({ ...a, CreationTime: undefined }, {
      TransitRouterAttachmentId: ids[0], TransitRouterAttachmentName: 'first', TransitRouterAttachmentDescription: '', TransitRouterId: router.transitRouterId,
      CenId: router.cenId, VpnId: vcos[0], VpnOwnerId: Number(ROOT.accountId), VpnRegionId: REGION, ResourceType: 'VPN', Status: 'Attached',
      CreationTime: undefined, ChargeType: 'POSTPAY', OrderType: 'PayByCenOwner', AutoPublishRouteEnabled: false, Zones: [{ ZoneId: 'cn-hangzhou-h' }],
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    assert.match(a.CreationTime, MINUTE_TIME);
    // token paging to the end
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await cen.call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId, MaxResults: 2, NextToken: token });
      assert.equal(page.TotalCount, 3);
      seen.push(...page.TransitRouterAttachments.map((x: any) => x.TransitRouterAttachmentId));
      token = page.NextToken || undefined;
    } while (token);
    assert.deepEqual(seen, ids);
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { CenId: router.cenId, RegionId: REGION })).TotalCount, 3);
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId: 'tr-attach-unknown' })).TotalCount, 0);
    await cenError(cen.call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId, NextToken: 'garbage' }), 'IllegalParam.NextToken');
    await cenError(cen.call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId, MaxResults: 101 }), 'IllegalParam.MaxResults');

    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vcos[0] }), 'IncorrectStatus.VpnConnection');
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: 'vco-unknown' }), 'InvalidVpnId.NotFound');
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: 'tr-unknown', VpnId: vcos[0] }), 'InvalidTransitRouterId.NotFound');
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: 'cn-beijing', TransitRouterId: router.transitRouterId, VpnId: vcos[0] }), 'InvalidTransitRouterId.NotFound');
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, VpnId: vcos[0] }), 'InvalidParameter');
    await cenError(cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId }), 'MissingParam.VpnId');

    await cen.call('UpdateTransitRouterVpnAttachmentAttribute', { TransitRouterAttachmentId: ids[0], TransitRouterAttachmentName: 'renamed', AutoPublishRouteEnabled: true });
    const updated = (await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId: ids[0] })).TransitRouterAttachments[0];
    assert.deepEqual([updated.TransitRouterAttachmentName, updated.AutoPublishRouteEnabled], ['renamed', true]);
    await cenError(cen.call('UpdateTransitRouterVpnAttachmentAttribute', { TransitRouterAttachmentId: 'tr-attach-unknown' }), 'InvalidTransitRouterAttachmentId.NotFound');
    await cenError(cen.call('UpdateTransitRouterVpnAttachmentAttribute', { TransitRouterAttachmentId: ids[0], DryRun: true }), 'DryRunOperation');

    await cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: ids[1], TransitRouterRouteTableId: router.systemTableId });
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: ids[1] }), 'OperationFailed.RouteTablePropagationExist');
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: ids[1], DryRun: true }), 'OperationFailed.RouteTablePropagationExist');
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: ids[0], DryRun: true }), 'DryRunOperation');
    await cen.call('CreateTransitRouterRouteEntry', {
      TransitRouterRouteTableId: router.systemTableId, TransitRouterRouteEntryDestinationCidrBlock: '10.0.0.0/8', TransitRouterRouteEntryNextHopType: 'Attachment',
      TransitRouterRouteEntryNextHopId: ids[2],
    });
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: ids[2] }), 'OperationFailed.RouteEntryExist');
    for (const id of ids) await cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: id, Force: true });
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: ids[0] }), 'InvalidTransitRouterAttachmentId.NotFound');
    assert.equal((await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: router.systemTableId })).TotalCount, 0, 'Force removed the static entry');
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: vcos[0] }))).body!;
    assert.equal(conn.state, 'init');
    await cen.call('DeleteTransitRouter', { TransitRouterId: router.transitRouterId });
  });

  test('route tables, associations and propagations: fields, one association per attachment, paging, errors', async () => {
    const router = await cenWithRouter(cen, 'tables');
    const vco = await bgpConnection(vpc, 'tables');
    const { TransitRouterAttachmentId: att } = await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vco });
    const custom: string[] = [];
    for (let i = 0; i < 3; i++) {
      custom.push((await cen.call('CreateTransitRouterRouteTable', {
        TransitRouterId: router.transitRouterId, TransitRouterRouteTableName: `t${i}`, 'RouteTableOptions.MultiRegionECMP': 'enable',
      })).TransitRouterRouteTableId);
    }
    for (const id of custom) assert.match(id, /^vtb-[0-9a-z]{21}$/);
    const listed = await cen.call('ListTransitRouterRouteTables', { TransitRouterId: router.transitRouterId, 'TransitRouterRouteTableIds.1': custom[0] });
    types(listed, { TotalCount: 'number', MaxResults: 'number', NextToken: 'string', TransitRouterRouteTables: 'array' });
    assert.deepEqual({ ...listed.TransitRouterRouteTables[0], CreateTime: undefined }, {
      TransitRouterRouteTableId: custom[0], TransitRouterRouteTableName: 't0', TransitRouterRouteTableDescription: '', TransitRouterRouteTableType: 'Custom',
      TransitRouterRouteTableStatus: 'Active', TransitRouterId: router.transitRouterId, RegionId: REGION, CreateTime: undefined,
      RouteTableOptions: { MultiRegionECMP: 'enable' }, Tags: [],
    });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await cen.call('ListTransitRouterRouteTables', { TransitRouterId: router.transitRouterId, MaxResults: 3, NextToken: token });
      seen.push(...page.TransitRouterRouteTables.map((t: any) => t.TransitRouterRouteTableId));
      token = page.NextToken || undefined;
    } while (token);
    assert.deepEqual(seen, [router.systemTableId, ...custom]);
    await cenError(cen.call('ListTransitRouterRouteTables', {}), 'MissingParam.TransitRouterIdOrTransitRouterRouteTables');
    await cenError(cen.call('CreateTransitRouterRouteTable', { TransitRouterId: 'tr-unknown' }), 'InvalidTransitRouterId.NotFound');
    await cenError(cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId: router.systemTableId }), 'OperationFailed.DeleteSystemRouteTable');
    await cenError(cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId: 'vtb-unknown' }), 'InvalidTransitRouterRouteTableId.NotFound');

    await cen.call('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0] });
    await cenError(cen.call('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[1] }),
      'OperationFailed.RouteTableAssociationExist');
    await cenError(cen.call('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId: 'tr-attach-x', TransitRouterRouteTableId: custom[1] }),
      'InvalidTransitRouterAttachmentId.NotFound');
    await cenError(cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId: custom[0] }), 'OperationFailed.DeleteRouteTableWithAssociation');
    const associations = await cen.call('ListTransitRouterRouteTableAssociations', { TransitRouterAttachmentId: att });
    assert.deepEqual(associations.TransitRouterAssociations, [
      { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0], ResourceId: vco, ResourceType: 'VPN', Status: 'Active' },
    ]);
    assert.equal((await cen.call('ListTransitRouterRouteTableAssociations', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[1] })).TotalCount, 0);
    await cen.call('DissociateTransitRouterAttachmentFromRouteTable', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0] });
    await cenError(cen.call('DissociateTransitRouterAttachmentFromRouteTable', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0] }),
      'IncorrectStatus.AttachmentOrRouteTable');
    await cenError(cen.call('DissociateTransitRouterAttachmentFromRouteTable', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0], DryRun: true }),
      'IncorrectStatus.AttachmentOrRouteTable');

    for (const t of custom) await cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: t });
    await cenError(cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[0] }), 'IncorrectStatus.AttachmentOrRouteTable');
    await cenError(cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: 'tr-attach-x', TransitRouterRouteTableId: custom[0] }), 'InvalidAttachmentId.NotFound', 404);
    await cenError(cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: 'vtb-x' }), 'InvalidRouteTableId.NotFound', 404);
    await cenError(cen.call('DisableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: 'tr-attach-x', TransitRouterRouteTableId: custom[0] }), 'InvalidAttachmentId.NotFound', 400);
    const propagations = await cen.call('ListTransitRouterRouteTablePropagations', { TransitRouterRouteTableId: custom[1] });
    assert.deepEqual(propagations.TransitRouterPropagations, [
      { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[1], ResourceId: vco, ResourceType: 'VPN', Status: 'Active' },
    ]);
    types(propagations, { TotalCount: 'number', MaxResults: 'number', NextToken: 'string' });
    await cenError(cen.call('ListTransitRouterRouteTablePropagations', { TransitRouterAttachmentId: att }), 'MissingParam.TransitRouterRouteTableId');
    await cenError(cen.call('ListTransitRouterRouteTablePropagations', { TransitRouterRouteTableId: custom[1], MaxResults: 0 }), 'IllegalParam.MaxResults');
    await cenError(cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId: custom[1] }), 'OperationFailed.DeleteRouteTableWithPropagation');
    await cen.call('DisableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: att, TransitRouterRouteTableId: custom[1] });
    await cen.call('DeleteTransitRouterRouteTable', { TransitRouterRouteTableId: custom[1] });
    assert.equal((await cen.call('ListTransitRouterRouteTables', { 'TransitRouterRouteTableIds.1': custom[1] })).TotalCount, 0);
  });

  test('route entries: create/delete in both forms, list filters and paging to the end, errors', async () => {
    const router = await cenWithRouter(cen, 'entries');
    const vco = await bgpConnection(vpc, 'entries');
    const { TransitRouterAttachmentId: att } = await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vco });
    const table = router.systemTableId;
    const create = (dest: string, extra: Record<string, string> = {}) => cen.call('CreateTransitRouterRouteEntry', {
      TransitRouterRouteTableId: table, TransitRouterRouteEntryDestinationCidrBlock: dest, TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: att, ...extra,
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(`10.${i}.0.0/16`, { TransitRouterRouteEntryName: `e${i}` })).TransitRouterRouteEntryId);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, MaxResults: 2, NextToken: token });
      types(page, { TotalCount: 'number', MaxResults: 'number', NextToken: 'string', TransitRouterRouteEntries: 'array' });
      seen.push(...page.TransitRouterRouteEntries.map((e: any) => e.TransitRouterRouteEntryId));
      token = page.NextToken || undefined;
    } while (token);
    assert.deepEqual(seen, ids);
    const byId = await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, 'TransitRouterRouteEntryIds.1': ids[2] });
    const e = byId.TransitRouterRouteEntries[0];
    types(e, { OperationalMode: 'boolean', PathAttributes: 'object' });
    assert.deepEqual([e.TransitRouterRouteEntryName, e.TransitRouterRouteEntryType, e.TransitRouterRouteEntryNextHopId, e.TransitRouterRouteEntryNextHopResourceId],
      ['e2', 'Static', att, vco]);
    assert.equal(e.PathAttributes.OriginRouteType, 'static');
    const subnets = await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, 'RouteFilter.1.Key': 'SubnetOfMatchCidrs', 'RouteFilter.1.Value.1': '10.0.0.0/14' });
    assert.equal(subnets.TotalCount, 4);
    const longest = await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, 'RouteFilter.1.Key': 'LongestPrefixMatchCidrs', 'RouteFilter.1.Value.1': '10.3.1.1' });
    assert.deepEqual(longest.TransitRouterRouteEntries.map((x: any) => x.TransitRouterRouteEntryDestinationCidrBlock), ['10.3.0.0/16']);

    await cenError(create('10.0.0.0/16'), 'OperationFailed.CreateRouteEntryWithSameDestinationCidrBlock');
    await cenError(create('10.0.0.1/16'), 'IllegalParam.TransitRouterDestinationCidrBlock');
    await cenError(create('10.9.0.0/16', { TransitRouterRouteEntryNextHopType: 'BlackHole' }), 'ParamExclusive.NextHopTypeBlackHoleAndNextHopId');
    await cenError(create('10.9.0.0/16', { TransitRouterRouteEntryNextHopType: 'Gateway' }), 'IllegalParam.NextHopType');
    await cenError(create('10.9.0.0/16', { TransitRouterRouteEntryNextHopId: 'tr-attach-other' }), 'InvalidTransitRouterRouteEntryNextHopId.NotFound');
    await cenError(cen.call('CreateTransitRouterRouteEntry', { TransitRouterRouteTableId: table, TransitRouterRouteEntryDestinationCidrBlock: '10.9.0.0/16', TransitRouterRouteEntryNextHopType: 'Attachment' }),
      'MissingParam.TransitRouterRouteEntryNextHopId');
    await cenError(create('10.9.0.0/16', { TransitRouterRouteTableId: 'vtb-unknown' }), 'InvalidTransitRouterRouteTableId.NotFound');
    await cenError(create('10.9.0.0/16', { DryRun: 'true' }), 'DryRunOperation');
    await cenError(cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: 'vtb-unknown' }), 'InvalidTransitRouterRouteTableId.NotFound');
    await cenError(cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, TransitRouterRouteEntryStatus: 'Sleeping' }), 'IllegalParam.TransitRouterRouteEntryStatus');
    await cenError(cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, TransitRouterRouteEntryStatus: 'All', 'TransitRouterRouteEntryIds.1': ids[0] }),
      'ParamExclusive.RouteEntryIdsAndStatus');
    await cenError(cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table, 'RouteFilter.1.Key': 'Nearest', 'RouteFilter.1.Value.1': '10.0.0.0/8' }), 'InvalidFilterKey');
    await cenError(cen.call('DeleteTransitRouterRouteEntry', { TransitRouterRouteEntryId: ids[0], TransitRouterRouteTableId: table }), 'ParamExclusive.RouteEntryIdAndRouteTableIdOrDestCidrBlock');
    // Terraform's form: the ID with the next-hop type and ID.
    await cen.call('DeleteTransitRouterRouteEntry', { TransitRouterRouteEntryId: ids[0], TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: att });
    await cenError(cen.call('DeleteTransitRouterRouteEntry', { TransitRouterRouteEntryId: ids[0] }), 'IllegalParam.TransitRouterRouteEntryId');
    await cen.call('DeleteTransitRouterRouteEntry', {
      TransitRouterRouteTableId: table, TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/16', TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: att,
    });
    await cenError(cen.call('DeleteTransitRouterRouteEntry', {
      TransitRouterRouteTableId: table, TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/16', TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: att,
    }), 'InvalidDestinationCidrBlock.NotFound');
    assert.equal((await cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: table })).TotalCount, 3);
  });

  test('ClientToken: a replay returns the first response and creates nothing more', async () => {
    const first = await cen.call('CreateCen', { Name: 'token', ClientToken: 'cen-token-1' });
    const again = await cen.call('CreateCen', { Name: 'token', ClientToken: 'cen-token-1' });
    assert.equal(again.CenId, first.CenId);
    assert.equal((await cen.call('DescribeCens', { 'Filter.1.Key': 'Name', 'Filter.1.Value.1': 'token' })).TotalCount, 1);
    await cenError(cen.call('CreateCen', { Name: 'other', ClientToken: 'cen-token-1' }), 'IdempotentParameterMismatch');
    const router = await cenWithRouter(cen, 'token-tr');
    const vco = await bgpConnection(vpc, 'token');
    const params = { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vco, ClientToken: 'attach-token-1' };
    const att = await cen.call('CreateTransitRouterVpnAttachment', params);
    assert.equal((await cen.call('CreateTransitRouterVpnAttachment', params)).TransitRouterAttachmentId, att.TransitRouterAttachmentId);
    const link = { TransitRouterAttachmentId: att.TransitRouterAttachmentId, TransitRouterRouteTableId: router.systemTableId, ClientToken: 'assoc-1' };
    await cen.call('AssociateTransitRouterAttachmentWithRouteTable', link);
    await cen.call('AssociateTransitRouterAttachmentWithRouteTable', link);
    assert.equal((await cen.call('ListTransitRouterRouteTableAssociations', { TransitRouterAttachmentId: att.TransitRouterAttachmentId })).TotalCount, 1);
  });

  /** A CEN denial: 400 Unauthorized (cen-api.md §1) with AccessDeniedDetail naming the cen: action. */
  async function cenDenied(call: Promise<unknown>, detail: Record<string, string>): Promise<void> {
    const err = await cenError(call, 'Unauthorized', 400);
    for (const [k, v] of Object.entries(detail)) assert.equal(err.data.AccessDeniedDetail?.[k], v, `AccessDeniedDetail.${k}`);
  }

  test('RAM: cen: actions on the documented ARNs', async () => {
    const ram = ramClient(server, ROOT);
    const nobody = new CbnClient(server.endpoint, await userWithKey(ram, 'cen-nobody'));
    await cenDenied(nobody.call('CreateCen', {}), { AuthAction: 'cen:CreateCen', NoPermissionType: 'ImplicitDeny' });
    const router = await cenWithRouter(cen, 'ram');
    await createPolicy(ram, 'CenReadNoDelete', doc(
      { Effect: 'Allow', Action: ['cen:Describe*', 'cen:List*', 'cen:DeleteTransitRouter'], Resource: '*' },
      { Effect: 'Deny', Action: 'cen:DeleteTransitRouter', Resource: `acs:cen:*:${ROOT.accountId}:centransitrouter/${router.transitRouterId}` },
    ));
    const reader = new CbnClient(server.endpoint, await userWithKey(ram, 'cen-reader', [{ type: 'Custom', name: 'CenReadNoDelete' }]));
    assert.equal((await reader.call('ListTransitRouters', { TransitRouterId: router.transitRouterId, RegionId: REGION })).TotalCount, 1);
    await cenDenied(reader.call('DeleteTransitRouter', { TransitRouterId: router.transitRouterId }), { AuthAction: 'cen:DeleteTransitRouter', NoPermissionType: 'ExplicitDeny' });
    await cenDenied(reader.call('CreateTransitRouterRouteTable', { TransitRouterId: router.transitRouterId }), { AuthAction: 'cen:CreateTransitRouterRouteTable', NoPermissionType: 'ImplicitDeny' });
    // The ARN decides: another transit router of the account may be deleted by the same user.
    const other = await cenWithRouter(cen, 'ram-other');
    await reader.call('DeleteTransitRouter', { TransitRouterId: other.transitRouterId });
    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'cen-reader', policyType: 'Custom', policyName: 'CenReadNoDelete' }));
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});

describe('Cbn asynchronous states (change delay 400 ms)', () => {
  let server: TestServer;
  let cen: CbnClient;
  let vpc: VpcClient;
  const DELAY = 400;
  const settle = () => new Promise((r) => setTimeout(r, DELAY + 50));

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: String(DELAY) });
    cen = new CbnClient(server.endpoint);
    vpc = vpcClient(server);
  });
  after(async () => server.close());

  test('Creating → Active, Attaching → Attached, Associating/Enabling → Active, Detaching → absent; only queries while transient', async () => {
    const { CenId } = await cen.call('CreateCen', {});
    assert.equal((await cen.call('DescribeCens', {})).Cens.Cen[0].Status, 'Creating', 'listed immediately in its transient state');
    await cenError(cen.call('CreateTransitRouter', { CenId, RegionId: REGION }), 'InvalidOperation.CenInstanceStatus');
    await settle();
    const { TransitRouterId } = await cen.call('CreateTransitRouter', { CenId, RegionId: REGION });
    assert.equal((await cen.call('ListTransitRouters', { CenId })).TransitRouters[0].Status, 'Creating');
    await settle();
    const table = (await cen.call('ListTransitRouterRouteTables', { TransitRouterId })).TransitRouterRouteTables[0];
    assert.equal(table.TransitRouterRouteTableStatus, 'Active');
    const vco = await bgpConnection(vpc, 'async');
    const { TransitRouterAttachmentId } = await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId, VpnId: vco });
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId })).TransitRouterAttachments[0].Status, 'Attaching');
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: vco }))).body!;
    assert.equal(conn.state, 'attaching');
    const link = { TransitRouterAttachmentId, TransitRouterRouteTableId: table.TransitRouterRouteTableId };
    await cenError(cen.call('AssociateTransitRouterAttachmentWithRouteTable', link), 'IncorrectStatus.AttachmentOrRouteTable');
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId }), 'IncorrectStatus.ResourceStatus');
    await settle();
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId })).TransitRouterAttachments[0].Status, 'Attached');
    await cen.call('AssociateTransitRouterAttachmentWithRouteTable', link);
    await cen.call('EnableTransitRouterRouteTablePropagation', link);
    assert.equal((await cen.call('ListTransitRouterRouteTableAssociations', link)).TransitRouterAssociations[0].Status, 'Associating');
    assert.equal((await cen.call('ListTransitRouterRouteTablePropagations', link)).TransitRouterPropagations[0].Status, 'Enabling');
    await settle();
    assert.equal((await cen.call('ListTransitRouterRouteTableAssociations', link)).TransitRouterAssociations[0].Status, 'Active');
    await cen.call('DisableTransitRouterRouteTablePropagation', link);
    assert.equal((await cen.call('ListTransitRouterRouteTablePropagations', link)).TransitRouterPropagations[0].Status, 'Disabling');
    await settle();
    assert.equal((await cen.call('ListTransitRouterRouteTablePropagations', link)).TotalCount, 0);
    await cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId, Force: true });
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId })).TransitRouterAttachments[0].Status, 'Detaching');
    await settle();
    assert.equal((await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId })).TotalCount, 0);
    const detached = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: vco }))).body!;
    assert.equal(detached.state, 'init');
    await cen.call('DeleteTransitRouter', { TransitRouterId });
    assert.equal((await cen.call('ListTransitRouters', { CenId })).TransitRouters[0].Status, 'Deleting');
    await settle();
    assert.equal((await cen.call('ListTransitRouters', { CenId })).TotalCount, 0);
    await cen.call('DeleteCen', { CenId });
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});
