/* test-results-page.c — the verdict, the finding rows, the settings table, the details
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-finding-row.h"
#include "dmd-results-page.h"
#include "dmd-text.h"
#include "dmd-transcript-view.h"
#include "dmd-ui-test-utils.h"

static DmdResult *
make_result (gboolean problems)
{
  DmdResult *result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  DmdCheck *check;
  DmdFinding *finding;

  check = dmd_result_add_check (result, "connect");
  check->status = DMD_CHECK_PASS;
  check->summary = g_strdup ("Connected to 127.0.0.1 port 587");
  check->elapsed_ms = 12;
  check = dmd_result_add_check (result, "auth");
  check->status = problems ? DMD_CHECK_FAIL : DMD_CHECK_PASS;
  check->summary = g_strdup (problems ? "Sign-in refused" : "Signed in");

  if (problems)
    {
      finding = dmd_finding_new ("auth-smtp-auth-disabled-tenant", DMD_SEVERITY_ERROR);
      finding->check = g_strdup ("auth");
      finding->title = g_strdup ("SMTP AUTH is turned off for the whole organization <b>");
      finding->explanation = g_strdup ("The tenant blocks SMTP AUTH.");
      finding->evidence = g_strdup ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.");
      dmd_finding_add_fix (finding, "Turn SMTP AUTH on for the organization",
                           "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
                           "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
                           DMD_AUDIENCE_ADMIN);
      dmd_finding_add_fix (finding, "Check the user name on the device", NULL, NULL, DMD_AUDIENCE_TECHNICIAN);
      dmd_result_add_finding (result, finding);

      finding = dmd_finding_new ("config-sender-mismatch", DMD_SEVERITY_WARNING);
      finding->title = g_strdup ("The sender differs from the user name");
      dmd_result_add_finding (result, finding);
    }
  finding = dmd_finding_new ("test-message-not-sent", DMD_SEVERITY_INFO);
  finding->title = g_strdup ("No test message was sent");
  dmd_result_add_finding (result, finding);

  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("server", "Server", "smtp.office365.com", "smtp.office365.com", "ok"));
  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("port", "Port", "587", "465", "differs"));
  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("connector", "Connector", "none", NULL, "not-applicable"));

  result->network.public_ip = g_strdup ("203.0.113.7");
  result->network.tls_negotiated = g_strdup ("TLS1.3");
  result->network.tls_cipher = g_strdup ("AES-256-GCM");
  result->network.versions[DMD_TLS10].state = DMD_TLS_VERSION_REFUSED;
  result->network.versions[DMD_TLS12].state = DMD_TLS_VERSION_ACCEPTED;
  result->network.versions[DMD_TLS13].state = DMD_TLS_VERSION_ACCEPTED;
  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('S', "220 ready"));
  dmd_result_sort_findings (result);
  return result;
}

static void
test_problems (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (TRUE);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *first, *port, *server, *settings_list;

  dmd_session_set_result (session, result);
  dmd_test_spin ();

  /* The verdict in words, then the first fix and who does it. */
  g_assert_nonnull (dmd_test_find_label (page, "Can’t Send Yet"));
  g_assert_null (dmd_test_find_label (page, "Problem Found"));
  g_assert_nonnull (dmd_test_find_label (page, "Who fixes it: the admin"));
  g_assert_nonnull (dmd_test_find_label (page, "First step: Turn SMTP AUTH on"));
  /* The step's command, with its Copy button, right under it. */
  g_assert_nonnull (dmd_test_find_label (page, "Set-TransportConfig"));

  /* One finding row per finding; the title is plain text, and not repeated inside. */
  g_assert_cmpuint (dmd_test_count_type (page, DMD_TYPE_FINDING_ROW, FALSE), ==, 3);
  first = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, 0);
  g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (first)), ==, "auth-smtp-auth-disabled-tenant");
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (first)));
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (first)));
  g_assert_nonnull (dmd_test_find_label (first, "5.7.139"));
  g_assert_nonnull (dmd_test_find_label (first, "Set-TransportConfig"));
  g_assert_nonnull (dmd_test_find_label (first, "For the admin"));
  g_assert_nonnull (dmd_test_find_label (first, "At the device"));
  g_assert_nonnull (dmd_test_find_type (first, GTK_TYPE_LINK_BUTTON, 0));
  /* Expanded, its title shows once: the row's own, not again as a heading inside. */
  {
    guint n = 0;

    for (guint i = 0; dmd_test_find_type (first, GTK_TYPE_LABEL, i) != NULL; i++)
      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (dmd_test_find_type (first, GTK_TYPE_LABEL, i))),
                     "SMTP AUTH is turned off for the whole organization <b>") == 0)
        n++;
    g_assert_cmpuint (n, ==, 1);
  }

  /* Right under the headline, what to type into the device: the recommended values, what
   * differs marked with what was entered. */
  g_assert_nonnull (dmd_test_find_label (page, "Type This into the Device"));
  {
    GtkWidget *grid = dmd_test_find_type (page, GTK_TYPE_GRID, 0);

    g_assert_nonnull (grid);
    g_assert_nonnull (dmd_test_find_label (grid, "smtp.office365.com"));
    g_assert_nonnull (dmd_test_find_label (grid, "Entered: 465"));
    /* Only what is typed into the device: no connector line. */
    g_assert_null (dmd_test_find_label (grid, "Connector"));
  }

  /* Differences first in the settings table, with words beside the icon. */
  port = dmd_test_find_row (page, "Port");
  server = dmd_test_find_row (page, "Server");
  g_assert_nonnull (port);
  g_assert_nonnull (server);
  settings_list = gtk_widget_get_parent (port);
  g_assert_true (gtk_widget_get_parent (server) == settings_list);
  g_assert_true (gtk_widget_get_first_child (settings_list) == port);
  g_assert_nonnull (dmd_test_find_label (port, "Differs"));
  g_assert_nonnull (dmd_test_find_label (server, "Matches"));

  /* Connection details. */
  g_assert_nonnull (dmd_test_find_row (page, "Public IP address Microsoft 365 saw"));
  g_assert_nonnull (dmd_test_find_row (page, "TLS 1.0"));
  g_assert_nonnull (dmd_test_find_label (dmd_test_find_row (page, "TLS 1.0"), "Refused"));
  g_assert_nonnull (dmd_test_find_label (dmd_test_find_row (page, "TLS 1.3"), "Accepted"));

  /* Row titles carry no mnemonic (Japanese would show "(S)" in them). */
  for (guint i = 0; i < 3; i++)
    {
      const char *titles[] = { "Save Report…", "Copy Summary", "Change Settings" };
      GtkWidget *action = dmd_test_find_row (page, titles[i]);

      g_assert_nonnull (action);
      g_assert_false (adw_preferences_row_get_use_underline (ADW_PREFERENCES_ROW (action)));
    }

  /* Copy summary puts text on the clipboard. */
  gtk_widget_activate (dmd_test_find_row (page, "Copy Summary"));
  dmd_test_spin ();

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_report (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (TRUE);
  DmdDeviceConfig *config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  GtkWidget *page;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) html = NULL;
  g_autoptr(GBytes) hinted = NULL;
  const char *data;

  config->username = g_strdup ("scanner@contoso.com");
  dmd_device_config_set_password (config, "Tr0ub4dor&3-never-in-a-report");
  dmd_session_take_config (session, config);
  dmd_session_set_result (session, result);
  page = dmd_results_page_new (session);
  g_object_ref_sink (page);

  /* Save report writes what the name asks for, and never the password. */
  json = dmd_results_page_dup_report (DMD_RESULTS_PAGE (page), "report.json", FALSE);
  data = g_bytes_get_data (json, NULL);
  g_assert_nonnull (strstr (data, "device-mail-doctor/report/v1"));
  g_assert_nonnull (strstr (data, "auth-smtp-auth-disabled-tenant"));
  g_assert_null (strstr (data, "Tr0ub4dor"));

  html = dmd_results_page_dup_report (DMD_RESULTS_PAGE (page), "report.html", TRUE);
  data = g_bytes_get_data (html, NULL);
  g_assert_nonnull (strstr (data, "<html"));
  g_assert_null (strstr (data, "Tr0ub4dor"));
  /* The title went in escaped. */
  g_assert_null (strstr (data, "organization <b>"));

  hinted = dmd_results_page_dup_report (DMD_RESULTS_PAGE (page), "report", TRUE);
  g_assert_nonnull (strstr (g_bytes_get_data (hinted, NULL), "device-mail-doctor/report/v1"));

  g_assert_finalize_object (page);
}

