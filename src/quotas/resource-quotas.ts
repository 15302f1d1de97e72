/**
 * Resource quotas: how many resources of a kind an account may hold, and how long an STS session policy may be.
 * Pure: the table of the cloud's figures, the configuration parser (--quotas FILE, VCOROUTE_QUOTAS) and the
 * quota error. Operations pick the figure that applies and hand it to a store write that counts and inserts
 * under a lock (docs/architecture.md), so concurrent creates never overshoot, across servers.
 * Figures and codes, with their sources: docs/compatibility.md, "Resource quotas".
 */
import fs from 'node:fs';
import { PopError, type ErrorDefinition } from '../pop/errors';

export interface ResourceQuotas {
  /** customer gateways per account and region (CreateCustomerGateway) */
  customerGatewaysPerRegion: number;
  /** IPsec connections per account and region (CreateVpnAttachment) */
  vpnConnectionsPerRegion: number;
  ramUsersPerAccount: number;
  ramGroupsPerAccount: number;
  ramRolesPerAccount: number;
  customPoliciesPerAccount: number;
  /** AccessKey pairs per RAM user */
  accessKeysPerUser: number;
  /** versions per custom policy */
  versionsPerPolicy: number;
  /** system policies attached to one user, group or role */
  systemPoliciesPerPrincipal: number;
  /** custom policies attached to one user, group or role */
  customPoliciesPerPrincipal: number;
  /** characters of AssumeRole's session Policy */
  stsSessionPolicyLength: number;
}

export type QuotaName = keyof ResourceQuotas;

/**
 * The cloud's default figures. RAM: the RAM "Limits" page of the edition in ram.md §7 (users 1,000, groups 50,
 * roles 1,000, custom policies 1,500, 2 AccessKeys, 5 versions, 20 system + 10 custom attached). VPC: not in the
 * reference; decided (customer gateways 100 per region, the VPN-gateway limits page; IPsec connections 50 per
 * region, as many as one transit router attaches). STS: the Policy parameter's documented 2,048 characters.
 */
export const CLOUD_QUOTAS: Readonly<ResourceQuotas> = Object.freeze({
  customerGatewaysPerRegion: 100,
  vpnConnectionsPerRegion: 50,
  ramUsersPerAccount: 1000,
  ramGroupsPerAccount: 50,
  ramRolesPerAccount: 1000,
  customPoliciesPerAccount: 1500,
  accessKeysPerUser: 2,
  versionsPerPolicy: 5,
  systemPoliciesPerPrincipal: 20,
  customPoliciesPerPrincipal: 10,
  stsSessionPolicyLength: 2048,
});

/**
 * What a configured figure may be. Counts from 0 (0 refuses every create: a test of the error needs no
 * resources) to a million. The session policy length only goes down: 2,048 is the API parameter's documented
 * length (AssumeRoleRequest), checked before the request is read, not an account quota; and versions need
 * room for the default one.
 */
const BOUNDS: Record<QuotaName, [min: number, max: number]> = {
  customerGatewaysPerRegion: [0, 1_000_000],
  vpnConnectionsPerRegion: [0, 1_000_000],
  ramUsersPerAccount: [0, 1_000_000],
  ramGroupsPerAccount: [0, 1_000_000],
  ramRolesPerAccount: [0, 1_000_000],
  customPoliciesPerAccount: [0, 1_000_000],
  accessKeysPerUser: [0, 1_000_000],
  versionsPerPolicy: [1, 1_000_000],
  systemPoliciesPerPrincipal: [0, 1_000_000],
  customPoliciesPerPrincipal: [0, 1_000_000],
  stsSessionPolicyLength: [1, CLOUD_QUOTAS.stsSessionPolicyLength],
};

export const QUOTA_NAMES = Object.keys(CLOUD_QUOTAS) as QuotaName[];

export class ResourceQuotaConfigError extends Error {}

export interface ResourceQuotaSetting {
  quotas: Readonly<ResourceQuotas>;
  /** 'cloud' or the file the figures came from */
  source: string;
}

/** The figures in force for operations whose settings name none (test servers built without a configuration). */
export const quotasOf = (settings: { quotas?: Readonly<ResourceQuotas> }): Readonly<ResourceQuotas> => settings.quotas ?? CLOUD_QUOTAS;

/**
 * Unset → the cloud's figures; otherwise a JSON file `{ "customerGatewaysPerRegion": 10, … }` whose figures
 * replace the cloud's one by one. Unknown names, non-integers and figures out of bounds are refused, naming
 * the file and the figure.
 */
export function parseResourceQuotas(value: string | undefined, readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8')): ResourceQuotaSetting {
  if (value === undefined || value === '') return { quotas: CLOUD_QUOTAS, source: 'cloud' };
  let doc: unknown;
  try {
    doc = JSON.parse(readFile(value));
  } catch (err) {
    throw new ResourceQuotaConfigError(`--quotas ${value}: not a readable JSON file (${(err as Error).message})`);
  }
  return { quotas: quotaDocument(doc, value), source: value };
}

function quotaDocument(doc: unknown, where: string): Readonly<ResourceQuotas> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ResourceQuotaConfigError(`--quotas ${where}: the document must be a JSON object such as {"customerGatewaysPerRegion": 10}`);
  }
  const quotas: ResourceQuotas = { ...CLOUD_QUOTAS };
  for (const [name, figure] of Object.entries(doc)) {
    if (!Object.hasOwn(BOUNDS, name)) {
      throw new ResourceQuotaConfigError(`--quotas ${where}: unknown quota "${name}"; known: ${QUOTA_NAMES.join(', ')}`);
    }
    const [min, max] = BOUNDS[name as QuotaName];
    if (typeof figure !== 'number' || !Number.isInteger(figure) || figure < min || figure > max) {
      throw new ResourceQuotaConfigError(`--quotas ${where}: ${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(figure)}`);
    }
    quotas[name as QuotaName] = figure;
  }
  return Object.freeze(quotas);
}

/** The quota's error, its message naming the figure in force (a configured figure is not the cloud's). */
export function quotaExceeded(definition: ErrorDefinition, limit: number): PopError {
  return new PopError(definition, `${definition.message} The quota is ${limit}.`);
}
