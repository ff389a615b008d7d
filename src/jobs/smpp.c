/* The SMPP ESME engine: see smpp.h for the contract, docs/internals/smpp.md
 * for the states and the gateway failures each rule answers. */
#include "jobs/smpp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"

/* One part as the engine keeps it: everything submit_sm needs, copied. */
struct part {
	uint64_t token;
	struct smpp_addr from, to;
	uint8_t esm_class, data_coding, registered;
	uint8_t len;
	uint8_t sm[SMS_PART_MAX];
};

enum slot_state {
	SLOT_FREE,
	SLOT_INFLIGHT, /* written, waiting for its submit_sm_resp (seq) */
	SLOT_RETRY,    /* throttled: sent again once throttle_until passes */
};

struct slot {
	enum slot_state st;
	uint32_t seq;
	int64_t sent_at; /* ms, monotonic */
	struct part part;
};

enum conn_state {
	CONN_IDLE,       /* no socket; connects at reconnect_at */
	CONN_CONNECTING, /* non-blocking connect in progress */
	CONN_BINDING,    /* bind_transceiver written */
	CONN_BOUND,
	CONN_UNBINDING,  /* stopping: unbind written */
	CONN_CLOSING,    /* the SMSC unbound: answered; its last answers are read
			  * until it closes, nothing new is sent */
};

struct smpp_client {
	/* configuration, immutable after start */
	char name[32], host[256], system_id[16], password[9], system_type[13];
	struct smpp_addr default_from;
	bool has_default_from;
	int port, window, enquire_ms, resp_ms, rc_min, rc_max, throttle_ms, rate, grace_ms;
	size_t queue_cap;
	struct smpp_callbacks cb;

	pthread_t thread;
	int wake_rd, wake_wr;

	/* shared with the callers, under mu */
	pthread_mutex_t mu;
	struct part *q; /* ring of queue_cap */
	size_t q_head, q_len;
	bool accepting; /* bound and not stopping */
	bool stopping;
	struct smpp_stats stats;

	/* the engine thread's own */
	enum conn_state st;
	int fd;
	struct addrinfo *ai, *ai_next;
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_cap;
	struct slot *slots;
	size_t inflight, retrying;
	uint64_t *drained; /* tokens taken out of the queue on a link loss */
	uint32_t seq, bind_seq, unbind_seq, enquire_seq;
	int64_t deadline, last_rx, enquire_at, reconnect_at, throttle_until, throttle_mark, stop_at;
	int attempt, throttle_streak;
	double tokens;
	int64_t tokens_at;
	uint64_t rng;
	bool done;
};

#define IN_CAP (2 * SMPP_PDU_MAX)

static int64_t now_ms(void)
{
	return clock_mono_us() / 1000;
}

static void log_link(struct smpp_client *c, enum log_level lvl, const char *event, const char *why,
		     uint32_t status)
{
	if (!log_enabled(lvl))
		return;
	struct logb b;
	logb_begin(&b, lvl, event);
	logb_str(&b, "smsc", c->name);
	if (why)
		logb_str(&b, "why", why);
	if (status)
		logb_int(&b, "status", status);
	logb_end(&b);
}

/* --- the shared queue --- */

static void wake(struct smpp_client *c)
{
	char x = 1;
	/* a full pipe already holds a wake-up */
	ssize_t r = write(c->wake_wr, &x, 1);
	(void)r;
}

bool smpp_submit(struct smpp_client *c, uint64_t token, const char *from, const char *to,
		 enum sms_coding coding, const uint8_t *short_message, size_t len, bool udhi,
		 bool want_receipt)
{
	struct part p;
	p.token = token;
	if (len > SMS_PART_MAX || (len && !short_message))
		return false;
	if (from) {
		if (!smpp_addr_parse(from, true, &p.from))
			return false;
	} else if (c->has_default_from) {
		p.from = c->default_from;
	} else {
		memset(&p.from, 0, sizeof p.from); /* the SMSC's default sender */
	}
	if (!smpp_addr_parse(to, false, &p.to))
		return false;
	p.esm_class = udhi ? SMPP_ESM_UDHI : 0;
	p.data_coding = coding == SMS_UCS2 ? SMS_DATA_CODING_UCS2 : SMS_DATA_CODING_GSM7;
	p.registered = want_receipt ? 1 : 0;
	p.len = (uint8_t)len;
	if (len)
		memcpy(p.sm, short_message, len);

	pthread_mutex_lock(&c->mu);
	bool was_empty = c->q_len == 0;
	bool taken = c->accepting && c->q_len < c->queue_cap;
	if (taken) {
		c->q[(c->q_head + c->q_len) % c->queue_cap] = p;
		c->q_len++;
	}
	pthread_mutex_unlock(&c->mu);
	/* the engine looks at the queue whenever it wakes; it needs waking only
	 * when the queue was empty (otherwise it has not finished with it) */
	if (taken && was_empty)
		wake(c);
	return taken;
}

void smpp_stats(struct smpp_client *c, struct smpp_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->stats;
	out->queued = c->q_len;
	pthread_mutex_unlock(&c->mu);
}

