/* test-capture.c — device capture: the verdict over recorded sessions, the certificate, and
 * the listener driven in-process by the project's own SMTP client playing a device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dmd-capture.h"
#include "dmd-capture-report.h"
#include "dmd-conn.h"
#include "dmd-smtp-client.h"

#define PASSWORD "Tr0ub4dor&3-capture-secret"
#define TOKEN    "eyJ0eXAi.capture-bearer-token.sig"

static char *data_dir;   /* the test's XDG_DATA_HOME */

/* ------------------------------------------------------------------------------------------ */
/* The verdict, over hand-made sessions                                                       */
/* ------------------------------------------------------------------------------------------ */

static DmdClientHello *
hello (const char *max,
       const char *supported)
{
  DmdClientHello *h = g_new0 (DmdClientHello, 1);

  h->legacy_version = g_strdup (g_str_equal (max, "TLS1.3") ? "TLS1.2" : max);
  h->max_version = g_strdup (max);
  h->supported_versions = g_ptr_array_new_with_free_func (g_free);
  h->cipher_suites = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (h->cipher_suites, g_strdup ("TLS_RSA_WITH_AES_128_CBC_SHA"));
  if (supported != NULL)
    {
      g_auto(GStrv) list = g_strsplit (supported, ",", -1);

      for (guint i = 0; list[i] != NULL; i++)
        g_ptr_array_add (h->supported_versions, g_strdup (list[i]));
    }
  return h;
}

/* A device that does everything right: STARTTLS, TLS 1.2, AUTH LOGIN, its own address. */
static DmdCaptureSession *
good_session (guint id)
{
  DmdCaptureSession *s = dmd_capture_session_new (id);

  s->client = g_strdup ("192.0.2.31");
  s->ehlo = g_strdup ("MFP-3F");
  s->starttls = TRUE;
  s->client_hello = hello ("TLS1.2", NULL);
  s->tls_version = g_strdup ("TLS1.2");
  s->tls_cipher = g_strdup ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  s->auth_mechanism = g_strdup ("LOGIN");
  s->auth_username = g_strdup ("scanner@contoso.com");
  s->auth_password_sent = TRUE;
  s->mail_from = g_strdup ("scanner@contoso.com");
  s->header_from = g_strdup ("Scanner <scanner@contoso.com>");
  g_ptr_array_add (s->recipients, g_strdup ("someone@contoso.com"));
  s->size = 48213;
  s->n_messages = 1;
  s->completed = TRUE;
  s->closed = TRUE;
  return s;
}

static GPtrArray *
sessions_of (DmdCaptureSession *first,
             ...)
{
  GPtrArray *sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_session_free);
  va_list args;

  va_start (args, first);
  for (DmdCaptureSession *s = first; s != NULL; s = va_arg (args, DmdCaptureSession *))
    g_ptr_array_add (sessions, s);
  va_end (args);
  return sessions;
}

static const DmdCaptureVerdict *
verdict_for (GPtrArray *verdicts,
             DmdOption  option)
{
  for (guint i = 0; i < verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (verdicts, i);

      if (v->option == option)
        return v;
    }
  g_assert_not_reached ();
}

/* The finding ids of a verdict, space-separated, in order. */
static char *
ids_of (const DmdCaptureVerdict *v)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < v->findings->len; i++)
    {
      DmdFinding *f = g_ptr_array_index (v->findings, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, f->id);
    }
  return g_string_free (out, FALSE);
}

static const DmdFinding *
finding_in (const DmdCaptureVerdict *v,
            const char              *id)
{
  for (guint i = 0; i < v->findings->len; i++)
    {
      DmdFinding *f = g_ptr_array_index (v->findings, i);

      if (g_str_equal (f->id, id))
        return f;
    }
  return NULL;
}

static void
assert_verdict (GPtrArray  *verdicts,
                DmdOption   option,
                gboolean    usable,
                const char *ids)
{
  const DmdCaptureVerdict *v = verdict_for (verdicts, option);
  g_autofree char *got = ids_of (v);

  g_test_message ("%s: usable=%d findings: %s", dmd_option_to_string (option), v->usable, got);
  g_assert_cmpstr (got, ==, ids);
  g_assert_cmpint (v->usable, ==, usable);
  g_assert_true (v->judged);
}

static GDateTime *
before_switch (void)
{
  return g_date_time_new_utc (2026, 11, 26, 12, 0, 0);
}

static void
test_verdict_good_device (void)
{
  g_autoptr(GPtrArray) sessions = sessions_of (good_session (1), NULL);
  g_autoptr(GDateTime) today = before_switch ();
  g_autoptr(GPtrArray) verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH,
                                                     "contoso.com", today);

  g_assert_cmpuint (verdicts->len, ==, 4);
  g_assert_cmpint (((DmdCaptureVerdict *) verdicts->pdata[0])->option, ==, DMD_OPTION_SMTP_AUTH);
  /* Basic auth works today, but is about to be switched off by default. */
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, TRUE, "config-basic-auth-retiring");
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE, "");
  assert_verdict (verdicts, DMD_OPTION_RELAY, TRUE, "");
  /* High Volume Email keeps password sign-in until 2028: worth knowing, not retiring. */
  assert_verdict (verdicts, DMD_OPTION_HVE, TRUE, "config-hve-basic-auth-until-2028");
}

