import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { PASSWORD, hydrated, testAddress, uniqueEmail } from './helpers';

// A browser app we did not write the client library of: oidc-client-ts (npm), in a static page
// served from another loopback origin, signs in through Portcullis as a public client (PKCE),
// redeems its code and calls userinfo from the browser (CORS), and refreshes its token.

const BASE = process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:3000';

async function spa(): Promise<{ origin: string; close: () => void }> {
  const page = fs.readFileSync(path.join(__dirname, '..', 'spa', 'index.html'));
  // The library's browser build, as a script tag loads it (its package exports do not name the file).
  const library = fs.readFileSync(path.join(__dirname, '..', 'node_modules', 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.min.js'));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://spa');
    if (url.pathname === '/oidc-client-ts.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(library);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test('a single-page app signs in with oidc-client-ts, calls userinfo from the browser and refreshes', async ({ page }) => {
  const app = await spa();
  try {
    const email = uniqueEmail('Sam');
    const signUp = await page.request.post('/api/sign_up', {
      form: { name: 'Sam', email, password: PASSWORD },
      headers: { 'X-Forwarded-For': testAddress() },
    });
    expect(signUp.status()).toBe(200);
    const slug = `notes-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    expect((await page.request.post('/api/create_org', { form: { name: 'Notes Inc', slug } })).status()).toBe(200);
    const registered = await page.request.post('/api/register_application', {
      form: { slug, name: 'Notes', redirect_uris: `${app.origin}/callback`, public: 'true' },
    });
    expect(registered.status(), await registered.text()).toBe(200);
    const { client_id: clientId, client_secret: secret } = await registered.json();
    expect(secret).toBeNull();

    const crossOrigin: string[] = [];
    page.on('console', (msg) => {
      if (/CORS|Access-Control/i.test(msg.text())) crossOrigin.push(msg.text());
    });
    await page.goto(`${app.origin}/?authority=${encodeURIComponent(BASE)}&client_id=${encodeURIComponent(clientId)}`);
    await page.getByRole('button', { name: 'Sign in with Portcullis' }).click();

    // Portcullis asks once; the person is signed in there already.
    await expect(page.getByRole('heading', { name: 'Sign in to Notes' })).toBeVisible();
    await hydrated(page);
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect(page.getByRole('status')).toHaveText(`Signed in as ${email}`);
    expect(page.url()).toBe(`${app.origin}/`);

    await page.getByRole('button', { name: 'Call userinfo' }).click();
    await expect(page.getByText(`userinfo: ${email}; groups: ${slug} ${slug}:owner`)).toBeVisible();
    await page.getByRole('button', { name: 'Refresh the token' }).click();
    await expect(page.getByText('refreshed: a new access token and a rotated refresh token')).toBeVisible();
    expect(crossOrigin).toEqual([]);
  } finally {
    app.close();
  }
});
