/* Unit tests for src/jobs/smpp_pdu.c and the URL reader of src/jobs/smpp.c:
 * framing, the PDUs we write (byte for byte), and what we read from an
 * SMSC, hostile or odd (unterminated strings, vendor TLVs, unknown TON,
 * bad lengths). The engine itself is tested against a real peer in
 * tests/api/smpp.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "jobs/smpp.h"
#include "jobs/smpp_pdu.h"

/* A PDU under construction. */
struct pb {
	uint8_t b[SMPP_PDU_MAX + 64];
	size_t n;
};

static void pb_u8(struct pb *p, uint8_t v) { p->b[p->n++] = v; }
static void pb_u16(struct pb *p, uint16_t v) { pb_u8(p, (uint8_t)(v >> 8)); pb_u8(p, (uint8_t)v); }
static void pb_u32(struct pb *p, uint32_t v) { pb_u16(p, (uint16_t)(v >> 16)); pb_u16(p, (uint16_t)v); }
static void pb_bytes(struct pb *p, const void *s, size_t n) { memcpy(p->b + p->n, s, n); p->n += n; }
static void pb_cstr(struct pb *p, const char *s) { pb_bytes(p, s, strlen(s) + 1); }
static void pb_tlv(struct pb *p, uint16_t tag, const void *v, uint16_t len)
{
	pb_u16(p, tag);
	pb_u16(p, len);
	pb_bytes(p, v, len);
}
static void pb_start(struct pb *p, uint32_t id, uint32_t status, uint32_t seq)
{
	p->n = 0;
	pb_u32(p, 0);
	pb_u32(p, id);
	pb_u32(p, status);
	pb_u32(p, seq);
}
static void pb_end(struct pb *p)
{
	uint32_t n = (uint32_t)p->n;
	p->b[0] = (uint8_t)(n >> 24);
	p->b[1] = (uint8_t)(n >> 16);
	p->b[2] = (uint8_t)(n >> 8);
	p->b[3] = (uint8_t)n;
}

/* The mandatory part of a deliver_sm up to and including short_message. */
static void pb_deliver(struct pb *p, uint8_t src_ton, const char *from, const char *to, uint8_t esm,
		       uint8_t dcs, const void *sm, uint8_t sm_len)
{
	pb_start(p, SMPP_DELIVER_SM, 0, 7);
	pb_cstr(p, "");     /* service_type */
	pb_u8(p, src_ton);
	pb_u8(p, 1);
	pb_cstr(p, from);
	pb_u8(p, 0);
	pb_u8(p, 1);
	pb_cstr(p, to);
	pb_u8(p, esm);
	pb_u8(p, 0);        /* protocol_id */
	pb_u8(p, 0);        /* priority */
	pb_cstr(p, "");     /* schedule_delivery_time */
	pb_cstr(p, "");     /* validity_period */
	pb_u8(p, 0);        /* registered_delivery */
	pb_u8(p, 0);        /* replace_if_present */
	pb_u8(p, dcs);
	pb_u8(p, 0);        /* sm_default_msg_id */
	pb_u8(p, sm_len);
	pb_bytes(p, sm, sm_len);
}

static struct pb pdu;
static struct smpp_deliver d;

static void t_frame(void **state)
{
	(void)state;
	struct smpp_header h;
	uint8_t b[32] = {0, 0, 0, 16, 0x80, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 9};
	assert_int_equal(smpp_pdu_frame(b, 3, &h), SMPP_FRAME_MORE);
	assert_int_equal(smpp_pdu_frame(b, 15, &h), SMPP_FRAME_MORE);
	assert_int_equal(smpp_pdu_frame(b, 16, &h), SMPP_FRAME_OK);
	assert_int_equal(h.len, 16);
	assert_int_equal(h.id, SMPP_ENQUIRE_LINK_RESP);
	assert_int_equal(h.seq, 9);
	b[3] = 15; /* shorter than a header */
	assert_int_equal(smpp_pdu_frame(b, 16, &h), SMPP_FRAME_BAD);
	b[3] = 0;
	assert_int_equal(smpp_pdu_frame(b, 16, &h), SMPP_FRAME_BAD);
	b[0] = 0xFF; /* 4 GiB */
	assert_int_equal(smpp_pdu_frame(b, 4, &h), SMPP_FRAME_BAD);
	b[0] = 0;
	b[2] = (SMPP_PDU_MAX + 1) >> 8;
	b[3] = (SMPP_PDU_MAX + 1) & 0xFF;
	assert_int_equal(smpp_pdu_frame(b, 4, &h), SMPP_FRAME_BAD);
	b[2] = SMPP_PDU_MAX >> 8;
	b[3] = SMPP_PDU_MAX & 0xFF;
	assert_int_equal(smpp_pdu_frame(b, 32, &h), SMPP_FRAME_MORE);
}

