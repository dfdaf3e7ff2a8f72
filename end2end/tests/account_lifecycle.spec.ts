import { APIRequestContext, Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, hydrated, logIn, settled, signUpViaApi } from './helpers';
import { linkIn, waitForMail } from './mail';

const NEW_PASSWORD = 'a much longer passphrase';

/** Turns 2FA on through the server functions; returns the authenticator. */
async function enrollViaApi(request: APIRequestContext): Promise<OTPAuth.TOTP> {
  const start = await (await request.post('/api/start_enrollment', { form: { password: PASSWORD } })).json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(start.setup_key.replace(/\s+/g, '')), digits: 6, period: 30 });
  expect((await request.post('/api/check_enrollment_code', { form: { code: totp.generate() } })).status()).toBe(200);
  expect((await request.post('/api/finish_enrollment')).status()).toBe(200);
  return totp;
}

/** A code is used once: the next login waits for the app's next code. */
async function nextCode(totp: OTPAuth.TOTP): Promise<string> {
  const ms = 30_000 - (Date.now() % 30_000);
  await new Promise((r) => setTimeout(r, ms + 300));
  return totp.generate();
}

async function secondStep(page: Page, code: string, remember: boolean) {
  await expect(page).toHaveURL(/\/login\/two-factor/);
  await hydrated(page);
  await page.getByLabel('Enter the code displayed by your authenticator app').fill(code);
  if (remember) await page.getByLabel("Don't ask for a code on this browser for 30 days").check();
  await page.getByRole('button', { name: 'Submit' }).click();
}

test('the password is changed on the Account page, and the old one stops working', async ({ page, browser }) => {
  const email = await signUpViaApi(page.request, 'Carla');
  await page.goto('/account');
  await hydrated(page);
  await page.locator('summary', { hasText: 'Change password' }).click();
  await page.locator('#current-password').fill(PASSWORD);
  await page.getByLabel('New password').fill('password1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('This password is one of the most common ones')).toBeVisible();
  // Password fields come back empty after a refusal.
  await page.locator('#current-password').fill(PASSWORD);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed. Your other browsers were signed out.')).toBeVisible();
  await waitForMail(email, 'Your password was changed');

  const other = await (await browser.newContext()).newPage();
  await logIn(other, email, PASSWORD);
  await expect(other.getByText('Invalid email or password')).toBeVisible();
  await logIn(other, email, NEW_PASSWORD);
  await expect(other.getByRole('heading', { name: 'Welcome, Carla' })).toBeVisible();
});

test('a forgotten password is reset from the mailed link, with the code from the app', async ({ page }) => {
  test.setTimeout(120_000);
  const email = await signUpViaApi(page.request, 'Rita');
  const totp = await enrollViaApi(page.request);
  await page.request.post('/api/log_out');

  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  // A client-side swap: the login page (with its own Email field) stays until the
  // new body arrives, and the new page's islands hydrate after it says so.
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await settled(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText(/If an account uses that address, we have sent it a link/)).toBeVisible();

  const link = linkIn(await waitForMail(email, 'Reset your password'), '/reset-password?token=');
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  // The mailbox alone is not enough: a wrong code changes nothing.
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText(/That code is not valid/).first()).toBeVisible();
  // The password field comes back empty after a refusal, as password fields do.
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Authentication code').fill(await nextCode(totp));
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Your password was changed and you were signed out everywhere.')).toBeVisible();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/login\/two-factor/);
});

test('another browser is signed out from "Where you\'re signed in"', async ({ page, browser }) => {
  const email = await signUpViaApi(page.request, 'Sven');
  const laptop = await (await browser.newContext()).newPage();
  await logIn(laptop, email);
  await expect(laptop.getByRole('heading', { name: 'Welcome, Sven' })).toBeVisible();

  await page.goto('/account');
  await hydrated(page);
  const sessions = page.getByRole('table', { name: "Where you're signed in" });
  await expect(sessions.getByText('This browser')).toBeVisible();
  await expect(sessions.getByRole('row')).toHaveCount(3);
  await sessions.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByText('Signed out.')).toBeVisible();
  await expect(sessions.getByRole('row')).toHaveCount(2);

  await laptop.goto('/account');
  await expect(laptop).toHaveURL(/\/login/);
});

test('a remembered browser signs in without a code until it is forgotten', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const email = await signUpViaApi(page.request, 'Remy');
  const totp = await enrollViaApi(page.request);

  const laptopContext = await browser.newContext();
  const laptop = await laptopContext.newPage();
  await logIn(laptop, email);
  await secondStep(laptop, await nextCode(totp), true);
  await expect(laptop.getByRole('heading', { name: 'Welcome, Remy' })).toBeVisible();
  await laptop.request.post('/api/log_out');

  // The second login: the password only.
  await logIn(laptop, email);
  await expect(laptop.getByRole('heading', { name: 'Welcome, Remy' })).toBeVisible();
  await laptop.request.post('/api/log_out');

  // "Forget" it on the Account page of the first browser: the code is asked again.
  await page.goto('/account');
  await hydrated(page);
  const remembered = page.getByRole('table', { name: 'Remembered browsers' });
  await expect(remembered.getByRole('row')).toHaveCount(2);
  await remembered.getByRole('button', { name: /^Forget/ }).click();
  await expect(page.getByText('Forgotten: that browser will be asked for a code.')).toBeVisible();
  await logIn(laptop, email);
  await expect(laptop).toHaveURL(/\/login\/two-factor/);
});
