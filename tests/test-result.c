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

static DmdCheck *
add_check (DmdResult      *result,
           const char     *id,
           DmdCheckStatus  status,
           guint           code,
           guint           klass)
{
  DmdCheck *check = dmd_result_add_check (result, id);

  check->status = status;
  check->reply_code = code;
  check->reply_class = klass;
  return check;
}

static DmdFinding *
add_finding (DmdResult   *result,
             const char  *id,
             DmdSeverity  severity,
             const char  *check)
{
  DmdFinding *finding = dmd_finding_new (id, severity);

  finding->check = g_strdup (check);
  dmd_result_add_finding (result, finding);
  return finding;
}

/* The verdict rule: a failed check decides, whatever its finding's severity. */
static void
test_verdict_rule (void)
{
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);

  g_assert_cmpstr (dmd_verdict_to_string (DMD_VERDICT_PASS), ==, "pass");
  g_assert_cmpstr (dmd_verdict_to_string (DMD_VERDICT_WARN), ==, "warn");
  g_assert_cmpstr (dmd_verdict_to_string (DMD_VERDICT_FAIL), ==, "fail");
  g_assert_cmpstr (dmd_verdict_to_string (DMD_VERDICT_RETRY), ==, "retry");

  add_check (result, "config", DMD_CHECK_WARN, 0, 0);
  add_check (result, "auth", DMD_CHECK_PASS, 0, 0);
  add_finding (result, "config-basic-auth-retiring", DMD_SEVERITY_WARNING, "config");
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_WARN);

  /* 432 4.3.2 at MAIL FROM: a warning finding, but the step failed for now. */
  add_check (result, "mail-from", DMD_CHECK_FAIL, 432, 4);
  add_check (result, "rcpt-to", DMD_CHECK_SKIP, 0, 0);
  add_finding (result, "throttled", DMD_SEVERITY_WARNING, "mail-from");
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_RETRY);
  g_assert_cmpstr (dmd_result_verdict (result), ==, "retry");
  g_assert_cmpstr (dmd_result_get_failed_check (result)->id, ==, "mail-from");

  /* A 4xx the catalogue knows to be permanent in effect carries an error: fail. */
  add_finding (result, "smtp-starttls-required", DMD_SEVERITY_ERROR, "mail-from");
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);
  g_ptr_array_set_size (result->findings, 2);
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_RETRY);

  /* A 4xx basic code with a permanent enhanced code (Exchange's "451 5.7.3"): fail. */
  dmd_result_get_check (result, "mail-from")->reply_class = 5;
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);
  dmd_result_get_check (result, "mail-from")->reply_class = 0;
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_RETRY);

  /* A 5xx, or a failure without a reply: fail, even with only warnings. */
  dmd_result_get_check (result, "mail-from")->reply_code = 550;
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);
  dmd_result_get_check (result, "mail-from")->reply_code = 0;
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);

  /* A temporary refusal and a permanent one: fail, and the permanent one leads. */
  dmd_result_get_check (result, "mail-from")->reply_code = 451;
  add_check (result, "tls-versions", DMD_CHECK_FAIL, 0, 0);
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);
  g_assert_cmpstr (dmd_result_get_failed_check (result)->id, ==, "tls-versions");
  dmd_result_get_check (result, "tls-versions")->status = DMD_CHECK_PASS;

  /* Several permanent failures: the first in dialogue order leads, whatever the order
   * they started in (the side checks run beside the dialogue). */
  add_check (result, "spf", DMD_CHECK_FAIL, 0, 0);
  add_check (result, "banner", DMD_CHECK_FAIL, 554, 5);
  g_assert_cmpstr (dmd_result_get_failed_check (result)->id, ==, "banner");
}

