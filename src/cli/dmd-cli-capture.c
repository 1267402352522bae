/* dmd-cli-capture.c — `device-mail-doctor-cli capture`: let the device talk to this computer
 *
 * Shows the addresses and the port to type into the device and the certificate's
 * fingerprint, logs what the device does as it happens, and when the device has been quiet
 * for --idle seconds (or --timeout passed, or Ctrl+C) prints the verdict per option.
 *
 * With --format=json, standard output carries only the report (device-mail-doctor/capture/v1);
 * the instructions and the live log go to standard error.
 *
 * Exit status: 0 the device can use the option shown first, 1 it cannot (or it never
 * connected), 2 bad usage or the port could not be opened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "dmd-core.h"
#include "dmd-cli.h"

#define PROGRAM "device-mail-doctor-cli capture"
#define print_error(message) dmd_cli_print_error (PROGRAM, (message))

typedef struct {
  char     *option;
  int       port;
  char     *domain;
  int       timeout;
  int       idle;
  char     *format;
  gboolean  loopback_only;
} CaptureOptions;

static void
capture_options_clear (CaptureOptions *o)
{
  g_free (o->option);
  g_free (o->domain);
  g_free (o->format);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaptureOptions, capture_options_clear)


static gboolean
parse_options (CaptureOptions  *o,
               int             *argc,
               char          ***argv)
{
  g_autofree char *option_ids = dmd_options_join_ids ("|");
  const GOptionEntry entries[] = {
    { "option", 0, 0, G_OPTION_ARG_STRING, &o->option,
      N_("The sending option whose verdict comes first (default smtp-auth)"), option_ids },
    { "port", 0, 0, G_OPTION_ARG_INT, &o->port,
      N_("Port to listen on (default 2525; 0 picks a free one)"), N_("N") },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &o->domain,
      N_("The organization’s email domain (for the Direct Send recipient check)"),
      N_("DOMAIN") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout,
      N_("Stop after this many seconds in any case (default 300)"), N_("SECONDS") },
    { "idle", 0, 0, G_OPTION_ARG_INT, &o->idle,
      N_("Stop when the device has been quiet this long (default 20)"), N_("SECONDS") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o->format,
      N_("Output format (default text)"), "text|json" },
    { "loopback-only", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &o->loopback_only,
      "Listen on 127.0.0.1 only (tests)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  o->port = DMD_CAPTURE_DEFAULT_PORT;
  o->timeout = DMD_CAPTURE_DEFAULT_TIMEOUT;
  o->idle = DMD_CAPTURE_DEFAULT_IDLE;

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Let the device itself send to this computer, which stands in "
                                  "for Microsoft 365, and say which sending options the device "
                                  "can use."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 the device can use the option shown first, "
                                      "1 it cannot or it never connected, 2 bad usage or the "
                                      "port could not be opened.\n"
                                      "The device’s password is never stored or shown: only "
                                      "whether one was sent."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error (error->message);
      fprintf (stderr, _("Run “%s --help” to see the options."), PROGRAM);
      fputc ('\n', stderr);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[1]);

      print_error (message);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Live output                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  DmdCapture *capture;
  FILE       *log;       /* stdout (text) or stderr (json) */
  gboolean    stopped;
} State;

static void
on_log_line (DmdCapture *capture,
             guint       session,
             gint        dir,
             const char *text,
             gpointer    user_data)
{
  State *state = user_data;
  g_autofree char *safe = dmd_report_terminal_safe (text);
  const char *prefix = dir == 'C' ? "C: " : dir == 'S' ? "S: " : "";

  fprintf (state->log, "[%u] %s%s\n", session, prefix, safe);
  fflush (state->log);
}

static gboolean
on_signal (gpointer user_data)
{
  State *state = user_data;

  if (!state->stopped)
    {
      state->stopped = TRUE;
      dmd_capture_stop (state->capture);
    }
  return G_SOURCE_CONTINUE;
}

