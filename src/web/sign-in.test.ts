import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectToSignIn, signInPath } from './sign-in.ts';

describe('redirectToSignIn', () => {
  const app = Fastify();
  app.get('/ho-so/:id', (req, reply) => redirectToSignIn(req, reply));
  app.post('/ho-so/:id/thu', (req, reply) => redirectToSignIn(req, reply));
  app.post('/quy', (req, reply) => redirectToSignIn(req, reply, '/quy-trang'));
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  const location = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) => {
    const r = await app.inject({ method, url, headers: { host: 'tinhso.example', ...headers } });
    expect(r.statusCode).toBe(303);
    return r.headers.location;
  };

  it('comes back to the page asked for on a GET', async () => {
    expect(await location('GET', '/ho-so/1?tab=tep')).toBe('/dang-nhap?next=%2Fho-so%2F1%3Ftab%3Dtep');
  });

  it('comes back from a form to the page it was on (this site’s Referer), never to the POST’s own address', async () => {
    expect(await location('POST', '/ho-so/1/thu', { referer: 'http://tinhso.example/ho-so/1/thanh-toan?x=1' })).toBe(
      '/dang-nhap?next=%2Fho-so%2F1%2Fthanh-toan%3Fx%3D1',
    );
    // Another site's page, no Referer, or one that is no URL: the home page.
    expect(await location('POST', '/ho-so/1/thu', { referer: 'https://evil.example/ho-so/1/thanh-toan' })).toBe('/dang-nhap?next=%2F');
    expect(await location('POST', '/ho-so/1/thu')).toBe('/dang-nhap?next=%2F');
    expect(await location('POST', '/ho-so/1/thu', { referer: 'not a url' })).toBe('/dang-nhap?next=%2F');
  });

  it('comes back to the page a route names', async () => {
    expect(await location('POST', '/quy', { referer: 'http://tinhso.example/khac' })).toBe('/dang-nhap?next=%2Fquy-trang');
  });

  it('carries only a local path', () => {
    expect(signInPath('//evil.example/x')).toBe('/dang-nhap?next=%2F');
    expect(signInPath('https://evil.example/')).toBe('/dang-nhap?next=%2F');
  });
});
