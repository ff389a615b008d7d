/* The search box (issue 4): GET /api/v1/search?q=&limit=
 * One query finds insured persons by policy number, phone, document, birth
 * date or name in any script; see docs/internals/search.md. The query is
 * personal data: it is never logged (the access log leaves query strings
 * out) and never put into an error message. */
#include <string.h>

#include "api/api.h"
#include "base/str.h"
#include "core/search.h"
#include "text/translit.h"

static const char *const match_names[] = {
	[SEARCH_POLICY_NUMBER] = "policy_number", [SEARCH_PHONE] = "phone",
	[SEARCH_DOCUMENT] = "document",           [SEARCH_BIRTH_DATE] = "birth_date",
	[SEARCH_NAME] = "name",
};

static json_t *hit_policies_json(const struct hit_policy *p, size_t n, int64_t person_id)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (p[i].person_id == person_id)
			json_array_append_new(
				arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "number", p[i].number,
					       "status", p[i].status, "start_date", p[i].start_date,
					       "end_date", p[i].end_date, "program", p[i].program));
	return arr;
}

enum res api_search(struct req *r)
{
	const char *q = req_query(r, "q"), *ls = req_query(r, "limit");
	int64_t limit = 20;
	if (ls && (str_to_i64(ls, strlen(ls), &limit) || limit < 1 || limit > 100))
		return err_set(&r->err, RES_INVALID, "invalid_field", "limit",
			       "limit must be an integer between 1 and 100");
	if (!q)
		return err_set(&r->err, RES_INVALID, "missing_field", "q", "q is required");
	size_t n = strlen(q);
	if (!str_utf8_valid(q, n))
		return err_set(&r->err, RES_INVALID, "invalid_field", "q", "q is not UTF-8");
	if (n > SEARCH_Q_MAX || str_utf8_len(q, n) > SEARCH_Q_CHARS)
		return err_set(&r->err, RES_INVALID, "too_long", "q",
			       "q must be at most %d characters", SEARCH_Q_CHARS);
	struct search_parsed *parsed = arena_alloc(&r->arena, sizeof *parsed);
	if (!parsed)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (!search_parse(q, n, parsed))
		return err_set(&r->err, RES_INVALID, "invalid_field", "q", "q must not be empty");

	struct tl_word *words;
	size_t nwords;
	enum res res = translit_words(parsed->names, strlen(parsed->names), &r->arena, &words,
				      &nwords, &r->err);
	if (res) {
		if (res == RES_INVALID)
			str_copy(r->err.field, sizeof r->err.field, "q");
		return res;
	}
	struct search_hit *hits;
	size_t nhits;
	if ((res = store_search(r->db, parsed, words, nwords, limit, &r->arena, &hits, &nhits,
				&r->err)))
		return res;

	struct person *persons = NULL;
	struct hit_policy *pols = NULL;
	size_t npols = 0;
	if (nhits) {
		int64_t *ids = arena_alloc(&r->arena, nhits * sizeof *ids);
		persons = arena_alloc(&r->arena, nhits * sizeof *persons);
		if (!ids || !persons)
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		for (size_t i = 0; i < nhits; i++)
			ids[i] = hits[i].person_id;
		if ((res = store_persons_get_many(r->db, ids, nhits, &r->arena, persons, &r->err)) ||
		    (res = store_hit_policies(r->db, ids, nhits, &r->arena, &pols, &npols, &r->err)))
			return res;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < nhits; i++)
		json_array_append_new(
			items, json_pack("{s:o, s:o, s:s, s:i}", "person", api_person_json(&persons[i]),
					 "policies", hit_policies_json(pols, npols, persons[i].id),
					 "match", match_names[hits[i].match], "score", hits[i].score));
	return req_json(r, 200, json_pack("{s:s, s:o}", "query", q, "items", items));
}
