/* E-mail over SMTP with libcurl (DESIGN.md E): one connection object per
 * sending thread, reused across messages (one curl easy handle keeps the
 * connection alive, so a message costs MAIL/RCPT/DATA round trips rather
 * than a TCP and TLS handshake each).
 *
 * TLS. smtps:// is TLS from the first byte (port 465). smtp:// upgrades
 * with STARTTLS when the server offers it (CURLUSESSL_TRY), or fails when
 * require_tls is set and it does not (CURLUSESSL_ALL). When a user and
 * password are given for a relay that is not on this machine (loopback),
 * TLS is required whatever require_tls says: the password never crosses a
 * network in clear text. The relay's certificate is verified against the
 * system CAs (or ca_file); insecure_tls turns every check off, for a local
 * relay with a self-signed certificate only. Note that with STARTTLS
 * offered and a certificate that does not verify, the message fails: curl
 * does not fall back to clear text, and that is what we want.
 *
 * What is sent: From, To, Subject (RFC 2047 encoded-words, UTF-8, when it
 * is not short ASCII), Date, Message-ID "<assist.KEY@DOMAIN>" made from the
 * caller's unique key so that a retry of the same message carries the same
 * ID, MIME-Version; a multipart/mixed body with the text (text/plain,
 * UTF-8, line ends made CRLF; quoted-printable when mostly ASCII, else
 * base64), or multipart/alternative of text and HTML when there is HTML,
 * then the attachments (base64; a non-ASCII file name as RFC 2231
 * filename*=UTF-8''...). Addresses are ASCII (no SMTPUTF8, no IDN).
 *
 * Nothing here logs a password, and recipients appear in logs and in
 * results only masked (core/mask.h), server replies included.
 *
 * Not thread-safe per connection: one smtp_conn belongs to one thread at a
 * time; different connections may be used from different threads. */
#ifndef ASSIST_SMTP_H
#define ASSIST_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SMTP_ADDR_MAX 254              /* bytes of an address (RFC 5321 path limit) */
#define SMTP_RCPT_MAX 50               /* recipients of one message */
#define SMTP_SUBJECT_MAX 500           /* bytes of UTF-8 subject */
#define SMTP_NAME_MAX 200              /* bytes of a display or attachment file name */
#define SMTP_TEXT_MAX (2 * 1024 * 1024) /* bytes of the text, and of the HTML */
#define SMTP_ATTACH_MAX 10             /* attachments of one message */
#define SMTP_ATTACH_TOTAL_MAX (20 * 1024 * 1024) /* bytes of all attachments together */
#define SMTP_KEY_MAX 128               /* bytes of the caller's unique key */
#define SMTP_MSGID_MAX (SMTP_KEY_MAX + SMTP_ADDR_MAX + 12)
#define SMTP_CREDENTIAL_MAX 255        /* bytes of a user name or password */

struct smtp_config {
	/* smtp://[USER[:PASSWORD]@]HOST[:PORT] or smtps://...; USER and PASSWORD
	 * percent-decoded; PORT defaults to 25 (smtp) or 465 (smtps); HOST is a
	 * name, an IPv4 address or [IPv6]; nothing may follow the port. */
	const char *url;
	/* Credentials kept out of the URL (a config file, the environment);
	 * NULL when none. Giving them both here and in the URL is an error. */
	const char *user, *password;
	bool require_tls;   /* smtp://: fail unless STARTTLS succeeds */
	bool insecure_tls;  /* accept any certificate: only for a local relay with a self-signed one */
	const char *ca_file; /* PEM file of CAs to verify the relay with; NULL: the system's */
	long connect_timeout_ms; /* 0: 10 000 */
	long timeout_ms;         /* one whole message, connecting included; 0: 60 000 */
	const char *helo;         /* EHLO name; NULL: "localhost" */
	const char *msgid_domain; /* right side of Message-IDs; NULL: the From address's domain */
};

struct mail_attachment {
	const char *name;         /* file name shown to the reader, UTF-8, no path */
	const char *content_type; /* "application/pdf" */
	const void *data;
	size_t len;
};

/* One message. Everything is the caller's and is only read during
 * smtp_send; text and html need not be NUL-terminated. */
struct mail {
	const char *from;      /* envelope and header sender: local@domain */
	const char *from_name; /* display name (UTF-8) or NULL */
	const char *const *to; /* 1..SMTP_RCPT_MAX addresses */
	size_t nto;
	const char *subject; /* UTF-8, no line breaks */
	const char *text;    /* UTF-8 plain text, required (may be empty) */
	size_t text_len;
	const char *html; /* optional UTF-8 HTML alternative; NULL when none */
	size_t html_len;
	const struct mail_attachment *attachments;
	size_t nattachments;
	/* Unique per message and the same on every retry of it ("message-1234"):
	 * 1..SMTP_KEY_MAX of [A-Za-z0-9._+-]; the Message-ID is
	 * "<assist.KEY@DOMAIN>". */
	const char *message_key;
};

