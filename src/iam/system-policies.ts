/**
 * The system policies vcoroute ships (ram.md §5: "the few system policies its tests need"). Documents
 * are reduced to the products vcoroute emulates; the list is a project choice (docs/compatibility.md).
 */

export interface SystemPolicy {
  name: string;
  description: string;
  document: string;
  createDate: number;
}

const CREATED = Date.parse('2015-01-01T00:00:00Z');

const doc = (statements: unknown[]) => JSON.stringify({ Version: '1', Statement: statements });

const LIST: SystemPolicy[] = [
  {
    name: 'AliyunVPCFullAccess',
    description: 'Provides full access to Virtual Private Cloud (VPC) via Management Console.',
    document: doc([{ Action: 'vpc:*', Resource: '*', Effect: 'Allow' }]),
    createDate: CREATED,
  },
  {
    name: 'AliyunVPCReadOnlyAccess',
    description: 'Provides read-only access to Virtual Private Cloud (VPC) via Management Console.',
    document: doc([{ Action: ['vpc:Describe*', 'vpc:Get*', 'vpc:List*', 'vpc:Check*'], Resource: '*', Effect: 'Allow' }]),
    createDate: CREATED,
  },
  {
    name: 'AliyunSTSAssumeRoleAccess',
    description: 'Provides access to assume RAM roles through Security Token Service (STS).',
    document: doc([{ Action: 'sts:AssumeRole', Resource: '*', Effect: 'Allow' }]),
    createDate: CREATED,
  },
  {
    name: 'AliyunRAMFullAccess',
    description: 'Provides full access to Resource Access Management (RAM).',
    document: doc([{ Action: 'ram:*', Resource: '*', Effect: 'Allow' }]),
    createDate: CREATED,
  },
  {
    name: 'AliyunRAMReadOnlyAccess',
    description: 'Provides read-only access to Resource Access Management (RAM).',
    document: doc([{ Action: ['ram:Get*', 'ram:List*'], Resource: '*', Effect: 'Allow' }]),
    createDate: CREATED,
  },
];

const BY_NAME = new Map(LIST.map((p) => [p.name, p]));

export function systemPolicy(name: string): SystemPolicy | undefined {
  return BY_NAME.get(name);
}

export function systemPolicies(): readonly SystemPolicy[] {
  return LIST;
}
