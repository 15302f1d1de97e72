/** Reading request parameters: required strings, integers in a range, enums. Errors from the catalogue. */
import { illegalParam, missingParameter, type PopError } from '../pop/errors';
import type { Params } from '../pop/signature';

export function requiredString(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** An integer in [min, max]; absent or empty → fallback; anything else → the given error. */
export function integerInRange(params: Params, name: string, min: number, max: number, fallback: number, error: () => PopError): number {
  const text = params[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,10}$/.test(text)) throw error();
  const value = Number(text);
  if (value < min || value > max) throw error();
  return value;
}

/**
 * RegionId: required, and shaped like a region ID (cn-hangzhou, ap-southeast-1, …). Any such region is
 * accepted (vcoroute has no region catalogue); the shape check keeps `:` and `/` out of resource ARNs.
 */
export function regionIdParam(params: Params): string {
  const regionId = requiredString(params, 'RegionId');
  if (!/^[a-z]{2,}(-[a-z0-9]+){1,4}$/.test(regionId)) throw illegalParam('RegionId', 'The specified RegionId is invalid, e.g. cn-hangzhou.');
  return regionId;
}
