/* Staff roles and the sets of them that routes allow. */
#ifndef ASSIST_ROLE_H
#define ASSIST_ROLE_H

#include <stdbool.h>
#include <stddef.h>

enum role {
	ROLE_OPERATOR = 0,
	ROLE_CASE_MANAGER,
	ROLE_REVIEWER,
	ROLE_FINANCE,
	ROLE_SUPERVISOR,
	ROLE_ADMIN,
	ROLE__COUNT
};

/* A set of roles, one bit each. */
typedef unsigned role_set;
#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL ((1u << ROLE__COUNT) - 1)

const char *role_name(enum role r);
/* Parse a role name of n bytes; false when it is not one. */
bool role_parse(const char *s, size_t n, enum role *out);
bool role_in(role_set set, enum role r);

#endif
