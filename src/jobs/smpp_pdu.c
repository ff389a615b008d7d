#include "jobs/smpp_pdu.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>
/* libsmpp34's headers use uint8_t without including stdint.h, and the
 * structs header must come after smpp34.h. */
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

/* libsmpp34 writes its error text through the globals smpp34_strerror and
 * ptrerror on every pack and unpack: two threads (two SMSC connections)
 * inside it at once would race on them, and one could push the other's
 * pointer past the buffer. */
static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

enum smpp_frame smpp_pdu_frame(const uint8_t *p, size_t n, struct smpp_header *h)
{
	if (n < 4)
		return SMPP_FRAME_MORE;
	uint32_t len = get32(p);
	if (len < SMPP_HEADER_LEN || len > SMPP_PDU_MAX)
		return SMPP_FRAME_BAD;
	if (n < len)
		return SMPP_FRAME_MORE;
	h->len = len;
	h->id = get32(p + 4);
	h->status = get32(p + 8);
	h->seq = get32(p + 12);
	return SMPP_FRAME_OK;
}

const char *smpp_status_name(uint32_t status)
{
	static const struct {
		uint32_t v;
		const char *name;
	} names[] = {
		{0x00, "ESME_ROK"},          {0x01, "ESME_RINVMSGLEN"},    {0x02, "ESME_RINVCMDLEN"},
		{0x03, "ESME_RINVCMDID"},    {0x04, "ESME_RINVBNDSTS"},    {0x05, "ESME_RALYBND"},
		{0x06, "ESME_RINVPRTFLG"},   {0x07, "ESME_RINVREGDLVFLG"}, {0x08, "ESME_RSYSERR"},
		{0x0A, "ESME_RINVSRCADR"},   {0x0B, "ESME_RINVDSTADR"},    {0x0C, "ESME_RINVMSGID"},
		{0x0D, "ESME_RBINDFAIL"},    {0x0E, "ESME_RINVPASWD"},     {0x0F, "ESME_RINVSYSID"},
		{0x11, "ESME_RCANCELFAIL"},  {0x13, "ESME_RREPLACEFAIL"},  {0x14, "ESME_RMSGQFUL"},
		{0x15, "ESME_RINVSERTYP"},   {0x33, "ESME_RINVNUMDESTS"},  {0x34, "ESME_RINVDLNAME"},
		{0x40, "ESME_RINVDESTFLAG"}, {0x42, "ESME_RINVSUBREP"},    {0x43, "ESME_RINVESMCLASS"},
		{0x44, "ESME_RCNTSUBDL"},    {0x45, "ESME_RSUBMITFAIL"},   {0x48, "ESME_RINVSRCTON"},
		{0x49, "ESME_RINVSRCNPI"},   {0x50, "ESME_RINVDSTTON"},    {0x51, "ESME_RINVDSTNPI"},
		{0x53, "ESME_RINVSYSTYP"},   {0x54, "ESME_RINVREPFLAG"},   {0x55, "ESME_RINVNUMMSGS"},
		{0x58, "ESME_RTHROTTLED"},   {0x61, "ESME_RINVSCHED"},     {0x62, "ESME_RINVEXPIRY"},
		{0x63, "ESME_RINVDFTMSGID"}, {0x64, "ESME_RX_T_APPN"},     {0x65, "ESME_RX_P_APPN"},
		{0x66, "ESME_RX_R_APPN"},    {0x67, "ESME_RQUERYFAIL"},    {0xC0, "ESME_RINVOPTPARSTREAM"},
		{0xC1, "ESME_ROPTPARNOTALLWD"}, {0xC2, "ESME_RINVPARLEN"}, {0xC3, "ESME_RMISSINGOPTPARAM"},
		{0xC4, "ESME_RINVOPTPARAMVAL"}, {0xFE, "ESME_RDELIVERYFAILURE"}, {0xFF, "ESME_RUNKNOWNERR"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].v == status)
			return names[i].name;
	return "";
}

/* --- writing --- */

