/* test-explain-page.c — a pasted reply gives the findings, with the results page's rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
  g_test_add_func ("/dmd/ui/explain/finalize", test_finalize);
  return g_test_run ();
}
