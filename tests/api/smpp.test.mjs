// SMS over SMPP 3.4: `assist sms send|listen` (the engine the outbox uses)
// against a scripted SMSC (tests/peers/smpp-peer.mjs, npm `smpp`) on
// 127.0.0.1. Texts arrive decoded right (GSM 7-bit, UCS-2 Russian and
// Chinese, long ones in parts with a correct UDH); a bad password is refused
// clearly; refusals are reported; throttling is retried with the receipt
// still matched; receipts of every final state match across id formats;
// receipts held while disconnected arrive on the next bind; inbound
// messages are printed decoded; a connection dropped mid-window is redone
// after a backoff without duplicating an acknowledged part; enquire_link is
// answered both ways; and a throughput line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN } from '../lib/server.mjs';
import { startPeer, formatId, inboundParts } from '../peers/smpp-peer.mjs';

const TO = '+79161234567';

/** Run the CLI to completion: {code, stdout, stderr, events}. */
function sms(args, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, ['sms', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (/ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer/.test(stderr)) {
        reject(new Error('sanitizer report:\n' + stderr.slice(-4000)));
        return;
      }
      const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      resolve({ code, stdout, stderr, events });
    });
  });
}

/** Start a CLI run in the background; {done: Promise of sms()'s result}. */
function smsBackground(args) {
  return { done: sms(args) };
}

const of = (events, name) => events.filter((e) => e.event === name);
const summary = (r) => of(r.events, 'summary')[0];

