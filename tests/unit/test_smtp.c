/* Unit tests for src/jobs/smtp.c without a server: the URL, addresses, the
 * checks of a message, RFC 2047 subjects, line ends, the body encoding
 * choice, RFC 2231 file names, masking of replies, the failure classes,
 * and a send to a port nobody listens on. The exchange with a real server
 * is tests/api/mail.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "../../src/jobs/smtp.c"

static void url_ok(const char *url, bool tls, const char *host, int port, const char *user,
		   const char *password)
{
	struct smtp_url u;
	struct err e;
	err_clear(&e);
	if (smtp_url_parse(url, &u, &e))
		fail_msg("%s: %s", url, e.message);
	assert_int_equal(u.tls, tls);
	assert_string_equal(u.host, host);
	assert_int_equal(u.port, port);
	assert_int_equal(u.has_user, user != NULL);
	if (user) {
		assert_string_equal(u.user, user);
		assert_string_equal(u.password, password);
	}
}

static void url_bad(const char *url, const char *secret)
{
	struct smtp_url u;
	struct err e;
	err_clear(&e);
	assert_int_equal(smtp_url_parse(url, &u, &e), RES_INVALID);
	assert_string_equal(e.field, "smtp_url");
	if (secret && strstr(e.message, secret))
		fail_msg("the message for %s repeats the password: %s", url, e.message);
}

static void t_url(void **state)
{
	(void)state;
	url_ok("smtp://127.0.0.1:2525", false, "127.0.0.1", 2525, NULL, NULL);
	url_ok("smtp://mail.example.com", false, "mail.example.com", 25, NULL, NULL);
	url_ok("smtps://mail.example.com", true, "mail.example.com", 465, NULL, NULL);
	url_ok("smtp://mail.example.com:587/", false, "mail.example.com", 587, NULL, NULL);
	url_ok("smtp://u:p@h:1", false, "h", 1, "u", "p");
	url_ok("smtp://user%40corp:p%40ss%3Aw%2Frd%25@relay:587", false, "relay", 587, "user@corp",
	       "p@ss:w/rd%");
	url_ok("smtp://user@relay:25", false, "relay", 25, "user", "");
	url_ok("smtp://user:@relay:25", false, "relay", 25, "user", "");
	url_ok("smtp://u:%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C@[::1]:2525", false, "[::1]", 2525, "u",
	       "пароль");
	url_ok("smtps://[2001:db8::1]", true, "[2001:db8::1]", 465, NULL, NULL);
	url_ok("smtp://u:a!$&'()*+,;=-._~@h:25", false, "h", 25, "u", "a!$&'()*+,;=-._~");

	url_bad(NULL, NULL);
	url_bad("http://h:25", NULL);
	url_bad("SMTP://h:25", NULL);
	url_bad("smtp://", NULL);
	url_bad("smtp://:25", NULL);
	url_bad("smtp://h:0", NULL);
	url_bad("smtp://h:65536", NULL);
	url_bad("smtp://h:-1", NULL);
	url_bad("smtp://h:", NULL);
	url_bad("smtp://h:25x", NULL);
	url_bad("smtp://h:25/path", NULL);
	url_bad("smtp://h:25?x=1", NULL);
	url_bad("smtp://h_x:25", NULL);
	url_bad("smtp://h x:25", NULL);
	url_bad("smtp://[::1:25", NULL);
	url_bad("smtp://[]:25", NULL);
	url_bad("smtp://[::1]x:25", NULL);
	url_bad("smtp://:secret1@h:25", "secret1");
	url_bad("smtp://u:sec@ret2@h:25", "ret2");
	url_bad("smtp://u:secret3%4@h:25", "secret3");
	url_bad("smtp://u:secret4%zz@h:25", "secret4");
	url_bad("smtp://u:secret5%0A@h:25", "secret5"); /* a line break in a password */
	url_bad("smtp://u:se cret6@h:25", "cret6");
	url_bad("smtp://u:secret7/x@h:25", "secret7");
	char long_pw[400] = "smtp://u:";
	memset(long_pw + 9, 'p', 300);
	snprintf(long_pw + 309, sizeof long_pw - 309, "@h:25");
	url_bad(long_pw, NULL);
}

