import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the mail sink (`mail-sink.mjs`) received: one message, decoded. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

function quotedPrintable(body: string): string {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function header(head: string, name: string): string {
  const match = head.match(new RegExp(`^${name}:(.*(?:\\r\\n[ \\t].*)*)`, 'im'));
  return match ? match[1].replace(/\r\n[ \t]/g, ' ').trim() : '';
}

function decodeWord(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : quotedPrintable(text.replace(/_/g, ' ')),
  );
}

function parse(raw: string): Mail {
  const [head] = raw.split('\r\n\r\n', 1);
  let text = '';
  for (const part of raw.split('\r\n--')) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const partHead = part.slice(0, split).toLowerCase();
    if (!partHead.includes('content-type: text/plain')) continue;
    const body = part.slice(split + 4);
    if (partHead.includes('quoted-printable')) text = quotedPrintable(body);
    else if (partHead.includes('base64')) text = Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
    else text = body;
    break;
  }
  return { to: header(head, 'X-Sink-To'), subject: decodeWord(header(head, 'Subject')), text };
}

/** The messages sent to `to` so far, oldest first. */
export function mailTo(to: string): Mail[] {
  const dir = process.env.PORTCULLIS_MAIL_DIR;
  if (!dir) throw new Error('PORTCULLIS_MAIL_DIR is not set: run the tests through scripts/test.sh');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => parse(readFileSync(join(dir, name), 'latin1')))
    .filter((mail) => mail.to.split(', ').includes(to));
}

/** Waits (at most 20 s) for a message to `to` whose subject contains `subject`, after `skip` earlier ones. */
export async function waitForMail(to: string, subject: string, skip = 0): Promise<Mail> {
  for (let i = 0; i < 100; i++) {
    const found = mailTo(to).filter((m) => m.subject.includes(subject));
    if (found.length > skip) return found[skip];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no message "${subject}" to ${to} arrived`);
}

/** The first link in the message's text that starts with `prefix` (e.g. "/reset-password?token="). */
export function linkIn(mail: Mail, path: string): string {
  const match = mail.text.match(new RegExp(`https?://\\S*${path.replace(/[?]/g, '\\?')}\\S*`));
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[0];
}
