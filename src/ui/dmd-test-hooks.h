/* dmd-test-hooks.h — what only the test builds of the wizard read from the environment
 *
 * Compiled into each program on its own (never into the wizard's library): with
 * -DDMD_TEST_HOOKS=1 — the build tree's test wizard, src/ui/device-mail-doctor-test, and the
 * widget tests — the functions below honour the variables; in the installed wizard they do
 * nothing and the variables' names are not even in the binary (the install test checks).
 *
 *   DMD_TEST_CONNECT_TO  the CLI's --connect-to syntax, several mappings separated by ';'
 *   DMD_TEST_CA_FILE     an extra PEM trust anchor file
 *   DMD_TEST_TIMEOUT     the per-step timeout in seconds (1-600)
 *   DMD_LOCALEDIR        the message catalogues to use (the build tree's po/)
 *
 * They let the end-to-end tests and the screenshot script point the real wizard at a scripted
 * server on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-core.h"

G_BEGIN_DECLS

/* Adds the test redirections to config; a mapping that does not parse is reported in
 * general_errors (may be NULL). */
void        dmd_test_hooks_apply      (DmdDeviceConfig *config,
                                       GPtrArray       *general_errors);
/* Says on stderr, where a developer looks, that connections are redirected. */
void        dmd_test_hooks_announce   (void);
/* The directory to bind the message catalogues to: DMD_LOCALEDIR, else LOCALEDIR. */
const char *dmd_test_hooks_localedir  (void);

G_END_DECLS
