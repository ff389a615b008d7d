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
};

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

bool cov_icd10_in_range(const char *code, const char *from, const char *to)
{
	char c[16], f[16], t[16];
	size_t cn = icd_norm(code, c, sizeof c);
	size_t fn = icd_norm(from, f, sizeof f);
	size_t tn = icd_norm(to, t, sizeof t);
	if (!cn || !fn || !tn)
		return false;
	/* compare the code cut to each bound's length: a subcode falls inside its parent */
	int lo = strncmp(c, f, fn < cn ? fn : cn);
	if (lo < 0 || (lo == 0 && cn < fn))
		return false;
	int hi = strncmp(c, t, tn < cn ? tn : cn);
	return hi < 0 || (hi == 0);
}

/* ---- the working ledger ---- */

struct led {
	int limit;          /* index into prog->limits, or -1 for the sum insured */
	cdate wfirst;
	int64_t case_id;
	int64_t used;
	cdate *dates;       /* sorted, days limits */
	size_t nd, cap;
	int next;           /* next entry of the same limit, -1 */
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
	int *heads;         /* per limit + 1 (sum insured last) */
	struct ded_led *dl;
	size_t ndl, capdl;
};

static int head_of(const struct eval *ev, int limit)
{
	return limit < 0 ? (int)ev->plan->prog->nlimits : limit;
}

static struct led *led_get(struct eval *ev, int limit, cdate wfirst, int64_t case_id)
{
	for (int i = ev->heads[head_of(ev, limit)]; i >= 0; i = ev->led[i].next)
		if (ev->led[i].wfirst == wfirst && ev->led[i].case_id == case_id)
			return &ev->led[i];
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
	l->next = ev->heads[head_of(ev, limit)];
	ev->heads[head_of(ev, limit)] = (int)ev->nled++;
	return l;
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

static int limit_index(const struct cov_program *prog, int64_t id)
{
	if (id == COV_SUM_INSURED_ID)
		return -1;
	for (size_t i = 0; i < prog->nlimits; i++)
		if (prog->limits[i].id == id)
			return (int)i;
	return -2;
}

static enum res ledger_load(struct eval *ev, const struct cov_request *req, struct err *e)
{
	const struct cov_program *prog = ev->plan->prog;
	ev->heads = arena_alloc(ev->a, (prog->nlimits + 1) * sizeof *ev->heads);
	if (!ev->heads)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i <= prog->nlimits; i++)
		ev->heads[i] = -1;
	for (size_t i = 0; i < req->nusage; i++) {
		const struct cov_usage *u = &req->usage[i];
		int li = limit_index(prog, u->limit_id);
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

/* The window of limit l for a line; for PERIOD_CASE the case id. */
static void window_of(const struct cov_plan *p, enum period per, cdate date, int64_t case_id,
		      struct window *w, int64_t *key_case)
{
	if (per == PERIOD_CASE) {
		w->first = w->last = 0;
		*key_case = case_id;
		return;
	}
	period_window(per, p->pol.start, p->pol.end, date, w);
	*key_case = 0;
}

static bool dyn_excluded(const struct cov_plan *p, const struct svc_plan *sp,
			 const struct cov_request *req, int *which)
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
			hit = req->diagnosis && x->diag_from && x->diag_to &&
			      cov_icd10_in_range(req->diagnosis, x->diag_from, x->diag_to);
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

static enum res eval_line(struct eval *ev, const struct cov_request *req,
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
	if (dyn_excluded(p, sp, req, &which)) {
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
	for (uint16_t k = 0; k < sp->nlimits; k++) {
		const struct cov_limit *l = &prog->limits[sp->limits[k]];
		struct cov_touch *t = &o->touches[k];
		t->limit_id = l->id;
		t->measure = l->measure;
		t->period = l->period;
		t->limit = l->value;
		window_of(p, l->period, date, req->case_id, &t->window, &t->case_id);
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
	enum res r = ledger_load(&ev, req, e);
	for (size_t i = 0; !r && i < req->nlines; i++) {
		const struct cov_line_in *in = &req->lines[i];
		if (in->quantity < 1 || in->unit_price < 0) {
			r = err_set(e, RES_INVALID, "invalid_field", "lines",
				    "line %zu: quantity must be at least 1 and unit_price not negative", i);
			break;
		}
		r = eval_line(&ev, req, in, &out[i], e);
	}
	return r;
}
