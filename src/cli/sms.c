/* assist sms send|listen: talk to an SMSC over SMPP directly, for an
 * operator checking a connection and for the tests. Prints one JSON line per
 * event on stdout. Everything goes through the engine the outbox uses
 * (jobs/smpp.h), and receipts are matched to parts by the same id keys
 * (core/receipt.h), so this is also that machinery's smallest caller. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/str.h"
#include "cli/cli.h"
#include "core/receipt.h"
#include "core/sms.h"
#include "jobs/smpp.h"

static void sms_usage(FILE *f)
{
	fputs("usage:\n"
	      "  assist sms send --smpp URL --to NUMBER --text TEXT [--from SENDER]\n"
	      "                  [--window N] [--count N] [--wait SECONDS] [--rate N]\n"
	      "                  [--no-receipt] [--quiet] [--timeout SECONDS]\n"
	      "  assist sms listen --smpp URL --seconds N\n"
	      "\n"
	      "URL is smpp://SYSTEM_ID:PASSWORD@HOST:PORT (or ASSIST_SMPP); percent-encode\n"
	      "reserved characters in the password. send splits TEXT into parts (GSM 7-bit,\n"
	      "or UCS-2 for other scripts; a long text gets concatenation headers), sends it\n"
	      "--count times (default 1) with up to --window submits outstanding (default\n"
	      "50), at most --rate per second (default no limit), then waits up to --wait\n"
	      "seconds (default 10) for the delivery receipts. listen prints the inbound\n"
	      "messages and receipts that arrive in N seconds. One JSON line per event:\n"
	      "link, submitted, refused, retry, receipt, inbound, summary. --quiet prints\n"
	      "only link, refused and summary. Exit status: 0 when every part was taken,\n"
	      "1 otherwise (refused, bind refused, timeout), 2 on bad usage.\n"
	      "Other options: --enquire-link SECONDS (default 30), --reconnect-ms MS\n"
	      "(first reconnect delay, default 1000), --throttle-ms MS (first pause after a\n"
	      "throttling answer, default 1000), --connect-timeout SECONDS (default 10),\n"
	      "--response-timeout SECONDS (for each answer of the SMSC, default 10).\n",
	      f);
}

struct sms_opts {
	const char *url, *to, *text, *from;
	long window, count, wait, rate, timeout, seconds, enquire, reconnect_ms, throttle_ms,
		connect_timeout, response_timeout;
	bool no_receipt, quiet;
};

/* A whole decimal number in [min, max]; false otherwise. */
static bool num_arg(const char *s, long min, long max, long *out)
{
	int64_t v;
	if (str_to_i64(s, strlen(s), &v) || v < min || v > max)
		return false;
	*out = (long)v;
	return true;
}

