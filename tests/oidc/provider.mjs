// A real OpenID Connect provider (panva/oidc-provider) for the test suite, configured like Feide:
// authorization code flow only, PKCE (S256) required, client_secret_basic/_post, scopes openid
// profile email userid userid-feide, a sparse ID token (name/email only from userinfo), RP-initiated
// logout. State lives in memory; everything is logged to stdout.
//
// Usage: node provider.mjs config.json
// config.json:
// {
//   "issuer": "http://127.0.0.1:PORT",
//   "client_id": "...", "client_secret": "...",
//   "redirect_uris": ["http://127.0.0.1/auth/oidc/callback"],
//   "post_logout_redirect_uris": ["http://127.0.0.1/"],
//   "loopback_any_port": true,
//   "accounts": [{"sub": "...", "username": "...", "password": "...", "name": "...", "email": "...",
//                 "eppn": "..."}]
// }
// With loopback_any_port (the default) a registered http redirect URI on 127.0.0.1/localhost/[::1]
// matches the same URI on any port, because the app under test picks its port only after the
// provider has started (RFC 8252 section 7.3 does the same for native clients).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';

import Provider from 'oidc-provider';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node provider.mjs config.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));

const log = (...parts) => console.log(new Date().toISOString(), '[oidc]', ...parts);

const accounts = config.accounts ?? [];
const accountsBySub = new Map(accounts.map((account) => [account.sub, account]));

function findByCredentials(username, password) {
  const wanted = (username ?? '').trim().toLowerCase();
  return accounts.find((account) => {
    const names = [account.username, account.email].filter(Boolean).map((name) => name.toLowerCase());
    return names.includes(wanted) && account.password === password;
  });
}

// Feide's claim for the Feide username (eduPersonPrincipalName), released with scope userid-feide.
const FEIDE_EPPN = 'https://n.feide.no/claims/eduPersonPrincipalName';

// A fresh RS256 signing key per run, as Feide signs ID tokens with RS256; nothing persists.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
function withoutLoopbackPort(uri) {
  const parsed = URL.parse(uri);
  if (!parsed || parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    return undefined;
  }
  parsed.port = '';
  return parsed.href;
}

const htmlEscape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="nb">
<head><meta charset="utf-8"><title>${htmlEscape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>${htmlEscape(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, clientName, { username = '', error = '' } = {}) {
  const errorHtml = error ? `<p role="alert" id="error">${htmlEscape(error)}</p>` : '';
  return page('Logg inn med Feide (test)', `
<p>Tjenesten <strong>${htmlEscape(clientName)}</strong> ber deg logge inn.</p>
${errorHtml}
<form method="post" action="/interaction/${htmlEscape(uid)}/login" autocomplete="off">
  <p><label for="username">Brukernavn</label>
  <input id="username" name="username" type="text" value="${htmlEscape(username)}" autofocus></p>
  <p><label for="password">Passord</label>
  <input id="password" name="password" type="password"></p>
  <p><button type="submit" id="login">Logg inn</button>
  <button type="submit" id="cancel" formaction="/interaction/${htmlEscape(uid)}/abort" formnovalidate>Avbryt</button></p>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const client = {
  client_id: config.client_id,
  client_secret: config.client_secret,
  client_name: config.client_name ?? 'LEDPRO Journal (test)',
  application_type: 'web',
  redirect_uris: config.redirect_uris,
  post_logout_redirect_uris: config.post_logout_redirect_uris ?? [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  // Either method works at the token endpoint: oidc-provider treats basic and post as equivalent.
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
  require_auth_time: true, // Feide's ID token carries auth_time
};

const provider = new Provider(config.issuer, {
  clients: [client],
  jwks: { keys: [signingKey] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // Cookies ignore ports: distinct names keep ours apart from the app's on the same 127.0.0.1.
    names: { session: '_oidc_test_session', interaction: '_oidc_test_interaction', resume: '_oidc_test_resume' },
  },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  pkce: { required: () => true }, // v9 supports S256 only
  scopes: ['openid', 'profile', 'email', 'userid', 'userid-feide'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
    userid: [],
    'userid-feide': [FEIDE_EPPN],
  },
  // Default in v7+, stated so nobody wonders: with response_type=code, scope-requested claims go to
  // userinfo only and the ID token stays sparse (sub, iss, aud, exp, iat, nonce, auth_time, ...).
  conformIdTokenClaims: true,
  async findAccount(_ctx, sub) {
    const account = accountsBySub.get(sub);
    if (!account) {
      return undefined;
    }
    return {
      accountId: sub,
      async claims() {
        const claims = { sub };
        if (account.name) claims.name = account.name;
        if (account.email) claims.email = account.email;
        if (account.eppn) claims[FEIDE_EPPN] = account.eppn;
        return claims;
      },
    };
  },
  // No consent screen (Feide shows none for a registered service): every requested scope is granted.
  async loadExistingGrant(ctx) {
    const { provider: op, client: rp, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(rp.clientId);
    let grant = grantId ? await op.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new op.Grant({ clientId: rp.clientId, accountId: session.accountId });
    }
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    if (ctx.oidc.requestParamClaims.size) {
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
    }
    await grant.save();
    return grant;
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    // On by default in v9, absent at Feide: keep the discovery document to what Feide offers.
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Feide logs out without asking: the confirmation submits itself ("logout=yes" also ends the
      // provider session); without JavaScript the button does the same.
      async logoutSource(ctx, form) {
        const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>');
        ctx.type = 'html';
        ctx.body = page('Logg ut', `
${autoForm}
<p><button type="submit" form="op.logoutForm" id="logout">Logg ut</button></p>
<script>document.getElementById('op.logoutForm').submit();</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Du er logget ut', '<p>Du er logget ut.</p>');
      },
    },
  },
  clientBasedCORS: () => false, // the app talks to the provider server-side only
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },
  routes: {
    // Feide's paths (auth.dataporten.no), so URLs in logs look familiar; clients use discovery anyway.
    authorization: '/oauth/authorization',
    token: '/oauth/token',
    userinfo: '/openid/userinfo',
    jwks: '/openid/jwks',
    end_session: '/openid/endsession',
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Feil', `<pre id="error">${htmlEscape(JSON.stringify(out, null, 2))}</pre>`);
  },
});