static void
print_intro (FILE       *out,
             DmdCapture *capture,
             double      timeout,
             double      idle)
{
  GPtrArray *addresses = dmd_capture_get_addresses (capture);
  guint port = dmd_capture_get_port (capture);
  g_autofree char *path = dmd_report_terminal_safe (dmd_capture_get_certificate_path (capture));

  fprintf (out, "%s\n", _("Device capture: this computer now stands in for Microsoft 365."));
  if (addresses->len > 0)
    {
      /* Translators: %u is a port number. */
      fprintf (out, _("Set the device’s email (SMTP) server to one of these addresses of this "
                      "computer, and its port to %u:"), port);
      fputc ('\n', out);
      for (guint i = 0; i < addresses->len; i++)
        fprintf (out, "    %s\n", (const char *) g_ptr_array_index (addresses, i));
    }
  else
    fprintf (out, "%s\n", _("This computer has no network address right now: connect it to the "
                            "device’s network, then start again."));
  /* Translators: keep "Port:" aligned with the lines below. */
  fprintf (out, _("  Port:      %u"), port);
  fputc ('\n', out);
  fprintf (out, "%s\n", _("  Security:  STARTTLS, or whatever the device is set to (it is "
                          "recorded)"));
  fprintf (out, "%s\n", _("  Sign-in:   the device’s usual user name and password; the "
                          "password is never stored or shown"));
  fprintf (out, "%s\n", _("Certificate (a self-signed test certificate; import it into the "
                          "device only if it insists on a trusted one):"));
  /* Translators: %s is a SHA-256 fingerprint. */
  fprintf (out, _("  SHA-256:   %s"), dmd_capture_get_certificate_sha256 (capture));
  fputc ('\n', out);
  /* Translators: %s is a file name. */
  fprintf (out, _("  File:      %s"), path);
  fputc ('\n', out);
  /* Translators: %u is a port number. */
  fprintf (out, _("If the device cannot connect, allow incoming TCP port %u in this computer’s "
                  "firewall."), port);
  fputc ('\n', out);
  /* Translators: the first %.0f is the overall limit in seconds, the second the idle time. */
  fprintf (out, _("Now send a test email (or scan to email) from the device. Waiting up to %.0f "
                  "s; the capture ends %.0f s after the device goes quiet (Ctrl+C ends it "
                  "now)."), timeout, idle);
  fputs ("\n\n", out);
  fflush (out);
}

int
dmd_cli_capture (int    argc,
                 char **argv)
{
  g_auto(CaptureOptions) o = { NULL, };
  g_autoptr(DmdCapture) capture = NULL;
  g_autoptr(DmdCaptureResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DmdOption option = DMD_OPTION_SMTP_AUTH;
  gboolean json;
  const DmdCaptureVerdict *first;
  State state = { NULL, NULL, FALSE };
  guint sigint_id, sigterm_id;

  if (!parse_options (&o, &argc, &argv))
    return DMD_CLI_EXIT_USAGE;

  if (o.option != NULL && !dmd_cli_parse_option (PROGRAM, o.option, &option))
    return DMD_CLI_EXIT_USAGE;
  if (o.format != NULL && !g_str_equal (o.format, "text") && !g_str_equal (o.format, "json"))
    {
      g_autofree char *message = g_strdup_printf (_("Unknown format “%s”: use text or json."),
                                                  o.format);
      print_error (message);
      return DMD_CLI_EXIT_USAGE;
    }
  json = g_strcmp0 (o.format, "json") == 0;
  if (o.port < 0 || o.port > 65535)
    {
      print_error (_("The port must be between 0 and 65535 (0 picks a free one; 2525 needs no "
                     "privileges)."));
      return DMD_CLI_EXIT_USAGE;
    }
  if (o.timeout < 1 || o.timeout > 24 * 3600 || o.idle < 1 || o.idle > 3600)
    {
      print_error (_("--timeout must be 1 to 86400 seconds, --idle 1 to 3600."));
      return DMD_CLI_EXIT_USAGE;
    }
  if (o.domain != NULL)
    {
      g_autofree char *ascii = dmd_host_to_ascii (o.domain, &error);

      if (ascii == NULL)
        {
          print_error (error->message);
          return DMD_CLI_EXIT_USAGE;
        }
    }

  capture = dmd_capture_new ();
  dmd_capture_set_port (capture, (guint16) o.port);
  dmd_capture_set_timeout (capture, o.timeout);
  dmd_capture_set_idle_timeout (capture, o.idle);
  dmd_capture_set_domain (capture, o.domain);
  dmd_capture_set_option (capture, option);
  g_object_set (capture, "loopback-only", o.loopback_only, NULL);

  if (!dmd_capture_start (capture, &error))
    {
      print_error (error->message);
      if (g_error_matches (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_PRIVILEGED))
        fprintf (stderr, "%s\n", _("Also allow the port you choose in this computer’s "
                                   "firewall, or the device cannot reach it."));
      return DMD_CLI_EXIT_USAGE;
    }

  state.capture = capture;
  state.log = json ? stderr : stdout;
  /* Before the instructions: whoever reads them may stop the capture at once. */
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &state);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &state);
  g_signal_connect (capture, "log-line", G_CALLBACK (on_log_line), &state);
  print_intro (state.log, capture, o.timeout, o.idle);

  result = dmd_capture_wait_sync (capture, NULL, &error);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (result == NULL)
    {
      print_error (error->message);
      return DMD_CLI_EXIT_USAGE;
    }

  if (json)
    {
      g_autofree char *out = dmd_capture_report_to_json (result);

      fputs (out, stdout);
      fputc ('\n', stdout);
    }
  else
    {
      g_autofree char *out = dmd_capture_report_to_text (result,
                                                         isatty (STDOUT_FILENO) &&
                                                         g_getenv ("NO_COLOR") == NULL);

      fputc ('\n', stdout);
      fputs (out, stdout);
    }
  fflush (stdout);

  first = dmd_capture_result_get_verdict (result, option);
  return first != NULL && first->usable ? DMD_CLI_EXIT_OK : DMD_CLI_EXIT_FINDINGS;
}