#define STAT_ADD(c, field, n)                                                            \
	do {                                                                             \
		pthread_mutex_lock(&(c)->mu);                                            \
		(c)->stats.field += (n);                                                 \
		pthread_mutex_unlock(&(c)->mu);                                          \
	} while (0)

/* --- output --- */

static uint32_t next_seq(struct smpp_client *c)
{
	/* 1..0x7FFFFFFF (SMPP 3.4, 5.1.4) */
	c->seq = c->seq >= 0x7FFFFFFFu ? 1 : c->seq + 1;
	return c->seq;
}

/* Room at the end of the output buffer for one more PDU. */
static bool out_room(struct smpp_client *c, size_t n)
{
	return c->out_cap - c->out_len >= n;
}

static void link_down(struct smpp_client *c, const char *why, uint32_t status);

/* Append a header-only PDU to the output buffer; with no room (the SMSC
 * has stopped reading) the link is dropped. */
static bool out_header(struct smpp_client *c, uint32_t id, uint32_t status, uint32_t seq)
{
	if (!out_room(c, SMPP_OUT_PDU_MAX)) {
		link_down(c, "output buffer full: the SMSC is not reading", 0);
		return false;
	}
	size_t n = smpp_pdu_header_only(c->out + c->out_len, c->out_cap - c->out_len, id, status, seq);
	if (!n) {
		link_down(c, "cannot encode a PDU", 0);
		return false;
	}
	c->out_len += n;
	return true;
}

/* Write what the socket takes. false when the link dropped. */
static bool flush(struct smpp_client *c)
{
	size_t off = 0;
	while (off < c->out_len) {
		ssize_t w = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		char why[96];
		snprintf(why, sizeof why, "write: %s", w < 0 ? strerror(errno) : "closed");
		link_down(c, why, 0);
		return false;
	}
	if (off) {
		memmove(c->out, c->out + off, c->out_len - off);
		c->out_len -= off;
	}
	return true;
}

/* --- the link --- */

static uint64_t rnd(struct smpp_client *c)
{
	/* xorshift64: jitter only, no need for more */
	uint64_t x = c->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->rng = x;
	return x;
}

static void schedule_reconnect(struct smpp_client *c, int64_t now)
{
	int shift = c->attempt < 20 ? c->attempt : 20;
	int64_t delay = (int64_t)c->rc_min << shift;
	if (delay > c->rc_max)
		delay = c->rc_max;
	/* "equal jitter": half fixed, half random, so that many engines that
	 * lost the same SMSC do not all come back at the same instant */
	int64_t half = delay / 2;
	delay = half + (int64_t)(rnd(c) % (uint64_t)(half + 1));
	c->attempt++;
	c->reconnect_at = now + delay;
}

static void close_socket(struct smpp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->out_len = 0;
}

/* Hand back every part the engine holds; see SMPP_STATUS_*. */
static void hand_back(struct smpp_client *c)
{
	pthread_mutex_lock(&c->mu);
	c->accepting = false;
	c->stats.bound = false;
	size_t nd = c->q_len;
	for (size_t i = 0; i < nd; i++)
		c->drained[i] = c->q[(c->q_head + i) % c->queue_cap].token;
	c->q_head = c->q_len = 0;
	pthread_mutex_unlock(&c->mu);
	for (int i = 0; i < c->window; i++) {
		struct slot *s = &c->slots[i];
		if (s->st == SLOT_INFLIGHT && c->cb.submitted)
			c->cb.submitted(c->cb.ctx, s->part.token, NULL, SMPP_STATUS_LINK_LOST);
		else if (s->st == SLOT_RETRY && c->cb.submitted)
			c->cb.submitted(c->cb.ctx, s->part.token, NULL, SMPP_STATUS_NOT_SENT);
		s->st = SLOT_FREE;
	}
	c->inflight = c->retrying = 0;
	for (size_t i = 0; i < nd; i++)
		if (c->cb.submitted)
			c->cb.submitted(c->cb.ctx, c->drained[i], NULL, SMPP_STATUS_NOT_SENT);
}

/* The link is gone (or could not be made): close, give everything back,
 * tell the caller, and plan the next attempt. */
static void link_down(struct smpp_client *c, const char *why, uint32_t status)
{
	int64_t now = now_ms();
	bool was_bound = c->st == CONN_BOUND || c->st == CONN_UNBINDING || c->st == CONN_CLOSING;
	close_socket(c);
	if (c->ai) {
		freeaddrinfo(c->ai);
		c->ai = c->ai_next = NULL;
	}
	c->st = CONN_IDLE;
	c->enquire_seq = 0;
	c->throttle_until = c->throttle_mark = 0;
	c->throttle_streak = 0;
	if (was_bound) {
		STAT_ADD(c, link_losses, 1);
		log_link(c, LOG_WARN, "smpp_link_lost", why, status);
	} else {
		log_link(c, LOG_WARN, "smpp_connect_failed", why, status);
	}
	/* the caller hears of the link first, then of its parts */
	if (status) {
		pthread_mutex_lock(&c->mu);
		c->stats.last_bind_status = status;
		pthread_mutex_unlock(&c->mu);
	}
	if (c->cb.link)
		c->cb.link(c->cb.ctx, false, why);
	hand_back(c);
	schedule_reconnect(c, now);
}

