// Time to interactive of a page in headless Chromium on a throttled network:
// from navigation start until the wasm has hydrated the page (body[data-hydrated]),
// median of N cold loads (a fresh browser context each: no cache).
// Usage: node perf/hydrate-time.mjs <url> [runs=10]
import { chromium } from '@playwright/test';

const url = process.argv[2];
const runs = Number(process.argv[3] ?? 10);
if (!url) {
  console.error('usage: node perf/hydrate-time.mjs <url> [runs]');
  process.exit(2);
}
// "Slow 4G"-like: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip.
const profile = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const times = [];
// Time to the HTML's first byte: the server's share, so that a slow render is not blamed on the wasm.
const ttfbs = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', profile);
  // Records when the hydrate entry marks the body (performance.now() counts from navigation start).
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
  const [hydratedAt, firstByte] = await page.evaluate(() => [
    window.__hydratedAt,
    performance.getEntriesByType('navigation')[0]?.responseStart ?? 0,
  ]);
  times.push(Math.round(hydratedAt));
  ttfbs.push(Math.round(firstByte));
  await context.close();
}
await browser.close();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify({
  url, runs, median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times), times,
  ttfb_median_ms: median(ttfbs),
}));
