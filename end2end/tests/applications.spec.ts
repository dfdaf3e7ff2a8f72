import { Page, expect, test } from '@playwright/test';
import { expectNoSeriousViolations, hydrated, signUpViaApi } from './helpers';

// "Edit" on an application: a plain form that works before (and without) the wasm.
// A manager of two organizations opens an application of one to the members of
// the other, and shortens its refresh tokens' life.

async function createOrg(page: Page, name: string): Promise<string> {
  const slug = `${name.toLowerCase()}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const res = await page.request.post('/api/create_org', { form: { name, slug } });
  expect(res.status(), await res.text()).toBe(200);
  return slug;
}

test('an owner of two organizations admits the other one and shortens the refresh tokens', async ({ page }) => {
  await signUpViaApi(page.request, 'Edda');
  const acme = await createOrg(page, 'Acme');
  await createOrg(page, 'Beta');
  const registered = await page.request.post('/api/register_application', {
    form: { slug: acme, name: 'Wiki', redirect_uris: 'http://127.0.0.1:9/callback' },
  });
  expect(registered.status(), await registered.text()).toBe(200);

  await page.goto(`/orgs/${acme}/applications`);
  await hydrated(page);
  await page.getByLabel('Edit Wiki').click();
  const who = page.getByRole('group', { name: 'Who may sign in' });
  await expect(who.getByLabel('Members of Acme')).toBeChecked();
  await expect(who.getByLabel('Members of Acme')).toBeDisabled();
  await expect(who.getByLabel('Members of Beta')).not.toBeChecked();
  await expectNoSeriousViolations(page, 'the Applications tab with "Edit" open');

  await page.getByLabel('Refresh tokens last').selectOption({ label: '1 day' });
  await who.getByLabel('Members of Beta').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();

  const card = page.getByRole('article', { name: 'Wiki' });
  await expect(card.getByText('Also admits members of')).toBeVisible();
  await expect(card.getByRole('definition').filter({ hasText: /^Beta$/ })).toBeVisible();
  await page.getByLabel('Edit Wiki').click();
  await expect(page.getByLabel('Refresh tokens last')).toHaveValue('86400');
  await expect(page.getByRole('group', { name: 'Who may sign in' }).getByLabel('Members of Beta')).toBeChecked();

  await page.goto(`/orgs/${acme}/settings/general`);
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit.getByText(/refresh tokens last 1 day, also admits members of Beta/)).toBeVisible();
});
