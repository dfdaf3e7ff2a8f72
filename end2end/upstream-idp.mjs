// An upstream OpenID Connect issuer for the tests: panva's oidc-provider on the loopback, with
// pages of its own (type any login; "mfa…" logins say amr otp+mfa, "unverified…" ones an
// unverified address) and test controls that change how ID tokens are signed.
//
//   UPSTREAM_REDIRECT_URIS=http://127.0.0.1:3000/login/upstream/callback node end2end/upstream-idp.mjs
//
// Prints its issuer (http://127.0.0.1:<port>) as the first line of stdout and runs until killed.
// POST /test/wrong-keys: sign with a key the JWKS does not publish; /test/right-keys: back to the
// published key; /test/rotate: sign with a new key, published beside the old one.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const PORT = Number(process.env.UPSTREAM_PORT ?? 0);
const CLIENT_ID = process.env.UPSTREAM_CLIENT_ID ?? 'portcullis';
const CLIENT_SECRET = process.env.UPSTREAM_CLIENT_SECRET ?? 'upstream-secret';
const REDIRECT_URIS = (process.env.UPSTREAM_REDIRECT_URIS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (REDIRECT_URIS.length === 0) {
  console.error('UPSTREAM_REDIRECT_URIS is required (comma-separated)');
  process.exit(2);
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}
const publicPart = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

const original = signingKey();
const stranger = signingKey();
let published = [original];
const cookieKeys = [randomBytes(32).toString('hex')];

// The login each account id was made from: ids are `sub-<login>`.
const loginOf = (id) => id.replace(/^sub-/, '');

function build(issuer, key) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: REDIRECT_URIS,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [key] },
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    // amr with the openid scope: Keycloak and Entra send it unasked too.
    claims: { acr: null, auth_time: null, sid: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    // Claims in the ID token itself, as Google's and Keycloak's are.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const login = loginOf(id);
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: login.includes('@') ? login : `${login}@upstream.test`,
            email_verified: !login.startsWith('unverified'),
            name: login,
          };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, err) => console.error(err));
  handler = provider.callback();
  return provider;
}

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function loginPage(uid) {
  const u = escape(uid);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Upstream sign-in</title></head><body><main>
<h1>Upstream sign-in</h1>
<form method="post" action="/interaction/${u}/login">
<label for="login">Login</label> <input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign-in</button></form>
<form method="post" action="/interaction/${u}/abort"><button type="submit">Cancel</button></form>
</main></body></html>`;
}

/** The consent prompt: granted at once for what the client asked. */
async function consent(provider, req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

let provider;
let handler;
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const path = url.pathname;
  try {
    if (req.method === 'GET' && path === '/jwks') {
      return send(res, 200, JSON.stringify({ keys: published.map(publicPart) }), 'application/jwk-set+json');
    }
    if (req.method === 'POST' && path.startsWith('/test/')) {
      const what = path.slice('/test/'.length);
      if (what === 'wrong-keys') provider = build(provider.issuer, stranger);
      else if (what === 'right-keys') provider = build(provider.issuer, published[published.length - 1]);
      else if (what === 'rotate') {
        const next = signingKey();
        published = [...published, next];
        provider = build(provider.issuer, next);
      } else return send(res, 404, 'no such control');
      res.writeHead(204);
      return res.end();
    }
    const interaction = path.match(/^\/interaction\/([^/]+)(\/login|\/abort)?$/);
    if (interaction) {
      const details = await provider.interactionDetails(req, res);
      if (interaction[2] === '/login' && req.method === 'POST') {
        const login = (await readForm(req)).get('login')?.trim() ?? '';
        if (!login) return send(res, 400, loginPage(details.uid));
        const amr = login.startsWith('mfa') ? ['pwd', 'otp', 'mfa'] : ['pwd'];
        const result = { login: { accountId: `sub-${login}`, amr } };
        return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      }
      if (interaction[2] === '/abort' && req.method === 'POST') {
        const result = { error: 'access_denied', error_description: 'The user cancelled' };
        return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      }
      if (req.method === 'GET' && !interaction[2]) {
        if (details.prompt.name === 'consent') return consent(provider, req, res, details);
        return send(res, 200, loginPage(details.uid));
      }
      return send(res, 405, 'method not allowed');
    }
    return handler(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 400, `<!DOCTYPE html><p>${escape(err.message)}</p>`);
  }
});

server.listen(PORT, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer, original);
  // Nothing else goes to stdout: a reader that stopped reading must not end the issuer.
  process.stdout.on('error', () => {});
  process.stdout.write(`${issuer}\n`);
});
// Stopped at once: a browser's kept-alive connection must not keep the test run waiting.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
