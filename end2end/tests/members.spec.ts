import { expect, test } from '@playwright/test';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

test('owners see the 2FA column and filter; a plain member sees no 2FA status', async ({ browser, request }) => {
  const memberEmail = await signUpViaApi(request, 'Mia');
  const slug = `team-${Date.now()}`;

  const ownerPage = await (await browser.newContext()).newPage();
  const ownerEmail = await signUpViaApi(ownerPage.request, 'Owen');
  await ownerPage.request.post('/api/create_org', { form: { name: 'Team', slug } });
  await ownerPage.request.post('/api/add_member', { form: { slug, email: memberEmail, role: 'member' } });
  await ownerPage.goto(`/orgs/${slug}`);
  await hydrated(ownerPage);
  await expect(ownerPage.getByRole('columnheader', { name: '2FA' })).toBeVisible();
  await expect(ownerPage.getByText('0 of 2 members have two-factor authentication enabled')).toBeVisible();
  await expect(ownerPage.getByRole('row', { name: new RegExp(memberEmail) }).getByText('Disabled')).toBeVisible();
  await ownerPage.getByRole('navigation', { name: 'Filter by two-factor authentication' }).getByRole('link', { name: 'Enabled' }).click();
  await expect(ownerPage.getByRole('row', { name: new RegExp(memberEmail) })).toHaveCount(0);
  await expect(ownerPage.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/orgs/${slug}/members.csv`);

  const memberPage = await (await browser.newContext()).newPage();
  await logIn(memberPage, memberEmail, PASSWORD);
  await expect(memberPage.getByRole('heading', { name: 'Welcome, Mia' })).toBeVisible();
  await memberPage.goto(`/orgs/${slug}`);
  await hydrated(memberPage);
  await expect(memberPage.getByRole('row', { name: /Owen/ })).toBeVisible();
  await expect(memberPage.getByText(ownerEmail)).toHaveCount(0);
  await expect(memberPage.getByRole('columnheader', { name: '2FA' })).toHaveCount(0);
  await expect(memberPage.getByText('have two-factor authentication enabled')).toHaveCount(0);
  // Not in the hydration data either (the org's own policy field is fine).
  expect(await memberPage.content()).not.toMatch(/two_factor\\?":/);
});
