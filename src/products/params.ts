/** Reading request parameters: required strings, integers in a range, enums. Errors from the catalogue. */
import { illegalParam, missingParameter, type PopError } from '../pop/errors';
import type { Params } from '../pop/signature';
import { hasNonXmlChar } from '../pop/encoding';

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

/**
 * A product's parameter table: the most characters each of its parameters may have, by wire name; items of
 * flattened lists are written `Prefix.N.Rest` (Tags.N.Key). One table per product, checked for every
 * operation before its own parsing (defineOperation), so an over-long value is refused before any lookup
 * or policy evaluation. Parameters outside the table (signature parameters, names no operation reads)
 * are bounded by the request-wide cap (MAX_PARAMETER_VALUE in pop/request.ts).
 */
export interface ParameterTable {
  readonly maxLength: Readonly<Record<string, number>>;
  /** the product's error for a value that is too long, or holds a character no response could carry */
  invalid(name: string, rule: 'Length' | 'InvalidChars', message: string): PopError;
}

/** `Tags.3.Key` → `Tags.N.Key`: the table name of a flattened list item. */
export function tableName(key: string): string {
  return key.replace(/\.\d+(?=\.|$)/g, '.N');
}

/**
 * Checks every parameter against the product's table: length first, then characters. A character outside
 * XML 1.0 (a control character, U+FFFE, …) is refused in every parameter: stored, it would make Format=XML
 * responses ill-formed (decided: Alibaba documents no character set for names and descriptions).
 */
export function checkParameterTable(table: ParameterTable, params: Params): void {
  for (const key of Object.keys(params)) {
    const value = params[key]!;
    const name = tableName(key);
    const max = Object.prototype.hasOwnProperty.call(table.maxLength, name) ? table.maxLength[name]! : undefined;
    if (max !== undefined && value.length > max) {
      throw table.invalid(name, 'Length', `The parameter ${key} is too long: it must be at most ${max} characters.`);
    }
    if (hasNonXmlChar(value)) {
      throw table.invalid(name, 'InvalidChars', `The parameter ${key} contains a control or non-character code point, which is not allowed.`);
    }
  }
}
