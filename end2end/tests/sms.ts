import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';

/** A text the test gateway (`sms-gateway.mjs`) received. */
export interface Texted {
  to: string;
  from: string;
  body: string;
}

/** The texts sent to `to` (E.164) so far, oldest first. */
export function textsTo(to: string): Texted[] {
  const dir = process.env.PORTCULLIS_SMS_DIR;
  if (!dir) throw new Error('PORTCULLIS_SMS_DIR is not set: run the tests through scripts/test.sh');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Texted)
    .filter((t) => t.to === to);
}

/** Waits for the `n`th text to `to` and returns its 6-digit code. */
export async function nthCode(to: string, n: number): Promise<string> {
  await expect.poll(() => textsTo(to).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(n);
  return textsTo(to)[n - 1].body.slice(0, 6);
}
