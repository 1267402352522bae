/* test-checkup.c — the whole checkup against the scripted Exchange-like server on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-checkup.h"
#include "dmd-smtp-server.h"
#include "dmd-test-resolver.h"

/* The DNS world of these tests: no lookup leaves the process. */
static const char zone[] =
  "contoso.com MX 10 contoso-com.mail.protection.outlook.com\n"
  "contoso.com TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n"
  "spf.protection.outlook.com TXT \"v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all\"\n"
  "fabrikam.com MX 10 fabrikam-com.mail.protection.outlook.com\n"
  "fabrikam.com TXT \"v=spf1 ip4:198.51.100.20 include:spf.protection.outlook.com -all\"\n"
  "northwind.example MX 10 mx1.northwind.example.pphosted.com\n"
  "slow.example MX TIMEOUT\n"
  "mx.slow.example * TIMEOUT\n";

#define PASSWORD "Tr0ub4dor&3-secret"
#define USER "scanner@contoso.com"

typedef struct {
  DmdSmtpServer   *server;
  DmdDeviceConfig *config;
  guint            n_started;
  guint            n_finished;
  guint            n_lines;
  gboolean         completed;
  GString         *transcript;
} Fixture;

static void
on_started (DmdCheckup *checkup, const char *id, const char *title, Fixture *fx)
{
  g_assert_false (fx->completed);
  fx->n_started++;
}

static void
on_finished (DmdCheckup *checkup, const char *id, int status, const char *summary, Fixture *fx)
{
  g_assert_false (fx->completed);
  fx->n_finished++;
}

static void
on_line (DmdCheckup *checkup, const char *id, int dir, const char *text, Fixture *fx)
{
  g_assert_false (fx->completed);
  fx->n_lines++;
  g_string_append_printf (fx->transcript, "%c: %s\n", (char) dir, text);
}

static void
fixture_start (Fixture    *fx,
               const char *scenario_text,
               DmdOption   option)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpScenario) scenario = NULL;
  g_autofree char *cert = g_test_build_filename (G_TEST_BUILT, "test-server.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_BUILT, "test-server-key.pem", NULL);
  g_autofree char *ca = g_test_build_filename (G_TEST_BUILT, "test-ca.pem", NULL);
  g_autofree char *map = NULL;
  guint16 port;

  memset (fx, 0, sizeof *fx);
  fx->transcript = g_string_new (NULL);
  scenario = dmd_smtp_scenario_new_from_data (scenario_text, -1, &error);
  g_assert_no_error (error);
  fx->server = dmd_smtp_server_new (scenario);
  g_assert_true (dmd_smtp_server_set_certificate (fx->server, cert, key, &error));
  g_assert_no_error (error);
  port = dmd_smtp_server_listen (fx->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);

  fx->config = dmd_device_config_new (option);
  if (option == DMD_OPTION_SMTP_AUTH)
    {
      fx->config->server = g_strdup ("smtp.office365.com");
      fx->config->port = 587;
      map = g_strdup_printf ("smtp.office365.com:587:127.0.0.1:%u", port);
    }
  else
    {
      fx->config->server = g_strdup ("contoso-com.mail.protection.outlook.com");
      fx->config->port = 25;
      map = g_strdup_printf ("contoso-com.mail.protection.outlook.com:25:127.0.0.1:%u", port);
    }
  g_ptr_array_add (fx->config->connect_to, dmd_connect_to_parse (map, &error));
  g_assert_no_error (error);
  fx->config->ca_file = g_steal_pointer (&ca);
  /* Generous: sanitizer builds on a loaded machine are slow; nothing here waits for it. */
  fx->config->timeout_seconds = 5;
  fx->config->from = g_strdup (USER);
  fx->config->to = g_strdup ("someone@contoso.com");
  fx->config->domain = g_strdup ("contoso.com");
  if (option == DMD_OPTION_SMTP_AUTH)
    {
      fx->config->username = g_strdup (USER);
      dmd_device_config_set_password (fx->config, PASSWORD);
    }
}

