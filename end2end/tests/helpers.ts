import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Page, expect } from '@playwright/test';
import { linkIn, waitForMail } from './mail';

export const PASSWORD = 'correct horse battery';

let counter = 0;
/** A unique email per test run, so tests never collide on the shared server. */
export function uniqueEmail(name: string): string {
  counter += 1;
  return `${name.toLowerCase()}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

/** A made-up client address from the benchmarking range 198.18.0.0/15. */
export function testAddress(): string {
  const byte = () => Math.floor(Math.random() * 256);
  return `198.18.${byte()}.${byte()}`;
}

/** Creates an account through the server function, as a colleague signing up elsewhere would. */
export async function signUpViaApi(request: APIRequestContext, name: string): Promise<string> {
  const email = uniqueEmail(name);
  // Each account as if from its own address (the test server trusts the loopback proxy):
  // the suite signs up more people than one address may in an hour.
  const res = await request.post('/api/sign_up', { form: { name, email, password: PASSWORD }, headers: { 'X-Forwarded-For': testAddress() } });
  expect(res.status(), await res.text()).toBe(200);
  await verifyEmail(request, email);
  return email;
}

/** Follows the link of the "Verify your email address" message, as its reader would (verified
 *  addresses are what invitations are accepted with). */
export async function verifyEmail(request: APIRequestContext, email: string) {
  const link = linkIn(await waitForMail(email, 'Verify your email address'), '/verify-email?token=');
  const token = new URL(link).searchParams.get('token')!;
  const res = await request.post('/api/verify_email', { form: { token } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Waits until the page is hydrated, so clicks run through the client. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/**
 * Waits until a page swapped in by client-side navigation has its islands hydrated.
 * Call it once the new page is known to be there (its URL or heading): before the
 * swap, the old page is settled too.
 */
export async function settled(page: Page) {
  await hydrated(page);
  await expect(page.locator('html')).not.toHaveAttribute('data-islands-pending');
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log In' }).click();
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectNoSeriousViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(summary, `${where}: ${summary.join('\n')}`).toEqual([]);
}
