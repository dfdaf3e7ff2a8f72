import { Page, expect, test } from '@playwright/test';
import { hydrated, settled, signUpViaApi } from './helpers';

// Client-side navigation (public/navigate.js): once the wasm is there, links and
// plain form posts swap the page in place. A value set on `window` survives only
// if no document was loaded in between.

async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: string }).__sameDocument = 'still here';
  });
}

async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument)).toBe('still here');
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
}

async function orgOwner(page: Page, name: string): Promise<{ slug: string; email: string }> {
  const email = await signUpViaApi(page.request, name);
  const slug = `walk-${Date.now()}-${Math.floor(Math.random() * 1000)}`;
  const res = await page.request.post('/api/create_org', { form: { name: 'Walk Co', slug } });
  expect(res.status(), await res.text()).toBe(200);
  return { slug, email };
}

test('Account, Organization, Members, Settings, Applications and back: never a document load', async ({ page }) => {
  const { slug } = await orgOwner(page, 'Wally');
  await page.goto('/account');
  await hydrated(page);
  await markDocument(page);

  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
  await expect(page.getByRole('table', { name: /Members of/ })).toBeVisible();
  // Focus on the new page's heading, the title changed and announced.
  await expect(page.locator('main h1')).toBeFocused();
  await expect(page).toHaveTitle(/Walk Co/);
  await expect(page.locator('#route-announcer')).toHaveText(/Walk Co/);

  await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings$`));
  await expect(page.getByRole('heading', { name: 'Require two-factor authentication' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'General' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings/general$`));
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Applications' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/applications$`));
  await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));

  await page.getByLabel('Account menu for Wally').click();
  await page.getByRole('menuitem', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Two-Factor Authentication' })).toBeVisible();

  // Back and forward, within the same document.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
  await expect(page.getByRole('table', { name: /Members of/ })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/applications$`));
  await page.goForward();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
  await expectSameDocument(page);

  // The islands on a page reached this way work: the enrollment dialog opens and closes.
  await page.goto('/account');
  await hydrated(page);
  await markDocument(page);
  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await expect(page.getByRole('table', { name: /Members of/ })).toBeVisible();
  await page.getByLabel('Account menu for Wally').click();
  await page.getByRole('menuitem', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await settled(page);
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
  await expect(dialog.getByLabel('Setup key')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await expectSameDocument(page);
});

test('a plain form post (an invitation) is answered in place, its notice shown', async ({ page, request }) => {
  const memberEmail = await signUpViaApi(request, 'Ines');
  const owner = await orgOwner(page, 'Owen');
  const { slug } = owner;
  await page.goto(`/orgs/${slug}`);
  await hydrated(page);
  await markDocument(page);
  await page.getByLabel('Email').fill(memberEmail);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${memberEmail}.`)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pending invitations' }).getByRole('row', { name: new RegExp(memberEmail) })).toBeVisible();
  await expectSameDocument(page);

  // A refused post comes back in place with its error, and what was typed is kept.
  const { email: ownerEmail } = owner;
  await page.getByLabel('Email').fill(ownerEmail);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /already/i }).first()).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(ownerEmail);
  await expectSameDocument(page);
});

test('the organization menu leads owners to Organization Settings, and the one button requires two-factor', async ({ page }) => {
  const { slug } = await orgOwner(page, 'Orla');
  await page.goto(`/orgs/${slug}`);
  await hydrated(page);
  await page.getByLabel(/Current organization: Walk Co/).click();
  await page.getByRole('menuitem', { name: 'Organization Settings' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/settings$`));
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Authentication' })).toHaveAttribute('aria-current', 'page');
  // The owner has no 2FA yet: the seed's rule, said plainly.
  await page.getByRole('button', { name: 'Require two-factor' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /two-factor/i }).first()).toBeVisible();
});
