import { expect, test } from '@playwright/test';
import { PASSWORD, hydrated, logIn, signUpViaApi, uniqueEmail } from './helpers';

test('sign up, account page, create an organization, add a member, log out', async ({ page, request }) => {
  const colleague = await signUpViaApi(request, 'Bob');
  const email = uniqueEmail('Alice');
  const slug = `acme-${Date.now()}`;

  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Name').fill('Alice Example');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Alice Example' })).toBeVisible();

  // Avatar menu -> Account
  await page.getByLabel('Account menu for Alice Example').click();
  await expect(page.getByRole('menuitem', { name: 'Account' })).toBeVisible();
  await page.getByRole('menuitem', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expect(page.locator('main').getByText(email).first()).toBeVisible();

  // Create an organization
  await page.goto('/orgs/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('Acme Corp');
  await page.getByLabel('Address').fill(slug);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
  await expect(page.getByRole('heading', { name: 'Acme Corp' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Organization', exact: true })).toBeVisible();

  // Invite a colleague: pending until they accept
  await page.getByLabel('Email').fill(colleague);
  await page.getByLabel('Role', { exact: true }).selectOption('admin');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${colleague}.`)).toBeVisible();
  const row = page.getByRole('region', { name: 'Pending invitations' }).getByRole('row', { name: new RegExp(colleague) });
  await expect(row).toBeVisible();
  await expect(row.getByText('Admin')).toBeVisible();
  await expect(row.getByRole('button', { name: `Cancel invitation to ${colleague}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Members' })).toHaveAttribute('aria-current', 'page');

  // Log out
  await page.getByLabel('Account menu for Alice Example').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
});

test('log in with a wrong password, then the right one', async ({ page, request }) => {
  const email = await signUpViaApi(request, 'Carol');
  await logIn(page, email, 'not my password');
  await expect(page.getByRole('alert').filter({ hasText: 'Invalid email or password' })).toBeVisible();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Carol' })).toBeVisible();
});

test('sign-up rules are explained next to the field', async ({ page }) => {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Name').fill('Dora');
  await page.getByLabel('Email').fill(uniqueEmail('Dora'));
  // Bypass the browser's own minlength check to see the server's message.
  await page.getByLabel('Password').evaluate((el) => el.removeAttribute('minlength'));
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText('Use at least 8 characters for your password.')).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the login form still works', async ({ page, request }) => {
    const email = await signUpViaApi(request, 'Erin');
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log In' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome, Erin' })).toBeVisible();
    await page.goto('/account');
    await expect(page.locator('main').getByText(email).first()).toBeVisible();
  });
});
