// A scripted SMSC for the tests: an SMPP 3.4 server from the npm `smpp`
// package on 127.0.0.1 (a free port), whose behaviour each test sets:
// message ids in a chosen format, refusals, throttling, delivery receipts of
// every final state with the id written in another format (appendix-B text
// and/or receipted_message_id), receipts held while no ESME is bound,
// inbound messages (GSM 7-bit, UCS-2, long ones with a UDH), a connection
// dropped in the middle of a window, enquire_link both ways. It records
// every submit_sm it took so a test can look for duplicates.
//
// In a test:   const peer = await startPeer({ systemId: 'assist', password: 'secret' });
//              ... peer.port, peer.set({...}), peer.submits, await peer.deliver({...}),
//              await peer.stop()
// Standalone (for a benchmark):  node tests/peers/smpp-peer.mjs [--port N] [--options JSON]
// prints {"event":"listening","port":N} and serves until SIGTERM.
import smpp from 'smpp';
import { createRequire } from 'node:module';

// Keep short_message as the bytes the client sent: the package would
// otherwise decode it (and lose the UDH and the exact bytes the tests check).
smpp.filters.message.decode = function raw(value) { return value; };

export const ESME = {
  ROK: 0x00, RINVMSGLEN: 0x01, RSYSERR: 0x08, RINVSRCADR: 0x0A, RINVDSTADR: 0x0B,
  RBINDFAIL: 0x0D, RINVPASWD: 0x0E, RINVSYSID: 0x0F, RMSGQFUL: 0x14, RSUBMITFAIL: 0x45,
  RTHROTTLED: 0x58, RX_T_APPN: 0x64, RX_P_APPN: 0x65,
};

/** The SMPP 3.4 message_state values of each appendix-B stat word. */
export const STATE_OF = {
  ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

const ID_BASE = 3000000000; // ids well past 2^31, and past 8 hex digits' worth of leading zeros

/** Write a numeric id the way an SMSC might. */
export function formatId(n, format) {
  switch (format) {
    case 'decimal': return String(n);
    case 'decimal-zeros': return String(n).padStart(20, '0');
    case 'hex-upper': return n.toString(16).toUpperCase();
    case 'hex-lower': return n.toString(16);
    case 'hex-zeros': return n.toString(16).toUpperCase().padStart(16, '0');
    case 'hex-0x': return '0x' + n.toString(16);
    default: throw new Error(`unknown id format ${format}`);
  }
}

function decodeText(pdu) {
  let bytes = Buffer.from(pdu.short_message || []);
  let udh = null;
  if ((pdu.esm_class & 0x40) && bytes.length) {
    const n = bytes[0] + 1;
    udh = bytes.subarray(0, n);
    bytes = bytes.subarray(n);
  }
  let text;
  if (pdu.data_coding === 0x08) text = utf16be(bytes);
  else if (pdu.data_coding === 0x03) text = bytes.toString('latin1');
  else text = smpp.gsmCoder.decode(bytes, 0x00);
  return { text, udh };
}

function utf16be(buf) {
  const le = Buffer.alloc(buf.length);
  for (let i = 0; i + 1 < buf.length; i += 2) { le[i] = buf[i + 1]; le[i + 1] = buf[i]; }
  return le.toString('utf16le');
}

function toUtf16be(text) {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) { const t = le[i]; le[i] = le[i + 1]; le[i + 1] = t; }
  return le;
}

/** Short messages for an inbound text: one, or parts with 05 00 03 ref total seq. */
export function inboundParts(text, coding, ref = 0x5A) {
  const ucs2 = coding === 'ucs2';
  const whole = ucs2 ? toUtf16be(text) : smpp.gsmCoder.encode(text, 0x00);
  const single = ucs2 ? 140 : 160;
  if (whole.length <= single) return [whole];
  const per = ucs2 ? 134 : 153;
  const chunks = [];
  for (let i = 0; i < whole.length; i += per) chunks.push(whole.subarray(i, i + per));
  return chunks.map((c, k) => Buffer.concat([Buffer.from([5, 0, 3, ref, chunks.length, k + 1]), c]));
}

