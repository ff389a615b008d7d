#include "core/program.h"

#include <stdio.h>
#include <string.h>

const char *i18n_pick(const struct i18n_text *t, const char *lang)
{
	if (lang && strcmp(lang, "ru") == 0 && t->ru)
		return t->ru;
	if (lang && strcmp(lang, "zh") == 0 && t->zh)
		return t->zh;
	return t->en ? t->en : "";
}

bool program_code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > PROGRAM_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const char *scope_kind_name(enum cov_scope_kind k)
{
	switch (k) {
	case COV_SCOPE_SERVICE: return "service";
	case COV_SCOPE_CATEGORY: return "category";
	case COV_SCOPE_PACKAGE: return "package";
	case COV_SCOPE_PROGRAM: return "program";
	}
	return "";
}

static const char *measure_name(enum cov_measure m)
{
	switch (m) {
	case COV_AMOUNT: return "amount";
	case COV_COUNT: return "count";
	case COV_DAYS: return "days";
	}
	return "";
}

void program_limit_key(const struct cov_limit *l, char out[160])
{
	if (l->scope.kind == COV_SCOPE_PROGRAM)
		snprintf(out, 160, "program|%s|%s", measure_name(l->measure), period_name(l->period));
	else
		snprintf(out, 160, "%s:%s|%s|%s", scope_kind_name(l->scope.kind), l->scope.code,
			 measure_name(l->measure), period_name(l->period));
}

static const char *ded_kind_name(enum cov_ded_kind k)
{
	switch (k) {
	case COV_DED_PER_LINE: return "per_line";
	case COV_DED_PER_VISIT: return "per_visit";
	case COV_DED_PER_CASE: return "per_case";
	case COV_DED_PERCENT: return "percent";
	}
	return "";
}

void program_deductible_key(const struct cov_deductible *d, char out[160])
{
	if (d->scope.kind == COV_SCOPE_PROGRAM)
		snprintf(out, 160, "program|%s", ded_kind_name(d->kind));
	else
		snprintf(out, 160, "%s:%s|%s", scope_kind_name(d->scope.kind), d->scope.code,
			 ded_kind_name(d->kind));
}

static bool has_service(const struct program_def *p, const char *code)
{
	for (size_t i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].code, code) == 0)
			return true;
	return false;
}

static bool has_category(const struct program_def *p, const char *code)
{
	for (size_t i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].category, code) == 0)
			return true;
	return false;
}

static bool has_package(const struct program_def *p, const char *code)
{
	for (size_t i = 0; i < p->cov.npackages; i++)
		if (strcmp(p->cov.packages[i].code, code) == 0)
			return true;
	return false;
}

static enum res check_scope(const struct program_def *p, const struct cov_scope *s,
			    const char *field, struct err *e)
{
	bool ok = true;
	switch (s->kind) {
	case COV_SCOPE_SERVICE: ok = s->code && has_service(p, s->code); break;
	case COV_SCOPE_CATEGORY: ok = s->code && has_category(p, s->code); break;
	case COV_SCOPE_PACKAGE: ok = s->code && has_package(p, s->code); break;
	case COV_SCOPE_PROGRAM: ok = true; break;
	}
	if (!ok)
		return err_set(e, RES_INVALID, "unknown_reference", field,
			       "%s refers to a %s the program does not have", field,
			       scope_kind_name(s->kind));
	return RES_OK;
}

#define FIELD(buf, fmt, ...) snprintf(buf, sizeof buf, fmt, __VA_ARGS__)

