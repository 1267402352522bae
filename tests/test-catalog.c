/* test-catalog.c — the knowledge base: every id, its texts in C and Japanese, the reply rules,
 * the pre-flight findings, the recommended settings, PowerShell quoting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dmd-catalog.h"
#include "dmd-explain.h"

/* Every id of ../shared/CATALOG.md (the contract). Keep in step with that file. */
static const char *catalog_ids[] = {
  "config-no-credentials", "config-sender-mismatch", "config-ip-literal-server",
  "config-port-465", "config-implicit-tls", "config-tls-disabled",
  "config-wrong-endpoint-direct-send", "config-wrong-endpoint-smtp-auth",
  "config-external-recipient-direct-send", "config-mx-host-too-long",
  "config-basic-auth-retiring", "config-insecure-auth-allowed", "test-message-not-sent",
  "dns-resolve-failed", "dns-mx-not-microsoft", "network-port-blocked",
  "network-connection-refused", "network-smtp-inspection", "network-no-route", "smtp-timeout",
  "smtp-protocol-error", "smtp-utf8-not-offered",
  "tls-starttls-not-offered", "tls-starttls-injection", "tls-handshake-failed",
  "tls-certificate-invalid", "tls-legacy-version-refused", "tls-version-matrix",
  "smtp-starttls-required",
  "auth-required", "auth-failed", "auth-smtp-auth-disabled-tenant", "auth-basic-auth-blocked",
  "auth-credentials-incorrect", "auth-security-defaults", "auth-conditional-access",
  "auth-federation-sts-unreachable", "auth-federation-sts-no-https", "auth-5-7-139-unknown",
  "auth-mechanism-unsupported", "auth-oauth-token-rejected",
  "device-no-starttls", "device-legacy-tls-only", "device-implicit-tls",
  "device-rejects-certificate", "device-no-auth",
  "sender-send-as-denied", "sender-blocked-outbound-spam", "relay-tenant-attribution",
  "relay-certificate-not-trusted",
  "config-hve-external-recipient", "config-hve-legacy-endpoint",
  "config-hve-basic-auth-until-2028", "hve-auth-failed",
  "relay-connector-ip-mismatch", "relay-wrong-region", "direct-send-rejected",
  "recipient-not-found", "recipient-external-refused", "ip-banned", "ip-low-reputation",
  "ip-on-dnsbl", "spf-missing-record", "spf-missing-ip", "spf-no-microsoft-include",
  "spf-invalid", "blocklist-unknown", "throttled", "server-unexpected-reply",
  /* Added for issue 10 (not yet in ../shared/CATALOG.md): Exchange Online codes with their own
   * entry, from Microsoft's NDR reference. */
  "sender-submission-quota-exceeded", "sender-spam-abuse", "ip-banned-sender",
  "tenant-sending-blocked", "tenant-unregistered-domain",
  /* OAuth sign-in (CATALOG.md "OAuth sign-in", issue 13) */
  "oauth-tenant-not-found", "oauth-app-not-found", "oauth-invalid-client-secret",
  "oauth-consent-required", "oauth-sign-in-declined", "oauth-device-code-expired",
  "oauth-mfa-or-policy", "oauth-unreachable", "oauth-unknown-error",
};

/* The only documentation links allowed: pages the references name. */
static const char *allowed_urls[] = {
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off",
  "https://docs.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
  "https://aka.ms/smtp_auth_disabled",
  "https://aka.ms/smtp_auth_tls",
  "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth",
  "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835",
  "https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790",
  "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/relay-access-denied-smtp",
  "https://learn.microsoft.com/en-us/exchange/troubleshoot/connectors/office-365-notice",
  "https://sender.office.com/",
  "https://go.microsoft.com/fwlink/?LinkID=526655",
  "https://go.microsoft.com/fwlink/p/?LinkId=390676",
  "https://learn.microsoft.com/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report",
  "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/remote-connectivity-analyzer-tests",
  /* The setup guide's options 2 (how to find the MX endpoint) and 3 (the relay connector), as
   * the troubleshooting guide links them. */
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365#option-2-send-mail-directly-from-your-printer-or-application-to-microsoft-365-or-office-365-direct-send",
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365#option-3-configure-a-connector-to-send-mail-using-microsoft-365-or-office-365-smtp-relay",
  /* Exchange Online's NDR reference and its pages */
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online",
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-for-submission-quota-exceeded-in-exchange-online",
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-5-7-700-through-5-7-750",
  "https://learn.microsoft.com/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself",
  "https://learn.microsoft.com/microsoft-365/admin/setup/add-domain",
  /* The admin center's automated diagnostics: the troubleshooting guide's last section, and
   * the NDR reference's */
  "https://aka.ms/smtprelay",
  "https://aka.ms/PillarEmailNDR",
  /* High Volume Email (m365-facts.md §1: learn "Manage High Volume Email for Microsoft 365") */
  "https://learn.microsoft.com/exchange/mail-flow-best-practices/high-volume-mails-m365",
  /* m365-facts §7: "Authenticate an IMAP, POP or SMTP connection using OAuth" */
  "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
};

static DmdDeviceConfig *
full_config (DmdOption option)
{
  DmdDeviceConfig *config = dmd_device_config_new (option);

  config->server = g_strdup (option == DMD_OPTION_SMTP_AUTH ? "smtp.office365.com"
                                                            : "contoso-com.mail.protection.outlook.com");
  config->username = g_strdup ("scanner@contoso.com");
  config->from = g_strdup ("scanner@contoso.com");
  config->to = g_strdup ("someone@contoso.com");
  config->domain = g_strdup ("contoso.com");
  config->client_id = g_strdup ("11111111-2222-4333-8444-555555555555");
  dmd_device_config_set_password (config, "not-a-real-password");
  return config;
}

static const DmdCatalogFacts full_facts = { "203.0.113.7", "contoso-com.mail.protection.outlook.com" };

/* ------------------------------------------------------------------------------------------ */

static void
test_ids_complete (void)
{
  const DmdCatalogEntry *entries = dmd_catalog_entries ();
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (catalog_ids); i++)
    {
      const DmdCatalogEntry *entry = dmd_catalog_lookup (catalog_ids[i]);

      if (entry == NULL)
        g_test_message ("no entry for %s", catalog_ids[i]);
      g_assert_nonnull (entry);
    }

  for (; entries[n].id != NULL; n++)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (catalog_ids); i++)
        listed = listed || g_str_equal (catalog_ids[i], entries[n].id);
      if (!listed)
        g_test_message ("entry %s is not in CATALOG.md", entries[n].id);
      g_assert_true (listed);
      for (guint k = 0; k < n; k++)
        g_assert_cmpstr (entries[k].id, !=, entries[n].id);
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (catalog_ids));
}

static gboolean
url_allowed (const char *url)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_urls); i++)
    if (g_str_equal (url, allowed_urls[i]))
      return TRUE;
  return FALSE;
}

static void
assert_nonempty (const char *s)
{
  g_autofree char *copy = NULL;

  g_assert_nonnull (s);
  copy = g_strstrip (g_strdup (s));
  g_assert_cmpstr (copy, !=, "");
  g_assert_true (g_utf8_validate (s, -1, NULL));
}

/* Render one entry with a full config and check every field. */
static void
check_entry_rendering (const char *id,
                       gboolean    japanese)
{
  const DmdCatalogEntry *entry = dmd_catalog_lookup (id);
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdFinding) finding = NULL;
  guint n_fixes = 0;

  g_assert_nonnull (entry);
  finding = dmd_catalog_make_finding_full (id, config, &full_facts, "550 5.7.1 evidence");
  g_assert_nonnull (finding);
  g_assert_cmpstr (finding->id, ==, id);
  g_assert_cmpint (finding->severity, ==, entry->severity);
  g_assert_cmpstr (finding->evidence, ==, "550 5.7.1 evidence");
  assert_nonempty (finding->title);
  assert_nonempty (finding->explanation);
  if (!g_str_has_prefix (id, "device-") && !g_str_equal (id, "server-unexpected-reply"))
    assert_nonempty (finding->check);

  if (japanese)
    {
      /* Translated means: the catalogue returned its own string, even when it reads the same
       * as the English one ("Microsoft 365" stays "Microsoft 365"). */
      g_assert_true (g_dgettext (GETTEXT_PACKAGE, entry->title) != entry->title);
      g_assert_true (g_dgettext (GETTEXT_PACKAGE, entry->explanation) != entry->explanation);
      g_assert_cmpstr (finding->title, !=, entry->title);
    }
  else
    {
      g_assert_cmpstr (finding->title, ==, entry->title);
    }

  /* Every step of the entry is translated, the ones this config leaves out too. */
  for (guint i = 0; japanese && i < DMD_CATALOG_MAX_FIXES && entry->fixes[i].text != NULL; i++)
    g_assert_true (g_dgettext (GETTEXT_PACKAGE, entry->fixes[i].text) != entry->fixes[i].text);

  g_assert_cmpuint (finding->fixes->len, >, 0);
  for (guint i = 0; i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      assert_nonempty (fix->text);
      g_assert_cmpint (fix->audience, <=, DMD_AUDIENCE_ANYONE);
      if (fix->url != NULL)
        {
          if (!url_allowed (fix->url))
            g_test_message ("%s: URL not from the references: %s", id, fix->url);
          g_assert_true (url_allowed (fix->url));
        }
      if (fix->command != NULL)
        {
          static const char *placeholders[] = {
            "{user}", "{from}", "{to}", "{domain}", "{ip}", "{ipv4}", "{server}", "{mx}",
            "{spf-ip}", "{client-id}", "<SignInAddress>", "<SenderAddress>", "<RecipientAddress>",
            "<Domain>", "<PublicIPAddress>", "<PublicIPv4Address>", "<Server>", "<MXEndpoint>",
            "<ClientId>",
          };
          for (guint k = 0; k < G_N_ELEMENTS (placeholders); k++)
            g_assert_null (strstr (fix->command, placeholders[k]));
          g_assert_true (g_utf8_validate (fix->command, -1, NULL));
        }
      if (japanese)
        g_assert_cmpstr (fix->text, !=, "");
      n_fixes++;
    }
  g_assert_cmpuint (n_fixes, <, DMD_CATALOG_MAX_FIXES);
}

/* Switch the messages' language in this process. glibc caches translations: a change of
 * LANGUAGE takes effect once its catalogue counter moves (as the gettext manual says). */
#ifdef __GLIBC__
extern int _nl_msg_cat_cntr;
#endif

static gboolean
use_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
#ifdef __GLIBC__
  ++_nl_msg_cat_cntr;
  return TRUE;
#else
  return FALSE;
#endif
}

static void
test_entry_c (gconstpointer data)
{
  use_language (NULL);
  check_entry_rendering (data, FALSE);
}

static void
check_entry_ja (const char *id)
{
  check_entry_rendering (id, TRUE);
  /* The date-dependent explanation too. */
  if (g_str_equal (id, "config-basic-auth-retiring"))
    {
      g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_SMTP_AUTH);
      g_autoptr(DmdFinding) after = NULL;

      config->today = g_date_time_new_utc (2027, 3, 1, 0, 0, 0);
      after = dmd_catalog_make_finding ("config-basic-auth-retiring", config, NULL);
      g_assert_true (g_utf8_validate (after->explanation, -1, NULL));
      g_assert_null (strstr (after->explanation, "Basic authentication for SMTP AUTH has been"));
      g_assert_nonnull (strstr (after->explanation, "2027"));
    }
  if (g_str_equal (id, "config-hve-basic-auth-until-2028"))
    {
      g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_HVE);
      g_autoptr(DmdFinding) after = NULL;

      config->today = g_date_time_new_utc (2028, 11, 1, 0, 0, 0);
      after = dmd_catalog_make_finding ("config-hve-basic-auth-until-2028", config, NULL);
      g_assert_true (g_utf8_validate (after->explanation, -1, NULL));
      g_assert_null (strstr (after->explanation, "kept only until"));
      g_assert_nonnull (strstr (after->explanation, "2028"));
    }
}