static void try_next_address(struct smpp_client *c, int64_t now, const char *why)
{
	close_socket(c);
	while (c->ai_next) {
		struct addrinfo *a = c->ai_next;
		c->ai_next = a->ai_next;
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				a->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1;
		/* submits and their answers are small and latency-bound */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			c->fd = fd;
			c->st = CONN_CONNECTING;
			c->deadline = now + c->resp_ms;
			return;
		}
		close(fd);
	}
	link_down(c, why, 0);
}

static void start_connect(struct smpp_client *c, int64_t now)
{
	struct addrinfo hints;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	char port[8];
	snprintf(port, sizeof port, "%d", c->port);
	/* blocking resolution on the engine's own thread: there is nothing
	 * else for it to do while it has no link */
	int rc = getaddrinfo(c->host, port, &hints, &c->ai);
	if (rc != 0) {
		c->ai = NULL;
		char why[160];
		snprintf(why, sizeof why, "cannot resolve the host: %s", gai_strerror(rc));
		link_down(c, why, 0);
		return;
	}
	c->ai_next = c->ai;
	try_next_address(c, now, "connect: no address answered");
}

static void send_bind(struct smpp_client *c, int64_t now)
{
	c->bind_seq = next_seq(c);
	size_t n = smpp_pdu_bind(c->out + c->out_len, c->out_cap - c->out_len, c->bind_seq,
				 c->system_id, c->password, c->system_type);
	if (!n) {
		link_down(c, "cannot encode bind_transceiver", 0);
		return;
	}
	c->out_len += n;
	c->st = CONN_BINDING;
	c->deadline = now + c->resp_ms;
}

static void connected(struct smpp_client *c, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		char why[96];
		snprintf(why, sizeof why, "connect: %s", strerror(err));
		try_next_address(c, now, why);
		return;
	}
	freeaddrinfo(c->ai);
	c->ai = c->ai_next = NULL;
	send_bind(c, now);
}

static void bound(struct smpp_client *c, int64_t now)
{
	c->st = CONN_BOUND;
	c->attempt = 0;
	c->last_rx = now;
	c->enquire_seq = 0;
	c->tokens = 0;
	c->tokens_at = now;
	pthread_mutex_lock(&c->mu);
	c->accepting = !c->stopping;
	c->stats.bound = true;
	c->stats.binds++;
	c->stats.last_bind_status = 0;
	pthread_mutex_unlock(&c->mu);
	log_link(c, LOG_INFO, "smpp_bound", NULL, 0);
	if (c->cb.link)
		c->cb.link(c->cb.ctx, true, "bound");
}

/* --- submitting --- */

static struct slot *slot_by_seq(struct smpp_client *c, uint32_t seq)
{
	for (int i = 0; i < c->window; i++)
		if (c->slots[i].st == SLOT_INFLIGHT && c->slots[i].seq == seq)
			return &c->slots[i];
	return NULL;
}

/* Take one token of the rate limit; false when none is left now. */
static bool rate_take(struct smpp_client *c, int64_t now)
{
	if (c->rate <= 0)
		return true;
	/* a bucket of a tenth of a second's worth smooths the rate without
	 * bursting a whole second's worth after a pause */
	double burst = c->rate / 10.0 < 1 ? 1 : c->rate / 10.0;
	c->tokens += (double)(now - c->tokens_at) * c->rate / 1000.0;
	c->tokens_at = now;
	if (c->tokens > burst)
		c->tokens = burst;
	if (c->tokens < 1)
		return false;
	c->tokens -= 1;
	return true;
}

static void send_part(struct smpp_client *c, struct slot *s, int64_t now)
{
	struct smpp_submit_fields f = {
		.from = &s->part.from,
		.to = &s->part.to,
		.esm_class = s->part.esm_class,
		.data_coding = s->part.data_coding,
		.registered_delivery = s->part.registered,
		.sm = s->part.sm,
		.sm_len = s->part.len,
	};
	uint32_t seq = next_seq(c);
	size_t n = smpp_pdu_submit(c->out + c->out_len, c->out_cap - c->out_len, seq, &f);
	if (s->st == SLOT_RETRY)
		c->retrying--;
	if (!n) {
		/* checked in smpp_submit, so not expected: refuse the part rather
		 * than hold it for ever */
		s->st = SLOT_FREE;
		STAT_ADD(c, refused, 1);
		if (c->cb.submitted)
			c->cb.submitted(c->cb.ctx, s->part.token, NULL, SMPP_ESME_RSYSERR);
		return;
	}
	c->out_len += n;
	s->st = SLOT_INFLIGHT;
	s->seq = seq;
	s->sent_at = now;
	c->inflight++;
	STAT_ADD(c, submits, 1);
}

