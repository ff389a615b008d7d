/* E-mail over SMTP with libcurl (see smtp.h). */
#include "jobs/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/str.h"
#include "core/mask.h"

#define SMTP_HEADER_MAX (64 * 1024) /* bytes of one header line, folded */
#define SMTP_DEFAULT_CONNECT_MS 10000L
#define SMTP_DEFAULT_TIMEOUT_MS 60000L
#define SMTP_SOCKETS 4 /* open at once by one handle: happy eyeballs tries two */
/* RFC 2047: an encoded-word is at most 75 characters; "=?UTF-8?B?" and
 * "?=" take 12, leaving 63 for base64, so 45 bytes of text (60 characters). */
#define SMTP_WORD_BYTES 45

struct smtp_conn {
	CURL *h;
	struct smtp_url url;
	bool auth;
	char label[300]; /* host:port for logs */
	char msgid_domain[SMTP_ADDR_MAX + 1]; /* "" = the From domain */
	char *ca_file;
	/* what the debug callback saw during the current send */
	enum smtp_stage stage;
	bool quitting;
	char reply[512]; /* the last reply line */
	char errbuf[CURL_ERROR_SIZE];
	curl_socket_t socks[SMTP_SOCKETS]; /* the handle's open sockets, for smtp_close */
};

static pthread_once_t smtp_once = PTHREAD_ONCE_INIT;
static CURLcode smtp_global_rc = CURLE_FAILED_INIT;

static void smtp_global_init(void)
{
	smtp_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *smtp_outcome_name(enum smtp_outcome o)
{
	switch (o) {
	case SMTP_OK: return "ok";
	case SMTP_TEMPORARY: return "temporary";
	case SMTP_PERMANENT: return "permanent";
	}
	return "permanent";
}

const char *smtp_stage_name(enum smtp_stage s)
{
	static const char *const names[] = {"none", "connect", "auth", "mail", "rcpt", "data"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "none";
}

/* ---- checks ---- */

static bool addr_char(unsigned char c)
{
	/* printable ASCII minus what could end an address or start a new header
	 * or command: space, <>, (), [], comma, semicolon, colon, backslash, quote */
	return c > 0x20 && c < 0x7f && !strchr("<>()[],;:\\\"", c);
}

bool smtp_address_valid(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s), at = n;
	if (n < 3 || n > SMTP_ADDR_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '@') {
			if (at != n)
				return false;
			at = i;
		} else if (!addr_char((unsigned char)s[i])) {
			return false;
		}
	}
	if (at == 0 || at >= n - 1 || at > 64)
		return false;
	for (size_t i = at + 1; i < n; i++) /* a host name: letters, digits, '-' and '.' */
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return false;
	return s[at + 1] != '.' && s[n - 1] != '.';
}

static bool key_valid(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n == 0 || n > SMTP_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

static bool hostname_valid(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* UTF-8 without control characters (tab allowed where tab is true). */
static bool text_line_ok(const char *s, size_t n, bool tab)
{
	if (!str_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(tab && c == '\t')) || c == 0x7f)
			return false;
	}
	return true;
}

static bool content_type_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0, slash = 0;
	if (n < 3 || n > 100)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '/') {
			if (slash)
				return false;
			slash = i;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     strchr("!#$&^_.+-", c))) {
			return false;
		}
	}
	return slash > 0 && slash < n - 1;
}

static bool ascii_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* The first rule of struct mail that m breaks, as a field name and a
 * message; NULL when none. */
