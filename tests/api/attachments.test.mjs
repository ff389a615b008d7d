// Email attachments in the outbox (migration 0012): POST /api/v1/messages
// takes PDFs in base64 or the case questionnaire ({"kind":"questionnaire"},
// rendered when the message is queued); a real `assist serve` sends them to
// a real SMTP peer (tests/peers/smtp-peer.mjs) as multipart/mixed, byte for
// byte; GET shows their names, types and sizes, never their bytes; what
// breaks a rule is refused naming the field, and queues nothing. On SQLite
// and PostgreSQL (bytea in binary format).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';
import { startSmtpPeer } from '../peers/smtp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PDF = 'application/pdf';

/** A PDF-looking file of n random bytes between a header and a trailer. */
function pdfOf(n) {
  return Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(n), Buffer.from('\n%%EOF\n')]);
}

/** The PDF's text through pdftotext, spaces and line breaks removed. */
function pdfText(bytes) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString('utf8').replace(/\s+/g, '');
}

/** Poll a message until it is sent (or fail with what it became). */
async function untilSent(c, id, ms = 15000) {
  const end = Date.now() + ms;
  let m;
  while (Date.now() < end) {
    m = (await c.get(`/api/v1/messages/${id}`)).json;
    if (m.status === 'sent') return m;
    if (m.status === 'failed' || m.status === 'expired') break;
    await sleep(50);
  }
  assert.fail(`message ${id} was not sent: ${JSON.stringify(m)}`);
}

