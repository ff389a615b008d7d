// A test SMTP relay (npm smtp-server) that records what it receives and
// answers scripted failures. Started by the tests on 127.0.0.1 with a random
// free port, in-process:
//
//   const peer = await startSmtpPeer({ auth, tls, secure, failFirst, record });
//   peer.port, peer.messages (decoded, see parseMessage; an attachment's decoded
//   bytes are its non-enumerable .bytes), peer.waitFor(n),
//   peer.reset(), peer.setScript({ failFirst }), await peer.stop()
//
// or as a process for tests in other languages (and by hand):
//
//   node tests/peers/smtp-peer.mjs [--tls DIR] [--secure] [--auth USER:PASSWORD]
//                                  [--record FILE.jsonl] [--fail-first N[:CODE]]
//   prints {"smtp":PORT,"control":PORT,"ca":"DIR/cert.pem"} on its first line; the
//   control port answers GET /messages (JSON array), DELETE /messages, and
//   POST /script ({"failFirst":{"count":N,"code":451}}).
//
// Options:
//   auth      {user, password}: AUTH PLAIN/LOGIN required (allowed without TLS,
//             as the relay is on loopback); a wrong password gets 535
//   tls       {key, cert} (PEM): STARTTLS is offered; without it, it is not
//   secure    with tls: TLS from the first byte (smtps://)
//   failFirst {count, code}: the first count MAIL FROM commands get code (451)
//   record    a file: one JSON line per message, as in peer.messages
//
// Recipients script failures by their local part:
//   temp@...  451 at RCPT TO        perm@...      550 at RCPT TO
//   datatemp@ 452 after the DATA    dataperm@...  554 after the DATA
import { SMTPServer } from 'smtp-server';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl in dir. */
export function makeCertificate(dir = mkdtempSync(path.join(tmpdir(), 'smtp-peer-'))) {
  const keyFile = path.join(dir, 'key.pem'), certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile, dir };
}

// ---- a small MIME reader: enough for what assist sends, strict where it matters ----

function smtpError(code, text) {
  const e = new Error(text);
  e.responseCode = code;
  return e;
}

/** Bytes of a charset to a string (TextDecoder knows utf-8, koi8-r, gb18030 ...). */
function decodeCharset(buf, charset = 'utf-8') {
  return new TextDecoder(charset.toLowerCase(), { fatal: true }).decode(buf);
}

/** RFC 2047 encoded-words in a header value; whitespace between two of them is dropped. */
export function decodeWords(value) {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return decodeCharset(bytes, charset);
    });
}

/** Header block (latin1 string) to [{name, value}] with folds undone. */
function parseHeaders(block) {
  const out = [];
  for (const line of block.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    if (!line) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new Error('malformed header line: ' + JSON.stringify(line));
    out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
  }
  return out;
}

