/* assist mail send: check an SMTP relay by sending through it, one JSON line
 * per message and a summary with the rate (for operators and for tests). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/str.h"
#include "cli/cli.h"
#include "jobs/smtp.h"

#define MAIL_COUNT_MAX 1000000

static void mail_usage(FILE *f)
{
	fputs("usage:\n"
	      "  assist mail send --smtp URL --from ADDRESS --to ADDRESS [--to ADDRESS ...]\n"
	      "                   --subject TEXT --text TEXT [--html HTML] [--from-name NAME]\n"
	      "                   [--attach FILE ...] [--count N] [--key KEY]\n"
	      "                   [--require-tls] [--insecure-tls] [--ca-file FILE]\n"
	      "                   [--timeout SECONDS] [--helo NAME]\n"
	      "\n"
	      "URL: smtp://[USER[:PASSWORD]@]HOST[:PORT] (STARTTLS when offered) or smtps://...\n"
	      "     (TLS from the start); USER and PASSWORD percent-encoded (@ is %40).\n"
	      "     Without --smtp, ASSIST_SMTP (keeps the password out of the process list).\n"
	      "--count N       send N messages over one connection and report messages/s\n"
	      "--key KEY       Message-ID key (<assist.KEY@domain>, KEY-1.. with --count)\n"
	      "--require-tls   fail unless the relay takes STARTTLS\n"
	      "--insecure-tls  accept any certificate (a local relay with a self-signed one)\n"
	      "--ca-file FILE  verify the relay against the CAs in FILE (PEM)\n"
	      "\n"
	      "Prints one JSON line per message and a summary line; exit status 0 when\n"
	      "every message was accepted, 1 when any failed, 2 on bad usage.\n",
	      f);
}

struct mail_opts {
	const char *smtp, *from, *from_name, *subject, *text, *html, *key, *ca_file, *helo;
	const char *to[SMTP_RCPT_MAX];
	size_t nto;
	const char *attach[SMTP_ATTACH_MAX];
	size_t nattach;
	long count, timeout_s;
	bool require_tls, insecure_tls;
};

static bool parse_long(const char *s, long min, long max, long *out)
{
	int64_t v;
	if (str_to_i64(s, strlen(s), &v) || v < min || v > max)
		return false;
	*out = (long)v;
	return true;
}

static int parse(int argc, char **argv, struct mail_opts *o)
{
	static const struct option opts[] = {
		{"smtp", required_argument, 0, 's'},      {"from", required_argument, 0, 'f'},
		{"from-name", required_argument, 0, 'F'}, {"to", required_argument, 0, 't'},
		{"subject", required_argument, 0, 'j'},   {"text", required_argument, 0, 'x'},
		{"html", required_argument, 0, 'H'},      {"attach", required_argument, 0, 'a'},
		{"count", required_argument, 0, 'c'},     {"key", required_argument, 0, 'k'},
		{"require-tls", no_argument, 0, 'R'},     {"insecure-tls", no_argument, 0, 'I'},
		{"ca-file", required_argument, 0, 'C'},   {"timeout", required_argument, 0, 'T'},
		{"helo", required_argument, 0, 'E'},      {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	o->count = 1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->smtp = optarg; break;
		case 'f': o->from = optarg; break;
		case 'F': o->from_name = optarg; break;
		case 't':
			if (o->nto == SMTP_RCPT_MAX) {
				fprintf(stderr, "assist: at most %d --to\n", SMTP_RCPT_MAX);
				return 2;
			}
			o->to[o->nto++] = optarg;
			break;
		case 'j': o->subject = optarg; break;
		case 'x': o->text = optarg; break;
		case 'H': o->html = optarg; break;
		case 'a':
			if (o->nattach == SMTP_ATTACH_MAX) {
				fprintf(stderr, "assist: at most %d --attach\n", SMTP_ATTACH_MAX);
				return 2;
			}
			o->attach[o->nattach++] = optarg;
			break;
		case 'c':
			if (!parse_long(optarg, 1, MAIL_COUNT_MAX, &o->count)) {
				fprintf(stderr, "assist: --count must be 1 to %d\n", MAIL_COUNT_MAX);
				return 2;
			}
			break;
		case 'k': o->key = optarg; break;
		case 'R': o->require_tls = true; break;
		case 'I': o->insecure_tls = true; break;
		case 'C': o->ca_file = optarg; break;
		case 'T':
			if (!parse_long(optarg, 1, 3600, &o->timeout_s)) {
				fprintf(stderr, "assist: --timeout must be 1 to 3600 seconds\n");
				return 2;
			}
			break;
		case 'E': o->helo = optarg; break;
		case 'h': mail_usage(stdout); return 0;
		default: mail_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "assist: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o->smtp) { /* the environment keeps a password out of the process list */
		const char *env = getenv("ASSIST_SMTP");
		o->smtp = env && *env ? env : NULL;
	}
	if (!o->smtp || !o->from || !o->nto || !o->subject || !o->text) {
		fprintf(stderr, "assist: mail send needs --smtp (or ASSIST_SMTP), --from, --to, --subject and --text\n");
		return 2;
	}
	return -1;
}

static const char *content_type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && strcasecmp(dot, ".pdf") == 0)
		return "application/pdf";
	if (dot && strcasecmp(dot, ".txt") == 0)
		return "text/plain";
	return "application/octet-stream";
}