static void
test_verdict_oauth (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  g_free (s->auth_mechanism);
  s->auth_mechanism = g_strdup ("XOAUTH2");
  g_clear_pointer (&s->client_hello, dmd_client_hello_free);
  s->client_hello = hello ("TLS1.3", "TLS1.3,TLS1.2");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_RELAY, NULL, NULL);
  g_assert_cmpint (((DmdCaptureVerdict *) verdicts->pdata[0])->option, ==, DMD_OPTION_RELAY);
  g_assert_cmpint (((DmdCaptureVerdict *) verdicts->pdata[1])->option, ==, DMD_OPTION_SMTP_AUTH);
  g_assert_cmpint (((DmdCaptureVerdict *) verdicts->pdata[2])->option, ==,
                   DMD_OPTION_DIRECT_SEND);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, TRUE, "");
}

static void
test_verdict_legacy_tls (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  const DmdFinding *f;

  g_clear_pointer (&s->client_hello, dmd_client_hello_free);
  s->client_hello = hello ("TLS1.0", NULL);
  g_free (s->tls_version);
  s->tls_version = g_strdup ("TLS1.0");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE,
                  "device-legacy-tls-only config-basic-auth-retiring");
  /* TLS is optional for Direct Send and relay (m365-facts.md §4). */
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE, "");
  assert_verdict (verdicts, DMD_OPTION_RELAY, TRUE, "");
  f = finding_in (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH), "device-legacy-tls-only");
  g_assert_nonnull (strstr (f->evidence, "TLS1.0"));
  g_assert_cmpuint (f->fixes->len, >, 0);
}

static void
test_verdict_tls11_supported_versions (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  /* A second session offering TLS 1.1 does not hide the first one's TLS 1.2. */
  DmdCaptureSession *t = good_session (2);
  g_clear_pointer (&t->client_hello, dmd_client_hello_free);
  t->client_hello = hello ("TLS1.1", NULL);
  g_clear_pointer (&s->client_hello, dmd_client_hello_free);
  s->client_hello = hello ("TLS1.2", NULL);
  sessions = sessions_of (t, s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, NULL, NULL);
  g_assert_null (finding_in (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH),
                             "device-legacy-tls-only"));
}

static void
test_verdict_plaintext_no_auth (void)
{
  DmdCaptureSession *s = dmd_capture_session_new (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  const DmdFinding *f;

  s->client = g_strdup ("192.0.2.31");
  s->ehlo = g_strdup ("printer");
  s->mail_from = g_strdup ("printer@contoso.com");
  g_ptr_array_add (s->recipients, g_strdup ("a@contoso.com"));
  g_ptr_array_add (s->recipients, g_strdup ("b@fabrikam.example"));
  s->completed = TRUE;
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_DIRECT_SEND, NULL, NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE, "device-no-starttls device-no-auth");
  /* The domain is guessed from the sender: fabrikam is outside. */
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE,
                  "config-external-recipient-direct-send");
  assert_verdict (verdicts, DMD_OPTION_RELAY, TRUE, "");
  f = finding_in (verdict_for (verdicts, DMD_OPTION_DIRECT_SEND),
                  "config-external-recipient-direct-send");
  g_assert_nonnull (strstr (f->evidence, "b@fabrikam.example"));
  g_assert_null (strstr (f->evidence, "a@contoso.com"));
  g_assert_nonnull (strstr (f->evidence, "contoso.com"));
  f = finding_in (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH), "device-no-auth");
  g_assert_nonnull (strstr (f->evidence, "printer@contoso.com"));
}

static void
test_verdict_external_with_domain (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  g_ptr_array_add (s->recipients, g_strdup ("Partner@Fabrikam.Example"));
  sessions = sessions_of (s, NULL);
  /* The organisation's domain given in another case, and as an IDN-free name. */
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_DIRECT_SEND, "Contoso.COM", NULL);
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE,
                  "config-external-recipient-direct-send");
  g_clear_pointer (&verdicts, g_ptr_array_unref);
  g_ptr_array_remove_index (s->recipients, 1);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_DIRECT_SEND, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE, "");
}

static void
test_verdict_implicit_tls (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  s->starttls = FALSE;
  s->implicit_tls = TRUE;
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE,
                  "device-implicit-tls config-basic-auth-retiring");
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, FALSE, "device-implicit-tls");
  assert_verdict (verdicts, DMD_OPTION_RELAY, FALSE, "device-implicit-tls");
}

static void
test_verdict_certificate_rejected (void)
{
  DmdCaptureSession *s = dmd_capture_session_new (1);
  DmdCaptureSession *retry = dmd_capture_session_new (2);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  s->client = g_strdup ("192.0.2.31");
  s->ehlo = g_strdup ("MFP");
  s->starttls = TRUE;
  s->client_hello = hello ("TLS1.3", "TLS1.3,TLS1.2");
  s->tls_failure = g_strdup ("The other side refused the TLS handshake with the alert "
                             "“Unknown CA” (48)");
  s->certificate_rejected = TRUE;
  /* It retries without TLS, as devices do: that is not a device without STARTTLS. */
  retry->client = g_strdup ("192.0.2.31");
  retry->ehlo = g_strdup ("MFP");
  retry->mail_from = g_strdup ("mfp@contoso.com");
  sessions = sessions_of (s, retry, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  /* Its TLS facts still count; but it sent without AUTH. And no message went through: nothing
   * proves that any option works (issue 10). */
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE,
                  "device-no-auth device-rejects-certificate");
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, FALSE, "device-rejects-certificate");
  assert_verdict (verdicts, DMD_OPTION_RELAY, FALSE, "device-rejects-certificate");
  g_assert_false (verdict_for (verdicts, DMD_OPTION_DIRECT_SEND)->complete);

  /* Once the retry without TLS delivers its message, Direct Send and relay can take it. */
  g_clear_pointer (&verdicts, g_ptr_array_unref);
  retry->completed = TRUE;
  retry->n_messages = 1;
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, TRUE, "device-rejects-certificate");
  assert_verdict (verdicts, DMD_OPTION_RELAY, TRUE, "device-rejects-certificate");
  g_assert_true (verdict_for (verdicts, DMD_OPTION_DIRECT_SEND)->complete);
}