static size_t pack(uint32_t type, uint8_t *out, size_t cap, void *pdu)
{
	if (cap > 65536)
		cap = 65536; /* libsmpp34 counts in int */
	int len = 0;
	pthread_mutex_lock(&lib_lock);
	int rc = smpp34_pack(type, out, (int)cap, &len, pdu);
	pthread_mutex_unlock(&lib_lock);
	return rc == 0 && len >= SMPP_HEADER_LEN && (size_t)len <= cap ? (size_t)len : 0;
}

/* Copy a C string into a libsmpp34 field of cap bytes (NUL included);
 * false when it does not fit, which libsmpp34 would silently truncate. */
static bool field(uint8_t *dst, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= cap)
		return false;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

size_t smpp_pdu_bind(uint8_t *out, size_t cap, uint32_t seq, const char *system_id,
		     const char *password, const char *system_type)
{
	bind_transceiver_t b;
	memset(&b, 0, sizeof b);
	b.command_id = SMPP_BIND_TRANSCEIVER;
	b.sequence_number = seq;
	b.interface_version = 0x34;
	if (!field(b.system_id, sizeof b.system_id, system_id) ||
	    !field(b.password, sizeof b.password, password) ||
	    !field(b.system_type, sizeof b.system_type, system_type))
		return 0;
	return pack(SMPP_BIND_TRANSCEIVER, out, cap, &b);
}

bool smpp_addr_parse(const char *s, bool sender, struct smpp_addr *out)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return false;
	size_t n = strlen(s);
	bool plus = n > 0 && s[0] == '+';
	size_t digits = 0;
	for (size_t i = plus; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
	if (digits == n - plus && digits >= 1 && digits <= 20) {
		memcpy(out->addr, s + plus, digits);
		out->ton = plus ? 1 : 0; /* international, else unknown: the SMSC decides */
		out->npi = 1;            /* ISDN (E.164) */
		return true;
	}
	if (!sender || plus || n == 0 || n > 11)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	memcpy(out->addr, s, n);
	out->ton = 5; /* alphanumeric */
	out->npi = 0;
	return true;
}

size_t smpp_pdu_submit(uint8_t *out, size_t cap, uint32_t seq, const struct smpp_submit_fields *f)
{
	/* libsmpp34 refuses a short_message of 254 bytes when packing; parts
	 * are at most SMS_PART_MAX (166) anyway */
	if (f->sm_len > SMS_PART_MAX)
		return 0;
	submit_sm_t s;
	memset(&s, 0, sizeof s);
	s.command_id = SMPP_SUBMIT_SM;
	s.sequence_number = seq;
	s.source_addr_ton = f->from->ton;
	s.source_addr_npi = f->from->npi;
	s.dest_addr_ton = f->to->ton;
	s.dest_addr_npi = f->to->npi;
	if (!field(s.source_addr, sizeof s.source_addr, f->from->addr) ||
	    !field(s.destination_addr, sizeof s.destination_addr, f->to->addr))
		return 0;
	s.esm_class = f->esm_class;
	s.registered_delivery = f->registered_delivery;
	s.data_coding = f->data_coding;
	s.sm_length = (uint8_t)f->sm_len;
	if (f->sm_len)
		memcpy(s.short_message, f->sm, f->sm_len);
	return pack(SMPP_SUBMIT_SM, out, cap, &s);
}

size_t smpp_pdu_header_only(uint8_t *out, size_t cap, uint32_t command_id, uint32_t status,
			    uint32_t seq)
{
	/* every header-only PDU has the layout of generic_nack_t */
	generic_nack_t g;
	memset(&g, 0, sizeof g);
	g.command_id = command_id;
	g.command_status = status;
	g.sequence_number = seq;
	return pack(command_id, out, cap, &g);
}