static void t_config(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct smtp_config ok = {.url = "smtp://127.0.0.1:2525"};
	assert_int_equal(smtp_config_check(&ok, &e), RES_OK);
	struct smtp_config both = {.url = "smtp://u:p@127.0.0.1:2525", .user = "u", .password = "p"};
	assert_int_equal(smtp_config_check(&both, &e), RES_INVALID);
	assert_null(smtp_open(&both));
	struct smtp_config nouser = {.url = "smtp://h:25", .password = "p"};
	assert_int_equal(smtp_config_check(&nouser, &e), RES_INVALID);
	struct smtp_config badhelo = {.url = "smtp://h:25", .helo = "bad name"};
	assert_int_equal(smtp_config_check(&badhelo, &e), RES_INVALID);
	assert_string_equal(e.field, "helo");
	struct smtp_config baddomain = {.url = "smtp://h:25", .msgid_domain = "a@b"};
	assert_int_equal(smtp_config_check(&baddomain, &e), RES_INVALID);
	struct smtp_config badurl = {.url = "smtp://h:99999"};
	assert_null(smtp_open(&badurl));
	struct smtp_conn *c = smtp_open(&ok);
	assert_non_null(c);
	smtp_close(c);
	smtp_close(NULL);
}

static void t_addresses(void **state)
{
	(void)state;
	const char *good[] = {"ivan.petrov@mail.ru", "a@b.c", "x+tag@example.com", "o'neil@ex-ample.co.uk",
			      "user_1@127.0.0.1"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(smtp_address_valid(good[i]));
	const char *bad[] = {NULL, "", "a@", "@b.c", "ab.c", "a@@b.c", "a@b@c", "a b@c.d", "a@b.c\r\nRCPT TO:<x@y>",
			     "<a@b.c>", "a@b.c>", "иван@mail.ru", "a@почта.рф", "a@b_c.d", "a@.b", "a@b.",
			     "a\"b@c.d", "a@b.c,", "a;b@c.d"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (smtp_address_valid(bad[i]))
			fail_msg("accepted %s", bad[i] ? bad[i] : "NULL");
	char longest[SMTP_ADDR_MAX + 2];
	memset(longest, 'a', sizeof longest);
	longest[0] = 'x';
	longest[1] = '@';
	longest[SMTP_ADDR_MAX] = '\0';
	assert_true(smtp_address_valid(longest));
	longest[SMTP_ADDR_MAX] = 'a';
	longest[SMTP_ADDR_MAX + 1] = '\0';
	assert_false(smtp_address_valid(longest));
}

static void t_mail_check(void **state)
{
	(void)state;
	const char *to[] = {"a@b.c"};
	static const char pdf[] = "%PDF-1.4";
	struct mail_attachment att = {.name = "Полис №1.pdf", .content_type = "application/pdf",
				      .data = pdf, .len = sizeof pdf - 1};
	struct mail m = {.from = "from@x.ru", .to = to, .nto = 1, .subject = "Тема\tс табом",
			 .text = "t", .text_len = 1, .attachments = &att, .nattachments = 1,
			 .message_key = "message-1"};
	const char *field;
	assert_null(mail_check(&m, &field));
	struct mail b = m;
	b.subject = "two\r\nlines";
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "subject");
	b = m;
	b.nto = 0;
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "to");
	b = m;
	b.text = "\xff";
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "text");
	b = m;
	b.text = "a\0b";
	b.text_len = 3;
	assert_non_null(mail_check(&b, &field));
	b = m;
	b.message_key = "has space";
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "message_key");
	b.message_key = NULL;
	assert_non_null(mail_check(&b, &field));
	b = m;
	b.from_name = "Evil\r\nBcc: x@y";
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "from_name");
	struct mail_attachment a2 = att;
	b = m;
	b.attachments = &a2;
	a2.name = "../etc/passwd";
	assert_non_null(mail_check(&b, &field));
	assert_string_equal(field, "attachments");
	a2.name = "x.pdf";
	a2.content_type = "application/pdf\r\nX: y";
	assert_non_null(mail_check(&b, &field));
	a2.content_type = "pdf";
	assert_non_null(mail_check(&b, &field));
	a2.content_type = "application/pdf";
	a2.len = SMTP_ATTACH_TOTAL_MAX + 1;
	assert_non_null(mail_check(&b, &field));
}

