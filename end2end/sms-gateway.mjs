// A gateway of our own on the loopback for the end-to-end run, in the shape
// of Twilio's Messages API: the server under test POSTs the form
// (To, From, Body) to /2010-04-01/Accounts/{sid}/Messages.json with Basic
// auth; each message is written to SMS_DIR as one .json file, which the
// tests read (`tests/sms.ts`). Usage:
//   node sms-gateway.mjs SMS_DIR   (prints its base URL)
import { createServer } from 'node:http';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node sms-gateway.mjs SMS_DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
let count = 0;
const MAX_BODY = 64 * 1024;

const server = createServer((req, res) => {
  const match = req.method === 'POST' && req.url.match(/^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Messages\.json$/);
  if (!match || !(req.headers.authorization || '').startsWith('Basic ')) {
    res.writeHead(match ? 401 : 404, { 'content-type': 'application/json' }).end('{"code":20003,"message":"no"}');
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > MAX_BODY) req.destroy();
  });
  req.on('end', () => {
    const form = new URLSearchParams(body);
    count += 1;
    const name = `${Date.now()}-${process.pid}-${String(count).padStart(6, '0')}`;
    const message = { to: form.get('To'), from: form.get('From'), body: form.get('Body') };
    // Written under a temporary name and renamed: a reader never sees half a message.
    writeFileSync(join(dir, `${name}.tmp`), JSON.stringify(message));
    renameSync(join(dir, `${name}.tmp`), join(dir, `${name}.json`));
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: `SM${count}`, account_sid: match[1], to: message.to, status: 'queued' }));
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
