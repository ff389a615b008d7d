/* A fixed pool of connections shared by the HTTP threads. */
#include <pthread.h>
#include <stdlib.h>

#include "store/store.h"

struct store {
	enum db_kind kind;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n, nfree;
	struct db **all;
	struct db **free_list;
};

enum res store_open(const char *url, int pool_size, struct store **out, struct err *e)
{
	*out = NULL;
	if (pool_size < 1)
		pool_size = 1;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	s->all = calloc((size_t)pool_size, sizeof *s->all);
	s->free_list = calloc((size_t)pool_size, sizeof *s->free_list);
	if (!s->all || !s->free_list) {
		free(s->all);
		free(s->free_list);
		free(s);
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->kind = db_kind_of_url(url);
	for (int i = 0; i < pool_size; i++) {
		enum res r = db_open(url, &s->all[i], e);
		if (r) {
			store_close(s);
			return r;
		}
		s->n++;
		s->free_list[s->nfree++] = s->all[i];
	}
	*out = s;
	return RES_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		db_close(s->all[i]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->all);
	free(s->free_list);
	free(s);
}

enum db_kind store_kind(const struct store *s) { return s->kind; }

struct db *store_acquire(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->nfree == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	struct db *db = s->free_list[--s->nfree];
	pthread_mutex_unlock(&s->mu);
	return db;
}

void store_release(struct store *s, struct db *db)
{
	db_rollback(db); /* a no-op unless a caller forgot to finish its transaction */
	pthread_mutex_lock(&s->mu);
	s->free_list[s->nfree++] = db;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}