// Loopback redirect URIs match on any port (see the header comment).
if (config.loopback_any_port ?? true) {
  for (const method of ['redirectUriAllowed', 'postLogoutRedirectUriAllowed']) {
    const original = provider.Client.prototype[method];
    provider.Client.prototype[method] = function allowAnyLoopbackPort(value) {
      if (original.call(this, value)) {
        return true;
      }
      const stripped = withoutLoopbackPort(value);
      const registered = method === 'redirectUriAllowed' ? this.redirectUris : this.postLogoutRedirectUris;
      return stripped !== undefined && (registered ?? []).some((uri) => withoutLoopbackPort(uri) === stripped);
    };
  }
}

// Request log, outermost so it sees the final status.
provider.use(async (ctx, next) => {
  const started = Date.now();
  try {
    await next();
  } finally {
    const status = ctx.res.headersSent ? ctx.res.statusCode : ctx.status;
    log(`${ctx.method} ${ctx.path} -> ${status} ${STATUS_CODES[status] ?? ''} (${Date.now() - started} ms)`);
  }
});

// The login interaction: GET shows the form, POST .../login checks credentials, POST .../abort cancels.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(ctx.path);
  if (!match) {
    return next();
  }
  const [, uid, action] = match;
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) {
    ctx.throw(400, 'interaction mismatch');
  }
  const rp = await provider.Client.find(details.params.client_id);
  const clientName = rp?.clientName ?? details.params.client_id;

  let result;
  if (ctx.method === 'GET' && !action) {
    if (details.prompt.name === 'login') {
      ctx.type = 'html';
      ctx.body = loginPage(uid, clientName);
      return undefined;
    }
    // Consent is granted in loadExistingGrant; should a consent prompt still come, pass it through.
    result = { consent: {} };
  } else if (ctx.method === 'POST' && action === 'abort') {
    log(`interaction ${uid}: cancelled by the user`);
    result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  } else if (ctx.method === 'POST' && action === 'login') {
    const form = await readForm(ctx.req);
    const account = findByCredentials(form.get('username'), form.get('password') ?? '');
    if (!account) {
      log(`interaction ${uid}: wrong username or password for ${JSON.stringify(form.get('username'))}`);
      ctx.type = 'html';
      ctx.body = loginPage(uid, clientName, { username: form.get('username') ?? '', error: 'Feil brukernavn eller passord.' });
      return undefined;
    }
    log(`interaction ${uid}: signed in as ${account.sub}`);
    result = { login: { accountId: account.sub } };
  } else {
    ctx.throw(405);
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
  ctx.status = 303;
  return undefined;
});

for (const event of [
  'server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'end_session.error',
  'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error',
]) {
  provider.on(event, (ctx, error) => {
    log(`${event}: ${error?.name}: ${error?.message}${error?.error_detail ? ` (${error.error_detail})` : ''}`);
  });
}
provider.on('authorization.success', (ctx) => log(`authorization.success for ${ctx.oidc.client?.clientId}`));
provider.on('grant.success', (ctx) => log(`grant.success for ${ctx.oidc.client?.clientId}`));
provider.on('end_session.success', (ctx) => log(`end_session.success for ${ctx.oidc.client?.clientId ?? '-'}`));

const { hostname, port } = new URL(config.issuer);
const server = provider.listen(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
  log(`listening on ${config.issuer} (client ${config.client_id}, ${accounts.length} accounts)`);
});
server.on('error', (error) => {
  log(`cannot listen: ${error.message}`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    server.close();
    process.exit(0);
  });
}
