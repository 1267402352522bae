/* main.c — the wizard's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "dmd-application.h"
#include "dmd-test-hooks.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(DmdApplication) app = NULL;

  setlocale (LC_ALL, "");
#ifdef DMD_TEST_HOOKS
  /* The test wizard goes by the wizard's name, so that the AT-SPI tests find it as such. */
  g_set_prgname ("device-mail-doctor");
#endif
  /* The test wizard may use the build tree's catalogues (DMD_LOCALEDIR). */
  bindtextdomain (GETTEXT_PACKAGE, dmd_test_hooks_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = dmd_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
