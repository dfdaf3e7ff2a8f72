import { expect, test } from '@playwright/test';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { enroll, logInWithCode, signUp } from './enrolled';
import { hydrated } from './helpers';

// A relying party we did not write, in C: Apache with mod_auth_openidc (Debian's
// libapache2-mod-auth-openidc, OpenID Certified) protects a page, run here on the loopback with
// the configuration the README gives operators. Nothing in it is special to Portcullis.

const BASE = process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:3000';
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Apache in the foreground with a configuration of its own, in a directory of its own. */
async function apache(port: number, clientId: string, secret: string, slug: string): Promise<{ base: string; stop: () => void; log: () => string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-apache-'));
  const docs = path.join(root, 'htdocs');
  fs.mkdirSync(path.join(docs, 'protected'), { recursive: true });
  // The claims mod_auth_openidc passes on, shown by server-side includes.
  fs.writeFileSync(
    path.join(docs, 'protected', 'index.shtml'),
    '<!DOCTYPE html><html lang="en"><head><title>Wiki</title></head><body><main><h1>Wiki</h1>' +
      '<p>Signed in as <!--#echo var="REMOTE_USER" --></p>' +
      '<p>Groups: <!--#echo var="OIDC_CLAIM_groups" --></p>' +
      '<p>Signed in with: <!--#echo var="OIDC_CLAIM_acr" --></p>' +
      '<a href="/protected/redirect_uri?logout=' + encodeURIComponent(`http://127.0.0.1:${port}/bye.html`) + '">Log out</a>' +
      '</main></body></html>',
  );
  fs.writeFileSync(path.join(docs, 'bye.html'), '<!DOCTYPE html><title>Bye</title><h1>Signed out of the wiki</h1>');
  fs.chmodSync(root, 0o755);
  const user = os.userInfo().uid === 0 ? 'User www-data\nGroup www-data\n' : '';
  const config = `
ServerRoot "${root}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${root}/httpd.pid"
ErrorLog "${root}/error.log"
LogLevel warn auth_openidc:info
${user}
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule include_module ${MODULES}/mod_include.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
DocumentRoot "${docs}"
<Directory "${docs}">
    Require all granted
    Options +Includes
    <FilesMatch "\\.shtml$">
        SetOutputFilter INCLUDES
        ForceType text/html
    </FilesMatch>
    <FilesMatch "\\.html$">
        ForceType text/html
    </FilesMatch>
</Directory>

OIDCProviderMetadataURL ${BASE}/.well-known/openid-configuration
OIDCClientID ${clientId}
OIDCClientSecret ${secret}
OIDCRedirectURI http://127.0.0.1:${port}/protected/redirect_uri
OIDCCryptoPassphrase ${Math.random().toString(36).slice(2)}${Date.now()}
OIDCScope "openid email profile groups"
OIDCPKCEMethod S256
OIDCRemoteUserClaim email
OIDCPassClaimsAs environment
<Location /protected>
    AuthType openid-connect
    Require claim groups:${slug}
</Location>
`;
  fs.writeFileSync(path.join(root, 'httpd.conf'), config);
  const child: ChildProcess = spawn(APACHE, ['-f', path.join(root, 'httpd.conf'), '-DFOREGROUND'], { stdio: 'inherit' });
  const base = `http://127.0.0.1:${port}`;
  const log = () => (fs.existsSync(path.join(root, 'error.log')) ? fs.readFileSync(path.join(root, 'error.log'), 'utf8') : '');
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${base}/bye.html`).then((r) => r.ok, () => false);
    if (up) return { base, stop: () => child.kill('SIGTERM'), log };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Apache did not start:\n${log()}`);
}

test('Apache with mod_auth_openidc signs in through Portcullis with password and TOTP, and logs out', async ({ page, browser }) => {
  test.skip(!fs.existsSync(`${MODULES}/mod_auth_openidc.so`) && process.env.CI !== 'true', 'no mod_auth_openidc (scripts/bootstrap.sh installs it)');
  test.setTimeout(120_000);
  const email = await signUp(page, 'Ada');
  const totp = await enroll(page);
  const slug = `wiki-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  expect((await page.request.post('/api/create_org', { form: { name: 'Wiki Team', slug } })).status()).toBe(200);
  const port = await freePort();
  const registered = await page.request.post('/api/register_application', {
    form: {
      slug,
      name: 'Wiki',
      redirect_uris: `http://127.0.0.1:${port}/protected/redirect_uri`,
      post_logout_redirect_uris: `http://127.0.0.1:${port}/bye.html`,
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const { client_id: clientId, client_secret: secret } = await registered.json();
  const site = await apache(port, clientId, secret, slug);
  try {
    // Someone not signed in opens the wiki: Apache sends them to Portcullis.
    const context = await browser.newContext();
    const user = await context.newPage();
    await user.goto(`${site.base}/protected/index.shtml`);
    await logInWithCode(user, email, totp);
    await expect(user.getByRole('heading', { name: 'Sign in to Wiki' })).toBeVisible();
    await hydrated(user);
    await user.getByRole('button', { name: 'Allow' }).click();

    // Back on the wiki, with what Apache passes on to the application behind it.
    await expect(user.getByRole('heading', { name: 'Wiki' })).toBeVisible();
    await expect(user.getByText(`Signed in as ${email}`)).toBeVisible();
    await expect(user.getByText(`Groups: ${slug},${slug}:owner`)).toBeVisible();
    await expect(user.getByText('Signed in with: urn:portcullis:acr:pwd+totp')).toBeVisible();

    // Apache's logout runs RP-initiated logout at Portcullis, then comes back.
    await user.getByRole('link', { name: 'Log out' }).click();
    await expect(user.getByText('Wiki asks to log you out of Portcullis as well.')).toBeVisible();
    await hydrated(user);
    await user.getByRole('button', { name: 'Log out' }).click();
    await expect(user.getByRole('heading', { name: 'Signed out of the wiki' })).toBeVisible();
    await user.goto(`${site.base}/protected/index.shtml`);
    await expect(user).toHaveURL(/\/login\?continue=/);
    await context.close();
  } catch (e) {
    console.log(site.log());
    throw e;
  } finally {
    site.stop();
  }
});