/** "type/sub; a=b; c=\"d\"; e*=UTF-8''%.." to {type, params} (RFC 2231 values decoded). */
function parseParams(value) {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const p of rest) {
    const m = p.trim().match(/^([^=\s*]+)(\*?)=(.*)$/s);
    if (!m) continue;
    let v = m[3].trim();
    if (m[2]) {
      const mm = v.match(/^([^']*)'[^']*'(.*)$/);
      v = decodeCharset(Buffer.from(mm[2].replace(/%([0-9A-Fa-f]{2})/g, (x, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'), mm[1] || 'utf-8');
      params[m[1].toLowerCase() + '*'] = v;
    } else {
      if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      params[m[1].toLowerCase()] = v;
    }
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeTransfer(body, encoding = '7bit') {
  switch (encoding.toLowerCase()) {
    case 'base64':
      if (/[^A-Za-z0-9+/=\r\n]/.test(body)) throw new Error('bad base64 body');
      return Buffer.from(body.replace(/\r\n/g, ''), 'base64');
    case 'quoted-printable':
      for (const line of body.split('\r\n')) if (line.length > 76) throw new Error('quoted-printable line longer than 76');
      return Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    default:
      return Buffer.from(body, 'latin1');
  }
}

/** One entity (latin1 string): headers, then a body or its parts, depth-first into acc. */
function walk(entity, acc, depth = 0) {
  if (depth > 5) throw new Error('MIME nested too deep');
  const split = entity.indexOf('\r\n\r\n');
  const head = split < 0 ? entity : entity.slice(0, split);
  const body = split < 0 ? '' : entity.slice(split + 4);
  const headers = parseHeaders(head);
  const get = (n) => headers.find((h) => h.name === n)?.value;
  const ct = parseParams(get('content-type') || 'text/plain; charset=us-ascii');
  acc.types.push(ct.type);
  if (ct.type.startsWith('multipart/')) {
    const b = ct.params.boundary;
    if (!b) throw new Error('multipart without a boundary');
    const pieces = ('\r\n' + body).split('\r\n--' + b);
    if (!pieces[pieces.length - 1].startsWith('--')) throw new Error('multipart not closed');
    for (const piece of pieces.slice(1, -1)) walk(piece.replace(/^[ \t]*\r\n/, ''), acc, depth + 1);
    return headers;
  }
  const bytes = decodeTransfer(body, get('content-transfer-encoding'));
  const disp = get('content-disposition') ? parseParams(get('content-disposition')) : null;
  const filename = disp?.params['filename*'] ?? (disp?.params.filename !== undefined ? decodeWords(disp.params.filename) : undefined);
  if (disp?.type === 'attachment' || filename !== undefined) {
    const att = { filename, contentType: ct.type, size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'), encoding: get('content-transfer-encoding') ?? null };
    // the decoded bytes too, left out of comparisons and of the record file
    Object.defineProperty(att, 'bytes', { value: bytes, enumerable: false });
    acc.attachments.push(att);
  } else if (ct.type === 'text/plain' && acc.text === undefined) {
    acc.text = decodeCharset(bytes, ct.params.charset);
    acc.textEncoding = get('content-transfer-encoding') ?? null;
  } else if (ct.type === 'text/html' && acc.html === undefined) {
    acc.html = decodeCharset(bytes, ct.params.charset);
  }
  return headers;
}

/** What a reader sees of a raw message (a Buffer). */
export function parseMessage(raw) {
  const s = raw.toString('latin1');
  const acc = { types: [], attachments: [], text: undefined, html: undefined };
  const headers = walk(s, acc);
  const get = (n) => headers.find((h) => h.name === n)?.value;
  const utf8 = (v) => (v === undefined ? undefined : decodeWords(Buffer.from(v, 'latin1').toString('utf8')));
  return {
    subject: utf8(get('subject')), from: utf8(get('from')), to: utf8(get('to')),
    messageId: get('message-id'), date: get('date'), mimeVersion: get('mime-version'),
    contentTypes: acc.types, text: acc.text, textEncoding: acc.textEncoding, html: acc.html,
    attachments: acc.attachments, headerNames: headers.map((h) => h.name),
  };
}

// ---- the server ----

export async function startSmtpPeer({ auth = null, tls = null, secure = false, failFirst = null, record = null } = {}) {
  const messages = [];
  const waiters = [];
  let script = { failFirst: failFirst ? { ...failFirst } : null };
  let mailCommands = 0;

  const server = new SMTPServer({
    secure: Boolean(secure && tls),
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    disabledCommands: [...(tls ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true, // a reverse lookup of 127.0.0.1 costs ~100 ms per connection
    banner: 'assist test peer',
    closeTimeout: 200,
    size: 64 * 1024 * 1024,
    onAuth(a, session, cb) {
      if (auth && a.username === auth.user && a.password === auth.password) return cb(null, { user: a.username });
      return cb(smtpError(535, 'Authentication credentials invalid'));
    },
    onMailFrom(address, session, cb) {
      mailCommands++;
      const f = script.failFirst;
      if (f && mailCommands <= f.count) return cb(smtpError(f.code ?? 451, `Try again later (scripted failure ${mailCommands} of ${f.count})`));
      return cb();
    },
    onRcptTo(address, session, cb) {
      const local = address.address.split('@')[0].toLowerCase();
      if (local === 'temp') return cb(smtpError(451, `4.3.0 <${address.address}>: mailbox busy, try later`));
      if (local === 'perm') return cb(smtpError(550, `5.1.1 <${address.address}>: no such user`));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const locals = rcpts.map((r) => r.split('@')[0].toLowerCase());
        if (locals.includes('datatemp')) return cb(smtpError(452, '4.3.1 insufficient system storage'));
        if (locals.includes('dataperm')) return cb(smtpError(554, '5.6.0 message content rejected'));
        const raw = Buffer.concat(chunks);
        let parsed;
        try {
          parsed = parseMessage(raw);
        } catch (e) {
          parsed = { error: String(e.message ?? e) };
        }
        const msg = {
          envelope: { from: session.envelope.mailFrom.address, to: rcpts },
          secure: Boolean(session.secure), user: session.user ?? null, size: raw.length,
          ...parsed,
        };
        Object.defineProperty(msg, 'raw', { value: raw, enumerable: false });
        messages.push(msg);
        if (record) appendFileSync(record, JSON.stringify(msg) + '\n');
        for (const w of [...waiters]) if (messages.length >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
        cb(null, 'OK: queued as ' + messages.length);
      });
    },
  });
  server.on('error', () => { /* a client that drops the line is not the peer's problem */ });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.server.address().port;

  return {
    host: '127.0.0.1', port, messages,
    /** Resolves when n messages have arrived (rejects after ms). */
    waitFor(n, ms = 10000) {
      if (messages.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { n, resolve };
        waiters.push(w);
        setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`only ${messages.length} of ${n} messages arrived`)); }, ms).unref();
      });
    },
    reset() { messages.length = 0; mailCommands = 0; },
    setScript(s) { script = { ...script, ...s }; mailCommands = 0; },
    stop() { return new Promise((resolve) => server.close(() => resolve())); },
  };
}

// ---- as a process ----

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  let tls = null;
  if (args.includes('--tls')) tls = makeCertificate(opt('--tls'));
  const authArg = opt('--auth');
  const ff = opt('--fail-first');
  const peer = await startSmtpPeer({
    tls, secure: args.includes('--secure'), record: opt('--record') ?? null,
    auth: authArg ? { user: authArg.slice(0, authArg.indexOf(':')), password: authArg.slice(authArg.indexOf(':') + 1) } : null,
    failFirst: ff ? { count: Number(ff.split(':')[0]), code: Number(ff.split(':')[1] ?? 451) } : null,
  });
  const control = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/messages') return res.end(JSON.stringify(peer.messages));
      if (req.method === 'DELETE' && req.url === '/messages') { peer.reset(); return res.end('{}'); }
      if (req.method === 'POST' && req.url === '/script') {
        try { peer.setScript(JSON.parse(body || '{}')); return res.end('{}'); } catch { res.statusCode = 400; return res.end('{"error":"bad JSON"}'); }
      }
      res.statusCode = 404;
      res.end('{"error":"not found"}');
    });
  });
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ smtp: peer.port, control: control.address().port, ca: tls?.certFile ?? null }) + '\n');
  });
  const stop = async () => { control.close(); await peer.stop(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
