import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../../main/errors.js';
import { describeEnvironment } from '../../../../main/policy/environment.js';
import { loadPolicy } from '../../../../main/policy/policy-loader.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-policy-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function policyWith(text: string): Promise<string> {
  const file = path.join(dir, 'policy.json');
  await fs.writeFile(file, text);
  return file;
}

async function failure(file: string): Promise<CompanionError> {
  const err: unknown = await loadPolicy(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CompanionError);
  return err as CompanionError;
}

describe('loadPolicy', () => {
  it('runs the sandbox when no policy file exists', async () => {
    const loaded = await loadPolicy(path.join(dir, 'absent.json'));
    expect(loaded).toEqual({ policy: { environment: 'sandbox', clients: { preApproved: [] } }, source: null, notices: [] });
  });

  it('reads the environment an admin chose', async () => {
    const file = await policyWith('{"environment": "int"}');
    const loaded = await loadPolicy(file);
    expect(loaded.policy.environment).toBe('int');
    expect(loaded.source).toBe(file);
  });

  it('refuses an unknown environment and names the key', async () => {
    const err = await failure(await policyWith('{"environment": "production"}'));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.message).toContain('"environment"');
    expect(err.message).toContain('"sandbox", "int", "live", "custom"');
  });

  it('refuses a file that is not JSON', async () => {
    const err = await failure(await policyWith('{"environment": '));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.message).toContain('not valid JSON');
  });

  it('refuses a JSON value that is not an object', async () => {
    expect((await failure(await policyWith('["live"]'))).code).toBe('POLICY_INVALID');
  });

  it('reports keys it does not know without refusing to start', async () => {
    const loaded = await loadPolicy(await policyWith('{"environment": "live", "futureKey": 1}'));
    expect(loaded.policy.environment).toBe('live');
    expect(loaded.notices).toEqual(['The machine policy key "futureKey" is not known to this version and was ignored.']);
  });

  it('says the file cannot be read when it is not a file', async () => {
    const err = await failure(dir);
    expect(err.code).toBe('POLICY_UNREADABLE');
    expect(err.message).toContain(dir);
  });
});

describe('describeEnvironment', () => {
  it('marks every environment but live as not for clinical use', () => {
    for (const name of ['sandbox', 'int', 'custom'] as const) {
      const info = describeEnvironment(name);
      expect(info.clinicalUse).toBe(false);
      expect(info.notice).toMatch(/not for clinical use/i);
    }
    expect(describeEnvironment('live')).toMatchObject({ clinicalUse: true, notice: null });
  });
});

describe('automation and pre-approval keys', () => {
  it('reads pre-approved prescribing systems and sandbox automation', async () => {
    const loaded = await loadPolicy(await policyWith('{"clients": {"preApproved": ["EMIS Web"]}, "sandbox": {"autoApprove": true}}'));
    expect(loaded.policy).toMatchObject({ environment: 'sandbox', clients: { preApproved: ['EMIS Web'] }, sandbox: { autoApprove: true } });
  });

  it('refuses sandbox automation in any other environment, so it can never reach a clinical machine', async () => {
    for (const environment of ['int', 'live', 'custom']) {
      const err = await failure(await policyWith(JSON.stringify({ environment, sandbox: { autoApprove: true } })));
      expect(err.code).toBe('POLICY_INVALID');
      expect(err.message).toContain('"sandbox"');
      expect(err.message).toContain(`allowed only with "environment": "sandbox"`);
    }
  });

  it('refuses unknown keys inside a known section', async () => {
    expect((await failure(await policyWith('{"clients": {"preApprove": ["x"]}}'))).message).toContain('"clients"');
  });

  it('reads the card middleware paths, and the sandbox card passcode and clinician', async () => {
    const loaded = await loadPolicy(
      await policyWith('{"pkcs11": {"modules": ["/usr/lib/opensc-pkcs11.so"]}, "sandbox": {"autoApprove": true, "cardPin": "24680", "user": {"uid": "555000000011", "name": "Dr Test"}}}'),
    );
    expect(loaded.policy).toMatchObject({ pkcs11: { modules: ['/usr/lib/opensc-pkcs11.so'] }, sandbox: { cardPin: '24680', user: { uid: '555000000011', name: 'Dr Test' } } });
    expect(loaded.notices).toEqual([]);
  });

  it('refuses a sandbox passcode or clinician outside the sandbox, and a UID that is not digits', async () => {
    const outside = await failure(await policyWith('{"environment": "live", "sandbox": {"cardPin": "1234"}}'));
    expect(outside.message).toContain(`allowed only with "environment": "sandbox"`);
    const uid = await failure(await policyWith('{"sandbox": {"user": {"uid": "dr-who", "name": "x"}}}'));
    expect(uid.message).toContain('"sandbox.user.uid"');
    expect(uid.message).toContain('digits only');
  });
});