static void
test_entry_ja (gconstpointer data)
{
  if (use_language ("ja"))
    {
      check_entry_ja (data);
      use_language (NULL);
      return;
    }
  /* Elsewhere: a fresh process, whose first lookup sees LANGUAGE. */
  if (g_test_subprocess ())
    {
      check_entry_ja (data);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Completeness of the Japanese catalogue for this file's strings, from msgfmt's statistics
 * (not by comparing strings: "Microsoft 365" stays "Microsoft 365"). */
static void
test_ja_statistics (void)
{
  g_autofree char *po = g_test_build_filename (G_TEST_DIST, "..", "po", "ja.po", NULL);
  g_autofree char *tmpdir = NULL;
  g_autofree char *subset = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *grep_argv[] = { "msggrep", "--location=src/core/catalog/dmd-catalog*.c", "-o", NULL, NULL, NULL };
  const char *fmt_argv[] = { "msgfmt", "--check", "--statistics", "-o", "/dev/null", NULL, NULL };
  int status = 0;
  guint64 translated;

  g_autofree char *msggrep = g_find_program_in_path ("msggrep");
  g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");

  if (msggrep == NULL || msgfmt == NULL)
    {
      g_test_skip ("gettext tools not installed");
      return;
    }
  if (g_getenv ("G_TEST_SRCDIR") == NULL && !g_file_test (po, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("run through meson test (G_TEST_SRCDIR) to find po/ja.po");
      return;
    }
  g_assert_true (g_file_test (po, G_FILE_TEST_EXISTS));
  tmpdir = g_dir_make_tmp ("test-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  subset = g_build_filename (tmpdir, "catalog.po", NULL);
  grep_argv[3] = subset;
  grep_argv[4] = po;
  g_assert_true (g_spawn_sync (NULL, (char **) grep_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  fmt_argv[5] = subset;
  g_assert_true (g_spawn_sync (NULL, (char **) fmt_argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("ja.po, src/core/catalog/dmd-catalog*.c: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (err, "untranslated"));
  g_assert_null (strstr (err, "fuzzy"));
  translated = g_ascii_strtoull (err, NULL, 10);
  /* Every entry has a title, an explanation and at least one fix. */
  g_assert_cmpuint (translated, >=, 3 * G_N_ELEMENTS (catalog_ids));

  g_unlink (subset);
  g_rmdir (tmpdir);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct {
  const char  *line;
  DmdOption    option;
  DmdStep      step;
  DmdAuthMech  mech;
  const char  *id;     /* NULL: no finding (a success) */
} ReplyCase;

#define SA    DMD_OPTION_SMTP_AUTH
#define DS    DMD_OPTION_DIRECT_SEND
#define RELAY DMD_OPTION_RELAY
#define HVE   DMD_OPTION_HVE
#define TRAILER " [SN4PR0201CA0041.namprd02.prod.outlook.com 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]"

static const ReplyCase reply_cases[] = {
  /* Authentication (m365-facts.md §5) */
  { "535 5.7.3 Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-failed" },
  { "535 5.7.3 Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]",
    SA, DMD_STEP_AUTH, DMD_AUTH_XOAUTH2, "auth-oauth-token-rejected" },
  { "535 5.7.3 Authentication unsuccessful", SA, DMD_STEP_ANY, DMD_AUTH_NONE, "auth-failed" },
  { "Sep 28 13:03:50 relay postfix/smtp[17059]: 9BDCBA19EA: SASL authentication failed; server smtp.office365.com[40.99.150.50] said: 535 5.7.3 Authentication unsuccessful [FR3P281CA0094.DEUP281.PROD.OUTLOOK.COM]",
    SA, DMD_STEP_ANY, DMD_AUTH_LOGIN, "auth-failed" },
  { "535 5.7.3 認証に失敗しました", SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-failed" },
  { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-smtp-auth-disabled-tenant" },
  { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
    SA, DMD_STEP_AUTH, DMD_AUTH_XOAUTH2, "auth-smtp-auth-disabled-tenant" },
  { "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [PN0PR01CA0024.INDPRD01.PROD.OUTLOOK.COM 2025-01-26T18:54:30.055Z 08DD3DD7D75D7743]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-basic-auth-blocked" },
  { "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [PH0PR07CA0004.namprd07.prod.outlook.com]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-credentials-incorrect" },
  { "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-security-defaults" },
  { "535 5.7.139 Authentication unsuccessful, user is locked by your organization’s security defaults policy." TRAILER,
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-security-defaults" },
  { "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [INDPRD01.PROD.OUTLOOK.COM]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-conditional-access" },
  /* multi-line, the keyword split over two lines */
  { "535-5.7.139 Authentication unsuccessful, the request did not meet the\r\n535 5.7.139 criteria to be authenticated successfully. Contact your administrator." TRAILER,
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-conditional-access" },
  /* localised (Portuguese, gophish #3220): the code's general finding */
  { "535 5.7.139 Autenticação malsucedida, a solicitação não atendeu aos critérios para ser autenticada com sucesso. Entre em contato com seu administrador. [MN2PR07CA0004.namprd07.prod.outlook.com 2024-08-13T18:27:55.030Z 08DCBB430284475F]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-5-7-139-unknown" },
  /* a trailer whose host looks like a keyword must not count */
  { "535 5.7.139 Unbekannter Text [FEDERATIONSTS01.prod.outlook.com 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-5-7-139-unknown" },
  /* a trailer cut short, and a lone "[" before the keyword */
  { "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [PH0PR07CA0004.namprd07.prod.outl",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-credentials-incorrect" },
  { "550 5.7.600 [unclosed SendAsDenied text", SA, DMD_STEP_DATA, DMD_AUTH_LOGIN, "sender-send-as-denied" },
  /* the seed's federation errors (Japanese), and English wording */
  { "535 5.7.139 認証に失敗し、フェデレーション STS サービスに到達できませんでした。",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-federation-sts-unreachable" },
  { "535 5.7.139 認証に失敗しました。フェデレーション STS URL は HTTPS をサポートしていません。",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-federation-sts-no-https" },
  { "535 5.7.139 Authentication unsuccessful, the federation STS service could not be reached." TRAILER,
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-federation-sts-unreachable" },
  { "535 5.7.139 Authentication unsuccessful, Federation STS URL doesn’t support HTTPS." TRAILER,
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-federation-sts-no-https" },
  { "550 5.7.30 Basic authentication is not supported for Client Submission.",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-basic-auth-blocked" },
  { "504 5.7.4 Unrecognized authentication type" TRAILER,
    SA, DMD_STEP_AUTH, DMD_AUTH_PLAIN, "auth-mechanism-unsupported" },

  /* Not signed in: depends on the option */
  { "530 5.7.57 Client not authenticated to send mail", SA, DMD_STEP_MAIL, DMD_AUTH_NONE, "auth-required" },
  { "530 5.7.57 Client not authenticated to send mail", DS, DMD_STEP_MAIL, DMD_AUTH_NONE,
    "config-wrong-endpoint-direct-send" },
  { "530 5.7.57 Client not authenticated to send mail", RELAY, DMD_STEP_MAIL, DMD_AUTH_NONE,
    "config-wrong-endpoint-direct-send" },
  { "5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM [AM0PR10CA0081.EURPRD10.PROD.OUTLOOK.COM]",
    SA, DMD_STEP_ANY, DMD_AUTH_NONE, "auth-required" },
  { "5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM [AM0PR10CA0081.EURPRD10.PROD.OUTLOOK.COM]",
    DS, DMD_STEP_ANY, DMD_AUTH_NONE, "config-wrong-endpoint-direct-send" },
  { "5.7.57 クライアントがメールを送信するために認証されない", SA, DMD_STEP_ANY, DMD_AUTH_NONE, "auth-required" },
  { "530 5.7.57 クライアントは認証されていません" TRAILER, SA, DMD_STEP_MAIL, DMD_AUTH_NONE, "auth-required" },

  /* Temporary and unknown */
  { "451 4.7.0 Temporary server error. Please try again later. PRX4 [server.prod.outlook.com]",
    SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "throttled" },
  { "421 4.3.2 Service not available, closing transmission channel", SA, DMD_STEP_BANNER, DMD_AUTH_NONE, "throttled" },
  { "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded" TRAILER, SA, DMD_STEP_DATA,
    DMD_AUTH_LOGIN, "throttled" },
  { "450 4.7.1 Server busy", DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "throttled" },
  { "500 5.3.3 Unrecognized command 'unknown' [xx.xx.PROD.OUTLOOK.COM 2024-03-03T19:48:24.046Z xx]",
    SA, DMD_STEP_ANY, DMD_AUTH_NONE, "server-unexpected-reply" },
  { "454 4.7.0 TLS not available due to local problem", SA, DMD_STEP_STARTTLS, DMD_AUTH_NONE,
    "server-unexpected-reply" },

  /* Sender identity */
  { "550 5.7.60 SMTP; Client does not have permissions to send as this sender [MW2PR1901MB2155.namprd19.prod.outlook.com]",
    SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, "sender-send-as-denied" },
  { "5.7.60 SMTP;クライアントには、この送信者として送信するアクセス許可がありません。",
    SA, DMD_STEP_ANY, DMD_AUTH_NONE, "sender-send-as-denied" },
  { "Remote Server returned '550 5.7.60 SMTP; Client does not have permissions to send as this sender'",
    SA, DMD_STEP_ANY, DMD_AUTH_NONE, "sender-send-as-denied" },
  { "554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as sales@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.",
    SA, DMD_STEP_DATA, DMD_AUTH_LOGIN, "sender-send-as-denied" },
  { "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception",
    SA, DMD_STEP_DATA, DMD_AUTH_LOGIN, "sender-send-as-denied" },
  { "550 5.1.8 Access denied, bad outbound sender AS(42004)", SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN,
    "sender-blocked-outbound-spam" },
  { "550 5.1.8 送信送信者が正しくありません", SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, "sender-blocked-outbound-spam" },

  /* Relay, attribution, Direct Send: depends on the option and the step */
  { "550 5.7.64 TenantAttribution; Relay Access Denied SMTP.", RELAY, DMD_STEP_RCPT, DMD_AUTH_NONE,
    "relay-tenant-attribution" },
  { "550 5.7.64 TenantAttribution; Relay Access Denied SMTP.", DS, DMD_STEP_RCPT, DMD_AUTH_NONE,
    "recipient-external-refused" },
  { "550 5.7.64 TenantAttribution; Relay Access Denied SMTP.", DS, DMD_STEP_MAIL, DMD_AUTH_NONE,
    "relay-tenant-attribution" },
  { "550 5.7.64 Relay Access Denied ATTR36.", RELAY, DMD_STEP_RCPT, DMD_AUTH_NONE, "relay-tenant-attribution" },
  { "550 5.7.64 Relay Access Denied ATTR36." TRAILER, DS, DMD_STEP_ANY, DMD_AUTH_NONE, "recipient-external-refused" },
  { "5.7.64 TenantAttribution;リレー アクセスが拒否されました", RELAY, DMD_STEP_ANY, DMD_AUTH_NONE,
    "relay-tenant-attribution" },
  { "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35.", RELAY, DMD_STEP_RCPT, DMD_AUTH_NONE,
    "relay-wrong-region" },
  { "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources",
    DS, DMD_STEP_MAIL, DMD_AUTH_NONE, "direct-send-rejected" },
  { "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources" TRAILER,
    DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "direct-send-rejected" },
  { "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [PR2FRA01FT009.eop-fra01.prod.protection.outlook.com]",
    DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "recipient-not-found" },

  /* IP and tenant reputation; codes compared as integers, not prefixes */
  { "550 5.7.606 Access denied, banned sending IP [203.0.113.7]. To request removal from this list please visit https://sender.office.com/ and follow the directions.",
    DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "ip-banned" },
  { "550 5.7.649 Access denied, banned sending IP [203.0.113.7].", DS, DMD_STEP_ANY, DMD_AUTH_NONE, "ip-banned" },
  { "550 5.7.650 Something else", DS, DMD_STEP_ANY, DMD_AUTH_NONE, "server-unexpected-reply" },
  { "550 5.7.605 Something else", DS, DMD_STEP_ANY, DMD_AUTH_NONE, "server-unexpected-reply" },
  { "550 5.7.6 Something else", SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, "server-unexpected-reply" },
  { "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For more information please go to https://go.microsoft.com/fwlink/?LinkID=526655 AS(7171)",
    DS, DMD_STEP_ANY, DMD_AUTH_NONE, "ip-low-reputation" },
  { "550 5.7.515 Access denied, sending domain EXAMPLE.JP doesn't meet the required authentication level.",
    DS, DMD_STEP_DATA, DMD_AUTH_NONE, "server-unexpected-reply" },
  { "550 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using Spamhaus", DS,
    DMD_STEP_RCPT, DMD_AUTH_NONE, "ip-on-dnsbl" },

  /* TLS */
  { "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls",
    SA, DMD_STEP_ANY, DMD_AUTH_NONE, "tls-legacy-version-refused" },
  { "451 5.7.3 STARTTLS is required to send mail [SG2PR02CA0073.apcprd02.prod.outlook.com 2024-07-24T03:43:18.298Z 08DCAB6EB788477A]",
    SA, DMD_STEP_MAIL, DMD_AUTH_NONE, "smtp-starttls-required" },
  { "451 5.7.3 STARTTLS is required to send mail", SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "smtp-starttls-required" },
  { "451 5.7.3 Verschlüsselung erforderlich", SA, DMD_STEP_MAIL, DMD_AUTH_NONE, "smtp-starttls-required" },
  { "530 5.7.0 Must issue a STARTTLS command first", SA, DMD_STEP_MAIL, DMD_AUTH_NONE, "smtp-starttls-required" },

  /* Exchange Online codes with their own entry (Microsoft's NDR reference) */
  { "550 5.7.501 Access denied, spam abuse detected. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653",
    SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, "sender-spam-abuse" },
  { "550 5.7.503 Access denied, banned sender" TRAILER, SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, "sender-spam-abuse" },
  { "550 5.7.504 Recipient address rejected: Access denied", DS, DMD_STEP_RCPT, DMD_AUTH_NONE,
    "server-unexpected-reply" },
  { "550 5.7.511 Access denied, banned sender[203.0.113.7]. To request removal from this list, forward this message to delist@microsoft.com. For more information, go to https://go.microsoft.com/fwlink/?LinkId=526653.",
    DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "ip-banned-sender" },
  { "550 5.7.51 Something else", DS, DMD_STEP_RCPT, DMD_AUTH_NONE, "server-unexpected-reply" },
  { "550 5.7.705 Access denied, tenant has exceeded threshold" TRAILER, RELAY, DMD_STEP_RCPT,
    DMD_AUTH_NONE, "tenant-sending-blocked" },
  { "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains",
    RELAY, DMD_STEP_MAIL, DMD_AUTH_NONE, "tenant-unregistered-domain" },
  { "550 5.7.75 Something else", RELAY, DMD_STEP_MAIL, DMD_AUTH_NONE, "server-unexpected-reply" },

  /* A quota refusal is permanent as a 5xx, temporary as a 4xx */
  { "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message." TRAILER,
    SA, DMD_STEP_DATA, DMD_AUTH_LOGIN, "sender-submission-quota-exceeded" },
  { "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", SA, DMD_STEP_ANY,
    DMD_AUTH_NONE, "sender-submission-quota-exceeded" },
  { "452 4.5.3 Message rate limit exceeded, try again later", SA, DMD_STEP_DATA, DMD_AUTH_LOGIN,
    "throttled" },
  { "554 5.7.0 Service busy, please try again later", SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN,
    "server-unexpected-reply" },

  /* Well-known texts pasted without their code: the guide's headings, bounce texts */
  { "Client was not authenticated to send anonymous mail during MAIL FROM", SA, DMD_STEP_ANY,
    DMD_AUTH_NONE, "auth-required" },
  { "Client was not authenticated to send anonymous mail during MAIL FROM", DS, DMD_STEP_ANY,
    DMD_AUTH_NONE, "config-wrong-endpoint-direct-send" },
  { "MAIL FROM 中に匿名メールを送信するためにクライアントが認証されませんでした", SA, DMD_STEP_ANY,
    DMD_AUTH_NONE, "auth-required" },
  { "MAIL FROM エラー中に匿名メールを送信するためにクライアントが認証されませんでした", RELAY,
    DMD_STEP_ANY, DMD_AUTH_NONE, "config-wrong-endpoint-direct-send" },
  { "Access denied, spam abuse detected", SA, DMD_STEP_ANY, DMD_AUTH_NONE, "sender-spam-abuse" },
  { "The message can't be submitted because the sender's submission quota was exceeded.", SA,
    DMD_STEP_ANY, DMD_AUTH_NONE, "sender-submission-quota-exceeded" },
  { "認証に失敗しました", SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, "auth-failed" },
  { "認証に失敗し、フェデレーション STS サービスに到達できませんでした。", SA, DMD_STEP_AUTH,
    DMD_AUTH_LOGIN, "auth-federation-sts-unreachable" },
  { "Direct Send not allowed for this organization from unauthorized sources", DS, DMD_STEP_ANY,
    DMD_AUTH_NONE, "direct-send-rejected" },

  /* Successes give nothing */
  { "250 2.1.0 Sender OK", DS, DMD_STEP_MAIL, DMD_AUTH_NONE, NULL },
  { "250 2.1.5 Recipient OK", DS, DMD_STEP_RCPT, DMD_AUTH_NONE, NULL },
  { "220 2.0.0 SMTP server ready", SA, DMD_STEP_STARTTLS, DMD_AUTH_NONE, NULL },
  { "235 2.7.0 Authentication successful", SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, NULL },
  { "334 VXNlcm5hbWU6", SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN, NULL },
  { "220 BE1P281CA0440.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 4 Aug 2025 11:15:30 +0000 [08DDD30471EE4ED5]",
    SA, DMD_STEP_BANNER, DMD_AUTH_NONE, NULL },
};

static void
test_reply_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reply_cases); i++)
    {
      const ReplyCase *c = &reply_cases[i];
      g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply (c->line);
      g_autoptr(GPtrArray) ids = NULL;

      g_test_message ("case %u: %s (%s, %s, %s)", i, c->line, dmd_option_to_string (c->option),
                      dmd_step_to_string (c->step), dmd_auth_mech_to_string (c->mech));
      g_assert_nonnull (reply);
      ids = dmd_catalog_match_reply (reply, c->option, c->step, c->mech);
      if (c->id == NULL)
        {
          g_assert_cmpuint (ids->len, ==, 0);
          continue;
        }
      g_assert_cmpuint (ids->len, >=, 1);
      g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, c->id);
      for (guint k = 0; k < ids->len; k++)
        g_assert_nonnull (dmd_catalog_lookup (g_ptr_array_index (ids, k)));
    }
}

/* The same code in another class is another code: 4.7.57 is not 5.7.57. */
static void
test_reply_exact_codes (void)
{
  g_autoptr(DmdReply) reply = dmd_reply_new ();
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) ids2 = NULL;

  reply->code = 451;
  reply->enh_class = 4;
  reply->enh_subject = 7;
  reply->enh_detail = 57;
  g_ptr_array_add (reply->lines, g_strdup ("4.7.57 Something"));
  ids = dmd_catalog_match_reply (reply, SA, DMD_STEP_MAIL, DMD_AUTH_NONE);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "server-unexpected-reply");

  /* 5.7.1390 is not 5.7.139 either. */
  reply->code = 535;
  reply->enh_class = 5;
  reply->enh_detail = 1390;
  ids2 = dmd_catalog_match_reply (reply, SA, DMD_STEP_AUTH, DMD_AUTH_LOGIN);
  g_assert_cmpstr (g_ptr_array_index (ids2, 0), ==, "auth-failed");
}

static void
test_reply_findings (void)
{
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply ("550 5.7.60 SMTP; Client does not have permissions to send as this sender");
  g_autoptr(GPtrArray) findings = NULL;
  DmdFinding *finding;
  gboolean has_send_as = FALSE;

  g_free (config->from);
  config->from = g_strdup ("o'brien@contoso.com");
  findings = dmd_catalog_reply_findings (reply, SA, DMD_STEP_MAIL, DMD_AUTH_LOGIN, config, NULL);
  g_assert_cmpuint (findings->len, ==, 1);
  finding = g_ptr_array_index (findings, 0);
  g_assert_cmpstr (finding->id, ==, "sender-send-as-denied");
  g_assert_cmpstr (finding->check, ==, "mail-from");
  g_assert_nonnull (strstr (finding->evidence, "550 5.7.60"));
  for (guint i = 0; i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      if (fix->command != NULL &&
          g_str_equal (fix->command, "Add-RecipientPermission -Identity 'o''brien@contoso.com' "
                                     "-Trustee 'scanner@contoso.com' -AccessRights SendAs"))
        {
          has_send_as = TRUE;
          g_assert_cmpint (fix->audience, ==, DMD_AUDIENCE_ADMIN);
        }
    }
  g_assert_true (has_send_as);
}

/* Without a step, a finding claims no check; with one, the step's check. */
static void
test_reply_findings_step (void)
{
  g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply ("550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources");
  g_autoptr(GPtrArray) any = dmd_catalog_reply_findings (reply, DS, DMD_STEP_ANY, DMD_AUTH_NONE, NULL, NULL);
  g_autoptr(GPtrArray) rcpt = dmd_catalog_reply_findings (reply, DS, DMD_STEP_RCPT, DMD_AUTH_NONE, NULL, NULL);

  g_assert_cmpuint (any->len, ==, 1);
  g_assert_null (((DmdFinding *) g_ptr_array_index (any, 0))->check);
  g_assert_cmpuint (rcpt->len, ==, 1);
  g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (rcpt, 0))->check, ==, "rcpt-to");
}

static gboolean
has_fix_text (DmdFinding *finding,
              const char *prefix)
{
  for (guint i = 0; i < finding->fixes->len; i++)
    if (g_str_has_prefix (((DmdFix *) g_ptr_array_index (finding->fixes, i))->text, prefix))
      return TRUE;
  return FALSE;
}

static const char *
fix_command (DmdFinding *finding,
             const char *prefix)
{
  for (guint i = 0; i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      if (fix->command != NULL && g_str_has_prefix (fix->command, prefix))
        return fix->command;
    }
  return NULL;
}

/* Fix steps follow the values: a step that cannot help is left out, an unknown value keeps
 * it with a placeholder, and a value the reply names beats the settings. */
static void
test_fix_conditions (void)
{
  static const char *send_as = "550 5.7.60 SMTP; Client does not have permissions to send as this sender";
  static const char *set_sender = "Set the device’s sender (From) address to the sign-in mailbox’s address.";
  static const char *same_sender = "If the sender entered is the sign-in mailbox itself";
  g_autoptr(DmdDeviceConfig) same = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) other = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) bare = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdFinding) f_same = NULL;
  g_autoptr(DmdFinding) f_other = NULL;
  g_autoptr(DmdFinding) f_unknown = NULL;
  g_autoptr(DmdFinding) f_named = NULL;
  g_autoptr(DmdFinding) f_no_user = NULL;
  g_autoptr(DmdFinding) f_signed = NULL;
  g_autoptr(DmdFinding) f_bare = NULL;

  /* Sender = sign-in mailbox (the settings table says "Matches"): no "set the sender", no
   * Send As of the mailbox on itself. */
  f_same = dmd_catalog_make_finding ("sender-send-as-denied", same, send_as);
  g_assert_false (has_fix_text (f_same, set_sender));
  g_assert_null (fix_command (f_same, "Add-RecipientPermission"));
  g_assert_true (has_fix_text (f_same, same_sender));

  g_free (other->from);
  other->from = g_strdup ("sales@contoso.com");
  f_other = dmd_catalog_make_finding ("sender-send-as-denied", other, send_as);
  g_assert_true (has_fix_text (f_other, set_sender));
  g_assert_cmpstr (fix_command (f_other, "Add-RecipientPermission"), ==,
                   "Add-RecipientPermission -Identity 'sales@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs");
  g_assert_false (has_fix_text (f_other, same_sender));

  /* Nothing known (explain): every step, placeholders for both addresses. */
  f_unknown = dmd_catalog_make_finding ("sender-send-as-denied", NULL, send_as);
  g_assert_true (has_fix_text (f_unknown, set_sender));
  g_assert_true (has_fix_text (f_unknown, same_sender));
  g_assert_cmpstr (fix_command (f_unknown, "Add-RecipientPermission"), ==,
                   "Add-RecipientPermission -Identity <SenderAddress> -Trustee <SignInAddress> -AccessRights SendAs");

  /* Only the user name known: the sender stays a placeholder, never the user name twice. */
  bare->username = g_strdup ("scanner@contoso.com");
  f_no_user = dmd_catalog_make_finding ("sender-send-as-denied", bare, send_as);
  g_assert_cmpstr (fix_command (f_no_user, "Add-RecipientPermission"), ==,
                   "Add-RecipientPermission -Identity <SenderAddress> -Trustee 'scanner@contoso.com' -AccessRights SendAs");

  /* SendAsDenied names the refused sender: that is the address to grant, whatever was typed. */
  f_named = dmd_catalog_make_finding ("sender-send-as-denied", same,
                                      "554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as sales@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied");
  g_assert_true (has_fix_text (f_named, set_sender));
  g_assert_false (has_fix_text (f_named, same_sender));
  g_assert_cmpstr (fix_command (f_named, "Add-RecipientPermission"), ==,
                   "Add-RecipientPermission -Identity 'sales@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs");

  /* 530 5.7.57: the article's causes; "enter a user name" only when none was entered. */
  f_signed = dmd_catalog_make_finding ("auth-required", same, "530 5.7.57 Client not authenticated to send mail");
  g_assert_false (has_fix_text (f_signed, "Enter the mailbox’s user name"));
  g_assert_nonnull (fix_command (f_signed, "Get-CASMailbox -Identity 'scanner@contoso.com'"));
  g_assert_nonnull (fix_command (f_signed, "Get-TransportConfig"));
  g_assert_nonnull (fix_command (f_signed, "Set-CASMailbox -Identity 'scanner@contoso.com'"));
  g_assert_true (has_fix_text (f_signed, "Check whether multi-factor authentication, security defaults or a Conditional Access policy"));
  g_assert_nonnull (strstr (f_signed->explanation, "went on to send anyway"));
  f_bare = dmd_catalog_make_finding ("auth-required", NULL, "530 5.7.57 Client not authenticated to send mail");
  g_assert_true (has_fix_text (f_bare, "Enter the mailbox’s user name"));
  g_assert_nonnull (fix_command (f_bare, "Get-CASMailbox -Identity <SignInAddress>"));
}

/* The IPv6 advice only when Microsoft sees an IPv6 address (or nothing is known). */
static void
test_fix_condition_ipv6 (void)
{
  static const char *ipv6_step = "If the address is IPv6 and the connector has an IPv4 address";
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_RELAY);
  DmdCatalogFacts facts6 = { "2001:db8::1", NULL };
  g_autoptr(DmdFinding) v4 = dmd_catalog_make_finding_full ("relay-connector-ip-mismatch", config, &full_facts, NULL);
  g_autoptr(DmdFinding) v6 = dmd_catalog_make_finding_full ("relay-connector-ip-mismatch", config, &facts6, NULL);
  g_autoptr(DmdFinding) unknown = dmd_catalog_make_finding ("relay-connector-ip-mismatch", config, NULL);

  g_assert_false (has_fix_text (v4, ipv6_step));
  g_assert_true (has_fix_text (v6, ipv6_step));
  g_assert_true (has_fix_text (unknown, ipv6_step));
}

/* Every connector command as Microsoft's cmdlet reference documents it. */
static void
test_connector_commands (void)
{
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_DIRECT_SEND);
  DmdCatalogFacts facts6 = { "2001:db8::1", NULL };
  const DmdCatalogEntry *entries = dmd_catalog_entries ();
  guint n_connector = 0;

  for (guint e = 0; entries[e].id != NULL; e++)
    for (guint v = 0; v < 2; v++)
      {
        g_autoptr(DmdFinding) finding = dmd_catalog_make_finding_full (entries[e].id, config,
                                                                       v ? &facts6 : &full_facts, NULL);

        for (guint i = 0; i < finding->fixes->len; i++)
          {
            const char *command = ((DmdFix *) g_ptr_array_index (finding->fixes, i))->command;

            if (command == NULL || strstr (command, "InboundConnector ") == NULL)
              continue;
            g_test_message ("%s: %s", entries[e].id, command);
            n_connector++;
            /* RestrictDomainsToIPAddresses, RestrictDomainsToCertificate and RequireTls apply
             * to Partner connectors only. */
            if (strstr (command, "-ConnectorType Partner") == NULL)
              {
                g_assert_null (strstr (command, "-RestrictDomainsToIPAddresses "));
                g_assert_null (strstr (command, "-RestrictDomainsToCertificate "));
                g_assert_null (strstr (command, "-RequireTls "));
              }
            /* New-InboundConnector needs -Name and -SenderDomains. */
            if (g_str_has_prefix (command, "New-InboundConnector "))
              {
                g_assert_nonnull (strstr (command, " -Name "));
                g_assert_nonnull (strstr (command, " -SenderDomains "));
              }
            /* SenderIPAddresses takes IPv4 only. */
            if (strstr (command, "-SenderIPAddresses") != NULL)
              {
                g_assert_null (strstr (command, "2001:db8::1"));
                if (v == 1)
                  g_assert_nonnull (strstr (command, "<PublicIPv4Address>"));
                else
                  g_assert_nonnull (strstr (command, "'203.0.113.7'"));
              }
          }
      }
  g_assert_cmpuint (n_connector, >=, 6);
}

static void
test_unexpected_reply_meaning (void)
{
  g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply ("550 5.7.515 Access denied, sending domain EXAMPLE.JP doesn't meet the required authentication level.");
  g_autoptr(GPtrArray) findings = dmd_catalog_reply_findings (reply, DS, DMD_STEP_DATA, DMD_AUTH_NONE, NULL, NULL);
  g_autoptr(DmdFinding) direct = NULL;
  DmdFinding *finding;

  g_assert_cmpuint (findings->len, ==, 1);
  finding = g_ptr_array_index (findings, 0);
  g_assert_cmpstr (finding->id, ==, "server-unexpected-reply");
  g_assert_cmpstr (finding->check, ==, "data");
  g_assert_nonnull (strstr (finding->explanation, "5.7.515"));
  g_assert_nonnull (strstr (finding->explanation, "Permanent failure"));
  g_assert_nonnull (strstr (finding->explanation, "Security or policy status"));
  g_assert_nonnull (strstr (finding->explanation, "Reply code 550"));

  /* Through make_finding with the reply as evidence, as the checkup does. */
  direct = dmd_catalog_make_finding ("server-unexpected-reply", NULL, "554 5.7.1 Delivery not authorized");
  g_assert_nonnull (strstr (direct->explanation, "Delivery not authorized, message refused"));

  g_assert_cmpstr (dmd_catalog_enhanced_code_meaning (5, 7, 1), ==, "Delivery not authorized, message refused");
  g_assert_cmpstr (dmd_catalog_enhanced_code_meaning (4, 4, 1), ==, "No answer from host");
  g_assert_cmpstr (dmd_catalog_enhanced_code_meaning (5, 7, 139), ==, "Security or policy status");
  g_assert_cmpstr (dmd_catalog_enhanced_code_meaning (5, 9, 1), ==, "Unknown status");
  g_assert_cmpstr (dmd_catalog_basic_code_meaning (530), ==, "Authentication required");
  g_assert_cmpstr (dmd_catalog_basic_code_meaning (599), ==, "Permanent failure");
  g_assert_nonnull (dmd_catalog_enhanced_class_meaning (7));
}

static void
test_parse_pasted (void)
{
  g_autoptr(DmdReply) a = dmd_catalog_parse_pasted_reply ("nothing useful here");
  g_autoptr(DmdReply) b = dmd_catalog_parse_pasted_reply ("Diagnostic: 5.7.606 banned");
  g_autoptr(DmdReply) c = dmd_catalog_parse_pasted_reply ("550 5.7.60 x");

  g_autoptr(DmdReply) d = dmd_catalog_parse_pasted_reply ("Client was not authenticated to send anonymous mail during MAIL FROM");
  g_autofree char *d_text = NULL;

  g_assert_null (a);
  /* A known text: its enhanced code, no basic code, and the text as pasted. */
  g_assert_nonnull (d);
  g_assert_cmpuint (d->code, ==, 0);
  g_assert_true (dmd_reply_enhanced_is (d, 5, 7, 57));
  d_text = dmd_reply_to_string (d);
  g_assert_cmpstr (d_text, ==, "Client was not authenticated to send anonymous mail during MAIL FROM");
  g_assert_nonnull (b);
  g_assert_cmpuint (b->code, ==, 0);
  g_assert_cmpuint (b->enh_detail, ==, 606);
  g_assert_cmpuint (c->code, ==, 550);
  g_assert_cmpuint (c->enh_detail, ==, 60);
}

/* ------------------------------------------------------------------------------------------ */

/* Entra ID's errors are told apart by number and protocol code, never by their words. */
static void
test_entra_errors (void)
{
  static const struct { const char *error; guint aadsts; const char *id; } cases[] = {
    { "invalid_request", 90002, "oauth-tenant-not-found" },
    { "invalid_request", 900023, "oauth-tenant-not-found" },
    { "unauthorized_client", 700016, "oauth-app-not-found" },
    { "invalid_client", 7000215, "oauth-invalid-client-secret" },
    { "invalid_client", 7000222, "oauth-invalid-client-secret" },
    { "invalid_grant", 65001, "oauth-consent-required" },
    { "invalid_grant", 50076, "oauth-mfa-or-policy" },
    { "interaction_required", 50079, "oauth-mfa-or-policy" },
    { "invalid_grant", 53003, "oauth-mfa-or-policy" },
    { "authorization_declined", 0, "oauth-sign-in-declined" },
    { "expired_token", 70020, "oauth-device-code-expired" },
    { "invalid_client", 7000218, "oauth-unknown-error" },
    { "invalid_scope", 70011, "oauth-unknown-error" },
    { "invalid_grant", 0, "oauth-unknown-error" },
    { NULL, 0, "oauth-unknown-error" },
    /* The number decides, whatever error code comes with it. */
    { "server_error", 700016, "oauth-app-not-found" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (dmd_catalog_match_entra_error (cases[i].error, cases[i].aadsts), ==,
                     cases[i].id);
}

static gboolean
finding_has_command (DmdFinding *finding,
                     const char *prefix)
{
  for (guint i = 0; i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      if (fix->command != NULL && g_str_has_prefix (fix->command, prefix))
        return TRUE;
    }
  return FALSE;
}

static const char *
command_with (DmdFinding *finding,
              const char *prefix)
{
  for (guint i = 0; i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      if (fix->command != NULL && g_str_has_prefix (fix->command, prefix))
        return fix->command;
    }
  return NULL;
}

/* A 535 after XOAUTH2: the fixes of the flow that was used, with the client id and the
 * mailbox typed by the user filled in. */
static void
test_oauth_rejected_fixes (void)
{
  g_autoptr(DmdDeviceConfig) device = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) app = NULL;
  g_autoptr(DmdDeviceConfig) hve = NULL;
  g_autoptr(DmdFinding) f_device = NULL;
  g_autoptr(DmdFinding) f_app = NULL;
  g_autoptr(DmdFinding) f_hve = NULL;
  g_autoptr(DmdFinding) f_unknown = NULL;

  dmd_device_config_set_password (device, NULL);
  device->auth_method = DMD_AUTH_METHOD_OAUTH_DEVICE;
  device->tenant = g_strdup ("contoso.com");
  app = dmd_device_config_copy (device);
  app->auth_method = DMD_AUTH_METHOD_OAUTH_APP;
  g_free (app->username);
  app->username = g_strdup ("o'brien@contoso.com");
  hve = dmd_device_config_copy (app);
  hve->option = DMD_OPTION_HVE;
  g_free (hve->server);
  hve->server = NULL;   /* the option's own endpoint */

  f_device = dmd_catalog_make_finding ("auth-oauth-token-rejected", device, "535 5.7.3");
  g_assert_true (finding_has_command (f_device, "Set-CASMailbox -Identity 'scanner@contoso.com'"));
  g_assert_false (finding_has_command (f_device, "New-ServicePrincipal"));
  g_assert_false (finding_has_command (f_device, "Add-HVEAppAccess"));

  f_app = dmd_catalog_make_finding ("auth-oauth-token-rejected", app, "535 5.7.3");
  g_assert_cmpstr (command_with (f_app, "New-ServicePrincipal"), ==,
                   "New-ServicePrincipal -AppId '11111111-2222-4333-8444-555555555555' "
                   "-ObjectId <EnterpriseAppObjectId>");
  g_assert_cmpstr (command_with (f_app, "Add-MailboxPermission"), ==,
                   "Add-MailboxPermission -Identity 'o''brien@contoso.com' "
                   "-User <ServicePrincipalId> -AccessRights FullAccess");
  g_assert_false (finding_has_command (f_app, "Set-CASMailbox"));
  g_assert_false (finding_has_command (f_app, "Add-HVEAppAccess"));

  f_hve = dmd_catalog_make_finding ("auth-oauth-token-rejected", hve, "535 5.7.3");
  g_assert_cmpstr (command_with (f_hve, "Add-HVEAppAccess"), ==,
                   "Add-HVEAppAccess -Identity 'o''brien@contoso.com' "
                   "-AppIds '11111111-2222-4333-8444-555555555555'");
  g_assert_false (finding_has_command (f_hve, "New-ServicePrincipal"));
  g_assert_false (finding_has_command (f_hve, "Set-CASMailbox"));
  /* HVE's endpoint typed with the SMTP AUTH option: HVE too. */
  {
    g_autoptr(DmdDeviceConfig) typed = dmd_device_config_copy (app);
    g_autoptr(DmdFinding) f_typed = NULL;

    g_free (typed->server);
    typed->server = g_strdup ("smtp.hve.mx.microsoft");
    f_typed = dmd_catalog_make_finding ("auth-oauth-token-rejected", typed, "535 5.7.3");
    g_assert_true (finding_has_command (f_typed, "Add-HVEAppAccess"));
    g_assert_false (finding_has_command (f_typed, "New-ServicePrincipal"));
  }

  /* Nothing known (explain): every way, with placeholders PowerShell refuses to run. */
  f_unknown = dmd_catalog_make_finding ("auth-oauth-token-rejected", NULL, "535 5.7.3");
  g_assert_true (finding_has_command (f_unknown, "Set-CASMailbox"));
  g_assert_cmpstr (command_with (f_unknown, "New-ServicePrincipal"), ==,
                   "New-ServicePrincipal -AppId <ClientId> -ObjectId <EnterpriseAppObjectId>");
  g_assert_true (finding_has_command (f_unknown, "Add-HVEAppAccess"));
}

static void
test_powershell_quote (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "scanner@contoso.com", "'scanner@contoso.com'" },
    { "", "''" },
    { "o'brien@contoso.com", "'o''brien@contoso.com'" },
    { "o\xe2\x80\x99" "brien@contoso.com", "'o\xe2\x80\x99\xe2\x80\x99" "brien@contoso.com'" }, /* U+2019 */
    { "\xe2\x80\x98x", "'\xe2\x80\x98\xe2\x80\x98x'" },                                      /* U+2018 */
    { "\xe2\x80\x9ax", "'\xe2\x80\x9a\xe2\x80\x9ax'" },                                      /* U+201A */
    { "\xe2\x80\x9bx", "'\xe2\x80\x9b\xe2\x80\x9bx'" },                                      /* U+201B */
    { "\xe2\x80\x9cx\xe2\x80\x9d", "'\xe2\x80\x9cx\xe2\x80\x9d'" },  /* double quotes are literal inside '' */
    { "'; Remove-Mailbox x; '", "'''; Remove-Mailbox x; '''" },
    { "$(Get-Date)`n", "'$(Get-Date)`n'" },
    { "a\nb\tc", "'abc'" },
    { "山田@例え.jp", "'山田@例え.jp'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *q = dmd_powershell_quote (cases[i].in);
      g_assert_cmpstr (q, ==, cases[i].out);
    }
}

static void
test_commands_filled (void)
{
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdFinding) auth = NULL;
  g_autoptr(DmdFinding) empty = NULL;
  g_autoptr(DmdFinding) spf = NULL;
  g_autoptr(DmdFinding) spf6 = NULL;
  g_autoptr(DmdDeviceConfig) bare = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  DmdCatalogFacts facts6 = { "2001:db8::1", NULL };
  DmdCatalogFacts bad = { "203.0.113.7 -all; rm", NULL };
  gboolean get_cas = FALSE, set_cas = FALSE, transport = FALSE;

  g_free (config->username);
  config->username = g_strdup ("o\xe2\x80\x99" "brien@contoso.com");
  auth = dmd_catalog_make_finding ("auth-failed", config, "535 5.7.3 Authentication unsuccessful");
  for (guint i = 0; i < auth->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (auth->fixes, i);

      if (fix->command == NULL)
        continue;
      get_cas |= g_str_equal (fix->command, "Get-CASMailbox -Identity 'o\xe2\x80\x99\xe2\x80\x99"
                                            "brien@contoso.com' | Format-List SmtpClientAuthenticationDisabled");
      set_cas |= g_str_equal (fix->command, "Set-CASMailbox -Identity 'o\xe2\x80\x99\xe2\x80\x99"
                                            "brien@contoso.com' -SmtpClientAuthenticationDisabled $false");
      transport |= g_str_equal (fix->command, "Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled");
    }
  g_assert_true (get_cas && set_cas && transport);

  /* Unknown values stay visible placeholders that PowerShell refuses to run. */
  empty = dmd_catalog_make_finding ("auth-failed", bare, NULL);
  for (guint i = 0; i < empty->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (empty->fixes, i);

      if (fix->command != NULL && g_str_has_prefix (fix->command, "Get-CASMailbox"))
        g_assert_cmpstr (fix->command, ==, "Get-CASMailbox -Identity <SignInAddress> | Format-List SmtpClientAuthenticationDisabled");
    }

  spf = dmd_catalog_make_finding_full ("spf-missing-record", config, &full_facts, NULL);
  g_assert_cmpstr (((DmdFix *) g_ptr_array_index (spf->fixes, 0))->command, ==,
                   "v=spf1 ip4:203.0.113.7 include:spf.protection.outlook.com -all");
  spf6 = dmd_catalog_make_finding_full ("spf-missing-ip", config, &facts6, NULL);
  g_assert_cmpstr (((DmdFix *) g_ptr_array_index (spf6->fixes, 0))->command, ==, "ip6:2001:db8::1");
  g_clear_pointer (&spf6, dmd_finding_free);
  spf6 = dmd_catalog_make_finding_full ("spf-missing-ip", config, &bad, NULL);
  g_assert_cmpstr (((DmdFix *) g_ptr_array_index (spf6->fixes, 0))->command, ==, "ip4:<PublicIPAddress>");
}

/* ------------------------------------------------------------------------------------------ */

static gboolean
has_id (DmdResult  *result,
        const char *id)
{
  return dmd_result_has_finding (result, id);
}

static void
test_basic_auth_dates (void)
{
  g_autoptr(DmdDeviceConfig) config = full_config (DMD_OPTION_SMTP_AUTH);
  struct { int y, m, d; gboolean after; } dates[] = {
    { 2026, 11, 26, FALSE }, { 2026, 12, 31, FALSE }, { 2027, 1, 1, TRUE }, { 2027, 9, 1, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
      g_autoptr(DmdFinding) finding = NULL;

      g_clear_pointer (&config->today, g_date_time_unref);
      config->today = g_date_time_new_utc (dates[i].y, dates[i].m, dates[i].d, 12, 0, 0);
      g_assert_cmpint (dmd_catalog_basic_auth_default_off (config->today), ==, dates[i].after);

      dmd_catalog_preflight (config, result);
      g_assert_true (has_id (result, "config-basic-auth-retiring"));
      finding = dmd_catalog_make_finding ("config-basic-auth-retiring", config, NULL);
      if (dates[i].after)
        {
          g_assert_nonnull (strstr (finding->explanation, "has been turned off by default since the end of December 2026"));
          g_assert_nonnull (strstr (finding->explanation, "can still turn it back on for now"));
          g_assert_nonnull (strstr (finding->explanation, "second half of 2027"));
        }
      else
        {
          g_assert_nonnull (strstr (finding->explanation, "will turn Basic authentication for SMTP AUTH off by default for existing tenants at the end of December 2026"));
        }
      /* Every step says who takes it, the first (move to OAuth, at the device) too: the
       * wizard tags each step and names who fixes it (issue 14 §10). */
      for (guint j = 0; j < finding->fixes->len; j++)
        {
          const DmdFix *fix = g_ptr_array_index (finding->fixes, j);

          g_assert_cmpint (fix->audience, !=, DMD_AUDIENCE_ANYONE);
        }
      g_assert_cmpint (((DmdFix *) g_ptr_array_index (finding->fixes, 0))->audience, ==,
                       DMD_AUDIENCE_TECHNICIAN);
    }

  /* OAuth and High Volume Email are not affected. */
  {
    g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
    g_autoptr(DmdResult) result2 = dmd_result_new (DMD_OPTION_SMTP_AUTH);

    dmd_device_config_set_oauth_token (config, "token");
    dmd_catalog_preflight (config, result);
    g_assert_false (has_id (result, "config-basic-auth-retiring"));
    dmd_device_config_set_oauth_token (config, NULL);
    g_free (config->server);
    config->server = g_strdup ("smtp.hve.mx.microsoft");
    dmd_catalog_preflight (config, result2);
    g_assert_false (has_id (result2, "config-basic-auth-retiring"));
  }

  /* The dated facts are data with valid dates. */
  for (const DmdCatalogDatedFact *f = dmd_catalog_dated_facts (); f->id != NULL; f++)
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_parse (&date, f->date);
      g_assert_true (strlen (f->date) == 10 && f->date[4] == '-');
      g_assert_nonnull (f->description);
      g_assert_true (g_str_has_prefix (f->source, "https://"));
    }
}

typedef struct {
  const char  *name;
  DmdOption    option;
  const char  *server;
  guint16      port;
  DmdSecurity  security;
  const char  *user;
  const char  *password;
  const char  *from;
  const char  *to;
  guint        field_length;
  gboolean     insecure;
  gboolean     send;
  const char  *expect[6];
  const char  *absent[4];
} PreflightCase;

static const PreflightCase preflight_cases[] = {
  { "good smtp-auth", SA, "smtp.office365.com", 587, DMD_SECURITY_STARTTLS, "scanner@contoso.com",
    "pw", "scanner@contoso.com", "x@fabrikam.com", 0, FALSE, TRUE,
    { "config-basic-auth-retiring" },
    { "config-no-credentials", "config-sender-mismatch", "test-message-not-sent", "config-tls-disabled" } },
  { "no password", SA, NULL, 0, DMD_SECURITY_STARTTLS, "scanner@contoso.com", NULL, NULL, NULL, 0,
    FALSE, FALSE, { "config-no-credentials", "test-message-not-sent" } },
  { "no user", SA, NULL, 0, DMD_SECURITY_STARTTLS, NULL, NULL, NULL, NULL, 0, FALSE, TRUE,
    { "config-no-credentials" }, { "config-basic-auth-retiring" } },
  { "sender mismatch", SA, NULL, 0, DMD_SECURITY_STARTTLS, "scanner@contoso.com", "pw",
    "Sales@contoso.com", NULL, 0, FALSE, TRUE, { "config-sender-mismatch" } },
  { "same sender, other case", SA, NULL, 0, DMD_SECURITY_STARTTLS, "scanner@contoso.com", "pw",
    "Scanner@Contoso.com", NULL, 0, FALSE, TRUE, { NULL }, { "config-sender-mismatch" } },
  { "ip literal", SA, "52.96.1.1", 587, DMD_SECURITY_STARTTLS, "a@contoso.com", "pw", NULL, NULL,
    0, FALSE, TRUE, { "config-ip-literal-server" } },
  { "port 465", SA, NULL, 465, DMD_SECURITY_IMPLICIT_TLS, "a@contoso.com", "pw", NULL, NULL, 0,
    FALSE, TRUE, { "config-port-465" }, { "config-implicit-tls" } },
  { "implicit on 587", SA, NULL, 587, DMD_SECURITY_IMPLICIT_TLS, "a@contoso.com", "pw", NULL, NULL,
    0, FALSE, TRUE, { "config-implicit-tls" } },
  { "tls off", SA, NULL, 587, DMD_SECURITY_NONE, "a@contoso.com", "pw", NULL, NULL, 0, FALSE, TRUE,
    { "config-tls-disabled" } },
  { "direct send to smtp.office365.com", DS, "smtp.office365.com", 25, DMD_SECURITY_STARTTLS, NULL,
    NULL, "printer@contoso.com", "a@contoso.com", 0, FALSE, TRUE,
    { "config-wrong-endpoint-direct-send" }, { "config-basic-auth-retiring", "config-no-credentials" } },
  { "relay to smtp.office365.com", RELAY, "SMTP.Office365.com", 25, DMD_SECURITY_STARTTLS, NULL,
    NULL, NULL, NULL, 0, FALSE, TRUE, { "config-wrong-endpoint-direct-send" } },
  { "smtp-auth to MX", SA, "contoso-com.mail.protection.outlook.com", 587, DMD_SECURITY_STARTTLS,
    "a@contoso.com", "pw", NULL, NULL, 0, FALSE, TRUE, { "config-wrong-endpoint-smtp-auth" } },
  { "smtp-auth to mx.microsoft", SA, "contoso-com.o-v1.mx.microsoft", 587, DMD_SECURITY_STARTTLS,
    "a@contoso.com", "pw", NULL, NULL, 0, FALSE, TRUE, { "config-wrong-endpoint-smtp-auth" } },
  { "smtp-auth to HVE", SA, "smtp.hve.mx.microsoft", 587, DMD_SECURITY_STARTTLS,
    "a@contoso.com", "pw", NULL, NULL, 0, FALSE, TRUE, { NULL },
    { "config-wrong-endpoint-smtp-auth", "config-basic-auth-retiring" } },
  { "direct send outside", DS, "contoso-com.mail.protection.outlook.com", 25, DMD_SECURITY_STARTTLS,
    NULL, NULL, "printer@contoso.com", "someone@fabrikam.com", 0, FALSE, TRUE,
    { "config-external-recipient-direct-send" } },
  { "direct send inside", DS, "contoso-com.mail.protection.outlook.com", 25, DMD_SECURITY_STARTTLS,
    NULL, NULL, "printer@contoso.com", "someone@CONTOSO.com", 0, FALSE, TRUE,
    { NULL }, { "config-external-recipient-direct-send" } },
  { "relay outside is fine", RELAY, "contoso-com.mail.protection.outlook.com", 25,
    DMD_SECURITY_STARTTLS, NULL, NULL, "printer@contoso.com", "someone@fabrikam.com", 0, FALSE,
    TRUE, { NULL }, { "config-external-recipient-direct-send" } },
  { "mx too long", DS, "contoso-com.mail.protection.outlook.com", 25, DMD_SECURITY_STARTTLS, NULL,
    NULL, NULL, NULL, 32, FALSE, TRUE, { "config-mx-host-too-long" } },
  { "mx fits", DS, "contoso-com.mail.protection.outlook.com", 25, DMD_SECURITY_STARTTLS, NULL,
    NULL, NULL, NULL, 64, FALSE, TRUE, { NULL }, { "config-mx-host-too-long" } },
  { "insecure", SA, NULL, 0, DMD_SECURITY_STARTTLS, "a@contoso.com", "pw", NULL, NULL, 0, TRUE,
    TRUE, { "config-insecure-auth-allowed" } },
  /* High Volume Email: its own dated password finding, never the SMTP AUTH one; inside
   * recipients only; the sender may be another address of the organization. */
  { "good hve", HVE, NULL, 0, DMD_SECURITY_STARTTLS, "hve-scanner@contoso.com", "pw",
    "hve-scanner@contoso.com", "someone@contoso.com", 0, FALSE, TRUE,
    { "config-hve-basic-auth-until-2028" },
    { "config-basic-auth-retiring", "config-hve-external-recipient", "config-hve-legacy-endpoint",
      "config-sender-mismatch" } },
  { "hve outside", HVE, "smtp.hve.mx.microsoft", 587, DMD_SECURITY_STARTTLS,
    "hve-scanner@contoso.com", "pw", "hve-scanner@contoso.com", "someone@fabrikam.com", 0, FALSE,
    TRUE, { "config-hve-external-recipient" },
    { "config-external-recipient-direct-send", "config-basic-auth-retiring" } },
  { "hve legacy endpoint", HVE, "smtp-hve.office365.com", 587, DMD_SECURITY_STARTTLS,
    "hve-scanner@contoso.com", "pw", "alerts@contoso.com", "someone@contoso.com", 0, FALSE, TRUE,
    { "config-hve-legacy-endpoint", "config-hve-basic-auth-until-2028" },
    { "config-sender-mismatch", "config-wrong-endpoint-direct-send" } },
  { "hve with a token", HVE, NULL, 0, DMD_SECURITY_STARTTLS, NULL, NULL, NULL, NULL, 0, FALSE,
    TRUE, { "config-no-credentials" }, { "config-hve-basic-auth-until-2028" } },
};

/* High Volume Email keeps Basic authentication until September 2028: the date decides the
 * explanation, injected as for config-basic-auth-retiring. */
static void
test_hve_basic_auth_dates (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_HVE);
  struct { int y, m, d; gboolean ended; } dates[] = {
    { 2026, 11, 26, FALSE }, { 2027, 1, 1, FALSE }, { 2028, 9, 30, FALSE }, { 2028, 10, 1, TRUE },
  };

  config->username = g_strdup ("hve-scanner@contoso.com");
  dmd_device_config_set_password (config, "not-a-real-password");
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_HVE);
      g_autoptr(DmdFinding) finding = NULL;

      g_clear_pointer (&config->today, g_date_time_unref);
      config->today = g_date_time_new_utc (dates[i].y, dates[i].m, dates[i].d, 12, 0, 0);
      g_assert_cmpint (dmd_catalog_hve_basic_auth_ended (config->today), ==, dates[i].ended);

      dmd_catalog_preflight (config, result);
      g_assert_true (has_id (result, "config-hve-basic-auth-until-2028"));
      g_assert_false (has_id (result, "config-basic-auth-retiring"));
      finding = dmd_catalog_make_finding ("config-hve-basic-auth-until-2028", config, NULL);
      g_assert_cmpint (finding->severity, ==, DMD_SEVERITY_INFO);
      if (dates[i].ended)
        g_assert_nonnull (strstr (finding->explanation, "kept only until September 2028"));
      else
        g_assert_nonnull (strstr (finding->explanation, "keeps it until September 2028"));
      /* The OAuth step names the HVE account; never the mailbox switches. */
      for (guint k = 0; k < finding->fixes->len; k++)
        {
          DmdFix *fix = g_ptr_array_index (finding->fixes, k);

          g_assert_true (fix->command == NULL || strstr (fix->command, "CASMailbox") == NULL);
        }
    }
}

/* A refused HVE sign-in is about the HVE account: never the SMTP AUTH switches. */
static void
test_hve_replies (void)
{
  static const struct { const char *line; DmdStep step; DmdAuthMech mech; const char *id; } cases[] = {
    { "535 5.7.3 Authentication unsuccessful", DMD_STEP_AUTH, DMD_AUTH_LOGIN, "hve-auth-failed" },
    { "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
      DMD_STEP_AUTH, DMD_AUTH_LOGIN, "hve-auth-failed" },
    { "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
      DMD_STEP_ANY, DMD_AUTH_NONE, "hve-auth-failed" },
    { "550 5.7.30 Basic authentication is not supported for Client Submission.",
      DMD_STEP_AUTH, DMD_AUTH_LOGIN, "hve-auth-failed" },
    /* A token's refusal keeps its own finding. */
    { "535 5.7.3 Authentication unsuccessful", DMD_STEP_AUTH, DMD_AUTH_XOAUTH2,
      "auth-oauth-token-rejected" },
    { "550 5.7.1 Unable to relay", DMD_STEP_RCPT, DMD_AUTH_LOGIN, "config-hve-external-recipient" },
    { "550 5.7.64 TenantAttribution; Relay Access Denied", DMD_STEP_RCPT, DMD_AUTH_LOGIN,
      "config-hve-external-recipient" },
    /* Not at RCPT, or another subject: the usual readings. */
    { "550 5.7.60 SMTP; Client does not have permissions to send as this sender", DMD_STEP_MAIL,
      DMD_AUTH_LOGIN, "sender-send-as-denied" },
    { "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", DMD_STEP_RCPT,
      DMD_AUTH_LOGIN, "recipient-not-found" },
    { "250 2.1.5 Recipient OK", DMD_STEP_RCPT, DMD_AUTH_LOGIN, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply (cases[i].line);
      g_autoptr(GPtrArray) ids = NULL;

      g_test_message ("HVE reply: %s", cases[i].line);
      g_assert_nonnull (reply);
      ids = dmd_catalog_match_reply (reply, DMD_OPTION_HVE, cases[i].step, cases[i].mech);
      if (cases[i].id == NULL)
        g_assert_cmpuint (ids->len, ==, 0);
      else
        g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, cases[i].id);
    }

  /* The same 535 on SMTP AUTH is still read as SMTP AUTH's. */
  {
    g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply ("535 5.7.3 Authentication unsuccessful");
    g_autoptr(GPtrArray) ids = dmd_catalog_match_reply (reply, DMD_OPTION_SMTP_AUTH,
                                                        DMD_STEP_AUTH, DMD_AUTH_LOGIN);

    g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "auth-failed");
  }

  /* No HVE finding tells the admin to flip a mailbox's or the tenant's SMTP AUTH switch. */
  for (const DmdCatalogEntry *e = dmd_catalog_entries (); e->id != NULL; e++)
    if (g_str_has_prefix (e->id, "hve-") || g_str_has_prefix (e->id, "config-hve-"))
      for (guint k = 0; k < DMD_CATALOG_MAX_FIXES && e->fixes[k].text != NULL; k++)
        {
          const char *command = e->fixes[k].command;

          g_assert_true (command == NULL ||
                         (strstr (command, "CASMailbox") == NULL &&
                          strstr (command, "SmtpClientAuthenticationDisabled") == NULL));
        }
  {
    g_autoptr(DmdFinding) f = dmd_catalog_make_finding ("hve-auth-failed", NULL, "535 5.7.3");
    gboolean lists = FALSE;

    for (guint k = 0; k < f->fixes->len; k++)
      {
        DmdFix *fix = g_ptr_array_index (f->fixes, k);

        lists = lists || g_strcmp0 (fix->command, "Get-MailUser -HVEAccount") == 0;
      }
    g_assert_true (lists);
  }
}

static void
test_preflight (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (preflight_cases); i++)
    {
      const PreflightCase *c = &preflight_cases[i];
      g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (c->option);
      g_autoptr(DmdResult) result = dmd_result_new (c->option);

      g_test_message ("preflight case: %s", c->name);
      config->server = g_strdup (c->server);
      config->port = c->port;
      config->security = c->security;
      config->username = g_strdup (c->user);
      dmd_device_config_set_password (config, c->password);
      config->from = g_strdup (c->from);
      config->to = g_strdup (c->to);
      config->domain = g_strdup ("contoso.com");
      config->server_field_length = c->field_length;
      config->allow_insecure_auth = c->insecure;
      config->send = c->send;
      config->today = g_date_time_new_utc (2026, 11, 26, 0, 0, 0);

      dmd_catalog_preflight (config, result);
      for (guint k = 0; k < G_N_ELEMENTS (c->expect) && c->expect[k] != NULL; k++)
        {
          if (!has_id (result, c->expect[k]))
            g_test_message ("missing %s", c->expect[k]);
          g_assert_true (has_id (result, c->expect[k]));
        }
      for (guint k = 0; k < G_N_ELEMENTS (c->absent) && c->absent[k] != NULL; k++)
        {
          if (has_id (result, c->absent[k]))
            g_test_message ("unexpected %s", c->absent[k]);
          g_assert_false (has_id (result, c->absent[k]));
        }
      g_assert_cmpint (has_id (result, "test-message-not-sent"), ==, !c->send);
      for (guint k = 0; k < result->findings->len; k++)
        {
          DmdFinding *f = g_ptr_array_index (result->findings, k);

          g_assert_nonnull (f->evidence);
          /* The secret never shows. */
          g_assert_null (strstr (f->evidence, "pw\""));
          g_assert_null (strstr (f->explanation, "not-a-real-password"));
        }
    }

  /* Domains compare in their ASCII form: an IDN recipient inside the organization. */
  {
    g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_DIRECT_SEND);
    g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_DIRECT_SEND);
    g_autoptr(DmdResult) result2 = dmd_result_new (DMD_OPTION_DIRECT_SEND);

    config->server = g_strdup ("xn--r8jz45g-jp.mail.protection.outlook.com");
    config->domain = g_strdup ("例え.jp");
    config->to = g_strdup ("someone@xn--r8jz45g.jp");
    config->send = TRUE;
    dmd_catalog_preflight (config, result);
    g_assert_false (has_id (result, "config-external-recipient-direct-send"));
    g_free (config->to);
    config->to = g_strdup ("someone@例え.com");
    dmd_catalog_preflight (config, result2);
    g_assert_true (has_id (result2, "config-external-recipient-direct-send"));
  }

  /* A looked-up MX host (the config has no server). */
  {
    g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_RELAY);
    g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_RELAY);

    config->server_field_length = 20;
    config->send = TRUE;
    dmd_catalog_preflight_with_mx (config, "contoso-com.mail.protection.outlook.com", result);
    g_assert_true (has_id (result, "config-mx-host-too-long"));
  }
}