static void
test_verdict_sender_mismatch (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  g_autoptr(GDateTime) today = g_date_time_new_utc (2027, 2, 1, 0, 0, 0);
  const DmdFinding *f;

  g_free (s->mail_from);
  s->mail_from = g_strdup ("noreply@contoso.com");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", today);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, TRUE,
                  "config-sender-mismatch config-basic-auth-retiring");
  f = finding_in (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH), "config-sender-mismatch");
  g_assert_nonnull (strstr (f->evidence, "scanner@contoso.com"));
  g_assert_nonnull (strstr (f->evidence, "noreply@contoso.com"));
  /* The Send As command is filled in with what the device used. */
  for (guint i = 0; i < f->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (f->fixes, i);

      if (fix->command != NULL)
        g_assert_nonnull (strstr (fix->command, "'noreply@contoso.com'"));
    }

  /* Same envelope, but a different From header: also a mismatch. */
  g_clear_pointer (&verdicts, g_ptr_array_unref);
  g_free (s->mail_from);
  s->mail_from = g_strdup ("SCANNER@contoso.com");
  g_free (s->header_from);
  s->header_from = g_strdup ("\"Front desk\" <frontdesk@contoso.com>");
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", today);
  f = finding_in (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH), "config-sender-mismatch");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "frontdesk@contoso.com"));
}

static void
test_verdict_auth_without_password (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  s->auth_password_sent = FALSE;
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE, "config-no-credentials");
}

static void
test_verdict_handshake_failed (void)
{
  DmdCaptureSession *s = dmd_capture_session_new (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  s->client = g_strdup ("192.0.2.31");
  s->ehlo = g_strdup ("MFP");
  s->starttls = TRUE;
  s->client_hello = hello ("TLS1.2", NULL);
  s->tls_failure = g_strdup ("The TLS handshake failed: No supported cipher suites have been "
                             "found.");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, NULL, NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE, "tls-handshake-failed");
  /* A failed STARTTLS handshake and no message: no option is shown usable (issue 10). */
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, FALSE, "");
  assert_verdict (verdicts, DMD_OPTION_RELAY, FALSE, "");
  g_assert_false (verdict_for (verdicts, DMD_OPTION_RELAY)->complete);
  /* Not known for relay; for SMTP AUTH an error stands against it. */
  g_assert_true (dmd_capture_verdict_is_unproven (verdict_for (verdicts, DMD_OPTION_RELAY)));
  g_assert_false (dmd_capture_verdict_is_unproven (verdict_for (verdicts, DMD_OPTION_SMTP_AUTH)));
}

/* A message refused as too large (the listener hangs up past its limit): no whole, accepted
 * transaction, so no option is usable, although nothing else was wrong (issue 10). */
static void
test_verdict_message_too_large (void)
{
  DmdCaptureSession *s = good_session (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;

  s->completed = FALSE;
  s->n_messages = 0;
  s->size = 0;
  s->close_reason = g_strdup ("message too large");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, "contoso.com", NULL);
  assert_verdict (verdicts, DMD_OPTION_SMTP_AUTH, FALSE, "config-basic-auth-retiring");
  assert_verdict (verdicts, DMD_OPTION_DIRECT_SEND, FALSE, "");
  assert_verdict (verdicts, DMD_OPTION_RELAY, FALSE, "");
  for (guint i = 0; i < verdicts->len; i++)
    {
      g_assert_false (((DmdCaptureVerdict *) g_ptr_array_index (verdicts, i))->complete);
      g_assert_true (dmd_capture_verdict_is_unproven (g_ptr_array_index (verdicts, i)));
    }

  /* The text says it is not known, never that the device can use an option. */
  {
    g_autoptr(DmdCaptureResult) result = dmd_capture_result_new ();
    g_autofree char *text = NULL;

    g_ptr_array_add (result->sessions, dmd_capture_session_copy (s));
    g_ptr_array_unref (result->verdicts);
    result->verdicts = g_steal_pointer (&verdicts);
    text = dmd_capture_report_to_text (result, FALSE);
    g_assert_null (strstr (text, "can use it"));
    g_assert_nonnull (strstr (text, "Direct Send: not known yet: no message from the device went "
                                    "through to the end"));
    g_assert_nonnull (strstr (text, "SMTP AUTH client submission: not known yet"));
  }
}