static const char *mail_check(const struct mail *m, const char **field)
{
	*field = "from";
	if (!smtp_address_valid(m->from))
		return "is not a valid e-mail address";
	*field = "from_name";
	if (m->from_name && (strlen(m->from_name) > SMTP_NAME_MAX ||
			     !text_line_ok(m->from_name, strlen(m->from_name), false)))
		return "must be UTF-8 without line breaks, at most 200 bytes";
	*field = "to";
	if (m->nto == 0 || m->nto > SMTP_RCPT_MAX || !m->to)
		return "must name 1 to 50 recipients";
	for (size_t i = 0; i < m->nto; i++)
		if (!smtp_address_valid(m->to[i]))
			return "holds an address that is not valid";
	*field = "subject";
	if (!m->subject || strlen(m->subject) > SMTP_SUBJECT_MAX ||
	    !text_line_ok(m->subject, strlen(m->subject), true))
		return "must be UTF-8 without line breaks, at most 500 bytes";
	*field = "text";
	if (!m->text || m->text_len > SMTP_TEXT_MAX || !str_utf8_valid(m->text, m->text_len) ||
	    memchr(m->text, '\0', m->text_len))
		return "must be UTF-8 text of at most 2 MiB";
	*field = "html";
	if (m->html && (m->html_len > SMTP_TEXT_MAX || !str_utf8_valid(m->html, m->html_len) ||
			memchr(m->html, '\0', m->html_len)))
		return "must be UTF-8 text of at most 2 MiB";
	*field = "attachments";
	if (m->nattachments > SMTP_ATTACH_MAX || (m->nattachments && !m->attachments))
		return "at most 10 attachments";
	size_t total = 0;
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		size_t nn = a->name ? strlen(a->name) : 0;
		if (nn == 0 || nn > SMTP_NAME_MAX || !text_line_ok(a->name, nn, false) ||
		    strpbrk(a->name, "/\\\""))
			return "a file name must be 1 to 200 bytes of UTF-8 without / \\ \" or control characters";
		if (!content_type_valid(a->content_type))
			return "a content type must look like application/pdf";
		if (!a->data && a->len)
			return "an attachment has a length but no data";
		if (a->len > SMTP_ATTACH_TOTAL_MAX - total)
			return "hold more than 20 MiB together";
		total += a->len;
	}
	*field = "message_key";
	if (!key_valid(m->message_key))
		return "must be 1 to 128 characters of A-Z a-z 0-9 . _ + -";
	*field = NULL;
	return NULL;
}

/* ---- header and body pieces ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static enum res put_base64(struct buf *b, const unsigned char *s, size_t n)
{
	char q[4];
	enum res r = RES_OK;
	for (size_t i = 0; i < n && !r; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		r = buf_append(b, q, 4);
	}
	return r;
}

/* Bytes of the UTF-8 sequence that starts with c (1 for anything odd; the
 * text was validated before). */
