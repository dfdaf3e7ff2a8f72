import { Page, expect, test } from '@playwright/test';
import { PASSWORD, hydrated, uniqueEmail } from './helpers';

/** Records every Content-Security-Policy violation the page reports. */
async function watchViolations(page: Page): Promise<string[]> {
  const console: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) console.push(msg.text());
  });
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return console;
}

async function expectNoViolations(page: Page, console: string[]) {
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  expect(console).toEqual([]);
}

test('every page hydrates under the nonce CSP, and the wasm app works', async ({ page }) => {
  // It walks every page and hydrates each: on a loaded CI machine that outlasts the default 30 s.
  test.setTimeout(90_000);
  const console = await watchViolations(page);
  const hostile = '</title><script>window.__pwned=1</script>"><img src=x onerror=window.__pwned=2>';
  const slug = `csp-${Date.now()}`;

  for (const path of ['/', '/login', '/signup', '/nope']) {
    const res = await page.goto(path);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'nonce-[0-9a-f]+' 'strict-dynamic'/);
    await hydrated(page);
    await expectNoViolations(page, console);
  }

  // Sign up through the hydrated form, with a hostile name.
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Name').fill(`Eve ${hostile}`);
  await page.getByLabel('Email').fill(uniqueEmail('Eve'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: /Welcome, Eve/ })).toBeVisible();

  await page.goto('/orgs/new');
  await hydrated(page);
  await page.getByLabel('Name').fill(hostile);
  await page.getByLabel('Address').fill(slug);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));

  for (const path of [`/orgs/${slug}`, `/orgs/${slug}/settings`, '/account']) {
    await page.goto(path);
    await hydrated(page);
    await expectNoViolations(page, console);
  }
  await page.goto(`/orgs/${slug}`);
  await hydrated(page);
  // The tab shows the real name, once the client owns the title too.
  await expect(page).toHaveTitle(`${hostile} · Portcullis`);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();

  // A button that only works with the wasm app: the enrollment dialog.
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('switch', { name: 'Two Factor Auth' }).click();
  await expect(page.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
  await expectNoViolations(page, console);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test('an inline script that slipped into the page does not run', async ({ page }) => {
  const console = await watchViolations(page);
  // Play a stored XSS that escaping missed: the server's answer, CSP header and all, plus a script.
  await page.route('**/login', async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('</head>', '<script>window.__injected = 1</script></head>');
    await route.fulfill({ response: res, body });
  });
  await page.goto('/login');
  await hydrated(page);
  expect(await page.evaluate(() => (window as any).__injected)).toBeUndefined();
  const violations: string[] = await page.evaluate(() => (window as any).__violations);
  expect(violations.some((v) => v.startsWith('script-src'))).toBe(true);
  expect(console.length).toBeGreaterThan(0);
});