static void
fixture_stop (Fixture *fx)
{
  dmd_smtp_server_free (fx->server);
  dmd_device_config_free (fx->config);
  g_string_free (fx->transcript, TRUE);
}

static DmdResult *
run (Fixture  *fx,
     GError  **error)
{
  g_autoptr(DmdCheckup) checkup = dmd_checkup_new (fx->config);
  DmdResult *result;

  g_signal_connect (checkup, "check-started", G_CALLBACK (on_started), fx);
  g_signal_connect (checkup, "check-finished", G_CALLBACK (on_finished), fx);
  g_signal_connect (checkup, "transcript-line", G_CALLBACK (on_line), fx);
  result = dmd_checkup_run_sync (checkup, NULL, error);
  fx->completed = TRUE;
  /* Events still in flight must not reach us: spin a little. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  return result;
}

static DmdCheckStatus
status_of (DmdResult  *result,
           const char *id)
{
  DmdCheck *check = dmd_result_get_check (result, id);

  g_assert_nonnull (check);
  return check->status;
}

static const char scenario_ok[] =
  "[server]\nprofile=exchange-submission\npublic_ip=203.0.113.7\n"
  "[auth]\nusername=" USER "\npassword=" PASSWORD "\n";

static void
test_smtp_auth_passes (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  g_assert_cmpint (status_of (result, "connect"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "banner"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "starttls"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "tls"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "auth"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "mail-from"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "rcpt-to"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "tls-versions"), ==, DMD_CHECK_PASS);
  g_assert_cmpuint (dmd_result_count_severity (result, DMD_SEVERITY_ERROR), ==, 0);
  g_assert_true (dmd_result_has_finding (result, "test-message-not-sent"));
  g_assert_true (dmd_result_has_finding (result, "tls-version-matrix"));
  g_assert_false (result->sent);
  g_assert_cmpstr (result->network.public_ip, ==, "203.0.113.7");
  g_assert_cmpstr (result->network.address_family, ==, "ipv4");
  g_assert_true (result->network.cert_verified);
  g_assert_cmpint (result->network.versions[DMD_TLS10].state, ==, DMD_TLS_VERSION_REFUSED);
  g_assert_cmpint (result->network.versions[DMD_TLS12].state, ==, DMD_TLS_VERSION_ACCEPTED);
  g_assert_cmpint (result->network.versions[DMD_TLS13].state, ==, DMD_TLS_VERSION_ACCEPTED);
  g_assert_nonnull (strstr (result->network.versions[DMD_TLS10].detail, "4.7.66"));

  /* Signals: every check that started also finished, and lines were reported. */
  g_assert_cmpuint (fx.n_started, >=, 8);
  g_assert_cmpuint (fx.n_lines, >, 10);
  /* The secret never reaches the transcript; AUTH is redacted and happens once. */
  g_assert_null (strstr (fx.transcript->str, PASSWORD));
  g_assert_nonnull (strstr (fx.transcript->str, "AUTH LOGIN [redacted]"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "AUTH"), ==, 1);
  /* No DATA without --send. */
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "DATA"), ==, 0);
  fixture_stop (&fx);
}

/* Signals arrive in the caller's thread even while the caller is not iterating its context
 * (a context nobody owns must not be borrowed by a worker). */
typedef struct {
  GThread  *caller;
  guint     foreign;
  guint     seen;
  gboolean  done;
} ThreadData;

static void
thread_started_cb (DmdCheckup *c, const char *id, const char *title, ThreadData *td)
{
  td->seen++;
  if (g_thread_self () != td->caller)
    td->foreign++;
}

static void
thread_line_cb (DmdCheckup *c, const char *id, int dir, const char *text, ThreadData *td)
{
  td->seen++;
  if (g_thread_self () != td->caller)
    td->foreign++;
}