static size_t utf8_seq(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Short printable ASCII is written as is; anything else as RFC 2047
 * encoded-words (UTF-8, base64), each holding whole characters, joined by
 * a fold (CRLF SP), which a reader drops between encoded-words. */
static enum res put_header_text(struct buf *b, const char *s, size_t n)
{
	bool plain = n <= 66 && ascii_only(s, n) && !strstr(s, "=?");
	for (size_t i = 0; plain && i < n; i++)
		plain = s[i] >= 0x20 && s[i] < 0x7f;
	if (plain)
		return buf_append(b, s, n);
	enum res r = RES_OK;
	size_t i = 0;
	while (i < n && !r) {
		size_t k = i;
		while (k < n && k - i + utf8_seq((unsigned char)s[k]) <= SMTP_WORD_BYTES)
			k += utf8_seq((unsigned char)s[k]);
		if (k > n)
			k = n;
		if ((i > 0 && (r = buf_append(b, "\r\n ", 3))) || (r = buf_puts(b, "=?UTF-8?B?")) ||
		    (r = put_base64(b, (const unsigned char *)s + i, k - i)) || (r = buf_puts(b, "?=")))
			return r;
		i = k;
	}
	return r;
}

/* "Tue, 22 Aug 2017 14:08:43 +0000" into out[40]. */
static void format_date(int64_t us, char out[40])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
		 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Text with every line end as CRLF, as MIME's canonical form of text parts
 * wants (a bare LF or CR becomes CRLF). */
static enum res put_crlf(struct buf *b, const char *s, size_t n)
{
	enum res r = RES_OK;
	size_t run = 0;
	for (size_t i = 0; i < n && !r; i++) {
		if (s[i] != '\n' && s[i] != '\r')
			continue;
		if ((r = buf_append(b, s + run, i - run)) || (r = buf_append(b, "\r\n", 2)))
			return r;
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		run = i + 1;
	}
	return r ? r : buf_append(b, s + run, n - run);
}

/* quoted-printable keeps mostly-ASCII text readable and small; for Russian
 * or Chinese it would triple the size, where base64 adds a third. */
static const char *body_encoder(const char *s, size_t n)
{
	size_t high = 0;
	for (size_t i = 0; i < n; i++)
		high += (unsigned char)s[i] >= 0x80;
	return high * 4 > n ? "base64" : "quoted-printable";
}

/* Content-Disposition for a non-ASCII file name (RFC 2231 with an ASCII
 * fallback for old readers): attachment; filename="file.pdf";
 * filename*=UTF-8''%D0%9F... */
static enum res put_disposition(struct buf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *dot = strrchr(name, '.');
	bool ext_ok = dot && dot[1] && strlen(dot) <= 10 && ascii_only(dot, strlen(dot));
	enum res r;
	if ((r = buf_printf(b, "Content-Disposition: attachment; filename=\"file%s\";\r\n filename*=UTF-8''",
			    ext_ok ? dot : "")))
		return r;
	for (const unsigned char *p = (const unsigned char *)name; *p && !r; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p);
		if (plain) {
			r = buf_append(b, p, 1);
		} else {
			char e3[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			r = buf_append(b, e3, 3);
		}
	}
	return r;
}

/* A server reply or curl message made fit for logs and results: control
 * characters become spaces, and anything shaped like an e-mail address is
 * masked (a relay often echoes the recipient: "550 <ivan@mail.ru>: no such user"). */
static void clean_text(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in), o = 0;
	while (n && (in[n - 1] == '\r' || in[n - 1] == '\n' || in[n - 1] == ' '))
		n--;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		/* an address: a run of address characters around one '@' */
		if (addr_char((unsigned char)in[i]) && in[i] != '@' &&
		    (i == 0 || !addr_char((unsigned char)in[i - 1]))) {
			size_t k = i;
			while (k < n && addr_char((unsigned char)in[k]))
				k++;
			const char *at = memchr(in + i, '@', k - i);
			if (at) {
				char masked[SMTP_ADDR_MAX + 1];
				mask_email(in + i, k - i, masked, sizeof masked);
				size_t mn = strlen(masked);
				if (o + mn >= cap)
					mn = cap - 1 - o;
				memcpy(out + o, masked, mn);
				o += mn;
				i = k;
				continue;
			}
		}
		unsigned char c = (unsigned char)in[i];
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		i++;
	}
	/* a cut may have split the last character: drop its lead and tail */
	size_t lead = o;
	while (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)out[lead - 1] >= 0xc0 &&
	    lead - 1 + utf8_seq((unsigned char)out[lead - 1]) > o)
		o = lead - 1;
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* ---- the URL ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0..n) into out[SMTP_CREDENTIAL_MAX + 1]. Userinfo
 * characters of RFC 3986 only; decoded control characters are refused (they
 * could break the AUTH exchange). */
static bool url_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
				return false;
			c = (unsigned char)(h * 16 + l);
			if (c < 0x20 || c == 0x7f)
				return false;
			i += 2;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     strchr("-._~!$&'()*+,;=", c))) {
			return false;
		}
		if (o >= SMTP_CREDENTIAL_MAX)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

