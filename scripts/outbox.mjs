// Prints the latest messages kept by the development email and SMS sinks (DATA_DIR/outbox).
// Usage: npm run outbox [-- <count>] [-- --sms | --email]   (runs under tsx to read the TypeScript reader)
import path from 'node:path';
import { readOutbox } from '../src/modules/notifications/notifications.outbox.ts';

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const only = args.includes('--sms') ? 'sms' : args.includes('--email') ? 'email' : null;
const dir = path.join(path.resolve(process.env.DATA_DIR ?? './data'), 'outbox');

const messages = (await readOutbox(dir, only ? 10_000 : count)).filter((m) => !only || m.kind === only).slice(0, count);
if (!messages.length) {
  console.log(`No messages in ${dir}. The sinks start with \`npm run dev\` when SMTP_URL and SMS_GATEWAY_URL are not set.`);
}
for (const m of messages.reverse()) {
  const line = '─'.repeat(72);
  if (m.kind === 'email') {
    console.log(`${line}\nEMAIL  ${path.basename(m.file)}\nTo:      ${m.to}\nSubject: ${m.subject}\n\n${m.text.trimEnd()}\n`);
  } else {
    console.log(`${line}\nSMS    ${path.basename(m.file)}\nTo:      ${m.to}   (reference ${m.reference}, ${m.text.length} characters)\n\n${m.text}\n`);
  }
}
