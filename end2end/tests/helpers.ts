import { APIRequestContext, Page, expect } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

let counter = 0;
/** A unique email per test run, so tests never collide on the shared server. */
export function uniqueEmail(name: string): string {
  counter += 1;
  return `${name.toLowerCase()}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

/** Creates an account through the server function, as a colleague signing up elsewhere would. */
export async function signUpViaApi(request: APIRequestContext, name: string): Promise<string> {
  const email = uniqueEmail(name);
  const res = await request.post('/api/sign_up', { form: { name, email, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
  return email;
}

/** Waits until the page is hydrated, so clicks run through the client. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log In' }).click();
}