enum res smtp_url_parse(const char *url, struct smtp_url *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	const char *p;
	if (!url)
		return err_set(e, RES_INVALID, "invalid_field", "smtp_url", "no SMTP URL given");
	if (strncmp(url, "smtp://", 7) == 0) {
		p = url + 7;
		out->port = 25;
	} else if (strncmp(url, "smtps://", 8) == 0) {
		p = url + 8;
		out->tls = true;
		out->port = 465;
	} else {
		return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
			       "the SMTP URL must start with smtp:// or smtps://");
	}
	/* the authority ends the URL (one trailing '/' aside): a path, query or
	 * fragment is refused, as is a raw '/', '?' or '#' in the credentials */
	size_t alen = strlen(p);
	if (alen && p[alen - 1] == '/')
		alen--;
	for (size_t i = 0; i < alen; i++)
		if (p[i] == '/' || p[i] == '?' || p[i] == '#')
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "the SMTP URL must end after HOST:PORT (percent-encode / ? # in a password)");
	const char *at = memchr(p, '@', alen);
	if (at && memchr(at + 1, '@', alen - (size_t)(at + 1 - p)))
		return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
			       "the SMTP URL has more than one '@' (write @ in a password as %%40)");
	const char *host = p;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		size_t un = colon ? (size_t)(colon - p) : (size_t)(at - p);
		if (un == 0 || !url_decode(p, un, out->user))
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "the user name in the SMTP URL is empty or badly percent-encoded");
		if (colon && !url_decode(colon + 1, (size_t)(at - colon - 1), out->password))
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "the password in the SMTP URL is badly percent-encoded or too long");
		out->has_user = true;
		host = at + 1;
	}
	size_t hn = alen - (size_t)(host - p);
	const char *port = NULL;
	size_t host_len;
	if (hn && host[0] == '[') { /* IPv6 literal */
		const char *close = memchr(host, ']', hn);
		if (!close || close == host + 1)
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "the IPv6 address in the SMTP URL is not closed by ]");
		for (const char *q = host + 1; q < close; q++)
			if (hexval(*q) < 0 && *q != ':' && *q != '.')
				return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
					       "the IPv6 address in the SMTP URL is not valid");
		host_len = (size_t)(close - host) + 1;
		if (host_len < hn) {
			if (close[1] != ':')
				return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
					       "expected :PORT after the IPv6 address");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(host, ':', hn);
		host_len = colon ? (size_t)(colon - host) : hn;
		if (colon)
			port = colon + 1;
		for (size_t i = 0; i < host_len; i++)
			if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= 'A' && host[i] <= 'Z') ||
			      (host[i] >= '0' && host[i] <= '9') || host[i] == '-' || host[i] == '.'))
				return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
					       "the host in the SMTP URL is not a valid name or address");
	}
	if (host_len == 0 || host_len >= sizeof out->host)
		return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
			       "the SMTP URL has no host, or too long a one");
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	if (port) {
		size_t pn = alen - (size_t)(port - p);
		int64_t v;
		if (pn == 0 || pn > 5 || str_to_i64(port, pn, &v) || v < 1 || v > 65535 || port[0] == '-')
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "the port in the SMTP URL must be 1 to 65535");
		out->port = (int)v;
	}
	return RES_OK;
}

static bool host_is_loopback(const char *h)
{
	return strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 || strcmp(h, "[::1]") == 0;
}

/* ---- the connection ---- */

/* libcurl shows us each command we send (HEADER_OUT) and each reply line
 * (HEADER_IN). Commands only move the stage on; their bytes are never kept,
 * as the AUTH exchange carries the credentials. The last reply line is kept
 * for the result. */
static int smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	(void)h;
	struct smtp_conn *c = ud;
	if (type == CURLINFO_HEADER_OUT) {
		/* exact command forms: an AUTH LOGIN continuation is base64 and can
		 * start with "DATA" but never with "DATA\r\n" or hold a ':' or space */
		if (size >= 10 && memcmp(data, "MAIL FROM:", 10) == 0)
			c->stage = SMTP_STAGE_MAIL;
		else if (size >= 8 && memcmp(data, "RCPT TO:", 8) == 0)
			c->stage = SMTP_STAGE_RCPT;
		else if (size >= 6 && memcmp(data, "DATA\r\n", 6) == 0)
			c->stage = SMTP_STAGE_DATA;
		else if (size >= 5 && memcmp(data, "AUTH ", 5) == 0)
			c->stage = SMTP_STAGE_AUTH;
		else if (size >= 5 && (memcmp(data, "EHLO ", 5) == 0 || memcmp(data, "HELO ", 5) == 0))
			c->quitting = false; /* a new connection: its replies count */
		else if (size >= 6 && memcmp(data, "QUIT\r\n", 6) == 0)
			c->quitting = true; /* after a failure curl closes with QUIT: keep the
					       failing reply, not "221 Bye" */
	} else if (type == CURLINFO_HEADER_IN && !c->quitting) {
		size_t n = size < sizeof c->reply - 1 ? size : sizeof c->reply - 1;
		memcpy(c->reply, data, n);
		c->reply[n] = '\0';
	}
	return 0;
}

/* libcurl opens and closes its sockets through these, so smtp_close knows them. */
static curl_socket_t smtp_socket_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)purpose;
	struct smtp_conn *c = ud;
	curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	for (int i = 0; s != CURL_SOCKET_BAD && i < SMTP_SOCKETS; i++)
		if (c->socks[i] == CURL_SOCKET_BAD) {
			c->socks[i] = s;
			break;
		}
	return s;
}

