/* test-host.c — one classifier of Microsoft 365 host names, for pre-flight and MX alike
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-catalog.h"
#include "dmd-dns.h"
#include "dmd-host.h"

static const struct {
  const char  *host;
  DmdHostKind  kind;
} cases[] = {
  { "smtp.office365.com",                        DMD_HOST_SMTP_AUTH },
  { " SMTP.Office365.com. ",                     DMD_HOST_SMTP_AUTH },
  { "smtp-legacy.office365.com",                 DMD_HOST_SMTP_AUTH_LEGACY },
  { "smtp.hve.mx.microsoft",                     DMD_HOST_HVE },
  { "SMTP.HVE.MX.MICROSOFT.",                    DMD_HOST_HVE },
  { "smtp-hve.office365.com",                    DMD_HOST_HVE },
  { "contoso-com.mail.protection.outlook.com",   DMD_HOST_MX_LEGACY },
  { "LiftAm-com01b.Mail.Protection.Outlook.COM", DMD_HOST_MX_LEGACY },
  { "foo1-bar-com0i.mail.protection.outlook.com.", DMD_HOST_MX_LEGACY },
  { "contosotest-com.o-v1.mx.microsoft",         DMD_HOST_MX },
  { "sdu-dk.i-v1.mx.microsoft.",                 DMD_HOST_MX },
  { "contoso-com.ab-v1.mx.microsoft",            DMD_HOST_MX },
  { "contoso-com.o-v2.mx.microsoft",             DMD_HOST_MX },
  { "a-b-c.z-v12.mx.microsoft",                  DMD_HOST_MX },
  /* Not endpoints, and look-alikes. */
  { "mail.protection.outlook.com",               DMD_HOST_OTHER },
  { "evilmail.protection.outlook.com",           DMD_HOST_OTHER },
  { "outlook-com.olc.protection.outlook.com",    DMD_HOST_OTHER },
  { "contoso-com.mail.protection.outlook.com.evil.example", DMD_HOST_OTHER },
  { "o-v1.mx.microsoft",                         DMD_HOST_OTHER },
  { "i-v1.mx.microsoft",                         DMD_HOST_OTHER },
  { "contoso.-v1.mx.microsoft",                  DMD_HOST_OTHER },
  { "contoso.o-v.mx.microsoft",                  DMD_HOST_OTHER },
  { "contoso-com.mx.microsoft",                  DMD_HOST_OTHER },
  { "mx.microsoft.com.evil.example",             DMD_HOST_OTHER },
  { "outlook.office365.com",                     DMD_HOST_OTHER },
  { "smtp.office365.com.evil.example",           DMD_HOST_OTHER },
  { "smtp..office365.com",                       DMD_HOST_OTHER },
  { "192.0.2.1",                                 DMD_HOST_OTHER },
  { "aspmx.l.google.com",                        DMD_HOST_OTHER },
  { "",                                          DMD_HOST_OTHER },
};

static void
test_classify (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DmdHostKind kind = dmd_host_classify (cases[i].host);

      g_test_message ("case %zu: %s", i, cases[i].host);
      g_assert_cmpint (kind, ==, cases[i].kind);
      g_assert_cmpint (dmd_host_is_mx_endpoint (cases[i].host), ==, dmd_host_kind_is_mx (kind));
      g_assert_cmpint (dmd_host_is_smtp_auth_endpoint (cases[i].host), ==,
                       dmd_host_kind_is_smtp_auth (kind));
      if (kind != DMD_HOST_OTHER)
        g_assert_true (dmd_host_is_microsoft (cases[i].host));
    }
  g_assert_cmpint (dmd_host_classify (NULL), ==, DMD_HOST_OTHER);
  g_assert_false (dmd_host_kind_is_mx (DMD_HOST_HVE));
  g_assert_true (dmd_host_kind_is_smtp_auth (DMD_HOST_HVE));
}

/* What the pre-flight calls an MX endpoint is what the MX lookup calls Microsoft's, and the
 * other way round: a name typed into the device and the same name found in DNS agree. */
static void
test_preflight_and_mx_agree (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (cases[i].host));
      DmdMxKind mx;

      if (*stripped == '\0')
        continue;
      g_test_message ("case %zu: %s", i, cases[i].host);
      mx = dmd_mx_classify (stripped, NULL);
      g_assert_cmpint (dmd_mx_kind_is_microsoft (mx), ==, dmd_host_is_mx_endpoint (stripped));
      g_assert_cmpint (mx == DMD_MX_KIND_MICROSOFT_LEGACY, ==,
                       dmd_host_classify (stripped) == DMD_HOST_MX_LEGACY);
    }
}

/* The pre-flight findings follow the classifier: SMTP AUTH pointed at any MX endpoint is the
 * wrong endpoint; an SMTP AUTH endpoint for Direct Send too; High Volume Email is neither. */
static gboolean
preflight_has (DmdOption   option,
               const char *server,
               const char *id)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (option);
  g_autoptr(DmdResult) result = dmd_result_new (option);

  config->server = g_strdup (server);
  config->port = option == DMD_OPTION_SMTP_AUTH ? 587 : 25;
  config->username = g_strdup ("scanner@contoso.com");
  dmd_device_config_set_password (config, "secret");
  config->from = g_strdup ("scanner@contoso.com");
  config->to = g_strdup ("someone@contoso.com");
  config->domain = g_strdup ("contoso.com");
  dmd_catalog_preflight (config, result);
  return dmd_result_has_finding (result, id);
}

static void
test_preflight_uses_it (void)
{
  g_assert_true (preflight_has (DMD_OPTION_SMTP_AUTH, "contoso-com.o-v2.mx.microsoft",
                                "config-wrong-endpoint-smtp-auth"));
  g_assert_true (preflight_has (DMD_OPTION_SMTP_AUTH, "contoso-com.mail.protection.outlook.com",
                                "config-wrong-endpoint-smtp-auth"));
  g_assert_false (preflight_has (DMD_OPTION_SMTP_AUTH, "smtp.hve.mx.microsoft",
                                 "config-wrong-endpoint-smtp-auth"));
  g_assert_true (preflight_has (DMD_OPTION_DIRECT_SEND, "smtp-hve.office365.com",
                                "config-wrong-endpoint-direct-send"));
  g_assert_false (preflight_has (DMD_OPTION_DIRECT_SEND, "contoso-com.o-v1.mx.microsoft",
                                 "config-wrong-endpoint-direct-send"));
  /* High Volume Email is not Basic auth for SMTP AUTH, with or without the trailing dot. */
  g_assert_true (preflight_has (DMD_OPTION_SMTP_AUTH, "smtp.office365.com",
                                "config-basic-auth-retiring"));
  g_assert_false (preflight_has (DMD_OPTION_SMTP_AUTH, "smtp.hve.mx.microsoft.",
                                 "config-basic-auth-retiring"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmd/host/classify", test_classify);
  g_test_add_func ("/dmd/host/preflight-and-mx-agree", test_preflight_and_mx_agree);
  g_test_add_func ("/dmd/host/preflight-uses-it", test_preflight_uses_it);
  return g_test_run ();
}
