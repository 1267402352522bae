/* dmd-dns-mx.c — the domain's MX: what its hosts are (Microsoft 365's endpoint, another
 * provider's gateway, the domain's own server), and the "mx" check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-dns-private.h"
#include "dmd-host.h"

/* Third-party mail gateways and hosted mail, recognised by the DNS suffix of their MX hosts.
 * Product names, not translated. A host matches a suffix when it is the suffix or ends with
 * "." + suffix. Longer (more specific) suffixes first where they overlap. */
static const struct {
  const char *suffix;
  const char *provider;
} mx_providers[] = {
  { "olc.protection.outlook.com", "Outlook.com (consumer)" },
  { "pphosted.com",               "Proofpoint" },
  { "ppe-hosted.com",             "Proofpoint Essentials" },
  { "mimecast.com",               "Mimecast" },
  { "mimecast.co.za",             "Mimecast" },
  { "mimecast-offshore.com",      "Mimecast" },
  { "barracudanetworks.com",      "Barracuda Email Protection" },
  { "iphmx.com",                  "Cisco Secure Email" },
  { "google.com",                 "Google Workspace" },
  { "googlemail.com",             "Google Workspace" },
  { "trendmicro.com",             "Trend Micro Email Security" },
  { "trendmicro.eu",              "Trend Micro Email Security" },
  { "sophos.com",                 "Sophos Email" },
  { "hornetsecurity.com",         "Hornetsecurity" },
  { "messagelabs.com",            "Symantec Email Security.cloud" },
  { "mailcontrol.com",            "Forcepoint Email Security" },
  { "fireeyecloud.com",           "Trellix Email Security" },
  { "antispamcloud.com",          "N-able Mail Assure (SpamExperts)" },
  { "spamexperts.com",            "N-able Mail Assure (SpamExperts)" },
  { "arsmtp.com",                 "AppRiver" },
  { "mxrecord.io",                "Cloudflare Area 1" },
  { "mx.cloudflare.net",          "Cloudflare Email Routing" },
  { "emailsrvr.com",              "Rackspace Email" },
  { "secureserver.net",           "GoDaddy" },
  { "zoho.com",                   "Zoho Mail" },
  { "zoho.eu",                    "Zoho Mail" },
  { "mail.icloud.com",            "Apple iCloud Mail" },
  { "yahoodns.net",               "Yahoo Mail" },
};

static gboolean
host_has_suffix (const char *host,
                 const char *suffix)
{
  gsize hl = strlen (host), sl = strlen (suffix);

  if (hl == sl)
    return g_str_equal (host, suffix);
  return hl > sl && host[hl - sl - 1] == '.' && g_str_equal (host + hl - sl, suffix);
}

DmdMxKind
dmd_mx_classify (const char  *host,
                 const char **provider)
{
  g_autofree char *norm = NULL;

  if (provider != NULL)
    *provider = NULL;
  g_return_val_if_fail (host != NULL, DMD_MX_KIND_THIRD_PARTY);

  norm = _dmd_dns_normalise_host (host);
  if (*norm == '\0')
    return DMD_MX_KIND_NULL;

  switch (dmd_host_classify (norm))
    {
    case DMD_HOST_MX_LEGACY:
      if (provider != NULL)
        *provider = "Microsoft 365";
      return DMD_MX_KIND_MICROSOFT_LEGACY;
    case DMD_HOST_MX:
      if (provider != NULL)
        *provider = "Microsoft 365";
      return DMD_MX_KIND_MICROSOFT;
    default:
      break;
    }

  if (provider != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (mx_providers); i++)
      if (host_has_suffix (norm, mx_providers[i].suffix))
        {
          *provider = mx_providers[i].provider;
          break;
        }
  return DMD_MX_KIND_THIRD_PARTY;
}

gboolean
dmd_mx_kind_is_microsoft (DmdMxKind kind)
{
  return kind == DMD_MX_KIND_MICROSOFT_LEGACY || kind == DMD_MX_KIND_MICROSOFT;
}

static void
mx_host_free (DmdMxHost *host)
{
  g_free (host->host);
  g_free (host);
}

void
dmd_mx_list_free (DmdMxList *list)
{
  if (list == NULL)
    return;
  g_free (list->domain);
  g_free (list->error);
  g_ptr_array_unref (list->hosts);
  g_free (list);
}

