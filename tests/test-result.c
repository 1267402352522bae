/* test-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-result.h"

static void
test_verdict_and_order (void)
{
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  DmdFinding *first;

  g_assert_cmpstr (dmd_result_verdict (result), ==, "pass");
  dmd_result_add_finding (result, dmd_finding_new ("test-message-not-sent", DMD_SEVERITY_INFO));
  g_assert_cmpstr (dmd_result_verdict (result), ==, "pass");
  dmd_result_add_finding (result, dmd_finding_new ("config-sender-mismatch", DMD_SEVERITY_WARNING));
  g_assert_cmpstr (dmd_result_verdict (result), ==, "warn");
  dmd_result_add_finding (result, dmd_finding_new ("auth-failed", DMD_SEVERITY_ERROR));
  g_assert_cmpstr (dmd_result_verdict (result), ==, "fail");

  /* The same id twice is one finding. */
  dmd_result_add_finding (result, dmd_finding_new ("auth-failed", DMD_SEVERITY_ERROR));
  g_assert_cmpuint (result->findings->len, ==, 3);

  dmd_result_sort_findings (result);
  first = g_ptr_array_index (result->findings, 0);
  g_assert_cmpstr (first->id, ==, "auth-failed");
  g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (result->findings, 2))->id, ==, "test-message-not-sent");
  g_assert_cmpuint (dmd_result_count_severity (result, DMD_SEVERITY_WARNING), ==, 1);
}

static void
test_checks (void)
{
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_RELAY);
  DmdCheck *check = dmd_result_add_check (result, "connect");

  g_assert_true (dmd_result_add_check (result, "connect") == check);
  g_assert_null (dmd_result_get_check (result, "auth"));
  dmd_check_add_line (check, 'I', "Connecting to 192.0.2.1:25");
  g_assert_cmpuint (check->transcript->len, ==, 1);
  g_assert_cmpint (((DmdTranscriptLine *) g_ptr_array_index (check->transcript, 0))->dir, ==, 'I');
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmd/result/verdict-and-order", test_verdict_and_order);
  g_test_add_func ("/dmd/result/checks", test_checks);
  return g_test_run ();
}