static void
thread_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  ThreadData *td = data;
  g_autoptr(DmdResult) result = dmd_checkup_run_finish (DMD_CHECKUP (source), res, NULL);

  g_assert_nonnull (result);
  if (g_thread_self () != td->caller)
    td->foreign++;
  td->done = TRUE;
}

static void
test_events_on_caller_thread (void)
{
  Fixture fx;
  ThreadData td = { g_thread_self (), 0, 0, FALSE };
  g_autoptr(DmdCheckup) checkup = NULL;

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  checkup = dmd_checkup_new (fx.config);
  g_signal_connect (checkup, "check-started", G_CALLBACK (thread_started_cb), &td);
  g_signal_connect (checkup, "transcript-line", G_CALLBACK (thread_line_cb), &td);
  dmd_checkup_run_async (checkup, NULL, thread_done_cb, &td);
  /* The workers run meanwhile; nobody iterates the context. */
  g_usleep (G_USEC_PER_SEC / 2);
  while (!td.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (td.seen, >, 0);
  g_assert_cmpuint (td.foreign, ==, 0);
  fixture_stop (&fx);
}

/* --send: a real message, and only then "sent". */
static void
test_send_message (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  fx.config->send = TRUE;
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "data"), ==, DMD_CHECK_PASS);
  g_assert_true (result->sent);
  g_assert_false (dmd_result_has_finding (result, "test-message-not-sent"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "DATA"), ==, 1);
  fixture_stop (&fx);
}

static void
test_tenant_disabled (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx,
                 "[server]\nprofile=exchange-submission\n"
                 "[auth]\nreply=535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                 "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. {trailer}\n",
                 DMD_OPTION_SMTP_AUTH);
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "auth"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "auth-smtp-auth-disabled-tenant"));
  g_assert_false (dmd_result_has_finding (result, "auth-failed"));
  g_assert_cmpstr (dmd_result_verdict (result), ==, "fail");
  /* AUTH is tried once, and a failed one ends the dialogue: no 530 5.7.57 noise. */
  g_assert_cmpint (status_of (result, "mail-from"), ==, DMD_CHECK_SKIP);
  g_assert_false (dmd_result_has_finding (result, "auth-required"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "MAIL FROM"), ==, 0);
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "AUTH"), ==, 1);
  fixture_stop (&fx);
}

static void
test_wrong_certificate_keeps_credentials (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autofree char *cert = g_test_build_filename (G_TEST_BUILT, "test-wrong-name.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_BUILT, "test-server-key.pem", NULL);

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  /* A new server with the wrong-name certificate on the same scenario. */
  {
    g_autoptr(DmdSmtpScenario) scenario = dmd_smtp_scenario_new_from_data (scenario_ok, -1, NULL);
    g_autofree char *map = NULL;
    guint16 port;

    dmd_smtp_server_free (fx.server);
    fx.server = dmd_smtp_server_new (scenario);
    g_assert_true (dmd_smtp_server_set_certificate (fx.server, cert, key, &error));
    port = dmd_smtp_server_listen (fx.server, "127.0.0.1", 0, &error);
    g_assert_no_error (error);
    g_ptr_array_set_size (fx.config->connect_to, 0);
    map = g_strdup_printf ("smtp.office365.com:587:127.0.0.1:%u", port);
    g_ptr_array_add (fx.config->connect_to, dmd_connect_to_parse (map, NULL));
  }
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "tls"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "tls-certificate-invalid"));
  g_assert_false (result->network.cert_verified);
  g_assert_nonnull (result->network.cert_problem);
  /* Credentials are never sent over TLS that failed verification. */
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "AUTH"), ==, 0);
  g_assert_cmpint (status_of (result, "auth"), ==, DMD_CHECK_SKIP);
  fixture_stop (&fx);
}

