/**
 * The request parameters of an operation as its official SDK model declares them (names() and types() of
 * `<Action>Request`, or of `<Action>ShrinkRequest` where the SDK serialises objects to JSON strings), by
 * wire name; nested models and arrays flattened the way the SDK sends them: `Tags.N.Key`,
 * `TunnelOptionsSpecification.N.TunnelBgpConfig.TunnelCidr`.
 */
import * as Vpc from '@alicloud/vpc20160428';
import * as Ram from '@alicloud/ram20150501';
import * as Sts from '@alicloud/sts20150401';
import type { Operation } from '../../src/products/product';
import { isModelClass, type ModelClass } from './model-conformance';

const SDK_BY_VERSION: Record<string, Record<string, unknown>> = { '2016-04-28': Vpc, '2015-05-01': Ram, '2015-04-01': Sts };

function flatten(model: ModelClass, prefix: string, out: string[]): void {
  const types = model.types();
  for (const [field, wire] of Object.entries(model.names())) {
    const type = types[field];
    if (isModelClass(type)) flatten(type, `${prefix}${wire}.`, out);
    else if (type !== null && typeof type === 'object' && (type as { type?: unknown }).type === 'array') {
      const item = (type as { itemType?: unknown }).itemType;
      if (isModelClass(item)) flatten(item, `${prefix}${wire}.N.`, out);
      else out.push(`${prefix}${wire}.N`);
    } else out.push(`${prefix}${wire}`);
  }
}

/**
 * Wire names (list items as `.N.`); [] for an operation without a request model (GetCallerIdentity) and for
 * CEN (2017-09-12), whose official SDK is not in our registry: its table is checked by test/sdk/cen-api.test.ts.
 */
export function sdkRequestParameters(op: Operation): string[] {
  if (op.product.version === '2017-09-12') return [];
  const sdk = SDK_BY_VERSION[op.product.version];
  if (!sdk) throw new Error(`no SDK for ${op.product.version}`);
  const model = sdk[`${op.action}ShrinkRequest`] ?? sdk[`${op.action}Request`];
  if (model === undefined) return [];
  if (!isModelClass(model)) throw new Error(`${op.action}: not a model class`);
  const out: string[] = [];
  flatten(model, '', out);
  return out;
}