/* Fill the window: parts waiting after throttling first, then the queue. */
static void fill_window(struct smpp_client *c, int64_t now)
{
	if (now < c->throttle_until)
		return;
	for (int i = 0; i < c->window && c->retrying; i++) {
		if (c->slots[i].st != SLOT_RETRY)
			continue;
		if (!out_room(c, SMPP_OUT_PDU_MAX * 2) || !rate_take(c, now))
			return;
		send_part(c, &c->slots[i], now);
	}
	size_t free_slots = (size_t)c->window - c->inflight - c->retrying;
	for (int i = 0; i < c->window && free_slots; i++) {
		struct slot *s = &c->slots[i];
		if (s->st != SLOT_FREE)
			continue;
		if (!out_room(c, SMPP_OUT_PDU_MAX * 2))
			return;
		pthread_mutex_lock(&c->mu);
		bool have = c->q_len > 0;
		if (have) {
			/* the rate limit is checked under the lock so that a token
			 * is taken only for a part that exists */
			if (!rate_take(c, now)) {
				pthread_mutex_unlock(&c->mu);
				return;
			}
			s->part = c->q[c->q_head];
			c->q_head = (c->q_head + 1) % c->queue_cap;
			c->q_len--;
		}
		pthread_mutex_unlock(&c->mu);
		if (!have)
			return;
		send_part(c, s, now);
		free_slots--;
	}
}

static bool is_throttle(uint32_t status)
{
	return status == SMPP_ESME_RTHROTTLED || status == SMPP_ESME_RMSGQFUL;
}

/* A submit_sm answered (submit_sm_resp, or generic_nack for it). */
static void submit_answered(struct smpp_client *c, struct slot *s, uint32_t status,
			    const char *message_id, int64_t now)
{
	c->inflight--;
	if (is_throttle(status)) {
		/* keep the part and its token: same slot, sent again later */
		s->st = SLOT_RETRY;
		c->retrying++;
		/* A window of 50 throttled at once answers 50 times: only a part
		 * sent after the current pause was decided makes it longer. */
		if (s->sent_at >= c->throttle_mark) {
			int shift = c->throttle_streak < 5 ? c->throttle_streak : 5;
			if (c->throttle_streak == 0)
				log_link(c, LOG_INFO, "smpp_throttled", NULL, status);
			c->throttle_until = now + ((int64_t)c->throttle_ms << shift);
			c->throttle_mark = now;
			c->throttle_streak++;
		}
		STAT_ADD(c, throttled, 1);
		return;
	}
	s->st = SLOT_FREE;
	if (status == 0) {
		c->throttle_streak = 0;
		STAT_ADD(c, accepted, 1);
	} else {
		STAT_ADD(c, refused, 1);
	}
	if (c->cb.submitted)
		c->cb.submitted(c->cb.ctx, s->part.token, status == 0 ? message_id : NULL, status);
}

/* --- reading --- */

static void on_deliver(struct smpp_client *c, const uint8_t *p, const struct smpp_header *h)
{
	static _Thread_local struct smpp_deliver d; /* 4 KiB of text: off the stack */
	uint32_t status = smpp_pdu_deliver_read(p, h->len, &d);
	if (status == 0 && d.is_receipt) {
		if (!d.receipt_id[0]) {
			/* nothing to match it to: take it so the SMSC stops */
			log_link(c, LOG_WARN, "smpp_receipt_without_id", NULL, 0);
		} else if (c->cb.receipt) {
			struct smpp_receipt r = {
				.message_id = d.receipt_id,
				.text_id = d.text_id[0] ? d.text_id : NULL,
				.state = d.state,
				.reason = receipt_reason_of(d.state, d.has_err, d.err),
				.has_err = d.has_err,
				.err = d.err,
				.text = d.text,
				.from = d.from,
				.to = d.to,
			};
			status = c->cb.receipt(c->cb.ctx, &r);
		}
		if (status == 0)
			STAT_ADD(c, receipts, 1);
	} else if (status == 0) {
		if (c->cb.inbound)
			status = c->cb.inbound(c->cb.ctx, d.from, d.to, d.text, &d.concat);
		if (status == 0)
			STAT_ADD(c, inbound, 1);
	} else {
		log_link(c, LOG_WARN, "smpp_deliver_refused", smpp_status_name(status), status);
	}
	/* only now, with the callback's word that it is stored */
	if (!out_room(c, SMPP_OUT_PDU_MAX)) {
		link_down(c, "output buffer full: the SMSC is not reading", 0);
		return;
	}
	size_t n = smpp_pdu_deliver_resp(c->out + c->out_len, c->out_cap - c->out_len, h->seq, status);
	if (!n) {
		link_down(c, "cannot encode deliver_sm_resp", 0);
		return;
	}
	c->out_len += n;
}

static void on_bind_resp(struct smpp_client *c, const struct smpp_header *h, int64_t now)
{
	if (c->st != CONN_BINDING || h->seq != c->bind_seq)
		return;
	if (h->status == 0) {
		bound(c, now);
		return;
	}
	char why[96];
	const char *name = smpp_status_name(h->status);
	snprintf(why, sizeof why, "bind refused: %s (0x%08x)", name[0] ? name : "status",
		 (unsigned)h->status);
	link_down(c, why, h->status);
}

