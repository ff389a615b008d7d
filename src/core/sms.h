/* SMS text as the network carries it (3GPP TS 23.038 / 23.040): the GSM 7-bit
 * default alphabet with its extension table, or UCS-2 for everything else
 * (Russian, Chinese); long texts split into parts that carry a
 * concatenation header (UDH). Inbound short messages decoded back to UTF-8.
 * Pure. Written here because no Debian library does this job: libsmpp34
 * packs and unpacks PDUs but leaves the text to the caller. */
#ifndef ASSIST_SMS_H
#define ASSIST_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sms_coding {
	SMS_GSM7, /* data_coding 0x00: one septet per octet (unpacked), the SMSC packs */
	SMS_UCS2, /* data_coding 0x08: UTF-16 big-endian (a character beyond the BMP takes two units) */
};
#define SMS_DATA_CODING_GSM7 0x00
#define SMS_DATA_CODING_LATIN1 0x03
#define SMS_DATA_CODING_UCS2 0x08

#define SMS_PART_MAX 166  /* UDH (6) + 160 septets */
#define SMS_MAX_PARTS 255 /* what one concatenation reference can number */

/* Units in one message / in each part of a long one. */
#define SMS_GSM7_SINGLE 160
#define SMS_GSM7_MULTI 153
#define SMS_UCS2_SINGLE 70
#define SMS_UCS2_MULTI 67

struct sms_part {
	uint8_t data[SMS_PART_MAX]; /* short_message: UDH (when parts > 1) and text */
	size_t len;
};

/* Whether every character of a UTF-8 text is in the GSM 7-bit alphabet
 * (basic or extension table). false too for invalid UTF-8. */
bool sms_gsm7_ok(const char *utf8, size_t n);

/* The coding, the number of parts and the units (septets or UTF-16 units)
 * a text needs, without writing the parts: for a preview and for cost.
 * false when the text is not valid UTF-8. */
bool sms_measure(const char *utf8, size_t n, enum sms_coding *coding, size_t *parts,
		 size_t *units);

/* Split a text into parts. A text that fits one message is one part with no
 * header; otherwise each part starts with the 8-bit concatenation header
 * (05 00 03 ref total seq) and an extension character's escape pair or a
 * surrogate pair never straddles two parts. false when the text is not
 * valid UTF-8, is empty, or needs more than max parts. */
bool sms_split(const char *utf8, size_t n, uint8_t ref, struct sms_part *parts, size_t max,
	       size_t *nparts, enum sms_coding *coding);

/* The concatenation header of an inbound part (8- or 16-bit reference). */
struct sms_concat {
	bool present;
	unsigned ref, total, seq;
};

/* Decode an inbound short_message to UTF-8 (NUL-terminated in out of cap
 * bytes). data_coding 0x00 and 0x01 are taken as GSM 7-bit unpacked, 0x03
 * as Latin-1, 0x08 as UCS-2 / UTF-16BE; udhi: the message starts with a
 * user data header (esm_class bit 0x40), whose concatenation element is
 * returned in concat. false on a malformed header, an unknown coding, or
 * out too small. */
bool sms_decode(const uint8_t *data, size_t len, unsigned data_coding, bool udhi, char *out,
		size_t cap, size_t *outlen, struct sms_concat *concat);

#endif