DmdMxList *
dmd_dns_lookup_mx (GResolver    *resolver,
                   const char   *domain,
                   gint64        deadline,
                   GCancellable *cancellable)
{
  DmdMxList *list = g_new0 (DmdMxList, 1);
  g_autoptr(DmdDnsAnswer) answer = NULL;

  g_return_val_if_fail (domain != NULL, list);

  list->domain = _dmd_dns_normalise_host (domain);
  list->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_host_free);
  answer = dmd_dns_query (resolver, domain, DMD_DNS_QUERY_MX, deadline, cancellable);
  list->status = answer->status;
  list->error = g_strdup (answer->error);
  if (answer->status == DMD_DNS_STATUS_OK)
    for (guint i = 0; i < answer->mx->len; i++)
      {
        DmdDnsMxRecord *record = g_ptr_array_index (answer->mx, i);
        DmdMxHost *host = g_new0 (DmdMxHost, 1);

        host->preference = record->preference;
        host->host = g_strdup (record->host);
        host->kind = dmd_mx_classify (record->host, &host->provider);
        g_ptr_array_add (list->hosts, host);
      }
  return list;
}

const char *
dmd_mx_list_get_endpoint (const DmdMxList *list)
{
  g_return_val_if_fail (list != NULL, NULL);

  for (guint i = 0; i < list->hosts->len; i++)
    {
      DmdMxHost *host = g_ptr_array_index (list->hosts, i);

      if (dmd_mx_kind_is_microsoft (host->kind))
        return host->host;
    }
  return NULL;
}

static char *
describe_host (const DmdMxHost *host)
{
  g_autofree char *name = dmd_dns_escape_text (host->host, 255);

  if (host->kind == DMD_MX_KIND_NULL)
    return g_strdup_printf (_("%u . (null MX: the domain accepts no mail)"), host->preference);
  if (host->provider != NULL)
    return g_strdup_printf ("%u %s (%s)", host->preference, name, host->provider);
  return g_strdup_printf ("%u %s", host->preference, name);
}

char *
dmd_mx_list_describe (const DmdMxList *list)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (list != NULL, NULL);

  for (guint i = 0; i < list->hosts->len && i < 16; i++)
    {
      g_autofree char *one = describe_host (g_ptr_array_index (list->hosts, i));

      if (i > 0)
        /* Translators: between the items of a list ("TLS 1.2, TLS 1.3"); Japanese uses "、" */
        g_string_append (out, C_("list separator", ", "));
      g_string_append (out, one);
    }
  if (list->hosts->len > 16)
    {
      g_string_append (out, C_("list separator", ", "));
      g_string_append (out, "…");
    }
  return g_string_free (out, FALSE);
}

static char *
domain_of_address (const char *address)
{
  const char *at;

  if (address == NULL)
    return NULL;
  at = strrchr (address, '@');
  if (at == NULL || at[1] == '\0')
    return NULL;
  return _dmd_dns_normalise_host (at + 1);
}

char *
dmd_dns_domain_for_mx (const DmdDeviceConfig *config)
{
  char *domain;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->domain != NULL && *config->domain != '\0')
    return _dmd_dns_normalise_host (config->domain);
  if ((domain = domain_of_address (config->from)) != NULL)
    return domain;
  /* An option that mails only the organization: its recipient is in the organization. */
  if (dmd_option_get_info (config->option)->internal_only)
    return domain_of_address (config->to);
  return NULL;
}

char *
dmd_dns_domain_for_spf (const DmdDeviceConfig *config)
{
  char *domain;

  g_return_val_if_fail (config != NULL, NULL);

  if ((domain = domain_of_address (config->from)) != NULL)
    return domain;
  if (config->domain != NULL && *config->domain != '\0')
    return _dmd_dns_normalise_host (config->domain);
  return NULL;
}

static const char *
status_words (DmdDnsStatus status,
              const char  *error)
{
  switch (status)
    {
    case DMD_DNS_STATUS_TIMEOUT:   return _("no answer before the deadline");
    case DMD_DNS_STATUS_CANCELLED: return _("cancelled");
    case DMD_DNS_STATUS_NOT_FOUND: return _("no such record");
    case DMD_DNS_STATUS_FAILED:
    default:                       return error != NULL ? error : _("the DNS server failed");
    }
}

