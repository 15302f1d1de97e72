/**
 * RAM/STS test helpers: the official RAM, STS and VPC clients for any credentials (root, RAM user, STS),
 * and shortcuts to create users with keys and attached policies.
 */
import assert from 'node:assert/strict';
import Ram, * as $Ram from '@alicloud/ram20150501';
import Sts, * as $Sts from '@alicloud/sts20150401';
import Vpc from '@alicloud/vpc20160428';
import { noteStatus } from './http';
import type { TestServer } from './server';

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

type Extra = Record<string, unknown>;
/** A server in this process (TestServer) or in its own (ServerProcess): clients need only its endpoint. */
type Endpoint = Pick<TestServer, 'endpoint'>;
const options = (server: Endpoint, creds: Creds, extra: Extra) => ({
  ...creds, endpoint: server.endpoint, protocol: 'http', regionId: 'cn-hangzhou', ...extra,
});

export const ramClient = (server: Endpoint, creds: Creds, extra: Extra = {}): Ram => new (Ram as any)(options(server, creds, extra));
export const stsClient = (server: Endpoint, creds: Creds, extra: Extra = {}): Sts => new (Sts as any)(options(server, creds, extra));
export const vpcClientFor = (server: Endpoint, creds: Creds, extra: Extra = {}): Vpc => new (Vpc as any)(options(server, creds, extra));

/** Runs an SDK call that must fail with `code`/`status`; returns the SDK error. */
export async function sdkError(call: Promise<unknown>, code: string, status: number): Promise<any> {
  try {
    await call;
  } catch (err: any) {
    if (typeof err?.statusCode !== 'number') throw err;
    noteStatus(err.statusCode, `${code} expected`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.statusCode, status, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** A denial: the code, 403, and AccessDeniedDetail as the SDK exposes it. */
export async function denied(call: Promise<unknown>, code: string, detail: Record<string, string>): Promise<any> {
  const err = await sdkError(call, code, 403);
  assert.ok(err.accessDeniedDetail, 'the SDK exposes AccessDeniedDetail');
  for (const [k, v] of Object.entries(detail)) assert.equal(err.accessDeniedDetail[k], v, `AccessDeniedDetail.${k}`);
  for (const k of ['AuthAction', 'AuthPrincipalType', 'AuthPrincipalOwnerId', 'AuthPrincipalDisplayName', 'PolicyType', 'NoPermissionType']) {
    assert.equal(typeof err.accessDeniedDetail[k], 'string', `AccessDeniedDetail.${k} present`);
  }
  return err;
}

export async function createPolicy(ram: Ram, name: string, document: unknown): Promise<void> {
  await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: name, policyDocument: typeof document === 'string' ? document : JSON.stringify(document) }));
}

export type PolicyRef = { type: 'System' | 'Custom'; name: string };

/** Creates a RAM user, attaches policies, creates an AccessKey; returns the key. */
export async function userWithKey(ram: Ram, userName: string, policies: PolicyRef[] = []): Promise<Creds> {
  await ram.createUser(new $Ram.CreateUserRequest({ userName }));
  for (const p of policies) await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName, policyType: p.type, policyName: p.name }));
  const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName }))).body!.accessKey!;
  return { accessKeyId: key.accessKeyId!, accessKeySecret: key.accessKeySecret! };
}

export async function assumeRole(sts: Sts, roleArn: string, sessionName: string, extra: Partial<$Sts.AssumeRoleRequest> = {}): Promise<Creds & { expiration: string }> {
  const c = (await sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: sessionName, ...extra }))).body!.credentials!;
  return { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, securityToken: c.securityToken!, expiration: c.expiration! };
}

export const doc = (...statements: unknown[]) => JSON.stringify({ Version: '1', Statement: statements });

/** Names Object.prototype answers to: a look-up keyed by client input must treat them as ordinary names. */
export const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString'];
/** The outcome of an SDK call: 'ok' or the error code (anything but an API error is rethrown). */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err: any) {
    if (typeof err?.code !== 'string' || typeof err?.statusCode !== 'number') throw err;
    return err.code as string;
  }
}
