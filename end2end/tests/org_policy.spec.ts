import { APIRequestContext, Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

function totp(key: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, '')), digits: 6, period: 30 });
}

/** Turns 2FA on through the server functions, as the owner would have done earlier. */
async function enrollViaApi(request: APIRequestContext) {
  const start = await (await request.post('/api/start_enrollment')).json();
  expect((await request.post('/api/check_enrollment_code', { form: { code: totp(start.setup_key).generate() } })).status()).toBe(200);
  expect((await request.post('/api/finish_enrollment')).status()).toBe(200);
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
  const slug = `secure-${Date.now()}`;
  const owner = await (await browser.newContext()).newPage();
  await signUpViaApi(owner.request, 'Odin');
  await enrollViaApi(owner.request);
  const memberContext = await browser.newContext();
  const memberEmail = await signUpViaApi(memberContext.request, 'Mona');
  await owner.request.post('/api/create_org', { form: { name: 'Secure Co', slug } });
  expect((await owner.request.post('/api/add_member', { form: { slug, email: memberEmail, role: 'member' } })).status()).toBe(200);

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
  // Invited, not yet a member: accepting on the home page makes her one.
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
  await row.getByRole('button', { name: 'Reset' }).click();
  await expect(owner.getByRole('row', { name: new RegExp(memberEmail) }).getByText('Disabled')).toBeVisible();

  // Their session ended; logging in again shows the notice.
  await logIn(member, memberEmail, PASSWORD);
  await expect(member.getByText('An admin of Secure Co reset your two-factor authentication')).toBeVisible();
  await member.goto(`/orgs/${slug}`);
  await expect(member.getByRole('heading', { name: 'Two-factor authentication required' })).toBeVisible();
});
