import { Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { expectNoSeriousViolations, hydrated, signUpViaApi } from './helpers';

// axe-core on every page and every step of the enrollment dialog, in the light
// and the dark scheme, at a desktop width and at a phone's 375 px; and the
// enrollment done with the keyboard alone.

async function expectNoHorizontalScroll(page: Page, where: string) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${where} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
}

const GUEST_PAGES = ['/', '/login', '/signup', '/forgot-password', '/reset-password?token=unknown', '/verify-email?token=unknown', '/no-such-page'];

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 375]) {
    test(`every page passes axe in the ${scheme} scheme at ${width} px`, async ({ browser }) => {
      test.setTimeout(90_000);
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 800 } });
      const page = await context.newPage();
      for (const path of GUEST_PAGES) {
        await page.goto(path);
        await expectNoSeriousViolations(page, path);
        await expectNoHorizontalScroll(page, path);
      }
      await signUpViaApi(page.request, 'Axel');
      const slug = `axe-${scheme}-${width}-${Date.now()}`;
      expect((await page.request.post('/api/create_org', { form: { name: 'Axe Co', slug } })).status()).toBe(200);
      for (const path of ['/', '/account', '/orgs/new', `/orgs/${slug}`, `/orgs/${slug}/settings`, `/orgs/${slug}/settings/general`, `/orgs/${slug}/applications`, '/oidc/logout']) {
        await page.goto(path);
        await hydrated(page);
        await expectNoSeriousViolations(page, path);
        await expectNoHorizontalScroll(page, path);
      }
      // The menus open.
      await page.getByLabel('Account menu for Axel').click();
      await expectNoSeriousViolations(page, 'the account menu');

      // Each step of the enrollment dialog.
      await page.goto('/account');
      await hydrated(page);
      await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
      const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
      const setupKey = (await dialog.getByLabel('Setup key').innerText()).trim();
      await expectNoSeriousViolations(page, 'enrollment, step 1');
      await expectNoHorizontalScroll(page, 'enrollment, step 1');
      await dialog.getByRole('button', { name: 'Next' }).click();
      await dialog.getByLabel('Enter the code displayed by your app').fill('000000');
      await dialog.getByRole('button', { name: 'Check Code' }).click();
      await expect(dialog.getByText(/is not a valid two-factor authentication code/)).toBeVisible();
      await expectNoSeriousViolations(page, 'enrollment, step 2 with its error');
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setupKey.replace(/\s+/g, '')), digits: 6, period: 30 });
      await dialog.getByLabel('Enter the code displayed by your app').fill(totp.generate());
      await dialog.getByRole('button', { name: 'Check Code' }).click();
      await expect(dialog.getByRole('list', { name: 'Backup codes' })).toBeVisible();
      await expectNoSeriousViolations(page, 'enrollment, step 3');
      await context.close();
    });
  }
}

