/**
 * `npm run bank`: the stand-in bank on its own (docs/PAYMENTS.md), for a tinhso at PUBLIC_BASE_URL
 * (default http://127.0.0.1:PORT), on DEMO_BANK_PORT (default 3900). A separate entry point, so
 * that bundling stand-in-bank.ts into the server never starts a bank.
 */
import { loadConfig } from '../../config.ts';
import { startStandInBank } from './stand-in-bank.ts';

const config = loadConfig();
const cfg = config.payments;
if (config.env === 'production') throw new Error('the stand-in bank is for development and the demo only');
if (!cfg.webhookSecret) throw new Error('PAYMENT_WEBHOOK_SECRET is not set');
const base = config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`;
const bank = await startStandInBank({
  port: cfg.demoBankPort ?? 3900,
  webhookUrl: `${base.replace(/\/$/, '')}/api/v1/payments/notifications`,
  secret: cfg.webhookSecret,
  bankBin: cfg.bankBin,
  accountNo: cfg.accountNo,
});
console.log(`Stand-in bank at ${bank.url} → ${base}; POST /pay {"payload": "<VietQR>"}`);