static int smtp_socket_close(void *ud, curl_socket_t s)
{
	struct smtp_conn *c = ud;
	for (int i = 0; i < SMTP_SOCKETS; i++)
		if (c->socks[i] == s)
			c->socks[i] = CURL_SOCKET_BAD;
	return close(s);
}

static enum res conn_setup(struct smtp_conn *c, const struct smtp_config *cfg, struct err *e)
{
	struct buf u;
	buf_init(&u, 1024);
	const char *helo = cfg->helo ? cfg->helo : "localhost";
	/* credentials go to curl apart from the URL, so the URL curl holds (and
	 * may print in its own messages) never contains them */
	if (buf_printf(&u, "%s://%s:%d/%s", c->url.tls ? "smtps" : "smtp", c->url.host, c->url.port,
		       helo)) {
		buf_free(&u);
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	CURL *h = c->h;
	CURLcode rc = CURLE_OK;
	long verify = cfg->insecure_tls ? 0L : 1L;
	bool tls_all = cfg->require_tls || (c->auth && !c->url.tls && !host_is_loopback(c->url.host));
#define SET(opt, val)                                                                             \
	do {                                                                                      \
		if (!rc)                                                                          \
			rc = curl_easy_setopt(h, opt, val);                                       \
	} while (0)
	SET(CURLOPT_URL, u.data);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_VERBOSE, 1L); /* needed for the debug callback; nothing is printed */
	SET(CURLOPT_DEBUGFUNCTION, smtp_debug);
	SET(CURLOPT_DEBUGDATA, c);
	SET(CURLOPT_OPENSOCKETFUNCTION, smtp_socket_open);
	SET(CURLOPT_OPENSOCKETDATA, c);
	SET(CURLOPT_CLOSESOCKETFUNCTION, smtp_socket_close);
	SET(CURLOPT_CLOSESOCKETDATA, c);
	SET(CURLOPT_USE_SSL, tls_all ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	SET(CURLOPT_SSL_VERIFYPEER, verify);
	SET(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (c->ca_file)
		SET(CURLOPT_CAINFO, c->ca_file);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : SMTP_DEFAULT_CONNECT_MS);
	long timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : SMTP_DEFAULT_TIMEOUT_MS;
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	/* each reply too (libcurl's default is 120 s): this also bounds the
	 * wait for the QUIT reply when libcurl drops a broken connection */
	SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, (timeout_ms + 999) / 1000);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	if (c->auth) {
		SET(CURLOPT_USERNAME, c->url.user);
		SET(CURLOPT_PASSWORD, c->url.password);
	}
#undef SET
	buf_free(&u);
	if (rc)
		return err_set(e, rc == CURLE_OUT_OF_MEMORY ? RES_NOMEM : RES_INTERNAL, NULL, NULL,
			       "libcurl refused an option: %s", curl_easy_strerror(rc));
	return RES_OK;
}

/* The URL and the credentials of cfg, merged, into u. */
static enum res config_parse(const struct smtp_config *cfg, struct smtp_url *u, struct err *e)
{
	enum res r;
	if ((r = smtp_url_parse(cfg->url, u, e)))
		return r;
	if (cfg->user || cfg->password) {
		if (u->has_user)
			return err_set(e, RES_INVALID, "invalid_field", "smtp_url",
				       "credentials are given both in the SMTP URL and apart from it");
		if (!cfg->user || !*cfg->user || strlen(cfg->user) > SMTP_CREDENTIAL_MAX ||
		    (cfg->password && strlen(cfg->password) > SMTP_CREDENTIAL_MAX))
			return err_set(e, RES_INVALID, "invalid_field", "smtp_user",
				       "the SMTP user must be 1 to 255 bytes, the password at most 255");
		str_copy(u->user, sizeof u->user, cfg->user);
		str_copy(u->password, sizeof u->password, cfg->password ? cfg->password : "");
		u->has_user = true;
	}
	if (cfg->msgid_domain && !hostname_valid(cfg->msgid_domain, SMTP_ADDR_MAX))
		return err_set(e, RES_INVALID, "invalid_field", "msgid_domain",
			       "the Message-ID domain must be a host name");
	if (cfg->helo && !hostname_valid(cfg->helo, 253))
		return err_set(e, RES_INVALID, "invalid_field", "helo",
			       "the EHLO name must be a host name");
	if (cfg->ca_file && !*cfg->ca_file)
		return err_set(e, RES_INVALID, "invalid_field", "ca_file", "the CA file name is empty");
	return RES_OK;
}