static void
test_verdict_nothing_to_judge (void)
{
  DmdCaptureSession *s = dmd_capture_session_new (1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  /* A "test connection" button: EHLO and QUIT. */
  s->client = g_strdup ("192.0.2.31");
  s->ehlo = g_strdup ("MFP");
  sessions = sessions_of (s, NULL);
  verdicts = dmd_capture_judge (sessions, DMD_OPTION_SMTP_AUTH, NULL, NULL);
  for (guint i = 0; i < verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (verdicts, i);

      g_assert_false (v->judged);
      g_assert_false (v->usable);
      g_assert_cmpuint (v->findings->len, ==, 0);
    }
  g_clear_pointer (&verdicts, g_ptr_array_unref);
  verdicts = dmd_capture_judge (none, DMD_OPTION_SMTP_AUTH, NULL, NULL);
  g_assert_cmpuint (verdicts->len, ==, 4);
  g_assert_false (((DmdCaptureVerdict *) verdicts->pdata[0])->judged);
}

/* JSON: the schema's members, and hostile text escaped. */
/* "Check This Option": what the device showed becomes the settings to check it with. */
static void
test_settings_seen (void)
{
  DmdCaptureSession *plain = dmd_capture_session_new (1);
  DmdCaptureSession *good = good_session (2);
  DmdCaptureSession *greeting_only = dmd_capture_session_new (3);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) none = sessions_of (dmd_capture_session_new (1), NULL);
  g_autoptr(DmdDeviceConfig) auth = NULL;
  g_autoptr(DmdDeviceConfig) direct = NULL;
  g_autoptr(DmdDeviceConfig) given = NULL;
  g_autoptr(DmdDeviceConfig) nothing = NULL;

  /* A first try without TLS that never finished, then a whole message over STARTTLS, then a
   * connection test: the whole message tells. */
  plain->mail_from = g_strdup ("printer@fabrikam.example");
  g_ptr_array_add (plain->recipients, g_strdup ("a@fabrikam.example"));
  sessions = sessions_of (plain, good, greeting_only, NULL);

  auth = dmd_capture_settings_seen (sessions, DMD_OPTION_SMTP_AUTH, NULL);
  g_assert_cmpint (auth->option, ==, DMD_OPTION_SMTP_AUTH);
  g_assert_cmpint (auth->security, ==, DMD_SECURITY_STARTTLS);
  g_assert_cmpstr (auth->username, ==, "scanner@contoso.com");
  g_assert_cmpstr (auth->from, ==, "scanner@contoso.com");
  g_assert_cmpstr (auth->to, ==, "someone@contoso.com");
  g_assert_null (auth->password);
  g_assert_null (auth->server);
  g_assert_cmpuint (auth->port, ==, 0);
  g_assert_null (auth->domain);

  /* No sign-in for Direct Send; the domain comes from the sign-in name. */
  direct = dmd_capture_settings_seen (sessions, DMD_OPTION_DIRECT_SEND, NULL);
  g_assert_null (direct->username);
  g_assert_cmpstr (direct->domain, ==, "contoso.com");
  given = dmd_capture_settings_seen (sessions, DMD_OPTION_RELAY, "Contoso.COM");
  g_assert_cmpstr (given->domain, ==, "contoso.com");

  /* Only a connection test: nothing but the option's defaults. */
  nothing = dmd_capture_settings_seen (none, DMD_OPTION_SMTP_AUTH, NULL);
  g_assert_null (nothing->username);
  g_assert_null (nothing->from);
  g_assert_cmpint (nothing->security, ==, DMD_SECURITY_STARTTLS);

  /* A device that used TLS from the start, or none at all. */
  good->implicit_tls = TRUE;
  good->starttls = FALSE;
  g_clear_pointer (&auth, dmd_device_config_free);
  auth = dmd_capture_settings_seen (sessions, DMD_OPTION_SMTP_AUTH, NULL);
  g_assert_cmpint (auth->security, ==, DMD_SECURITY_IMPLICIT_TLS);
  good->implicit_tls = FALSE;
  g_clear_pointer (&auth, dmd_device_config_free);
  auth = dmd_capture_settings_seen (sessions, DMD_OPTION_SMTP_AUTH, NULL);
  g_assert_cmpint (auth->security, ==, DMD_SECURITY_NONE);
}

static void
test_report_json (void)
{
  g_autoptr(DmdCaptureResult) result = dmd_capture_result_new ();
  DmdCaptureSession *s = good_session (1);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;
  JsonObject *session;
  JsonObject *tls;
  JsonObject *auth;
  JsonArray *verdicts;

  g_free (s->ehlo);
  s->ehlo = g_strdup ("MFP\xff\x1b[31m");   /* invalid UTF-8 and a terminal escape */
  result->option = DMD_OPTION_SMTP_AUTH;
  result->port = 2525;
  g_ptr_array_add (result->addresses, g_strdup ("192.0.2.20"));
  result->certificate_sha256 = g_strdup ("AB:CD");
  g_ptr_array_add (result->sessions, s);
  g_ptr_array_unref (result->verdicts);
  result->verdicts = dmd_capture_judge (result->sessions, DMD_OPTION_SMTP_AUTH, NULL, NULL);

  json = dmd_capture_report_to_json (result);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "schema"), ==,
                   "device-mail-doctor/capture/v1");
  g_assert_cmpstr (json_object_get_string_member (o, "option"), ==, "smtp-auth");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "listen"),
                                               "port"), ==, 2525);
  session = json_array_get_object_element (json_object_get_array_member (o, "sessions"), 0);
  g_assert_cmpstr (json_object_get_string_member (session, "client"), ==, "192.0.2.31");
  g_assert_null (strchr (json_object_get_string_member (session, "ehlo"), '\x1b'));
  g_assert_true (json_object_get_boolean_member (session, "starttls"));
  g_assert_false (json_object_get_boolean_member (session, "implicit_tls"));
  tls = json_object_get_object_member (session, "tls");
  g_assert_cmpstr (json_object_get_string_member (tls, "max_version"), ==, "TLS1.2");
  g_assert_cmpstr (json_object_get_string_member (tls, "negotiated"), ==, "TLS1.2");
  g_assert_cmpstr (json_object_get_string_member (tls, "handshake"), ==, "ok");
  g_assert_true (json_object_get_null_member (tls, "sni"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tls,
                                                                        "supported_versions")),
                    ==, 0);
  auth = json_object_get_object_member (session, "auth");
  g_assert_cmpstr (json_object_get_string_member (auth, "mechanism"), ==, "LOGIN");
  g_assert_cmpstr (json_object_get_string_member (auth, "username"), ==,
                   "scanner@contoso.com");
  g_assert_true (json_object_get_boolean_member (auth, "password_sent"));
  g_assert_cmpint (json_object_get_int_member (session, "size"), ==, 48213);
  g_assert_true (json_object_get_boolean_member (session, "completed"));
  verdicts = json_object_get_array_member (o, "verdicts");
  g_assert_cmpuint (json_array_get_length (verdicts), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (verdicts, 0),
                                                  "option"), ==, "smtp-auth");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (verdicts, 3),
                                                  "option"), ==, "hve");

  text = dmd_capture_report_to_text (result, FALSE);
  g_assert_null (strchr (text, '\x1b'));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "scanner@contoso.com"));
}

