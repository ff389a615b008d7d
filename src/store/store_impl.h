/* Private helpers shared by the store's query files. */
#ifndef ASSIST_STORE_IMPL_H
#define ASSIST_STORE_IMPL_H

#include "store/store.h"

/* The user columns every user query selects first, in this order. */
#define STORE_USER_COLS                                                                           \
	"id, login, full_name, role, language, disabled, created_at, updated_at, department, email, " \
	"phone"
/* Queries read what they select after the user columns from this index on. */
#define STORE_USER_NCOLS 11
#define STORE_USER_COLS_U                                                                         \
	"u.id, u.login, u.full_name, u.role, u.language, u.disabled, u.created_at, u.updated_at, "   \
	"u.department, u.email, u.phone"

/* Copy of a text column into the arena (NULL only on out of memory). */
const char *store_col_dup(struct db_stmt *st, int col, struct arena *a);
/* Reads the STORE_USER_COLS columns starting at column 0. */
enum res store_user_read(struct db_stmt *st, struct arena *a, struct user *u, struct err *e);

/* The person columns every person query selects, in this order (policies.c). */
#define STORE_PERSON_COLS                                                                         \
	"id, last_name, first_name, middle_name, birth_date, sex, phone, email, document, address, " \
	"city, language, time_zone, created_at, updated_at"
/* Reads the STORE_PERSON_COLS columns starting at column 0. */
enum res store_person_read(struct db_stmt *st, struct arena *a, struct person *p, struct err *e);

/* Step a bound statement to its end, collecting column 0 of each row as an
 * id into an arena array; resets the statement. */
enum res store_collect_ids(struct db_stmt *st, struct arena *a, int64_t **ids, size_t *n,
			   struct err *e);

/* Make room for one more element in an arena array: *items holds *n of
 * size bytes in *cap slots; doubles when full. false on out of memory. */
bool store_grow(struct arena *a, void *items, size_t *cap, size_t n, size_t size);

#endif
