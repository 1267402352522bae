/* dmd-test-smtp-server.c — run one scenario of the scripted SMTP server on loopback
 *
 *   dmd-test-smtp-server SCENARIO.ini [--certs DIR] [--ipv6]
 *
 * Binds 127.0.0.1 (and ::1 with --ipv6, same port) on a free port, prints "PORT <n>" on
 * stdout, then one line per thing it sees ("EVENT <session> <kind> <text>", kinds as in
 * dmd_smtp_event_kind_to_string(); text escaped, AUTH payloads "[redacted]"), and serves until
 * stdin reaches EOF or SIGTERM/SIGINT arrives. It then stops every connection, prints
 * "END sessions=<n>" and exits 0. Exit 2: bad usage or scenario; 1: could not listen.
 *
 * With --certs DIR (the output of tests/make-test-certs.sh), STARTTLS uses
 * DIR/test-<name>.pem with DIR/test-server-key.pem, where <name> is the scenario's
 * [tls] certificate (default "server"). Without it, STARTTLS is answered 454. The client
 * certificates named in [tls] client_trusted (";"-separated) are DIR/test-<name>.pem.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "dmd-smtp-server.h"

static GMutex out_lock;

static void
print_line (const char *line)
{
  g_mutex_lock (&out_lock);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  g_mutex_unlock (&out_lock);
}

static void
on_event (const DmdSmtpEvent *event,
          gpointer            user_data)
{
  g_autofree char *line = g_strdup_printf ("EVENT %u %s %s", event->session,
                                           dmd_smtp_event_kind_to_string (event->kind),
                                           event->text);

  print_line (line);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;  /* removed by main() */
}

static gboolean
on_stdin (gint         fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buf[256];
  gssize n = read (fd, buf, sizeof buf);

  if (n <= 0)
    g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;  /* removed by main() */
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *certs = NULL;
  gboolean ipv6 = FALSE;
  g_auto(GStrv) rest = NULL;
  const GOptionEntry entries[] = {
    { "certs", 0, 0, G_OPTION_ARG_FILENAME, &certs,
      "Directory made by make-test-certs.sh", "DIR" },
    { "ipv6", 0, 0, G_OPTION_ARG_NONE, &ipv6, "Also listen on ::1 (same port)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "SCENARIO.ini" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("SCENARIO.ini");
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpScenario) scenario = NULL;
  g_autoptr(DmdSmtpServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint16 port;
  guint stdin_source, term_source, int_source;
  g_autofree char *line = NULL;

  /* A client that hangs up while we write must not kill the server. */
  signal (SIGPIPE, SIG_IGN);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || rest == NULL || g_strv_length (rest) != 1)
    {
      g_printerr ("usage: %s SCENARIO.ini [--certs DIR] [--ipv6]%s%s\n", g_get_prgname (),
                  error != NULL ? ": " : "", error != NULL ? error->message : "");
      return 2;
    }

  scenario = dmd_smtp_scenario_new_from_file (rest[0], &error);
  if (scenario == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  server = dmd_smtp_server_new (scenario);

  if (certs != NULL)
    {
      GKeyFile *kf = dmd_smtp_scenario_get_key_file (scenario);
      g_autofree char *name = g_key_file_get_string (kf, "tls", "certificate", NULL);
      g_autofree char *cert_base = g_strdup_printf ("test-%s.pem",
                                                    name != NULL ? name : "server");
      g_autofree char *cert = g_build_filename (certs, cert_base, NULL);
      g_autofree char *key = g_build_filename (certs, "test-server-key.pem", NULL);

      g_auto(GStrv) trusted = g_key_file_get_string_list (kf, "tls", "client_trusted", NULL,
                                                          NULL);

      if (!dmd_smtp_server_set_certificate (server, cert, key, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      for (guint i = 0; trusted != NULL && trusted[i] != NULL; i++)
        {
          g_autofree char *base = g_strdup_printf ("test-%s.pem", g_strstrip (trusted[i]));
          g_autofree char *path = g_build_filename (certs, base, NULL);

          if (!dmd_smtp_server_trust_client_cert (server, path, &error))
            {
              g_printerr ("%s\n", error->message);
              return 2;
            }
        }
    }

  dmd_smtp_server_set_event_func (server, on_event, NULL, NULL);

  port = dmd_smtp_server_listen (server, "127.0.0.1", 0, &error);
  if (port != 0 && ipv6)
    port = dmd_smtp_server_listen (server, "::1", port, &error);
  if (port == 0)
    {
      g_printerr ("listen: %s\n", error->message);
      return 1;
    }

  line = g_strdup_printf ("PORT %u", port);
  print_line (line);

  loop = g_main_loop_new (NULL, FALSE);
  stdin_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);
  term_source = g_unix_signal_add (SIGTERM, on_signal, loop);
  int_source = g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_clear_handle_id (&stdin_source, g_source_remove);
  g_clear_handle_id (&term_source, g_source_remove);
  g_clear_handle_id (&int_source, g_source_remove);

  dmd_smtp_server_stop (server);
  g_free (line);
  line = g_strdup_printf ("END sessions=%u", dmd_smtp_server_get_n_sessions (server));
  print_line (line);
  return 0;
}
