/* libFuzzer target: a search box query as GET /api/v1/search takes it apart
 * (core/search.c) and the name words' forms (text/translit.c); every word
 * must keep its promises ([a-z0-9] Latin form, bounded, UTF-8 original). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "core/search.h"
#include "text/translit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data;
	if (size > SEARCH_Q_MAX || !str_utf8_valid(q, size))
		return 0;
	struct search_parsed p;
	if (!search_parse(q, size, &p))
		return 0;
	if (strlen(p.names) > SEARCH_Q_MAX || strlen(p.phone) > PHONE_E164_MAX ||
	    (p.birth_date[0] && strlen(p.birth_date) != 10) || p.npolicies > SEARCH_TOKENS_MAX)
		abort();
	struct arena a;
	arena_init(&a, 4096, 1u << 20);
	struct tl_word *w;
	size_t n;
	if (translit_words(p.names, strlen(p.names), &a, &w, &n, NULL) == RES_OK) {
		for (size_t i = 0; i < n; i++) {
			size_t ln = strlen(w[i].latin), on = strlen(w[i].orig);
			if (!ln || ln > TRANSLIT_WORD_MAX || !on || on > TRANSLIT_WORD_MAX ||
			    !str_utf8_valid(w[i].orig, on))
				abort();
			for (size_t k = 0; k < ln; k++)
				if (!((w[i].latin[k] >= 'a' && w[i].latin[k] <= 'z') ||
				      (w[i].latin[k] >= '0' && w[i].latin[k] <= '9')))
					abort();
			if (i > 0 && search_word_sim(w[i].latin, w[i - 1].latin) > 1000)
				abort();
		}
	}
	arena_free(&a);
	return 0;
}
