/* The assist subcommands. */
#ifndef ASSIST_CLI_H
#define ASSIST_CLI_H

#include <stdbool.h>

#include "base/err.h"
#include "store/store.h"

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_mail(int argc, char **argv);
int cli_sms(int argc, char **argv);
/* Save a program from JSON text inside the caller's transaction (import.c). */
int cli_program_save_text(struct db *db, const char *text, size_t len, const char *source,
			  enum program_outcome *outcome, const char **code);

/* ASSIST_DB or var/assist.db */
const char *cli_default_db(void);
/* Open one connection and check the schema is current (or migrate when
 * migrate is set). Prints the error and returns non-zero on failure. */
int cli_open_db(const char *url, bool migrate, struct db **out);
/* Print an error as "assist: message (field)" */
void cli_error(const struct err *e);
/* Audit a CLI write as the system actor "cli:<unix user>". */
enum res cli_audit(struct db *db, const char *action, const char *entity, int64_t id,
		   const char *before_json, const char *after_json, struct err *e) WUR;

#endif