static void t_write(void **state)
{
	(void)state;
	uint8_t out[SMPP_OUT_PDU_MAX];
	size_t n = smpp_pdu_bind(out, sizeof out, 1, "assist", "secret", "");
	static const uint8_t bind[] = {0, 0, 0, 0x23, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1,
				       'a', 's', 's', 'i', 's', 't', 0, 's', 'e', 'c', 'r', 'e', 't', 0,
				       0, 0x34, 0, 0, 0};
	assert_int_equal(n, sizeof bind);
	assert_memory_equal(out, bind, sizeof bind);
	/* SMPP 3.4 limits are refused, not truncated */
	assert_int_equal(smpp_pdu_bind(out, sizeof out, 1, "sixteen-chars-id", "pw", ""), 0);
	assert_int_equal(smpp_pdu_bind(out, sizeof out, 1, "id", "ninechars", ""), 0);
	assert_int_equal(smpp_pdu_bind(out, 20, 1, "id", "pw", ""), 0); /* no room */

	struct smpp_addr from, to;
	assert_true(smpp_addr_parse("Assist", true, &from));
	assert_true(smpp_addr_parse("+79161234567", false, &to));
	const uint8_t sm[] = {5, 0, 3, 0x42, 2, 1, 'H', 'i'};
	struct smpp_submit_fields f = {.from = &from, .to = &to, .esm_class = SMPP_ESM_UDHI,
				       .data_coding = 0, .registered_delivery = 1, .sm = sm,
				       .sm_len = sizeof sm};
	n = smpp_pdu_submit(out, sizeof out, 0x7FFFFFFF, &f);
	assert_int_equal(n, 16 + 1 + 2 + 7 + 2 + 12 + 3 + 1 + 1 + 4 + 1 + sizeof sm);
	size_t o = 16;
	assert_int_equal(out[o], 0); /* service_type */
	assert_int_equal(out[o + 1], 5);
	assert_int_equal(out[o + 2], 0);
	assert_memory_equal(out + o + 3, "Assist", 7);
	o += 10;
	assert_int_equal(out[o], 1);
	assert_int_equal(out[o + 1], 1);
	assert_memory_equal(out + o + 2, "79161234567", 12);
	o += 14;
	assert_int_equal(out[o], SMPP_ESM_UDHI);
	o += 3 + 2; /* esm, pid, priority, two empty times */
	assert_int_equal(out[o], 1);       /* registered_delivery */
	assert_int_equal(out[o + 2], 0);   /* data_coding */
	assert_int_equal(out[o + 4], sizeof sm);
	assert_memory_equal(out + o + 5, sm, sizeof sm);
	/* a part above SMS_PART_MAX is no part */
	uint8_t big[200] = {0};
	f.sm = big;
	f.sm_len = SMS_PART_MAX + 1;
	assert_int_equal(smpp_pdu_submit(out, sizeof out, 1, &f), 0);

	n = smpp_pdu_header_only(out, sizeof out, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID, 5);
	static const uint8_t nack[] = {0, 0, 0, 16, 0x80, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 5};
	assert_int_equal(n, 16);
	assert_memory_equal(out, nack, 16);
	n = smpp_pdu_deliver_resp(out, sizeof out, 3, 0);
	assert_int_equal(n, 17);
	/* a status libsmpp34 does not list becomes ESME_RX_T_APPN */
	n = smpp_pdu_deliver_resp(out, sizeof out, 3, 0x12345);
	assert_int_equal(n, 17);
	assert_int_equal(out[11], SMPP_ESME_RX_T_APPN);
	assert_int_equal(smpp_pdu_header_only(out, sizeof out, SMPP_ENQUIRE_LINK, 0, 0), 0); /* seq 0 */
}

