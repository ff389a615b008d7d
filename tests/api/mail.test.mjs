// E-mail over SMTP through `assist mail send` against a real SMTP server
// (tests/peers/smtp-peer.mjs, npm smtp-server): texts in Russian and
// Chinese arrive decoded with their subjects, a PDF arrives byte for byte,
// AUTH and a wrong password, STARTTLS with a certificate made by openssl,
// smtps://, scripted 4xx/5xx answers as temporary/permanent, a relay that
// is not there, strict URLs that never echo a password, and the rate of
// --count 2000 over one connection.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../lib/server.mjs';
import { startSmtpPeer, makeCertificate } from '../peers/smtp-peer.mjs';

const FROM = 'assist@example.com';
const dir = mkdtempSync(path.join(tmpdir(), 'assist-mail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SANITIZER = /ERROR: (Address|Leak)Sanitizer|runtime error:/;

/** Run `assist mail send` with the usual sender; {code, results, summary, stdout, stderr}. */
async function send(url, args) {
  const r = await run(['mail', 'send', '--smtp', url, '--from', FROM, ...args]);
  assert.ok(!SANITIZER.test(r.stderr), 'sanitizer report:\n' + r.stderr.slice(-4000));
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { ...r, results: lines.filter((l) => !l.summary), summary: lines.find((l) => l.summary) };
}

const lf = (s) => s.replace(/\r\n/g, '\n');

describe('mail: plain SMTP', () => {
  let peer, url;
  before(async () => { peer = await startSmtpPeer(); url = `smtp://127.0.0.1:${peer.port}`; });
  after(() => peer.stop());

  it('a Russian text arrives decoded, with its subject, sender and Message-ID', async () => {
    peer.reset();
    const subject = 'Напоминание: продление полиса № NORD-2026-000123 — осталось 30 дней до окончания';
    const text = 'Здравствуйте, Пётр Иванович!\n\nВаш полис NORD-2026-000123 истекает 01.04.2026.\nС уважением,\nАссистанс «Норд»';
    const r = await send(url, ['--to', 'ivan.petrov@mail.ru', '--subject', subject, '--text', text, '--key', 'ru-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.results.length, 1);
    assert.deepEqual({ ...r.results[0], ms: 0 }, { n: 1, result: 'ok', code: 250, stage: 'data', reply: '250 OK: queued as 1',
      message_id: '<assist.ru-1@example.com>', ms: 0 });
    assert.equal(r.summary.ok, 1);
    const m = peer.messages[0];
    assert.equal(m.error, undefined);
    assert.deepEqual(m.envelope, { from: FROM, to: ['ivan.petrov@mail.ru'] });
    assert.equal(m.subject, subject);
    assert.equal(lf(m.text), text);
    assert.equal(m.textEncoding, 'base64'); /* Cyrillic: base64 is smaller than quoted-printable */
    assert.equal(m.from, FROM);
    assert.equal(m.to, 'ivan.petrov@mail.ru');
    assert.equal(m.messageId, '<assist.ru-1@example.com>');
    assert.equal(m.mimeVersion, '1.0');
    assert.match(m.date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.deepEqual(m.contentTypes, ['multipart/mixed', 'text/plain']);
    assert.equal(m.secure, false);
    /* the recipient never appears unmasked in what the CLI prints */
    assert.ok(!r.stdout.includes('ivan.petrov@mail.ru') && !r.stderr.includes('ivan.petrov@mail.ru'));
  });

  it('a Chinese text with a Chinese sender name and an HTML alternative', async () => {
    peer.reset();
    const subject = '保单续期提醒：您的保单HXM-2026-000777将于2026年4月1日到期';
    const text = '尊敬的张伟：\n您的保单将于2026年4月1日续期。\n救援中心';
    const html = '<p>尊敬的<b>张伟</b>：</p><p>您的保单将于2026年4月1日续期。</p>';
    const r = await send(url, ['--to', 'zhang.wei@example.cn', '--to', 'copy@example.cn', '--from-name', '华夏救援中心',
      '--subject', subject, '--text', text, '--html', html]);
    assert.equal(r.code, 0, r.stderr);
    const m = peer.messages[0];
    assert.equal(m.subject, subject);
    assert.equal(lf(m.text), text);
    assert.equal(lf(m.html), html);
    assert.equal(m.from, `华夏救援中心 <${FROM}>`);
    assert.deepEqual(m.envelope.to, ['zhang.wei@example.cn', 'copy@example.cn']);
    assert.equal(m.to, 'zhang.wei@example.cn, copy@example.cn');
    assert.deepEqual(m.contentTypes, ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html']);
    assert.match(r.results[0].message_id, /^<assist\.cli-\d+-\d+@example\.com>$/);
  });

  it('an English text goes quoted-printable; a short ASCII subject is left as it is', async () => {
    peer.reset();
    const text = 'Dear John,\nyour policy renews on 1 April 2026. A line that is longer than seventy-six characters gets a soft break.\n';
    const r = await send(url, ['--to', 'john@example.co.uk', '--subject', 'Policy renewal', '--text', text]);
    assert.equal(r.code, 0, r.stderr);
    const m = peer.messages[0];
    assert.equal(m.textEncoding, 'quoted-printable');
    assert.equal(lf(m.text), text);
    assert.equal(m.subject, 'Policy renewal');
    assert.match(m.raw.toString('latin1'), /\r\nSubject: Policy renewal\r\n/);
  });

  it('PDF attachments arrive intact, a Cyrillic file name included', async () => {
    peer.reset();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(300 * 1024), Buffer.from('\n%%EOF\n')]);
    const ru = path.join(dir, 'Полис NORD-2026-000123.pdf');
    const en = path.join(dir, 'policy.pdf');
    writeFileSync(ru, pdf);
    writeFileSync(en, pdf.subarray(0, 1000));
    const r = await send(url, ['--to', 'ivan@mail.ru', '--subject', 'Ваш полис', '--text', 'Полис во вложении.',
      '--attach', ru, '--attach', en]);
    assert.equal(r.code, 0, r.stderr);
    const m = peer.messages[0];
    assert.equal(m.error, undefined);
    const sha = (b) => createHash('sha256').update(b).digest('hex');
    assert.deepEqual(m.attachments, [
      { filename: 'Полис NORD-2026-000123.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf), encoding: 'base64' },
      { filename: 'policy.pdf', contentType: 'application/pdf', size: 1000, sha256: sha(pdf.subarray(0, 1000)), encoding: 'base64' },
    ]);
    assert.equal(lf(m.text), 'Полис во вложении.');
  });

  it('a retry with the same key carries the same Message-ID', async () => {
    peer.reset();
    for (let i = 0; i < 2; i++) {
      const r = await send(url, ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--key', 'message-77']);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(peer.messages.map((m) => m.messageId), ['<assist.message-77@example.com>', '<assist.message-77@example.com>']);
  });

  it('451 is temporary and 550 permanent, at RCPT and after DATA; the connection goes on', async () => {
    peer.reset();
    const cases = [
      ['temp@example.com', 'temporary', 451, 'rcpt'],
      ['perm@example.com', 'permanent', 550, 'rcpt'],
      ['datatemp@example.com', 'temporary', 452, 'data'],
      ['dataperm@example.com', 'permanent', 554, 'data'],
    ];
    for (const [to, result, code, stage] of cases) {
      const r = await send(url, ['--to', to, '--subject', 's', '--text', 't']);
      assert.equal(r.code, 1, to);
      const x = r.results[0];
      assert.equal(x.result, result, to);
      assert.equal(x.code, code, to);
      assert.equal(x.stage, stage, to);
      assert.equal(x.relay, false, to);
      assert.ok(x.reply.startsWith(String(code)), x.reply);
      assert.ok(x.error, to);
      assert.ok(!r.stdout.includes(to), `the recipient is masked: ${r.stdout}`);
      assert.equal(r.summary[result], 1);
    }
    assert.equal(peer.messages.length, 0);
    /* the relay echoes the address; the CLI shows it masked */
    const r = await send(url, ['--to', 'perm@example.com', '--subject', 's', '--text', 't']);
    assert.match(r.results[0].reply, /^550 5\.1\.1 <p\*\*\*@example\.com>: no such user$/);
  });

  it('fail the first N: temporary, then the same connection delivers', async () => {
    peer.reset();
    peer.setScript({ failFirst: { count: 2, code: 421 } });
    try {
      const r = await send(url, ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--count', '5']);
      assert.equal(r.code, 1);
      assert.deepEqual(r.results.map((x) => [x.result, x.code, x.stage]), [
        ['temporary', 421, 'mail'], ['temporary', 421, 'mail'], ['ok', 250, 'data'], ['ok', 250, 'data'], ['ok', 250, 'data']]);
      assert.deepEqual([r.summary.ok, r.summary.temporary, r.summary.permanent], [3, 2, 0]);
      assert.equal(peer.messages.length, 3);
      assert.deepEqual(peer.messages.map((m) => m.messageId.replace(/.*-(\d+)@.*/, '$1')), ['3', '4', '5']);
    } finally {
      peer.setScript({ failFirst: null });
    }
  });

  it('--require-tls against a relay without STARTTLS fails as permanent, nothing sent', async () => {
    peer.reset();
    const r = await send(url, ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--require-tls']);
    assert.equal(r.code, 1);
    assert.equal(r.results[0].result, 'permanent');
    assert.equal(r.results[0].stage, 'connect');
    assert.equal(r.results[0].relay, true);
    assert.equal(peer.messages.length, 0);
  });

  it('a message that breaks a rule is refused before sending (exit 2)', async () => {
    const bad = [
      [['--to', 'not an address', '--subject', 's', '--text', 't'], /to holds an address that is not valid/],
      [['--to', 'a@b.c', '--subject', 'two\nlines', '--text', 't'], /subject must be UTF-8 without line breaks/],
      [['--to', 'a@b.c', '--subject', 's', '--text', 't', '--key', 'white space'], /message_key/],
      [['--to', 'a@b.c', '--subject', 's', '--text', 't', '--attach', path.join(dir, 'missing.pdf')], /cannot read/],
    ];
    peer.reset();
    for (const [args, re] of bad) {
      const r = await send(url, args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
    assert.equal(peer.messages.length, 0);
  });

  it('--count 2000 over one connection: the rate', async (t) => {
    peer.reset();
    const r = await send(url, ['--to', 'bulk@example.com', '--subject', 'Напоминание о продлении', '--text', 'Ваш полис продлевается 01.04.2026.', '--count', '2000', '--key', 'bulk']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.results.length, 2000);
    assert.equal(r.summary.ok, 2000);
    assert.equal(peer.messages.length, 2000);
    assert.equal(new Set(peer.messages.map((m) => m.messageId)).size, 2000);
    t.diagnostic(`assist mail send --count 2000: ${r.summary.per_second} messages/s (${r.summary.seconds} s)`);
    console.log(`# mail throughput: ${r.summary.per_second} messages/s over one connection (${process.env.ASSIST_BIN || 'build/assist'})`);
    /* the target is 200/s (issue 5); an ASan build must still pass it */
    assert.ok(r.summary.per_second >= 200, `only ${r.summary.per_second} messages/s`);
  });
});

describe('mail: AUTH', () => {
  const user = 'relay@corp', password = 'p@ss:w/rd%ё';
  let peer;
  before(async () => { peer = await startSmtpPeer({ auth: { user, password } }); });
  after(() => peer.stop());
  const enc = encodeURIComponent;

  it('the right credentials (percent-encoded in the URL) are accepted', async () => {
    peer.reset();
    const r = await send(`smtp://${enc(user)}:${enc(password)}@127.0.0.1:${peer.port}`,
      ['--to', 'a@example.com', '--subject', 'AUTH', '--text', 't']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(peer.messages[0].user, user);
    assert.ok(!r.stdout.includes(password) && !r.stdout.includes(enc(password)));
  });

  it('a wrong password is a permanent failure at AUTH, and is never printed', async () => {
    peer.reset();
    const wrong = 'Wr0ngSecret';
    const r = await send(`smtp://${enc(user)}:${wrong}@127.0.0.1:${peer.port}`,
      ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--count', '2']);
    assert.equal(r.code, 1);
    for (const x of r.results) {
      assert.equal(x.result, 'permanent');
      assert.equal(x.code, 535);
      assert.equal(x.stage, 'auth');
      assert.equal(x.relay, true);
      assert.match(x.reply, /^535 Authentication credentials invalid$/);
    }
    assert.ok(!(r.stdout + r.stderr).includes(wrong));
    assert.equal(peer.messages.length, 0);
  });

  it('no credentials: the relay refuses the sender, permanently', async () => {
    const r = await send(`smtp://127.0.0.1:${peer.port}`, ['--to', 'a@example.com', '--subject', 's', '--text', 't']);
    assert.equal(r.code, 1);
    assert.equal(r.results[0].result, 'permanent');
    assert.equal(r.results[0].code, 530);
    assert.equal(r.results[0].relay, true);
  });

  it('ASSIST_SMTP stands in for --smtp, so the password stays out of the process list', async () => {
    peer.reset();
    const r = await run(['mail', 'send', '--from', FROM, '--to', 'a@example.com', '--subject', 'env', '--text', 't'],
      { env: { ASSIST_SMTP: `smtp://${enc(user)}:${enc(password)}@127.0.0.1:${peer.port}` } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(peer.messages[0].user, user);
  });
});

describe('mail: TLS', () => {
  let cert, peer, smtps;
  before(async () => {
    cert = makeCertificate(mkdtempSync(path.join(dir, 'tls-')));
    peer = await startSmtpPeer({ tls: cert, auth: { user: 'u', password: 'secret-pw' } });
    smtps = await startSmtpPeer({ tls: cert, secure: true });
  });
  after(async () => { await peer.stop(); await smtps.stop(); });

  it('STARTTLS is used when offered, verified against the given CA', async () => {
    peer.reset();
    const r = await send(`smtp://u:secret-pw@127.0.0.1:${peer.port}`,
      ['--to', 'a@example.com', '--subject', 'TLS', '--text', 'через TLS', '--ca-file', cert.certFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(peer.messages[0].secure, true);
    assert.equal(peer.messages[0].user, 'u');
    assert.equal(lf(peer.messages[0].text), 'через TLS');
  });

  it('--insecure-tls accepts the self-signed certificate', async () => {
    peer.reset();
    const r = await send(`smtp://u:secret-pw@127.0.0.1:${peer.port}`, ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--insecure-tls', '--require-tls']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(peer.messages[0].secure, true);
  });

  it('an unverifiable certificate fails (no fall-back to clear text): permanent, the relay\'s fault', async () => {
    peer.reset();
    const r = await send(`smtp://u:secret-pw@127.0.0.1:${peer.port}`, ['--to', 'a@example.com', '--subject', 's', '--text', 't']);
    assert.equal(r.code, 1);
    assert.equal(r.results[0].result, 'permanent');
    assert.equal(r.results[0].stage, 'connect');
    assert.equal(r.results[0].relay, true);
    assert.match(r.results[0].error, /certificate/i);
    assert.equal(peer.messages.length, 0);
    assert.ok(!(r.stdout + r.stderr).includes('secret-pw'));
  });

  it('smtps:// is TLS from the first byte', async () => {
    smtps.reset();
    const r = await send(`smtps://127.0.0.1:${smtps.port}`, ['--to', 'a@example.com', '--subject', '加密', '--text', '加密的邮件', '--ca-file', cert.certFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(smtps.messages[0].secure, true);
    assert.equal(smtps.messages[0].subject, '加密');
  });
});

describe('mail: no relay, bad usage', () => {
  it('a relay that is not there is a temporary failure at connect', async () => {
    const peer = await startSmtpPeer();
    const port = peer.port;
    await peer.stop();
    const r = await send(`smtp://127.0.0.1:${port}`, ['--to', 'a@example.com', '--subject', 's', '--text', 't', '--timeout', '5']);
    assert.equal(r.code, 1);
    assert.deepEqual([r.results[0].result, r.results[0].stage, r.results[0].code, r.results[0].relay], ['temporary', 'connect', 0, true]);
  });

  it('bad URLs are refused (exit 2) without echoing the password', async () => {
    const bad = ['http://127.0.0.1:25', 'smtp://u:hunter2-secret@127.0.0.1:99999', 'smtp://u:hunter2@secret@h:25',
      'smtp://h:25/path', 'smtp://u:hunter2%zz@h:25', 'smtp://:25'];
    for (const url of bad) {
      const r = await send(url, ['--to', 'a@example.com', '--subject', 's', '--text', 't']);
      assert.equal(r.code, 2, url);
      assert.match(r.stderr, /^assist: --smtp: /, url);
      assert.ok(!r.stderr.includes('hunter2'), r.stderr);
    }
  });

  it('usage', async () => {
    let r = await run(['mail']);
    assert.equal(r.code, 2);
    r = await run(['mail', 'send', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--insecure-tls/);
    r = await run(['mail', 'send', '--smtp', 'smtp://h:25']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs --smtp \(or ASSIST_SMTP\), --from, --to, --subject and --text/);
    r = await run(['mail', 'send', '--smtp', 'smtp://h:25', '--from', FROM, '--to', 'a@b.c', '--subject', 's', '--text', 't', '--count', '0']);
    assert.equal(r.code, 2);
    r = await run(['mail', 'bounce']);
    assert.equal(r.code, 2);
    r = await run(['--help']);
    assert.match(r.stdout, /\bmail\b/);
  });
});
