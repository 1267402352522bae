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
  adw_combo_row_set_selected (ADW_COMBO_ROW (dmd_test_find_row (page, "Sending option")), DMD_OPTION_DIRECT_SEND);
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
              DmdOption   option,
              DmdStep     step)
{
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli",
                                                "device-mail-doctor-cli", NULL);
  g_autofree char *option_arg = g_strdup_printf ("--option=%s", dmd_option_to_string (option));
  g_autofree char *step_arg = g_strdup_printf ("--step=%s", dmd_step_to_string (step));
  const char *argv[] = { cli, "explain", "--format=json", option_arg, line, NULL, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int status;

  if (step != DMD_STEP_ANY)
    {
      argv[4] = step_arg;
      argv[5] = line;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
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
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
      "Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0041.PROD]",
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

  for (int option = 0; option < DMD_N_OPTIONS; option++)
    for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        adw_combo_row_set_selected (option_row, (guint) option);
        /* The step row lists the steps in DmdStep order, from "any". */
        adw_combo_row_set_selected (step_row, (guint) steps[s]);
        for (guint l = 0; l < G_N_ELEMENTS (lines); l++)
          {
            g_autoptr(JsonArray) expected = cli_findings (lines[l], option, steps[s]);

            g_test_message ("%s, step %s: %s", dmd_option_to_string (option),
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
  g_test_add_func ("/dmd/ui/explain/finalize", test_finalize);
  return g_test_run ();
}
