/** The pure part of resource quotas: the cloud's figures, the configuration parser, the quota error. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';
import { E } from '../../src/pop/errors';
import {
  CLOUD_QUOTAS, QUOTA_NAMES, parseResourceQuotas, quotaExceeded, quotasOf, ResourceQuotaConfigError,
} from '../../src/quotas/resource-quotas';

const file = (doc: unknown) => () => JSON.stringify(doc);

describe('resource quotas', () => {
  test("the cloud's figures (ram.md §7, the STS Policy parameter, the decided VPC figures)", () => {
    assert.deepEqual({ ...CLOUD_QUOTAS }, {
      customerGatewaysPerRegion: 100, vpnConnectionsPerRegion: 50, ramUsersPerAccount: 1000, ramGroupsPerAccount: 50, ramRolesPerAccount: 1000,
      customPoliciesPerAccount: 1500, accessKeysPerUser: 2, versionsPerPolicy: 5, systemPoliciesPerPrincipal: 20, customPoliciesPerPrincipal: 10,
      stsSessionPolicyLength: 2048,
    });
    assert.ok(Object.isFrozen(CLOUD_QUOTAS));
    assert.equal(QUOTA_NAMES.length, 11);
  });

  test('unset: the cloud figures; a file replaces figures one by one and keeps the rest', () => {
    assert.deepEqual(parseResourceQuotas(undefined), { quotas: CLOUD_QUOTAS, source: 'cloud' });
    assert.deepEqual(parseResourceQuotas(''), { quotas: CLOUD_QUOTAS, source: 'cloud' });
    const set = parseResourceQuotas('q.json', file({ customerGatewaysPerRegion: 10, ramUsersPerAccount: 0, stsSessionPolicyLength: 100 }));
    assert.equal(set.source, 'q.json');
    assert.deepEqual({ ...set.quotas }, { ...CLOUD_QUOTAS, customerGatewaysPerRegion: 10, ramUsersPerAccount: 0, stsSessionPolicyLength: 100 });
    assert.ok(Object.isFrozen(set.quotas));
    assert.equal(CLOUD_QUOTAS.customerGatewaysPerRegion, 100, 'the cloud table is untouched');
    assert.deepEqual({ ...parseResourceQuotas('q.json', file({})).quotas }, { ...CLOUD_QUOTAS });
  });

  test('bad documents are refused, naming the file and the figure', () => {
    const refused: [unknown, RegExp][] = [
      [[], /must be a JSON object/],
      [null, /must be a JSON object/],
      [42, /must be a JSON object/],
      [{ customerGateways: 1 }, /unknown quota "customerGateways"; known: customerGatewaysPerRegion, /],
      [{ toString: 1 }, /unknown quota "toString"/],
      [{ ramUsersPerAccount: -1 }, /ramUsersPerAccount must be an integer from 0 to 1000000, not -1/],
      [{ ramUsersPerAccount: 1.5 }, /not 1.5/],
      [{ ramUsersPerAccount: '10' }, /not "10"/],
      [{ ramUsersPerAccount: 1_000_001 }, /from 0 to 1000000/],
      [{ versionsPerPolicy: 0 }, /versionsPerPolicy must be an integer from 1 to/],
      [{ stsSessionPolicyLength: 2049 }, /stsSessionPolicyLength must be an integer from 1 to 2048/],
      [{ stsSessionPolicyLength: 0 }, /from 1 to 2048/],
    ];
    for (const [doc, message] of refused) {
      assert.throws(() => parseResourceQuotas('q.json', file(doc)), (err: Error) => err instanceof ResourceQuotaConfigError && /^--quotas q\.json: /.test(err.message) && message.test(err.message), JSON.stringify(doc));
    }
    assert.throws(() => parseResourceQuotas('q.json', () => '{"a":'), /--quotas q\.json: not a readable JSON file/);
    assert.throws(() => parseResourceQuotas('/nonexistent/q.json'), /not a readable JSON file \(ENOENT/);
  });

  test('configuration: --quotas beats VCOROUTE_QUOTAS; a bad file stops the start with a ConfigError', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-quotas-'));
    try {
      const a = path.join(dir, 'a.json');
      const b = path.join(dir, 'b.json');
      fs.writeFileSync(a, JSON.stringify({ ramRolesPerAccount: 3 }));
      fs.writeFileSync(b, JSON.stringify({ ramRolesPerAccount: 4 }));
      assert.deepEqual(loadConfig({}, {}).quotas, { quotas: CLOUD_QUOTAS, source: 'cloud' });
      assert.equal(loadConfig({}, { VCOROUTE_QUOTAS: a }).quotas.quotas.ramRolesPerAccount, 3);
      assert.equal(loadConfig({ quotas: b }, { VCOROUTE_QUOTAS: a }).quotas.quotas.ramRolesPerAccount, 4);
      fs.writeFileSync(b, JSON.stringify({ ramRoles: 4 }));
      assert.throws(() => loadConfig({ quotas: b }, {}), (err: Error) => err instanceof ConfigError && err.message.includes('unknown quota "ramRoles"'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('operations without configured quotas get the cloud figures; the error names the figure in force', () => {
    assert.equal(quotasOf({}), CLOUD_QUOTAS);
    const own = { ...CLOUD_QUOTAS, ramGroupsPerAccount: 2 };
    assert.equal(quotasOf({ quotas: own }), own);
    const err = quotaExceeded(E.CustomerGatewayQuotaExceeded, 10);
    assert.equal(err.code, 'QuotaExceeded.CustomerGateway');
    assert.equal(err.status, 400);
    assert.equal(err.message, 'The number of customer gateways in the region exceeds the quota. The quota is 10.');
    assert.equal(quotaExceeded(E.LimitExceededRole, 2).status, 409);
  });
});
