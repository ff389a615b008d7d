#include "core/coverage.h"

#include <stdlib.h>
#include <string.h>

/* ---- the plan: the program compiled for one policy ---- */

struct svc_plan {
	const char *code, *category;
	int package;        /* covering package, -1 when none */
	unsigned refusal;   /* COV_R_NOT_IN_PROGRAM or COV_R_EXCLUDED when known statically */
	int exclusion;      /* the exclusion behind a static refusal */
	int waiting_days;   /* the longest waiting period on its chain */
	uint16_t *limits;   /* indices of the limits on its chain, program order */
	uint16_t nlimits;
	uint16_t *deds;
	uint16_t ndeds;
	uint16_t *conds;
	uint16_t nconds;
};

struct cov_plan {
	const struct cov_program *prog;
	struct cov_policy pol;
	struct svc_plan *svcs; /* sorted by code */
	size_t nsvcs;
	uint16_t *dyn_excl;    /* exclusions matched per request (provider, diagnosis) */
	size_t ndyn_excl;
	cdate *anniv;          /* policy-year starts: start, start + 1 year, ... past the end */
	size_t nanniv;
	struct id_index *ids;  /* limit id -> index, sorted by id */
	char (*dyn_from)[16], (*dyn_to)[16]; /* normalised ICD-10 bounds of dyn_excl */
};

struct id_index {
	int64_t id;
	int index;
};

static int id_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;
	return x < y ? -1 : x > y;
}

static size_t icd_norm(const char *s, char *out, size_t cap);