enum res smtp_config_check(const struct smtp_config *cfg, struct err *e)
{
	struct smtp_url u;
	enum res r = config_parse(cfg, &u, e);
	memset(&u, 0, sizeof u); /* it held the password */
	return r;
}

struct smtp_conn *smtp_open(const struct smtp_config *cfg)
{
	pthread_once(&smtp_once, smtp_global_init);
	if (smtp_global_rc)
		return NULL;
	struct smtp_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	for (int i = 0; i < SMTP_SOCKETS; i++)
		c->socks[i] = CURL_SOCKET_BAD;
	if (config_parse(cfg, &c->url, NULL))
		goto fail;
	c->auth = c->url.has_user;
	str_copy(c->msgid_domain, sizeof c->msgid_domain, cfg->msgid_domain ? cfg->msgid_domain : "");
	if (cfg->ca_file && !(c->ca_file = strdup(cfg->ca_file)))
		goto fail;
	snprintf(c->label, sizeof c->label, "%s:%d", c->url.host, c->url.port);
	if (!(c->h = curl_easy_init()) || conn_setup(c, cfg, NULL))
		goto fail;
	return c;
fail:
	smtp_close(c);
	return NULL;
}

void smtp_close(struct smtp_conn *c)
{
	if (!c)
		return;
	if (c->h) {
		/* cleanup sends QUIT on a live connection and then waits for the
		 * reply, as long as a reply may take (a minute): a relay gone quiet
		 * would hold up a server's shutdown. Closing our reading side first
		 * lets the QUIT go out and the wait end at once. */
		for (int i = 0; i < SMTP_SOCKETS; i++)
			if (c->socks[i] != CURL_SOCKET_BAD)
				shutdown(c->socks[i], SHUT_RD);
		curl_easy_cleanup(c->h);
	}
	free(c->ca_file);
	/* the password lived here; do not leave it in freed memory */
	memset(&c->url, 0, sizeof c->url);
	free(c);
}

/* Which failure class a curl result and reply code make. A reply code
 * decides when there is one (4xx temporary, 5xx permanent); without one,
 * certificate, TLS-policy and login problems are permanent (they will not
 * heal by themselves) and everything else (refused, reset, timed out) is
 * temporary. */
static void smtp_classify(CURLcode rc, int code, enum smtp_stage stage, struct smtp_result *r)
{
	r->stage = stage;
	if (rc == CURLE_OK) {
		r->outcome = SMTP_OK;
		r->relay = false;
		return;
	}
	bool config = false;
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		config = true;
		break;
	default:
		break;
	}
	if (code >= 400 && code < 500)
		r->outcome = SMTP_TEMPORARY;
	else if (code >= 500 && code < 600)
		r->outcome = SMTP_PERMANENT;
	else
		r->outcome = config ? SMTP_PERMANENT : SMTP_TEMPORARY;
	/* 530: the relay wants AUTH we did not give (RFC 4954): configuration */
	r->relay = config || stage <= SMTP_STAGE_AUTH || code == 530;
}

static enum res hdr_add(struct curl_slist **list, struct buf *b)
{
	struct curl_slist *n = curl_slist_append(*list, b->data);
	if (!n)
		return RES_NOMEM;
	*list = n;
	buf_reset(b);
	return RES_OK;
}