size_t smpp_pdu_deliver_resp(uint8_t *out, size_t cap, uint32_t seq, uint32_t status)
{
	deliver_sm_resp_t r;
	memset(&r, 0, sizeof r);
	r.command_id = SMPP_DELIVER_SM_RESP;
	r.command_status = status;
	r.sequence_number = seq;
	size_t n = pack(SMPP_DELIVER_SM_RESP, out, cap, &r);
	if (n == 0 && status != SMPP_ESME_RX_T_APPN) {
		r.command_status = SMPP_ESME_RX_T_APPN;
		n = pack(SMPP_DELIVER_SM_RESP, out, cap, &r);
	}
	return n;
}

/* --- reading: a bounded reader of the received PDU and a writer of the
 * normalised copy that libsmpp34 gets --- */

struct rd {
	const uint8_t *p;
	size_t n, off;
};

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->off >= r->n)
		return false;
	*v = r->p[r->off++];
	return true;
}

/* A C-octet string of at most max bytes with its NUL, which must be there. */
static bool rd_cstr(struct rd *r, size_t max, const uint8_t **s, size_t *len)
{
	size_t lim = r->n - r->off < max ? r->n - r->off : max;
	const uint8_t *z = memchr(r->p + r->off, 0, lim);
	if (!z)
		return false;
	*s = r->p + r->off;
	*len = (size_t)(z - *s);
	r->off += *len + 1;
	return true;
}

struct wr {
	uint8_t *p;
	size_t cap, n;
	bool over;
};

static void wr_bytes(struct wr *w, const void *s, size_t n)
{
	if (w->over || w->cap - w->n < n) {
		w->over = true;
		return;
	}
	if (n)
		memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void wr_u8(struct wr *w, uint8_t v)
{
	wr_bytes(w, &v, 1);
}

static void wr_cstr(struct wr *w, const uint8_t *s, size_t n)
{
	wr_bytes(w, s, n);
	wr_u8(w, 0);
}

/* Header of the normalised copy: status 0 and sequence 1, which libsmpp34
 * always accepts (it refuses statuses it does not list, and sequence 0);
 * the length is written at the end. */
static void wr_header(struct wr *w, uint32_t id)
{
	uint8_t h[SMPP_HEADER_LEN] = {0};
	put32(h + 4, id);
	put32(h + 12, 1);
	wr_bytes(w, h, sizeof h);
}

static void wr_finish(struct wr *w)
{
	if (!w->over)
		put32(w->p, (uint32_t)w->n);
}

/* Room for a normalised deliver_sm: 16 + 311 mandatory + 1125 of TLVs. */
#define COPY_MAX 2048

bool smpp_pdu_submit_resp_id(const uint8_t *p, size_t len, char id[RECEIPT_ID_MAX])
{
	id[0] = '\0';
	if (len < SMPP_HEADER_LEN || len > SMPP_PDU_MAX)
		return false;
	if (len == SMPP_HEADER_LEN)
		return true; /* no body: accepted without an id */
	struct rd r = {p, len, SMPP_HEADER_LEN};
	const uint8_t *s;
	size_t n;
	if (!rd_cstr(&r, RECEIPT_ID_MAX, &s, &n))
		return false;
	/* SMPP 3.4 has no TLVs here; bytes after the id (a 5.0 SMSC's TLVs)
	 * are left out of the copy */
	uint8_t copy[SMPP_HEADER_LEN + RECEIPT_ID_MAX + 8];
	struct wr w = {copy, sizeof copy - 1, 0, false};
	wr_header(&w, SMPP_SUBMIT_SM_RESP);
	wr_cstr(&w, s, n);
	wr_finish(&w);
	if (w.over)
		return false;
	copy[w.n] = 0; /* libsmpp34's strlen stops here at the latest */
	submit_sm_resp_t resp;
	memset(&resp, 0, sizeof resp);
	pthread_mutex_lock(&lib_lock);
	int rc = smpp34_unpack(SMPP_SUBMIT_SM_RESP, &resp, copy, (int)w.n);
	pthread_mutex_unlock(&lib_lock);
	if (rc != 0)
		return false;
	resp.message_id[sizeof resp.message_id - 1] = '\0';
	size_t idn = strnlen((const char *)resp.message_id, sizeof resp.message_id);
	if (idn >= RECEIPT_ID_MAX)
		return false;
	memcpy(id, resp.message_id, idn);
	id[idn] = '\0';
	return true;
}

/* The TLVs a deliver_sm may keep, with the one length libsmpp34 reads them
 * at (min..max for the octet strings); others are dropped from the copy. */
static const struct {
	uint16_t tag;
	uint16_t min, max;
} kept_tlvs[] = {
	{TLVID_receipted_message_id, 1, 65},
	{TLVID_message_state, 1, 1},
	{TLVID_network_error_code, 3, 3},
	{TLVID_message_payload, 0, 1024},
	{TLVID_sar_msg_ref_num, 2, 2},
	{TLVID_sar_total_segments, 1, 1},
	{TLVID_sar_segment_seqnum, 1, 1},
};
#define N_KEPT (sizeof kept_tlvs / sizeof kept_tlvs[0])

/* Printable ASCII of an address, for people and the database. */
static void addr_out(char *dst, size_t cap, const uint8_t *s, size_t n, uint8_t ton)
{
	size_t o = 0;
	bool digits = n > 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			digits = false;
	if (ton == 1 && digits && cap > 1)
		dst[o++] = '+';
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[o] = '\0';
}

static void id_copy(char dst[RECEIPT_ID_MAX], const uint8_t *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < RECEIPT_ID_MAX && s[i]; i++)
		dst[o++] = (char)s[i];
	dst[o] = '\0';
}