/** Tab (or Shift+Tab) until `target` has focus; fails after `max` presses. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 40, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  await expect(target).toBeFocused();
}

test('the enrollment dialog with the keyboard alone: focus stays inside and comes back to the toggle', async ({ page }) => {
  test.setTimeout(60_000);
  await signUpViaApi(page.request, 'Kira');
  await page.goto('/account');
  await hydrated(page);
  await expect(page.getByText('We strongly recommend enabling two-factor authentication for your account.')).toBeVisible();
  const toggle = page.getByRole('switch', { name: 'Two Factor Auth' });
  await tabTo(page, toggle);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog.getByLabel('Setup key')).toBeVisible();
  await expect(dialog.getByRole('link', { name: 'Authy' })).toBeVisible();

  // Twenty presses of Tab, and of Shift+Tab, never leave the dialog.
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press(key);
      expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `${key} #${i + 1}`).toBe(true);
    }
  }
  // Esc closes it, and focus is back on the toggle.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(toggle).toBeFocused();

  // Again, to the end.
  await page.keyboard.press('Enter');
  const setupKey = (await dialog.getByLabel('Setup key').innerText()).trim();
  await tabTo(page, dialog.getByRole('button', { name: 'Next' }));
  await page.keyboard.press('Enter');
  const code = dialog.getByLabel('Enter the code displayed by your app');
  await expect(code).toBeFocused();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setupKey.replace(/\s+/g, '')), digits: 6, period: 30 });
  await page.keyboard.type(totp.generate());
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('list', { name: 'Backup codes' })).toBeVisible();
  await tabTo(page, dialog.getByRole('button', { name: "I've Saved my Codes" }));
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText(/Enabled since/)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Two-Factor Authentication' })).toBeFocused();
});

test('the login steps and the Members tab with the keyboard alone', async ({ browser, page }) => {
  const email = await signUpViaApi(page.request, 'Kurt');
  const slug = `keys-${Date.now()}`;
  expect((await page.request.post('/api/create_org', { form: { name: 'Keys Co', slug } })).status()).toBe(200);
  const guest = await (await browser.newContext()).newPage();
  await guest.goto('/login');
  await hydrated(guest);
  await tabTo(guest, guest.getByLabel('Email'));
  await guest.keyboard.type(email);
  await tabTo(guest, guest.getByLabel('Password'));
  await guest.keyboard.type('correct horse battery');
  await guest.keyboard.press('Enter');
  await expect(guest).toHaveURL(/\/$|\/account$/);
  await guest.goto(`/orgs/${slug}`);
  await hydrated(guest);
  const invite = guest.getByLabel('Email');
  await tabTo(guest, invite, 60);
  await guest.keyboard.type('friend@example.com');
  await guest.keyboard.press('Enter');
  await expect(guest.getByText('Invitation sent to friend@example.com.')).toBeVisible();
  // The filter and the tabs are reachable too.
  await tabTo(guest, guest.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Settings' }), 80, 'Shift+Tab');
  await guest.keyboard.press('Enter');
  await expect(guest).toHaveURL(new RegExp(`/orgs/${slug}/settings$`));
});

/** Signs up and turns 2FA on through the server functions; returns the app computing codes. */
async function withTwoFactor(page: Page, name: string): Promise<{ email: string; totp: OTPAuth.TOTP }> {
  const email = await signUpViaApi(page.request, name);
  const start = await (await page.request.post('/api/start_enrollment', { form: { password: 'correct horse battery' } })).json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(start.setup_key.replace(/\s+/g, '')), digits: 6, period: 30 });
  expect((await page.request.post('/api/check_enrollment_code', { form: { code: totp.generate() } })).status()).toBe(200);
  expect((await page.request.post('/api/finish_enrollment')).status()).toBe(200);
  return { email, totp };
}

test('the login steps and the consent page of an application pass axe in both schemes, with the keyboard alone', async ({ browser, page }) => {
  test.setTimeout(90_000);
  const { email, totp } = await withTwoFactor(page, 'Cora');
  const slug = `consent-${Date.now()}`;
  expect((await page.request.post('/api/create_org', { form: { name: 'Consent Co', slug } })).status()).toBe(200);
  await page.goto(`/orgs/${slug}/applications`);
  await hydrated(page);
  await expectNoSeriousViolations(page, 'the Applications tab');
  await page.getByText('Register an application').click();
  await page.getByLabel('Name', { exact: true }).fill('Wiki');
  await page.getByLabel('Redirect URIs', { exact: true }).fill('http://127.0.0.1:9/callback');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const clientId = (await page.getByLabel('Client ID').innerText()).trim();
  await expectNoSeriousViolations(page, 'a registered application, its secret shown once');

  const user = await (await browser.newContext()).newPage();
  const authorize = new URL('/oidc/authorize', page.url());
  authorize.search = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:9/callback', scope: 'openid email',
    state: 'state-1', nonce: 'nonce-1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  }).toString();
  await user.goto(authorize.href);
  await expect(user).toHaveURL(/\/login\?continue=/);
  await hydrated(user);
  for (const scheme of ['light', 'dark'] as const) {
    await user.emulateMedia({ colorScheme: scheme });
    await expectNoSeriousViolations(user, `login to continue (${scheme})`);
  }
  await tabTo(user, user.getByLabel('Email'));
  await user.keyboard.type(email);
  await tabTo(user, user.getByLabel('Password'));
  await user.keyboard.type('correct horse battery');
  await user.keyboard.press('Enter');
  await expect(user).toHaveURL(/\/login\/two-factor\?continue=/);
  await hydrated(user);
  for (const scheme of ['light', 'dark'] as const) {
    await user.emulateMedia({ colorScheme: scheme });
    await expectNoSeriousViolations(user, `the second step (${scheme})`);
  }
  // The code the enrollment used is spent: the next one.
  await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 300));
  const code = user.getByLabel('Enter the code displayed by your authenticator app');
  await tabTo(user, code);
  await user.keyboard.type(totp.generate());
  await user.keyboard.press('Enter');
  await expect(user.getByRole('heading', { name: 'Sign in to Wiki' })).toBeVisible();
  for (const scheme of ['light', 'dark'] as const) {
    await user.emulateMedia({ colorScheme: scheme });
    await expectNoSeriousViolations(user, `the consent page (${scheme})`);
  }
  await tabTo(user, user.getByRole('button', { name: 'Allow' }));
});