static void t_addr(void **state)
{
	(void)state;
	struct smpp_addr a;
	assert_true(smpp_addr_parse("+79161234567", false, &a));
	assert_string_equal(a.addr, "79161234567");
	assert_int_equal(a.ton, 1);
	assert_true(smpp_addr_parse("4444", false, &a));
	assert_int_equal(a.ton, 0);
	assert_int_equal(a.npi, 1);
	assert_true(smpp_addr_parse("12345678901234567890", false, &a));
	assert_false(smpp_addr_parse("123456789012345678901", false, &a));
	assert_false(smpp_addr_parse("Assist", false, &a)); /* a destination is a number */
	assert_true(smpp_addr_parse("Assist Co", true, &a));
	assert_int_equal(a.ton, 5);
	assert_false(smpp_addr_parse("Twelve chars", true, &a));
	assert_false(smpp_addr_parse("+", false, &a));
	assert_false(smpp_addr_parse("+7916a", true, &a));
	assert_false(smpp_addr_parse("", true, &a));
	assert_false(smpp_addr_parse("Привет", true, &a));
	assert_false(smpp_addr_parse(NULL, true, &a));
}

static void t_submit_resp(void **state)
{
	(void)state;
	char id[RECEIPT_ID_MAX];
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_cstr(&pdu, "00ABCdef");
	pb_end(&pdu);
	assert_true(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	assert_string_equal(id, "00ABCdef");
	/* no body */
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_end(&pdu);
	assert_true(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	assert_string_equal(id, "");
	/* unterminated: the reader stops at the PDU's end */
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_bytes(&pdu, "ABC", 3);
	pb_end(&pdu);
	memset(pdu.b + pdu.n, 'Z', 16); /* what lies beyond is not read */
	assert_false(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	/* 64 characters fit, 65 do not */
	char long_id[70];
	memset(long_id, '9', 64);
	long_id[64] = '\0';
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_cstr(&pdu, long_id);
	pb_end(&pdu);
	assert_true(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	assert_string_equal(id, long_id);
	long_id[64] = '9';
	long_id[65] = '\0';
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_cstr(&pdu, long_id);
	pb_end(&pdu);
	assert_false(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	/* an SMPP 5.0 SMSC's TLVs after the id are left alone */
	pb_start(&pdu, SMPP_SUBMIT_SM_RESP, 0, 4);
	pb_cstr(&pdu, "42");
	pb_tlv(&pdu, 0x0425, "\x01", 1);
	pb_end(&pdu);
	assert_true(smpp_pdu_submit_resp_id(pdu.b, pdu.n, id));
	assert_string_equal(id, "42");
}

static void t_receipt_text(void **state)
{
	(void)state;
	const char *txt = "id:B2D05E00 sub:001 dlvrd:001 submit date:2511290215 done date:2511290216 "
			  "stat:UNDELIV err:001 text:Hello";
	/* a vendor TON (7) and NPI that libsmpp34 would refuse */
	pb_deliver(&pdu, 7, "79161234567", "Assist", SMPP_ESM_TYPE_RECEIPT, 0, txt, (uint8_t)strlen(txt));
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_true(d.is_receipt);
	assert_string_equal(d.receipt_id, "B2D05E00");
	assert_string_equal(d.text_id, "B2D05E00");
	assert_int_equal(d.state, RECEIPT_UNDELIVERABLE);
	assert_true(d.has_err);
	assert_int_equal(d.err, 1);
	assert_string_equal(d.from, "79161234567"); /* TON 7: no '+' */
	assert_string_equal(d.to, "Assist");
	assert_string_equal(d.text, txt);
}

static void t_receipt_tlv(void **state)
{
	(void)state;
	/* receipted_message_id and message_state win over the text; the
	 * text's id is kept when it is written differently */
	const char *txt = "id:3000000000 stat:DELIVRD err:000";
	pb_deliver(&pdu, 1, "79161234567", "4444", SMPP_ESM_TYPE_RECEIPT, 0, txt, (uint8_t)strlen(txt));
	pb_tlv(&pdu, 0x001E, "b2d05e00", 9);
	pb_tlv(&pdu, 0x0427, "\x05", 1);
	pb_tlv(&pdu, 0x0423, "\x03\x00\x1b", 3);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_true(d.is_receipt);
	assert_string_equal(d.receipt_id, "b2d05e00");
	assert_string_equal(d.text_id, "3000000000");
	assert_int_equal(d.state, RECEIPT_UNDELIVERABLE);
	assert_int_equal(d.err, 0); /* the text's err first */
	assert_string_equal(d.from, "+79161234567");

	/* TLVs only, no text, esm_class 0: receipted_message_id says receipt */
	pb_deliver(&pdu, 1, "79161234567", "4444", 0, 0, "", 0);
	pb_tlv(&pdu, 0x0427, "\x03", 1);
	pb_tlv(&pdu, 0x001E, "77", 3);
	pb_tlv(&pdu, 0x0423, "\x03\x00\x1b", 3);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_true(d.is_receipt);
	assert_string_equal(d.receipt_id, "77");
	assert_string_equal(d.text_id, "");
	assert_int_equal(d.state, RECEIPT_EXPIRED);
	assert_true(d.has_err);
	assert_int_equal(d.err, 27); /* from network_error_code */

	/* a message_state of the wrong length is ignored, not misread */
	pb_deliver(&pdu, 1, "1", "2", SMPP_ESM_TYPE_RECEIPT, 0, txt, (uint8_t)strlen(txt));
	pb_tlv(&pdu, 0x0427, "\x00\x05", 2);
	pb_tlv(&pdu, 0x001E, "", 0); /* an empty one too */
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_int_equal(d.state, RECEIPT_DELIVERED);
	assert_string_equal(d.receipt_id, "3000000000");

	/* a receipt sent as a plain message (esm_class 0) */
	pb_deliver(&pdu, 1, "1", "2", 0, 0, txt, (uint8_t)strlen(txt));
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_true(d.is_receipt);
	/* an esm_class receipt whose text is no receipt: no id, no state */
	pb_deliver(&pdu, 1, "1", "2", SMPP_ESM_TYPE_RECEIPT, 0, "garbage", 7);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_true(d.is_receipt);
	assert_string_equal(d.receipt_id, "");
	assert_int_equal(d.state, RECEIPT_NONE);
}

static void t_inbound(void **state)
{
	(void)state;
	/* GSM 7-bit, one septet per octet */
	pb_deliver(&pdu, 1, "79161234567", "4444", 0, 0, "Hello @", 7);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_false(d.is_receipt);
	/* '@' is septet 0x40 = '¡' in GSM; the byte 0x00 is '@' */
	assert_string_equal(d.text, "Hello ¡");
	assert_false(d.concat.present);
	/* UCS-2 Russian, with a UDH */
	const uint8_t ru[] = {5, 0, 3, 9, 2, 1, 0x04, 0x1F, 0x04, 0x40, 0x04, 0x38};
	pb_deliver(&pdu, 1, "79161234567", "4444", SMPP_ESM_UDHI, 8, ru, sizeof ru);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_string_equal(d.text, "При");
	assert_true(d.concat.present);
	assert_int_equal(d.concat.ref, 9);
	assert_int_equal(d.concat.total, 2);
	assert_int_equal(d.concat.seq, 1);
	/* message_payload when short_message is empty, parts from sar_* TLVs */
	const uint8_t zh[] = {0x4F, 0x60, 0x59, 0x7D};
	pb_deliver(&pdu, 1, "79161234567", "4444", 0, 8, "", 0);
	pb_tlv(&pdu, 0x0424, zh, sizeof zh);
	pb_tlv(&pdu, 0x020C, "\x01\x02", 2);
	pb_tlv(&pdu, 0x020E, "\x03", 1);
	pb_tlv(&pdu, 0x020F, "\x02", 1);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_string_equal(d.text, "你好");
	assert_true(d.concat.present);
	assert_int_equal(d.concat.ref, 0x102);
	assert_int_equal(d.concat.total, 3);
	assert_int_equal(d.concat.seq, 2);
	/* a coding we cannot read is refused for good */
	pb_deliver(&pdu, 1, "1", "2", 0, 4, "\x01\x02", 2);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RX_P_APPN);
	/* an odd UCS-2 length too */
	pb_deliver(&pdu, 1, "1", "2", 0, 8, "\x04\x1F\x04", 3);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RX_P_APPN);
}

static void t_deliver_odd(void **state)
{
	(void)state;
	/* vendor TLVs, many of them, are skipped (libsmpp34's log would
	 * overflow on them); a schedule time is tolerated */
	pb_start(&pdu, SMPP_DELIVER_SM, 0, 1);
	pb_cstr(&pdu, "CMT");
	pb_u8(&pdu, 1);
	pb_u8(&pdu, 9);
	pb_cstr(&pdu, "79161234567");
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_cstr(&pdu, "4444");
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_cstr(&pdu, "251129021500000+");
	pb_cstr(&pdu, "");
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 0);
	pb_u8(&pdu, 2);
	pb_bytes(&pdu, "Hi", 2);
	for (int i = 0; i < 300; i++)
		pb_tlv(&pdu, (uint16_t)(0x1400 + i), "vendor", 6);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_string_equal(d.text, "Hi");
	assert_string_equal(d.from, "+79161234567");

	/* a TLV running past the PDU */
	pb_deliver(&pdu, 1, "1", "2", 0, 0, "Hi", 2);
	pb_u16(&pdu, 0x0427);
	pb_u16(&pdu, 5);
	pb_u8(&pdu, 1);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVOPTPARSTREAM);
	/* a TLV header cut short */
	pb_deliver(&pdu, 1, "1", "2", 0, 0, "Hi", 2);
	pb_u16(&pdu, 0x0427);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVOPTPARSTREAM);
	/* a message_payload longer than libsmpp34 reads */
	static uint8_t payload[1100];
	pb_deliver(&pdu, 1, "1", "2", 0, 0, "", 0);
	pb_tlv(&pdu, 0x0424, payload, 1025);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVPARLEN);
	pb_deliver(&pdu, 1, "1", "2", 0, 3, "", 0);
	memset(payload, 'a', 1024);
	pb_tlv(&pdu, 0x0424, payload, 1024);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_int_equal(d.text_len, 1024);
	/* a source address of 21 characters has no room for its NUL */
	pb_deliver(&pdu, 1, "123456789012345678901", "2", 0, 0, "Hi", 2);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVSRCADR);
	pb_deliver(&pdu, 1, "1", "123456789012345678901", 0, 0, "Hi", 2);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVDSTADR);
	/* sm_length past the PDU, and 255 */
	pb_deliver(&pdu, 1, "1", "2", 0, 0, "Hi", 2);
	pdu.b[pdu.n - 3] = 200;
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVMSGLEN);
	static uint8_t sm255[255];
	pb_deliver(&pdu, 1, "1", "2", 0, 0, sm255, 255);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVMSGLEN);
	/* unterminated service_type at the very end */
	pb_start(&pdu, SMPP_DELIVER_SM, 0, 1);
	pb_bytes(&pdu, "CMT", 3);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVMSGLEN);
	/* a header alone */
	pb_start(&pdu, SMPP_DELIVER_SM, 0, 1);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), SMPP_ESME_RINVMSGLEN);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, 8, &d), SMPP_ESME_RINVCMDLEN);
	/* a non-printable address is shown with '?' */
	pb_deliver(&pdu, 1, "12\x01", "2", 0, 0, "Hi", 2);
	pb_end(&pdu);
	assert_int_equal(smpp_pdu_deliver_read(pdu.b, pdu.n, &d), 0);
	assert_string_equal(d.from, "12?");
}

