import AxeBuilder from '@axe-core/playwright';
import { Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

// Signing in through another identity provider: panva's oidc-provider (end2end/upstream-idp.mjs),
// which scripts/test.sh starts and adds as "Acme SSO" before the server, named in UPSTREAM_ISSUER.

const ISSUER = process.env.UPSTREAM_ISSUER;
test.skip(!ISSUER, 'no upstream issuer: scripts/test.sh starts one');

let counter = 0;
function login(name: string): string {
  counter += 1;
  return `${name}-${Date.now()}-${process.pid}-${counter}`;
}

/** At the provider's own page: types a login (any password) and signs in there. */
async function atProvider(page: Page, name: string) {
  await expect(page).toHaveURL(new RegExp(`^${ISSUER}/interaction/`));
  await page.getByLabel('Login').fill(name);
  await page.getByLabel('Password').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

test('a new person signs up with the provider, and the Account page shows the connection', async ({ page }) => {
  const name = login('pat');
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
  await atProvider(page, name);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel(`Account menu for ${name}`)).toBeVisible();

  await page.goto('/account');
  const connected = page.locator('section', { has: page.getByRole('heading', { name: 'Connected accounts' }) });
  await expect(connected.getByText(`connected as ${name}@upstream.test`)).toBeVisible();
  await expect(page.getByText('Your account has no password')).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations).toEqual([]);
});

test('a member connects the provider after re-authentication, signs in with it without the code, and disconnects it', async ({ page, browser }) => {
  test.setTimeout(90_000); // the connection waits for a fresh step of the app
  const email = await signUpViaApi(page.request, 'Quinn');
  const start = await (await page.request.post('/api/start_enrollment', { form: { password: PASSWORD } })).json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(start.setup_key.replace(/\s+/g, '')), digits: 6, period: 30 });
  expect((await page.request.post('/api/check_enrollment_code', { form: { code: totp.generate() } })).status()).toBe(200);
  expect((await page.request.post('/api/finish_enrollment')).status()).toBe(200);
  const name = login('quinn');

  await page.goto('/account');
  await hydrated(page);
  await page.locator('summary', { hasText: 'Connect Acme SSO' }).click();
  // A wrong password is refused here, before the provider is asked.
  await page.locator('#connect-password').fill('wrong password');
  await page.locator('#connect-code').fill('000000');
  await page.getByRole('button', { name: 'Connect Acme SSO' }).click();
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page).toHaveURL(/\/account/);

  // A code of a later step than enrollment's (each is used once).
  await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 300));
  await page.locator('#connect-password').fill(PASSWORD);
  await page.locator('#connect-code').fill(totp.generate());
  await page.getByRole('button', { name: 'Connect Acme SSO' }).click();
  await atProvider(page, name);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('Acme SSO is connected. You can sign in with it now.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Disconnect Acme SSO' })).toBeVisible();

  // Another browser: the password asks for the code, the provider does not (the Hub rule).
  const other = await browser.newPage();
  await logIn(other, email);
  await expect(other).toHaveURL(/\/login\/two-factor/);
  const fresh = await browser.newPage();
  await fresh.goto('/login');
  await fresh.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
  await atProvider(fresh, name);
  await expect(fresh).toHaveURL(/\/$/);
  await expect(fresh.getByLabel('Account menu for Quinn', { exact: true })).toBeVisible();

  // Disconnecting leaves the password; the provider's identity no longer signs in to Quinn's account
  // (this provider may make accounts: it makes a new one of its own).
  await page.getByRole('button', { name: 'Disconnect Acme SSO' }).click();
  await expect(page.getByText('Disconnected.')).toBeVisible();
  await expect(page.locator('summary', { hasText: 'Connect Acme SSO' })).toBeVisible();
  const later = await browser.newPage();
  await later.goto('/login');
  await later.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
  await atProvider(later, name);
  await expect(later.getByRole('heading', { name: `Welcome, ${name}` })).toBeVisible();
  await expect(later.getByLabel('Account menu for Quinn', { exact: true })).toHaveCount(0);
});