static void
test_refused_port (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bind_addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *map = NULL;
  guint16 port;

  /* A port that nobody listens on: bind, read the port, close. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_bind (sock, bind_addr, FALSE, &error));
  bound = g_socket_get_local_address (sock, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  g_ptr_array_set_size (fx.config->connect_to, 0);
  map = g_strdup_printf ("smtp.office365.com:587:127.0.0.1:%u", port);
  g_ptr_array_add (fx.config->connect_to, dmd_connect_to_parse (map, NULL));
  /* Triage goes to port 25 of smtp.office365.com: map it to the working scripted server. */
  g_free (map);
  map = g_strdup_printf ("smtp.office365.com:25:127.0.0.1:%u", dmd_smtp_server_get_port (fx.server));
  g_ptr_array_add (fx.config->connect_to, dmd_connect_to_parse (map, NULL));

  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "connect"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "network-connection-refused"));
  g_assert_cmpint (status_of (result, "auth"), ==, DMD_CHECK_SKIP);
  /* The triage says that port 25 answers from this network. */
  {
    gboolean found = FALSE;
    for (guint i = 0; i < result->findings->len; i++)
      {
        DmdFinding *f = g_ptr_array_index (result->findings, i);
        if (g_str_equal (f->id, "network-connection-refused"))
          found = strstr (f->evidence, "port 25") != NULL;
      }
    g_assert_true (found);
  }
  fixture_stop (&fx);
}

/* A dropped port (a firewall), not a refusal and not a tarpit: a listener whose backlog is
 * full, so further SYNs go unanswered. Port 25 is dropped too. */
static void
test_dropped_port (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) filler = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *map = NULL;
  g_autofree char *map25 = NULL;
  guint16 port;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_bind (listener, any, FALSE, &error));
  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_connect (filler, bound, NULL, &error));

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  fx.config->timeout_seconds = 1;
  g_ptr_array_set_size (fx.config->connect_to, 0);
  map = g_strdup_printf ("smtp.office365.com:587:127.0.0.1:%u", port);
  map25 = g_strdup_printf ("smtp.office365.com:25:127.0.0.1:%u", port);
  g_ptr_array_add (fx.config->connect_to, dmd_connect_to_parse (map, NULL));
  g_ptr_array_add (fx.config->connect_to, dmd_connect_to_parse (map25, NULL));

  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "connect"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "network-port-blocked"));
  g_assert_false (dmd_result_has_finding (result, "network-connection-refused"));
  for (guint i = 0; i < result->findings->len; i++)
    {
      DmdFinding *f = g_ptr_array_index (result->findings, i);
      if (g_str_equal (f->id, "network-port-blocked"))
        {
          g_assert_nonnull (strstr (f->evidence, "587"));
          g_assert_nonnull (strstr (f->evidence, "port 25"));
        }
    }
  fixture_stop (&fx);
}

typedef struct {
  GCancellable *cancellable;
  gboolean      done;
  DmdResult    *result;
  GError       *error;
  guint         signals_after_cancel;
  gboolean      cancelled;
  gint64        cancel_time;
  gint64        done_time;
} CancelData;

static void
cancel_signal_cb (DmdCheckup *checkup, const char *id, ...)
{
}

static void
count_after_cancel (CancelData *cd)
{
  if (cd->cancelled)
    cd->signals_after_cancel++;
}

static void
cancel_started_cb (DmdCheckup *c, const char *id, const char *title, CancelData *cd)
{
  count_after_cancel (cd);
}

static void
cancel_line_cb (DmdCheckup *c, const char *id, int dir, const char *text, CancelData *cd)
{
  count_after_cancel (cd);
}

static void
cancel_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  CancelData *cd = data;

  cd->result = dmd_checkup_run_finish (DMD_CHECKUP (source), res, &cd->error);
  cd->done = TRUE;
  cd->done_time = g_get_monotonic_time ();
}

