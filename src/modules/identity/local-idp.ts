import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../../config.ts';
import { escapeHtml } from '../../web/html.ts';
import { callbackUrisOf } from './oidc.ts';

/**
 * A local OpenID provider standing in for the national electronic identity (VNeID) in
 * development and tests: a real `oidc-provider` (authorization code with PKCE, signed ID tokens,
 * userinfo), with a few demo identities to choose from instead of the VNeID app. Never used in
 * production (main.ts starts it only outside production when OIDC_ISSUER is unset).
 */
export interface DemoIdentity {
  sub: string;
  idNumber: string;
  name: string;
  birthdate: string;
  gender: 'male' | 'female';
  phone?: string;
  level: 1 | 2;
  note: string;
}

/** The demo citizens of seed.ts (same ID numbers) and one person with no account yet. */
export const DEMO_IDENTITIES: DemoIdentity[] = [
  {
    sub: 'vneid-demo-0001',
    idNumber: '036090001234',
    name: 'Nguyễn Văn An',
    birthdate: '1990-03-12',
    gender: 'male',
    phone: '0912345678',
    level: 2,
    note: 'có tài khoản citizen.an',
  },
  {
    sub: 'vneid-demo-0002',
    idNumber: '036195004321',
    name: 'Trần Thị Bình',
    birthdate: '1995-08-21',
    gender: 'female',
    phone: '0987654321',
    level: 2,
    note: 'có tài khoản citizen.binh',
  },
  {
    sub: 'vneid-demo-0003',
    idNumber: '036085007777',
    name: 'Lê Văn Cường',
    birthdate: '1985-01-05',
    gender: 'male',
    level: 2,
    note: 'người đại diện của business.cuong',
  },
  {
    sub: 'vneid-demo-0004',
    idNumber: '036200009999',
    name: 'Phạm Minh Tuấn',
    birthdate: '2000-11-30',
    gender: 'male',
    phone: '0901234567',
    level: 2,
    note: 'chưa có tài khoản trên Tỉnh Số',
  },
];

export interface LocalIdpOptions {
  /** 0 = any free port. */
  port: number;
  host?: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The claim carrying the personal ID number (OIDC_ID_NUMBER_CLAIM). */
  idNumberClaim: string;
  identities?: DemoIdentity[];
}

export interface LocalIdp {
  issuer: string;
  close(): Promise<void>;
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — VNeID (môi trường thử)</title></head>
<body><main>
<p><strong>Định danh điện tử VNeID — bản thử cho môi trường phát triển</strong></p>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts the provider on its own port; resolves once it listens. The OpenID provider itself
 * (oidc-provider, ~28 MB and 0.1–0.25 s to load, plus an RSA key to generate) is built on the
 * first request, so a server start that nobody signs in through VNeID does not pay for it
 * (docs/PERFORMANCE.md); requests arriving meanwhile wait for it.
 */
export async function startLocalIdp(opts: LocalIdpOptions): Promise<LocalIdp> {
  const host = opts.host ?? '127.0.0.1';
  let handler: Promise<(req: IncomingMessage, res: ServerResponse) => void> | null = null;
  const server = http.createServer((req, res) => {
    handler ??= buildHandler(opts, issuer);
    handler.then(
      (h) => h(req, res),
      (err: unknown) => {
        handler = null; // try again on the next request
        res.statusCode = 503;
        res.end(String((err as Error).message));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The provider and the request handler (the interaction pages, then oidc-provider's routes). */
async function buildHandler(opts: LocalIdpOptions, issuer: string): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const identities = opts.identities ?? DEMO_IDENTITIES;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') };
  const bySub = new Map(identities.map((i) => [i.sub, i]));
  const claimNames = [opts.idNumberClaim, 'identity_level'];

  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'phone', 'vneid'],
    claims: { openid: ['sub'], profile: ['name', 'birthdate', 'gender'], phone: ['phone_number'], vneid: claimNames },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [jwk] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const who = bySub.get(sub);
      if (!who) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: who.name,
          birthdate: who.birthdate,
          gender: who.gender,
          ...(who.phone ? { phone_number: who.phone } : {}),
          [opts.idNumberClaim]: who.idNumber,
          identity_level: who.level,
        }),
      };
    },
    // The portal is the only client: consent is implied, as it is for VNeID's registered services.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, result, provider: p } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return p.Grant.find(grantId);
      const grant = new p.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile phone vneid');
      grant.addOIDCClaims(['name', 'birthdate', 'gender', 'phone_number', ...claimNames]);
      await grant.save();
      return grant;
    },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });
  const callback = provider.callback();

  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/(login|cancel))?$/.exec(url.pathname);
    if (!m) return callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (details.uid !== m[1]) throw new Error('interaction mismatch');
        if (req.method === 'GET' && !m[3]) {
          const list = identities
            .map(
              (i, n) =>
                `<li><input type="radio" id="id${n}" name="sub" value="${escapeHtml(i.sub)}"${n === 0 ? ' checked' : ''}>` +
                `<label for="id${n}">${escapeHtml(i.name)} — số định danh ${escapeHtml(i.idNumber)} (${escapeHtml(i.note)})</label></li>`,
            )
            .join('\n');
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.setHeader('content-security-policy', "default-src 'none'; form-action 'self' http: https:; frame-ancestors 'none'");
          res.end(
            page(
              'Đăng nhập bằng tài khoản định danh điện tử',
              `<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
<fieldset><legend>Chọn người dùng thử</legend><ul>${list}</ul></fieldset>
<button type="submit">Đăng nhập</button></form>
<form method="post" action="/interaction/${escapeHtml(details.uid)}/cancel"><button type="submit">Huỷ, quay lại Tỉnh Số</button></form>`,
            ),
          );
          return;
        }
        if (req.method === 'POST' && m[3] === 'login') {
          const form = await readForm(req);
          const who = bySub.get(form.get('sub') ?? '');
          if (!who) {
            res.statusCode = 400;
            res.setHeader('content-type', 'text/html; charset=utf-8');
            res.end(page('Chưa chọn người dùng', '<p>Hãy quay lại và chọn một người dùng thử.</p>'));
            return;
          }
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: who.sub, acr: `vneid-level-${who.level}`, amr: ['pwd'] } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (req.method === 'POST' && m[3] === 'cancel') {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'Người dùng đã huỷ đăng nhập.' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        res.statusCode = 405;
        res.end();
      } catch (err) {
        if (res.headersSent) return res.end();
        res.statusCode = 400;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Phiên đăng nhập không hợp lệ', `<p>${escapeHtml((err as Error).message)}</p>`));
      }
    })();
  };
}

/**
 * Development and the embedded demo: when no national identity provider is configured, start
 * the local one and point the configuration at it. Production never gets here. The portal's
 * client is registered with every callback address a sign-in may use (`callbackUrisOf`): the
 * configured one, or without one its loopback forms on the server's port (localhost, 127.0.0.1,
 * [::1]), so a sign-in started at any of them comes back to the same host.
 */
export async function withLocalIdp(config: Config): Promise<{ config: Config; idp: LocalIdp | null }> {
  if (config.env === 'production' || config.oidc.issuer) return { config, idp: null };
  const idp = await startLocalIdp({
    port: config.oidc.localPort,
    clientId: config.oidc.clientId,
    clientSecret: config.oidc.clientSecret,
    redirectUris: callbackUrisOf(config),
    idNumberClaim: config.oidc.idNumberClaim,
  });
  return { config: { ...config, oidc: { ...config.oidc, issuer: idp.issuer } }, idp };
}
