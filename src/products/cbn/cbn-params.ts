/**
 * CEN parameter rules (cen-api.md §1, §1.1) and the product's own limits: names, descriptions, Tag.N (singular
 * Tag, unlike VPC's Tags.N), ID lists, the two paging styles and their NextToken encoding. Where the reference
 * is silent the choice is recorded in docs/compatibility.md ("CEN and transit-router routing").
 */
import { E, PopError, illegalParam } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import type { Tag } from '../../store/store';
import { integerInRange, optionalString } from '../params';
import { flattenedList } from '../vpc/vpc-params';

/** Limits of this product's parameters (characters unless noted). */
export const CEN_LIMITS = {
  name: 128,
  description: 256,
  tags: 20,
  tagKey: 64,
  tagValue: 128,
  ids: 20,
  /** a free-text filter value (IDs, statuses) */
  idLength: 64,
  pageSize: 50,
  maxResults: 100,
} as const;

/** Name-like values: empty or 1–max characters, not starting with http:// or https:// (SDK 1.4.4). */
function textParam(params: Params, name: string, max: number, error: PopError): string | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  if (text.length > max || /^https?:\/\//i.test(text)) throw error;
  return text;
}

export const nameParam = (params: Params, name: string) => textParam(params, name, CEN_LIMITS.name, new PopError(E.CenInvalidName, `The specified ${name} is invalid. It must be 1 to 128 characters and cannot start with http:// or https://.`)) ?? '';
export const descriptionParam = (params: Params, name: string) => textParam(params, name, CEN_LIMITS.description, new PopError(E.CenInvalidDescription, `The specified ${name} is invalid. It must be 1 to 256 characters and cannot start with http:// or https://.`)) ?? '';

/** An ID-like parameter: bounded, printable, no ARN separators (it may land in a resource ARN). */
export function idParam(params: Params, name: string): string | undefined {
  const text = optionalString(params, name);
  if (text === undefined) return undefined;
  if (text.length > CEN_LIMITS.idLength || !/^[A-Za-z0-9._-]+$/.test(text)) throw illegalParam(name, `The specified ${name} is invalid.`);
  return text;
}

/** CEN's spelling of a missing parameter: MissingParam.{Name} (e.g. MissingParam.TransitRouterRouteTableId). */
export function missingParam(name: string): PopError {
  return new PopError({ code: `MissingParam.${name}`, status: 400, message: `The parameter ${name} is mandatory.` });
}

export function requiredIdParam(params: Params, name: string): string {
  const id = idParam(params, name);
  if (id === undefined) throw missingParam(name);
  return id;
}

/**
 * Tag.N.Key / Tag.N.Value: at most 20; key 1–64, value ≤128, neither starting with aliyun or acs: nor containing
 * http(s)://. `codes` chooses the documented family (InvalidTagKey on CEN instances, IllegalParam.TagKey on TRs).
 */
export function cenTagsParam(params: Params, codes: 'Invalid' | 'IllegalParam' = 'Invalid'): Tag[] {
  const keyError = new PopError(codes === 'Invalid' ? E.CenInvalidTagKey : E.CenIllegalParamTagKey);
  const valueError = new PopError(codes === 'Invalid' ? E.CenInvalidTagValue : E.CenIllegalParamTagValue);
  const tags: Tag[] = [];
  const bad = (t: string) => /^(aliyun|acs:)/i.test(t) || /https?:\/\//i.test(t);
  let items;
  try {
    items = flattenedList(params, 'Tag', CEN_LIMITS.tags);
  } catch {
    throw keyError;
  }
  for (const item of items.values()) {
    const key = item.Key ?? '';
    const value = item.Value ?? '';
    if (key.length < 1 || key.length > CEN_LIMITS.tagKey || bad(key) || tags.some((t) => t.key === key)) throw keyError;
    if (value.length > CEN_LIMITS.tagValue || bad(value)) throw valueError;
    tags.push({ key, value });
  }
  return tags;
}

/** Every tag filter must be on the resource (DescribeCens / List* Tag.N filters). */
export function matchesTags(resourceTags: readonly Tag[], filter: readonly Tag[]): boolean {
  return filter.every((f) => resourceTags.some((t) => t.key === f.key && (f.value === '' || t.value === f.value)));
}

/** Name.N values (e.g. TransitRouterRouteTableIds.N): at most 20, by N. */
export function indexedValues(params: Params, prefix: string): string[] {
  const out: { n: number; value: string }[] = [];
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(head)) continue;
    const n = Number(key.slice(head.length));
    if (!Number.isInteger(n) || n < 1 || n > CEN_LIMITS.ids) throw illegalParam(prefix, `The parameter ${key} is invalid: ${prefix}.N must use N from 1 to ${CEN_LIMITS.ids}.`);
    if (value.length > CEN_LIMITS.idLength) throw illegalParam(prefix, `The parameter ${key} is too long.`);
    if (value !== '') out.push({ n, value });
  }
  return out.sort((a, b) => a.n - b.n).map((v) => v.value);
}

export interface PageRequest { pageNumber: number; pageSize: number }
export interface TokenRequest { offset: number; maxResults: number }

/** PageNumber (default 1) / PageSize 1–50 (default 10): DescribeCens, ListTransitRouters. */
export function pageParams(params: Params): PageRequest {
  return {
    pageNumber: integerInRange(params, 'PageNumber', 1, 1_000_000, 1, () => new PopError(E.IllegalParamPageNumber)),
    pageSize: integerInRange(params, 'PageSize', 1, CEN_LIMITS.pageSize, 10, () => new PopError(E.IllegalParamPageSize)),
  };
}

/** Decided: NextToken is opaque to clients — base64url of "o:{offset}" into the listing order. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** MaxResults 1–100 (default per operation), NextToken as encodeNextToken made it (anything else: IllegalParam.NextToken). */
export function tokenParams(params: Params, defaultMax: number): TokenRequest {
  const maxResults = integerInRange(params, 'MaxResults', 1, CEN_LIMITS.maxResults, defaultMax, () => new PopError(E.CenIllegalParamMaxResults));
  const token = params.NextToken;
  if (token === undefined || token === '') return { offset: 0, maxResults };
  const m = token.length <= 32 ? /^o:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('latin1')) : null;
  if (!m || encodeNextToken(Number(m[1])) !== token) throw new PopError(E.CenIllegalParamNextToken);
  return { offset: Number(m[1]), maxResults };
}

/** One token-style page of `items`: members MaxResults, NextToken ('' on the last page), TotalCount, and the items. */
export function tokenPage<T>(items: readonly T[], req: TokenRequest): { page: T[]; members: { TotalCount: number; MaxResults: number; NextToken: string } } {
  const page = items.slice(req.offset, req.offset + req.maxResults);
  const next = req.offset + req.maxResults;
  return { page, members: { TotalCount: items.length, MaxResults: req.maxResults, NextToken: next < items.length ? encodeNextToken(next) : '' } };
}

/** One page-style page of `items`. */
export function numberedPage<T>(items: readonly T[], req: PageRequest): { page: T[]; members: { TotalCount: number; PageNumber: number; PageSize: number } } {
  const start = (req.pageNumber - 1) * req.pageSize;
  return { page: items.slice(start, start + req.pageSize), members: { TotalCount: items.length, PageNumber: req.pageNumber, PageSize: req.pageSize } };
}

/** Plain `[{Key, Value}]` as transit routers, attachments and tables show tags. */
export const plainTags = (tags: readonly Tag[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));
