#include "core/sms.h"

#include <string.h>

/* GSM 03.38 basic table: the Unicode code point of each septet. 0x1B is the
 * escape to the extension table. */
static const uint16_t gsm_basic[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x000A,
	0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5, 0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9,
	0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x001B, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x0020,
	0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B,
	0x002C, 0x002D, 0x002E, 0x002F, 0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036,
	0x0037, 0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F, 0x00A1, 0x0041,
	0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x004A, 0x004B, 0x004C,
	0x004D, 0x004E, 0x004F, 0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x0061, 0x0062,
	0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D,
	0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078,
	0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* The extension table: septet after the escape, and its code point. */
static const struct {
	uint8_t septet;
	uint16_t cp;
} gsm_ext[] = {
	{0x0A, 0x000C}, {0x14, 0x005E}, {0x28, 0x007B}, {0x29, 0x007D}, {0x2F, 0x005C},
	{0x3C, 0x005B}, {0x3D, 0x007E}, {0x3E, 0x005D}, {0x40, 0x007C}, {0x65, 0x20AC},
};
#define GSM_ESC 0x1B

/* One code point from UTF-8 at s[*i] (n bytes); -1 when malformed
 * (overlong forms, surrogates and values past U+10FFFF included). */
static int32_t utf8_next(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = n - *i;
	uint32_t c = p[0];
	size_t len;
	uint32_t min;
	if (c < 0x80) {
		*i += 1;
		return (int32_t)c;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return -1;
	}
	if (left < len)
		return -1;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (p[k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*i += len;
	return (int32_t)c;
}

/* Septets of code point cp: 1 (basic), 2 (escape + extension) or 0 (not in GSM 7-bit). */
static int gsm_septets(uint32_t cp, uint8_t out[2])
{
	if (cp == GSM_ESC)
		return 0;
	for (int k = 0; k < 128; k++)
		if (gsm_basic[k] == cp) {
			out[0] = (uint8_t)k;
			return 1;
		}
	for (size_t k = 0; k < sizeof gsm_ext / sizeof gsm_ext[0]; k++)
		if (gsm_ext[k].cp == cp) {
			out[0] = GSM_ESC;
			out[1] = gsm_ext[k].septet;
			return 2;
		}
	return 0;
}

bool sms_gsm7_ok(const char *utf8, size_t n)
{
	size_t i = 0;
	uint8_t sp[2];
	while (i < n) {
		int32_t cp = utf8_next(utf8, n, &i);
		if (cp < 0 || !gsm_septets((uint32_t)cp, sp))
			return false;
	}
	return true;
}

/* The units of one code point in a coding. */
static size_t cp_units(uint32_t cp, enum sms_coding coding)
{
	uint8_t sp[2];
	if (coding == SMS_GSM7)
		return (size_t)gsm_septets(cp, sp);
	return cp > 0xFFFF ? 2 : 1;
}

/* Walk the text as parts: calls back nothing, just counts; or, with parts,
 * writes them. Returns false on invalid UTF-8 or too many parts. */
static bool walk(const char *s, size_t n, enum sms_coding coding, uint8_t ref,
		 struct sms_part *parts, size_t max, size_t *nparts, size_t *units_out)
{
	/* total units first: one message or several */
	size_t total = 0, i = 0;
	while (i < n) {
		int32_t cp = utf8_next(s, n, &i);
		if (cp < 0)
			return false;
		total += cp_units((uint32_t)cp, coding);
	}
	size_t single = coding == SMS_GSM7 ? SMS_GSM7_SINGLE : SMS_UCS2_SINGLE;
	size_t multi = coding == SMS_GSM7 ? SMS_GSM7_MULTI : SMS_UCS2_MULTI;
	bool many = total > single;
	size_t cap = many ? multi : single;
	/* count the parts: a character is never split between two */
	size_t count = total ? 1 : 0, used = 0;
	for (i = 0; i < n;) {
		size_t u = cp_units((uint32_t)utf8_next(s, n, &i), coding);
		if (used + u > cap) {
			count++;
			used = 0;
		}
		used += u;
	}
	if (units_out)
		*units_out = total;
	*nparts = count;
	if (count > SMS_MAX_PARTS || (parts && count > max))
		return false;
	if (!parts)
		return true;
	size_t seq = 0;
	struct sms_part *p = NULL;
	used = cap; /* start a part at the first character */
	for (i = 0; i < n;) {
		uint32_t cp = (uint32_t)utf8_next(s, n, &i);
		size_t u = cp_units(cp, coding);
		if (used + u > cap) {
			p = &parts[seq++];
			p->len = 0;
			used = 0;
			if (many) {
				const uint8_t udh[6] = {0x05, 0x00, 0x03, ref, (uint8_t)count, (uint8_t)seq};
				memcpy(p->data, udh, sizeof udh);
				p->len = sizeof udh;
			}
		}
		if (coding == SMS_GSM7) {
			uint8_t sp[2];
			int k = gsm_septets(cp, sp);
			memcpy(p->data + p->len, sp, (size_t)k);
			p->len += (size_t)k;
		} else if (cp > 0xFFFF) {
			uint32_t v = cp - 0x10000;
			uint16_t hi = (uint16_t)(0xD800 | (v >> 10)), lo = (uint16_t)(0xDC00 | (v & 0x3FF));
			p->data[p->len++] = (uint8_t)(hi >> 8);
			p->data[p->len++] = (uint8_t)hi;
			p->data[p->len++] = (uint8_t)(lo >> 8);
			p->data[p->len++] = (uint8_t)lo;
		} else {
			p->data[p->len++] = (uint8_t)(cp >> 8);
			p->data[p->len++] = (uint8_t)cp;
		}
		used += u;
	}
	return true;
}

bool sms_measure(const char *utf8, size_t n, enum sms_coding *coding, size_t *parts,
		 size_t *units)
{
	size_t i = 0;
	while (i < n)
		if (utf8_next(utf8, n, &i) < 0)
			return false;
	*coding = sms_gsm7_ok(utf8, n) ? SMS_GSM7 : SMS_UCS2;
	size_t np = 0;
	walk(utf8, n, *coding, 0, NULL, 0, &np, units);
	*parts = np;
	return true;
}

bool sms_split(const char *utf8, size_t n, uint8_t ref, struct sms_part *parts, size_t max,
	       size_t *nparts, enum sms_coding *coding)
{
	*nparts = 0;
	if (n == 0)
		return false;
	size_t i = 0;
	while (i < n)
		if (utf8_next(utf8, n, &i) < 0)
			return false;
	*coding = sms_gsm7_ok(utf8, n) ? SMS_GSM7 : SMS_UCS2;
	return walk(utf8, n, *coding, ref, parts, max, nparts, NULL);
}

/* Append code point cp to out as UTF-8; false when it does not fit (room
 * for the terminating NUL is kept). */
static bool put_utf8(char *out, size_t cap, size_t *len, uint32_t cp)
{
	char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (*len + k + 1 > cap)
		return false;
	memcpy(out + *len, b, k);
	*len += k;
	return true;
}

/* The user data header: its concatenation element, if any. */
static bool parse_udh(const uint8_t *d, size_t len, size_t *skip, struct sms_concat *c)
{
	if (len < 1 || (size_t)d[0] + 1 > len)
		return false;
	size_t end = (size_t)d[0] + 1;
	for (size_t i = 1; i < end;) {
		if (i + 2 > end)
			return false;
		uint8_t iei = d[i], iel = d[i + 1];
		if (i + 2 + iel > end)
			return false;
		const uint8_t *v = d + i + 2;
		if (iei == 0x00 && iel == 3) {
			*c = (struct sms_concat){true, v[0], v[1], v[2]};
		} else if (iei == 0x08 && iel == 4) {
			*c = (struct sms_concat){true, (unsigned)(v[0] << 8 | v[1]), v[2], v[3]};
		}
		i += 2 + (size_t)iel;
	}
	*skip = end;
	return true;
}

bool sms_decode(const uint8_t *data, size_t len, unsigned data_coding, bool udhi, char *out,
		size_t cap, size_t *outlen, struct sms_concat *concat)
{
	struct sms_concat none = {0};
	*concat = none;
	*outlen = 0;
	if (cap == 0)
		return false;
	out[0] = '\0';
	size_t skip = 0;
	if (udhi && !parse_udh(data, len, &skip, concat))
		return false;
	const uint8_t *d = data + skip;
	size_t n = len - skip, o = 0;
	bool ok = true;
	switch (data_coding) {
	case 0x00:
	case 0x01:
		for (size_t i = 0; ok && i < n; i++) {
			uint8_t s = d[i] & 0x7F;
			if (s == GSM_ESC && i + 1 < n) {
				uint8_t x = d[++i] & 0x7F;
				uint32_t cp = 0x00A0; /* an unknown extension: a no-break space, per 23.038 */
				for (size_t k = 0; k < sizeof gsm_ext / sizeof gsm_ext[0]; k++)
					if (gsm_ext[k].septet == x)
						cp = gsm_ext[k].cp;
				ok = put_utf8(out, cap, &o, cp);
			} else if (s == GSM_ESC) {
				ok = put_utf8(out, cap, &o, 0x20);
			} else {
				ok = put_utf8(out, cap, &o, gsm_basic[s]);
			}
		}
		break;
	case 0x03:
		for (size_t i = 0; ok && i < n; i++)
			ok = put_utf8(out, cap, &o, d[i]);
		break;
	case 0x08:
		if (n % 2)
			return false;
		for (size_t i = 0; ok && i < n; i += 2) {
			uint32_t u = (uint32_t)d[i] << 8 | d[i + 1];
			if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
				uint32_t lo = (uint32_t)d[i + 2] << 8 | d[i + 3];
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
					i += 2;
				} else {
					u = 0xFFFD;
				}
			} else if (u >= 0xD800 && u <= 0xDFFF) {
				u = 0xFFFD; /* a lone surrogate */
			}
			ok = put_utf8(out, cap, &o, u);
		}
		break;
	default:
		return false;
	}
	out[o] = '\0';
	*outlen = o;
	return ok;
}
