/* dmd-cli.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "dmd-core.h"

G_BEGIN_DECLS

enum {
  DMD_CLI_EXIT_OK = 0,       /* verdict pass or warn */
  DMD_CLI_EXIT_FINDINGS = 1, /* verdict fail or retry (explain: a refusal) */
  DMD_CLI_EXIT_USAGE = 2,    /* bad usage or bad input */
};

int dmd_cli_capture (int argc, char **argv);
/* Shared by the commands: an error line on stderr (terminal-safe), whether to colour a
 * stream, and UTF-8 text on stdout in the locale's encoding. */
void     dmd_cli_print_error (const char *program,
                              const char *message);
gboolean dmd_cli_use_color   (int         fd);
void     dmd_cli_print_text  (const char *utf8);

/* --option=ID: the option of the options table with that id; prints the known ids and
 * returns FALSE for another. */
gboolean dmd_cli_parse_option (const char *program,
                               const char *str,
                               DmdOption  *out);

int dmd_cli_check   (int argc, char **argv);
int dmd_cli_explain (int argc, char **argv);

G_END_DECLS
