/**
 * CreateCustomerGateway, DescribeCustomerGateways, DescribeCustomerGateway, DeleteCustomerGateway
 * (vpc-vco-api.md §3; types from the SDK models).
 */
import { E, PopError, illegalParam } from '../../pop/errors';
import { parseIpv4 } from '../../domain/cidr';
import { DEFAULT_LOCAL_ASN, DEFAULT_RESOURCE_GROUP, isForbiddenGatewayAddress, newResourceId, parseAsn } from '../../domain/vpn';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE } from '../../domain/routes';
import type { CustomerGatewayRecord } from '../../store/store';
import { defineOperation, type ResponseBody } from '../product';
import { integerInRange, optionalString, regionIdParam, requiredString } from '../params';
import { nameValue, tagsParam } from './vpc-params';
import { findCustomerGateway } from './connection-access';
import { VPC } from './product';
import { quotaExceeded, quotasOf } from '../../quotas/resource-quotas';

const gatewayArn = (regionId: string, accountId: string, id: string) => `acs:vpc:${regionId}:${accountId}:customergateway/${id}`;

const AUTH_KEY = /^[\x21-\x3e\x40-\x7e]{1,64}$/; // printable ASCII without space and '?'

function gatewayView(g: CustomerGatewayRecord): ResponseBody {
  const view: ResponseBody = {
    CustomerGatewayId: g.customerGatewayId,
    IpAddress: g.ipAddress,
    Name: g.name,
    Description: g.description,
    ResourceGroupId: g.resourceGroupId,
    AuthKey: g.authKey,
    CreateTime: g.createTime,
    Tags: { Tag: g.tags.map((t) => ({ Key: t.key, Value: t.value })) },
  };
  // Decided: a gateway created without an ASN omits Asn (the model types it as a number; 0 would be a lie).
  if (g.asn !== null) view.Asn = g.asn;
  return view;
}

interface CreateInput {
  regionId: string;
  ipAddress: string;
  asn: number | null;
  authKey: string;
  name: string;
  description: string;
  resourceGroupId: string;
  tags: CustomerGatewayRecord['tags'];
}

export const createCustomerGateway = defineOperation<CreateInput>({
  product: VPC,
  action: 'CreateCustomerGateway',
  ramAction: 'vpc:CreateCustomerGateway',
  resource: (input, principal) => gatewayArn(input.regionId, principal.accountId, '*'),
  clientToken: true,
  parse(params) {
    const regionId = regionIdParam(params);
    const ipAddress = requiredString(params, 'IpAddress');
    const address = parseIpv4(ipAddress);
    if (address === undefined) throw illegalParam('IpAddress', 'The specified IpAddress is not a valid IPv4 address.');
    if (isForbiddenGatewayAddress(address)) {
      throw illegalParam('IpAddress', 'The specified IpAddress is in a reserved range (100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 255.0.0.0/8).');
    }
    const asnText = optionalString(params, 'Asn');
    let asn: number | null = null;
    if (asnText !== undefined) {
      const parsed = parseAsn(asnText);
      if (parsed === undefined) throw illegalParam('Asn', 'The specified Asn is invalid. It must be 1 to 4294967295 or in the a.b form.');
      if (parsed === DEFAULT_LOCAL_ASN) throw illegalParam('Asn', 'The specified Asn 45104 is reserved by Alibaba Cloud.');
      asn = parsed;
    }
    const authKey = optionalString(params, 'AuthKey') ?? '';
    if (authKey !== '' && !AUTH_KEY.test(authKey)) {
      throw illegalParam('AuthKey', 'The specified AuthKey is invalid. It must be 1 to 64 ASCII characters without spaces or question marks.');
    }
    return {
      regionId,
      ipAddress,
      asn,
      authKey,
      name: nameValue('Name', params.Name) ?? '',
      description: nameValue('Description', params.Description) ?? '',
      resourceGroupId: optionalString(params, 'ResourceGroupId') ?? DEFAULT_RESOURCE_GROUP,
      tags: tagsParam(params),
    };
  },
  async run(input, { store, principal, now, clientToken, settings }) {
    const gateway: CustomerGatewayRecord = {
      customerGatewayId: newResourceId('cgw'),
      accountId: principal.accountId,
      regionId: input.regionId,
      ipAddress: input.ipAddress,
      asn: input.asn,
      authKey: input.authKey,
      name: input.name,
      description: input.description,
      resourceGroupId: input.resourceGroupId,
      tags: input.tags,
      createTime: now,
    };
    const body = {
      CustomerGatewayId: gateway.customerGatewayId,
      IpAddress: gateway.ipAddress,
      Name: gateway.name,
      Description: gateway.description,
      CreateTime: gateway.createTime,
    };
    // Counted and inserted under the (account, region) lock: concurrent creates never overshoot, across servers.
    const limit = quotasOf(settings).customerGatewaysPerRegion;
    if ((await store.putCustomerGateway(gateway, clientToken?.completion(body), limit)) === 'limit') {
      throw quotaExceeded(E.CustomerGatewayQuotaExceeded, limit);
    }
    return body;
  },
});

