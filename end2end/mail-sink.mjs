// A small SMTP server on the loopback for the end-to-end run: the server
// under test delivers its mail here over a real socket (lettre, plain SMTP
// on the loopback), and each message is written to MAIL_DIR as one .eml
// file, which the tests read (`tests/mail.ts`). Usage:
//   node mail-sink.mjs MAIL_DIR   (prints the port it listens on)
import { createServer } from 'node:net';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node mail-sink.mjs MAIL_DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
let count = 0;
// A message larger than this is refused, so a runaway sender cannot fill the disk.
const MAX_MESSAGE = 1024 * 1024;

const server = createServer((socket) => {
  socket.setEncoding('latin1');
  let buffer = '';
  let inData = false;
  let data = [];
  let size = 0;
  let rcpt = [];
  const reply = (line) => socket.write(`${line}\r\n`);
  reply('220 mail-sink ESMTP');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          count += 1;
          const name = `${Date.now()}-${process.pid}-${count}`;
          const head = `X-Sink-To: ${rcpt.join(', ')}\r\n`;
          // Written under a temporary name and renamed: a reader never sees half a message.
          writeFileSync(join(dir, `${name}.tmp`), head + data.join('\r\n'), 'latin1');
          renameSync(join(dir, `${name}.tmp`), join(dir, `${name}.eml`));
          reply('250 queued');
          data = [];
          rcpt = [];
          size = 0;
        } else {
          size += line.length + 2;
          if (size <= MAX_MESSAGE) data.push(line.startsWith('..') ? line.slice(1) : line);
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') {
        reply('250-mail-sink');
        reply('250 8BITMIME');
      } else if (verb === 'HELO') reply('250 mail-sink');
      else if (verb === 'MAIL') {
        rcpt = [];
        reply('250 ok');
      } else if (verb === 'RCPT') {
        rcpt.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'));
        reply('250 ok');
      } else if (verb === 'DATA') {
        inData = true;
        reply('354 end with .');
      } else if (verb === 'QUIT') {
        reply('221 bye');
        socket.end();
      } else if (verb === 'RSET' || verb === 'NOOP') reply('250 ok');
      else reply('502 not implemented');
    }
  });
  socket.on('error', () => socket.destroy());
});

server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
