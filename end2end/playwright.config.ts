import { defineConfig } from '@playwright/test';

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
    { name: 'chromium', testIgnore: /no_js\.spec\.ts/ },
    // The forms users fill without JavaScript (or before the wasm arrives).
    { name: 'no-js', testMatch: /no_js\.spec\.ts/, use: { javaScriptEnabled: false } },
  ],
});