async function until(cond, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('assist sms send: texts as the SMSC receives them', () => {
  let peer;
  before(async () => { peer = await startPeer({ receipts: false }); });
  after(async () => { await peer.stop(); });

  it('sends GSM 7-bit text with its extension characters, from an alphanumeric sender', async () => {
    const text = 'Hello {world} [1] ~ €5 | ^_^ @home';
    const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--from', 'Assist', '--text', text, '--wait', '0']);
    assert.equal(r.code, 0, r.stderr);
    const s = peer.submits.at(-1);
    assert.equal(s.text, text);
    assert.equal(s.data_coding, 0);
    assert.equal(s.esm_class, 0);
    assert.equal(s.udh, null);
    assert.equal(s.destination_addr, '79161234567');
    assert.equal(s.dest_addr_ton, 1);
    assert.equal(s.source_addr, 'Assist');
    assert.equal(s.source_addr_ton, 5);
    assert.equal(s.registered_delivery, 1);
    const sub = of(r.events, 'submitted');
    assert.equal(sub.length, 1);
    assert.equal(sub[0].message_id, s.message_id);
    assert.equal(summary(r).coding, 'gsm7');
    assert.equal(summary(r).sent, 1);
  });

  for (const [name, text] of [['Russian', 'Здравствуйте! Ваш полис продлён до 31.12.'], ['Chinese', '您好！您的保单已续期。']]) {
    it(`sends ${name} as UCS-2`, async () => {
      const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', text, '--no-receipt']);
      assert.equal(r.code, 0, r.stderr);
      const s = peer.submits.at(-1);
      assert.equal(s.data_coding, 8);
      assert.equal(s.text, text);
      assert.equal(s.registered_delivery, 0);
      assert.equal(summary(r).coding, 'ucs2');
    });
  }

  for (const [name, text, coding] of [
    ['GSM 7-bit', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(7), 0],
    ['UCS-2', 'Съешь же ещё этих мягких французских булок, да выпей чаю. '.repeat(3), 8],
  ]) {
    it(`splits a long ${name} text into 3 parts with one concatenation reference`, async () => {
      const before = peer.submits.length;
      const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', text, '--no-receipt']);
      assert.equal(r.code, 0, r.stderr);
      const parts = peer.submits.slice(before);
      assert.equal(parts.length, 3);
      const ref = parts[0].udh.slice(6, 8);
      parts.forEach((p, k) => {
        assert.equal(p.esm_class & 0x40, 0x40);
        assert.equal(p.data_coding, coding);
        assert.equal(p.udh, `050003${ref}03${String(k + 1).padStart(2, '0')}`);
      });
      assert.equal(parts.map((p) => p.text).join(''), text);
      assert.deepEqual(of(r.events, 'submitted').map((e) => e.part), [1, 2, 3]);
    });
  }

  it('has help naming its options, and assist --help names it', async () => {
    const r = await sms(['--help']);
    assert.equal(r.code, 0);
    for (const o of ['send', 'listen', '--smpp', '--to', '--text', '--from', '--window', '--count', '--wait', '--seconds', 'ASSIST_SMPP']) {
      assert.ok(r.stdout.includes(o), `sms --help does not mention ${o}`);
    }
    const top = await new Promise((resolve) => {
      const p = spawn(BIN, ['--help']);
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.on('close', () => resolve(out));
    });
    assert.match(top, /\bsms\b/);
    const bad = await sms(['frobnicate']);
    assert.equal(bad.code, 2);
  });

  it('refuses bad usage before connecting', async () => {
    for (const args of [
      ['send', '--smpp', peer.url(), '--text', 'x'],
      ['send', '--smpp', peer.url(), '--to', 'abc', '--text', 'x'],
      ['send', '--smpp', peer.url(), '--to', TO, '--text', ''],
      ['send', '--smpp', peer.url(), '--to', TO, '--text', 'x', '--window', '0'],
      ['send', '--smpp', peer.url(), '--to', TO, '--text', 'x', '--from', 'Twelve chars'],
      ['send', '--smpp', 'smpp://nobody@127.0.0.1:1', '--to', TO, '--text', 'x'],
      ['send', '--to', TO, '--text', 'x'],
      ['listen', '--smpp', peer.url(), '--seconds', '0'],
      ['listen', '--smpp', peer.url(), 'extra'],
    ]) {
      const r = await sms(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

describe('assist sms send: refusals', () => {
  let peer;
  before(async () => { peer = await startPeer({ password: 'p@ss:1', receipts: false }); });
  after(async () => { await peer.stop(); });

  it('reads a percent-encoded password, and says clearly that a wrong one is refused, once', async () => {
    const ok = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'hi', '--wait', '0']);
    assert.equal(ok.code, 0, ok.stderr);
    const binds = peer.binds.length;
    const r = await sms(['send', '--smpp', peer.url('wrong-pw'), '--to', TO, '--text', 'hi']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the bind: wrong password \(ESME_RINVPASWD\)/);
    assert.ok(!r.stderr.includes('wrong-pw') && !r.stdout.includes('wrong-pw'), 'the password is never printed');
    assert.equal(peer.binds.length, binds + 1, 'a refused bind is not retried');
    assert.equal(peer.binds.at(-1).ok, false);
    const r2 = await sms(['send', '--smpp', peer.url('p@ss:1', 'stranger'), '--to', TO, '--text', 'hi']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /unknown system_id \(ESME_RINVSYSID\)/);
  });

  it('reports a refused submit with its status', async () => {
    peer.set({ reject: { '79990000000': 0x0B } });
    const r = await sms(['send', '--smpp', peer.url(), '--to', '+79990000000', '--text', 'hi']);
    assert.equal(r.code, 1);
    const ref = of(r.events, 'refused');
    assert.equal(ref.length, 1);
    assert.equal(ref[0].status, 0x0B);
    assert.equal(ref[0].status_name, 'ESME_RINVDSTADR');
    assert.equal(summary(r).refused, 1);
    assert.equal(summary(r).sent, 0);
  });

  it('gives up with a clear message when nothing listens', async () => {
    const dead = await startPeer();
    const url = dead.url();
    await dead.stop();
    const r = await sms(['send', '--smpp', url, '--to', TO, '--text', 'hi', '--connect-timeout', '1', '--reconnect-ms', '100']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no bind within 1 s: connect: Connection refused/);
  });
});

describe('assist sms send: throttling', () => {
  let peer;
  before(async () => { peer = await startPeer({ throttleFirst: 3, receiptIdFormat: 'hex-lower' }); });
  after(async () => { await peer.stop(); });

  it('waits and submits the throttled parts again, and their receipts still match', async () => {
    const t0 = Date.now();
    const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'throttle me', '--count', '5',
      '--window', '5', '--throttle-ms', '300', '--wait', '10']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 >= 300, 'the engine paused after ESME_RTHROTTLED');
    assert.equal(peer.received.length, 8, 'three throttled submits and five taken');
    assert.equal(peer.submits.length, 5, 'each part taken once');
    assert.equal(of(r.events, 'refused').length, 0);
    const rc = of(r.events, 'receipt');
    assert.equal(rc.length, 5);
    for (const e of rc) {
      assert.notEqual(e.message, null, 'matched');
      assert.equal(e.state, 'delivered');
    }
    assert.deepEqual(rc.map((e) => e.message).sort((a, b) => a - b), [1, 2, 3, 4, 5]);
    assert.equal(summary(r).receipts, 5);
  });
});

describe('assist sms send: receipts of every final state, ids in other formats', () => {
  const STATS = ['DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD'];
  const ERRS = [0, 27, 0, 1, 0, 0, 0];
  const EXPECT = [
    ['delivered'], ['expired', 'no_answer'], ['deleted', 'other'], ['undeliverable', 'invalid_number'],
    ['accepted'], ['unknown', 'other'], ['rejected', 'rejected'],
  ];
  const COMBOS = [
    ['decimal', 'hex-upper', 'text'],
    ['hex-lower', 'decimal', 'tlv'],
    ['hex-upper', 'hex-zeros', 'both'],
    ['decimal-zeros', 'hex-lower', 'text'],
    ['hex-0x', 'decimal-zeros', 'both'],
  ];
  for (const [idFormat, receiptIdFormat, receipts] of COMBOS) {
    it(`submit ids ${idFormat}, receipt ids ${receiptIdFormat} (${receipts})`, async () => {
      const peer = await startPeer({ idFormat, receiptIdFormat, receipts, receiptStats: STATS, receiptErrs: ERRS });
      try {
        const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'status check', '--count', '7',
          '--window', '1', '--wait', '10']);
        assert.equal(r.code, 0, r.stderr);
        const rc = of(r.events, 'receipt');
        assert.equal(rc.length, 7);
        for (const e of rc) {
          assert.notEqual(e.message, null, `receipt ${e.message_id} matched`);
          const k = e.message - 1; // window 1: message n is the n-th submit
          const sub = peer.submits[k];
          assert.equal(e.submit_id, sub.message_id);
          assert.equal(e.message_id, formatId(sub.n, receiptIdFormat));
          assert.notEqual(e.message_id, e.submit_id);
          assert.equal(e.state, EXPECT[k][0]);
          assert.equal(e.reason, EXPECT[k][1]);
        }
        assert.equal(summary(r).unmatched_receipts, 0);
      } finally {
        await peer.stop();
      }
    });
  }

  it('matches a receipt to each part of a long message', async () => {
    const peer = await startPeer({ idFormat: 'hex-upper', receiptIdFormat: 'decimal',
      receiptStats: ['DELIVRD', 'DELIVRD', 'UNDELIV'], receiptErrs: [0, 0, 31] });
    try {
      const text = 'Part of a long message. '.repeat(15);
      const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', text, '--window', '1', '--wait', '10']);
      assert.equal(r.code, 0, r.stderr);
      const rc = of(r.events, 'receipt').sort((a, b) => a.part - b.part);
      assert.deepEqual(rc.map((e) => [e.message, e.part, e.state]),
        [[1, 1, 'delivered'], [1, 2, 'delivered'], [1, 3, 'undeliverable']]);
      assert.equal(rc[2].reason, 'busy');
      assert.deepEqual(rc.map((e) => e.submit_id), peer.submits.map((s) => s.message_id));
    } finally {
      await peer.stop();
    }
  });
});

describe('assist sms listen: inbound messages and receipts', () => {
  let peer;
  before(async () => { peer = await startPeer({ enquireEveryMs: 200 }); });
  after(async () => { await peer.stop(); });

  it('prints inbound messages decoded, long ones put together, and answers enquire_link', async () => {
    const run = smsBackground(['listen', '--smpp', peer.url(), '--seconds', '3', '--enquire-link', '1']);
    await until(() => peer.isBound(), 10000, 'the bind');
    const longRu = 'Спасибо, всё получил. Перезвоните мне, пожалуйста, завтра после обеда. '.repeat(3);
    const st = [];
    st.push(...await peer.deliver({ text: 'Hello from the phone {ok}', from: '79161234567' }));
    st.push(...await peer.deliver({ text: 'Привет', coding: 'ucs2', from: '79161234568' }));
    st.push(...await peer.deliver({ text: '你好，请回电', coding: 'ucs2', from: '8613800138000', ton: 2 }));
    st.push(...await peer.deliver({ text: longRu, coding: 'ucs2', from: '79161234569', ref: 0x33 }));
    const r = await run.done;
    const nlong = inboundParts(longRu, 'ucs2').length;
    assert.ok(nlong >= 3);
    assert.deepEqual(st, new Array(3 + nlong).fill(0), 'every deliver_sm answered with status 0');
    assert.equal(r.code, 0, r.stderr);
    const inb = of(r.events, 'inbound');
    assert.deepEqual(inb.map((e) => [e.from, e.text, e.parts]), [
      ['+79161234567', 'Hello from the phone {ok}', 1],
      ['+79161234568', 'Привет', 1],
      ['8613800138000', '你好，请回电', 1],
      ['+79161234569', longRu, nlong],
    ]);
    assert.ok(peer.enquireAnswered >= 2, `the ESME answered the SMSC's enquire_link (${peer.enquireAnswered})`);
    assert.equal(peer.enquireFromEsme, 0, 'a line that is never quiet needs no enquire_link of ours');
  });

  it('sends enquire_link when the line is quiet', async () => {
    const quiet = await startPeer();
    try {
      const r = await sms(['listen', '--smpp', quiet.url(), '--seconds', '3', '--enquire-link', '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(quiet.enquireFromEsme >= 2, `enquire_link sent (${quiet.enquireFromEsme})`);
      assert.equal(quiet.unbinds, 1, 'unbound politely at the end');
    } finally {
      await quiet.stop();
    }
  });

  it('gets the receipts the SMSC kept while nobody was bound', async () => {
    peer.set({ receiptDelayMs: 400, receiptIdFormat: 'hex-zeros' });
    const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'later', '--count', '2', '--wait', '0']);
    assert.equal(r.code, 0, r.stderr);
    await until(() => peer.pendingReceipts.length === 2, 5000, 'receipts to be held');
    const l = await sms(['listen', '--smpp', peer.url(), '--seconds', '1']);
    assert.equal(l.code, 0, l.stderr);
    const rc = of(l.events, 'receipt');
    assert.deepEqual(rc.map((e) => e.message_id), peer.submits.slice(-2).map((s) => formatId(s.n, 'hex-zeros')));
    assert.equal(peer.pendingReceipts.length, 0);
  });
});

describe('assist sms send: a connection dropped mid-window', () => {
  let peer;
  before(async () => { peer = await startPeer({ dropAfter: 10, dropHold: 5, receipts: false }); });
  after(async () => { await peer.stop(); });

  it('reconnects after a backoff and sends what was not acknowledged, nothing twice', async () => {
    const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'drop test', '--count', '40',
      '--window', '10', '--reconnect-ms', '200', '--no-receipt']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(peer.drops, 1);
    assert.equal(peer.binds.length, 2, 'bound again');
    assert.ok(peer.binds[1].at - peer.droppedAt >= 100, `waited before reconnecting (${peer.binds[1].at - peer.droppedAt} ms)`);
    assert.equal(peer.submits.length, 40, 'every part acknowledged exactly once');
    const link = of(r.events, 'link');
    assert.deepEqual(link.map((e) => e.bound), [true, false, true, false]);
    assert.match(link[1].why, /closed the connection|Connection reset/);
    const retries = of(r.events, 'retry');
    assert.ok(retries.filter((e) => e.why === 'link_lost').length >= 5, 'the held parts came back as link_lost');
    // the acknowledged ones never came back
    const acked = new Set(of(r.events, 'submitted').map((e) => e.message));
    assert.equal(acked.size, 40);
    assert.equal(of(r.events, 'submitted').length, 40);
    assert.equal(summary(r).sent, 40);
  });
});