static void on_pdu(struct smpp_client *c, const uint8_t *p, const struct smpp_header *h, int64_t now)
{
	c->last_rx = now;
	if (!(h->id & 0x80000000u) && h->seq == 0) {
		/* no answer can carry sequence 0 (SMPP 3.4, 5.1.4): an SMSC this
		 * broken is not talked to, rather than have a receipt stored and
		 * never answered */
		link_down(c, "protocol error: a request with sequence_number 0", 0);
		return;
	}
	switch (h->id) {
	case SMPP_BIND_TRANSCEIVER_RESP:
		on_bind_resp(c, h, now);
		return;
	case SMPP_SUBMIT_SM_RESP: {
		struct slot *s = slot_by_seq(c, h->seq);
		if (!s) {
			log_link(c, LOG_WARN, "smpp_unexpected_resp", "submit_sm_resp", h->seq);
			return;
		}
		char id[RECEIPT_ID_MAX] = "";
		if (h->status == 0 && !smpp_pdu_submit_resp_id(p, h->len, id))
			log_link(c, LOG_WARN, "smpp_bad_submit_resp", "message_id unreadable", 0);
		submit_answered(c, s, h->status, id, now);
		return;
	}
	case SMPP_GENERIC_NACK: {
		struct slot *s = slot_by_seq(c, h->seq);
		if (s) {
			submit_answered(c, s, h->status ? h->status : SMPP_ESME_RSYSERR, "", now);
		} else if (c->st == CONN_BINDING && h->seq == c->bind_seq) {
			struct smpp_header fake = *h;
			fake.id = SMPP_BIND_TRANSCEIVER_RESP;
			fake.status = h->status ? h->status : SMPP_ESME_RBINDFAIL;
			on_bind_resp(c, &fake, now);
		} else if (c->enquire_seq && h->seq == c->enquire_seq) {
			c->enquire_seq = 0; /* it answered: the link is alive */
		} else {
			log_link(c, LOG_WARN, "smpp_generic_nack", smpp_status_name(h->status), h->status);
		}
		return;
	}
	case SMPP_DELIVER_SM:
		if (c->st == CONN_BOUND || c->st == CONN_UNBINDING || c->st == CONN_CLOSING)
			on_deliver(c, p, h);
		else
			out_header(c, SMPP_GENERIC_NACK, 0x04 /* ESME_RINVBNDSTS */, h->seq);
		return;
	case SMPP_ENQUIRE_LINK:
		out_header(c, SMPP_ENQUIRE_LINK_RESP, 0, h->seq);
		return;
	case SMPP_ENQUIRE_LINK_RESP:
		if (c->enquire_seq && h->seq == c->enquire_seq) {
			c->enquire_seq = 0;
			STAT_ADD(c, enquire_links_answered, 1);
		}
		return;
	case SMPP_UNBIND:
		/* The SMSC may still answer what it had before it unbound: stop
		 * sending, read on until it closes (or a short while), and only
		 * then hand back what is unanswered, so fewer parts come back as
		 * LINK_LOST to be sent twice. */
		if (out_header(c, SMPP_UNBIND_RESP, 0, h->seq)) {
			pthread_mutex_lock(&c->mu);
			c->accepting = false;
			pthread_mutex_unlock(&c->mu);
			c->st = CONN_CLOSING;
			c->deadline = now + (c->resp_ms < 2000 ? c->resp_ms : 2000);
		}
		return;
	case SMPP_UNBIND_RESP:
		if (c->st == CONN_UNBINDING && h->seq == c->unbind_seq)
			c->done = true;
		return;
	case SMPP_ALERT_NOTIFICATION:
	case SMPP_OUTBIND:
		return; /* no answer is due */
	default:
		if (h->id & 0x80000000u)
			log_link(c, LOG_WARN, "smpp_unexpected_resp", "unknown command", h->id);
		else
			out_header(c, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID, h->seq);
		return;
	}
}

/* Read what there is and handle every whole PDU. */
static void on_readable(struct smpp_client *c, int64_t now)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
		if (r == 0) {
			link_down(c, c->st == CONN_CLOSING ? "the SMSC unbound"
							 : "the SMSC closed the connection", 0);
			return;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			char why[96];
			snprintf(why, sizeof why, "read: %s", strerror(errno));
			link_down(c, why, 0);
			return;
		}
		c->in_len += (size_t)r;
		size_t off = 0;
		while (c->fd >= 0) {
			struct smpp_header h;
			enum smpp_frame f = smpp_pdu_frame(c->in + off, c->in_len - off, &h);
			if (f == SMPP_FRAME_MORE)
				break;
			if (f == SMPP_FRAME_BAD) {
				link_down(c, "protocol error: bad command_length", 0);
				return;
			}
			on_pdu(c, c->in + off, &h, now);
			off += h.len;
		}
		if (c->fd < 0)
			return; /* dropped while handling: the buffer is gone */
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

/* --- the loop --- */

