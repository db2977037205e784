import { pairingCode } from '../../main/pipe/pairing/pairing-code.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { expect, test } from './companion-fixture.js';

const client = { name: 'Example EPR', version: '4.2', vendor: 'Example Ltd' };

test('a prescribing system asks to pair: the clinician compares the code and approves from the keyboard', async ({ page, companion }, testInfo) => {
  await page.goto(companion.ui);
  await expect(page.getByText('No prescribing systems are paired yet.')).toBeVisible();

  const app = await RpcTestClient.connect(companion.pipe);
  const { nonce } = (await app.request('companion.hello', { client, protocolVersion: 1 })).result as { nonce: string };
  const pairing = app.request('companion.pair', { client });

  const prompt = page.getByTestId('pairing-prompt');
  await expect(prompt).toContainText('Pair Example EPR?');
  const code = pairingCode(nonce);
  await expect(prompt).toContainText(`${code.slice(0, 3)} ${code.slice(3)}`);
  // Focus goes to the question, so a keyboard user meets it first.
  await expect(page.getByRole('heading', { name: 'Pair Example EPR?' })).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('pairing-prompt.png'), fullPage: true });

  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Pair this application' })).toBeFocused();
  await page.keyboard.press('Enter');

  const result = (await pairing).result as { clientId: string; clientSecret: string };
  expect(result.clientId).toMatch(/^[0-9a-f-]{36}$/);
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('paired-apps')).toContainText('Example EPR');
  await expect(page.getByTestId('paired-apps')).toContainText('approved by you');

  await page.getByRole('button', { name: 'Remove Example EPR' }).click();
  await expect(page.getByText('No prescribing systems are paired yet.')).toBeVisible();
  await app.close();
});

test('declining refuses the application with DECLINED', async ({ page, companion }) => {
  await page.goto(companion.ui);
  const app = await RpcTestClient.connect(companion.pipe);
  await app.request('companion.hello', { client, protocolVersion: 1 });
  const pairing = app.request('companion.pair', { client });
  await page.getByRole('button', { name: 'Decline' }).click();
  expect((await pairing).error?.data?.code).toBe('DECLINED');
  await app.close();
});