/* ------------------------------------------------------------------------------------------ */
/* The certificate                                                                            */
/* ------------------------------------------------------------------------------------------ */

static void
test_certificate (void)
{
  g_autofree char *dir = g_build_filename (data_dir, "cert-test", NULL);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cert2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdTlsServerCreds) creds = NULL;
  g_autoptr(DmdTlsServerCreds) again = NULL;
  g_autofree char *sha = NULL;
  GStatBuf st;

  creds = dmd_capture_ensure_certificate (dir, &cert, &key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (creds);
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  sha = g_strdup (dmd_tls_server_creds_get_sha256 (creds));
  g_assert_cmpuint (strlen (sha), ==, 32 * 3 - 1);

  /* Kept: the same certificate the next time. */
  again = dmd_capture_ensure_certificate (dir, &cert2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cert, ==, cert2);
  g_assert_cmpstr (dmd_tls_server_creds_get_sha256 (again), ==, sha);

  /* A broken file is replaced. */
  g_clear_pointer (&again, dmd_tls_server_creds_unref);
  g_assert_true (g_file_set_contents (cert, "garbage", -1, NULL));
  again = dmd_capture_ensure_certificate (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dmd_tls_server_creds_get_sha256 (again), !=, sha);
}

/* ------------------------------------------------------------------------------------------ */
/* The listener, with the project's SMTP client playing the device                            */
/* ------------------------------------------------------------------------------------------ */

typedef enum {
  DEVICE_GOOD,          /* STARTTLS, TLS 1.2+, AUTH LOGIN, MAIL, RCPT, DATA */
  DEVICE_LEGACY_PLAIN,  /* STARTTLS with TLS 1.0 only, AUTH PLAIN, another sender */
  DEVICE_XOAUTH2,       /* TLS 1.3, XOAUTH2 */
  DEVICE_IMPLICIT,      /* TLS at once, then SMTP */
  DEVICE_NO_TLS,        /* tries AUTH in plaintext (refused), then sends without it */
} DeviceKind;

typedef struct {
  guint16     port;
  DeviceKind  kind;
  gboolean    ok;
} Device;

