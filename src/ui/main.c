/* main.c — the wizard's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "dmd-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(DmdApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* DMD_LOCALEDIR: run uninstalled with the build's catalogues (screenshots, tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("DMD_LOCALEDIR") ? g_getenv ("DMD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = dmd_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