static const char *
row_status (GPtrArray  *rows,
            const char *name)
{
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);

      if (g_str_equal (row->name, name))
        return row->status;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_recommended_settings (void)
{
  g_autoptr(DmdDeviceConfig) sa = full_config (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) ds = full_config (DMD_OPTION_DIRECT_SEND);
  g_autoptr(DmdDeviceConfig) relay = full_config (DMD_OPTION_RELAY);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) rows_ds = NULL;
  g_autoptr(GPtrArray) rows_relay = NULL;
  static const char *common[] = { "server", "port", "security", "username", "sender",
                                  "recipient", "network", "limits" };

  rows = dmd_catalog_recommended_settings (sa);
  g_assert_cmpstr (row_status (rows, "server"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "port"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "security"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "username"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "auth"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "sender"), ==, "ok");
  g_assert_cmpstr (row_status (rows, "limits"), ==, "not-applicable");
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);

      assert_nonempty (row->label);
      assert_nonempty (row->recommended);
      /* The password itself never appears. */
      g_assert_true (row->entered == NULL || strstr (row->entered, "not-a-real-password") == NULL);
    }
  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (((DmdSettingRow *) g_ptr_array_index (rows, i))->name, "limits"))
      g_assert_nonnull (strstr (((DmdSettingRow *) g_ptr_array_index (rows, i))->recommended,
                                "30 messages a minute and 10,000 recipients a day"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  sa->port = 465;
  sa->security = DMD_SECURITY_IMPLICIT_TLS;
  g_free (sa->from);
  sa->from = g_strdup ("sales@contoso.com");
  rows = dmd_catalog_recommended_settings (sa);
  g_assert_cmpstr (row_status (rows, "port"), ==, "differs");
  g_assert_cmpstr (row_status (rows, "security"), ==, "differs");
  g_assert_cmpstr (row_status (rows, "sender"), ==, "differs");

  /* Direct Send: no sign-in, internal recipients only. */
  g_clear_pointer (&ds->username, g_free);
  dmd_device_config_set_password (ds, NULL);
  g_free (ds->to);
  ds->to = g_strdup ("someone@fabrikam.com");
  rows_ds = dmd_catalog_recommended_settings (ds);
  g_assert_cmpstr (row_status (rows_ds, "server"), ==, "ok");
  g_assert_cmpstr (row_status (rows_ds, "port"), ==, "ok");
  g_assert_cmpstr (row_status (rows_ds, "username"), ==, "ok");
  g_assert_cmpstr (row_status (rows_ds, "recipient"), ==, "differs");
  g_assert_cmpstr (row_status (rows_ds, "connector"), ==, "not-applicable");

  /* Relay with credentials set and the SMTP AUTH server: differs. */
  g_free (relay->server);
  relay->server = g_strdup ("smtp.office365.com");
  relay->port = 587;
  relay->connector_ip = g_strdup ("203.0.113.7");
  rows_relay = dmd_catalog_recommended_settings (relay);
  g_assert_cmpstr (row_status (rows_relay, "server"), ==, "differs");
  g_assert_cmpstr (row_status (rows_relay, "port"), ==, "differs");
  g_assert_cmpstr (row_status (rows_relay, "username"), ==, "differs");
  g_assert_cmpstr (row_status (rows_relay, "recipient"), ==, "ok");
  g_assert_cmpstr (row_status (rows_relay, "connector"), ==, "ok");

  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    {
      (void) row_status (rows_ds, common[i]);
      (void) row_status (rows_relay, common[i]);
    }
}

/* Which refusals mean "the connector did not take the sender" on relay, for the client
 * certificate's finding: by code (5.7.64 exactly) or by the relay-denied wording. */
static void
test_relay_refusal (void)
{
  static const struct {
    const char *line;
    DmdOption   option;
    DmdStep     step;
    gboolean    expected;
  } cases[] = {
    { "550 5.7.64 TenantAttribution; Relay Access Denied [X.prod.outlook.com]", DMD_OPTION_RELAY, DMD_STEP_RCPT, TRUE },
    { "550 5.7.64 Relay Access Denied ATTR36.", DMD_OPTION_RELAY, DMD_STEP_MAIL, TRUE },
    { "5.7.64 TenantAttribution; Relay Access Denied", DMD_OPTION_RELAY, DMD_STEP_RCPT, TRUE },
    { "554 5.7.1 <bob@example.com>: Relay access denied", DMD_OPTION_RELAY, DMD_STEP_RCPT, TRUE },
    { "550 5.7.1 Unable to relay for bob@example.com", DMD_OPTION_RELAY, DMD_STEP_RCPT, TRUE },
    { "550 Relaying denied", DMD_OPTION_RELAY, DMD_STEP_RCPT, TRUE },
    /* Other codes, other steps, other options, temporary refusals: no. */
    { "550 5.7.640 TenantAttribution", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
    { "550 5.7.606 Access denied, banned sending IP", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
    { "550 5.4.1 Recipient address rejected: Access denied. relay", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
    { "550 5.7.1 Message rejected as spam", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
    { "451 4.7.64 TenantAttribution; Relay Access Denied", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
    { "550 5.7.64 TenantAttribution; Relay Access Denied", DMD_OPTION_DIRECT_SEND, DMD_STEP_RCPT, FALSE },
    { "550 5.7.64 TenantAttribution; Relay Access Denied", DMD_OPTION_SMTP_AUTH, DMD_STEP_RCPT, FALSE },
    { "550 5.7.64 TenantAttribution; Relay Access Denied", DMD_OPTION_RELAY, DMD_STEP_DATA, FALSE },
    { "250 2.1.5 Recipient OK", DMD_OPTION_RELAY, DMD_STEP_RCPT, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdReply) reply = dmd_reply_parse_text (cases[i].line);

      g_test_message ("%s", cases[i].line);
      g_assert_nonnull (reply);
      g_assert_cmpint (dmd_catalog_is_relay_refusal (reply, cases[i].option, cases[i].step), ==,
                       cases[i].expected);
    }
}

/* The catalogue says which device setting a finding is about, so that the wizard can put its
 * pre-flight note under that field: every pre-flight finding of the cases above has one,
 * unless it is about the run as a whole. */
static void
test_finding_field (void)
{
  static const char *const whole_run[] = { "test-message-not-sent", "config-insecure-auth-allowed",
                                             NULL };

  g_assert_cmpint (dmd_catalog_finding_field ("config-port-465"), ==, DMD_FIELD_PORT);
  g_assert_cmpint (dmd_catalog_finding_field ("config-implicit-tls"), ==, DMD_FIELD_SECURITY);
  g_assert_cmpint (dmd_catalog_finding_field ("config-mx-host-too-long"), ==,
                   DMD_FIELD_SERVER_FIELD_LENGTH);
  g_assert_cmpint (dmd_catalog_finding_field ("config-sender-mismatch"), ==, DMD_FIELD_FROM);
  g_assert_cmpint (dmd_catalog_finding_field ("relay-connector-ip-mismatch"), ==,
                   DMD_FIELD_CONNECTOR_IP);
  /* An option's own findings, from its row of the options table. */
  g_assert_cmpint (dmd_catalog_finding_field ("config-external-recipient-direct-send"), ==,
                   DMD_FIELD_TO);
  g_assert_cmpint (dmd_catalog_finding_field ("config-hve-external-recipient"), ==, DMD_FIELD_TO);
  g_assert_cmpint (dmd_catalog_finding_field ("config-hve-legacy-endpoint"), ==, DMD_FIELD_SERVER);
  g_assert_cmpint (dmd_catalog_finding_field ("config-hve-basic-auth-until-2028"), ==,
                   DMD_FIELD_PASSWORD);
  g_assert_cmpint (dmd_catalog_finding_field ("config-basic-auth-retiring"), ==,
                   DMD_FIELD_PASSWORD);
  g_assert_cmpint (dmd_catalog_finding_field ("test-message-not-sent"), ==, DMD_N_FIELDS);
  g_assert_cmpint (dmd_catalog_finding_field ("no-such-finding"), ==, DMD_N_FIELDS);

  for (guint i = 0; i < G_N_ELEMENTS (preflight_cases); i++)
    {
      const PreflightCase *c = &preflight_cases[i];
      g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (c->option);
      g_autoptr(DmdResult) result = dmd_result_new (c->option);

      config->server = g_strdup (c->server);
      config->port = c->port;
      config->security = c->security;
      config->username = g_strdup (c->user);
      dmd_device_config_set_password (config, c->password);
      config->from = g_strdup (c->from);
      config->to = g_strdup (c->to);
      config->domain = g_strdup ("contoso.com");
      config->server_field_length = c->field_length;
      config->allow_insecure_auth = c->insecure;
      config->send = c->send;
      config->today = g_date_time_new_utc (2026, 11, 26, 0, 0, 0);
      dmd_catalog_preflight (config, result);
      for (guint k = 0; k < result->findings->len; k++)
        {
          DmdFinding *f = g_ptr_array_index (result->findings, k);

          if (g_strv_contains (whole_run, f->id))
            continue;
          g_test_message ("%s: %s", c->name, f->id);
          g_assert_nonnull (dmd_catalog_lookup (f->id));
          g_assert_cmpint (dmd_catalog_finding_field (f->id), <, DMD_N_FIELDS);
        }
    }
}

/* dmd_explain_reply: the explanation the CLI and the wizard share. */
static gboolean
explanation_has (const DmdExplanation *explanation,
                 const char           *id)
{
  for (guint i = 0; i < explanation->findings->len; i++)
    if (g_str_equal (((DmdFinding *) g_ptr_array_index (explanation->findings, i))->id, id))
      return TRUE;
  return FALSE;
}

static void
test_explain_reply (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_RELAY);
  DmdOption direct_send = DMD_OPTION_DIRECT_SEND;
  DmdOption smtp_auth = DMD_OPTION_SMTP_AUTH;
  DmdExplanation *e;
  DmdFinding *first;

  g_assert_null (dmd_explain_reply ("hello", NULL, DMD_STEP_ANY, DMD_AUTH_NONE, NULL));

  e = dmd_explain_reply ("250 2.1.5 Recipient OK", NULL, DMD_STEP_ANY, DMD_AUTH_NONE, NULL);
  g_assert_nonnull (e);
  g_assert_cmpuint (e->findings->len, ==, 0);
  g_assert_cmpint (e->verdict, ==, DMD_VERDICT_PASS);
  g_assert_cmpuint (e->reply->code, ==, 250);
  dmd_explanation_free (e);

  /* No option: every option's reading, each finding once, the first option's first. */
  e = dmd_explain_reply ("530 5.7.57 Client not authenticated to send mail.", NULL,
                         DMD_STEP_ANY, DMD_AUTH_NONE, NULL);
  g_assert_cmpuint (e->findings->len, ==, 2);
  g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (e->findings, 0))->id, ==, "auth-required");
  g_assert_true (explanation_has (e, "config-wrong-endpoint-direct-send"));
  g_assert_true (e->depends_on_option);
  g_assert_cmpint (e->verdict, ==, DMD_VERDICT_FAIL);
  dmd_explanation_free (e);

  /* One option, and the step: that option's reading only, with the step's check. */
  e = dmd_explain_reply ("530 5.7.57 Client not authenticated to send mail.", &direct_send,
                         DMD_STEP_MAIL, DMD_AUTH_NONE, NULL);
  g_assert_cmpuint (e->findings->len, ==, 1);
  first = g_ptr_array_index (e->findings, 0);
  g_assert_cmpstr (first->id, ==, "config-wrong-endpoint-direct-send");
  g_assert_cmpstr (first->check, ==, "mail-from");
  g_assert_false (e->depends_on_option);
  dmd_explanation_free (e);

  /* No option, and the text names High Volume Email's endpoint: that option's reading only. */
  e = dmd_explain_reply ("smtp.hve.mx.microsoft said 535 5.7.3 Authentication unsuccessful",
                         NULL, DMD_STEP_ANY, DMD_AUTH_NONE, NULL);
  g_assert_cmpuint (e->findings->len, ==, 1);
  g_assert_cmpstr (((DmdFinding *) g_ptr_array_index (e->findings, 0))->id, ==, "hve-auth-failed");
  g_assert_false (e->depends_on_option);
  dmd_explanation_free (e);

  /* A temporary refusal no rule knows: a warning, and the verdict says try again. */
  e = dmd_explain_reply ("452 4.3.9 Something no rule knows", &smtp_auth, DMD_STEP_ANY,
                         DMD_AUTH_NONE, NULL);
  first = g_ptr_array_index (e->findings, 0);
  g_assert_cmpstr (first->id, ==, "server-unexpected-reply");
  g_assert_cmpint (first->severity, ==, DMD_SEVERITY_WARNING);
  g_assert_cmpint (e->verdict, ==, DMD_VERDICT_RETRY);
  dmd_explanation_free (e);

  /* The settings fill in the commands, whatever option the config itself names. */
  config->username = g_strdup ("scanner@contoso.com");
  e = dmd_explain_reply ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                         "disabled for the Tenant.", &smtp_auth, DMD_STEP_AUTH, DMD_AUTH_LOGIN,
                         config);
  first = g_ptr_array_index (e->findings, 0);
  g_assert_cmpstr (first->id, ==, "auth-smtp-auth-disabled-tenant");
  g_assert_cmpstr (first->evidence, ==, "535 5.7.139 Authentication unsuccessful, "
                                        "SmtpClientAuthentication is disabled for the Tenant.");
  g_assert_nonnull (fix_command (first, "Set-CASMailbox -Identity 'scanner@contoso.com'"));
  dmd_explanation_free (e);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *localedir = NULL;

  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_test_add_func ("/dmd/catalog/ids-complete", test_ids_complete);
  for (guint i = 0; i < G_N_ELEMENTS (catalog_ids); i++)
    {
      g_autofree char *c_path = g_strdup_printf ("/dmd/catalog/entry/C/%s", catalog_ids[i]);
      g_autofree char *ja_path = g_strdup_printf ("/dmd/catalog/entry/ja/%s", catalog_ids[i]);

      g_test_add_data_func (c_path, catalog_ids[i], test_entry_c);
      g_test_add_data_func (ja_path, catalog_ids[i], test_entry_ja);
    }
  g_test_add_func ("/dmd/catalog/ja-statistics", test_ja_statistics);
  g_test_add_func ("/dmd/catalog/reply/rules", test_reply_rules);
  g_test_add_func ("/dmd/catalog/reply/exact-codes", test_reply_exact_codes);
  g_test_add_func ("/dmd/catalog/reply/findings", test_reply_findings);
  g_test_add_func ("/dmd/catalog/explain-reply", test_explain_reply);
  g_test_add_func ("/dmd/catalog/reply/findings-step", test_reply_findings_step);
  g_test_add_func ("/dmd/catalog/fix-conditions", test_fix_conditions);
  g_test_add_func ("/dmd/catalog/fix-condition-ipv6", test_fix_condition_ipv6);
  g_test_add_func ("/dmd/catalog/connector-commands", test_connector_commands);
  g_test_add_func ("/dmd/catalog/reply/unexpected-meaning", test_unexpected_reply_meaning);
  g_test_add_func ("/dmd/catalog/reply/parse-pasted", test_parse_pasted);
  g_test_add_func ("/dmd/catalog/reply/relay-refusal", test_relay_refusal);
  g_test_add_func ("/dmd/catalog/powershell-quote", test_powershell_quote);
  g_test_add_func ("/dmd/catalog/oauth/entra-errors", test_entra_errors);
  g_test_add_func ("/dmd/catalog/oauth/rejected-fixes", test_oauth_rejected_fixes);
  g_test_add_func ("/dmd/catalog/commands-filled", test_commands_filled);
  g_test_add_func ("/dmd/catalog/basic-auth-dates", test_basic_auth_dates);
  g_test_add_func ("/dmd/catalog/hve-basic-auth-dates", test_hve_basic_auth_dates);
  g_test_add_func ("/dmd/catalog/hve-replies", test_hve_replies);
  g_test_add_func ("/dmd/catalog/preflight", test_preflight);
  g_test_add_func ("/dmd/catalog/finding-field", test_finding_field);
  g_test_add_func ("/dmd/catalog/recommended-settings", test_recommended_settings);

  return g_test_run ();
}
