import { APIRequestContext, expect, test } from '@playwright/test';
import { PASSWORD, hydrated, logIn, signUpViaApi } from './helpers';

test('the owner invites, the member logs in and accepts, then appears in the list', async ({ browser, request }) => {
  const memberEmail = await signUpViaApi(request, 'Ivy');
  const slug = `invite-${Date.now()}`;
  const owner = await (await browser.newContext()).newPage();
  await signUpViaApi(owner.request, 'Olga');
  await owner.request.post('/api/create_org', { form: { name: 'Invite Co', slug } });
  await owner.goto(`/orgs/${slug}`);
  await hydrated(owner);
  await owner.getByLabel('Email').fill(memberEmail);
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  const sent = owner.getByText(`Invitation sent to ${memberEmail}.`);
  await expect(sent).toBeVisible();
  // The one-time code the invitee accepts with is shown to the inviter, once.
  const code = (await sent.textContent())?.match(/invitation code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/)?.[1];
  expect(code).toBeTruthy();
  // Pending, not a member: listed apart, with the email the owner typed.
  const pending = owner.getByRole('region', { name: 'Pending invitations' });
  await expect(pending.getByRole('row', { name: new RegExp(memberEmail) })).toBeVisible();
  await expect(owner.getByRole('table', { name: /Members of/ }).getByText(memberEmail)).toHaveCount(0);

  const member = await (await browser.newContext()).newPage();
  await logIn(member, memberEmail, PASSWORD);
  await expect(member.getByText('Olga invited you to join')).toBeVisible();
  await member.getByLabel('Invitation code').fill(code!);
  await member.getByRole('button', { name: 'Accept the invitation to Invite Co' }).click();
  await expect(member.getByText('Invitation accepted.')).toBeVisible();
  await expect(member.getByRole('link', { name: 'Invite Co' }).first()).toBeVisible();

  await owner.reload();
  await hydrated(owner);
  await expect(owner.getByRole('table', { name: /Members of/ }).getByRole('row', { name: new RegExp(memberEmail) })).toBeVisible();
  await expect(owner.getByRole('region', { name: 'Pending invitations' })).toHaveCount(0);

  // The member leaves again, after confirming.
  await member.goto(`/orgs/${slug}`);
  await hydrated(member);
  await member.getByText('Leave organization').click();
  await member.getByRole('button', { name: 'Yes, leave Invite Co' }).click();
  await expect(member.getByRole('heading', { name: 'Welcome, Ivy' })).toBeVisible();
  await expect(member.getByText('You are not in any organization yet.')).toBeVisible();
});

/** Invites through the server function and accepts as the member, as join_org does in the Rust tests. */
async function joinViaApi(owner: APIRequestContext, member: APIRequestContext, slug: string, email: string) {
  const sent = await owner.post('/api/add_member', { form: { slug, email, role: 'member' } });
  expect(sent.status()).toBe(200);
  const { code } = await sent.json();
  const invitations = await (await member.post('/api/my_invitations')).json();
  const invitation = invitations.find((i: { org_slug: string }) => i.org_slug === slug);
  const accepted = await member.post('/api/accept_invitation', { form: { invitation_id: String(invitation.id), code } });
  expect(accepted.status()).toBe(200);
}

test('owners see the 2FA column and filter; a plain member sees no 2FA status', async ({ browser, request }) => {
  const memberEmail = await signUpViaApi(request, 'Mia');
  const slug = `team-${Date.now()}`;

  const ownerPage = await (await browser.newContext()).newPage();
  const ownerEmail = await signUpViaApi(ownerPage.request, 'Owen');
  await ownerPage.request.post('/api/create_org', { form: { name: 'Team', slug } });
  await joinViaApi(ownerPage.request, request, slug, memberEmail);
  await ownerPage.goto(`/orgs/${slug}`);
  await hydrated(ownerPage);
  await expect(ownerPage.getByRole('columnheader', { name: '2FA' })).toBeVisible();
  await expect(ownerPage.getByText('0 of 2 members have two-factor authentication enabled')).toBeVisible();
  await expect(ownerPage.getByRole('row', { name: new RegExp(memberEmail) }).getByText('Disabled')).toBeVisible();
  await ownerPage.getByRole('navigation', { name: 'Filter by two-factor authentication' }).getByRole('link', { name: 'Enabled' }).click();
  await expect(ownerPage.getByRole('row', { name: new RegExp(memberEmail) })).toHaveCount(0);
  await expect(ownerPage.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/orgs/${slug}/members.csv`);

  const memberPage = await (await browser.newContext()).newPage();
  await logIn(memberPage, memberEmail, PASSWORD);
  await expect(memberPage.getByRole('heading', { name: 'Welcome, Mia' })).toBeVisible();
  await memberPage.goto(`/orgs/${slug}`);
  await hydrated(memberPage);
  await expect(memberPage.getByRole('row', { name: /Owen/ })).toBeVisible();
  await expect(memberPage.getByText(ownerEmail)).toHaveCount(0);
  await expect(memberPage.getByRole('columnheader', { name: '2FA' })).toHaveCount(0);
  await expect(memberPage.getByText('have two-factor authentication enabled')).toHaveCount(0);
  // Not in the hydration data either (the org's own policy field is fine).
  expect(await memberPage.content()).not.toMatch(/two_factor\\?":/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('an invitation is accepted, and the organization left, before hydration', async ({ page, playwright }) => {
    const slug = `nojs-${Date.now()}`;
    const owner = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
    await signUpViaApi(owner, 'Omar');
    await owner.post('/api/create_org', { form: { name: 'No Script Ltd', slug } });
    const email = await signUpViaApi(page.request, 'Nell');
    const sent = await owner.post('/api/add_member', { form: { slug, email, role: 'member' } });
    expect(sent.status()).toBe(200);
    const { code } = await sent.json();

    await page.goto('/');
    await expect(page.getByText('Omar invited you to join')).toBeVisible();
    await page.getByLabel('Invitation code').fill(code);
    await page.getByRole('button', { name: 'Accept the invitation to No Script Ltd' }).click();
    await expect(page.locator('main').getByRole('link', { name: 'No Script Ltd' })).toBeVisible();
    await expect(page.getByText('Omar invited you to join')).toHaveCount(0);

    await page.goto(`/orgs/${slug}`);
    await page.getByText('Leave organization').click();
    await page.getByRole('button', { name: 'Yes, leave No Script Ltd' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByText('You are not in any organization yet.')).toBeVisible();
    await owner.dispose();
  });
});