/** YYMMDDhhmm of now, as appendix B writes dates. */
function yymmddhhmm(d = new Date()) {
  const p = (v) => String(v).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

const DEFAULTS = {
  systemId: 'assist',
  password: 'secret',
  idFormat: 'decimal',        // how submit_sm_resp writes message ids
  receiptIdFormat: 'hex-upper', // how receipts write them
  receipts: 'both',           // 'text' | 'tlv' | 'both' | false
  receiptStats: ['DELIVRD'],  // the stat of the n-th receipt, cycling
  receiptErrs: [0],           // its err, cycling
  receiptDelayMs: 5,
  reject: {},                 // destination_addr -> command_status
  throttleFirst: 0,           // answer the first N submit_sm with ESME_RTHROTTLED
  throttleStatus: ESME.RTHROTTLED,
  dropAfter: -1,              // after answering N submits, hold the next dropHold, then drop the connection (once)
  dropHold: 5,
  unbindAfter: -1,            // after answering N submits, send unbind (once)
  silentAfter: -1,            // after answering N submits, answer no more on that connection (once)
  enquireEveryMs: 0,          // send enquire_link to the ESME this often
};

export async function startPeer(options = {}) {
  const opts = { ...DEFAULTS, ...options };
  const peer = {
    port: 0,
    submits: [],         // every submit_sm answered with status 0
    received: [],        // every submit_sm that arrived (answered or not)
    refused: [],         // {status, pdu}
    binds: [],           // {system_id, ok, status}
    enquireFromEsme: 0,  // enquire_link the ESME sent (answered)
    enquireAnswered: 0,  // our enquire_link the ESME answered
    deliverResps: [],    // {seq, status} of the ESME's deliver_sm_resp
    unbinds: 0,
    drops: 0,
    pendingReceipts: [], // receipts waiting for an ESME to bind
    sessions: new Set(),
    set(more) { Object.assign(opts, more); },
    options: opts,
  };
  let nextId = ID_BASE;
  let receiptNo = 0;
  let dropped = false, unbound = false, silenced = null;
  let held = [];

  function bound() {
    for (const s of peer.sessions) if (s.bound && !s.dead) return s;
    return null;
  }

  // A deliver_sm the connection took down with it is not answered: it
  // resolves null, and a receipt goes back to wait for the next bind, as an
  // SMSC keeps what an ESME did not acknowledge.
  function sendDeliver(session, params) {
    return new Promise((resolve) => {
      if (!session.pendingDelivers) {
        session.pendingDelivers = new Set();
        session.on('close', () => { for (const f of [...session.pendingDelivers]) f(null); });
      }
      const finish = (st) => {
        if (!session.pendingDelivers.delete(finish)) return;
        resolve(st);
      };
      session.pendingDelivers.add(finish);
      const ok = session.deliver_sm(params, (resp) => {
        peer.deliverResps.push({ seq: resp.sequence_number, status: resp.command_status });
        finish(resp.command_status);
      });
      if (!ok || session.dead || session.closed) finish(null);
    });
  }

  function receiptParams(entry, stat, err) {
    const id = formatId(entry.n, opts.receiptIdFormat);
    const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${yymmddhhmm()} done date:${yymmddhhmm()} stat:${stat} err:${String(err).padStart(3, '0')} text:${entry.text.slice(0, 20).replace(/[^\x20-\x7e]/g, '.')}`;
    const p = {
      source_addr: entry.destination_addr, source_addr_ton: 1, source_addr_npi: 1,
      destination_addr: entry.source_addr, esm_class: 0x04, data_coding: 0,
      short_message: opts.receipts === 'tlv' ? Buffer.alloc(0) : Buffer.from(text, 'latin1'),
    };
    if (opts.receipts === 'tlv' || opts.receipts === 'both') {
      p.receipted_message_id = id;
      p.message_state = STATE_OF[stat];
      // network type 3 (GSM), then the error code
      p.network_error_code = Buffer.from([3, (err >> 8) & 0xFF, err & 0xFF]);
    }
    return p;
  }

  async function sendReceipt(params) {
    const s = bound();
    if (!s) { peer.pendingReceipts.push(params); return; }
    const st = await sendDeliver(s, params);
    // an SMSC keeps what the ESME did not take, for the next bind
    if (st !== 0) peer.pendingReceipts.push(params);
  }

  function onSubmit(session, pdu) {
    // the package goes on emitting what it had read after destroy(): an
    // SMSC would never see those
    if (session.dead) return;
    const { text, udh } = decodeText(pdu);
    const rec = {
      seq: pdu.sequence_number, source_addr: pdu.source_addr, source_addr_ton: pdu.source_addr_ton,
      destination_addr: pdu.destination_addr, dest_addr_ton: pdu.dest_addr_ton,
      esm_class: pdu.esm_class, data_coding: pdu.data_coding,
      registered_delivery: pdu.registered_delivery,
      short_message: Buffer.from(pdu.short_message || []).toString('hex'), text,
      udh: udh ? udh.toString('hex') : null,
    };
    peer.received.push(rec);
    if (peer.throttled === undefined) peer.throttled = 0;
    if (peer.throttled < opts.throttleFirst) {
      peer.throttled++;
      session.send(pdu.response({ command_status: opts.throttleStatus }));
      return;
    }
    const rej = opts.reject[pdu.destination_addr];
    if (rej) {
      peer.refused.push({ status: rej, ...rec });
      session.send(pdu.response({ command_status: rej }));
      return;
    }
    if (!dropped && opts.dropAfter >= 0 && peer.submits.length >= opts.dropAfter) {
      // the mid-window failure: these are never answered, then the line drops
      held.push(rec);
      if (held.length >= opts.dropHold) {
        dropped = true;
        peer.drops++;
        peer.heldAtDrop = held.length;
        peer.droppedAt = Date.now();
        held = [];
        session.dead = true;
        session.destroy();
      }
      return;
    }
    if (opts.silentAfter >= 0 && !silenced && peer.submits.length >= opts.silentAfter) {
      silenced = session; // this connection hears but never answers again
    }
    if (silenced === session) {
      peer.unanswered = (peer.unanswered || 0) + 1;
      return;
    }
    const n = nextId++;
    rec.n = n;
    rec.message_id = formatId(n, opts.idFormat);
    peer.submits.push(rec);
    session.send(pdu.response({ message_id: rec.message_id }));
    if ((pdu.registered_delivery & 1) && opts.receipts) {
      const k = receiptNo++;
      const stat = opts.receiptStats[k % opts.receiptStats.length];
      const err = opts.receiptErrs[k % opts.receiptErrs.length];
      const params = receiptParams(rec, stat, err);
      rec.receipt = { stat, err, id: formatId(n, opts.receiptIdFormat) };
      setTimeout(() => { sendReceipt(params); }, opts.receiptDelayMs);
    }
    if (opts.unbindAfter >= 0 && !unbound && peer.submits.length >= opts.unbindAfter) {
      unbound = true;
      session.unbind((resp) => { peer.unbindAnswered = resp.command_status === 0; session.close(); });
    }
  }

  const server = smpp.createServer((session) => {
    peer.sessions.add(session);
    session.on('error', () => { session.dead = true; });
    session.on('close', () => { session.dead = true; peer.sessions.delete(session); clearInterval(session.timer); });
    session.on('bind_transceiver', (pdu) => {
      let status = 0;
      if (pdu.system_id !== opts.systemId) status = ESME.RINVSYSID;
      else if (pdu.password !== opts.password) status = ESME.RINVPASWD;
      peer.binds.push({ system_id: pdu.system_id, ok: status === 0, status, interface_version: pdu.interface_version, at: Date.now() });
      if (status) {
        session.send(pdu.response({ command_status: status }));
        setTimeout(() => session.close(), 20);
        return;
      }
      session.bound = true;
      session.send(pdu.response({ system_id: 'peer' }));
      if (opts.enquireEveryMs > 0) {
        session.timer = setInterval(() => {
          if (!session.dead) session.enquire_link((resp) => { if (resp.command_status === 0) peer.enquireAnswered++; });
        }, opts.enquireEveryMs);
      }
      // receipts that waited for a bind
      const pending = peer.pendingReceipts.splice(0);
      setTimeout(() => { for (const p of pending) sendReceipt(p); }, 10);
    });
    session.on('submit_sm', (pdu) => {
      if (!session.bound) { session.send(pdu.response({ command_status: 0x04 })); return; }
      onSubmit(session, pdu);
    });
    session.on('enquire_link', (pdu) => { peer.enquireFromEsme++; session.send(pdu.response()); });
    session.on('unbind', (pdu) => { peer.unbinds++; session.send(pdu.response()); session.close(); });
    session.on('generic_nack', () => {});
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port || 0, '127.0.0.1', resolve);
  });
  peer.port = server.address().port;
  peer.url = (pw = opts.password, id = opts.systemId) =>
    `smpp://${encodeURIComponent(id)}:${encodeURIComponent(pw)}@127.0.0.1:${peer.port}`;

  /** Send an inbound message (split with a UDH when long); resolves with the ESME's statuses. */
  peer.deliver = async ({ from = '79161234567', to = '4444', text, coding = 'gsm7', ton = 1, ref } = {}) => {
    const s = bound();
    if (!s) throw new Error('no ESME is bound');
    const parts = inboundParts(text, coding, ref);
    const statuses = [];
    for (const sm of parts) {
      statuses.push(await sendDeliver(s, {
        source_addr: from, source_addr_ton: ton, source_addr_npi: 1, destination_addr: to,
        esm_class: parts.length > 1 ? 0x40 : 0, data_coding: coding === 'ucs2' ? 0x08 : 0x00,
        short_message: sm,
      }));
    }
    return statuses;
  };
  /** Send raw deliver_sm params (a hand-made receipt, odd fields). */
  peer.deliverRaw = async (params) => {
    const s = bound();
    if (!s) throw new Error('no ESME is bound');
    return sendDeliver(s, params);
  };
  /** Drop every connection now. */
  peer.dropAll = () => { for (const s of peer.sessions) { s.dead = true; s.destroy(); } peer.drops++; };
  peer.isBound = () => !!bound();
  peer.stop = () => new Promise((resolve) => {
    for (const s of peer.sessions) s.destroy();
    server.close(() => resolve());
  });
  return peer;
}

// standalone: node tests/peers/smpp-peer.mjs [--port N] [--options JSON]
const require = createRequire(import.meta.url);
if (process.argv[1] && require.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  let options = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--options') options = JSON.parse(args[++i]);
    else if (args[i] === '--port') options.port = Number(args[++i]);
  }
  const peer = await startPeer(options);
  process.stdout.write(JSON.stringify({ event: 'listening', port: peer.port }) + '\n');
  const report = () => {
    process.stderr.write(JSON.stringify({ event: 'peer_stats', submits: peer.submits.length,
      received: peer.received.length, binds: peer.binds.length }) + '\n');
    peer.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', report);
  process.on('SIGINT', report);
}