/* Read a whole file of at most max bytes; *out is malloc'd. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "assist: cannot read %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		fprintf(stderr, "assist: %s is not a regular file of at most %zu bytes\n", path, max);
		fclose(f);
		return 1;
	}
	size_t n = (size_t)st.st_size;
	char *p = malloc(n ? n : 1);
	if (!p || fread(p, 1, n, f) != n) {
		fprintf(stderr, "assist: cannot read %s\n", path);
		free(p);
		fclose(f);
		return 1;
	}
	fclose(f);
	*out = p;
	*len = n;
	return 0;
}

static void print_result(long n, const struct smtp_result *r)
{
	struct buf b;
	buf_init(&b, 4096);
	enum res e = buf_printf(&b, "{\"n\":%ld,\"result\":\"%s\",\"code\":%d,\"stage\":\"%s\"", n,
				smtp_outcome_name(r->outcome), r->code, smtp_stage_name(r->stage));
	if (!e && r->outcome != SMTP_OK)
		e = buf_printf(&b, ",\"relay\":%s", r->relay ? "true" : "false");
	if (!e)
		e = buf_puts(&b, ",\"reply\":\"");
	if (!e)
		e = buf_json_str(&b, r->text, strlen(r->text));
	if (!e && r->detail[0] && !(e = buf_puts(&b, "\",\"error\":\"")))
		e = buf_json_str(&b, r->detail, strlen(r->detail));
	if (!e)
		e = buf_puts(&b, "\",\"message_id\":\"");
	if (!e)
		e = buf_json_str(&b, r->message_id, strlen(r->message_id));
	if (!e)
		e = buf_printf(&b, "\",\"ms\":%.3f}\n", (double)r->elapsed_us / 1000.0);
	if (!e)
		fputs(b.data, stdout);
	buf_free(&b);
}

static int mail_send(struct mail_opts *o)
{
	struct err e;
	err_clear(&e);
	struct smtp_config cfg = {.url = o->smtp, .require_tls = o->require_tls,
				  .insecure_tls = o->insecure_tls, .ca_file = o->ca_file,
				  .timeout_ms = o->timeout_s * 1000, .connect_timeout_ms = o->timeout_s * 1000,
				  .helo = o->helo};
	if (smtp_config_check(&cfg, &e)) {
		fprintf(stderr, "assist: --%s: %s\n",
			strcmp(e.field, "smtp_url") == 0 ? "smtp" : strcmp(e.field, "ca_file") == 0 ? "ca-file" : e.field,
			e.message);
		return 2;
	}
	struct mail_attachment att[SMTP_ATTACH_MAX];
	char *data[SMTP_ATTACH_MAX] = {0};
	int rc = 1;
	struct smtp_conn *conn = NULL;
	for (size_t i = 0; i < o->nattach; i++) {
		size_t len;
		if (read_file(o->attach[i], SMTP_ATTACH_TOTAL_MAX, &data[i], &len)) {
			rc = 2;
			goto done;
		}
		const char *slash = strrchr(o->attach[i], '/');
		att[i] = (struct mail_attachment){.name = slash ? slash + 1 : o->attach[i],
						  .content_type = content_type_of(o->attach[i]),
						  .data = data[i], .len = len};
	}
	if (!(conn = smtp_open(&cfg))) {
		fprintf(stderr, "assist: cannot set up libcurl for SMTP\n");
		goto done;
	}
	char base[SMTP_KEY_MAX + 1], key[SMTP_KEY_MAX + 24];
	if (o->key)
		str_copy(base, sizeof base, o->key);
	else
		snprintf(base, sizeof base, "cli-%lld-%ld", (long long)(clock_now_us() / 1000000),
			 (long)getpid());
	struct mail m = {.from = o->from, .from_name = o->from_name, .to = o->to, .nto = o->nto,
			 .subject = o->subject, .text = o->text, .text_len = strlen(o->text),
			 .html = o->html, .html_len = o->html ? strlen(o->html) : 0,
			 .attachments = att, .nattachments = o->nattach, .message_key = key};
	long ok = 0, temp = 0, perm = 0;
	int64_t t0 = clock_mono_us();
	for (long i = 1; i <= o->count; i++) {
		if (o->count == 1)
			str_copy(key, sizeof key, base);
		else
			snprintf(key, sizeof key, "%s-%ld", base, i);
		struct smtp_result r;
		if (smtp_send(conn, &m, &r) == SMTP_PERMANENT && r.stage == SMTP_STAGE_NONE) {
			/* the message itself breaks a rule: the same for every copy */
			fprintf(stderr, "assist: %s\n", r.detail);
			rc = 2;
			goto done;
		}
		print_result(i, &r);
		if (r.outcome == SMTP_OK)
			ok++;
		else if (r.outcome == SMTP_TEMPORARY)
			temp++;
		else
			perm++;
	}
	double secs = (double)(clock_mono_us() - t0) / 1e6;
	printf("{\"summary\":true,\"messages\":%ld,\"ok\":%ld,\"temporary\":%ld,\"permanent\":%ld,"
	       "\"seconds\":%.3f,\"per_second\":%.1f}\n",
	       o->count, ok, temp, perm, secs, secs > 0 ? (double)o->count / secs : 0.0);
	rc = ok == o->count ? 0 : 1;
done:
	smtp_close(conn);
	for (size_t i = 0; i < o->nattach; i++)
		free(data[i]);
	fflush(stdout);
	return rc;
}

int cli_mail(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		mail_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "send") != 0) {
		fprintf(stderr, "assist: unknown mail command '%s'\n\n", argv[1]);
		mail_usage(stderr);
		return 2;
	}
	struct mail_opts o = {0};
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	return mail_send(&o);
}
