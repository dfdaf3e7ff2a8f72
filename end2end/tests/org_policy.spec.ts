import { APIRequestContext, Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

function totp(key: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, '')), digits: 6, period: 30 });
}

/** Turns 2FA on through the server functions, as the owner would have done earlier. */
async function enrollViaApi(request: APIRequestContext) {
  const start = await (await request.post('/api/start_enrollment', { form: { password: PASSWORD } })).json();
  const usedAt = Date.now();
  expect((await request.post('/api/check_enrollment_code', { form: { code: totp(start.setup_key).generate() } })).status()).toBe(200);
  expect((await request.post('/api/finish_enrollment')).status()).toBe(200);
  return { key: start.setup_key as string, usedAt };
}

/** A code of a later step than the one used at `usedAt` (each step is accepted once). */
async function freshCode(key: string, usedAt: number) {
  const used = Math.floor(usedAt / 30_000);
  for (let i = 0; i < 200 && Math.floor(Date.now() / 30_000) <= used; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return totp(key).generate();
}

async function enrollInDialog(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  const key = (await dialog.getByLabel('Setup key').innerText()).trim();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByLabel('Enter the code displayed by your app').fill(totp(key).generate());
  await dialog.getByRole('button', { name: 'Check Code' }).click();
  await dialog.getByRole('button', { name: "I've Saved my Codes" }).click();
  await expect(dialog).toBeHidden();
}

test('an admin requires 2FA; a member without it is sent to enrollment, enrolls and gets in', async ({ browser }) => {
  test.setTimeout(90_000); // the reset waits for a fresh step of the owner's app
  const slug = `secure-${Date.now()}`;
  const owner = await (await browser.newContext()).newPage();
  await signUpViaApi(owner.request, 'Odin');
  const ownerApp = await enrollViaApi(owner.request);
  const memberContext = await browser.newContext();
  const memberEmail = await signUpViaApi(memberContext.request, 'Mona');
  await owner.request.post('/api/create_org', { form: { name: 'Secure Co', slug } });
  const sent = await owner.request.post('/api/add_member', { form: { slug, email: memberEmail, role: 'member' } });
  expect(sent.status()).toBe(200);
  const { code } = await sent.json();

  await owner.goto(`/orgs/${slug}`);
  await hydrated(owner);
  await owner.getByRole('link', { name: 'Settings' }).click();
  await expect(owner.getByRole('heading', { name: 'Require two-factor authentication' })).toBeVisible();
  await owner.getByLabel('Enable for all users in organization').check();
  await owner.getByLabel('Grace period').selectOption('0');
  await owner.getByRole('button', { name: 'Save' }).click();
  await expect(owner.getByText('Saved.')).toBeVisible();

  const member = await memberContext.newPage();
  await logIn(member, memberEmail, PASSWORD);
  await expect(member.getByRole('heading', { name: 'Welcome, Mona' })).toBeVisible();
  // Invited, not yet a member: accepting on the home page, with the code the owner passed on, makes her one.
  await member.getByLabel('Invitation code').fill(code);
  await member.getByRole('button', { name: 'Accept the invitation to Secure Co' }).click();
  await expect(member.getByText('Invitation accepted.')).toBeVisible();
  await member.goto(`/orgs/${slug}`);
  await hydrated(member);
  await expect(member.getByRole('heading', { name: 'Two-factor authentication required' })).toBeVisible();
  await expect(member.getByText('Secure Co requires two-factor authentication.')).toBeVisible();
  await member.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await enrollInDialog(member);
  // Continues where they were going: the organization's members.
  await expect(member.getByRole('heading', { name: 'Secure Co' })).toBeVisible();
  await expect(member.getByRole('row', { name: /Mona/ })).toBeVisible();

  // The admin resets the member's 2FA (a lost phone): the member must enroll again.
  await owner.goto(`/orgs/${slug}`);
  await hydrated(owner);
  const row = owner.getByRole('row', { name: new RegExp(memberEmail) });
  await expect(row.getByText('Enabled')).toBeVisible();
  await row.getByLabel('Reset 2FA of Mona').click();
  await row.getByLabel('Your password').fill(PASSWORD);
  await row.getByLabel('Your authentication code').fill(await freshCode(ownerApp.key, ownerApp.usedAt));
  await row.getByRole('button', { name: 'Reset' }).click();
  await expect(owner.getByRole('row', { name: new RegExp(memberEmail) }).getByText('Disabled')).toBeVisible();

  // Their session ended; logging in again shows the notice.
  await logIn(member, memberEmail, PASSWORD);
  await expect(member.getByText(/Odin \(.*\), an owner of Secure Co, reset your two-factor authentication/)).toBeVisible();
  await member.goto(`/orgs/${slug}`);
  await expect(member.getByRole('heading', { name: 'Two-factor authentication required' })).toBeVisible();
});

test('switching the requirement off takes the owner\'s password and a current code', async ({ page }) => {
  test.setTimeout(110_000);
  const slug = `strict-${Date.now()}`;
  await signUpViaApi(page.request, 'Otto');
  const app = await enrollViaApi(page.request);
  await page.request.post('/api/create_org', { form: { name: 'Strict Co', slug } });
  await page.goto(`/orgs/${slug}/settings`);
  await hydrated(page);
  await page.getByLabel('Enable for all users in organization').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  await page.getByLabel('Enable for all users in organization').uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Enter your password and the code your authenticator app shows now')).toBeVisible();
  const confirm = page.getByRole('group', { name: 'Confirm it is you' });
  await confirm.getByLabel('Your password').fill(PASSWORD);
  const first = await freshCode(app.key, app.usedAt);
  const firstAt = Date.now();
  await confirm.getByLabel('Authentication code').fill(first);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Enable for all users in organization')).not.toBeChecked();

  // The Terraform-Cloud-style seed's one button, on and off (off with the same proof).
  await hydrated(page);
  await page.getByRole('button', { name: 'Require two-factor' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByLabel('Enable for all users in organization')).toBeChecked();
  const stop = page.locator('form', { has: page.getByRole('button', { name: 'Stop requiring two-factor' }) });
  await stop.getByPlaceholder('Your password').fill(PASSWORD);
  await stop.getByPlaceholder(/Code/).fill(await freshCode(app.key, firstAt));
  await stop.getByRole('button', { name: 'Stop requiring two-factor' }).click();
  await expect(page.getByRole('button', { name: 'Require two-factor' })).toBeVisible();
  await expect(page.getByLabel('Enable for all users in organization')).not.toBeChecked();
});
