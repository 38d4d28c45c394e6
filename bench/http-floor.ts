/**
 * npm run bench:floor: what the HTTP layer alone costs on this machine, as a floor for
 * `npm run bench`'s three-request submission. A bare Fastify 5 server (the same version and
 * multipart plugin as tinhso, nothing else: no database, no files written, no validation) answers
 * the same three requests (a JSON create, a multipart upload of the same small PDF, a submit) to
 * the same load generator (undici, BENCH_CONCURRENCY connections, default 50). Prints submissions
 * per second and the CPU per submission of the server and of the load generator.
 *
 * The difference between these figures and `npm run bench`'s is tinhso's own work per request
 * (and PostgreSQL's), not HTTP's (docs/PERFORMANCE.md, session 11).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import { freePort, processTreeCpuMs, threeRequestLoad } from './lib.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

async function serve(port: number): Promise<void> {
  const app = Fastify({ logger: false });
  await app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024, files: 1 } });
  app.post('/dossiers', async (req, reply) => reply.status(201).send({ id: 'b3c1f0e2-0000-4000-8000-000000000001', draft: req.body }));
  app.post('/dossiers/:id/files', async (req, reply) => {
    let size = 0;
    for await (const part of req.parts()) if (part.type === 'file') size += (await part.toBuffer()).length;
    return reply.status(201).send({ fileId: 'b3c1f0e2-0000-4000-8000-000000000002', size });
  });
  app.post('/dossiers/:id/submit', async () => ({ code: '000.00.31.H37-261127-0001', status: 'submitted' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.send!('ready');
}

async function load(): Promise<void> {
  const port = await freePort();
  const server = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, FLOOR_SERVER_PORT: String(port) }, execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
  const { done, cpuMs, loadGeneratorMs } = await threeRequestLoad(
    `http://127.0.0.1:${port}`,
    { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, headers: { authorization: 'Bearer floor' } },
    () => [processTreeCpuMs(server.pid!)],
  );
  const serverMs = cpuMs[0]!;
  console.log(
    `HTTP floor (bare Fastify, ${CONCURRENCY} clients, ${SECONDS} s): ${(done / SECONDS).toFixed(0)} three-request submissions/s; ` +
      `CPU per submission: server ${(serverMs / done).toFixed(3)} ms, load generator ${(loadGeneratorMs / done).toFixed(3)} ms`,
  );
  server.kill();
}

if (process.env.FLOOR_SERVER_PORT) await serve(Number(process.env.FLOOR_SERVER_PORT));
else await load();