enum smtp_outcome {
	SMTP_OK = 0,    /* the relay took the message (250 after DATA) */
	SMTP_TEMPORARY, /* 4xx, or no answer (connection refused or lost, timeout): retry later */
	SMTP_PERMANENT, /* 5xx, an invalid message, or a configuration the relay will keep refusing */
};

/* Where it failed: the outbox can tell a bad message from a bad relay. */
enum smtp_stage {
	SMTP_STAGE_NONE = 0, /* before anything was sent (an invalid message) */
	SMTP_STAGE_CONNECT,  /* TCP, greeting, EHLO, STARTTLS/TLS */
	SMTP_STAGE_AUTH,
	SMTP_STAGE_MAIL, /* MAIL FROM */
	SMTP_STAGE_RCPT, /* RCPT TO */
	SMTP_STAGE_DATA, /* DATA, the body and its final reply */
};

struct smtp_result {
	enum smtp_outcome outcome;
	enum smtp_stage stage; /* of the failure (SMTP_STAGE_NONE: the message
				  broke a rule of struct mail and nothing was sent);
				  SMTP_STAGE_DATA on success */
	/* The failure is the relay's or the configuration's (stages CONNECT and
	 * AUTH, TLS and certificate errors), not this message's: the outbox
	 * should hold the channel back rather than spend the message's tries. */
	bool relay;
	int code;         /* the server's last reply code (250, 451, 550 ...); 0 when none came */
	char text[256];   /* the server's last reply line ("550 5.1.1 p***@x.ru unknown"),
			     printable, addresses masked */
	char detail[256]; /* why it failed, in English (curl's words or ours); "" when ok */
	char message_id[SMTP_MSGID_MAX + 1]; /* "<assist.KEY@DOMAIN>", set once the key was valid */
	int64_t elapsed_us;
};

/* The parts of an SMTP URL (for smtp_open and for printing the relay
 * without its password). */
struct smtp_url {
	bool tls;  /* smtps:// */
	char host[256]; /* as written, IPv6 with its brackets */
	int port;
	bool has_user;
	char user[SMTP_CREDENTIAL_MAX + 1];     /* decoded */
	char password[SMTP_CREDENTIAL_MAX + 1]; /* decoded; never print it */
};

struct smtp_conn;

/* Parse an SMTP URL strictly (see smtp_config.url). RES_INVALID with field
 * "smtp_url" and a message that never repeats the password. */
enum res smtp_url_parse(const char *url, struct smtp_url *out, struct err *e) WUR;

/* Check a configuration: the URL, the credentials, the names. RES_INVALID
 * with the field and a message that never repeats the password. Call it
 * where the configuration is given (server start, CLI) to tell the user;
 * smtp_open refuses the same configurations with a bare NULL. */
enum res smtp_config_check(const struct smtp_config *cfg, struct err *e) WUR;

/* Set up a connection to the relay; nothing is sent until the first
 * smtp_send. cfg and its strings are copied. NULL when smtp_config_check
 * fails, when out of memory, or when libcurl cannot start. Close with
 * smtp_close. */
struct smtp_conn *smtp_open(const struct smtp_config *cfg);

/* Send one message over the kept connection (connecting, or connecting
 * again after the relay closed it, as needed). Fills *res in every case and
 * returns res->outcome: SMTP_OK (0) when the relay took the message. A
 * message that breaks a rule of struct mail is SMTP_PERMANENT at stage
 * SMTP_STAGE_NONE with the rule in res->detail; running out of memory is
 * SMTP_TEMPORARY at stage NONE. */
enum smtp_outcome smtp_send(struct smtp_conn *c, const struct mail *m, struct smtp_result *res);

/* Send QUIT and close, without waiting for the relay's answer to QUIT (a
 * relay gone quiet must not hold up a shutdown); NULL is fine. */
void smtp_close(struct smtp_conn *c);

/* "ok" / "temporary" / "permanent" and "none" / "connect" / "auth" / "mail" / "rcpt" / "data". */
const char *smtp_outcome_name(enum smtp_outcome o);
const char *smtp_stage_name(enum smtp_stage s);

/* A plain ASCII address local@domain of at most SMTP_ADDR_MAX bytes with
 * nothing that could break a header or an SMTP command. */
bool smtp_address_valid(const char *s);

#endif