static void check_timeouts(struct smpp_client *c, int64_t now)
{
	for (int i = 0; i < c->window; i++)
		if (c->slots[i].st == SLOT_INFLIGHT && now - c->slots[i].sent_at >= c->resp_ms) {
			link_down(c, "no submit_sm_resp in time", 0);
			return;
		}
	if (c->enquire_seq && now - c->enquire_at >= c->resp_ms) {
		link_down(c, "no enquire_link_resp in time", 0);
		return;
	}
	if (!c->enquire_seq && now - c->last_rx >= c->enquire_ms) {
		uint32_t seq = next_seq(c);
		if (out_header(c, SMPP_ENQUIRE_LINK, 0, seq)) {
			c->enquire_seq = seq;
			c->enquire_at = now;
			STAT_ADD(c, enquire_links_sent, 1);
		}
	}
}

/* Act on the state and the clock. */
static void step(struct smpp_client *c, int64_t now, bool stopping)
{
	switch (c->st) {
	case CONN_IDLE:
		if (stopping)
			c->done = true;
		else if (now >= c->reconnect_at)
			start_connect(c, now);
		return;
	case CONN_CONNECTING:
	case CONN_BINDING:
		if (stopping) {
			close_socket(c);
			c->st = CONN_IDLE;
			c->done = true;
		} else if (now >= c->deadline) {
			if (c->st == CONN_CONNECTING)
				try_next_address(c, now, "connect: timed out");
			else
				link_down(c, "no bind_transceiver_resp in time", 0);
		}
		return;
	case CONN_BOUND:
		check_timeouts(c, now);
		if (c->st != CONN_BOUND)
			return;
		if (stopping) {
			if (c->inflight == 0 || now - c->stop_at >= c->grace_ms) {
				c->unbind_seq = next_seq(c);
				if (out_header(c, SMPP_UNBIND, 0, c->unbind_seq)) {
					c->st = CONN_UNBINDING;
					c->deadline = now + (c->resp_ms < 5000 ? c->resp_ms : 5000);
				}
			}
			return;
		}
		fill_window(c, now);
		return;
	case CONN_UNBINDING:
		if (now >= c->deadline)
			c->done = true;
		return;
	case CONN_CLOSING:
		if (stopping)
			c->done = true;
		else if (now >= c->deadline)
			link_down(c, "the SMSC unbound", 0);
		return;
	}
}

static int poll_timeout(struct smpp_client *c, int64_t now)
{
	int64_t at = now + 1000; /* a tick, so no deadline is missed by much */
	switch (c->st) {
	case CONN_IDLE:
		if (c->reconnect_at < at)
			at = c->reconnect_at;
		break;
	case CONN_CONNECTING:
	case CONN_BINDING:
	case CONN_UNBINDING:
	case CONN_CLOSING:
		if (c->deadline < at)
			at = c->deadline;
		break;
	case CONN_BOUND:
		if (c->retrying && c->throttle_until > now && c->throttle_until < at)
			at = c->throttle_until;
		if (c->rate > 0 && c->inflight + c->retrying < (size_t)c->window)
			at = now + 1 + 1000 / c->rate < at ? now + 1 + 1000 / c->rate : at;
		break;
	}
	int64_t t = at - now;
	return t < 0 ? 0 : (int)t;
}

static void finish(struct smpp_client *c)
{
	bool was_bound = c->st == CONN_BOUND || c->st == CONN_UNBINDING || c->st == CONN_CLOSING;
	if (c->fd >= 0 && c->out_len)
		(void)flush(c);
	close_socket(c);
	if (c->ai) {
		freeaddrinfo(c->ai);
		c->ai = c->ai_next = NULL;
	}
	c->st = CONN_IDLE;
	if (was_bound) {
		log_link(c, LOG_INFO, "smpp_unbound", NULL, 0);
		if (c->cb.link)
			c->cb.link(c->cb.ctx, false, "stopped");
	}
	hand_back(c);
}

static void *run(void *arg)
{
	struct smpp_client *c = arg;
	struct pollfd pf[2];
	while (!c->done) {
		int64_t now = now_ms();
		pthread_mutex_lock(&c->mu);
		bool stopping = c->stopping;
		pthread_mutex_unlock(&c->mu);
		if (stopping && !c->stop_at)
			c->stop_at = now;
		step(c, now, stopping);
		if (c->done)
			break;
		if (c->fd >= 0 && c->out_len && c->st != CONN_CONNECTING && !flush(c))
			continue;
		pf[0] = (struct pollfd){.fd = c->wake_rd, .events = POLLIN};
		int nfds = 1;
		if (c->fd >= 0) {
			short ev = POLLIN;
			if (c->st == CONN_CONNECTING || c->out_len)
				ev |= POLLOUT;
			pf[1] = (struct pollfd){.fd = c->fd, .events = ev};
			nfds = 2;
		}
		int n = poll(pf, (nfds_t)nfds, poll_timeout(c, now));
		if (n < 0 && errno != EINTR) {
			link_down(c, "poll failed", 0);
			continue;
		}
		now = now_ms();
		if (n > 0 && (pf[0].revents & POLLIN)) {
			char sink[64];
			while (read(c->wake_rd, sink, sizeof sink) > 0)
				;
		}
		if (n > 0 && nfds == 2 && pf[1].revents) {
			if (c->st == CONN_CONNECTING) {
				connected(c, now);
			} else {
				if (pf[1].revents & (POLLIN | POLLHUP | POLLERR))
					on_readable(c, now);
				if (c->fd >= 0 && (pf[1].revents & POLLOUT) && c->out_len)
					(void)flush(c);
			}
		}
	}
	finish(c);
	return NULL;
}