/* Decode the encoded-words of a header value back to UTF-8 (a reader's view). */
static void decode_words(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	while (*s) {
		if (strncmp(s, "=?UTF-8?B?", 10) == 0) {
			s += 10;
			unsigned v = 0;
			int bits = 0;
			for (; *s && *s != '?'; s++) {
				const char *p = strchr(b64, *s);
				if (*s == '=' || !p)
					continue;
				v = v << 6 | (unsigned)(p - b64);
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					assert_true(o + 1 < cap);
					out[o++] = (char)(v >> bits & 0xff);
				}
			}
			assert_true(strncmp(s, "?=", 2) == 0);
			s += 2;
		} else if (strncmp(s, "\r\n ", 3) == 0) {
			s += 3; /* a fold between encoded-words is dropped */
		} else {
			assert_true(o + 1 < cap);
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

static void assert_subject(const char *subject, bool encoded)
{
	struct buf b;
	buf_init(&b, SMTP_HEADER_MAX);
	assert_int_equal(put_header_text(&b, subject, strlen(subject)), RES_OK);
	assert_int_equal(strncmp(b.data, "=?UTF-8?B?", 10) == 0, encoded);
	/* every line of the folded header fits 78 characters, every word 75 */
	const char *line = b.data;
	for (;;) {
		const char *end = strstr(line, "\r\n");
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (encoded)
			assert_true(n <= 76); /* the leading space of a folded line and a 75-character word */
		if (!end)
			break;
		line = end + 2;
	}
	char back[2048];
	decode_words(b.data, back, sizeof back);
	assert_string_equal(back, subject);
	buf_free(&b);
}

static void t_subject(void **state)
{
	(void)state;
	assert_subject("Policy renewal", false);
	assert_subject("Напоминание о продлении полиса", true);
	assert_subject("保单续期提醒", true);
	assert_subject("Mixed: полис 保单 policy", true);
	assert_subject("an ASCII subject that is longer than sixty-six characters, so it is encoded", true);
	assert_subject("looks like =?UTF-8?B?eA==?= an encoded word", true);
	/* long texts are cut between characters, never inside one */
	char longest[SMTP_SUBJECT_MAX + 1] = "";
	size_t used = 0;
	while (used + strlen("Ё保") < SMTP_SUBJECT_MAX)
		used += (size_t)snprintf(longest + used, sizeof longest - used, "%s", "Ё保");
	assert_subject(longest, true);
	struct buf b;
	buf_init(&b, SMTP_HEADER_MAX);
	/* a subject with 4-byte characters (emoji) */
	assert_int_equal(put_header_text(&b, "\xf0\x9f\x9a\x91 ambulance", 14), RES_OK);
	buf_free(&b);
}

static void t_body_pieces(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(put_crlf(&b, "a\nb\r\nc\rd\n", 9), RES_OK);
	assert_string_equal(b.data, "a\r\nb\r\nc\r\nd\r\n");
	buf_reset(&b);
	assert_int_equal(put_crlf(&b, "no line end", 11), RES_OK);
	assert_string_equal(b.data, "no line end");
	buf_free(&b);
	assert_string_equal(body_encoder("Hello, world", 12), "quoted-printable");
	const char *ru = "Здравствуйте";
	assert_string_equal(body_encoder(ru, strlen(ru)), "base64");
	const char *mostly = "Policy NORD-2026-000123 for Ivanov I. (Иванов) is renewed on 2026-04-01.";
	assert_string_equal(body_encoder(mostly, strlen(mostly)), "quoted-printable");

	buf_init(&b, 1024);
	assert_int_equal(put_disposition(&b, "Полис.pdf"), RES_OK);
	assert_string_equal(b.data, "Content-Disposition: attachment; filename=\"file.pdf\";\r\n "
				    "filename*=UTF-8''%D0%9F%D0%BE%D0%BB%D0%B8%D1%81.pdf");
	buf_reset(&b);
	assert_int_equal(put_disposition(&b, "保单"), RES_OK);
	assert_string_equal(b.data, "Content-Disposition: attachment; filename=\"file\";\r\n "
				    "filename*=UTF-8''%E4%BF%9D%E5%8D%95");
	buf_free(&b);

	char d[40];
	format_date(0, d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	format_date(1774744200LL * 1000000, d);
	assert_string_equal(d, "Sun, 29 Mar 2026 00:30:00 +0000");
}

static void t_clean_text(void **state)
{
	(void)state;
	char out[256];
	clean_text("550 5.1.1 <perm@example.com>: Recipient address rejected\r\n", out, sizeof out);
	assert_string_equal(out, "550 5.1.1 <p***@example.com>: Recipient address rejected");
	clean_text("451 try later for ivan.petrov@mail.ru, thanks", out, sizeof out);
	assert_string_equal(out, "451 try later for i***@mail.ru, thanks");
	clean_text("250 OK\tqueued\x01", out, sizeof out);
	assert_string_equal(out, "250 OK queued");
	clean_text("", out, sizeof out);
	assert_string_equal(out, "");
	/* cut short at a character boundary */
	char small[8];
	clean_text("550 Ошибка", small, sizeof small);
	assert_string_equal(small, "550 О");
	clean_text("550 ab", small, 4);
	assert_string_equal(small, "550");
}

static void t_classify(void **state)
{
	(void)state;
	struct smtp_result r;
	memset(&r, 0, sizeof r);
	smtp_classify(CURLE_OK, 250, SMTP_STAGE_DATA, &r);
	assert_int_equal(r.outcome, SMTP_OK);
	smtp_classify(CURLE_SEND_ERROR, 451, SMTP_STAGE_RCPT, &r);
	assert_int_equal(r.outcome, SMTP_TEMPORARY);
	assert_false(r.relay);
	smtp_classify(CURLE_SEND_ERROR, 550, SMTP_STAGE_RCPT, &r);
	assert_int_equal(r.outcome, SMTP_PERMANENT);
	assert_false(r.relay);
	smtp_classify(CURLE_WEIRD_SERVER_REPLY, 554, SMTP_STAGE_DATA, &r);
	assert_int_equal(r.outcome, SMTP_PERMANENT);
	smtp_classify(CURLE_LOGIN_DENIED, 535, SMTP_STAGE_AUTH, &r);
	assert_int_equal(r.outcome, SMTP_PERMANENT);
	assert_true(r.relay);
	smtp_classify(CURLE_LOGIN_DENIED, 454, SMTP_STAGE_AUTH, &r);
	assert_int_equal(r.outcome, SMTP_TEMPORARY);
	smtp_classify(CURLE_COULDNT_CONNECT, 0, SMTP_STAGE_CONNECT, &r);
	assert_int_equal(r.outcome, SMTP_TEMPORARY);
	assert_true(r.relay);
	smtp_classify(CURLE_OPERATION_TIMEDOUT, 0, SMTP_STAGE_DATA, &r);
	assert_int_equal(r.outcome, SMTP_TEMPORARY);
	assert_false(r.relay);
	smtp_classify(CURLE_PEER_FAILED_VERIFICATION, 0, SMTP_STAGE_CONNECT, &r);
	assert_int_equal(r.outcome, SMTP_PERMANENT);
	assert_true(r.relay);
	smtp_classify(CURLE_USE_SSL_FAILED, 0, SMTP_STAGE_CONNECT, &r);
	assert_int_equal(r.outcome, SMTP_PERMANENT);
	smtp_classify(CURLE_WEIRD_SERVER_REPLY, 421, SMTP_STAGE_CONNECT, &r);
	assert_int_equal(r.outcome, SMTP_TEMPORARY);
	assert_true(r.relay);
	assert_string_equal(smtp_outcome_name(SMTP_TEMPORARY), "temporary");
	assert_string_equal(smtp_stage_name(SMTP_STAGE_RCPT), "rcpt");
	assert_string_equal(smtp_stage_name((enum smtp_stage)99), "none");
}

static void t_send_without_server(void **state)
{
	(void)state;
	/* port 1 on loopback: nobody listens, the connection is refused at once */
	struct smtp_config cfg = {.url = "smtp://127.0.0.1:1", .connect_timeout_ms = 2000};
	struct smtp_conn *c = smtp_open(&cfg);
	assert_non_null(c);
	const char *to[] = {"ivan.petrov@mail.ru"};
	struct mail m = {.from = "assist@example.com", .to = to, .nto = 1, .subject = "Тест",
			 .text = "Текст", .text_len = strlen("Текст"), .message_key = "message-42"};
	struct smtp_result r;
	assert_int_equal(smtp_send(c, &m, &r), SMTP_TEMPORARY);
	assert_int_equal(r.stage, SMTP_STAGE_CONNECT);
	assert_true(r.relay);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.message_id, "<assist.message-42@example.com>");
	assert_true(r.detail[0] != '\0');
	/* an invalid message is refused before anything is sent */
	m.to = (const char *[]){"not an address"};
	assert_int_equal(smtp_send(c, &m, &r), SMTP_PERMANENT);
	assert_int_equal(r.stage, SMTP_STAGE_NONE);
	assert_string_equal(r.detail, "to holds an address that is not valid");
	smtp_close(c);

	/* the Message-ID domain from the configuration */
	cfg.msgid_domain = "assist.example.org";
	c = smtp_open(&cfg);
	m.to = to;
	smtp_send(c, &m, &r);
	assert_string_equal(r.message_id, "<assist.message-42@assist.example.org>");
	smtp_close(c);
}

/* A relay that takes one message and then never answers QUIT. */
static void *silent_relay(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	FILE *in = fdopen(dup(fd), "r");
	char line[1024];
	bool data = false;
	(void)!write(fd, "220 silent\r\n", 12);
	while (in && fgets(line, sizeof line, in)) {
		const char *answer = NULL;
		if (data) {
			if (strcmp(line, ".\r\n") == 0) {
				data = false;
				answer = "250 ok\r\n";
			}
		} else if (strncmp(line, "EHLO", 4) == 0 || strncmp(line, "MAIL", 4) == 0 ||
			   strncmp(line, "RCPT", 4) == 0) {
			answer = "250 ok\r\n";
		} else if (strncmp(line, "DATA", 4) == 0) {
			data = true;
			answer = "354 go on\r\n";
		}
		if (answer)
			(void)!write(fd, answer, strlen(answer));
	}
	if (in)
		fclose(in);
	close(fd);
	return NULL;
}

static void t_close_does_not_wait_for_quit(void **state)
{
	(void)state;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, silent_relay, &lfd), 0);
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));
	struct smtp_config cfg = {.url = url, .timeout_ms = 30000};
	struct smtp_conn *c = smtp_open(&cfg);
	const char *to[] = {"a@example.com"};
	struct mail m = {.from = "b@example.com", .to = to, .nto = 1, .subject = "s", .text = "t",
			 .text_len = 1, .message_key = "k"};
	struct smtp_result r;
	assert_int_equal(smtp_send(c, &m, &r), SMTP_OK);
	assert_string_equal(r.text, "250 ok");
	int64_t t0 = clock_mono_us();
	smtp_close(c); /* QUIT goes out, the silence is not waited for */
	assert_true(clock_mono_us() - t0 < 2000000);
	pthread_join(th, NULL);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_url),        cmocka_unit_test(t_config),
		cmocka_unit_test(t_addresses),  cmocka_unit_test(t_mail_check),
		cmocka_unit_test(t_subject),    cmocka_unit_test(t_body_pieces),
		cmocka_unit_test(t_clean_text), cmocka_unit_test(t_classify),
		cmocka_unit_test(t_send_without_server), cmocka_unit_test(t_close_does_not_wait_for_quit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
