/**
 * The operation table: (version, action) → operation (handler, RAM action, resource ARN).
 * Adding an operation means adding it to its product's list; the pipeline needs no change.
 */
import type { Operation, Product } from './products/product';
import { VPC_OPERATIONS } from './products/vpc';
import { RAM_OPERATIONS } from './products/ram';
import { STS_OPERATIONS } from './products/sts';
import { CBN_OPERATIONS } from './products/cbn';

/** Every operation the server has, in product order (tests enumerate it). */
export const ALL_OPERATIONS: readonly Operation[] = [...VPC_OPERATIONS, ...RAM_OPERATIONS, ...STS_OPERATIONS, ...CBN_OPERATIONS];

export class OperationTable {
  private readonly byVersion = new Map<string, { product: Product; actions: Map<string, Operation> }>();

  constructor(operations: readonly Operation[] = ALL_OPERATIONS) {
    for (const op of operations) {
      let entry = this.byVersion.get(op.product.version);
      if (!entry) this.byVersion.set(op.product.version, (entry = { product: op.product, actions: new Map() }));
      if (entry.actions.has(op.action)) throw new Error(`duplicate operation ${op.product.version}/${op.action}`);
      entry.actions.set(op.action, op);
    }
  }

  product(version: string): Product | undefined {
    return this.byVersion.get(version)?.product;
  }

  find(version: string, action: string): Operation | undefined {
    return this.byVersion.get(version)?.actions.get(action);
  }
}