/* --- start and stop --- */

static int or_default(int v, int def)
{
	return v > 0 ? v : def;
}

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		return false;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

static void client_free(struct smpp_client *c)
{
	if (c->wake_rd >= 0)
		close(c->wake_rd);
	if (c->wake_wr >= 0)
		close(c->wake_wr);
	pthread_mutex_destroy(&c->mu);
	free(c->q);
	free(c->slots);
	free(c->drained);
	free(c->in);
	free(c->out);
	free(c);
}

enum res smpp_config_check(const struct smpp_config *cfg, struct err *e)
{
	struct smpp_addr a;
	if (!cfg->host || !cfg->host[0] || strlen(cfg->host) >= sizeof ((struct smpp_client *)0)->host)
		return err_set(e, RES_INVALID, "invalid_field", "host",
			       "the SMSC host is missing or too long");
	if (cfg->port < 1 || cfg->port > 65535)
		return err_set(e, RES_INVALID, "invalid_field", "port", "the port must be 1..65535");
	if (!cfg->system_id || !cfg->system_id[0] || strlen(cfg->system_id) > 15)
		return err_set(e, RES_INVALID, "invalid_field", "system_id",
			       "the system_id must be 1..15 characters");
	if (cfg->password && strlen(cfg->password) > 8)
		return err_set(e, RES_INVALID, "invalid_field", "password",
			       "the password can have at most 8 characters (SMPP 3.4)");
	if (cfg->system_type && strlen(cfg->system_type) > 12)
		return err_set(e, RES_INVALID, "invalid_field", "system_type",
			       "the system_type can have at most 12 characters");
	if (cfg->source_addr && !smpp_addr_parse(cfg->source_addr, true, &a))
		return err_set(e, RES_INVALID, "invalid_field", "source_addr",
			       "the sender must be a number or 1..11 printable characters");
	if (cfg->window < 0 || cfg->window > SMPP_WINDOW_MAX)
		return err_set(e, RES_INVALID, "invalid_field", "window", "the window must be 1..%d",
			       SMPP_WINDOW_MAX);
	if (cfg->queue < 0 || cfg->queue > 1000000)
		return err_set(e, RES_INVALID, "invalid_field", "queue", "the queue must be 1..1000000");
	if (cfg->max_per_second < 0 || cfg->enquire_link_s < 0 || cfg->response_timeout_s < 0 ||
	    cfg->reconnect_min_ms < 0 || cfg->reconnect_max_ms < 0 || cfg->throttle_backoff_ms < 0 ||
	    cfg->stop_grace_ms < 0)
		return err_set(e, RES_INVALID, "invalid_field", "smpp",
			       "times and rates cannot be negative");
	if (cfg->enquire_link_s > 86400 || cfg->response_timeout_s > 3600 ||
	    cfg->reconnect_min_ms > 86400000 || cfg->reconnect_max_ms > 86400000 ||
	    cfg->throttle_backoff_ms > 3600000 || cfg->stop_grace_ms > 3600000)
		return err_set(e, RES_INVALID, "invalid_field", "smpp", "a time is too long");
	return RES_OK;
}

struct smpp_client *smpp_start(const struct smpp_config *cfg, const struct smpp_callbacks *cb)
{
	struct err e;
	err_clear(&e);
	if (smpp_config_check(cfg, &e)) {
		struct logb b;
		logb_begin(&b, LOG_ERROR, "smpp_config_invalid");
		logb_str(&b, "field", e.field);
		logb_str(&b, "msg", e.message);
		logb_end(&b);
		return NULL;
	}
	struct smpp_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->wake_rd = c->wake_wr = c->fd = -1;
	pthread_mutex_init(&c->mu, NULL);
	(void)copy_str(c->name, sizeof c->name, cfg->name ? cfg->name : "default");
	(void)copy_str(c->host, sizeof c->host, cfg->host);
	(void)copy_str(c->system_id, sizeof c->system_id, cfg->system_id);
	(void)copy_str(c->password, sizeof c->password, cfg->password);
	(void)copy_str(c->system_type, sizeof c->system_type, cfg->system_type);
	if (cfg->source_addr)
		c->has_default_from = smpp_addr_parse(cfg->source_addr, true, &c->default_from);
	c->port = cfg->port;
	c->window = or_default(cfg->window, 50);
	c->queue_cap = (size_t)or_default(cfg->queue, 4 * c->window);
	c->enquire_ms = or_default(cfg->enquire_link_s, 30) * 1000;
	c->resp_ms = or_default(cfg->response_timeout_s, 30) * 1000;
	c->rc_min = or_default(cfg->reconnect_min_ms, 1000);
	c->rc_max = or_default(cfg->reconnect_max_ms, 60000);
	if (c->rc_max < c->rc_min)
		c->rc_max = c->rc_min;
	c->throttle_ms = or_default(cfg->throttle_backoff_ms, 1000);
	c->rate = cfg->max_per_second;
	c->grace_ms = or_default(cfg->stop_grace_ms, 5000);
	if (cb)
		c->cb = *cb;
	c->rng = (uint64_t)clock_now_us() ^ (uint64_t)(uintptr_t)c ^ 0x9E3779B97F4A7C15ull;
	if (!c->rng)
		c->rng = 1;
	c->out_cap = (size_t)c->window * SMPP_OUT_PDU_MAX * 2 + 65536;
	c->q = calloc(c->queue_cap, sizeof *c->q);
	c->slots = calloc((size_t)c->window, sizeof *c->slots);
	c->drained = calloc(c->queue_cap, sizeof *c->drained);
	c->in = malloc(IN_CAP);
	c->out = malloc(c->out_cap);
	int p[2];
	if (!c->q || !c->slots || !c->drained || !c->in || !c->out ||
	    pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
		client_free(c);
		LOG_MSG(LOG_ERROR, "smpp_start_failed", "out of memory or file descriptors");
		return NULL;
	}
	c->wake_rd = p[0];
	c->wake_wr = p[1];
	c->st = CONN_IDLE;
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		client_free(c);
		LOG_MSG(LOG_ERROR, "smpp_start_failed", "cannot start the SMPP thread");
		return NULL;
	}
	return c;
}