/* What the first pass learns besides the copy. */
struct first_pass {
	uint8_t src_ton, dst_ton;
};

/* Check a deliver_sm field by field and write the normalised copy. */
static uint32_t deliver_normalise(const uint8_t *p, size_t len, struct wr *w, struct first_pass *fp)
{
	struct rd r = {p, len, SMPP_HEADER_LEN};
	const uint8_t *s;
	size_t n;
	uint8_t b[4];
	wr_header(w, SMPP_DELIVER_SM);
	/* service_type: not used; libsmpp34 reads at most 5 characters */
	if (!rd_cstr(&r, 6, &s, &n))
		return SMPP_ESME_RINVMSGLEN;
	wr_u8(w, 0);
	/* source TON/NPI and address; TON/NPI are zeroed in the copy because
	 * libsmpp34 refuses values outside its lists */
	if (!rd_u8(&r, &fp->src_ton) || !rd_u8(&r, &b[0]))
		return SMPP_ESME_RINVMSGLEN;
	if (!rd_cstr(&r, 21, &s, &n))
		return SMPP_ESME_RINVSRCADR;
	wr_u8(w, 0);
	wr_u8(w, 0);
	wr_cstr(w, s, n);
	if (!rd_u8(&r, &fp->dst_ton) || !rd_u8(&r, &b[0]))
		return SMPP_ESME_RINVMSGLEN;
	if (!rd_cstr(&r, 21, &s, &n))
		return SMPP_ESME_RINVDSTADR;
	wr_u8(w, 0);
	wr_u8(w, 0);
	wr_cstr(w, s, n);
	/* esm_class, protocol_id, priority_flag */
	for (int i = 0; i < 3; i++) {
		if (!rd_u8(&r, &b[0]))
			return SMPP_ESME_RINVMSGLEN;
		wr_u8(w, b[0]);
	}
	/* schedule_delivery_time and validity_period must be empty in a
	 * deliver_sm, and libsmpp34 refuses anything else: tolerated, dropped */
	for (int i = 0; i < 2; i++) {
		if (!rd_cstr(&r, 17, &s, &n))
			return SMPP_ESME_RINVMSGLEN;
		wr_u8(w, 0);
	}
	/* registered_delivery, replace_if_present_flag, data_coding,
	 * sm_default_msg_id, sm_length */
	for (int i = 0; i < 4; i++) {
		if (!rd_u8(&r, &b[0]))
			return SMPP_ESME_RINVMSGLEN;
		wr_u8(w, b[0]);
	}
	uint8_t sm_len;
	if (!rd_u8(&r, &sm_len) || sm_len > 254 || r.n - r.off < sm_len)
		return SMPP_ESME_RINVMSGLEN;
	wr_u8(w, sm_len);
	wr_bytes(w, r.p + r.off, sm_len);
	r.off += sm_len;
	/* TLVs: each whole; the ones we use once each at their lengths */
	bool seen[N_KEPT] = {false};
	while (r.off < r.n) {
		if (r.n - r.off < 4)
			return SMPP_ESME_RINVOPTPARSTREAM;
		uint16_t tag = (uint16_t)(r.p[r.off] << 8 | r.p[r.off + 1]);
		uint16_t tl = (uint16_t)(r.p[r.off + 2] << 8 | r.p[r.off + 3]);
		r.off += 4;
		if (r.n - r.off < tl)
			return SMPP_ESME_RINVOPTPARSTREAM;
		const uint8_t *v = r.p + r.off;
		r.off += tl;
		for (size_t k = 0; k < N_KEPT; k++) {
			if (kept_tlvs[k].tag != tag || seen[k])
				continue;
			if (tag == TLVID_message_payload && tl > kept_tlvs[k].max)
				return SMPP_ESME_RINVPARLEN; /* the message itself: cannot drop it */
			if (tl < kept_tlvs[k].min || tl > kept_tlvs[k].max)
				break; /* a malformed optional TLV is ignored */
			seen[k] = true;
			uint8_t th[4] = {(uint8_t)(tag >> 8), (uint8_t)tag, (uint8_t)(tl >> 8), (uint8_t)tl};
			wr_bytes(w, th, 4);
			wr_bytes(w, v, tl);
			break;
		}
	}
	wr_finish(w);
	return w->over ? SMPP_ESME_RSYSERR : 0;
}