/* The header lines of m (From, To, Subject, Date, Message-ID). */
static enum res build_headers(const struct mail *m, const char *msgid, struct curl_slist **out)
{
	struct buf b;
	buf_init(&b, SMTP_HEADER_MAX);
	struct curl_slist *list = NULL;
	enum res r;
	char date[40];
	format_date(clock_now_us(), date);
	if ((r = buf_puts(&b, "From: ")))
		goto done;
	if (m->from_name && *m->from_name) {
		size_t fn = strlen(m->from_name);
		bool quoted = ascii_only(m->from_name, fn) && !strpbrk(m->from_name, "\"\\") && fn <= 60;
		if (quoted)
			r = buf_printf(&b, "\"%s\" <%s>", m->from_name, m->from);
		else if (!(r = put_header_text(&b, m->from_name, fn)))
			r = buf_printf(&b, " <%s>", m->from);
	} else {
		r = buf_puts(&b, m->from);
	}
	if (r || (r = hdr_add(&list, &b)) || (r = buf_puts(&b, "To: ")))
		goto done;
	for (size_t i = 0; i < m->nto && !r; i++)
		r = buf_printf(&b, "%s%s", i ? ",\r\n " : "", m->to[i]);
	if (r || (r = hdr_add(&list, &b)) || (r = buf_puts(&b, "Subject: ")) ||
	    (r = put_header_text(&b, m->subject, strlen(m->subject))) || (r = hdr_add(&list, &b)) ||
	    (r = buf_printf(&b, "Date: %s", date)) || (r = hdr_add(&list, &b)) ||
	    (r = buf_printf(&b, "Message-ID: %s", msgid)) || (r = hdr_add(&list, &b)))
		goto done;
done:
	buf_free(&b);
	if (r) {
		curl_slist_free_all(list);
		return r == RES_TOO_LARGE ? RES_INVALID : r;
	}
	*out = list;
	return RES_OK;
}

static enum res add_text_part(curl_mime *mime, const char *s, size_t n, const char *type)
{
	struct buf b;
	buf_init(&b, SMTP_TEXT_MAX * 2 + 16);
	enum res r = put_crlf(&b, s, n);
	curl_mimepart *part = r ? NULL : curl_mime_addpart(mime);
	if (!r && (!part || curl_mime_data(part, b.data ? b.data : "", b.len) ||
		   curl_mime_type(part, type) || curl_mime_encoder(part, body_encoder(s, n))))
		r = RES_NOMEM;
	buf_free(&b);
	return r;
}

static enum res add_attachment(curl_mime *mime, const struct mail_attachment *a)
{
	curl_mimepart *part = curl_mime_addpart(mime);
	if (!part || curl_mime_data(part, a->data ? a->data : "", a->len) ||
	    curl_mime_type(part, a->content_type) || curl_mime_encoder(part, "base64"))
		return RES_NOMEM;
	if (ascii_only(a->name, strlen(a->name)))
		return curl_mime_filename(part, a->name) ? RES_NOMEM : RES_OK;
	struct buf b;
	buf_init(&b, SMTP_HEADER_MAX);
	struct curl_slist *h = NULL;
	enum res r = put_disposition(&b, a->name);
	if (!r && (r = hdr_add(&h, &b)) == RES_OK && curl_mime_headers(part, h, 1))
		r = RES_NOMEM;
	if (r)
		curl_slist_free_all(h);
	buf_free(&b);
	return r;
}

/* multipart/mixed: the text (or multipart/alternative of text and HTML),
 * then the attachments. */
static enum res build_mime(CURL *h, const struct mail *m, curl_mime **out)
{
	curl_mime *mime = curl_mime_init(h);
	if (!mime)
		return RES_NOMEM;
	enum res r;
	if (m->html) {
		curl_mime *alt = curl_mime_init(h);
		curl_mimepart *part = curl_mime_addpart(mime);
		if (!alt || !part) {
			curl_mime_free(alt);
			r = RES_NOMEM;
			goto fail;
		}
		if ((r = add_text_part(alt, m->text, m->text_len, "text/plain; charset=utf-8")) ||
		    (r = add_text_part(alt, m->html, m->html_len, "text/html; charset=utf-8"))) {
			curl_mime_free(alt);
			goto fail;
		}
		if (curl_mime_subparts(part, alt)) { /* part owns alt from here on */
			curl_mime_free(alt);
			r = RES_NOMEM;
			goto fail;
		}
		if (curl_mime_type(part, "multipart/alternative")) {
			r = RES_NOMEM;
			goto fail;
		}
	} else if ((r = add_text_part(mime, m->text, m->text_len, "text/plain; charset=utf-8"))) {
		goto fail;
	}
	for (size_t i = 0; i < m->nattachments; i++)
		if ((r = add_attachment(mime, &m->attachments[i])))
			goto fail;
	*out = mime;
	return RES_OK;
fail:
	curl_mime_free(mime);
	return r;
}