static void t_url(void **state)
{
	(void)state;
	struct smpp_url u;
	const char *why;
	assert_true(smpp_url_parse("smpp://assist:secret@127.0.0.1:2776", &u, &why));
	assert_string_equal(u.system_id, "assist");
	assert_string_equal(u.password, "secret");
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 2776);
	assert_true(smpp_url_parse("smpp://id:p%40ss%3Aw@smsc.example.com/", &u, &why));
	assert_string_equal(u.password, "p@ss:w");
	assert_string_equal(u.host, "smsc.example.com");
	assert_int_equal(u.port, 2775);
	assert_true(smpp_url_parse("smpp://id:a:b@[::1]:9000", &u, &why)); /* ':' after the first is the password's */
	assert_string_equal(u.password, "a:b");
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 9000);
	assert_true(smpp_url_parse("smpp://id:@h:1", &u, &why)); /* an empty password */
	assert_string_equal(u.password, "");

	static const char *bad[] = {
		NULL, "", "http://id:pw@h:1", "smpp://h:1", "smpp://idpw@h:1", "smpp://:pw@h:1",
		"smpp://id:pw@:1", "smpp://id:pw@h:0", "smpp://id:pw@h:65536", "smpp://id:pw@h:1234567",
		"smpp://id:pw@h:x", "smpp://id:pw@h:1/path", "smpp://id:pw@h:1?q", "smpp://id:pw@h:1#f",
		"smpp://id:p@w@h:1", "smpp://id:123456789@h:1", "smpp://sixteen-chars-id:pw@h:1",
		"smpp://id:p%4@h:1", "smpp://id:p%zz@h:1", "smpp://id:p%0Aw@h:1", "smpp://id:p%00@h:1",
		"smpp://id:pw@h h:1", "smpp://id:pw@h_x:1", "smpp://id:pw@[::1", "smpp://id:pw@[]:1",
		"smpp://id:pw@[zz]:1", "smpp://id:p/w@h:1", "smpp://id:pw@h:1:2", "smpp://id:pw@h:-1",
		"smpp://id:пароль@h:1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		assert_false(smpp_url_parse(bad[i], &u, &why));
		assert_non_null(why);
		/* the message never repeats the password */
		assert_null(strstr(why, "pw"));
	}
	struct smpp_config cfg;
	memset(&cfg, 0, sizeof cfg);
	assert_true(smpp_url_parse("smpp://assist:secret@127.0.0.1:2776", &u, &why));
	smpp_url_apply(&u, &cfg);
	struct err e;
	err_clear(&e);
	assert_int_equal(smpp_config_check(&cfg, &e), RES_OK);
	cfg.window = SMPP_WINDOW_MAX + 1;
	assert_int_equal(smpp_config_check(&cfg, &e), RES_INVALID);
	assert_string_equal(e.field, "window");
	cfg.window = 0;
	cfg.source_addr = "Twelve chars";
	assert_int_equal(smpp_config_check(&cfg, &e), RES_INVALID);
	assert_string_equal(e.field, "source_addr");
	cfg.source_addr = NULL;
	cfg.max_per_second = -1;
	assert_int_equal(smpp_config_check(&cfg, &e), RES_INVALID);
	assert_null(smpp_start(&cfg, NULL));
}

static void t_status_names(void **state)
{
	(void)state;
	assert_string_equal(smpp_status_name(0x58), "ESME_RTHROTTLED");
	assert_string_equal(smpp_status_name(0x0E), "ESME_RINVPASWD");
	assert_string_equal(smpp_status_name(0x400), "");
	assert_string_equal(smpp_status_name(SMPP_STATUS_LINK_LOST), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_frame),        cmocka_unit_test(t_write),
		cmocka_unit_test(t_addr),         cmocka_unit_test(t_submit_resp),
		cmocka_unit_test(t_receipt_text), cmocka_unit_test(t_receipt_tlv),
		cmocka_unit_test(t_inbound),      cmocka_unit_test(t_deliver_odd),
		cmocka_unit_test(t_url),          cmocka_unit_test(t_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
