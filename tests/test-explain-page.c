/* test-explain-page.c — a pasted reply gives the findings, with the results page's rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "dmd-explain-page.h"
#include "dmd-finding-row.h"
#include "dmd-ui-test-utils.h"

static void
test_explain (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_explain_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *first;

  g_assert_false (dmd_page_get_has_forward (DMD_PAGE (page)));
  g_assert_cmpuint (dmd_explain_page_get_n_findings (DMD_EXPLAIN_PAGE (page)), ==, 0);

  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page),
                             "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
                             "Visit https://aka.ms/smtp_auth_disabled for more information. "
                             "[SN4PR0201CA0041.namprd02.prod.outlook.com 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]");
  dmd_test_spin ();
  g_assert_cmpuint (dmd_explain_page_get_n_findings (DMD_EXPLAIN_PAGE (page)), >=, 1);
  first = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, 0);
  g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (first)), ==, "auth-smtp-auth-disabled-tenant");
  g_assert_nonnull (dmd_test_find_label (first, "Set-TransportConfig"));

  /* Not a reply at all. */
  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page), "hello");
  dmd_test_spin ();
  g_assert_cmpuint (dmd_explain_page_get_n_findings (DMD_EXPLAIN_PAGE (page)), ==, 0);
  g_assert_nonnull (dmd_test_find_label (page, "No reply code found"));

  /* A success. */
  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page), "250 2.1.5 Recipient OK");
  dmd_test_spin ();
  g_assert_cmpuint (dmd_explain_page_get_n_findings (DMD_EXPLAIN_PAGE (page)), ==, 0);
  g_assert_nonnull (dmd_test_find_label (page, "success"));

  /* The same code means something else for another option and step. */
  /* (Row 0 of the option is "Not sure".) */
  adw_combo_row_set_selected (ADW_COMBO_ROW (dmd_test_find_row (page, "Sending option")),
                              DMD_OPTION_DIRECT_SEND + 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (dmd_test_find_row (page, "Step of the conversation")), 6);
  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page),
                             "530 5.7.57 Client not authenticated to send mail. [AB1PR01CA0001.PROD]");
  dmd_test_spin ();
  first = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, 0);
  g_assert_nonnull (first);
  g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (first)), ==, "config-wrong-endpoint-direct-send");

  /* A well-known text without its code (the guide's own heading) is still recognised. */
  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page),
                             "Client was not authenticated to send anonymous mail during MAIL FROM");
  dmd_test_spin ();
  first = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, 0);
  g_assert_nonnull (first);
  g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (first)), ==, "config-wrong-endpoint-direct-send");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The CLI's `explain --format=json` for these inputs: its findings array. */
static JsonArray *
cli_findings (const char *line,
              int         option,
              DmdStep     step)
{
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli",
                                                "device-mail-doctor-cli", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int status;

  g_ptr_array_add (argv, g_strdup (cli));
  g_ptr_array_add (argv, g_strdup ("explain"));
  g_ptr_array_add (argv, g_strdup ("--format=json"));
  /* option < 0: not known, as the page's "Not sure": no --option. */
  if (option >= 0)
    g_ptr_array_add (argv, g_strdup_printf ("--option=%s", dmd_option_to_string ((DmdOption) option)));
  if (step != DMD_STEP_ANY)
    g_ptr_array_add (argv, g_strdup_printf ("--step=%s", dmd_step_to_string (step)));
  g_ptr_array_add (argv, g_strdup (line));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                NULL, &status, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static DmdSeverity
severity_from_string (const char *name)
{
  if (g_strcmp0 (name, "error") == 0)
    return DMD_SEVERITY_ERROR;
  if (g_strcmp0 (name, "warning") == 0)
    return DMD_SEVERITY_WARNING;
  return DMD_SEVERITY_INFO;
}

/* The wizard's explain page and the CLI's `explain` give the same findings — ids, order,
 * severity, title, fix commands — for the same reply text, option and step. */
static void
test_same_as_cli (void)
{
  static const char *lines[] = {
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
     "Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0041.PROD]"),
    "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
    "530 5.7.57 Client not authenticated to send mail. [AB1PR01CA0001.PROD]",
    "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
    "550 5.7.64 TenantAttribution; Relay Access Denied",
    "451 4.7.500 Server busy. Please try again later.",
    "452 4.3.9 Something no rule knows",
    "554 5.9.9 Something no rule knows",
    "Client was not authenticated to send anonymous mail during MAIL FROM",
    "smtp.hve.mx.microsoft said 535 5.7.3 Authentication unsuccessful",
    "250 2.1.5 Recipient OK",
  };
  static const DmdStep steps[] = { DMD_STEP_ANY, DMD_STEP_AUTH, DMD_STEP_MAIL, DMD_STEP_RCPT };
  g_autoptr(DmdSession) session = dmd_session_new ();
  /* Not in a window: nothing to lay out, only what the page builds is compared. */
  GtkWidget *page = g_object_ref_sink (dmd_explain_page_new (session));
  AdwComboRow *option_row = ADW_COMBO_ROW (dmd_test_find_row (page, "Sending option"));
  AdwComboRow *step_row = ADW_COMBO_ROW (dmd_test_find_row (page, "Step of the conversation"));
  guint compared = 0;

  /* -1: "Not sure", the row the page starts with. */
  for (int option = -1; option < DMD_N_OPTIONS; option++)
    for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        adw_combo_row_set_selected (option_row, (guint) (option + 1));
        /* The step row lists the steps in DmdStep order, from "any". */
        adw_combo_row_set_selected (step_row, (guint) steps[s]);
        for (guint l = 0; l < G_N_ELEMENTS (lines); l++)
          {
            g_autoptr(JsonArray) expected = cli_findings (lines[l], option, steps[s]);

            g_test_message ("%s, step %s: %s",
                            option >= 0 ? dmd_option_to_string ((DmdOption) option) : "not sure",
                            dmd_step_to_string (steps[s]), lines[l]);
            dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page), lines[l]);
            dmd_test_spin ();

            g_assert_cmpuint (dmd_explain_page_get_n_findings (DMD_EXPLAIN_PAGE (page)), ==,
                              json_array_get_length (expected));
            for (guint i = 0; i < json_array_get_length (expected); i++)
              {
                JsonObject *finding = json_array_get_object_element (expected, i);
                JsonArray *fixes = json_object_get_array_member (finding, "fixes");
                GtkWidget *row = dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, i);
                DmdSeverity severity;

                g_assert_nonnull (row);
                g_assert_cmpstr (dmd_finding_row_get_finding_id (DMD_FINDING_ROW (row)), ==,
                                 json_object_get_string_member (finding, "id"));
                g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                                 json_object_get_string_member (finding, "title"));
                severity = severity_from_string (json_object_get_string_member (finding, "severity"));
                g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)),
                                                 dmd_severity_word (severity)));
                for (guint f = 0; f < json_array_get_length (fixes); f++)
                  {
                    JsonObject *fix = json_array_get_object_element (fixes, f);
                    const char *command = json_object_get_string_member_with_default (fix, "command", NULL);

                    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
                    g_assert_nonnull (dmd_test_find_label (row, json_object_get_string_member (fix, "text")));
                    if (command != NULL)
                      g_assert_nonnull (dmd_test_find_label (row, command));
                  }
                compared++;
              }
          }
      }
  g_assert_cmpuint (compared, >, 50);

  g_assert_finalize_object (page);
}

