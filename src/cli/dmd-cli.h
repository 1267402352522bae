/* dmd-cli.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

enum {
  DMD_CLI_EXIT_OK = 0,       /* no error finding */
  DMD_CLI_EXIT_FINDINGS = 1, /* at least one error finding */
  DMD_CLI_EXIT_USAGE = 2,    /* bad usage or bad input */
};

int dmd_cli_capture (int argc, char **argv);
int dmd_cli_check   (int argc, char **argv);
int dmd_cli_explain (int argc, char **argv);

G_END_DECLS