static gboolean
do_cancel_cb (gpointer data)
{
  CancelData *cd = data;

  cd->cancelled = TRUE;
  cd->cancel_time = g_get_monotonic_time ();
  g_cancellable_cancel (cd->cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_silent_server (void)
{
  Fixture fx;
  CancelData cd = { 0 };
  g_autoptr(DmdCheckup) checkup = NULL;

  /* The server accepts and then says nothing at all. */
  fixture_start (&fx, "[server]\nprofile=exchange-submission\n[banner]\naction=stall\n",
                 DMD_OPTION_SMTP_AUTH);
  fx.config->timeout_seconds = 30;
  checkup = dmd_checkup_new (fx.config);
  cd.cancellable = g_cancellable_new ();
  g_signal_connect (checkup, "check-started", G_CALLBACK (cancel_started_cb), &cd);
  g_signal_connect (checkup, "transcript-line", G_CALLBACK (cancel_line_cb), &cd);
  dmd_checkup_run_async (checkup, cd.cancellable, cancel_done_cb, &cd);
  g_timeout_add (300, do_cancel_cb, &cd);
  while (!cd.done)
    g_main_context_iteration (NULL, TRUE);
  /* Whatever was still in flight is dropped. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  /* A cancelled run returns what was gathered until then, marked cancelled. */
  g_assert_no_error (cd.error);
  g_assert_nonnull (cd.result);
  g_assert_true (cd.result->cancelled);
  g_assert_cmpuint (cd.signals_after_cancel, ==, 0);
  g_assert_cmpint (status_of (cd.result, "config"), >=, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (cd.result, "connect"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (cd.result, "banner"), ==, DMD_CHECK_RUNNING);
  g_assert_null (dmd_result_get_check (cd.result, "auth"));
  g_assert_cmpuint (cd.result->recommended->len, >, 0);
  g_assert_nonnull (cd.result->network.peer_address);
  g_clear_pointer (&cd.result, dmd_result_unref);
  g_object_unref (cd.cancellable);
  (void) cancel_signal_cb;
  fixture_stop (&fx);
}

static void
test_direct_send_passes (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, "[server]\nprofile=exchange-mx\npublic_ip=198.51.100.20\n", DMD_OPTION_DIRECT_SEND);
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "auth"), ==, DMD_CHECK_SKIP);
  g_assert_cmpint (status_of (result, "mail-from"), ==, DMD_CHECK_PASS);
  g_assert_cmpint (status_of (result, "rcpt-to"), ==, DMD_CHECK_PASS);
  g_assert_cmpstr (result->network.public_ip, ==, "198.51.100.20");
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "AUTH"), ==, 0);
  fixture_stop (&fx);
}

/* The device is set to STARTTLS but the port speaks TLS at once (465 style). */
static void
test_mixup_implicit_port (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, "[server]\nprofile=exchange-submission\n[tls]\nimplicit=true\n", DMD_OPTION_SMTP_AUTH);
  fx.config->timeout_seconds = 1;
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "banner"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "smtp-timeout"));
  for (guint i = 0; i < result->findings->len; i++)
    {
      DmdFinding *f = g_ptr_array_index (result->findings, i);
      if (g_str_equal (f->id, "smtp-timeout"))
        g_assert_nonnull (strstr (f->evidence, "465"));
    }
  fixture_stop (&fx);
}

static DmdCheck *
check_of (DmdResult  *result,
          const char *id)
{
  DmdCheck *check = dmd_result_get_check (result, id);

  g_assert_nonnull (check);
  return check;
}

/* One deadline per step: a banner that never comes, or comes a byte a second, ends the
 * banner step by its deadline — the implicit-TLS probe of a silent port included — and the
 * report says the time it really waited. (Before, the step took twice --timeout.) The bound
 * asserted is the bug's floor, never a tight timing. */
