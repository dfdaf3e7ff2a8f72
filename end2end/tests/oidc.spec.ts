import { Browser, Page, expect, test } from '@playwright/test';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as oidc from 'openid-client';
import { enroll, logInWithCode, signUp } from './enrolled';
import { PASSWORD, hydrated } from './helpers';

// A relying party we did not write: panva's openid-client (OpenID Certified), running here in the
// test process, with a loopback server as its redirect URI, signs people in through Portcullis.

const BASE = process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:3000';

/** The application's web server: it only has to answer; the test reads the URL the browser lands on. */
async function relyingParty(): Promise<{ base: string; close: () => void }> {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><title>Wiki</title><h1>Wiki</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** Every CSP violation the page reports: one would silently break a redirect. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

/** Creates an organization and registers the application through the Applications tab; returns its credentials. */
async function registerApplication(page: Page, rp: string): Promise<{ clientId: string; secret: string; slug: string }> {
  const slug = `acme-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  expect((await page.request.post('/api/create_org', { form: { name: 'Acme', slug } })).status()).toBe(200);
  await page.goto(`/orgs/${slug}/applications`);
  await hydrated(page);
  await page.getByText('Register an application').click();
  await page.getByLabel('Name', { exact: true }).fill('Wiki');
  await page.getByLabel('Redirect URIs', { exact: true }).fill(`${rp}/callback`);
  await page.getByLabel('Post-logout redirect URIs').fill(`${rp}/bye`);
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const secret = (await page.getByLabel('Client secret').innerText()).trim();
  const clientId = (await page.getByLabel('Client ID').innerText()).trim();
  expect(secret).toMatch(/^pcs_/);
  expect(clientId).toMatch(/^pcl_/);
  return { clientId, secret, slug };
}

async function discover(clientId: string, secret: string): Promise<oidc.Configuration> {
  // Plain http is allowed for this loopback test server only.
  const config = await oidc.discovery(new URL(BASE), clientId, secret, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
  // Check the ID token's signature (RS256, the client's default) against the JWKS, not only TLS.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function startSignIn(config: oidc.Configuration, rp: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${rp}/callback`,
    scope: 'openid profile email orgs',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, verifier, state, nonce };
}


test('openid-client signs in with PKCE after password and TOTP, refreshes and logs out', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const rp = await relyingParty();
  try {
    const email = await signUp(page, 'Rhea');
    const totp = await enroll(page);
    const { clientId, secret } = await registerApplication(page, rp.base);
    const config = await discover(clientId, secret);
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);

    // A browser that is not signed in: the application sends it to Portcullis.
    const context = await browser.newContext();
    const user = await context.newPage();
    const csp = watchCsp(user);
    const start = await startSignIn(config, rp.base);
    await user.goto(start.url.href);
    await logInWithCode(user, email, totp);

    // First use: the consent page names the application, its organization and what it may learn.
    await expect(user.getByRole('heading', { name: 'Sign in to Wiki' })).toBeVisible();
    await expect(user.getByText('Wiki, an application of Acme, asks to use your Portcullis account.')).toBeVisible();
    await expect(user.getByText('Your email address')).toBeVisible();
    await hydrated(user);
    await user.getByRole('button', { name: 'Allow' }).click();
    await user.waitForURL(`${rp.base}/callback?**`);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(user.url()), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(BASE);
    expect(claims.aud).toBe(clientId);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe('urn:portcullis:acr:pwd+totp');
    expect(claims.email).toBe(email);
    expect(claims.sub).not.toContain('@');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info.email).toBe(email);
    expect(info.name).toBe('Rhea');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.sub).toBe(claims.sub);
    // The rotated refresh token again: refused, and the newer one with it.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // The second sign-in asks nothing: consent is remembered, the session is there.
    const again = await startSignIn(config, rp.base);
    await user.goto(again.url.href);
    await user.waitForURL(`${rp.base}/callback?**`);
    const second = await oidc.authorizationCodeGrant(config, new URL(user.url()), {
      pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce,
    });

    // RP-initiated logout: confirm, then back to the application with its state.
    const logout = oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: `${rp.base}/bye`,
      id_token_hint: second.id_token!,
      state: 'see-you',
    });
    await user.goto(logout.href);
    await expect(user.getByText('Wiki asks to log you out of Portcullis as well.')).toBeVisible();
    await hydrated(user);
    await user.getByRole('button', { name: 'Log out' }).click();
    await user.waitForURL(`${rp.base}/bye?state=see-you`);
    await user.goto('/account');
    await expect(user).toHaveURL(/\/login$/);
    expect(csp).toEqual([]);

    // The Account page lists the application, with "Revoke".
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Applications you signed in to' })).toBeVisible();
    await hydrated(page);
    await page.getByRole('button', { name: 'Revoke Wiki' }).click();
    await expect(page.getByText('None yet.')).toBeVisible();
    await context.close();
  } finally {
    rp.close();
  }
});

test('without JavaScript the consent form reaches the application under the page\'s CSP', async ({ page, browser }) => {
  test.setTimeout(60_000);
  const rp = await relyingParty();
  try {
    const email = await signUp(page, 'Noa');
    const { clientId, secret } = await registerApplication(page, rp.base);
    const config = await discover(clientId, secret);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const user = await context.newPage();
    const csp = watchCsp(user);
    const start = await startSignIn(config, rp.base);
    await user.goto(start.url.href);
    await user.getByLabel('Email').fill(email);
    await user.getByLabel('Password').fill(PASSWORD);
    await user.getByRole('button', { name: 'Log In' }).click();
    await expect(user.getByRole('heading', { name: 'Sign in to Wiki' })).toBeVisible();
    // A form post whose redirects end at another origin: the last hop is a page that navigates by itself.
    await user.getByRole('button', { name: 'Allow' }).click();
    await user.waitForURL(`${rp.base}/callback?**`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(user.url()), {
      pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce,
    });
    expect(tokens.claims()!.amr).toEqual(['pwd']);
    expect(csp).toEqual([]);
    await context.close();
  } finally {
    rp.close();
  }
});