static void receipt_from_text(struct smpp_deliver *d, const uint8_t *sm, size_t n)
{
	/* the receipt text for the record: printable ASCII */
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < sizeof d->text; i++)
		d->text[o++] = sm[i] >= 0x20 && sm[i] < 0x7f ? (char)sm[i] : '?';
	d->text[o] = '\0';
	d->text_len = o;
}

uint32_t smpp_pdu_deliver_read(const uint8_t *p, size_t len, struct smpp_deliver *d)
{
	memset(d, 0, offsetof(struct smpp_deliver, text));
	d->text[0] = '\0';
	d->text_len = 0;
	memset(&d->concat, 0, sizeof d->concat);
	if (len < SMPP_HEADER_LEN || len > SMPP_PDU_MAX)
		return SMPP_ESME_RINVCMDLEN;
	uint8_t copy[COPY_MAX + 1];
	struct wr w = {copy, COPY_MAX, 0, false};
	struct first_pass fp = {0, 0};
	uint32_t st = deliver_normalise(p, len, &w, &fp);
	if (st)
		return st;
	copy[w.n] = 0;

	deliver_sm_t dsm;
	memset(&dsm, 0, sizeof dsm);
	pthread_mutex_lock(&lib_lock);
	int rc = smpp34_unpack(SMPP_DELIVER_SM, &dsm, copy, (int)w.n);
	pthread_mutex_unlock(&lib_lock);
	if (rc != 0) {
		/* cannot happen with a normalised copy; answered as our fault */
		destroy_tlv(dsm.tlv);
		return SMPP_ESME_RSYSERR;
	}

	addr_out(d->from, sizeof d->from, dsm.source_addr,
		 strnlen((const char *)dsm.source_addr, sizeof dsm.source_addr), fp.src_ton);
	addr_out(d->to, sizeof d->to, dsm.destination_addr,
		 strnlen((const char *)dsm.destination_addr, sizeof dsm.destination_addr),
		 fp.dst_ton);
	d->esm_class = dsm.esm_class;
	d->data_coding = dsm.data_coding;

	const uint8_t *payload = NULL;
	size_t payload_len = 0;
	bool have_rid = false, have_state = false, have_net = false;
	bool have_ref = false, have_total = false, have_seq = false;
	unsigned state_v = 0, net_err = 0, ref = 0, total = 0, seqn = 0;
	tlv_t *t;
	smpp34_tlv_for_each(t, dsm.tlv)
	{
		switch (t->tag) {
		case TLVID_receipted_message_id:
			id_copy(d->receipt_id, t->value.octet, t->length);
			have_rid = d->receipt_id[0] != '\0';
			break;
		case TLVID_message_state:
			state_v = t->value.val08;
			have_state = true;
			break;
		case TLVID_network_error_code:
			/* network type, then a 2-octet error code */
			net_err = (unsigned)t->value.octet[1] << 8 | t->value.octet[2];
			have_net = true;
			break;
		case TLVID_message_payload:
			payload = t->value.octet;
			payload_len = t->length;
			break;
		case TLVID_sar_msg_ref_num:
			ref = t->value.val16;
			have_ref = true;
			break;
		case TLVID_sar_total_segments:
			total = t->value.val08;
			have_total = true;
			break;
		case TLVID_sar_segment_seqnum:
			seqn = t->value.val08;
			have_seq = true;
			break;
		default:
			break;
		}
	}

	/* the message: short_message, or message_payload when that is empty */
	const uint8_t *sm = dsm.short_message;
	size_t sm_len = dsm.sm_length;
	if (sm_len == 0 && payload) {
		sm = payload;
		sm_len = payload_len;
	}

	unsigned type = dsm.esm_class & SMPP_ESM_TYPE_MASK;
	struct receipt_text rt;
	bool text_ok = receipt_text_parse((const char *)sm, sm_len, &rt);
	/* A receipt says so in esm_class or with receipted_message_id; some
	 * SMSCs send receipts as plain messages (esm_class 0), recognised by a
	 * text that parses as appendix B from its first word. */
	d->is_receipt = type == SMPP_ESM_TYPE_RECEIPT || type == SMPP_ESM_TYPE_INTERMEDIATE ||
			have_rid || text_ok;
	uint32_t result = 0;
	if (d->is_receipt) {
		if (text_ok) {
			memcpy(d->text_id, rt.id, sizeof d->text_id);
			if (!have_rid)
				memcpy(d->receipt_id, rt.id, sizeof d->receipt_id);
			else if (strcmp(rt.id, d->receipt_id) == 0)
				d->text_id[0] = '\0';
			d->state = rt.state;
			d->has_err = rt.has_err;
			d->err = rt.err;
		}
		if (have_state && receipt_state_from_tlv(state_v) != RECEIPT_NONE)
			d->state = receipt_state_from_tlv(state_v);
		if (!d->has_err && have_net) {
			d->has_err = true;
			d->err = net_err;
		}
		receipt_from_text(d, sm, sm_len);
	} else {
		bool udhi = (dsm.esm_class & SMPP_ESM_UDHI) != 0;
		if (!sms_decode(sm, sm_len, dsm.data_coding, udhi, d->text, sizeof d->text, &d->text_len,
				&d->concat)) {
			d->text[0] = '\0';
			d->text_len = 0;
			memset(&d->concat, 0, sizeof d->concat);
			result = SMPP_ESME_RX_P_APPN;
		} else {
			/* a U+0000 would end the C string the callback gets */
			for (size_t i = 0; i < d->text_len; i++)
				if (d->text[i] == '\0')
					d->text[i] = ' ';
		}
		if (result == 0 && !d->concat.present && have_ref && have_total && have_seq &&
		    total > 1 && seqn >= 1 && seqn <= total) {
			d->concat.present = true;
			d->concat.ref = ref;
			d->concat.total = total;
			d->concat.seq = seqn;
		}
	}
	pthread_mutex_lock(&lib_lock);
	destroy_tlv(dsm.tlv);
	pthread_mutex_unlock(&lib_lock);
	return result;
}