static char *
shown_ids (GtkWidget *page)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, i) != NULL; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? " " : "",
                            dmd_finding_row_get_finding_id (DMD_FINDING_ROW (
                              dmd_test_find_type (page, DMD_TYPE_FINDING_ROW, i))));
  return g_string_free (ids, FALSE);
}

static char *
cli_ids (const char *line,
         int         option)
{
  g_autoptr(JsonArray) findings = cli_findings (line, option, DMD_STEP_ANY);
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (findings); i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? " " : "",
                            json_object_get_string_member (json_array_get_object_element (findings, i), "id"));
  return g_string_free (ids, FALSE);
}

/* The sending option starts at "Not sure", whatever the last run checked (the page once
 * explained SMTP AUTH replies as SMTP relay because the last run was relay); the explanation
 * then follows the option chosen, as the CLI's explain does with and without --option
 * (issue 14 §6). */
static void
test_not_sure_by_default (void)
{
  static const char *line = "530 5.7.57 Client not authenticated to send mail. [AB1PR01CA0001.PROD]";
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page, *window;
  AdwComboRow *option_row;
  g_autofree char *not_sure = NULL;
  g_autofree char *relay = NULL;
  g_autofree char *smtp_auth = NULL;
  g_autofree char *cli_not_sure = cli_ids (line, -1);
  g_autofree char *cli_relay = cli_ids (line, DMD_OPTION_RELAY);
  g_autofree char *cli_smtp_auth = cli_ids (line, DMD_OPTION_SMTP_AUTH);

  dmd_session_set_option (session, DMD_OPTION_RELAY);
  page = dmd_explain_page_new (session);
  window = dmd_test_window_new (page);
  dmd_page_shown (DMD_PAGE (page));
  option_row = ADW_COMBO_ROW (dmd_test_find_row (page, "Sending option"));
  g_assert_cmpuint (adw_combo_row_get_selected (option_row), ==, 0);
  g_assert_cmpstr (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (option_row))),
                   ==, "Not sure");

  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page), line);
  dmd_test_spin ();
  not_sure = shown_ids (page);
  g_test_message ("not sure: %s (CLI: %s)", not_sure, cli_not_sure);
  g_assert_cmpstr (not_sure, ==, cli_not_sure);
  /* This reply reads differently for each option, and the page says so. */
  g_assert_nonnull (dmd_test_find_label (page, "different things for each sending option"));

  /* The explanation follows the option chosen. */
  adw_combo_row_set_selected (option_row, DMD_OPTION_RELAY + 1);
  dmd_test_spin ();
  relay = shown_ids (page);
  g_assert_cmpstr (relay, ==, cli_relay);
  adw_combo_row_set_selected (option_row, DMD_OPTION_SMTP_AUTH + 1);
  dmd_test_spin ();
  smtp_auth = shown_ids (page);
  g_assert_cmpstr (smtp_auth, ==, cli_smtp_auth);
  g_assert_cmpstr (smtp_auth, !=, relay);
  g_assert_null (dmd_test_find_label (page, "different things for each sending option"));

  /* Coming back to the page keeps the option the user chose, not the session's. */
  dmd_session_set_option (session, DMD_OPTION_DIRECT_SEND);
  dmd_page_shown (DMD_PAGE (page));
  g_assert_cmpuint (adw_combo_row_get_selected (option_row), ==, DMD_OPTION_SMTP_AUTH + 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_finalize (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_explain_page_new (session);

  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (page), "550 5.7.60 SMTP; Client does not have permissions to send as this sender");
  g_object_ref_sink (page);
  g_assert_finalize_object (page);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();
  g_test_add_func ("/dmd/ui/explain/explain", test_explain);
  g_test_add_func ("/dmd/ui/explain/same-as-cli", test_same_as_cli);
  g_test_add_func ("/dmd/ui/explain/not-sure-by-default", test_not_sure_by_default);
  g_test_add_func ("/dmd/ui/explain/finalize", test_finalize);
  return g_test_run ();
}
