// Time from a click on the "Members" tab (on an organization's Settings tab) to
// the Members tab painted, on the throttled profile of hydrate-time.mjs: once
// through client-side navigation (public/navigate.js swaps the page in place),
// once as a full document load (the same link, left to the browser). The page
// is hydrated and its bundle cached before each click, as for someone already
// using Portcullis. Median of N runs, each in a fresh browser context.
// Also the time until the page is interactive again.
// Usage: node perf/click-to-paint.mjs <base-url> [runs=10]
import { chromium, request as http } from '@playwright/test';

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 10);
if (!base) {
  console.error('usage: node perf/click-to-paint.mjs <base-url> [runs]');
  process.exit(2);
}
const profile = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

// One account with one organization, made through the server functions.
const api = await http.newContext({ baseURL: base });
const email = `paint-${Date.now()}@example.com`;
let res = await api.post('/api/sign_up', { form: { name: 'Paula', email, password: 'correct horse battery' } });
if (!res.ok()) throw new Error(`sign up: ${res.status()} ${await res.text()}`);
const slug = `paint-${Date.now()}`;
res = await api.post('/api/create_org', { form: { name: 'Paint Co', slug } });
if (!res.ok()) throw new Error(`create org: ${res.status()} ${await res.text()}`);
const storageState = await api.storageState();
await api.dispose();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});

// In every document: the absolute time (ms since the epoch, sub-ms) of the frame
// after the Members table appeared, and of the page being interactive again (a
// document load: the wasm hydrated the new document; in place: navigate.js
// hydrated the new islands).
function watchForMembers() {
  const ready = () => sessionStorage.setItem('readyAt', String(performance.timeOrigin + performance.now()));
  document.addEventListener('portcullis:navigated', ready, { once: true });
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated === 'true' && !sessionStorage.getItem('readyAt') && sessionStorage.getItem('paintedAt')) {
      observer.disconnect();
      ready();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  new MutationObserver((_, observer) => {
    if (document.querySelector('table.members')) {
      observer.disconnect();
      requestAnimationFrame(() => {
        sessionStorage.setItem('paintedAt', String(performance.timeOrigin + performance.now()));
      });
    }
  }).observe(document, { subtree: true, childList: true });
}

async function once(fullLoad) {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', profile);
  await page.goto(`${base}/orgs/${slug}/settings`);
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
  await page.evaluate(watchForMembers);
  await page.addInitScript(watchForMembers);
  const link = page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Members' });
  if (fullLoad) await link.evaluate((a) => a.setAttribute('data-document', ''));
  await page.evaluate(() => {
    sessionStorage.removeItem('paintedAt');
    sessionStorage.removeItem('readyAt');
    window.__sameDocument = true;
  });
  const clickedAt = await page.evaluate(() => performance.timeOrigin + performance.now());
  await link.click();
  await page.waitForFunction(() => sessionStorage.getItem('paintedAt') && sessionStorage.getItem('readyAt'), null, { timeout: 60_000, polling: 10 });
  const [paintedAt, readyAt] = (await page.evaluate(() => [sessionStorage.getItem('paintedAt'), sessionStorage.getItem('readyAt')])).map(Number);
  const sameDocument = await page.evaluate(() => window.__sameDocument === true);
  await context.close();
  if (sameDocument === fullLoad) throw new Error(fullLoad ? 'the full load stayed in the document' : 'the click loaded a document');
  return [Math.round(paintedAt - clickedAt), Math.round(readyAt - clickedAt)];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const result = {};
for (const [name, fullLoad] of [['client_side', false], ['full_load', true]]) {
  const painted = [];
  const ready = [];
  for (let i = 0; i < runs; i++) {
    const [p, r] = await once(fullLoad);
    painted.push(p);
    ready.push(r);
  }
  const summary = (times) => ({ median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times), times });
  result[name] = { painted: summary(painted), interactive: summary(ready) };
}
await browser.close();
console.log(JSON.stringify({ base, runs, ...result }));
