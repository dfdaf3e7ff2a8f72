import { Page, expect, test } from '@playwright/test';
import { PASSWORD, expectNoSeriousViolations, hydrated, logIn, settled, uniqueEmail } from './helpers';
import { nthCode } from './sms';

/** A number of its own per test run (the gateway's texts are read by number). */
function uniqueNumber(): { typed: string; e164: string; masked: string } {
  const last = String(Math.floor(Math.random() * 100)).padStart(2, '0');
  // A valid North American exchange: 2-9 first, and not an N11 service code (libphonenumber refuses those).
  let exchange = Math.floor(Math.random() * 800) + 200;
  if (exchange % 100 === 11) exchange += 1;
  const mid = String(exchange);
  return { typed: `+1 (415) ${mid}-01${last}`, e164: `+1415${mid}01${last}`, masked: `+1 ••• ••• 01 ${last}` };
}

async function logOut(page: Page, name: string) {
  await page.getByLabel(`Account menu for ${name}`).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('choose SMS in the dialog, check the texted code, save the codes; sign in with a texted code and a recovery code', async ({ page }) => {
  test.setTimeout(120_000);
  const phone = uniqueNumber();
  const email = uniqueEmail('Sol');
  const res = await page.request.post('/api/sign_up', { form: { name: 'Sol', email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  await page.goto('/account');
  await hydrated(page);

  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog.getByRole('group', { name: 'Choose your preferred authentication method' })).toBeVisible();
  await dialog.getByRole('radio', { name: /Text message \(SMS\)/ }).check();
  await expectNoSeriousViolations(page, 'the dialog with SMS chosen');

  // Step 1: the number (international form) and the password.
  await dialog.getByLabel('Phone number').fill('415 555 0123');
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Send Code' }).click();
  await expect(dialog.getByText('Enter the number in international form')).toBeVisible();
  await dialog.getByLabel('Phone number').fill(phone.typed);
  await dialog.getByRole('button', { name: 'Send Code' }).click();

  // Step 2: the code the gateway received.
  await expect(dialog.getByText(`We sent a code to ${phone.masked}.`)).toBeVisible();
  await expectNoSeriousViolations(page, 'the dialog\'s texted-code step');
  const code = await nthCode(phone.e164, 1);
  await dialog.getByLabel('Enter the code from the text message').fill(code);
  await dialog.getByRole('button', { name: 'Check Code' }).click();

  // Step 3: the backup codes, as for the app.
  const codeItems = dialog.getByRole('list', { name: 'Backup codes' }).getByRole('listitem');
  await expect(codeItems).toHaveCount(5);
  const codes = await codeItems.allInnerTexts();
  await dialog.getByRole('button', { name: "I've Saved my Codes" }).click();
  await expect(page.getByText(`Active methods: SMS to ${phone.masked}`)).toBeVisible();
  await settled(page);
  await expect(page.getByRole('heading', { name: 'Text messages' })).toBeVisible();
  await expectNoSeriousViolations(page, 'the Account page with text messages');

  // Signing in: the code is texted as the second step opens.
  await logOut(page, 'Sol');
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor(\?|$)/);
  await settled(page);
  await expect(page.getByText(`We sent a code to ${phone.masked}.`)).toBeVisible();
  await expectNoSeriousViolations(page, 'the login step with a texted code');
  await page.getByLabel('Enter the code from the text message').fill(await nthCode(phone.e164, 2));
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Sol' })).toBeVisible();

  // "Use a recovery code" still works.
  await logOut(page, 'Sol');
  await logIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor(\?|$)/);
  await settled(page);
  await page.getByRole('link', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Enter one of your backup codes').fill(codes[0]);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('You have 4 backup codes left')).toBeVisible();
});
