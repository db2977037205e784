import net from 'node:net';
import { expect, test } from './companion-fixture.js';

test('the window loads from the headless host, marked as sandbox, with nothing waiting', async ({ page, companion }, testInfo) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(companion.ui);
  await expect(page.getByRole('region', { name: 'Environment' })).toContainText('SANDBOX');
  await expect(page.getByRole('region', { name: 'Environment' })).toContainText('Not for clinical use');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Prescriptions to sign');
  await expect(page.getByText('No prescriptions are waiting for your signature.')).toBeVisible();
  await expect(page.getByTestId('status')).toContainText('Not signed in');
  await expect(page.getByTestId('status')).toContainText(companion.pipe);
  await expect(page).toHaveTitle('Signing Companion');

  const screenshot = testInfo.outputPath('window.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('window', { path: screenshot, contentType: 'image/png' });
  // No CSP violation, failed load or script error: every file the page needs is its own.
  expect(problems).toEqual([]);
});

test('shows prescribing systems connecting and leaving, as they do', async ({ page, companion }) => {
  await page.goto(companion.ui);
  const status = page.getByTestId('status');
  await expect(status).toContainText('None connected');
  const client = net.connect(companion.pipe);
  await new Promise((resolve) => client.once('connect', resolve));
  await expect(status).toContainText('1 connection');
  client.destroy();
  await expect(status).toContainText('None connected');
});

test('says so when the companion stops, instead of showing stale state', async ({ page, companion }) => {
  await page.goto(companion.ui);
  await expect(page.getByTestId('status')).toBeVisible();
  await companion.stop();
  await expect(page.getByRole('alert')).toContainText('Signing Companion has stopped');
  await expect(page.getByTestId('status')).toHaveCount(0);
});

test('works from the keyboard: the first Tab reaches the skip link, which moves focus to the content', async ({ page, companion }) => {
  await page.goto(companion.ui);
  await expect(page.getByTestId('status')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('the page cannot be loaded without the token from the discovery file', async ({ page, companion }) => {
  const origin = new URL(companion.ui).origin;
  const response = await page.goto(`${origin}/`);
  expect(response?.status()).toBe(404);
  const wrong = await page.goto(`${origin}/s/${'A'.repeat(43)}/`);
  expect(wrong?.status()).toBe(404);
});