static bool held(const struct cov_policy *pol, const char *pkg)
{
	if (!pol->packages || !pol->npackages)
		return true;
	for (size_t i = 0; i < pol->npackages; i++)
		if (strcmp(pol->packages[i], pkg) == 0)
			return true;
	return false;
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool pkg_contains(const struct cov_package *p, const struct cov_service *s)
{
	return in_list(p->services, p->nservices, s->code) ||
	       (s->category && in_list(p->categories, p->ncategories, s->category));
}

/* Does a service/category exclusion match service s? */
static bool excl_matches_service(const struct cov_exclusion *x, const struct cov_service *s)
{
	if (x->match == COV_MATCH_SERVICE)
		return strcmp(x->code, s->code) == 0;
	if (x->match == COV_MATCH_CATEGORY)
		return s->category && strcmp(x->code, s->category) == 0;
	return false;
}

static bool scope_matches(const struct cov_scope *sc, const struct cov_service *s, const char *pkg)
{
	switch (sc->kind) {
	case COV_SCOPE_SERVICE: return strcmp(sc->code, s->code) == 0;
	case COV_SCOPE_CATEGORY: return s->category && strcmp(sc->code, s->category) == 0;
	case COV_SCOPE_PACKAGE: return pkg && strcmp(sc->code, pkg) == 0;
	case COV_SCOPE_PROGRAM: return true;
	}
	return false;
}

static int svc_cmp(const void *a, const void *b)
{
	return strcmp(((const struct svc_plan *)a)->code, ((const struct svc_plan *)b)->code);
}

enum res cov_plan_build(const struct cov_program *prog, const struct cov_policy *pol,
			struct arena *a, struct cov_plan **out, struct err *e)
{
	if (prog->nlimits > UINT16_MAX || prog->ndeductibles > UINT16_MAX ||
	    prog->nconditions > UINT16_MAX || prog->nexclusions > UINT16_MAX)
		return err_set(e, RES_INVALID, "too_many_rules", NULL, "the program has too many rules");
	struct cov_plan *p = arena_zalloc(a, sizeof *p);
	if (!p)
		goto nomem;
	p->prog = prog;
	p->pol = *pol;
	p->svcs = arena_zalloc(a, (prog->nservices ? prog->nservices : 1) * sizeof *p->svcs);
	p->dyn_excl = arena_alloc(a, (prog->nexclusions ? prog->nexclusions : 1) * sizeof *p->dyn_excl);
	uint16_t *scratch = arena_alloc(a, (prog->nlimits + prog->ndeductibles + prog->nconditions + 1) *
						   sizeof *scratch);
	if (!p->svcs || !p->dyn_excl || !scratch)
		goto nomem;
	for (size_t i = 0; i < prog->nexclusions; i++) {
		enum cov_match_kind m = prog->exclusions[i].match;
		if (m == COV_MATCH_PROVIDER || m == COV_MATCH_DIAGNOSIS)
			p->dyn_excl[p->ndyn_excl++] = (uint16_t)i;
	}
	for (size_t si = 0; si < prog->nservices; si++) {
		const struct cov_service *s = &prog->services[si];
		struct svc_plan *sp = &p->svcs[si];
		sp->code = s->code;
		sp->category = s->category;
		sp->package = -1;
		sp->exclusion = -1;
		/* the covering package: the first held one that has the service and does not exclude it */
		int first_excluding = -1;
		for (size_t pi = 0; pi < prog->npackages && sp->package < 0; pi++) {
			const struct cov_package *pk = &prog->packages[pi];
			if (!held(pol, pk->code) || !pkg_contains(pk, s))
				continue;
			int ex = -1;
			for (size_t xi = 0; xi < prog->nexclusions && ex < 0; xi++) {
				const struct cov_exclusion *x = &prog->exclusions[xi];
				if (x->level == COV_EXCL_PACKAGE && x->package &&
				    strcmp(x->package, pk->code) == 0 && excl_matches_service(x, s))
					ex = (int)xi;
			}
			if (ex < 0)
				sp->package = (int)pi;
			else if (first_excluding < 0)
				first_excluding = ex;
		}
		if (sp->package < 0) {
			sp->refusal = first_excluding >= 0 ? COV_R_EXCLUDED : COV_R_NOT_IN_PROGRAM;
			sp->exclusion = first_excluding;
		}
		for (size_t xi = 0; xi < prog->nexclusions && !sp->refusal; xi++) {
			const struct cov_exclusion *x = &prog->exclusions[xi];
			if (x->level != COV_EXCL_PACKAGE && excl_matches_service(x, s)) {
				sp->refusal = COV_R_EXCLUDED;
				sp->exclusion = (int)xi;
			}
		}
		const char *pkg = sp->package >= 0 ? prog->packages[sp->package].code : NULL;
		size_t n = 0;
		for (size_t li = 0; li < prog->nlimits; li++)
			if (scope_matches(&prog->limits[li].scope, s, pkg))
				scratch[n++] = (uint16_t)li;
		sp->nlimits = (uint16_t)n;
		if (n && !(sp->limits = arena_alloc(a, n * sizeof *scratch)))
			goto nomem;
		if (n)
			memcpy(sp->limits, scratch, n * sizeof *scratch);
		n = 0;
		for (size_t di = 0; di < prog->ndeductibles; di++)
			if (scope_matches(&prog->deductibles[di].scope, s, pkg))
				scratch[n++] = (uint16_t)di;
		sp->ndeds = (uint16_t)n;
		if (n && !(sp->deds = arena_alloc(a, n * sizeof *scratch)))
			goto nomem;
		if (n)
			memcpy(sp->deds, scratch, n * sizeof *scratch);
		n = 0;
		for (size_t ci = 0; ci < prog->nconditions; ci++)
			if (scope_matches(&prog->conditions[ci].scope, s, pkg))
				scratch[n++] = (uint16_t)ci;
		sp->nconds = (uint16_t)n;
		if (n && !(sp->conds = arena_alloc(a, n * sizeof *scratch)))
			goto nomem;
		if (n)
			memcpy(sp->conds, scratch, n * sizeof *scratch);
		for (size_t wi = 0; wi < prog->nwaiting; wi++)
			if (scope_matches(&prog->waiting[wi].scope, s, pkg) &&
			    prog->waiting[wi].days > sp->waiting_days)
				sp->waiting_days = prog->waiting[wi].days;
	}
	p->ids = arena_alloc(a, (prog->nlimits + 1) * sizeof *p->ids);
	p->dyn_from = arena_alloc(a, (p->ndyn_excl + 1) * sizeof *p->dyn_from);
	p->dyn_to = arena_alloc(a, (p->ndyn_excl + 1) * sizeof *p->dyn_to);
	if (!p->ids || !p->dyn_from || !p->dyn_to)
		goto nomem;
	for (size_t i = 0; i < prog->nlimits; i++) {
		if (prog->limits[i].id <= 0)
			return err_set(e, RES_INVALID, "invalid_field", "limits", "limit ids must be positive");
		p->ids[i] = (struct id_index){prog->limits[i].id, (int)i};
	}
	qsort(p->ids, prog->nlimits, sizeof *p->ids, id_cmp);
	for (size_t i = 1; i < prog->nlimits; i++)
		if (p->ids[i - 1].id == p->ids[i].id)
			return err_set(e, RES_INVALID, "invalid_field", "limits", "limit ids must be unique");
	for (size_t i = 0; i < p->ndyn_excl; i++) {
		const struct cov_exclusion *x = &prog->exclusions[p->dyn_excl[i]];
		p->dyn_from[i][0] = p->dyn_to[i][0] = '\0';
		if (x->match == COV_MATCH_DIAGNOSIS && x->diag_from && x->diag_to) {
			icd_norm(x->diag_from, p->dyn_from[i], sizeof p->dyn_from[i]);
			icd_norm(x->diag_to, p->dyn_to[i], sizeof p->dyn_to[i]);
		}
	}
	/* policy years: computed once here, looked up per line */
	size_t years = pol->end >= pol->start ? (size_t)(pol->end - pol->start) / 365 + 2 : 1;
	if (years > 10000)
		return err_set(e, RES_INVALID, "invalid_field", "end_date", "the policy term is too long");
	if (!(p->anniv = arena_alloc(a, (years + 1) * sizeof *p->anniv)))
		goto nomem;
	for (size_t k = 0; k <= years; k++) {
		p->anniv[k] = date_add_years(pol->start, (int)k);
		p->nanniv = k + 1;
		if (p->anniv[k] > pol->end)
			break;
	}
	p->nsvcs = prog->nservices;
	qsort(p->svcs, p->nsvcs, sizeof *p->svcs, svc_cmp);
	for (size_t i = 1; i < p->nsvcs; i++)
		if (strcmp(p->svcs[i - 1].code, p->svcs[i].code) == 0)
			return err_set(e, RES_INVALID, "duplicate_service", "services",
				       "service %s is listed twice", p->svcs[i].code);
	*out = p;
	return RES_OK;
nomem:
	return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
}

static const struct svc_plan *svc_find(const struct cov_plan *p, const char *code)
{
	size_t lo = 0, hi = p->nsvcs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(code, p->svcs[mid].code);
		if (c == 0)
			return &p->svcs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- ICD-10 ranges ---- */

static size_t icd_norm(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		char c = *s;
		if (c == '.' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* Both already normalised (icd_norm). */
static bool icd_in_norm(const char *c, const char *f, const char *t)
{
	size_t cn = strlen(c), fn = strlen(f), tn = strlen(t);
	if (!cn || !fn || !tn)
		return false;
	/* compare the code cut to each bound's length: a subcode falls inside its parent */
	int lo = strncmp(c, f, fn < cn ? fn : cn);
	if (lo < 0 || (lo == 0 && cn < fn))
		return false;
	return strncmp(c, t, tn < cn ? tn : cn) <= 0;
}

bool cov_icd10_in_range(const char *code, const char *from, const char *to)
{
	char c[16], f[16], t[16];
	icd_norm(code, c, sizeof c);
	icd_norm(from, f, sizeof f);
	icd_norm(to, t, sizeof t);
	return icd_in_norm(c, f, t);
}

/* ---- the working ledger ---- */

struct led {
	int limit;          /* index into prog->limits, or -1 for the sum insured */
	cdate wfirst;
	int64_t case_id;
	int64_t used;
	cdate *dates;       /* sorted, days limits */
	size_t nd, cap;
};

struct ded_led {
	int ded;
	const char *provider;
	cdate date;
	int64_t case_id;
	int64_t taken;
};

struct eval {
	const struct cov_plan *plan;
	struct arena *a;
	struct led *led;
	size_t nled, capled;
	int *slots;         /* open addressing over led: index + 1, 0 = empty */
	size_t nslots;      /* a power of two, at least twice nled */
	struct ded_led *dl;
	size_t ndl, capdl;
};

static size_t led_hash(int limit, cdate wfirst, int64_t case_id)
{
	uint64_t h = (uint64_t)(uint32_t)limit * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)(uint32_t)wfirst * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)case_id * 0x165667b19e3779f9ull;
	h ^= h >> 29;
	return (size_t)h;
}

static bool led_rehash(struct eval *ev, size_t nslots)
{
	int *slots = arena_zalloc(ev->a, nslots * sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < ev->nled; i++) {
		const struct led *l = &ev->led[i];
		size_t j = led_hash(l->limit, l->wfirst, l->case_id) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = (int)i + 1;
	}
	ev->slots = slots;
	ev->nslots = nslots;
	return true;
}

/* The ledger entry of a limit (-1: the sum insured) in a window; made when new. */
static struct led *led_get(struct eval *ev, int limit, cdate wfirst, int64_t case_id)
{
	size_t mask = ev->nslots - 1;
	size_t j = led_hash(limit, wfirst, case_id) & mask;
	for (int k; (k = ev->slots[j]); j = (j + 1) & mask) {
		struct led *l = &ev->led[k - 1];
		if (l->limit == limit && l->wfirst == wfirst && l->case_id == case_id)
			return l;
	}
	if (ev->nled == ev->capled) {
		size_t cap = ev->capled ? ev->capled * 2 : 64;
		struct led *n = arena_alloc(ev->a, cap * sizeof *n);
		if (!n)
			return NULL;
		if (ev->nled)
			memcpy(n, ev->led, ev->nled * sizeof *n);
		ev->led = n;
		ev->capled = cap;
	}
	struct led *l = &ev->led[ev->nled];
	memset(l, 0, sizeof *l);
	l->limit = limit;
	l->wfirst = wfirst;
	l->case_id = case_id;
	ev->slots[j] = (int)++ev->nled;
	if (ev->nled * 2 > ev->nslots && !led_rehash(ev, ev->nslots * 2))
		return NULL;
	return &ev->led[ev->nled - 1];
}

static bool date_in(const struct led *l, cdate d, size_t *pos)
{
	size_t lo = 0, hi = l->nd;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->dates[mid] == d) {
			*pos = mid;
			return true;
		}
		if (l->dates[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return false;
}

static bool date_add(struct eval *ev, struct led *l, cdate d)
{
	size_t pos;
	if (date_in(l, d, &pos))
		return true;
	if (l->nd == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		cdate *n = arena_alloc(ev->a, cap * sizeof *n);
		if (!n)
			return false;
		if (l->nd)
			memcpy(n, l->dates, l->nd * sizeof *n);
		l->dates = n;
		l->cap = cap;
	}
	memmove(l->dates + pos + 1, l->dates + pos, (l->nd - pos) * sizeof *l->dates);
	l->dates[pos] = d;
	l->nd++;
	l->used = (int64_t)l->nd;
	return true;
}

static int limit_index(const struct cov_plan *p, int64_t id)
{
	if (id == COV_SUM_INSURED_ID)
		return -1;
	size_t lo = 0, hi = p->prog->nlimits;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->ids[mid].id == id)
			return p->ids[mid].index;
		if (p->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -2;
}

static enum res ledger_load(struct eval *ev, const struct cov_request *req, struct err *e)
{
	const struct cov_program *prog = ev->plan->prog;
	size_t want = 64;
	while (want < req->nusage * 4 + req->nlines * 8)
		want *= 2;
	if (!led_rehash(ev, want))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < req->nusage; i++) {
		const struct cov_usage *u = &req->usage[i];
		int li = limit_index(ev->plan, u->limit_id);
		if (li == -2)
			continue; /* a limit the program no longer has */
		struct led *l = led_get(ev, li, u->window_first, u->case_id);
		if (!l)
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		if (li >= 0 && prog->limits[li].measure == COV_DAYS) {
			for (size_t k = 0; k < u->ndates; k++)
				if (!date_add(ev, l, u->dates[k]))
					return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		} else {
			l->used += u->used;
		}
	}
	for (size_t i = 0; i < req->nded_usage; i++) {
		const struct cov_ded_usage *d = &req->ded_usage[i];
		for (size_t k = 0; k < prog->ndeductibles; k++)
			if (prog->deductibles[k].id == d->deductible_id) {
				if (ev->ndl == ev->capdl) {
					size_t cap = ev->capdl ? ev->capdl * 2 : 16;
					struct ded_led *n = arena_alloc(ev->a, cap * sizeof *n);
					if (!n)
						return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
					if (ev->ndl)
						memcpy(n, ev->dl, ev->ndl * sizeof *n);
					ev->dl = n;
					ev->capdl = cap;
				}
				ev->dl[ev->ndl++] = (struct ded_led){(int)k, d->provider, d->date,
								     d->case_id, d->taken};
			}
	}
	return RES_OK;
}

static struct ded_led *ded_get(struct eval *ev, int ded, const char *provider, cdate date,
			       int64_t case_id)
{
	for (size_t i = 0; i < ev->ndl; i++) {
		struct ded_led *d = &ev->dl[i];
		if (d->ded == ded && d->case_id == case_id && d->date == date &&
		    ((!d->provider && !provider) ||
		     (d->provider && provider && strcmp(d->provider, provider) == 0)))
			return d;
	}
	if (ev->ndl == ev->capdl) {
		size_t cap = ev->capdl ? ev->capdl * 2 : 16;
		struct ded_led *n = arena_alloc(ev->a, cap * sizeof *n);
		if (!n)
			return NULL;
		if (ev->ndl)
			memcpy(n, ev->dl, ev->ndl * sizeof *n);
		ev->dl = n;
		ev->capdl = cap;
	}
	ev->dl[ev->ndl] = (struct ded_led){ded, provider, date, case_id, 0};
	return &ev->dl[ev->ndl++];
}

/* ---- evaluation ---- */

const char *cov_reason_code(enum cov_reason r)
{
	switch (r) {
	case COV_R_NO_ACTIVE_POLICY: return "no_active_policy";
	case COV_R_NOT_IN_PROGRAM: return "not_in_program";
	case COV_R_EXCLUDED: return "excluded";
	case COV_R_WAITING_PERIOD: return "waiting_period";
	case COV_R_CONDITION_NOT_MET: return "condition_not_met";
	case COV_R_DEDUCTIBLE: return "deductible";
	case COV_R_LIMIT_EXHAUSTED: return "limit_exhausted";
	}
	return "";
}

static void refuse(struct cov_line_out *o, unsigned reason)
{
	o->reasons |= reason;
	o->covered_quantity = 0;
	o->covered_amount = 0;
	o->insured_pays = o->amount;
}

/* The date windows of one line, computed once per line for every period
 * (rule R5; the same results as period_window, without recomputing the
 * calendar for each limit). */
struct line_windows {
	struct window w[PERIOD_CASE];
};

static void line_windows(const struct cov_plan *p, cdate date, struct line_windows *lw)
{
	int y, m, d;
	date_to_ymd(date, &y, &m, &d);
	lw->w[PERIOD_TERM] = (struct window){p->pol.start, p->pol.end};
	size_t lo = 0, hi = p->nanniv; /* the last anniversary <= date */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->anniv[mid] <= date)
			lo = mid;
		else
			hi = mid;
	}
	cdate last = lo + 1 < p->nanniv ? p->anniv[lo + 1] - 1 : p->pol.end;
	lw->w[PERIOD_POLICY_YEAR] = (struct window){p->anniv[lo], last < p->pol.end ? last : p->pol.end};
	cdate jan1 = date_from_ymd(y, 1, 1);
	lw->w[PERIOD_CALENDAR_YEAR] = (struct window){jan1, date_from_ymd(y, 12, 31)};
	int qm = (m - 1) / 3 * 3 + 1;
	lw->w[PERIOD_QUARTER] = (struct window){date_from_ymd(y, qm, 1),
						date_from_ymd(y, qm + 2, date_days_in_month(y, qm + 2))};
	cdate first = date - (d - 1);
	lw->w[PERIOD_MONTH] = (struct window){first, first + date_days_in_month(y, m) - 1};
	lw->w[PERIOD_DAY] = (struct window){date, date};
}