DmdDnsOutcome *
dmd_dns_check_mx (GResolver     *resolver,
                  const char    *domain,
                  const char    *server,
                  gint64         deadline,
                  GCancellable  *cancellable,
                  char         **out_endpoint)
{
  DmdDnsOutcome *outcome = dmd_dns_outcome_new ();
  g_autoptr(DmdMxList) list = NULL;
  g_autofree char *shown_domain = NULL;
  g_autofree char *described = NULL;
  gboolean need_mx = server == NULL || *server == '\0';
  const char *endpoint;
  DmdMxHost *first;

  if (out_endpoint != NULL)
    *out_endpoint = NULL;

  if (domain == NULL || *domain == '\0')
    {
      outcome->status = need_mx ? DMD_CHECK_FAIL : DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("No domain given: the MX record was not looked up"));
      return outcome;
    }

  list = dmd_dns_lookup_mx (resolver, domain, deadline, cancellable);
  shown_domain = dmd_dns_escape_text (list->domain, 255);

  if (list->status == DMD_DNS_STATUS_CANCELLED)
    {
      outcome->cancelled = TRUE;
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("Cancelled"));
      return outcome;
    }

  if (list->status == DMD_DNS_STATUS_TIMEOUT || list->status == DMD_DNS_STATUS_FAILED)
    {
      g_autofree char *why = dmd_dns_escape_text (status_words (list->status, list->error), 200);
      g_autofree char *evidence = g_strdup_printf (_("MX lookup of %s: %s"), shown_domain, why);

      dmd_dns_outcome_add_line (outcome, "%s", evidence);
      if (need_mx)
        {
          dmd_dns_outcome_add_finding (outcome, "dns-resolve-failed", evidence);
          outcome->status = DMD_CHECK_FAIL;
          outcome->summary = g_strdup_printf (_("The MX record of %s could not be looked up: enter the tenant’s MX endpoint"),
                                              shown_domain);
        }
      else
        {
          outcome->status = DMD_CHECK_WARN;
          outcome->summary = g_strdup_printf (_("The MX record of %s could not be looked up"), shown_domain);
        }
      return outcome;
    }

  if (list->hosts->len == 0)
    {
      g_autofree char *evidence = g_strdup_printf (_("%s has no MX record"), shown_domain);

      dmd_dns_outcome_add_line (outcome, "%s", evidence);
      dmd_dns_outcome_add_finding (outcome, "dns-mx-not-microsoft", evidence);
      outcome->status = need_mx ? DMD_CHECK_FAIL : DMD_CHECK_WARN;
      outcome->summary = need_mx
        ? g_strdup_printf (_("%s has no MX record: enter the tenant’s MX endpoint"), shown_domain)
        : g_strdup (evidence);
      return outcome;
    }

  described = dmd_mx_list_describe (list);
  dmd_dns_outcome_add_line (outcome, _("MX of %s: %s"), shown_domain, described);
  endpoint = dmd_mx_list_get_endpoint (list);
  first = g_ptr_array_index (list->hosts, 0);

  if (!dmd_mx_kind_is_microsoft (first->kind))
    {
      g_autofree char *evidence = g_strdup_printf (_("MX of %s: %s"), shown_domain, described);

      dmd_dns_outcome_add_finding (outcome, "dns-mx-not-microsoft", evidence);
      if (endpoint != NULL)
        {
          g_autofree char *shown = dmd_dns_escape_text (endpoint, 255);

          dmd_dns_outcome_add_line (outcome, _("%s is a Microsoft 365 MX host of lower priority: it is the endpoint tested"),
                                    shown);
          outcome->status = DMD_CHECK_WARN;
          outcome->summary = g_strdup_printf (_("The MX of %s does not point at Microsoft 365 first"), shown_domain);
        }
      else
        {
          g_autofree char *what = first->kind == DMD_MX_KIND_NULL
            ? g_strdup (_("a null MX"))
            : first->provider != NULL ? g_strdup (first->provider) : dmd_dns_escape_text (first->host, 255);

          outcome->status = need_mx ? DMD_CHECK_FAIL : DMD_CHECK_WARN;
          outcome->summary = need_mx
            ? g_strdup_printf (_("The MX of %s is not Microsoft 365 (%s): enter the tenant’s MX endpoint"), shown_domain, what)
            : g_strdup_printf (_("The MX of %s is not Microsoft 365 (%s)"), shown_domain, what);
        }
    }
  else
    {
      g_autofree char *shown = dmd_dns_escape_text (endpoint, 255);

      outcome->status = DMD_CHECK_PASS;
      outcome->summary = g_strdup_printf (_("The MX of %s is Microsoft 365: %s"), shown_domain, shown);
    }

  if (!need_mx)
    {
      g_autofree char *norm = _dmd_dns_normalise_host (server);
      const char *kind_provider = NULL;
      gboolean listed = FALSE;

      for (guint i = 0; i < list->hosts->len; i++)
        if (g_str_equal (((DmdMxHost *) g_ptr_array_index (list->hosts, i))->host, norm))
          listed = TRUE;
      if (!listed && dmd_mx_kind_is_microsoft (dmd_mx_classify (norm, &kind_provider)))
        {
          g_autofree char *shown = dmd_dns_escape_text (norm, 255);

          dmd_dns_outcome_add_line (outcome,
                                    _("The server entered, %s, is not an MX host of %s: if the domain’s MX changed, the device still uses the old name (a common cause of 4.4.62 “wrong region”)"),
                                    shown, shown_domain);
        }
    }

  if (out_endpoint != NULL)
    *out_endpoint = g_strdup (endpoint);
  return outcome;
}

