#include "core/role.h"

#include <string.h>

static const char *const names[ROLE__COUNT] = {
	[ROLE_OPERATOR] = "operator",
	[ROLE_CASE_MANAGER] = "case_manager",
	[ROLE_REVIEWER] = "reviewer",
	[ROLE_FINANCE] = "finance",
	[ROLE_SUPERVISOR] = "supervisor",
	[ROLE_ADMIN] = "admin",
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE__COUNT ? names[r] : "";
}

bool role_parse(const char *s, size_t n, enum role *out)
{
	for (int i = 0; i < ROLE__COUNT; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) {
			*out = (enum role)i;
			return true;
		}
	return false;
}

bool role_in(role_set set, enum role r)
{
	return (unsigned)r < ROLE__COUNT && (set & ROLE_BIT(r)) != 0;
}