static gpointer
device_thread (gpointer data)
{
  Device *d = data;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, d->port);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSmtpClient) client = NULL;
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *message = NULL;
  DmdConn *conn;
  const char *from = "scanner@contoso.com";

  conn = dmd_conn_connect (G_INET_SOCKET_ADDRESS (addr), dmd_deadline_in (5), NULL, &error);
  g_assert_no_error (error);
  if (d->kind == DEVICE_IMPLICIT)
    {
      g_assert_true (dmd_conn_start_tls_client (conn, NULL, NULL, NULL, dmd_deadline_in (5),
                                                NULL, NULL, &error));
      g_assert_no_error (error);
    }
  client = dmd_smtp_client_new (conn, 5, NULL, NULL, NULL);
  reply = dmd_smtp_client_read_banner (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 220);
  g_clear_pointer (&reply, dmd_reply_free);
  reply = dmd_smtp_client_ehlo (client, "MFP-3F", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, dmd_reply_free);

  if (d->kind == DEVICE_GOOD || d->kind == DEVICE_LEGACY_PLAIN || d->kind == DEVICE_XOAUTH2)
    {
      const char *priority = d->kind == DEVICE_LEGACY_PLAIN
                             ? dmd_tls_priority_for_version (DMD_TLS10) : NULL;
      g_autoptr(DmdTlsInfo) info = NULL;

      reply = dmd_smtp_client_command (client, "STARTTLS", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (reply->code, ==, 220);
      g_clear_pointer (&reply, dmd_reply_free);
      g_assert_true (dmd_conn_start_tls_client (conn, "192.0.2.20", priority, NULL,
                                                dmd_deadline_in (5), NULL, &info, &error));
      g_assert_no_error (error);
      reply = dmd_smtp_client_ehlo (client, "MFP-3F", NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&reply, dmd_reply_free);
    }

  switch (d->kind)
    {
    case DEVICE_GOOD:
    case DEVICE_IMPLICIT:
      reply = dmd_smtp_client_auth (client, DMD_AUTH_LOGIN, "scanner@contoso.com", PASSWORD,
                                    &error);
      break;
    case DEVICE_LEGACY_PLAIN:
      reply = dmd_smtp_client_auth (client, DMD_AUTH_PLAIN, "scanner@contoso.com", PASSWORD,
                                    &error);
      from = "frontdesk@contoso.com";
      break;
    case DEVICE_XOAUTH2:
      reply = dmd_smtp_client_auth (client, DMD_AUTH_XOAUTH2, "scanner@contoso.com", TOKEN,
                                    &error);
      break;
    case DEVICE_NO_TLS:
    default:
      reply = dmd_smtp_client_command (client, "AUTH LOGIN", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (reply->code, ==, 451);   /* Microsoft's "STARTTLS is required" */
      g_clear_pointer (&reply, dmd_reply_free);
      {
        /* A careless device sends its password anyway: the line is answered, never shown. */
        g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

        reply = dmd_smtp_client_command (client, b64, "[a password]", &error);
        g_assert_no_error (error);
        g_assert_cmpuint (reply->code, ==, 500);
        g_clear_pointer (&reply, dmd_reply_free);
      }
      reply = dmd_smtp_client_command (client, "AUTH PLAIN", NULL, &error);
      from = "printer@contoso.com";
      break;
    }
  g_assert_no_error (error);
  if (d->kind != DEVICE_NO_TLS)
    g_assert_cmpuint (reply->code, ==, 235);
  g_clear_pointer (&reply, dmd_reply_free);

  {
    g_autofree char *mail = g_strdup_printf ("MAIL FROM:<%s> SIZE=100", from);

    reply = dmd_smtp_client_command (client, mail, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (reply->code, ==, 250);
    g_clear_pointer (&reply, dmd_reply_free);
  }
  reply = dmd_smtp_client_command (client, "RCPT TO:<someone@contoso.com>", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_clear_pointer (&reply, dmd_reply_free);
  reply = dmd_smtp_client_command (client, "RCPT TO:<partner@fabrikam.example>", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, dmd_reply_free);
  message = dmd_smtp_build_test_message (from, "someone@contoso.com", NULL);
  reply = dmd_smtp_client_data (client, message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  dmd_smtp_client_quit (client);
  d->ok = TRUE;
  return NULL;
}

typedef struct {
  guint opened;
  guint closed;
  guint lines;
  GString *log;
} Counts;

static void
on_opened (DmdCapture *capture,
           guint       session,
           const char *client,
           Counts     *c)
{
  g_assert_cmpstr (client, ==, "127.0.0.1");
  c->opened++;
}

static void
on_closed (DmdCapture *capture,
           guint       session,
           Counts     *c)
{
  g_assert_cmpuint (c->closed, <, c->opened);
  c->closed++;
}

static void
on_line (DmdCapture *capture,
         guint       session,
         gint        dir,
         const char *text,
         Counts     *c)
{
  g_assert_true (dir == 'C' || dir == 'S' || dir == 'I');
  g_string_append_printf (c->log, "%u %c %s\n", session, dir, text);
  c->lines++;
}

/* Run the listener with one device of each kind (one after the other); returns the result. */
static DmdCaptureResult *
run_capture (const DeviceKind *kinds,
             guint             n_kinds,
             const char       *domain,
             Counts           *counts)
{
  g_autoptr(DmdCapture) capture = dmd_capture_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (data_dir, "device-mail-doctor", NULL);
  DmdCaptureResult *result;

  g_object_set (capture, "port", 0, "loopback-only", TRUE, "idle-timeout", 60.0,
                "timeout", 120.0, "domain", domain, "data-dir", dir, NULL);
  g_signal_connect (capture, "session-opened", G_CALLBACK (on_opened), counts);
  g_signal_connect (capture, "session-closed", G_CALLBACK (on_closed), counts);
  g_signal_connect (capture, "log-line", G_CALLBACK (on_line), counts);
  g_assert_true (dmd_capture_start (capture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dmd_capture_get_port (capture), !=, 0);
  g_assert_nonnull (dmd_capture_get_certificate_sha256 (capture));
  g_assert_true (dmd_capture_is_running (capture));

  for (guint i = 0; i < n_kinds; i++)
    {
      Device d = { dmd_capture_get_port (capture), kinds[i], FALSE };
      GThread *thread = g_thread_new ("device", device_thread, &d);

      g_thread_join (thread);
      g_assert_true (d.ok);
    }
  /* Deliver what the sessions posted, then wait until each has been closed. */
  while (counts->closed < n_kinds)
    g_main_context_iteration (NULL, TRUE);

  dmd_capture_stop (capture);
  g_assert_false (dmd_capture_is_running (capture));
  result = dmd_capture_wait_sync (capture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->end, ==, DMD_CAPTURE_END_STOPPED);
  g_assert_cmpuint (result->sessions->len, ==, n_kinds);
  g_assert_cmpuint (counts->opened, ==, n_kinds);
  return result;
}

static void
assert_no_secret (DmdCaptureResult *result,
                  Counts           *counts)
{
  g_autofree char *json = dmd_capture_report_to_json (result);
  g_autofree char *text = dmd_capture_report_to_text (result, FALSE);
  g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

  g_assert_null (strstr (json, PASSWORD));
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (counts->log->str, PASSWORD));
  g_assert_null (strstr (json, TOKEN));
  g_assert_null (strstr (text, TOKEN));
  g_assert_null (strstr (counts->log->str, TOKEN));
  g_assert_null (strstr (counts->log->str, b64));
}

static void
test_listener_devices (void)
{
  static const DeviceKind kinds[] = { DEVICE_GOOD, DEVICE_LEGACY_PLAIN, DEVICE_XOAUTH2 };
  Counts counts = { 0, 0, 0, g_string_new (NULL) };
  g_autoptr(DmdCaptureResult) result = run_capture (kinds, G_N_ELEMENTS (kinds), "contoso.com",
                                                    &counts);
  const DmdCaptureSession *good = g_ptr_array_index (result->sessions, 0);
  const DmdCaptureSession *legacy = g_ptr_array_index (result->sessions, 1);
  const DmdCaptureSession *oauth = g_ptr_array_index (result->sessions, 2);
  const DmdCaptureVerdict *v;

  g_test_message ("%s", counts.log->str);

  g_assert_cmpstr (good->client, ==, "127.0.0.1");
  g_assert_cmpstr (good->ehlo, ==, "MFP-3F");
  g_assert_true (good->starttls);
  g_assert_false (good->implicit_tls);
  g_assert_nonnull (good->client_hello);
  g_assert_cmpstr (good->client_hello->max_version, ==, "TLS1.3");
  g_assert_cmpstr (good->client_hello->sni, ==, NULL);   /* an address: no SNI */
  g_assert_cmpstr (good->tls_version, ==, "TLS1.3");
  g_assert_cmpstr (good->auth_mechanism, ==, "LOGIN");
  g_assert_cmpstr (good->auth_username, ==, "scanner@contoso.com");
  g_assert_true (good->auth_password_sent);
  g_assert_cmpstr (good->mail_from, ==, "scanner@contoso.com");
  g_assert_cmpstr (good->header_from, ==, "<scanner@contoso.com>");
  g_assert_cmpuint (good->recipients->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (good->recipients, 1), ==, "partner@fabrikam.example");
  g_assert_true (good->completed);
  g_assert_cmpuint (good->size, >, 100);
  g_assert_cmpuint (good->headers->len, >, 3);
  g_assert_true (good->closed);

  g_assert_cmpstr (legacy->client_hello->max_version, ==, "TLS1.0");
  g_assert_cmpstr (legacy->tls_version, ==, "TLS1.0");
  g_assert_cmpstr (legacy->auth_mechanism, ==, "PLAIN");
  g_assert_true (legacy->auth_password_sent);
  g_assert_cmpstr (legacy->mail_from, ==, "frontdesk@contoso.com");

  g_assert_cmpstr (oauth->auth_mechanism, ==, "XOAUTH2");
  g_assert_true (oauth->auth_password_sent);

  /* The best offer counts (TLS 1.3), the other sender is flagged, and fabrikam is outside. */
  v = dmd_capture_result_get_verdict (result, DMD_OPTION_SMTP_AUTH);
  g_assert_true (v->usable);
  g_assert_nonnull (finding_in (v, "config-sender-mismatch"));
  v = dmd_capture_result_get_verdict (result, DMD_OPTION_DIRECT_SEND);
  g_assert_nonnull (finding_in (v, "config-external-recipient-direct-send"));

  assert_no_secret (result, &counts);
  g_assert_nonnull (strstr (counts.log->str, "1 C AUTH LOGIN [redacted]\n"));
  g_assert_nonnull (strstr (counts.log->str, "1 C [redacted]\n"));
  g_string_free (counts.log, TRUE);
}

static void
test_listener_legacy_only (void)
{
  static const DeviceKind kinds[] = { DEVICE_LEGACY_PLAIN };
  Counts counts = { 0, 0, 0, g_string_new (NULL) };
  g_autoptr(DmdCaptureResult) result = run_capture (kinds, 1, "contoso.com", &counts);
  const DmdCaptureVerdict *v = dmd_capture_result_get_verdict (result, DMD_OPTION_SMTP_AUTH);

  g_assert_false (v->usable);
  g_assert_nonnull (finding_in (v, "device-legacy-tls-only"));
  g_assert_true (dmd_capture_result_get_verdict (result, DMD_OPTION_RELAY)->usable);
  assert_no_secret (result, &counts);
  g_string_free (counts.log, TRUE);
}

static void
test_listener_implicit_and_plain (void)
{
  static const DeviceKind kinds[] = { DEVICE_IMPLICIT, DEVICE_NO_TLS };
  Counts counts = { 0, 0, 0, g_string_new (NULL) };
  g_autoptr(DmdCaptureResult) result = run_capture (kinds, G_N_ELEMENTS (kinds), NULL, &counts);
  const DmdCaptureSession *implicit = g_ptr_array_index (result->sessions, 0);
  const DmdCaptureSession *plain = g_ptr_array_index (result->sessions, 1);

  g_test_message ("%s", counts.log->str);
  g_assert_true (implicit->implicit_tls);
  g_assert_false (implicit->starttls);
  g_assert_nonnull (implicit->tls_version);
  g_assert_cmpstr (implicit->auth_username, ==, "scanner@contoso.com");
  g_assert_true (implicit->completed);

  g_assert_false (plain->starttls);
  g_assert_null (plain->client_hello);
  g_assert_true (plain->auth_before_tls);
  g_assert_null (plain->auth_mechanism);
  g_assert_cmpstr (plain->mail_from, ==, "printer@contoso.com");
  g_assert_true (plain->completed);

  g_assert_nonnull (finding_in (dmd_capture_result_get_verdict (result, DMD_OPTION_SMTP_AUTH),
                                "device-implicit-tls"));
  g_assert_false (dmd_capture_result_get_verdict (result, DMD_OPTION_RELAY)->usable);
  assert_no_secret (result, &counts);
  g_string_free (counts.log, TRUE);
}

/* Idle: the capture ends by itself once the device has been quiet. */
static void
test_listener_idle (void)
{
  g_autoptr(DmdCapture) capture = dmd_capture_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdCaptureResult) result = NULL;
  g_autofree char *dir = g_build_filename (data_dir, "device-mail-doctor", NULL);
  Device d = { 0, DEVICE_GOOD, FALSE };
  GThread *thread;

  g_object_set (capture, "port", 0, "loopback-only", TRUE, "idle-timeout", 0.3,
                "timeout", 120.0, "data-dir", dir, NULL);
  g_assert_true (dmd_capture_start (capture, &error));
  d.port = dmd_capture_get_port (capture);
  thread = g_thread_new ("device", device_thread, &d);
  result = dmd_capture_wait_sync (capture, NULL, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_true (d.ok);
  g_assert_cmpint (result->end, ==, DMD_CAPTURE_END_IDLE);
  g_assert_cmpuint (result->sessions->len, ==, 1);
}

/* The overall timeout ends a capture nobody talks to; cancelling ends it too. */
static void
test_listener_timeout_and_cancel (void)
{
  g_autoptr(DmdCapture) capture = dmd_capture_new ();
  g_autoptr(DmdCapture) cancelled = dmd_capture_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdCaptureResult) result = NULL;
  g_autofree char *dir = g_build_filename (data_dir, "device-mail-doctor", NULL);

  g_object_set (capture, "port", 0, "loopback-only", TRUE, "timeout", 0.2, "data-dir", dir,
                NULL);
  g_assert_true (dmd_capture_start (capture, &error));
  result = dmd_capture_wait_sync (capture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->end, ==, DMD_CAPTURE_END_TIMEOUT);
  g_assert_cmpuint (result->sessions->len, ==, 0);
  for (guint i = 0; i < result->verdicts->len; i++)
    g_assert_false (((DmdCaptureVerdict *) result->verdicts->pdata[i])->usable);
  g_clear_pointer (&result, dmd_capture_result_unref);

  g_object_set (cancelled, "port", 0, "loopback-only", TRUE, "data-dir", dir, NULL);
  g_assert_true (dmd_capture_start (cancelled, &error));
  g_cancellable_cancel (cancellable);
  result = dmd_capture_wait_sync (cancelled, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_false (dmd_capture_is_running (cancelled));
}

/* A port already taken is a clear error. */
static void
test_listener_port_in_use (void)
{
  g_autoptr(DmdCapture) first = dmd_capture_new ();
  g_autoptr(DmdCapture) second = dmd_capture_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (data_dir, "device-mail-doctor", NULL);

  g_object_set (first, "port", 0, "loopback-only", TRUE, "data-dir", dir, NULL);
  g_assert_true (dmd_capture_start (first, &error));
  g_object_set (second, "port", dmd_capture_get_port (first), "loopback-only", TRUE,
                "data-dir", dir, NULL);
  g_assert_false (dmd_capture_start (second, &error));
  g_assert_error (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_IN_USE);
  dmd_capture_stop (first);
}

/* A session's TLS facts in Japanese: a list of phrases, joined with "、" (issue 10). */
static void
test_session_text_japanese (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *po = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
      DmdCaptureSession *s = good_session (1);
      g_autofree char *text = NULL;

      g_setenv ("LANGUAGE", "ja", TRUE);
      setlocale (LC_ALL, "C.UTF-8");
      bindtextdomain (GETTEXT_PACKAGE, po);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      text = dmd_capture_session_to_text (s, 0);
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "暗号スイート 1 個、"));
      g_assert_null (strstr (text, "個, "));
      dmd_capture_session_free (s);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("dmd-capture-XXXXXX", NULL);
  int ret;

  /* The user data dir must be a temporary one, before GLib caches it. */
  data_dir = g_build_filename (tmp, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/capture/verdict/good-device", test_verdict_good_device);
  g_test_add_func ("/dmd/capture/verdict/oauth", test_verdict_oauth);
  g_test_add_func ("/dmd/capture/verdict/legacy-tls", test_verdict_legacy_tls);
  g_test_add_func ("/dmd/capture/verdict/best-offer-counts", test_verdict_tls11_supported_versions);
  g_test_add_func ("/dmd/capture/verdict/plaintext-no-auth", test_verdict_plaintext_no_auth);
  g_test_add_func ("/dmd/capture/verdict/external-recipient", test_verdict_external_with_domain);
  g_test_add_func ("/dmd/capture/verdict/implicit-tls", test_verdict_implicit_tls);
  g_test_add_func ("/dmd/capture/verdict/certificate-rejected",
                   test_verdict_certificate_rejected);
  g_test_add_func ("/dmd/capture/verdict/sender-mismatch", test_verdict_sender_mismatch);
  g_test_add_func ("/dmd/capture/verdict/auth-without-password",
                   test_verdict_auth_without_password);
  g_test_add_func ("/dmd/capture/verdict/handshake-failed", test_verdict_handshake_failed);
  g_test_add_func ("/dmd/capture/verdict/nothing-to-judge", test_verdict_nothing_to_judge);
  g_test_add_func ("/dmd/capture/verdict/message-too-large", test_verdict_message_too_large);
  g_test_add_func ("/dmd/capture/settings-seen", test_settings_seen);
  g_test_add_func ("/dmd/capture/report/json", test_report_json);
  g_test_add_func ("/dmd/capture/report/session-text-japanese", test_session_text_japanese);
  g_test_add_func ("/dmd/capture/certificate", test_certificate);
  g_test_add_func ("/dmd/capture/listener/devices", test_listener_devices);
  g_test_add_func ("/dmd/capture/listener/legacy-only", test_listener_legacy_only);
  g_test_add_func ("/dmd/capture/listener/implicit-and-plain", test_listener_implicit_and_plain);
  g_test_add_func ("/dmd/capture/listener/idle", test_listener_idle);
  g_test_add_func ("/dmd/capture/listener/timeout-and-cancel", test_listener_timeout_and_cancel);
  g_test_add_func ("/dmd/capture/listener/port-in-use", test_listener_port_in_use);

  ret = g_test_run ();

  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", tmp);

    (void) !system (rm);
  }
  g_free (data_dir);
  return ret;
}
