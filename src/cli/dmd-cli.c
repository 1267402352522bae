/* dmd-cli.c — device-mail-doctor-cli: the engine without a window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "dmd-cli.h"
#include "dmd-core.h"
#ifdef DMD_TEST_HOOKS
#include "dmd-test-resolver.h"
#endif

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary; /* N_() */
} Command;

static const Command commands[] = {
  { "capture", dmd_cli_capture, N_("Let the device itself send to this computer and say which options it can use") },
  { "check", dmd_cli_check, N_("Run the checks for a device’s settings and say what to fix") },
  { "explain", dmd_cli_explain, N_("Explain a reply line from a device’s log or a bounce message") },
  { NULL, NULL, NULL },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  device-mail-doctor-cli COMMAND [OPTION…]\n\n%s\n",
           _("Usage:"), _("Commands:"));
  for (guint i = 0; commands[i].name != NULL; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “device-mail-doctor-cli COMMAND --help” for the options of a command."));
  fprintf (out, "  --version  %s\n  --help     %s\n", _("Print the version and exit"), _("Show this help"));
}

void
dmd_cli_print_error (const char *program,
                     const char *message)
{
  g_autofree char *safe = dmd_report_terminal_safe (message);

  fprintf (stderr, "%s: %s\n", program, safe);
}

gboolean
dmd_cli_parse_option (const char *program,
                      const char *str,
                      DmdOption  *out)
{
  g_autofree char *ids = NULL;
  g_autofree char *message = NULL;

  if (dmd_option_from_string (str, out))
    return TRUE;
  ids = dmd_options_join_ids (", ");
  /* Translators: the first %s is what was given, the second the list of option ids. */
  message = g_strdup_printf (_("Unknown sending option “%s”: use one of %s."), str, ids);
  dmd_cli_print_error (program, message);
  return FALSE;
}

gboolean
dmd_cli_use_color (int fd)
{
  const char *term = g_getenv ("TERM");

  return isatty (fd) && g_getenv ("NO_COLOR") == NULL && g_strcmp0 (term, "dumb") != 0;
}

/* Text in the locale's encoding (the renderer already falls back to ASCII symbols). */
void
dmd_cli_print_text (const char *utf8)
{
  const char *charset;

  if (!g_get_charset (&charset))
    {
      /* The typography of our own texts has plain equivalents; glibc transliterates more in
       * some locales; anything else becomes "?". */
      static const char *plain[][2] = {
        { "’", "'" }, { "‘", "'" }, { "“", "\"" }, { "”", "\"" }, { "–", "-" }, { "—", "-" },
        { "…", "..." }, { "→", "->" }, { "·", "-" },
      };
      g_autoptr(GString) text = g_string_new (utf8);
      g_autofree char *translit = g_strconcat (charset, "//TRANSLIT", NULL);
      g_autofree char *local = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
        g_string_replace (text, plain[i][0], plain[i][1], 0);
      local = g_convert (text->str, -1, translit, "UTF-8", NULL, NULL, NULL);
      if (local == NULL)
        local = g_convert_with_fallback (text->str, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
      if (local != NULL)
        {
          fputs (local, stdout);
          return;
        }
    }
  fputs (utf8, stdout);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* As the wizard: DMD_LOCALEDIR lets the build tree's catalogues be used (tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("DMD_LOCALEDIR") ? g_getenv ("DMD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

#ifdef DMD_TEST_HOOKS
  /* TEST-ONLY, compiled into device-mail-doctor-cli-test (never installed): DNS answers from
   * the zone file named by DMD_TEST_RESOLVER_ZONE (tests/data/zones/README.md). */
  dmd_test_resolver_install_from_env ();
#endif

  /* stdout carries the report (JSON is parsed): log messages, debug included, go to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc < 2)
    {
      print_usage (stderr);
      return DMD_CLI_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-V"))
    {
      printf ("device-mail-doctor-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }

  for (guint i = 0; commands[i].name != NULL; i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, _("Unknown command “%s”."), argv[1]);
  fputc ('\n', stderr);
  print_usage (stderr);
  return DMD_CLI_EXIT_USAGE;
}