enum res program_validate(const struct program_def *p, struct err *e)
{
	char f[96];
	enum res r;
	if (!program_code_valid(p->code))
		return err_set(e, RES_INVALID, "invalid_field", "code",
			       "code must be 1..64 of letters, digits, '.', '_' and '-'");
	if (!program_code_valid(p->insurer_code))
		return err_set(e, RES_INVALID, "invalid_field", "insurer.code",
			       "insurer.code must be 1..64 of letters, digits, '.', '_' and '-'");
	if (!p->contract_number || !*p->contract_number)
		return err_set(e, RES_INVALID, "missing_field", "contract.number",
			       "contract.number is required");
	for (int i = 0; i < 3; i++)
		if (p->currency[i] < 'A' || p->currency[i] > 'Z' || p->currency[3])
			return err_set(e, RES_INVALID, "invalid_field", "contract.currency",
				       "contract.currency must be an ISO 4217 code such as RUB");
	if (p->contract_ends < p->contract_starts)
		return err_set(e, RES_INVALID, "invalid_field", "contract.ends",
			       "contract.ends is before contract.starts");
	if (!p->name.en || !*p->name.en)
		return err_set(e, RES_INVALID, "missing_field", "name.en", "name.en is required");
	if (p->sum_insured < 0)
		return err_set(e, RES_INVALID, "invalid_field", "sum_insured",
			       "sum_insured must not be negative");
	if (p->nservices == 0)
		return err_set(e, RES_INVALID, "missing_field", "services",
			       "a program needs at least one service");
	for (size_t i = 0; i < p->nservices; i++) {
		const struct program_service *s = &p->services[i];
		if (!program_code_valid(s->code))
			return FIELD(f, "services[%zu].code", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s is not a valid code", f);
		if (!program_code_valid(s->category))
			return FIELD(f, "services[%zu].category", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s is not a valid code", f);
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->services[k].code, s->code) == 0)
				return FIELD(f, "services[%zu].code", i),
				       err_set(e, RES_INVALID, "duplicate", f, "service %s is listed twice",
					       s->code);
	}
	if (p->cov.npackages == 0)
		return err_set(e, RES_INVALID, "missing_field", "packages",
			       "a program needs at least one package");
	for (size_t i = 0; i < p->cov.npackages; i++) {
		const struct cov_package *pk = &p->cov.packages[i];
		if (!program_code_valid(pk->code))
			return FIELD(f, "packages[%zu].code", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s is not a valid code", f);
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->cov.packages[k].code, pk->code) == 0)
				return FIELD(f, "packages[%zu].code", i),
				       err_set(e, RES_INVALID, "duplicate", f, "package %s is listed twice",
					       pk->code);
		for (size_t k = 0; k < pk->ncategories; k++)
			if (!has_category(p, pk->categories[k]))
				return FIELD(f, "packages[%zu].categories[%zu]", i, k),
				       err_set(e, RES_INVALID, "unknown_reference", f,
					       "no service of the program has category %s", pk->categories[k]);
		for (size_t k = 0; k < pk->nservices; k++)
			if (!has_service(p, pk->services[k]))
				return FIELD(f, "packages[%zu].services[%zu]", i, k),
				       err_set(e, RES_INVALID, "unknown_reference", f,
					       "service %s is not in the program's services", pk->services[k]);
	}
	for (size_t i = 0; i < p->cov.nlimits; i++) {
		const struct cov_limit *l = &p->cov.limits[i];
		FIELD(f, "limits[%zu].scope", i);
		if ((r = check_scope(p, &l->scope, f, e)))
			return r;
		if (l->value < 0)
			return FIELD(f, "limits[%zu].value", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s must not be negative", f);
		char key[160], other[160];
		program_limit_key(l, key);
		for (size_t k = 0; k < i; k++) {
			program_limit_key(&p->cov.limits[k], other);
			if (strcmp(key, other) == 0)
				return FIELD(f, "limits[%zu]", i),
				       err_set(e, RES_INVALID, "duplicate", f,
					       "a limit with the same scope, measure and period is already "
					       "at limits[%zu]",
					       k);
		}
	}
	for (size_t i = 0; i < p->cov.ndeductibles; i++) {
		const struct cov_deductible *d = &p->cov.deductibles[i];
		FIELD(f, "deductibles[%zu].scope", i);
		if ((r = check_scope(p, &d->scope, f, e)))
			return r;
		if (d->value < 0 || (d->kind == COV_DED_PERCENT && d->value > 10000))
			return FIELD(f, "deductibles[%zu].value", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "%s must be 0..10000 hundredths of a percent for percent, and not "
				       "negative otherwise",
				       f);
		if (d->min < 0 || d->max < 0 || (d->max && d->min > d->max))
			return FIELD(f, "deductibles[%zu].max", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "min and max must not be negative, and min not above max");
		if (d->kind != COV_DED_PERCENT && (d->min || d->max))
			return FIELD(f, "deductibles[%zu].min", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "min and max apply to percent deductibles only");
		char key[160], other[160];
		program_deductible_key(d, key);
		for (size_t k = 0; k < i; k++) {
			program_deductible_key(&p->cov.deductibles[k], other);
			if (strcmp(key, other) == 0)
				return FIELD(f, "deductibles[%zu]", i),
				       err_set(e, RES_INVALID, "duplicate", f,
					       "a deductible of the same kind on the same scope is "
					       "already at deductibles[%zu]",
					       k);
		}
	}
	for (size_t i = 0; i < p->cov.nexclusions; i++) {
		const struct cov_exclusion *x = &p->cov.exclusions[i];
		if (x->level == COV_EXCL_PACKAGE && (!x->package || !has_package(p, x->package)))
			return FIELD(f, "exclusions[%zu].package", i),
			       err_set(e, RES_INVALID, "unknown_reference", f,
				       "a package exclusion must name one of the program's packages");
		if (x->level != COV_EXCL_PACKAGE && x->package)
			return FIELD(f, "exclusions[%zu].package", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "only package exclusions name a package");
		if (x->match == COV_MATCH_DIAGNOSIS) {
			if (!x->diag_from || !x->diag_to || strcmp(x->diag_from, x->diag_to) > 0)
				return FIELD(f, "exclusions[%zu].match.diagnosis", i),
				       err_set(e, RES_INVALID, "invalid_field", f,
					       "%s must be [FROM, TO] ICD-10 codes with FROM <= TO", f);
		} else if (!x->code || !program_code_valid(x->code)) {
			return FIELD(f, "exclusions[%zu].match", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s needs a code", f);
		}
		if (!p->exclusion_reasons[i].en || !*p->exclusion_reasons[i].en)
			return FIELD(f, "exclusions[%zu].reason.en", i),
			       err_set(e, RES_INVALID, "missing_field", f, "%s is required", f);
	}
	for (size_t i = 0; i < p->cov.nwaiting; i++) {
		FIELD(f, "waiting_periods[%zu].scope", i);
		if ((r = check_scope(p, &p->cov.waiting[i].scope, f, e)))
			return r;
		if (p->cov.waiting[i].days < 0 || p->cov.waiting[i].days > 3660)
			return FIELD(f, "waiting_periods[%zu].days", i),
			       err_set(e, RES_INVALID, "invalid_field", f, "%s must be 0..3660", f);
	}
	for (size_t i = 0; i < p->cov.nconditions; i++) {
		const struct cov_condition *c = &p->cov.conditions[i];
		FIELD(f, "conditions[%zu].scope", i);
		if ((r = check_scope(p, &c->scope, f, e)))
			return r;
		if (c->min_age < 0 || c->max_age < 0 || c->min_age > 150 || c->max_age > 150 ||
		    (c->max_age && c->min_age > c->max_age))
			return FIELD(f, "conditions[%zu].max_age", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "ages must be 0..150 and min_age not above max_age");
		if (!c->sex && !c->min_age && !c->max_age)
			return FIELD(f, "conditions[%zu]", i),
			       err_set(e, RES_INVALID, "invalid_field", f,
				       "a condition needs sex, min_age or max_age");
	}
	return RES_OK;
}