test('a provider vouching for an address an account has does not sign in to it', async ({ page, browser }) => {
  const email = await signUpViaApi(page.request, 'Rhea');
  const stranger = await browser.newPage();
  await stranger.goto('/login');
  await stranger.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
  await atProvider(stranger, email);
  await expect(stranger.getByRole('alert')).toHaveText('Sign in with your password and connect Acme SSO from your Account page.');
  await stranger.goto('/account');
  await expect(stranger).toHaveURL(/\/login/);
});

test('a member drops the password: the organization requiring 2FA admits them and shows how they sign in', async ({ browser }) => {
  const slug = `sso-${Date.now()}`;
  const owner = await (await browser.newContext()).newPage();
  await signUpViaApi(owner.request, 'Oona');
  const start = await (await owner.request.post('/api/start_enrollment', { form: { password: PASSWORD } })).json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(start.setup_key.replace(/\s+/g, '')), digits: 6, period: 30 });
  expect((await owner.request.post('/api/check_enrollment_code', { form: { code: totp.generate() } })).status()).toBe(200);
  expect((await owner.request.post('/api/finish_enrollment')).status()).toBe(200);
  expect((await owner.request.post('/api/create_org', { form: { name: 'SSO Co', slug } })).status()).toBe(200);
  const required = await owner.request.post('/api/set_two_factor_requirement', { form: { slug, require: 'true', grace_days: '0' } });
  expect(required.status(), await required.text()).toBe(200);

  // Two members with passwords and no 2FA: both are confined.
  const members = [];
  for (const name of ['Nia', 'Pia']) {
    const page = await (await browser.newContext()).newPage();
    const email = await signUpViaApi(page.request, name);
    const sent = await owner.request.post('/api/add_member', { form: { slug, email, role: 'member' } });
    const { code } = await sent.json();
    const invitations = await (await page.request.post('/api/my_invitations')).json();
    const invitation = invitations.find((i: { org_slug: string }) => i.org_slug === slug);
    expect((await page.request.post('/api/accept_invitation', { form: { invitation_id: String(invitation.id), code } })).status()).toBe(200);
    await page.goto(`/orgs/${slug}`);
    await expect(page.getByRole('heading', { name: 'Two-factor authentication required' })).toBeVisible();
    members.push(page);
  }
  const [nia, pia] = members;

  // Nia connects the provider, then removes her password.
  await nia.goto('/account');
  await hydrated(nia);
  await nia.locator('summary', { hasText: 'Connect Acme SSO' }).click();
  await nia.locator('#connect-password').fill(PASSWORD);
  await nia.getByRole('button', { name: 'Connect Acme SSO' }).click();
  await atProvider(nia, login('nia'));
  await expect(nia.getByText('Acme SSO is connected. You can sign in with it now.')).toBeVisible();
  await hydrated(nia);
  await nia.locator('summary', { hasText: 'Remove password' }).click();
  await nia.locator('#remove-password-current').fill(PASSWORD);
  await nia.getByRole('button', { name: 'Remove password' }).click();
  await expect(nia.getByText('Your account has no password')).toBeVisible();

  await nia.goto(`/orgs/${slug}`);
  await expect(nia.getByRole('heading', { name: 'SSO Co' })).toBeVisible();
  await owner.goto(`/orgs/${slug}`);
  await expect(owner.getByRole('row', { name: /Nia/ }).getByText('Signs in with Acme SSO')).toBeVisible();
  // Pia still has her password and no 2FA.
  await pia.reload();
  await expect(pia.getByRole('heading', { name: 'Two-factor authentication required' })).toBeVisible();
});

test('the Settings tab asks providers\' sign-ins for several factors when an owner says so', async ({ page }) => {
  const slug = `mfa-${Date.now()}`;
  await signUpViaApi(page.request, 'Ivo');
  expect((await page.request.post('/api/create_org', { form: { name: 'MFA Co', slug } })).status()).toBe(200);
  await page.goto(`/orgs/${slug}/settings`);
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Sign-ins through other identity providers' });
  await section.getByLabel('Require several factors from identity providers').check();
  await section.getByRole('button', { name: 'Update provider sign-ins' }).click();
  await expect(section.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(section.getByLabel('Require several factors from identity providers')).toBeChecked();
});
