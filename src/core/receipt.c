#include "core/receipt.h"

#include <string.h>

static const char *const state_names[] = {
	[RECEIPT_NONE] = "none",
	[RECEIPT_ENROUTE] = "enroute",
	[RECEIPT_DELIVERED] = "delivered",
	[RECEIPT_EXPIRED] = "expired",
	[RECEIPT_DELETED] = "deleted",
	[RECEIPT_UNDELIVERABLE] = "undeliverable",
	[RECEIPT_ACCEPTED] = "accepted",
	[RECEIPT_UNKNOWN] = "unknown",
	[RECEIPT_REJECTED] = "rejected",
};

static const char *const reason_names[] = {
	[RECEIPT_REASON_NONE] = "none",
	[RECEIPT_REASON_INVALID_NUMBER] = "invalid_number",
	[RECEIPT_REASON_NO_ANSWER] = "no_answer",
	[RECEIPT_REASON_BUSY] = "busy",
	[RECEIPT_REASON_BARRED] = "barred",
	[RECEIPT_REASON_NETWORK] = "network",
	[RECEIPT_REASON_EXPIRED] = "expired",
	[RECEIPT_REASON_REJECTED] = "rejected",
	[RECEIPT_REASON_OTHER] = "other",
};

const char *receipt_state_name(enum receipt_state s)
{
	if ((unsigned)s < sizeof state_names / sizeof state_names[0] && state_names[s])
		return state_names[s];
	return "none";
}

const char *receipt_reason_name(enum receipt_reason r)
{
	if ((unsigned)r < sizeof reason_names / sizeof reason_names[0] && reason_names[r])
		return reason_names[r];
	return "other";
}

bool receipt_state_final(enum receipt_state s)
{
	return s >= RECEIPT_DELIVERED && s <= RECEIPT_REJECTED;
}

enum receipt_state receipt_state_from_tlv(unsigned v)
{
	return v >= RECEIPT_ENROUTE && v <= RECEIPT_REJECTED ? (enum receipt_state)v : RECEIPT_NONE;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const char *p, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lit[i])
			return false;
	return true;
}