static void
test_ready (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (FALSE);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);

  dmd_session_set_result (session, result);
  dmd_test_spin ();
  g_assert_nonnull (dmd_test_find_label (page, "Ready to Send"));
  g_assert_nonnull (dmd_test_find_label (page, "No message was sent"));
  /* No problems group, only the note. */
  g_assert_cmpuint (dmd_test_count_type (page, DMD_TYPE_FINDING_ROW, TRUE), ==, 1);
  g_assert_cmpstr (dmd_page_get_forward_label (DMD_PAGE (page)), ==, "_Run Again");

  /* A new result replaces the old rows. */
  dmd_session_set_result (session, NULL);
  dmd_test_spin ();
  g_assert_cmpuint (dmd_test_count_type (page, DMD_TYPE_FINDING_ROW, FALSE), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A refusal whose finding is only a warning (432 4.3.2 at MAIL FROM) is no "ready to send":
 * the failed check decides the headline, and its finding comes first (issue 10). */
static void
test_refused_with_a_warning (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  DmdCheck *check;
  DmdFinding *finding;
  GtkWidget *first;

  check = dmd_result_add_check (result, "config");
  check->status = DMD_CHECK_WARN;
  check = dmd_result_add_check (result, "mail-from");
  check->status = DMD_CHECK_FAIL;
  check->summary = g_strdup ("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded");
  check->reply_code = 432;
  check->reply_class = 4;
  finding = dmd_finding_new ("config-basic-auth-retiring", DMD_SEVERITY_WARNING);
  finding->check = g_strdup ("config");
  finding->title = g_strdup ("Basic authentication is being retired");
  dmd_finding_add_fix (finding, "Move the device to OAuth", NULL, NULL, DMD_AUDIENCE_ANYONE);
  dmd_result_add_finding (result, finding);
  finding = dmd_finding_new ("throttled", DMD_SEVERITY_WARNING);
  finding->check = g_strdup ("mail-from");
  finding->title = g_strdup ("The server is busy or a sending limit was reached");
  dmd_finding_add_fix (finding, "Wait a few minutes and try again", NULL, NULL, DMD_AUDIENCE_TECHNICIAN);
  dmd_result_add_finding (result, finding);
  dmd_result_sort_findings (result);

  dmd_session_set_result (session, result);
  dmd_test_spin ();
  g_assert_nonnull (dmd_test_find_label (page, "Refused for Now — Try Again Later"));
  g_assert_null (dmd_test_find_label (page, "Ready to Send"));
  g_assert_null (dmd_test_find_label (page, "Works"));
  g_assert_nonnull (dmd_test_find_label (page, "Who fixes it: at the device"));
  g_assert_nonnull (dmd_test_find_label (page, "First step: Wait a few minutes"));
  first = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, 0);
  g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (first)), ==, "throttled");
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (first)));

  /* The same refusal, permanent: can't send. */
  check->reply_code = 550;
  check->reply_class = 5;
  dmd_session_set_result (session, NULL);
  dmd_session_set_result (session, result);
  dmd_test_spin ();
  g_assert_nonnull (dmd_test_find_label (page, "Can’t Send Yet"));
  g_assert_null (dmd_test_find_label (page, "Refused for Now"));

  /* Nothing failed, a warning stands: ready, with warnings (no count). */
  check->status = DMD_CHECK_PASS;
  g_ptr_array_remove_index (result->findings, 0);
  dmd_session_set_result (session, NULL);
  dmd_session_set_result (session, result);
  dmd_test_spin ();
  g_assert_nonnull (dmd_test_find_label (page, "Ready to Send, with Warnings"));
  g_assert_nonnull (dmd_test_find_label (page, "First step: Move the device to OAuth"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_finding_row_finalize (void)
{
  g_autoptr(DmdResult) result = make_result (TRUE);
  GtkWidget *row = dmd_finding_row_new (g_ptr_array_index (result->findings, 0));

  g_object_ref_sink (row);
  g_assert_finalize_object (row);
}

static void
test_finalize (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (TRUE);
  GtkWidget *page;

  dmd_session_set_result (session, result);
  page = dmd_results_page_new (session);
  g_object_ref_sink (page);
  g_assert_finalize_object (page);
}

/* The device's certificate, presented to a connector that trusts one. */
static void
test_client_certificate (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (FALSE);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  DmdCertInfo *cc = dmd_cert_info_new ();
  GtkWidget *row;

  cc->subject = g_strdup ("CN=mfp.contoso.com <b>");
  cc->sha256 = g_strdup ("12:34:56");
  result->network.client_cert = cc;
  result->network.client_cert_requested = TRUE;
  result->network.client_cert_sent = TRUE;
  dmd_session_set_result (session, result);
  dmd_test_spin ();

  row = dmd_test_find_row (page, "Client certificate");
  g_assert_nonnull (row);
  g_assert_nonnull (dmd_test_find_label (row, "Presented"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "CN=mfp.contoso.com <b>"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "12:34:56"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_copy_button (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  return GTK_IS_BUTTON (widget) && tooltip != NULL && strstr (tooltip, "Copy") != NULL;
}

/* Keyboard (issue 14 §3): evidence and explanations are selectable but no Tab stops, so Tab
 * reaches the Copy buttons at once: the headline's first, then the first finding's. */
static void
test_keyboard (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (TRUE);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  g_autoptr(GPtrArray) chain = NULL;
  GtkWidget *evidence;
  guint copies = 0;

  dmd_session_set_result (session, result);
  dmd_test_spin ();
  evidence = dmd_test_find_label (page, "535 5.7.139");
  g_assert_nonnull (evidence);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (evidence)));
  g_assert_false (gtk_widget_get_focusable (evidence));

  chain = dmd_test_tab_chain (window, 100);
  for (guint i = 0; i < chain->len; i++)
    {
      GtkWidget *focus = g_ptr_array_index (chain, i);

      g_test_message ("Tab %u: %s %s", i, G_OBJECT_TYPE_NAME (focus),
                      GTK_IS_BUTTON (focus) ? gtk_widget_get_tooltip_text (focus) : "");
      if (GTK_IS_LABEL (focus))
        g_error ("Tab stops on the text “%s”", gtk_label_get_text (GTK_LABEL (focus)));
      if (is_copy_button (focus))
        {
          copies++;
          /* The headline's Copy button first; the finding's after its row's header. */
          if (copies == 1)
            g_assert_cmpuint (i, ==, 0);
          else if (copies == 2)
            g_assert_cmpuint (i, <=, 2);
        }
    }
  g_assert_cmpuint (copies, >=, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Server text is shown as it came: at 360 px a long reply line, host name or command wraps,
 * and Pango must not add a hyphen where it breaks a word (issue 14 §5). */
static void
test_no_hyphens (void)
{
  static const char *long_text =
    "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. "
    "SmtpClientAuthenticationIsDisabledForTheTenantVisitAkaMsSmtpAuthDisabledForMoreInformation "
    "CONTOSOCOMMAILPROTECTIONOUTLOOKCOMCONTOSOCOMMAILPROTECTIONOUTLOOKCOM";
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) result = make_result (TRUE);
  DmdFinding *first = g_ptr_array_index (result->findings, 0);
  DmdCheck *check = g_ptr_array_index (result->checks, 0);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *hyphenated;
  GtkWidget *view;
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  GtkTextTag *tag;
  gboolean hyphens = TRUE;

  g_free (first->evidence);
  first->evidence = g_strdup (long_text);
  dmd_finding_add_fix (first, "Run this", long_text, NULL, DMD_AUDIENCE_ADMIN);
  g_free (check->summary);
  check->summary = g_strdup (long_text);
  g_free (result->network.public_ip);
  result->network.public_ip = g_strdup (long_text);
  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('S', long_text));

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 4000);
  dmd_session_set_result (session, result);
  dmd_test_spin ();
  g_assert_nonnull (dmd_test_find_label (page, "SmtpClientAuthenticationIsDisabled"));

  hyphenated = dmd_test_find_hyphenated_label (window);
  if (hyphenated != NULL)
    g_error ("a hyphen was added to “%s”", gtk_label_get_text (GTK_LABEL (hyphenated)));

  /* The conversation: every character carries the tag that turns hyphens off. */
  view = dmd_test_find_type (page, DMD_TYPE_TRANSCRIPT_VIEW, 0);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_start_iter (buffer, &iter);
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), DMD_TEXT_NO_HYPHENS_TAG);
  g_assert_nonnull (tag);
  g_object_get (tag, "insert-hyphens", &hyphens, NULL);
  g_assert_false (hyphens);
  do
    g_assert_true (gtk_text_iter_has_tag (&iter, tag) || gtk_text_iter_is_end (&iter));
  while (gtk_text_iter_forward_char (&iter));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Password sign-in refused on SMTP AUTH: one click to test High Volume Email instead. */
static void
test_instead (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  g_autoptr(DmdResult) refused = make_result (FALSE);
  g_autoptr(DmdResult) other = make_result (TRUE);
  GtkWidget *page = dmd_results_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  DmdFinding *finding;
  GtkWidget *row;

  /* Another refusal (the tenant switch) offers nothing. */
  dmd_session_set_result (session, other);
  dmd_test_spin ();
  g_assert_null (dmd_test_find_row (page, "Test High Volume Email Instead"));

  finding = dmd_finding_new ("auth-basic-auth-blocked", DMD_SEVERITY_ERROR);
  finding->check = g_strdup ("auth");
  finding->title = g_strdup ("Password sign-in is blocked");
  dmd_result_add_finding (refused, finding);
  dmd_session_set_result (session, refused);
  dmd_test_spin ();
  row = dmd_test_find_row (page, "Test High Volume Email Instead");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "HVE account"));
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));

  /* It switches the session to High Volume Email (the window then opens its settings). */
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_SMTP_AUTH);
  gtk_widget_activate (row);
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_HVE);

  /* A result of High Volume Email itself offers nothing. */
  {
    g_autoptr(DmdResult) hve = dmd_result_new (DMD_OPTION_HVE);

    dmd_result_add_finding (hve, dmd_finding_new ("auth-basic-auth-blocked", DMD_SEVERITY_ERROR));
    dmd_session_set_result (session, hve);
    dmd_test_spin ();
    g_assert_null (dmd_test_find_row (page, "Test High Volume Email Instead"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();
  g_test_add_func ("/dmd/ui/results/problems", test_problems);
  g_test_add_func ("/dmd/ui/results/ready", test_ready);
  g_test_add_func ("/dmd/ui/results/refused-with-a-warning", test_refused_with_a_warning);
  g_test_add_func ("/dmd/ui/results/report", test_report);
  g_test_add_func ("/dmd/ui/results/client-certificate", test_client_certificate);
  g_test_add_func ("/dmd/ui/results/no-hyphens", test_no_hyphens);
  g_test_add_func ("/dmd/ui/results/keyboard", test_keyboard);
  g_test_add_func ("/dmd/ui/results/instead", test_instead);
  g_test_add_func ("/dmd/ui/results/finding-row-finalize", test_finding_row_finalize);
  g_test_add_func ("/dmd/ui/results/finalize", test_finalize);
  return g_test_run ();
}