for (const backend of backends()) {
  describe(`outbox: email attachments (${backend})`, () => {
    let relay, srv, op, admin, person;
    before(async () => {
      relay = await startSmtpPeer();
      srv = await startServer({ backend, persons: 10, args: ['--smtp', `smtp://127.0.0.1:${relay.port}`, '--mail-from', 'assist@example.test'] });
      op = await signedIn(srv.base, 'operator');
      admin = await signedIn(srv.base, 'admin');
      // the tests count a case's messages and contacts: opening a case must
      // not send by itself (the case_opened trigger)
      for (const t of (await admin.get('/api/v1/triggers')).json.items.filter((x) => x.event === 'case_opened')) {
        assert.equal((await admin.patch(`/api/v1/triggers/${t.id}`, { enabled: false })).status, 200);
      }
      const pol = (await op.get('/api/v1/policies/DEMO-26-0000002')).json;
      person = (await op.get(`/api/v1/persons/${pol.person_id}`)).json;
    });
    after(async () => { await srv?.stop(); await relay?.stop(); });

    const openCase = async (description) => {
      const r = await op.post('/api/v1/cases', { person_id: person.id, type: 'medical', description });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const mailWith = (subject) => {
      const m = relay.messages.filter((x) => x.subject === subject);
      assert.equal(m.length, 1, `one email "${subject}" at the relay: ${JSON.stringify(relay.messages.map((x) => x.subject))}`);
      assert.equal(m[0].error, undefined, m[0].error);
      return m[0];
    };

    it('a PDF given in base64 arrives as a multipart email, byte for byte', async () => {
      const pdf = pdfOf(200 * 1024);
      const name = 'Полис DEMO-26-0000002.pdf';
      const subject = 'Your policy ' + Date.now();
      const r = await op.post('/api/v1/messages', { channel: 'email', to: 'client@example.test', subject, text: 'The policy is attached.',
        urgent: true, attachments: [{ name, content_type: PDF, content_base64: pdf.toString('base64') }] });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(r.json.attachments, [{ name, content_type: PDF, size: pdf.length }]);
      const m = await untilSent(op, r.json.id);
      assert.deepEqual(m.attachments, [{ name, content_type: PDF, size: pdf.length }], 'GET shows the name, type and size only');
      const mail = mailWith(subject);
      assert.deepEqual(mail.contentTypes, ['multipart/mixed', 'text/plain', PDF]);
      assert.equal(mail.text.replace(/\r\n/g, '\n'), 'The policy is attached.');
      assert.equal(mail.attachments.length, 1);
      const a = mail.attachments[0];
      assert.equal(a.filename, name);
      assert.equal(a.contentType, PDF);
      assert.equal(a.encoding, 'base64');
      assert.equal(a.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(a.bytes.equals(pdf), 'the bytes at the relay are the bytes sent');
    });

    it('attaches the case questionnaire rendered when the message is queued, after a given file', async () => {
      const c = await openCase('Questionnaire by email');
      const pdf = pdfOf(1000);
      const subject = 'Case papers ' + c.id;
      const r = await op.post('/api/v1/messages', { channel: 'email', to: 'client@example.test', subject, text: 'Two files.', case_id: c.id,
        urgent: true, attachments: [{ name: 'scan.pdf', content_type: PDF, content_base64: pdf.toString('base64') }, { kind: 'questionnaire' }] });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.attachments.length, 2);
      assert.deepEqual(r.json.attachments[0], { name: 'scan.pdf', content_type: PDF, size: pdf.length });
      const q = r.json.attachments[1];
      assert.equal(q.name, `questionnaire-${c.id}.pdf`);
      assert.equal(q.content_type, PDF);
      assert.ok(q.size > 1000, `a rendered PDF: ${q.size} bytes`);
      await untilSent(op, r.json.id);
      const mail = mailWith(subject);
      assert.deepEqual(mail.contentTypes, ['multipart/mixed', 'text/plain', PDF, PDF]);
      assert.deepEqual(mail.attachments.map((a) => [a.filename, a.size]), [['scan.pdf', pdf.length], [q.name, q.size]]);
      assert.ok(mail.attachments[0].bytes.equals(pdf));
      const qb = mail.attachments[1].bytes;
      assert.equal(qb.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = pdfText(qb);
      for (const piece of [person.last_name, person.first_name, String(c.id)]) {
        assert.ok(text.includes(piece.replace(/\s+/g, '')), `"${piece}" is not in the questionnaire's text:\n${text.slice(0, 1500)}`);
      }
      // the case's message list shows the files as GET does
      const list = (await op.get(`/api/v1/cases/${c.id}/messages`)).json.items;
      assert.equal(list.length, 1);
      assert.deepEqual(list[0].attachments, r.json.attachments);
      // the message is an outgoing contact of the case, as without files
      const contacts = (await op.get(`/api/v1/cases/${c.id}/contacts`)).json.items;
      assert.equal(contacts.filter((k) => k.direction === 'out' && k.channel === 'email').length, 1);
    });

    it('takes files up to 10 MiB together (the route takes a body of that size)', async () => {
      const pdf = pdfOf(10 * 1024 * 1024 - 100);
      const subject = 'Big file ' + Date.now();
      const r = await op.post('/api/v1/messages', { channel: 'email', to: 'client@example.test', subject, text: 'Big.', urgent: true,
        attachments: [{ name: 'big.pdf', content_type: PDF, content_base64: pdf.toString('base64') }] });
      assert.equal(r.status, 202, r.text.slice(0, 500));
      assert.equal(r.json.attachments[0].size, pdf.length);
      await untilSent(op, r.json.id, 30000);
      assert.ok(mailWith(subject).attachments[0].bytes.equals(pdf));
    });

    it('answers the same idempotency key with the first message and its files', async () => {
      const pdf = pdfOf(500);
      const body = { channel: 'email', to: 'client@example.test', subject: 'Once ' + Date.now(), text: 'once', urgent: true,
        attachments: [{ name: 'once.pdf', content_type: PDF, content_base64: pdf.toString('base64') }] };
      const a = await op.post('/api/v1/messages', body, { headers: { 'idempotency-key': 'att-k-1' } });
      const b = await op.post('/api/v1/messages', { ...body, attachments: [] }, { headers: { 'idempotency-key': 'att-k-1' } });
      assert.equal(a.status, 202, a.text);
      assert.equal(b.status, 202, b.text);
      assert.equal(b.json.id, a.json.id);
      assert.deepEqual(b.json.attachments, [{ name: 'once.pdf', content_type: PDF, size: pdf.length }]);
      await untilSent(op, a.json.id);
      mailWith(body.subject);
    });

    it('refuses attachments that break a rule, naming the field, and queues nothing', async () => {
      const c = await openCase('Refusals');
      const good = { name: 'a.pdf', content_type: PDF, content_base64: pdfOf(100).toString('base64') };
      const email = (attachments, extra = {}) => op.post('/api/v1/messages',
        { channel: 'email', to: 'client@example.test', subject: 's', text: 't', case_id: c.id, attachments, ...extra });
      const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');

      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', text: 'x', case_id: c.id, attachments: [good] }),
        422, 'invalid_field', 'attachments');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', text: 'x', case_id: c.id, attachments: [{ kind: 'questionnaire' }] }),
        422, 'invalid_field', 'attachments');
      // base64: a bad character, no padding, a line break, bits left over
      expectError(await email([{ ...good, content_base64: 'JVBERi0x!!!!' }]), 422, 'invalid_field', 'attachments[0].content_base64');
      expectError(await email([good, { ...good, content_base64: b64('%PDF-1.4 x').replace(/=+$/, '') }]), 422, 'invalid_field', 'attachments[1].content_base64');
      const long = pdfOf(300).toString('base64');
      expectError(await email([{ ...good, content_base64: long.slice(0, 76) + '\n' + long.slice(76) }]), 422, 'invalid_field', 'attachments[0].content_base64');
      expectError(await email([{ ...good, content_base64: 'JVBERi1=' }]), 422, 'invalid_field', 'attachments[0].content_base64');
      // not a PDF, whatever it claims
      expectError(await email([{ ...good, content_base64: b64('hello, world') }]), 422, 'invalid_field', 'attachments[0].content_base64');
      expectError(await email([{ ...good, content_base64: '' }]), 422, 'invalid_field', 'attachments[0].content_base64');
      expectError(await email([{ ...good, content_type: 'image/png' }]), 422, 'invalid_field', 'attachments[0].content_type');
      // names: no path, at most 200 bytes
      expectError(await email([{ ...good, name: '../etc/a.pdf' }]), 422, 'invalid_field', 'attachments[0].name');
      expectError(await email([{ ...good, name: 'dir\\a.pdf' }]), 422, 'invalid_field', 'attachments[0].name');
      expectError(await email([{ ...good, name: 'Ж'.repeat(101) + '.pdf' }]), 422, 'invalid_field', 'attachments[0].name');
      // how many, how big
      expectError(await email(Array(6).fill(good)), 422, 'invalid_field', 'attachments');
      const half = { ...good, content_base64: pdfOf(5.5 * 1024 * 1024).toString('base64') };
      expectError(await email([half, half]), 422, 'invalid_field', 'attachments');
      // the questionnaire needs the case; kinds are known ones
      expectError(await op.post('/api/v1/messages', { channel: 'email', to: 'client@example.test', subject: 's', text: 't', attachments: [{ kind: 'questionnaire' }] }),
        422, 'invalid_field', 'attachments[0].kind');
      expectError(await email([{ kind: 'invoice' }]), 422, 'invalid_field', 'attachments[0].kind');
      // the shape
      expectError(await email({ name: 'a.pdf' }), 400, 'invalid_field', 'attachments');
      expectError(await email([{ ...good, size: 3 }]), 400, 'unknown_field', 'attachments[0].size');
      expectError(await email([{ name: 'a.pdf', content_type: PDF }]), 400, 'missing_field', 'attachments[0].content_base64');

      const msgs = (await op.get(`/api/v1/cases/${c.id}/messages`)).json.items;
      assert.deepEqual(msgs, [], 'nothing was queued');
      const contacts = (await op.get(`/api/v1/cases/${c.id}/contacts`)).json.items;
      assert.deepEqual(contacts, [], 'nothing was logged on the case');
    });
  });
}
