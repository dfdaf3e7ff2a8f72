import { expect, test } from '@playwright/test';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

// The Account page's "Personal access tokens": generate one, copy it (the
// value shown once), call the API with it, revoke it, and the call fails.
test('a token made on the Account page calls the API until it is revoked', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const email = await signUpViaApi(request, 'Tina');
  await logIn(page, email);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/account');
  await hydrated(page);

  const section = page.getByRole('region', { name: 'Personal access tokens' });
  await expect(section.getByText('No personal access tokens.')).toBeVisible();
  await section.locator('summary', { hasText: 'Generate token' }).click();
  await section.getByLabel('Name').fill('CI deploy job');
  await section.getByLabel(/^read/).check();
  await section.getByLabel('Expiration').selectOption('0');
  await expect(section.getByText('A token that never expires works until you revoke it')).toBeVisible();
  await section.getByLabel('Expiration').selectOption('30');
  await section.getByLabel('Your password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Generate token' }).click();

  const shown = section.getByLabel('Token', { exact: true });
  await expect(shown).toHaveText(/^pcl_pat_[0-9A-Za-z]{38}$/);
  const token = (await shown.textContent())!.trim();
  await section.getByRole('button', { name: 'Copy' }).click();
  await expect(section.getByRole('button', { name: 'Copied' })).toBeVisible();
  // What "Copy" put on the clipboard is the token shown.
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await expect(section.getByText('CI deploy job', { exact: true })).toBeVisible();

  // A program calls the API with it: no cookies, only the header.
  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status(), await me.text()).toBe(200);
  expect((await me.json()).email).toBe(email);

  await section.getByRole('button', { name: 'Revoke CI deploy job' }).click();
  await expect(section.getByText('No personal access tokens.')).toBeVisible();
  const after = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).message).toBe('This token has been revoked.');
});
