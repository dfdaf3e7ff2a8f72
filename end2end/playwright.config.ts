import { defineConfig } from '@playwright/test';

// The PostgreSQL pass (scripts/test.sh sets PORTCULLIS_E2E_DATABASE_WALKS=1) repeats only the walks
// whose outcome can depend on the database: markup and accessibility, security headers,
// client-side navigation and the third-party relying parties behave the same on both.
const sameOnEveryDatabase = [/accessibility\.spec\.ts/, /csp\.spec\.ts/, /navigation\.spec\.ts/, /apache\.spec\.ts/, /spa\.spec\.ts/];
const databaseWalksOnly = process.env.PORTCULLIS_E2E_DATABASE_WALKS === '1';

// Debian's Chromium, never a browser downloaded by Playwright.
export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:3000',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'chromium', testIgnore: [/no_js\.spec\.ts/, ...(databaseWalksOnly ? sameOnEveryDatabase : [])] },
    // The forms users fill without JavaScript (or before the wasm arrives).
    { name: 'no-js', testMatch: /no_js\.spec\.ts/, use: { javaScriptEnabled: false } },
  ],
});