static void
assert_banner_step_bounded (const char *scenario_text)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  DmdCheck *banner;

  fixture_start (&fx, scenario_text, DMD_OPTION_SMTP_AUTH);
  fx.config->timeout_seconds = 2;
  result = run (&fx, &error);
  g_assert_no_error (error);
  banner = check_of (result, "banner");
  g_test_message ("banner: %s after %" G_GINT64_FORMAT " ms", banner->summary, banner->elapsed_ms);
  g_assert_cmpint (banner->status, ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "smtp-timeout"));
  g_assert_nonnull (strstr (banner->summary, "within 2 s"));
  g_assert_cmpint (banner->elapsed_ms, <, 2 * 2000);
  fixture_stop (&fx);
}

static void
test_silent_banner_one_deadline (void)
{
  assert_banner_step_bounded ("[server]\nprofile=exchange-submission\n[banner]\naction=stall\n");
}

static void
test_trickling_banner_one_deadline (void)
{
  assert_banner_step_bounded ("[server]\nprofile=exchange-submission\n[banner]\ntrickle=0.7\n");
}

/* The dns step is one step: an MX lookup and then an address lookup that both go unanswered
 * end by one deadline (before, each had its own). */
static void
test_dns_step_one_deadline (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  DmdCheck *dns;

  fixture_start (&fx, "[server]\nprofile=exchange-mx\n", DMD_OPTION_DIRECT_SEND);
  g_ptr_array_set_size (fx.config->connect_to, 0);
  g_free (fx.config->server);
  fx.config->server = g_strdup ("mx.slow.example");
  g_free (fx.config->domain);
  fx.config->domain = g_strdup ("slow.example");
  fx.config->timeout_seconds = 1;
  result = run (&fx, &error);
  g_assert_no_error (error);
  dns = check_of (result, "dns");
  g_test_message ("dns: %s after %" G_GINT64_FORMAT " ms", dns->summary, dns->elapsed_ms);
  g_assert_cmpint (dns->status, ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "dns-resolve-failed"));
  g_assert_cmpint (dns->elapsed_ms, <, 2 * 1000);
  fixture_stop (&fx);
}

/* AUTH LOGIN is two exchanges but one step: a server that takes 1.2 s for each answer with a
 * 2 s deadline has not signed in by the deadline (before, each answer had 2 s of its own). */
static void
test_auth_exchange_one_deadline (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autofree char *scenario = g_strconcat (scenario_ok, "delay=1.2\n", NULL);
  DmdCheck *auth;

  fixture_start (&fx, scenario, DMD_OPTION_SMTP_AUTH);
  fx.config->timeout_seconds = 2;
  result = run (&fx, &error);
  g_assert_no_error (error);
  auth = check_of (result, "auth");
  g_test_message ("auth: %s after %" G_GINT64_FORMAT " ms", auth->summary, auth->elapsed_ms);
  g_assert_cmpint (auth->status, ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "smtp-timeout"));
  g_assert_cmpint (auth->elapsed_ms, <, 2 * 2000);
  fixture_stop (&fx);
}

/* The device is set to implicit TLS but the port greets in plain text (587). */
static void
test_mixup_plaintext_port (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  fx.config->security = DMD_SECURITY_IMPLICIT_TLS;
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "tls"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "config-implicit-tls"));
  for (guint i = 0; i < result->findings->len; i++) g_test_message ("finding %s: %s", ((DmdFinding *) g_ptr_array_index (result->findings, i))->id, ((DmdFinding *) g_ptr_array_index (result->findings, i))->evidence);
  g_assert_true (dmd_result_has_finding (result, "tls-handshake-failed"));
  g_assert_cmpuint (dmd_smtp_server_count_commands (fx.server, "AUTH"), ==, 0);
  fixture_stop (&fx);
}

/* Direct Send with no server typed: the domain's Microsoft MX is what gets tested, and the
 * public IP Microsoft sees is checked against the domain's SPF record. */