describe('assist sms send: an SMSC that unbinds or stops answering', () => {
  it('answers the SMSC\'s unbind, binds again and sends the rest', async () => {
    const peer = await startPeer({ unbindAfter: 5, receipts: false });
    try {
      const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'unbind test', '--count', '30',
        '--window', '5', '--reconnect-ms', '100', '--no-receipt']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(peer.unbindAnswered, true, 'unbind_resp sent');
      assert.equal(peer.binds.length, 2);
      assert.equal(peer.submits.length, 30, 'each part taken once');
      assert.match(of(r.events, 'link')[1].why, /the SMSC unbound/);
    } finally {
      await peer.stop();
    }
  });

  it('drops a link whose SMSC stops answering and sends again on a new one', async () => {
    const peer = await startPeer({ silentAfter: 3, receipts: false });
    try {
      const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'silence', '--count', '10',
        '--window', '4', '--reconnect-ms', '100', '--response-timeout', '1', '--no-receipt']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(of(r.events, 'link')[1].why, /no submit_sm_resp in time/);
      assert.equal(peer.unanswered, 4, 'a full window went unanswered');
      assert.equal(peer.submits.length, 10);
      assert.equal(of(r.events, 'retry').filter((e) => e.why === 'link_lost').length, 4);
    } finally {
      await peer.stop();
    }
  });
});

describe('assist sms send: throughput', () => {
  let peer;
  before(async () => { peer = await startPeer({ receipts: false }); });
  after(async () => { await peer.stop(); });

  it('sends 20,000 SMS over one bind with a window of 50', async () => {
    const r = await sms(['send', '--smpp', peer.url(), '--to', TO, '--text', 'Throughput check', '--count', '20000',
      '--window', '50', '--quiet', '--no-receipt']);
    assert.equal(r.code, 0, r.stderr);
    const s = summary(r);
    assert.equal(s.sent, 20000);
    assert.equal(peer.submits.length, 20000);
    console.log(`# smpp throughput: ${s.per_second} SMS/s (20000 in ${s.seconds} s, window 50, ${BIN})`);
    assert.ok(s.per_second > 500, `per_second ${s.per_second}`);
  });
});