static void log_result(const struct smtp_conn *c, const struct mail *m, const struct smtp_result *res)
{
	enum log_level lvl = res->outcome == SMTP_OK ? LOG_DEBUG : LOG_WARN;
	if (!log_enabled(lvl))
		return;
	char to[SMTP_ADDR_MAX + 1] = "";
	if (m->nto && m->to && m->to[0])
		mask_email(m->to[0], strlen(m->to[0]), to, sizeof to);
	struct logb lb;
	logb_begin(&lb, lvl, res->outcome == SMTP_OK ? "smtp_sent" : "smtp_failed");
	logb_str(&lb, "relay", c->label);
	logb_str(&lb, "to", to);
	logb_int(&lb, "recipients", (int64_t)m->nto);
	logb_str(&lb, "message_id", res->message_id);
	logb_str(&lb, "outcome", smtp_outcome_name(res->outcome));
	logb_str(&lb, "stage", smtp_stage_name(res->stage));
	logb_int(&lb, "code", res->code);
	if (res->outcome != SMTP_OK) {
		logb_str(&lb, "reply", res->text);
		logb_str(&lb, "detail", res->detail);
	}
	logb_int(&lb, "us", res->elapsed_us);
	logb_end(&lb);
}

enum smtp_outcome smtp_send(struct smtp_conn *c, const struct mail *m, struct smtp_result *res)
{
	memset(res, 0, sizeof *res);
	res->outcome = SMTP_PERMANENT;
	int64_t t0 = clock_mono_us();
	const char *field, *why = mail_check(m, &field);
	if (why) {
		snprintf(res->detail, sizeof res->detail, "%s %s", field, why);
		log_result(c, m, res);
		return res->outcome;
	}
	const char *domain = c->msgid_domain[0] ? c->msgid_domain : strchr(m->from, '@') + 1;
	snprintf(res->message_id, sizeof res->message_id, "<assist.%s@%s>", m->message_key, domain);

	struct curl_slist *headers = NULL, *rcpt = NULL;
	curl_mime *mime = NULL;
	char from[SMTP_ADDR_MAX + 3];
	enum res r;
	snprintf(from, sizeof from, "<%s>", m->from);
	if ((r = build_headers(m, res->message_id, &headers)) || (r = build_mime(c->h, m, &mime)))
		goto fail;
	for (size_t i = 0; i < m->nto; i++) {
		char to[SMTP_ADDR_MAX + 3];
		snprintf(to, sizeof to, "<%s>", m->to[i]);
		struct curl_slist *n = curl_slist_append(rcpt, to);
		if (!n) {
			r = RES_NOMEM;
			goto fail;
		}
		rcpt = n;
	}
	CURLcode rc = CURLE_OK;
	if ((rc = curl_easy_setopt(c->h, CURLOPT_MAIL_FROM, from)) ||
	    (rc = curl_easy_setopt(c->h, CURLOPT_MAIL_RCPT, rcpt)) ||
	    (rc = curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers)) ||
	    (rc = curl_easy_setopt(c->h, CURLOPT_MIMEPOST, mime))) {
		r = RES_NOMEM;
		goto fail;
	}
	c->stage = SMTP_STAGE_CONNECT;
	c->quitting = false;
	c->reply[0] = '\0';
	c->errbuf[0] = '\0';
	rc = curl_easy_perform(c->h);
	long code = 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	/* the handle keeps pointers to these until they are replaced */
	curl_easy_setopt(c->h, CURLOPT_MIMEPOST, (curl_mime *)NULL);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	curl_easy_setopt(c->h, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	res->code = (int)code;
	clean_text(c->reply, res->text, sizeof res->text);
	smtp_classify(rc, res->code, rc ? c->stage : SMTP_STAGE_DATA, res);
	if (rc)
		clean_text(c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc), res->detail,
			   sizeof res->detail);
	goto done;
fail:
	/* out of memory is nobody's fault: try again later; headers too long
	 * for SMTP (RES_INVALID from build_headers) will not get shorter */
	res->outcome = r == RES_NOMEM ? SMTP_TEMPORARY : SMTP_PERMANENT;
	snprintf(res->detail, sizeof res->detail, "%s",
		 r == RES_NOMEM ? "out of memory" : "the message headers are too long");
done:
	curl_mime_free(mime);
	curl_slist_free_all(headers);
	curl_slist_free_all(rcpt);
	res->elapsed_us = clock_mono_us() - t0;
	log_result(c, m, res);
	return res->outcome;
}
