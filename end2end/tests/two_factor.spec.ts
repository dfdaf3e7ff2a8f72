import { Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import * as fs from 'fs';
import { waitForNextStep } from './enrolled';
import { PASSWORD, hydrated, logIn, uniqueEmail } from './helpers';

function totpFor(setupKey: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setupKey.replace(/\s+/g, '')), digits: 6, period: 30, algorithm: 'SHA1' });
}

/** Signs up in this browser context (the page shares the cookies) and opens the Account page. */
async function signUpAndOpenAccount(page: Page, name: string): Promise<string> {
  const email = uniqueEmail(name);
  const res = await page.request.post('/api/sign_up', { form: { name, email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  await page.goto('/account');
  await hydrated(page);
  return email;
}

async function logOut(page: Page, name: string) {
  await page.getByLabel(`Account menu for ${name}`).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('enroll through the dialog, then log in with a backup code and with an app code', async ({ page }) => {
  test.setTimeout(90_000);
  const email = await signUpAndOpenAccount(page, 'Tess');
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog).toBeVisible();

  // Step 1: the QR code carries exactly the otpauth URI of the key shown below it.
  const setupKey = (await dialog.getByLabel('Setup key').innerText()).trim();
  expect(setupKey).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const key = setupKey.replace(/\s+/g, '');
  const png = PNG.sync.read(await dialog.locator('.qr svg').screenshot());
  const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(qr?.data).toBe(`otpauth://totp/Portcullis:${email}?secret=${key}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30`);
  await dialog.getByRole('button', { name: 'Next' }).click();

  // Step 2: a wrong code, then the right one.
  const totp = totpFor(setupKey);
  const right = totp.generate();
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
  await dialog.getByLabel('Enter the code displayed by your app').fill(wrong);
  await dialog.getByRole('button', { name: 'Check Code' }).click();
  await expect(dialog.getByText(`Code ${wrong} is not a valid two-factor authentication code for user ${email}.`)).toBeVisible();
  await dialog.getByLabel('Enter the code displayed by your app').fill(right.slice(0, 3) + ' ' + right.slice(3));
  await dialog.getByRole('button', { name: 'Check Code' }).click();

  // Step 3: the backup codes, downloaded and saved.
  const codeItems = dialog.getByRole('list', { name: 'Backup codes' }).getByRole('listitem');
  await expect(codeItems).toHaveCount(5);
  const codes = await codeItems.allInnerTexts();
  for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download Codes' }).click()]);
  expect(download.suggestedFilename()).toBe('portcullis-backup-codes.txt');
  const file = fs.readFileSync((await download.path())!, 'utf8');
  expect(file).toContain('Portcullis backup codes');
  expect(file).toContain(`Account: ${email}`);
  for (const code of codes) expect(file).toContain(code);
  await dialog.getByRole('button', { name: "I've Saved my Codes" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/Enabled since \d{4}-\d{2}-\d{2}/)).toBeVisible();
  await expect(page.getByText('Backup codes: 5 of 5 left')).toBeVisible();

  // Log in with a backup code.
  await logOut(page, 'Tess');
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor(\?|$)/);
  await expect(page.getByLabel('Enter the code displayed by your authenticator app')).toBeVisible();
  await page.getByRole('link', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Enter one of your backup codes').fill(codes[0]);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('You have 4 backup codes left')).toBeVisible();
  await page.getByRole('link', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Tess' })).toBeVisible();

  // Log in with a code from the app (a later one than enrollment's: replays are refused).
  await logOut(page, 'Tess');
  await waitForNextStep();
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor(\?|$)/);
  await hydrated(page);
  await page.getByLabel('Enter the code displayed by your authenticator app').fill(totp.generate());
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Tess' })).toBeVisible();
});

test('a wrong code at login is refused with a clear message', async ({ page }) => {
  test.setTimeout(60_000);
  const email = await signUpAndOpenAccount(page, 'Uma');
  const key = await enrollWithKeyboard(page);
  await logOut(page, 'Uma');
  await logIn(page, email);
  await hydrated(page);
  const right = totpFor(key).generate();
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
  await page.getByLabel('Enter the code displayed by your authenticator app').fill(wrong);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That code is not valid' })).toBeVisible();
  await expect(page).toHaveURL(/\/login\/two-factor(\?|$)/);
});

/** Walks the whole dialog with the keyboard alone; returns the setup key. */
async function enrollWithKeyboard(page: Page): Promise<string> {
  await page.getByRole('switch', { name: 'Two Factor Auth' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog).toBeVisible();
  const key = (await dialog.getByLabel('Setup key').innerText()).trim();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeEnabled();
  // Focus stays inside the modal dialog: Tab reaches Next and never leaves.
  for (let i = 0; i < 8 && !(await dialog.getByRole('button', { name: 'Next' }).evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Enter the code displayed by your app')).toBeFocused();
  await page.keyboard.type(totpFor(key).generate());
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('heading', { name: 'Save your backup codes' })).toBeFocused();
  const saved = dialog.getByRole('button', { name: "I've Saved my Codes" });
  for (let i = 0; i < 6 && !(await saved.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Backup codes: 5 of 5 left')).toBeVisible();
  return key;
}

test('the dialog works with the keyboard alone, and Esc cancels', async ({ page }) => {
  await signUpAndOpenAccount(page, 'Vic');
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog.getByLabel('Setup key')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('switch', { name: 'Two Factor Auth' })).toHaveAttribute('aria-checked', 'false');

  await enrollWithKeyboard(page);
});

test('an old session gives its password before the dialog shows a new key', async ({ page }) => {
  test.setTimeout(60_000);
  await signUpAndOpenAccount(page, 'Wes');
  // The session is fresh here, so the server is made to answer as it does for one older than 5 minutes.
  await page.route('**/api/start_enrollment', async (route) => {
    const password = new URLSearchParams(route.request().postData() ?? '').get('password') ?? '';
    if (password) return route.continue();
    await route.fulfill({
      status: 422,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'validation', field: 'password', message: 'For your security, enter your password again to set up two-factor authentication.' }),
    });
  });
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog.getByText('For your security, enter your password again before setting up two-factor authentication.')).toBeVisible();
  await expect(dialog.getByLabel('Setup key')).toBeHidden();
  await dialog.getByLabel('Password').fill('wrong password');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByText('That password is not right.')).toBeVisible();
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByLabel('Setup key')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeEnabled();
});

test('reveal wants a code from the app, not a backup code; disabling keeps this session', async ({ page }) => {
  test.setTimeout(120_000);
  await signUpAndOpenAccount(page, 'Xan');
  const key = await enrollWithKeyboard(page);
  const totp = totpFor(key);

  const reveal = page.locator('details').filter({ has: page.locator('summary', { hasText: 'Reveal codes' }) });
  await reveal.locator('summary').click();
  await reveal.getByLabel('Password').fill(PASSWORD);
  await reveal.getByLabel('Authentication code').fill('abcde-12345');
  await reveal.locator('button[type=submit]').click();
  await expect(reveal.getByText('A backup code cannot reveal backup codes.', { exact: false })).toBeVisible();
  await waitForNextStep();
  await reveal.getByLabel('Authentication code').fill(totp.generate());
  await reveal.locator('button[type=submit]').click();
  await expect(reveal.getByRole('list', { name: 'Your backup codes' }).getByRole('listitem')).toHaveCount(5);

  await waitForNextStep();
  const disable = page.locator('details').filter({ has: page.locator('summary', { hasText: 'Disable 2FA' }) });
  await disable.locator('summary').click();
  await expect(disable.getByText('You stay signed in here; your other sessions end.')).toBeVisible();
  await disable.getByLabel('Password').fill(PASSWORD);
  await disable.getByLabel('Authentication code').fill(totp.generate());
  await disable.locator('button[type=submit]').click();
  await expect(page.getByRole('switch', { name: 'Two Factor Auth' })).toHaveAttribute('aria-checked', 'false');
  // The session continues under its new id.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
});
