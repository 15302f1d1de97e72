/** The official VPC client (V3 by default) pointed at a test server, and a helper to expect an SDK error. */
import assert from 'node:assert/strict';
import Vpc from '@alicloud/vpc20160428';
import { noteStatus } from './http';
import { ROOT, type TestServer } from './server';

export type VpcClient = InstanceType<typeof Vpc>;

export function vpcClient(server: TestServer, extra: Record<string, unknown> = {}): VpcClient {
  return new (Vpc as any)({
    accessKeyId: ROOT.accessKeyId,
    accessKeySecret: ROOT.accessKeySecret,
    endpoint: server.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    ...extra,
  });
}

/** Runs an SDK call that must fail; returns the SDK error after checking its code and HTTP status. */
export async function expectSdkError(call: Promise<unknown>, code: string, status: number): Promise<any> {
  try {
    await call;
  } catch (err: any) {
    noteStatus(err.statusCode, `${code} expected`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.statusCode, status, err.message);
    for (const field of ['RequestId', 'HostId', 'Code', 'Message']) assert.ok(err.data?.[field], `error body carries ${field}`);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}
