import { expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, uniqueEmail } from './helpers';

// Runs in the "no-js" project (playwright.config.ts): JavaScript is off, so every
// step below is a plain HTML form post and a server-rendered page.

test('sign up, create an organization, log in with a recovery code, log out, the Members tab', async ({ page }) => {
  const email = uniqueEmail('Nora');
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Nora');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Nora' })).toBeVisible();

  await page.goto('/orgs/new');
  await page.getByLabel('Name').fill('Quiet Co');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/orgs\/quiet-co/);

  // The enrollment dialog needs JavaScript; its server functions are the same without it.
  const start = await (await page.request.post('/api/start_enrollment', { form: { password: PASSWORD } })).json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(start.setup_key.replace(/\s+/g, '')), digits: 6, period: 30 });
  const checked = await page.request.post('/api/check_enrollment_code', { form: { code: totp.generate() } });
  expect(checked.status()).toBe(200);
  const backupCodes: string[] = await checked.json();
  expect((await page.request.post('/api/finish_enrollment')).status()).toBe(200);

  // Log out from the account menu (a <details> element opens without JavaScript).
  await page.goto('/account');
  await page.getByLabel('Account menu for Nora').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);

  // Password, then the second step with a recovery code.
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  await page.getByRole('link', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Enter one of your backup codes').fill(backupCodes[0]);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('You have 4 backup codes left')).toBeVisible();
  await page.getByRole('link', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Nora' })).toBeVisible();

  // The Members tab: the owner, protected by 2FA; an invitation sent with the plain form.
  await page.goto('/orgs/quiet-co');
  await expect(page.getByText('1 of 1 members have two-factor authentication enabled')).toBeVisible();
  const row = page.getByRole('row', { name: /Nora/ });
  await expect(row.getByRole('combobox', { name: 'Role of Nora' })).toHaveValue('owner');
  await expect(row.getByRole('cell', { name: 'Enabled' })).toBeVisible();
  const invitee = uniqueEmail('Omar');
  await page.getByRole('region', { name: 'Invite a member' }).getByLabel('Email').fill(invitee);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  // The page that answers the post says so, and lists the invitation as pending.
  await expect(page.getByText(`Invitation sent to ${invitee}.`)).toBeVisible();
  await expect(page.getByText(invitee, { exact: true })).toBeVisible();
});

test('the same walk as navigation.spec.ts works by full page loads', async ({ page }) => {
  const email = uniqueEmail('Walt');
  expect((await page.request.post('/api/sign_up', { form: { name: 'Walt', email, password: PASSWORD } })).status()).toBe(200);
  const slug = `nojs-walk-${Date.now()}`;
  expect((await page.request.post('/api/create_org', { form: { name: 'Walk Co', slug } })).status()).toBe(200);
  await page.goto('/account');
  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
  const tabs = page.getByRole('navigation', { name: 'Organization sections' });
  await tabs.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Require two-factor authentication' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'General' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await tabs.getByRole('link', { name: 'Applications' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/applications$`));
  await page.getByLabel('Account menu for Walt').click();
  await page.getByRole('menuitem', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/applications$`));
});