static void
test_direct_send_uses_mx (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, "[server]\nprofile=exchange-mx\npublic_ip=198.51.100.20\n", DMD_OPTION_DIRECT_SEND);
  g_clear_pointer (&fx.config->server, g_free);
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "dns"), ==, DMD_CHECK_PASS);
  g_assert_nonnull (strstr (fx.transcript->str, "contoso-com.mail.protection.outlook.com"));
  g_assert_cmpint (status_of (result, "rcpt-to"), ==, DMD_CHECK_PASS);
  /* contoso.com's SPF record covers only Microsoft: this site's IP is not in it. */
  g_assert_cmpint (status_of (result, "spf"), ==, DMD_CHECK_WARN);
  g_assert_true (dmd_result_has_finding (result, "spf-missing-ip"));
  g_assert_nonnull (dmd_result_get_check (result, "blocklist"));
  g_assert_false (dmd_result_has_finding (result, "ip-on-dnsbl"));
  fixture_stop (&fx);
}

/* Relay: the IP on the connector is not the one Microsoft sees. */
static void
test_relay_connector_mismatch (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, "[server]\nprofile=exchange-mx\npublic_ip=198.51.100.20\n", DMD_OPTION_RELAY);
  g_free (fx.config->from);
  fx.config->from = g_strdup ("scanner@fabrikam.com");
  g_free (fx.config->domain);
  fx.config->domain = g_strdup ("fabrikam.com");
  g_free (fx.config->to);
  fx.config->to = g_strdup ("someone@outside.example");
  fx.config->connector_ip = g_strdup ("198.51.100.99");
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_true (dmd_result_has_finding (result, "relay-connector-ip-mismatch"));
  /* fabrikam.com's SPF covers the site. */
  g_assert_cmpint (status_of (result, "spf"), ==, DMD_CHECK_PASS);
  g_assert_false (dmd_result_has_finding (result, "spf-missing-ip"));
  fixture_stop (&fx);
}

/* Direct Send, no server, and the MX is a third-party gateway: never test the gateway. */
static void
test_direct_send_third_party_mx (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;

  fixture_start (&fx, "[server]\nprofile=exchange-mx\n", DMD_OPTION_DIRECT_SEND);
  g_clear_pointer (&fx.config->server, g_free);
  g_free (fx.config->domain);
  fx.config->domain = g_strdup ("northwind.example");
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "dns"), ==, DMD_CHECK_FAIL);
  g_assert_true (dmd_result_has_finding (result, "dns-mx-not-microsoft"));
  g_assert_cmpint (status_of (result, "connect"), ==, DMD_CHECK_SKIP);
  g_assert_cmpuint (dmd_smtp_server_get_n_sessions (fx.server), ==, 0);
  fixture_stop (&fx);
}

/* ---- the plan: the checks of a run, before it starts ---- */

static char *
plan_ids (const DmdDeviceConfig *config)
{
  g_autoptr(GPtrArray) plan = dmd_checkup_plan (config);
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < plan->len; i++)
    {
      DmdPlannedCheck *c = g_ptr_array_index (plan, i);

      g_assert_cmpstr (c->title, ==, dmd_check_title (c->id));
      g_string_append_printf (ids, "%s%s", i ? " " : "", c->id);
    }
  return g_string_free (ids, FALSE);
}

static void
test_plan (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autofree char *submission = NULL;
  g_autofree char *implicit = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *direct = NULL;

  submission = plan_ids (config);
  g_assert_cmpstr (submission, ==, "config dns connect banner ehlo starttls tls auth mail-from "
                                   "rcpt-to tls-versions");
  config->security = DMD_SECURITY_IMPLICIT_TLS;
  implicit = plan_ids (config);
  g_assert_cmpstr (implicit, ==, "config dns connect tls banner ehlo auth mail-from rcpt-to "
                                 "tls-versions");
  config->security = DMD_SECURITY_NONE;
  plain = plan_ids (config);
  g_assert_cmpstr (plain, ==, "config dns connect banner ehlo starttls auth mail-from rcpt-to "
                              "tls-versions");

  dmd_device_config_free (config);
  config = dmd_device_config_new (DMD_OPTION_DIRECT_SEND);
  config->send = TRUE;
  direct = plan_ids (config);
  g_assert_cmpstr (direct, ==, "config dns connect banner ehlo starttls tls auth mail-from "
                               "rcpt-to data tls-versions spf blocklist");
}