void smpp_stop(struct smpp_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	c->accepting = false;
	pthread_mutex_unlock(&c->mu);
	wake(c);
	pthread_join(c->thread, NULL);
	client_free(c);
}

/* --- the connection URL --- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out[cap] (NUL-terminated); false on a broken
 * escape, a control character (encoded or not), or no room. */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '%') {
			int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return false;
			ch = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (ch < 0x20 || ch == 0x7f || o + 1 >= cap)
			return false;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return true;
}

bool smpp_url_parse(const char *url, struct smpp_url *u, const char **why)
{
	memset(u, 0, sizeof *u);
	*why = NULL;
	if (!url || strncmp(url, "smpp://", 7) != 0) {
		*why = "the URL must start with smpp://";
		return false;
	}
	const char *p = url + 7;
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f) {
			*why = "the URL has a space or a character outside ASCII (percent-encode it)";
			return false;
		}
	const char *at = strchr(p, '@');
	if (!at) {
		*why = "the URL needs SYSTEM_ID:PASSWORD@ before the host";
		return false;
	}
	if (strchr(at + 1, '@')) {
		*why = "an @ in the system_id or password must be written %40";
		return false;
	}
	const char *colon = memchr(p, ':', (size_t)(at - p));
	if (!colon) {
		*why = "the URL needs SYSTEM_ID:PASSWORD@ (the password may be empty)";
		return false;
	}
	for (const char *q = p; q < at; q++)
		if (*q == '/' || *q == '?' || *q == '#') {
			*why = "a / ? or # in the system_id or password must be percent-encoded";
			return false;
		}
	if (!pct_decode(p, (size_t)(colon - p), u->system_id, sizeof u->system_id) ||
	    !u->system_id[0]) {
		*why = "the system_id must be 1..15 characters (percent-encoded as needed)";
		return false;
	}
	if (!pct_decode(colon + 1, (size_t)(at - colon - 1), u->password, sizeof u->password)) {
		*why = "the password must be at most 8 characters (percent-encoded as needed)";
		return false;
	}
	const char *h = at + 1, *end = h + strlen(h);
	if (end > h && end[-1] == '/')
		end--;
	const char *hend, *rest;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close || close == h + 1) {
			*why = "an IPv6 host must be written [ADDRESS]";
			return false;
		}
		for (const char *q = h + 1; q < close; q++)
			if (hex_digit(*q) < 0 && *q != ':' && *q != '.') {
				*why = "the IPv6 address is not valid";
				return false;
			}
		memcpy(u->host, h + 1, (size_t)(close - h - 1));
		u->host[close - h - 1] = '\0';
		hend = close + 1;
	} else {
		hend = h;
		while (hend < end && *hend != ':')
			hend++;
		size_t hn = (size_t)(hend - h);
		if (hn == 0 || hn >= sizeof u->host) {
			*why = "the host is missing or too long";
			return false;
		}
		for (const char *q = h; q < hend; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9') || *q == '.' || *q == '-')) {
				*why = "the host may have only letters, digits, '.' and '-'";
				return false;
			}
		memcpy(u->host, h, hn);
		u->host[hn] = '\0';
	}
	rest = hend;
	u->port = 2775; /* the IANA port for SMPP */
	if (rest < end && *rest == ':') {
		rest++;
		int port = 0;
		const char *d = rest;
		while (rest < end && *rest >= '0' && *rest <= '9' && rest - d < 6)
			port = port * 10 + (*rest++ - '0');
		if (rest == d || port < 1 || port > 65535) {
			*why = "the port must be 1..65535";
			return false;
		}
		u->port = port;
	}
	if (rest != end) {
		*why = "nothing may follow the port (no path, query or fragment)";
		return false;
	}
	return true;
}

void smpp_url_apply(const struct smpp_url *u, struct smpp_config *cfg)
{
	cfg->host = u->host;
	cfg->port = u->port;
	cfg->system_id = u->system_id;
	cfg->password = u->password;
}