static void
test_verdict_without_failed_check (void)
{
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_DIRECT_SEND);
  g_autoptr(GPtrArray) findings = g_ptr_array_new ();

  g_assert_cmpint (dmd_verdict_derive (NULL, NULL, FALSE), ==, DMD_VERDICT_PASS);
  g_assert_cmpint (dmd_verdict_derive (NULL, findings, TRUE), ==, DMD_VERDICT_WARN);

  add_check (result, "connect", DMD_CHECK_PASS, 0, 0);
  add_check (result, "spf", DMD_CHECK_SKIP, 0, 0);
  add_finding (result, "test-message-not-sent", DMD_SEVERITY_INFO, "data");
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_PASS);
  g_assert_null (dmd_result_get_failed_check (result));
  g_assert_null (dmd_result_get_top_finding (result));

  /* A check that warns is a warning even without a finding. */
  add_check (result, "banner", DMD_CHECK_WARN, 0, 0);
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_WARN);
  dmd_result_get_check (result, "banner")->status = DMD_CHECK_PASS;

  /* A run that did not finish is never a pass. */
  add_check (result, "ehlo", DMD_CHECK_RUNNING, 0, 0);
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_WARN);
  dmd_result_get_check (result, "ehlo")->status = DMD_CHECK_PASS;
  result->cancelled = TRUE;
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_WARN);
  result->cancelled = FALSE;

  /* An error stands without a failed check: fail. */
  add_finding (result, "relay-wrong-region", DMD_SEVERITY_ERROR, NULL);
  g_assert_cmpint (dmd_result_get_verdict (result), ==, DMD_VERDICT_FAIL);
  g_assert_cmpstr (dmd_result_get_top_finding (result)->id, ==, "relay-wrong-region");
}

/* The failed check's finding comes first, then errors, warnings, notes. */
static void
test_order (void)
{
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  static const char *expected[] = {
    "throttled", "server-unexpected-reply", "ip-on-dnsbl", "config-basic-auth-retiring",
    "tls-version-matrix", "test-message-not-sent",
  };

  add_check (result, "mail-from", DMD_CHECK_FAIL, 451, 4);
  add_finding (result, "tls-version-matrix", DMD_SEVERITY_INFO, "tls-versions");
  add_finding (result, "ip-on-dnsbl", DMD_SEVERITY_WARNING, "blocklist");
  add_finding (result, "config-basic-auth-retiring", DMD_SEVERITY_WARNING, "config");
  add_finding (result, "test-message-not-sent", DMD_SEVERITY_INFO, "data");
  add_finding (result, "server-unexpected-reply", DMD_SEVERITY_ERROR, "ehlo");
  add_finding (result, "throttled", DMD_SEVERITY_WARNING, "mail-from");

  g_assert_cmpstr (dmd_result_get_top_finding (result)->id, ==, "throttled");
  dmd_result_sort_findings (result);
  g_assert_cmpuint (result->findings->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (result->findings, i))->id, ==, expected[i]);

  /* Only a note about the failed check: it still leads, and is the headline's step. */
  g_ptr_array_remove_index (result->findings, 0);
  add_finding (result, "smtp-timeout", DMD_SEVERITY_INFO, "mail-from");
  g_assert_cmpstr (dmd_result_get_top_finding (result)->id, ==, "smtp-timeout");
  dmd_result_sort_findings (result);
  g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (result->findings, 0))->id, ==, "smtp-timeout");
}

static void
test_temporary_refusal (void)
{
  g_autoptr(DmdCheck) check = dmd_check_new ("mail-from");

  g_assert_false (dmd_check_is_temporary_refusal (check));
  check->reply_code = 421;
  g_assert_true (dmd_check_is_temporary_refusal (check));
  check->reply_class = 4;
  g_assert_true (dmd_check_is_temporary_refusal (check));
  check->reply_class = 5;
  g_assert_false (dmd_check_is_temporary_refusal (check));
  check->reply_code = 554;
  check->reply_class = 4;
  g_assert_false (dmd_check_is_temporary_refusal (check));
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
  g_test_add_func ("/dmd/result/verdict-rule", test_verdict_rule);
  g_test_add_func ("/dmd/result/verdict-without-failed-check", test_verdict_without_failed_check);
  g_test_add_func ("/dmd/result/order", test_order);
  g_test_add_func ("/dmd/result/temporary-refusal", test_temporary_refusal);
  return g_test_run ();
}
