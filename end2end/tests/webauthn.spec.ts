import { Locator, Page, expect, test } from '@playwright/test';
import { PASSWORD, hydrated, logIn, testAddress, uniqueEmail } from './helpers';

// Security keys and passkeys with Chromium's virtual authenticator (DevTools
// protocol, WebAuthn domain): a CTAP2 authenticator with resident keys and
// user verification, as a phone or a YubiKey with a PIN would be.
//
// WebAuthn needs a domain name: run the server with
// PORTCULLIS_PUBLIC_URL=http://localhost:<port> and PORTCULLIS_URL=http://localhost:<port>
// (scripts/test.sh does so for this file). Elsewhere the tests skip themselves.

async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
}

async function signUpAndOpenAccount(page: Page, name: string): Promise<string> {
  const email = uniqueEmail(name);
  const res = await page.request.post('/api/sign_up', {
    form: { name, email, password: PASSWORD },
    headers: { 'X-Forwarded-For': testAddress() },
  });
  expect(res.status(), await res.text()).toBe(200);
  await page.goto('/account');
  await hydrated(page);
  const section = page.locator('#security-keys');
  if (await section.getByText('not available on this server').isVisible()) {
    test.skip(true, 'WebAuthn is off: the server needs PORTCULLIS_PUBLIC_URL with a domain name (http://localhost:<port>)');
  }
  return email;
}

/** "Add a security key" on the Account page; returns the backup codes when it turned 2FA on. */
async function addKey(page: Page, name: string): Promise<string[]> {
  const section = page.locator('#security-keys');
  await section.getByLabel('Name', { exact: true }).fill(name);
  await section.getByRole('button', { name: 'Add a security key' }).click();
  await expect(section.getByRole('heading', { name: 'Save your backup codes' })).toBeVisible();
  const codes = await section.locator('[data-webauthn-code-list] li').allTextContents();
  expect(codes).toHaveLength(5);
  await section.getByRole('button', { name: "I've Saved my Codes" }).click();
  await expect(section.getByRole('cell', { name, exact: true })).toBeVisible();
  await hydrated(page);
  return codes;
}

