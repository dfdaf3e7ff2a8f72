import { Page, expect } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, hydrated, testAddress, uniqueEmail } from './helpers';

// A person with an account and an authenticator app, as the relying-party tests need them.

/** Signs up through the server function (signed in in `page`'s context); returns the address. */
export async function signUp(page: Page, name: string): Promise<string> {
  const email = uniqueEmail(name);
  const res = await page.request.post('/api/sign_up', { form: { name, email, password: PASSWORD }, headers: { 'X-Forwarded-For': testAddress() } });
  expect(res.status()).toBe(200);
  return email;
}

/** Enrolls through the dialog; returns the app that computes codes from the setup key on screen. */
export async function enroll(page: Page): Promise<OTPAuth.TOTP> {
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  const key = (await dialog.getByLabel('Setup key').innerText()).replace(/\s+/g, '');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' });
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByLabel('Enter the code displayed by your app').fill(totp.generate());
  await dialog.getByRole('button', { name: 'Check Code' }).click();
  await dialog.getByRole('button', { name: "I've Saved my Codes" }).click();
  await expect(dialog).toBeHidden();
  // 2FA on: the page loads again, and says so.
  await expect(page.getByText(/Enabled since \d{4}-\d{2}-\d{2}/)).toBeVisible();
  await hydrated(page);
  return totp;
}

/** Waits for the next 30-second step, so that a login's code is not the enrollment's. */
export async function waitForNextStep() {
  const ms = 30_000 - (Date.now() % 30_000);
  await new Promise((r) => setTimeout(r, ms + 300));
}

/** On the login page an application sent the person to: password, then the app's code. */
export async function logInWithCode(user: Page, email: string, totp: OTPAuth.TOTP) {
  await expect(user).toHaveURL(/\/login\?continue=/);
  await hydrated(user);
  await user.getByLabel('Email').fill(email);
  await user.getByLabel('Password').fill(PASSWORD);
  await user.getByRole('button', { name: 'Log In' }).click();
  await expect(user).toHaveURL(/\/login\/two-factor\?continue=/);
  await waitForNextStep();
  await hydrated(user);
  await user.getByLabel('Enter the code displayed by your authenticator app').fill(totp.generate());
  await user.getByRole('button', { name: 'Submit' }).click();
}