interface DescribeListInput {
  regionId: string;
  customerGatewayId?: string;
  pageNumber: number;
  pageSize: number;
}

export const describeCustomerGateways = defineOperation<DescribeListInput>({
  product: VPC,
  action: 'DescribeCustomerGateways',
  ramAction: 'vpc:DescribeCustomerGateways',
  resource: (input, principal) => gatewayArn(input.regionId, principal.accountId, input.customerGatewayId ?? '*'),
  clientToken: false,
  parse(params) {
    return {
      regionId: regionIdParam(params),
      customerGatewayId: optionalString(params, 'CustomerGatewayId'),
      pageNumber: integerInRange(params, 'PageNumber', 1, MAX_PAGE_NUMBER, 1, () => new PopError(E.IllegalParamPageNumber)),
      pageSize: integerInRange(params, 'PageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, () => new PopError(E.IllegalParamPageSize)),
    };
  },
  async run(input, { store, principal }) {
    const page = await store.listCustomerGateways(principal.accountId, input.regionId, (input.pageNumber - 1) * input.pageSize, input.pageSize, input.customerGatewayId);
    return {
      TotalCount: page.total,
      PageNumber: input.pageNumber,
      PageSize: input.pageSize,
      CustomerGateways: { CustomerGateway: page.items.map(gatewayView) },
    };
  },
});

interface OneGatewayInput {
  regionId: string;
  customerGatewayId: string;
}

const parseOne = (params: Record<string, string>): OneGatewayInput => ({
  regionId: regionIdParam(params),
  customerGatewayId: requiredString(params, 'CustomerGatewayId'),
});

export const describeCustomerGateway = defineOperation<OneGatewayInput>({
  product: VPC,
  action: 'DescribeCustomerGateway',
  ramAction: 'vpc:DescribeCustomerGateway',
  resource: (input, principal) => gatewayArn(input.regionId, principal.accountId, input.customerGatewayId),
  clientToken: false,
  parse: parseOne,
  async run(input, { store, principal }) {
    return gatewayView(await findCustomerGateway(store, principal.accountId, input.regionId, input.customerGatewayId));
  },
});

export const deleteCustomerGateway = defineOperation<OneGatewayInput>({
  product: VPC,
  action: 'DeleteCustomerGateway',
  ramAction: 'vpc:DeleteCustomerGateway',
  resource: (input, principal) => gatewayArn(input.regionId, principal.accountId, input.customerGatewayId),
  clientToken: true,
  parse: parseOne,
  async run(input, { store, principal, clientToken }) {
    await findCustomerGateway(store, principal.accountId, input.regionId, input.customerGatewayId);
    const outcome = await store.deleteCustomerGateway(principal.accountId, input.customerGatewayId, clientToken?.completion({}));
    if (outcome === 'missing') throw new PopError(E.CustomerGatewayNotFound);
    if (outcome === 'in-use') throw new PopError(E.CustomerGatewayInUse);
    return {};
  },
});