bool receipt_stat_parse(const char *p, size_t n, enum receipt_state *out)
{
	/* The appendix-B words, then the long forms some SMSCs write. */
	static const struct {
		const char *word;
		enum receipt_state s;
	} words[] = {
		{"delivrd", RECEIPT_DELIVERED},   {"expired", RECEIPT_EXPIRED},
		{"deleted", RECEIPT_DELETED},     {"undeliv", RECEIPT_UNDELIVERABLE},
		{"acceptd", RECEIPT_ACCEPTED},    {"unknown", RECEIPT_UNKNOWN},
		{"rejectd", RECEIPT_REJECTED},    {"enroute", RECEIPT_ENROUTE},
		{"delivered", RECEIPT_DELIVERED}, {"undeliverable", RECEIPT_UNDELIVERABLE},
		{"accepted", RECEIPT_ACCEPTED},   {"rejected", RECEIPT_REJECTED},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (eq_nocase(p, n, words[i].word)) {
			*out = words[i].s;
			return true;
		}
	return false;
}

/* GSM MAP error codes (3GPP TS 29.002, 17.6.6) as SMSCs pass them in err. */
static enum receipt_reason map_error(unsigned err)
{
	switch (err) {
	case 1:  /* unknownSubscriber */
	case 5:  /* unidentifiedSubscriber */
		return RECEIPT_REASON_INVALID_NUMBER;
	case 6:  /* absentSubscriberSM */
	case 27: /* absentSubscriber */
	case 33: /* messageWaitingListFull: absent, and the SMSC gave up */
		return RECEIPT_REASON_NO_ANSWER;
	case 31: /* subscriberBusyForMT-SMS */
		return RECEIPT_REASON_BUSY;
	case 9:  /* illegalSubscriber */
	case 11: /* teleserviceNotProvisioned */
	case 12: /* illegalEquipment */
	case 13: /* callBarred */
	case 21: /* facilityNotSupported */
		return RECEIPT_REASON_BARRED;
	case 34: /* systemFailure */
	case 35: /* dataMissing */
	case 36: /* unexpectedDataValue */
		return RECEIPT_REASON_NETWORK;
	default:
		return RECEIPT_REASON_NONE;
	}
}

enum receipt_reason receipt_reason_of(enum receipt_state s, bool has_err, unsigned err)
{
	if (s == RECEIPT_DELIVERED || s == RECEIPT_ACCEPTED || !receipt_state_final(s))
		return RECEIPT_REASON_NONE;
	enum receipt_reason r = has_err ? map_error(err) : RECEIPT_REASON_NONE;
	if (r != RECEIPT_REASON_NONE)
		return r;
	if (s == RECEIPT_EXPIRED)
		return RECEIPT_REASON_EXPIRED;
	if (s == RECEIPT_REJECTED)
		return RECEIPT_REASON_REJECTED;
	return RECEIPT_REASON_OTHER;
}

const char *receipt_reason(enum receipt_state s, unsigned err)
{
	if (err == 0 || s == RECEIPT_DELIVERED || s == RECEIPT_ACCEPTED || !receipt_state_final(s))
		return NULL;
	enum receipt_reason r = map_error(err);
	return r == RECEIPT_REASON_NONE ? NULL : reason_names[r];
}

static bool failed(enum receipt_state s)
{
	return receipt_state_final(s) && s != RECEIPT_DELIVERED && s != RECEIPT_ACCEPTED;
}

enum receipt_state receipt_state_combine(enum receipt_state sofar, enum receipt_state part)
{
	if (failed(sofar))
		return sofar;
	if (failed(part))
		return part;
	if (sofar == RECEIPT_NONE || part == RECEIPT_NONE)
		return RECEIPT_NONE;
	if (sofar == RECEIPT_ENROUTE || part == RECEIPT_ENROUTE)
		return RECEIPT_ENROUTE;
	if (sofar == RECEIPT_ACCEPTED || part == RECEIPT_ACCEPTED)
		return RECEIPT_ACCEPTED;
	return RECEIPT_DELIVERED;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Copy a value into a fixed field; false when it does not fit. */
static bool put_field(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

/* A small decimal count (sub, dlvrd): -1 when not 1..3 digits. */
static int small_number(const char *p, size_t n)
{
	if (n == 0 || n > 3)
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* err: decimal unless it has a hex letter; at most 8 digits. */
static bool parse_err(const char *p, size_t n, unsigned *out)
{
	if (n == 0 || n > 8)
		return false;
	bool hex = false;
	for (size_t i = 0; i < n; i++) {
		if (hexval(p[i]) < 0)
			return false;
		if (!is_digit(p[i]))
			hex = true;
	}
	unsigned v = 0;
	for (size_t i = 0; i < n; i++)
		v = hex ? v * 16 + (unsigned)hexval(p[i]) : v * 10 + (unsigned)(p[i] - '0');
	*out = v;
	return true;
}

/* Whether p[0..n) starts with the key (any case) followed by ':'; the
 * length of "key:" in *klen. */
static bool key_at(const char *p, size_t n, const char *key, size_t *klen)
{
	size_t m = strlen(key);
	if (n < m + 1 || p[m] != ':')
		return false;
	for (size_t i = 0; i < m; i++)
		if (lower(p[i]) != key[i])
			return false;
	*klen = m + 1;
	return true;
}

enum rkey { K_ID, K_SUB, K_DLVRD, K_SUBMIT, K_DONE, K_STAT, K_ERR, K_TEXT, K_OTHER };

bool receipt_text_parse(const char *p, size_t n, struct receipt_text *out)
{
	static const struct {
		const char *key;
		enum rkey k;
	} keys[] = {
		{"id", K_ID},          {"sub", K_SUB},           {"dlvrd", K_DLVRD},
		{"submit date", K_SUBMIT}, {"submit_date", K_SUBMIT}, {"done date", K_DONE},
		{"done_date", K_DONE}, {"stat", K_STAT},         {"err", K_ERR},
		{"text", K_TEXT},
	};
	memset(out, 0, sizeof *out);
	out->sub = out->dlvrd = -1;
	size_t i = 0;
	bool have_id = false, have_stat = false, first = true;
	while (i < n) {
		while (i < n && is_space(p[i]))
			i++;
		if (i == n)
			break;
		enum rkey k = K_OTHER;
		size_t klen = 0;
		for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
			if (key_at(p + i, n - i, keys[j].key, &klen)) {
				k = keys[j].k;
				break;
			}
		if (first && k != K_ID)
			return false; /* a receipt starts with its id */
		first = false;
		if (k == K_TEXT) {
			/* free text up to the end: nothing more to read */
			size_t t = i + klen, end = n;
			while (end > t && is_space(p[end - 1]))
				end--;
			size_t tn = end > t ? end - t : 0;
			if (tn >= sizeof out->text)
				tn = sizeof out->text - 1;
			memcpy(out->text, p + t, tn);
			out->text[tn] = '\0';
			break;
		}
		if (k == K_OTHER) {
			/* an unknown "word:value" is skipped; a word without ':' is
			 * part of no receipt */
			size_t j = i;
			while (j < n && !is_space(p[j]) && p[j] != ':')
				j++;
			if (j == n || p[j] != ':')
				return false;
			klen = j + 1 - i;
		}
		i += klen;
		size_t v = i;
		while (i < n && !is_space(p[i]))
			i++;
		const char *val = p + v;
		size_t vn = i - v;
		switch (k) {
		case K_ID:
			if (have_id || vn == 0 || !put_field(out->id, sizeof out->id, val, vn))
				return false;
			for (size_t j = 0; j < vn; j++)
				if ((unsigned char)val[j] < 0x21 || (unsigned char)val[j] > 0x7e)
					return false;
			have_id = true;
			break;
		case K_SUB:
			out->sub = small_number(val, vn);
			break;
		case K_DLVRD:
			out->dlvrd = small_number(val, vn);
			break;
		case K_SUBMIT:
			if (!put_field(out->submit_date, sizeof out->submit_date, val, vn))
				out->submit_date[0] = '\0';
			break;
		case K_DONE:
			if (!put_field(out->done_date, sizeof out->done_date, val, vn))
				out->done_date[0] = '\0';
			break;
		case K_STAT:
			if (!receipt_stat_parse(val, vn, &out->state) ||
			    !put_field(out->stat, sizeof out->stat, val, vn))
				return false;
			have_stat = true;
			break;
		case K_ERR:
			out->has_err = parse_err(val, vn, &out->err);
			break;
		case K_TEXT:
		case K_OTHER:
			break;
		}
	}
	return have_id && have_stat;
}

/* The value of digits in base 10 or 16; false past 64 bits. */
static bool value_of(const char *p, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)hexval(p[i]);
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static void value_key(uint64_t v, char key[RECEIPT_KEY_MAX])
{
	char digits[24];
	size_t nd = 0;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	key[0] = 'v';
	key[1] = ':';
	for (size_t i = 0; i < nd; i++)
		key[2 + i] = digits[nd - 1 - i];
	key[2 + nd] = '\0';
}

size_t receipt_id_keys(const char *id, char keys[][RECEIPT_KEY_MAX], size_t max)
{
	char tmp[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	if (!id || max == 0)
		return 0;
	size_t n = strnlen(id, RECEIPT_ID_MAX + 64);
	while (n && is_space(id[0])) {
		id++;
		n--;
	}
	while (n && is_space(id[n - 1]))
		n--;
	if (n == 0 || n >= RECEIPT_ID_MAX)
		return 0;
	/* "0x1A" is the hex 1A: its key 0 is that of "1A" */
	const char *h = id;
	size_t hn = n;
	bool prefixed = n > 2 && id[0] == '0' && (id[1] == 'x' || id[1] == 'X');
	for (size_t i = 2; prefixed && i < n; i++)
		prefixed = hexval(id[i]) >= 0; /* "0xyz" is just a name */
	if (prefixed) {
		h += 2;
		hn -= 2;
	}

	/* key 0: the id itself, lower case, without leading zeros */
	size_t z = 0;
	while (z + 1 < hn && h[z] == '0')
		z++;
	tmp[0][0] = 'x';
	tmp[0][1] = ':';
	for (size_t i = z; i < hn; i++)
		tmp[0][2 + i - z] = lower(h[i]);
	tmp[0][2 + hn - z] = '\0';
	size_t nk = 1;

	/* the numeric readings */
	bool all_hex = hn > 0, all_dec = !prefixed;
	for (size_t i = 0; i < hn; i++) {
		if (hexval(h[i]) < 0)
			all_hex = false;
		if (!is_digit(h[i]))
			all_dec = false;
	}
	uint64_t hv = 0, dv = 0;
	bool have_hv = all_hex && value_of(h, hn, 16, &hv);
	bool have_dv = all_dec && value_of(id, n, 10, &dv);
	if (have_hv)
		value_key(hv, tmp[nk++]);
	if (have_dv && !(have_hv && hv == dv))
		value_key(dv, tmp[nk++]);
	if (nk > max)
		nk = max;
	for (size_t i = 0; i < nk; i++)
		memcpy(keys[i], tmp[i], RECEIPT_KEY_MAX);
	return nk;
}

bool receipt_excerpt_matches(const char *excerpt, const char *body)
{
	if (!excerpt || !*excerpt || !body)
		return false;
	const unsigned char *b = (const unsigned char *)body;
	for (const char *x = excerpt; *x; x++) {
		if (!*b)
			return false;
		if (*b < 0x80) {
			if ((unsigned char)*x != *b)
				return false;
			b++;
			continue;
		}
		/* one UTF-8 character the SMSC wrote as a stand-in */
		if (*x != '.' && *x != '?' && *x != '_')
			return false;
		b++;
		while ((*b & 0xC0) == 0x80)
			b++;
	}
	return true;
}
