// Builds the server into dist/ (one ESM bundle per entry point), so `npm start` does not transpile
// TypeScript at every start. Migrations are copied beside it.
//
// The pure-JavaScript packages loaded at every start (fastify, zod, drizzle-orm, ...) are bundled
// too: Node then resolves, reads and scans (cjs-module-lexer) ~300 fewer files at start, ~0.25 s of
// CPU (docs/PERFORMANCE.md). Packages stay external when they load files of their own at run time
// (WebAssembly, fonts, static assets, worker threads), are native, or are loaded only on first use
// (so that start-up does not parse them at all).
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const EXTERNAL = [
  // WebAssembly and data files next to their code
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  'pglite-legacy-v0-3',
  'pdfjs-dist',
  'pdfjs-dist/*',
  // native
  '@node-rs/argon2',
  'pg-native',
  // worker threads (pino transports), fonts and static assets
  'pino',
  'pdfkit',
  'dejavu-fonts-ttf',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  // loaded on first use only (dynamic import)
  'exceljs',
  'nodemailer',
  'oidc-provider',
  'pg',
  'drizzle-orm/node-postgres',
  // runs its own servers; kept as shipped
  'smtp-server',
];

// `node scripts/build.mjs [folder]`: into dist/ by default (benchmarks build a copy elsewhere).
const out = process.argv[2] ?? 'dist';
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli.ts' },
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire as __tinhsoCreateRequire } from 'node:module'; const require = __tinhsoCreateRequire(import.meta.url);" },
  // Stack traces map to src/ with `node --enable-source-maps` (not the default: it costs ~0.2 s of
  // start-up and ~15 MB). Without the sources inside, the map is 2.4 MB instead of 7.3 MB.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
await cp('src/db/migrations', `${out}/migrations`, { recursive: true });