/* Every check a run reports was in its plan. */
static void
assert_planned (const DmdDeviceConfig *config,
                DmdResult             *result)
{
  g_autoptr(GPtrArray) plan = dmd_checkup_plan (config);

  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      gboolean found = FALSE;

      for (guint j = 0; j < plan->len && !found; j++)
        found = g_str_equal (((DmdPlannedCheck *) g_ptr_array_index (plan, j))->id, check->id);
      if (!found)
        g_error ("check %s ran but was not planned", check->id);
    }
}

static void
test_plan_covers_run (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autoptr(DmdResult) direct = NULL;

  fixture_start (&fx, scenario_ok, DMD_OPTION_SMTP_AUTH);
  fx.config->send = TRUE;
  result = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (result, "data"), ==, DMD_CHECK_PASS);
  assert_planned (fx.config, result);
  fixture_stop (&fx);

  fixture_start (&fx, "[server]\nprofile=exchange-mx\npublic_ip=198.51.100.20\n",
                 DMD_OPTION_DIRECT_SEND);
  direct = run (&fx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (direct, "spf"), !=, DMD_CHECK_RUNNING);
  assert_planned (fx.config, direct);
  fixture_stop (&fx);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(DmdTestResolver) resolver = dmd_test_resolver_new ();

  g_test_init (&argc, &argv, NULL);
  g_assert_true (dmd_test_resolver_load_data (resolver, zone, NULL));
  g_resolver_set_default (G_RESOLVER (resolver));
  g_test_add_func ("/dmd/checkup/direct-send-uses-mx", test_direct_send_uses_mx);
  g_test_add_func ("/dmd/checkup/relay-connector-mismatch", test_relay_connector_mismatch);
  g_test_add_func ("/dmd/checkup/direct-send-third-party-mx", test_direct_send_third_party_mx);
  g_test_add_func ("/dmd/checkup/smtp-auth-passes", test_smtp_auth_passes);
  g_test_add_func ("/dmd/checkup/tenant-disabled", test_tenant_disabled);
  g_test_add_func ("/dmd/checkup/send-message", test_send_message);
  g_test_add_func ("/dmd/checkup/events-on-caller-thread", test_events_on_caller_thread);
  g_test_add_func ("/dmd/checkup/wrong-certificate", test_wrong_certificate_keeps_credentials);
  g_test_add_func ("/dmd/checkup/refused-port", test_refused_port);
  g_test_add_func ("/dmd/checkup/dropped-port", test_dropped_port);
  g_test_add_func ("/dmd/checkup/cancel-silent-server", test_cancel_silent_server);
  g_test_add_func ("/dmd/checkup/plan", test_plan);
  g_test_add_func ("/dmd/checkup/plan-covers-run", test_plan_covers_run);
  g_test_add_func ("/dmd/checkup/direct-send-passes", test_direct_send_passes);
  g_test_add_func ("/dmd/checkup/mixup-implicit-port", test_mixup_implicit_port);
  g_test_add_func ("/dmd/checkup/mixup-plaintext-port", test_mixup_plaintext_port);
  g_test_add_func ("/dmd/checkup/silent-banner-one-deadline", test_silent_banner_one_deadline);
  g_test_add_func ("/dmd/checkup/trickling-banner-one-deadline", test_trickling_banner_one_deadline);
  g_test_add_func ("/dmd/checkup/auth-exchange-one-deadline", test_auth_exchange_one_deadline);
  g_test_add_func ("/dmd/checkup/dns-step-one-deadline", test_dns_step_one_deadline);
  return g_test_run ();
}
