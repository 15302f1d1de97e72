import type { Operation } from '../product';
import { assumeRole } from './assume-role';
import { getCallerIdentity } from './get-caller-identity';

export const STS_OPERATIONS: readonly Operation[] = [assumeRole, getCallerIdentity];