static int parse(int argc, char **argv, struct sms_opts *o)
{
	static const struct option opts[] = {
		{"smpp", required_argument, 0, 'u'},     {"to", required_argument, 0, 't'},
		{"text", required_argument, 0, 'x'},     {"from", required_argument, 0, 'f'},
		{"window", required_argument, 0, 'w'},   {"count", required_argument, 0, 'c'},
		{"wait", required_argument, 0, 'W'},     {"rate", required_argument, 0, 'r'},
		{"timeout", required_argument, 0, 'T'},  {"seconds", required_argument, 0, 's'},
		{"enquire-link", required_argument, 0, 'e'},
		{"reconnect-ms", required_argument, 0, 'R'},
		{"throttle-ms", required_argument, 0, 'H'},
		{"response-timeout", required_argument, 0, 'P'},
		{"connect-timeout", required_argument, 0, 'C'},
		{"no-receipt", no_argument, 0, 'n'},     {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
	};
	static const struct {
		int opt;
		const char *name;
		long min, max;
	} ranges[] = {
		{'w', "--window", 1, SMPP_WINDOW_MAX}, {'c', "--count", 1, 1000000},
		{'W', "--wait", 0, 3600},              {'r', "--rate", 0, 1000000},
		{'T', "--timeout", 1, 86400},          {'s', "--seconds", 1, 86400},
		{'e', "--enquire-link", 1, 3600},      {'R', "--reconnect-ms", 1, 3600000},
		{'H', "--throttle-ms", 1, 3600000},    {'P', "--response-timeout", 1, 3600},
		{'C', "--connect-timeout", 1, 3600},
	};
	const char *env = getenv("ASSIST_SMPP");
	o->url = env && *env ? env : NULL;
	o->window = 50;
	o->count = 1;
	o->wait = 10;
	o->timeout = 300;
	o->seconds = 10;
	o->enquire = 30;
	o->reconnect_ms = 1000;
	o->throttle_ms = 1000;
	o->response_timeout = 10;
	o->connect_timeout = 10;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		long *dst = NULL;
		switch (c) {
		case 'u': o->url = optarg; continue;
		case 't': o->to = optarg; continue;
		case 'x': o->text = optarg; continue;
		case 'f': o->from = optarg; continue;
		case 'n': o->no_receipt = true; continue;
		case 'q': o->quiet = true; continue;
		case 'h': sms_usage(stdout); return 0;
		case 'w': dst = &o->window; break;
		case 'c': dst = &o->count; break;
		case 'W': dst = &o->wait; break;
		case 'r': dst = &o->rate; break;
		case 'T': dst = &o->timeout; break;
		case 's': dst = &o->seconds; break;
		case 'e': dst = &o->enquire; break;
		case 'R': dst = &o->reconnect_ms; break;
		case 'H': dst = &o->throttle_ms; break;
		case 'P': dst = &o->response_timeout; break;
		case 'C': dst = &o->connect_timeout; break;
		default: sms_usage(stderr); return 2;
		}
		for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
			if (ranges[i].opt == c && !num_arg(optarg, ranges[i].min, ranges[i].max, dst)) {
				fprintf(stderr, "assist: %s must be a whole number from %ld to %ld\n",
					ranges[i].name, ranges[i].min, ranges[i].max);
				return 2;
			}
	}
	if (optind < argc) {
		fprintf(stderr, "assist: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1;
}

/* --- what the engine says, and the parts it is about --- */

enum part_state { PART_WAITING, PART_QUEUED, PART_TAKEN, PART_REFUSED };

struct cpart {
	uint8_t st, tries;
	uint8_t receipt; /* enum receipt_state of its final receipt, 0 while none */
	uint32_t taken_order;
	char id[RECEIPT_ID_MAX];
};

/* Receipt keys of the taken parts: open addressing, duplicates allowed
 * (two parts may share a numeric key). */
struct key_entry {
	char key[RECEIPT_KEY_MAX];
	uint32_t part;
	uint8_t rank; /* 0: the exact key (keys[0]), 1: a numeric reading */
	bool used;
};

#define MAX_PENDING_INBOUND 64

/* A long inbound message being put together from its parts. */
struct assembly {
	bool used;
	char from[24], to[24];
	unsigned ref, total, have;
	int64_t first_at;
	char *text[SMS_MAX_PARTS + 1]; /* by seq, 1-based */
};

struct run {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool quiet, want_receipt;
	/* parts */
	struct cpart *parts;
	size_t nparts, parts_per_msg;
	size_t taken, refused, resolved, receipts_final, receipts_unmatched, retries;
	uint32_t order;
	uint32_t *resend; /* ring of part indexes to submit again */
	size_t resend_head, resend_len;
	struct key_entry *keys;
	size_t keys_cap;
	int64_t last_taken_us;
	/* link */
	bool bound, ever_bound, link_changed;
	char why[160];
	/* inbound */
	struct assembly asm_[MAX_PENDING_INBOUND];
};

static void out_line(struct buf *b)
{
	if (b->data && !buf_puts(b, "}\n"))
		fwrite(b->data, 1, b->len, stdout);
	buf_free(b);
}

/* Append ,"key":"value" with value escaped; non-ASCII bytes of an id (which
 * is no text) become '?', so the line stays valid JSON whatever the SMSC
 * wrote. */
static void j_str(struct buf *b, const char *key, const char *val, bool ascii_only)
{
	char tmp[RECEIPT_ID_MAX];
	if (ascii_only) {
		size_t i = 0;
		for (; val[i] && i + 1 < sizeof tmp; i++)
			tmp[i] = (unsigned char)val[i] >= 0x20 && (unsigned char)val[i] < 0x7f ? val[i] : '?';
		tmp[i] = '\0';
		val = tmp;
	}
	/* on a full buffer the line is cut short; out_line then drops it */
	if (buf_printf(b, ",\"%s\":\"", key) || buf_json_str(b, val, strlen(val)) || buf_puts(b, "\""))
		return;
}

static void j_raw(struct buf *b, const char *s)
{
	if (buf_puts(b, s))
		return;
}

static void j_begin(struct buf *b, const char *event)
{
	buf_init(b, 64 * 1024);
	if (buf_printf(b, "{\"event\":\"%s\"", event))
		return;
}

/* ,"key":v with that many decimals */
static void j_num(struct buf *b, const char *key, double v, int decimals)
{
	if (buf_printf(b, ",\"%s\":%.*f", key, decimals, v))
		return;
}

static size_t key_hash(const char *k)
{
	/* FNV-1a */
	size_t h = (size_t)14695981039346656037ull;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * (size_t)1099511628211ull;
	return h;
}

static void keys_add(struct run *r, const char *key, uint32_t part, uint8_t rank)
{
	size_t i = key_hash(key) & (r->keys_cap - 1);
	while (r->keys[i].used)
		i = (i + 1) & (r->keys_cap - 1);
	struct key_entry *e = &r->keys[i];
	e->used = true;
	e->part = part;
	e->rank = rank;
	memcpy(e->key, key, RECEIPT_KEY_MAX);
}

/* The part a receipt id names: an exact match (keys[0] against keys[0])
 * first, then any shared key; the most recently taken part among several.
 * -1 when none. */
static long keys_find(struct run *r, const char *id)
{
	char k[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	size_t nk = receipt_id_keys(id, k, RECEIPT_MAX_KEYS);
	for (int pass = 0; pass < 2; pass++) {
		long best = -1;
		for (size_t j = 0; j < (pass == 0 ? (nk ? 1 : 0) : nk); j++) {
			size_t i = key_hash(k[j]) & (r->keys_cap - 1);
			for (; r->keys[i].used; i = (i + 1) & (r->keys_cap - 1)) {
				struct key_entry *e = &r->keys[i];
				if (strcmp(e->key, k[j]) != 0 || (pass == 0 && e->rank != 0))
					continue;
				if (best < 0 ||
				    r->parts[e->part].taken_order > r->parts[best].taken_order)
					best = (long)e->part;
			}
		}
		if (best >= 0)
			return best;
	}
	return -1;
}

static void j_part(struct run *r, struct buf *b, size_t idx)
{
	j_num(b, "message", (double)(idx / r->parts_per_msg + 1), 0);
	j_num(b, "part", (double)(idx % r->parts_per_msg + 1), 0);
}

static void cb_submitted(void *ctx, uint64_t token, const char *message_id, uint32_t status)
{
	struct run *r = ctx;
	size_t idx = (size_t)(token >> 8) * r->parts_per_msg + (size_t)(token & 0xFF) - 1;
	pthread_mutex_lock(&r->mu);
	struct cpart *p = &r->parts[idx];
	struct buf b;
	if (status == SMPP_STATUS_LINK_LOST || status == SMPP_STATUS_NOT_SENT) {
		/* the tool's own policy: send again once the link is back (at least
		 * once); a part answered already is never among these */
		p->st = PART_WAITING;
		r->retries++;
		r->resend[(r->resend_head + r->resend_len) % r->nparts] = (uint32_t)idx;
		r->resend_len++;
		if (!r->quiet) {
			j_begin(&b, "retry");
			j_part(r, &b, idx);
			j_str(&b, "why", status == SMPP_STATUS_LINK_LOST ? "link_lost" : "not_sent", false);
			out_line(&b);
		}
	} else if (status == 0) {
		p->st = PART_TAKEN;
		p->taken_order = ++r->order;
		str_copy(p->id, sizeof p->id, message_id ? message_id : "");
		char k[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
		size_t nk = r->want_receipt ? receipt_id_keys(p->id, k, RECEIPT_MAX_KEYS) : 0;
		for (size_t i = 0; i < nk; i++)
			keys_add(r, k[i], (uint32_t)idx, i == 0 ? 0 : 1);
		r->taken++;
		r->resolved++;
		r->last_taken_us = clock_mono_us();
		if (!r->quiet) {
			j_begin(&b, "submitted");
			j_part(r, &b, idx);
			j_str(&b, "message_id", p->id, true);
			out_line(&b);
		}
	} else {
		p->st = PART_REFUSED;
		r->refused++;
		r->resolved++;
		j_begin(&b, "refused");
		j_part(r, &b, idx);
		j_num(&b, "status", status, 0);
		const char *name = smpp_status_name(status);
		if (name[0])
			j_str(&b, "status_name", name, false);
		out_line(&b);
	}
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static uint32_t cb_receipt(void *ctx, const struct smpp_receipt *rc)
{
	struct run *r = ctx;
	pthread_mutex_lock(&r->mu);
	long idx = keys_find(r, rc->message_id);
	if (idx < 0 && rc->text_id)
		idx = keys_find(r, rc->text_id);
	struct buf b;
	j_begin(&b, "receipt");
	if (idx >= 0) {
		struct cpart *p = &r->parts[idx];
		j_part(r, &b, (size_t)idx);
		j_str(&b, "submit_id", p->id, true);
		if (receipt_state_final(rc->state) && !p->receipt) {
			p->receipt = (uint8_t)rc->state;
			r->receipts_final++;
		}
	} else {
		r->receipts_unmatched++;
		j_raw(&b, ",\"message\":null");
	}
	j_str(&b, "message_id", rc->message_id, true);
	j_str(&b, "state", receipt_state_name(rc->state), false);
	if (rc->reason != RECEIPT_REASON_NONE)
		j_str(&b, "reason", receipt_reason_name(rc->reason), false);
	if (rc->has_err)
		j_num(&b, "err", rc->err, 0);
	if (!r->quiet || idx < 0)
		out_line(&b);
	else
		buf_free(&b);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static void print_inbound(const char *from, const char *to, const char *text, unsigned parts,
			  bool partial)
{
	struct buf b;
	j_begin(&b, "inbound");
	j_str(&b, "from", from, false);
	j_str(&b, "to", to, false);
	j_str(&b, "text", text, false);
	j_num(&b, "parts", parts, 0);
	if (partial)
		j_raw(&b, ",\"partial\":true");
	out_line(&b);
}

/* Print what an assembly holds (partial when parts are missing) and free it. */
static void assembly_emit(struct assembly *a)
{
	struct buf whole;
	buf_init(&whole, 1 << 20);
	for (unsigned k = 1; k <= a->total; k++)
		if (a->text[k] && buf_puts(&whole, a->text[k]))
			break;
	print_inbound(a->from, a->to, whole.data ? whole.data : "", a->have, a->have < a->total);
	buf_free(&whole);
	for (unsigned k = 1; k <= a->total; k++)
		free(a->text[k]);
	a->used = false;
}

/* Put a long message together; print it once every part is in. */
static void assemble(struct run *r, const char *from, const char *to, const char *text,
		     const struct sms_concat *c)
{
	struct assembly *a = NULL, *free_slot = NULL;
	for (int i = 0; i < MAX_PENDING_INBOUND; i++) {
		struct assembly *x = &r->asm_[i];
		if (!x->used) {
			if (!free_slot)
				free_slot = x;
		} else if (x->ref == c->ref && x->total == c->total && strcmp(x->from, from) == 0) {
			a = x;
			break;
		}
	}
	if (!a) {
		if (!free_slot) {
			/* too many at once: show this part alone rather than lose it */
			print_inbound(from, to, text, 1, true);
			return;
		}
		a = free_slot;
		memset(a, 0, sizeof *a);
		a->used = true;
		str_copy(a->from, sizeof a->from, from);
		str_copy(a->to, sizeof a->to, to);
		a->ref = c->ref;
		a->total = c->total;
		a->first_at = clock_mono_us();
	}
	if (c->seq < 1 || c->seq > a->total || a->text[c->seq])
		return; /* a repeated part (the SMSC resent it) */
	a->text[c->seq] = strdup(text);
	if (!a->text[c->seq])
		return;
	if (++a->have == a->total)
		assembly_emit(a);
}

/* At the end: what never got all its parts, marked partial. */
static void flush_partial(struct run *r)
{
	for (int i = 0; i < MAX_PENDING_INBOUND; i++)
		if (r->asm_[i].used)
			assembly_emit(&r->asm_[i]);
}

static uint32_t cb_inbound(void *ctx, const char *from, const char *to, const char *text,
			   const struct sms_concat *c)
{
	struct run *r = ctx;
	pthread_mutex_lock(&r->mu);
	if (c->present && c->total > 1)
		assemble(r, from, to, text, c);
	else
		print_inbound(from, to, text, 1, false);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static void cb_link(void *ctx, bool bound, const char *why)
{
	struct run *r = ctx;
	pthread_mutex_lock(&r->mu);
	r->bound = bound;
	r->ever_bound |= bound;
	r->link_changed = true;
	str_copy(r->why, sizeof r->why, why ? why : "");
	struct buf b;
	j_begin(&b, "link");
	j_raw(&b, bound ? ",\"bound\":true" : ",\"bound\":false");
	if (!bound)
		j_str(&b, "why", r->why, false);
	out_line(&b);
	fflush(stdout);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* Wait on the run's condition until deadline_us (monotonic); mu held. */
static void wait_until(struct run *r, int64_t deadline_us)
{
	int64_t left = deadline_us - clock_mono_us();
	if (left <= 0)
		return;
	if (left > 200000)
		left = 200000; /* the condition uses the wall clock: short steps */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t ns = ts.tv_nsec + (left % 1000000) * 1000;
	ts.tv_sec += (time_t)(left / 1000000 + ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	pthread_cond_timedwait(&r->cv, &r->mu, &ts);
}

static const char *bind_refusal(uint32_t status)
{
	switch (status) {
	case 0x0E: return "the SMSC refused the bind: wrong password (ESME_RINVPASWD)";
	case 0x0F: return "the SMSC refused the bind: unknown system_id (ESME_RINVSYSID)";
	case 0x0D: return "the SMSC refused the bind (ESME_RBINDFAIL)";
	case 0x05: return "the SMSC refused the bind: already bound (ESME_RALYBND)";
	case 0x53: return "the SMSC refused the bind: wrong system_type (ESME_RINVSYSTYP)";
	default: return "the SMSC refused the bind";
	}
}

/* Start the engine and wait for the first bind. 0, or the exit status. */
static int connect_engine(const struct sms_opts *o, struct run *r, struct smpp_client **out)
{
	struct smpp_url u;
	const char *why;
	if (!o->url) {
		fprintf(stderr, "assist: --smpp URL is required (or ASSIST_SMPP)\n");
		return 2;
	}
	if (!smpp_url_parse(o->url, &u, &why)) {
		fprintf(stderr, "assist: --smpp: %s\n", why); /* never the URL: it has the password */
		return 2;
	}
	struct smpp_config cfg = {
		.name = "cli",
		.window = (int)o->window,
		.queue = (int)(o->window * 4 > 1000 ? o->window * 4 : 1000),
		.enquire_link_s = (int)o->enquire,
		.reconnect_min_ms = (int)o->reconnect_ms,
		.reconnect_max_ms = (int)(o->reconnect_ms * 8 > 30000 ? o->reconnect_ms * 8 : 30000),
		.max_per_second = (int)o->rate,
		.throttle_backoff_ms = (int)o->throttle_ms,
		.response_timeout_s = (int)o->response_timeout,
	};
	smpp_url_apply(&u, &cfg);
	struct err e;
	err_clear(&e);
	if (smpp_config_check(&cfg, &e)) {
		cli_error(&e);
		return 2;
	}
	struct smpp_callbacks cb = {.ctx = r, .submitted = cb_submitted, .receipt = cb_receipt,
				    .inbound = cb_inbound, .link = cb_link};
	struct smpp_client *c = smpp_start(&cfg, &cb);
	if (!c) {
		fprintf(stderr, "assist: cannot start the SMPP engine\n");
		return 1;
	}
	int64_t deadline = clock_mono_us() + o->connect_timeout * 1000000LL;
	pthread_mutex_lock(&r->mu);
	while (!r->bound && clock_mono_us() < deadline) {
		wait_until(r, deadline);
		if (r->link_changed && !r->bound) {
			r->link_changed = false;
			pthread_mutex_unlock(&r->mu);
			struct smpp_stats st;
			smpp_stats(c, &st);
			pthread_mutex_lock(&r->mu);
			if (st.last_bind_status) {
				/* a refused bind does not get better by retrying */
				pthread_mutex_unlock(&r->mu);
				smpp_stop(c);
				fprintf(stderr, "assist: %s, status 0x%08x\n",
					bind_refusal(st.last_bind_status), (unsigned)st.last_bind_status);
				return 1;
			}
		}
	}
	bool ok = r->bound;
	char why_copy[sizeof r->why];
	str_copy(why_copy, sizeof why_copy, r->why);
	pthread_mutex_unlock(&r->mu);
	if (!ok) {
		smpp_stop(c);
		fprintf(stderr, "assist: no bind within %ld s%s%s\n", o->connect_timeout,
			why_copy[0] ? ": " : "", why_copy);
		return 1;
	}
	*out = c;
	return 0;
}

static void run_free(struct run *r)
{
	if (!r)
		return;
	for (int i = 0; i < MAX_PENDING_INBOUND; i++)
		if (r->asm_[i].used)
			for (unsigned k = 1; k <= r->asm_[i].total; k++)
				free(r->asm_[i].text[k]);
	free(r->parts);
	free(r->resend);
	free(r->keys);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* A run for nparts parts of per_msg each (0 for listen); NULL when out of
 * memory. */
static struct run *run_new(size_t nparts, size_t per_msg, bool want_receipt, bool quiet)
{
	struct run *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->quiet = quiet;
	r->want_receipt = want_receipt;
	r->parts_per_msg = per_msg;
	r->nparts = nparts;
	r->parts = calloc(nparts ? nparts : 1, sizeof *r->parts);
	r->resend = calloc(nparts ? nparts : 1, sizeof *r->resend);
	/* up to three keys a part, the table kept a quarter empty; no keys when
	 * no receipt is asked for */
	r->keys_cap = 16;
	while (want_receipt && r->keys_cap < nparts * RECEIPT_MAX_KEYS / 3 * 4 + 4)
		r->keys_cap <<= 1;
	r->keys = calloc(r->keys_cap, sizeof *r->keys);
	if (!r->parts || !r->resend || !r->keys) {
		run_free(r);
		return NULL;
	}
	return r;
}

#define MAX_TOTAL_PARTS 1000000

static int sms_send(const struct sms_opts *o)
{
	if (!o->to || !o->text) {
		fprintf(stderr, "assist: sms send needs --to and --text\n");
		return 2;
	}
	struct smpp_addr a;
	if (!smpp_addr_parse(o->to, false, &a)) {
		fprintf(stderr, "assist: --to must be a phone number: digits with an optional leading +\n");
		return 2;
	}
	if (o->from && !smpp_addr_parse(o->from, true, &a)) {
		fprintf(stderr, "assist: --from must be a number or 1..11 printable ASCII characters\n");
		return 2;
	}
	static struct sms_part split[SMS_MAX_PARTS];
	size_t np;
	enum sms_coding coding;
	uint8_t ref0 = (uint8_t)(clock_now_us() & 0xFF);
	if (!sms_split(o->text, strlen(o->text), ref0, split, SMS_MAX_PARTS, &np, &coding)) {
		fprintf(stderr, "assist: --text must be non-empty UTF-8 of at most %d parts\n",
			SMS_MAX_PARTS);
		return 2;
	}
	if ((size_t)o->count * np > MAX_TOTAL_PARTS) {
		fprintf(stderr, "assist: --count times the parts of the text exceeds %d\n",
			MAX_TOTAL_PARTS);
		return 2;
	}
	struct run *r = run_new((size_t)o->count * np, np, !o->no_receipt, o->quiet);
	if (!r) {
		fprintf(stderr, "assist: out of memory\n");
		return 1;
	}
	struct smpp_client *c = NULL;
	int rc = connect_engine(o, r, &c);
	if (rc) {
		run_free(r);
		return rc;
	}
	int64_t start = clock_mono_us();
	int64_t deadline = start + o->timeout * 1000000LL;
	size_t next_new = 0;
	bool timed_out = false;
	uint8_t part_buf[SMS_PART_MAX];
	pthread_mutex_lock(&r->mu);
	while (r->resolved < r->nparts) {
		if (clock_mono_us() >= deadline) {
			timed_out = true;
			break;
		}
		size_t idx;
		if (r->resend_len) {
			idx = r->resend[r->resend_head];
			r->resend_head = (r->resend_head + 1) % r->nparts;
			r->resend_len--;
		} else if (next_new < r->nparts) {
			idx = next_new++;
		} else {
			wait_until(r, deadline);
			continue;
		}
		struct cpart *p = &r->parts[idx];
		if (p->tries >= 10) {
			/* a link that drops every time: give the part up */
			p->st = PART_REFUSED;
			r->refused++;
			r->resolved++;
			struct buf b;
			j_begin(&b, "refused");
			j_part(r, &b, idx);
			j_str(&b, "why", "sent 10 times without an answer", false);
			out_line(&b);
			continue;
		}
		p->tries++;
		p->st = PART_QUEUED;
		size_t k = idx % np;
		/* each copy of the text its own concatenation reference */
		memcpy(part_buf, split[k].data, split[k].len);
		if (np > 1)
			part_buf[3] = (uint8_t)(ref0 + idx / np); /* 05 00 03 REF total seq */
		uint64_t token = (uint64_t)(idx / np) << 8 | (uint64_t)(k + 1);
		for (;;) {
			/* the engine may call back while we submit: not under our lock */
			pthread_mutex_unlock(&r->mu);
			bool ok = smpp_submit(c, token, o->from, o->to, coding, part_buf, split[k].len,
					      np > 1, !o->no_receipt);
			pthread_mutex_lock(&r->mu);
			if (ok)
				break;
			if (clock_mono_us() >= deadline) {
				timed_out = true;
				break;
			}
			/* full: wait for an answer; down: wait for the link */
			wait_until(r, clock_mono_us() + (r->bound ? 2000 : 100000));
		}
		if (timed_out) {
			p->st = PART_WAITING;
			break;
		}
	}
	int64_t send_end = r->last_taken_us ? r->last_taken_us : clock_mono_us();
	/* receipts for the taken parts */
	if (!timed_out && r->want_receipt && r->taken) {
		int64_t rdeadline = clock_mono_us() + o->wait * 1000000LL;
		while (r->receipts_final < r->taken && clock_mono_us() < rdeadline)
			wait_until(r, rdeadline);
	}
	pthread_mutex_unlock(&r->mu);
	smpp_stop(c);
	pthread_mutex_lock(&r->mu);
	flush_partial(r);
	double secs = (double)(send_end - start) / 1e6;
	struct buf b;
	j_begin(&b, "summary");
	j_num(&b, "messages", (double)o->count, 0);
	j_num(&b, "parts", (double)r->nparts, 0);
	j_num(&b, "sent", (double)r->taken, 0);
	j_num(&b, "refused", (double)r->refused, 0);
	j_num(&b, "retries", (double)r->retries, 0);
	j_num(&b, "receipts", (double)r->receipts_final, 0);
	j_num(&b, "unmatched_receipts", (double)r->receipts_unmatched, 0);
	j_num(&b, "seconds", secs, 3);
	j_num(&b, "per_second", secs > 0 ? (double)r->taken / secs : 0, 1);
	j_str(&b, "coding", coding == SMS_UCS2 ? "ucs2" : "gsm7", false);
	if (timed_out)
		j_raw(&b, ",\"timed_out\":true");
	out_line(&b);
	bool all = r->taken == r->nparts;
	pthread_mutex_unlock(&r->mu);
	fflush(stdout);
	if (timed_out)
		fprintf(stderr, "assist: gave up after %ld s with %zu of %zu parts taken\n", o->timeout,
			r->taken, r->nparts);
	run_free(r);
	return all ? 0 : 1;
}

static int sms_listen(const struct sms_opts *o)
{
	/* no parts of our own: receipts are printed unmatched */
	struct run *r = run_new(0, 1, false, false);
	if (!r) {
		fprintf(stderr, "assist: out of memory\n");
		return 1;
	}
	struct smpp_client *c = NULL;
	int rc = connect_engine(o, r, &c);
	if (rc) {
		run_free(r);
		return rc;
	}
	int64_t end = clock_mono_us() + o->seconds * 1000000LL;
	pthread_mutex_lock(&r->mu);
	while (clock_mono_us() < end)
		wait_until(r, end);
	pthread_mutex_unlock(&r->mu);
	smpp_stop(c);
	flush_partial(r);
	fflush(stdout);
	run_free(r);
	return 0;
}

int cli_sms(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		sms_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	struct sms_opts o;
	memset(&o, 0, sizeof o);
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (strcmp(sub, "send") == 0)
		return sms_send(&o);
	if (strcmp(sub, "listen") == 0)
		return sms_listen(&o);
	fprintf(stderr, "assist: unknown sms command '%s'\n", sub);
	sms_usage(stderr);
	return 2;
}
