import { expectedProof } from '../../main/pipe/pairing/pairing-code.js';
import type { SignItemResult } from '../../main/signing/sign-request.js';
import { prepareCases } from '../support/eps-corpus.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { expect, test } from './companion-fixture.js';

const client = { name: 'Example EPR', version: '4.2', vendor: 'Example Ltd' };
const cases = prepareCases();
const acute = cases.find((c) => c.name === 'primary-care_acute_nominated-pharmacy_medical-prescriber_1')!;
const controlled = cases.find((c) => c.name === 'secondary-care_community_acute_nominated-pharmacy_clinical-practitioner_controlled-drugs_1')!;

test('the clinician signs in when asked, checks a batch with a controlled drug, and signs it from the keyboard', async ({ page, companion }, testInfo) => {
  await page.goto(companion.ui);

  // The prescribing system pairs (approved in the window) and proves itself on a new connection.
  const first = await RpcTestClient.connect(companion.pipe);
  await first.request('companion.hello', { client, protocolVersion: 1 });
  const pairing = first.request('companion.pair', { client });
  await page.getByRole('button', { name: 'Pair this application' }).click();
  const { clientId, clientSecret } = (await pairing).result as { clientId: string; clientSecret: string };
  await first.close();
  const app = await RpcTestClient.connect(companion.pipe);
  const { nonce } = (await app.request('companion.hello', { client, protocolVersion: 1 })).result as { nonce: string };
  await app.request('companion.hello', { client, protocolVersion: 1, clientId, proof: expectedProof(clientSecret, nonce) });

  // It asks for sign-in; the clinician answers in the window.
  const signingIn = app.request('session.signIn', {});
  await expect(page.getByRole('heading', { name: 'Your prescribing system asks you to sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect((await signingIn).result).toMatchObject({ signedIn: true });
  await expect(page.getByTestId('session')).toContainText('Signed in as Sandbox Clinician');

  const signing = app.request('signing.sign', {
    prescriptions: [
      { id: 'acute', format: 'fhir-bundle', content: acute.request, prepared: { digest: acute.digest, timestamp: acute.timestamp, algorithm: acute.algorithm } },
      { id: 'cd', format: 'fhir-bundle', content: controlled.request, prepared: { digest: controlled.digest, timestamp: controlled.timestamp, algorithm: controlled.algorithm } },
    ],
  });
  const confirmation = page.getByTestId('confirmation');
  await expect(page.getByRole('heading', { level: 1, name: /Check and sign 2 prescriptions/ })).toBeFocused();
  await expect(confirmation).toContainText('From Example EPR');
  await expect(page.getByTestId('prescription')).toHaveCount(2);
  await expect(page.getByTestId('controlled-drug').first()).toBeVisible();
  await expect(confirmation).toContainText('1 prescription has a controlled drug');
  await page.screenshot({ path: testInfo.outputPath('confirmation.png'), fullPage: true });

  // A wrong passcode: the window says so and puts the clinician back in the field.
  const passcode = page.getByLabel('Smartcard passcode');
  await passcode.fill('9999');
  await passcode.press('Enter');
  await expect(page.getByTestId('confirmation-message')).toContainText('incorrect');
  await expect(passcode).toBeFocused();
  await expect(passcode).toHaveValue('');

  await page.keyboard.type('1234');
  await page.keyboard.press('Enter');
  const results = ((await signing).result as { results: SignItemResult[] }).results;
  expect(results.map((r) => [r.id, r.status, r.signedInfo])).toEqual([
    ['acute', 'signed', acute.digest],
    ['cd', 'signed', controlled.digest],
  ]);
  await expect(page.getByRole('heading', { level: 1, name: 'Prescriptions to sign' })).toBeVisible();
  await app.close();
});