test('register a key, log in with password and key, sign in with the passkey alone, remove it', async ({ page }) => {
  test.setTimeout(90_000);
  // The virtual authenticator answers the login page's passkey autofill (conditional UI) at once,
  // where a person would have to pick it: here the person ignores it and types the password.
  await page.addInitScript(() => {
    if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await virtualAuthenticator(page);
  const email = await signUpAndOpenAccount(page, 'Kim');
  const codes = await addKey(page, 'Laptop key');
  const keys = page.locator('#security-keys');
  await expect(keys.getByRole('row', { name: /Laptop key/ })).toContainText(/Security key|Passkey/);
  await expect(page.getByText('Active methods: 1 security key')).toBeVisible();

  // Log out, then password + key: the key is the only method, so it is offered first.
  await page.context().clearCookies();
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor/);
  await expect(page.getByLabel('Enter the code displayed by your authenticator app')).toHaveCount(0);
  await page.getByRole('button', { name: 'Use your security key' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Signed in with a security key' }).first()).toBeVisible();

  // Log out, then the passkey alone.
  await page.context().clearCookies();
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/account');
  await hydrated(page);
  await expect(page.locator('#main').getByText(email).first()).toBeVisible();

  // Remove it: the password and a backup code (a plain form). 2FA goes off with the last key.
  const row = keys.getByRole('row', { name: /Laptop key/ });
  await row.getByText('Remove', { exact: true }).first().click();
  await row.getByLabel('Password').fill(PASSWORD);
  await row.getByLabel('Code from your authenticator app, or a backup code').fill(codes[0]);
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(page).toHaveURL(/\/account/);
  await expect(keys.getByRole('row', { name: /Laptop key/ })).toHaveCount(0);
  await expect(page.getByRole('switch', { name: 'Two Factor Auth' })).toHaveAttribute('aria-checked', 'false');
});

test('an organization requiring 2FA accepts a member whose only factor is a key', async ({ page }) => {
  test.setTimeout(60_000);
  await virtualAuthenticator(page);
  await signUpAndOpenAccount(page, 'Ola');
  await addKey(page, 'YubiKey');
  const slug = `keys-${Date.now()}`;
  const create = await page.request.post('/api/create_org', { form: { name: `Keys ${slug}`, slug } });
  expect(create.status(), await create.text()).toBe(200);
  const require = await page.request.post('/api/set_two_factor_requirement', {
    form: { slug, require: 'true', grace_days: '0' },
  });
  expect(require.status(), await require.text()).toBe(200);
  await page.goto(`/orgs/${slug}`);
  await hydrated(page);
  await expect(page.getByText('1 of 1 members have two-factor authentication enabled')).toBeVisible();

  // Signed out, the login page offers the passkey in the email field's autofill (conditional UI);
  // the virtual authenticator picks it at once, and the organization lets the member in.
  await page.context().clearCookies();
  await page.goto('/login');
  await expect(page).toHaveURL(/\/$/);
  await page.goto(`/orgs/${slug}`);
  await expect(page.getByText('1 of 1 members have two-factor authentication enabled')).toBeVisible();
});

/** "Confirm with your security key" in `scope`, waiting for the server to take the key's answer. */
async function confirmWithKey(page: Page, scope: Locator) {
  const confirmed = page.waitForResponse((r) => r.url().includes('/api/finish_key_confirmation') && r.ok());
  await scope.getByRole('button', { name: 'Confirm with your security key' }).click();
  await confirmed;
}

test('with keys only, the backup codes are revealed and replaced after confirming with a key', async ({ page }) => {
  test.setTimeout(60_000);
  await virtualAuthenticator(page);
  await signUpAndOpenAccount(page, 'Quinn');
  const codes = await addKey(page, 'YubiKey');
  const reveal = page.locator('details').filter({ has: page.locator('summary', { hasText: 'Reveal codes' }) });
  await reveal.locator('summary').click();
  // Nothing to type: the key is the proof. Without it, the server says what to do.
  await expect(reveal.getByLabel('Password')).toHaveCount(0);
  await reveal.getByRole('button', { name: 'Reveal codes' }).click();
  await expect(reveal.getByText(/confirm with one of your security keys first/)).toBeVisible();

  const twoFactor = page.getByRole('region', { name: 'Two-Factor Authentication' });
  await confirmWithKey(page, twoFactor);
  await expect(twoFactor.getByText('Confirmed. Go on within 5 minutes.')).toBeVisible();
  await reveal.getByRole('button', { name: 'Reveal codes' }).click();
  const list = reveal.getByRole('list', { name: 'Your backup codes' });
  await expect(list.locator('li')).toHaveCount(5);
  expect(await list.locator('li').allTextContents()).toEqual(codes);

  // Each confirmation is good for one change: confirm again to replace them.
  const regenerate = page.locator('details').filter({ has: page.locator('summary', { hasText: 'Regenerate codes' }) });
  await regenerate.locator('summary').click();
  await confirmWithKey(page, twoFactor);
  await regenerate.getByRole('button', { name: 'Regenerate codes' }).click();
  await expect(regenerate.getByText('New backup codes. Save them now')).toBeVisible();
  await expect(page.getByText('Backup codes: 5 of 5 left')).toBeVisible();

  // A personal access token, made the same way: the key stands in for the password and code.
  const tokens = page.getByRole('region', { name: 'Personal access tokens' });
  await tokens.locator('summary', { hasText: 'Generate token' }).click();
  await tokens.getByLabel('Name').fill('Deploy');
  await tokens.getByLabel(/^read/).check();
  await expect(tokens.getByLabel('Your password')).toHaveCount(0);
  await confirmWithKey(page, tokens);
  await tokens.getByRole('button', { name: 'Generate token' }).click();
  await expect(tokens.getByLabel('Token', { exact: true })).toHaveText(/^pcl_pat_/);
});
