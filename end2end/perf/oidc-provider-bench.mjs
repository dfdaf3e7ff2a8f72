// The peer of Portcullis's token endpoint benchmark (scripts/bench-oidc.sh): panva's oidc-provider
// on the loopback, configured as Portcullis's applications are (a confidential client with
// client_secret_basic, PKCE S256 required, RS256 ID tokens, the openid, profile and email scopes).
//
//   BENCH_REDIRECT_URI=http://127.0.0.1:9/callback BENCH_VERIFIER=... node end2end/perf/oidc-provider-bench.mjs
//
// Prints its issuer as the first line of stdout, then the client's id and secret, and runs until
// killed. GET /bench/mint?n=N answers N authorization codes (a JSON array) for one account and the
// client, minted through the provider's own models as its authorization endpoint would after a
// sign-in and consent; only their redemption at /token is what the benchmark times, for both.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const REDIRECT_URI = process.env.BENCH_REDIRECT_URI;
const VERIFIER = process.env.BENCH_VERIFIER;
if (!REDIRECT_URI || !VERIFIER) {
  console.error('BENCH_REDIRECT_URI and BENCH_VERIFIER are required');
  process.exit(2);
}
const CLIENT_ID = 'bench';
const CLIENT_SECRET = randomBytes(32).toString('base64url');
const ACCOUNT = 'bench-account';
const MAX_MINT = 2000;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [key] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  // Codes live 60 s, as Portcullis's do; a grant outlives the run.
  ttl: { AuthorizationCode: 60, Grant: 3600 },
  features: { devInteractions: { enabled: false } },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: 'bench@example.com', email_verified: true, name: 'Bench' };
      },
    };
  },
});

const client = await provider.Client.find(CLIENT_ID);
const grant = new provider.Grant({ accountId: ACCOUNT, clientId: CLIENT_ID });
grant.addOIDCScope('openid profile email');
const grantId = await grant.save();
const challenge = createHash('sha256').update(VERIFIER).digest('base64url');

async function mint(n) {
  const codes = [];
  for (let i = 0; i < n; i += 1) {
    const code = new provider.AuthorizationCode({
      accountId: ACCOUNT,
      client,
      grantId,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile email',
      nonce: 'bench',
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      authTime: Math.floor(Date.now() / 1000),
    });
    codes.push(await code.save());
  }
  return codes;
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname !== '/bench/mint') return callback(req, res);
  const n = Math.min(Number(url.searchParams.get('n') ?? 1) || 1, MAX_MINT);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(await mint(n)));
});

console.log(issuer);
console.log(CLIENT_ID);
console.log(CLIENT_SECRET);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
