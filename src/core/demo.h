/* The deterministic demo data set: the same index always gives the same
 * person, so `assist demo --persons N` builds the same database every time.
 * Pure: no I/O, no global state. */
#ifndef ASSIST_DEMO_H
#define ASSIST_DEMO_H

#include <stddef.h>
#include <stdint.h>

struct demo_person {
	char last_name[64], first_name[64], middle_name[64]; /* middle_name "" when none */
	char birth_date[16];  /* YYYY-MM-DD */
	char sex[2];          /* "F" or "M" */
	char phone[20];       /* E.164 */
	char email[96];       /* "" when none */
	char city[48];
	char language[3];     /* en, ru, zh */
	char time_zone[40];
};

/* Person number i (0-based): about 60 % Russian, 25 % Chinese, 15 % English names. */
void demo_person(uint64_t i, struct demo_person *out);

struct demo_insurer { const char *code, *name; };
struct demo_provider {
	const char *code, *name, *kind, *city;
	int32_t lat_e6, lon_e6;
	const char *phone;
};
/* department: NULL = none (the admin) */
struct demo_staff { const char *login, *role, *full_name, *language, *department; };

extern const struct demo_insurer demo_insurers[];
extern const size_t demo_insurers_count;
extern const struct demo_provider demo_providers[];
extern const size_t demo_providers_count;
extern const struct demo_staff demo_staff[];
extern const size_t demo_staff_count;
#define DEMO_PASSWORD "assist-demo"

#endif