/* The window of a limit for a line; for PERIOD_CASE the case id. */
static void window_of(const struct line_windows *lw, enum period per, int64_t case_id,
		      struct window *w, int64_t *key_case)
{
	if (per == PERIOD_CASE) {
		w->first = w->last = 0;
		*key_case = case_id;
		return;
	}
	*w = lw->w[per];
	*key_case = 0;
}

static bool dyn_excluded(const struct cov_plan *p, const struct svc_plan *sp,
			 const struct cov_request *req, const char *diag, int *which)
{
	const struct cov_program *prog = p->prog;
	for (size_t i = 0; i < p->ndyn_excl; i++) {
		const struct cov_exclusion *x = &prog->exclusions[p->dyn_excl[i]];
		if (x->level == COV_EXCL_PACKAGE &&
		    (sp->package < 0 || !x->package ||
		     strcmp(x->package, prog->packages[sp->package].code) != 0))
			continue;
		bool hit = false;
		if (x->match == COV_MATCH_PROVIDER)
			hit = req->provider && x->code && strcmp(req->provider, x->code) == 0;
		else if (x->match == COV_MATCH_DIAGNOSIS)
			hit = diag && icd_in_norm(diag, p->dyn_from[i], p->dyn_to[i]);
		if (hit) {
			*which = p->dyn_excl[i];
			return true;
		}
	}
	return false;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* percent of base in hundredths of a percent, rounded half up, without overflow */
static int64_t percent_of(int64_t base, int64_t hundredths)
{
	int64_t q = base / 10000, r = base % 10000;
	return q * hundredths + (r * hundredths + 5000) / 10000;
}

static enum res eval_line(struct eval *ev, const struct cov_request *req, const char *diag,
			  const struct cov_line_in *in, struct cov_line_out *o, struct err *e)
{
	const struct cov_plan *p = ev->plan;
	const struct cov_program *prog = p->prog;
	memset(o, 0, sizeof *o);
	o->exclusion = -1;
	o->package = -1;
	if (__builtin_mul_overflow(in->quantity, in->unit_price, &o->amount))
		return err_set(e, RES_INVALID, "invalid_field", "lines", "quantity x unit_price is too large");
	o->insured_pays = o->amount;
	cdate date = in->date;

	/* R1: refusals, in the stated order */
	if (!p->pol.active || date < p->pol.start || date > p->pol.end) {
		refuse(o, COV_R_NO_ACTIVE_POLICY);
		return RES_OK;
	}
	const struct svc_plan *sp = svc_find(p, in->service);
	if (!sp || sp->refusal == COV_R_NOT_IN_PROGRAM) {
		refuse(o, COV_R_NOT_IN_PROGRAM);
		return RES_OK;
	}
	o->package = sp->package;
	int which;
	if (sp->refusal == COV_R_EXCLUDED) {
		o->exclusion = sp->exclusion;
		refuse(o, COV_R_EXCLUDED);
		return RES_OK;
	}
	if (dyn_excluded(p, sp, req, diag, &which)) {
		o->exclusion = which;
		refuse(o, COV_R_EXCLUDED);
		return RES_OK;
	}
	if (sp->waiting_days > 0 && date < p->pol.start + sp->waiting_days) {
		refuse(o, COV_R_WAITING_PERIOD);
		return RES_OK;
	}
	if (sp->nconds) {
		int age = date_age(p->pol.birth_date, date);
		for (uint16_t k = 0; k < sp->nconds; k++) {
			const struct cov_condition *c = &prog->conditions[sp->conds[k]];
			if ((c->sex && c->sex != p->pol.sex) || (c->min_age && age < c->min_age) ||
			    (c->max_age && age > c->max_age)) {
				refuse(o, COV_R_CONDITION_NOT_MET);
				return RES_OK;
			}
		}
	}

	/* the touches: every limit on the chain, and the sum insured */
	size_t ntouch = (size_t)sp->nlimits + (p->pol.sum_insured > 0);
	struct led **leds = arena_alloc(ev->a, (ntouch + 1) * sizeof *leds);
	o->touches = arena_alloc(ev->a, (ntouch + 1) * sizeof *o->touches);
	if (!leds || !o->touches)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	o->ntouches = ntouch;
	struct line_windows lw;
	line_windows(p, date, &lw);
	for (uint16_t k = 0; k < sp->nlimits; k++) {
		const struct cov_limit *l = &prog->limits[sp->limits[k]];
		struct cov_touch *t = &o->touches[k];
		t->limit_id = l->id;
		t->measure = l->measure;
		t->period = l->period;
		t->limit = l->value;
		window_of(&lw, l->period, req->case_id, &t->window, &t->case_id);
		if (!(leds[k] = led_get(ev, sp->limits[k], t->window.first, t->case_id)))
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		t->remaining_before = l->value - leds[k]->used;
		if (t->remaining_before < 0)
			t->remaining_before = 0;
	}
	if (p->pol.sum_insured > 0) {
		struct cov_touch *t = &o->touches[sp->nlimits];
		t->limit_id = COV_SUM_INSURED_ID;
		t->measure = COV_AMOUNT;
		t->period = PERIOD_TERM;
		t->limit = p->pol.sum_insured;
		t->window.first = p->pol.start;
		t->window.last = p->pol.end;
		if (!(leds[sp->nlimits] = led_get(ev, -1, p->pol.start, 0)))
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		t->remaining_before = p->pol.sum_insured - leds[sp->nlimits]->used;
		if (t->remaining_before < 0)
			t->remaining_before = 0;
	}

	/* R2: count and days limits cut the quantity */
	int64_t qty = in->quantity;
	for (uint16_t k = 0; k < sp->nlimits; k++) {
		const struct cov_limit *l = &prog->limits[sp->limits[k]];
		size_t pos;
		if (l->measure == COV_COUNT && qty > o->touches[k].remaining_before) {
			qty = o->touches[k].remaining_before;
			o->reasons |= COV_R_LIMIT_EXHAUSTED;
		} else if (l->measure == COV_DAYS && !date_in(leds[k], date, &pos) &&
			   o->touches[k].remaining_before < 1) {
			qty = 0;
			o->reasons |= COV_R_LIMIT_EXHAUSTED;
		}
	}
	for (uint16_t k = 0; k < sp->nlimits; k++) {
		const struct cov_limit *l = &prog->limits[sp->limits[k]];
		if (l->measure == COV_COUNT)
			leds[k]->used += qty;
		else if (l->measure == COV_DAYS && qty > 0 && !date_add(ev, leds[k], date))
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	o->covered_quantity = qty;

	/* R3: deductibles on the covered base */
	int64_t base = qty * in->unit_price; /* <= amount: no overflow */
	int64_t rem = base;
	if (sp->ndeds && !(o->ded_takes = arena_alloc(ev->a, sp->ndeds * sizeof *o->ded_takes)))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	for (uint16_t k = 0; k < sp->ndeds && rem > 0; k++) {
		const struct cov_deductible *d = &prog->deductibles[sp->deds[k]];
		int64_t take = 0;
		switch (d->kind) {
		case COV_DED_PER_LINE:
			take = min64(d->value, rem);
			break;
		case COV_DED_PERCENT:
			take = percent_of(base, d->value);
			if (d->min > 0 && take < d->min)
				take = d->min;
			if (d->max > 0 && take > d->max)
				take = d->max;
			take = min64(take, rem);
			break;
		case COV_DED_PER_VISIT:
		case COV_DED_PER_CASE: {
			struct ded_led *dl = d->kind == COV_DED_PER_VISIT
						     ? ded_get(ev, sp->deds[k], req->provider, date, 0)
						     : ded_get(ev, sp->deds[k], NULL, 0, req->case_id);
			if (!dl)
				return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			int64_t left = d->value - dl->taken;
			take = left > 0 ? min64(left, rem) : 0;
			dl->taken += take;
			if (take > 0)
				o->ded_takes[o->nded_takes++] = (struct cov_ded_take){
					d->id, d->kind, dl->provider, dl->date, dl->case_id, take};
			break;
		}
		}
		if (take < 0)
			take = 0;
		rem -= take;
	}
	o->deductible = base - rem;
	if (o->deductible > 0)
		o->reasons |= COV_R_DEDUCTIBLE;

	/* R4: amount limits and the sum insured cut what the insurer pays */
	int64_t pay = rem;
	for (size_t k = 0; k < ntouch; k++) {
		if (o->touches[k].measure == COV_AMOUNT && pay > o->touches[k].remaining_before) {
			pay = o->touches[k].remaining_before;
			o->reasons |= COV_R_LIMIT_EXHAUSTED;
		}
	}
	for (size_t k = 0; k < ntouch; k++) {
		struct cov_touch *t = &o->touches[k];
		if (t->measure == COV_AMOUNT)
			leds[k]->used += pay;
		t->remaining_after = t->limit - leds[k]->used;
		if (t->remaining_after < 0)
			t->remaining_after = 0;
	}
	o->covered_amount = pay;
	o->insured_pays = o->amount - pay;
	return RES_OK;
}

enum res cov_evaluate(const struct cov_plan *plan, const struct cov_request *req,
		      struct arena *a, struct cov_line_out *out, struct err *e)
{
	struct eval ev = {.plan = plan, .a = a};
	char diag[16];
	if (req->diagnosis)
		icd_norm(req->diagnosis, diag, sizeof diag);
	enum res r = ledger_load(&ev, req, e);
	for (size_t i = 0; !r && i < req->nlines; i++) {
		const struct cov_line_in *in = &req->lines[i];
		if (in->quantity < 1 || in->unit_price < 0) {
			r = err_set(e, RES_INVALID, "invalid_field", "lines",
				    "line %zu: quantity must be at least 1 and unit_price not negative", i);
			break;
		}
		r = eval_line(&ev, req, req->diagnosis ? diag : NULL, in, &out[i], e);
	}
	return r;
}
