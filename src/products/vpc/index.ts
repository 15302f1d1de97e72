import type { Operation } from '../product';
import { describeVcoRouteEntries } from './describe-vco-route-entries';

export const VPC_OPERATIONS: readonly Operation[] = [describeVcoRouteEntries];
