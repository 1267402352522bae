/* dmd-dnsbl.c — DNS blocklist queries for the public IP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-dnsbl.h"

/* The lists. Chosen because they are widely used by mail receivers, free for low volumes and
 * publish what their return codes mean. SORBS is not here: it was shut down in 2024.
 * Spamhaus answers 127.255.255.0/24 instead of data when it refuses a query (generic table
 * below); the other lists simply may not answer public resolvers, which the test entry shows. */

static const DmdDnsblCode spamhaus_codes[] = {
  { "127.0.0.2",  N_("SBL: a known spam source or spam operation"), FALSE },
  { "127.0.0.3",  N_("SBL CSS: a low-reputation address (snowshoe spam, a compromised server)"), FALSE },
  { "127.0.0.4",  N_("XBL: an infected or hijacked device (botnet, open proxy) sends from this address"), FALSE },
  { "127.0.0.5",  N_("XBL: an infected or hijacked device (botnet, open proxy) sends from this address"), FALSE },
  { "127.0.0.6",  N_("XBL: an infected or hijacked device (botnet, open proxy) sends from this address"), FALSE },
  { "127.0.0.7",  N_("XBL: an infected or hijacked device (botnet, open proxy) sends from this address"), FALSE },
  { "127.0.0.9",  N_("SBL DROP: a hijacked or criminal network"), FALSE },
  { "127.0.0.10", N_("PBL, listed by the provider: a dynamic or end-user address that should not send mail straight to other networks"), TRUE },
  { "127.0.0.11", N_("PBL, listed by Spamhaus: a dynamic or end-user address that should not send mail straight to other networks"), TRUE },
  { NULL, NULL, FALSE }
};

static const DmdDnsblCode spamcop_codes[] = {
  { "127.0.0.2", N_("reported as a spam source recently (listings expire by themselves)"), FALSE },
  { NULL, NULL, FALSE }
};

static const DmdDnsblCode barracuda_codes[] = {
  { "127.0.0.2", N_("poor sending reputation"), FALSE },
  { NULL, NULL, FALSE }
};

static const DmdDnsblCode psbl_codes[] = {
  { "127.0.0.2", N_("sent mail to spam traps"), FALSE },
  { NULL, NULL, FALSE }
};

static const DmdDnsblCode uceprotect_codes[] = {
  { "127.0.0.2", N_("sent mail to spam traps (level 1: this single address)"), FALSE },
  { NULL, NULL, FALSE }
};

static const DmdDnsbl lists[] = {
  { "zen.spamhaus.org",        "Spamhaus ZEN",      TRUE,  spamhaus_codes,   "https://check.spamhaus.org/" },
  { "bl.spamcop.net",          "SpamCop",           FALSE, spamcop_codes,    "https://www.spamcop.net/bl.shtml" },
  { "b.barracudacentral.org",  "Barracuda BRBL",    FALSE, barracuda_codes,  "https://www.barracudacentral.org/lookups" },
  { "psbl.surriel.com",        "PSBL",              FALSE, psbl_codes,       "https://psbl.org/" },
  { "dnsbl-1.uceprotect.net",  "UCEPROTECT Level 1", FALSE, uceprotect_codes, "https://www.uceprotect.net/en/rblcheck.php" },
};

/* Answers in 127.255.255.0/24: the list refused to answer (Spamhaus's codes; any other
 * address of the range is read as a refusal too). */
static const DmdDnsblCode refusal_codes[] = {
  { "127.255.255.252", N_("the list name is mistyped"), FALSE },
  { "127.255.255.254", N_("this network’s DNS server is a public or open resolver, which the list does not answer"), FALSE },
  { "127.255.255.255", N_("too many queries from this network’s DNS server"), FALSE },
  { NULL, NULL, FALSE }
};

const DmdDnsbl *
dmd_dnsbl_lists (guint *n_lists)
{
  if (n_lists != NULL)
    *n_lists = G_N_ELEMENTS (lists);
  return lists;
}

void
dmd_dnsbl_result_free (DmdDnsblResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->answers, g_ptr_array_unref);
  g_free (result->meaning);
  g_free (result);
}

const char *
dmd_dnsbl_state_to_string (DmdDnsblState state)
{
  switch (state)
    {
    case DMD_DNSBL_CLEAN:          return "clean";
    case DMD_DNSBL_LISTED:         return "listed";
    case DMD_DNSBL_REFUSED:        return "refused";
    case DMD_DNSBL_UNEXPECTED:     return "unexpected";
    case DMD_DNSBL_NO_TEST_ENTRY:  return "no-test-entry";
    case DMD_DNSBL_FAILED:         return "failed";
    case DMD_DNSBL_NOT_APPLICABLE: return "not-applicable";
    default:                       g_return_val_if_reached (NULL);
    }
}

char *
dmd_dnsbl_query_name (GInetAddress *address,
                      const char   *zone)
{
  const guint8 *b;
  GString *out;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  b = g_inet_address_to_bytes (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return g_strdup_printf ("%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0], zone);
  out = g_string_new (NULL);
  for (int i = 15; i >= 0; i--)
    g_string_append_printf (out, "%x.%x.", b[i] & 0xF, b[i] >> 4);
  g_string_append (out, zone);
  return g_string_free (out, FALSE);
}

typedef enum {
  CODE_LISTED,
  CODE_REFUSED,
  CODE_UNEXPECTED,
} CodeKind;

static CodeKind
classify_code (GInetAddress *answer)
{
  const guint8 *b;

  if (g_inet_address_get_family (answer) != G_SOCKET_FAMILY_IPV4)
    return CODE_UNEXPECTED;
  b = g_inet_address_to_bytes (answer);
  if (b[0] != 127)
    return CODE_UNEXPECTED;
  if ((b[1] == 255 && b[2] == 255) || (b[1] == 0 && b[2] == 0 && b[3] == 1))
    return CODE_REFUSED;
  return CODE_LISTED;
}

static const DmdDnsblCode *
find_code (const DmdDnsblCode *codes,
           const char         *address)
{
  for (guint i = 0; codes[i].address != NULL; i++)
    if (g_str_equal (codes[i].address, address))
      return &codes[i];
  return NULL;
}

static const char *
failure_words (const DmdDnsAnswer *answer)
{
  if (answer->status == DMD_DNS_STATUS_TIMEOUT)
    return _("no answer before the deadline");
  return answer->error != NULL ? answer->error : _("the DNS server failed");
}

/* Read the answers for the address itself. */
static void
read_answer (DmdDnsblResult     *result,
             const DmdDnsAnswer *answer)
{
  g_autoptr(GString) meaning = g_string_new (NULL);
  gboolean refused = FALSE, unexpected = FALSE, listed = FALSE, all_dynamic = TRUE;

  result->answers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < answer->addresses->len && i < 16; i++)
    {
      GInetAddress *address = g_ptr_array_index (answer->addresses, i);
      char *text = g_inet_address_to_string (address);
      const DmdDnsblCode *code = NULL;

      g_ptr_array_add (result->answers, text);
      if (meaning->len > 0)
        g_string_append (meaning, "; ");
      switch (classify_code (address))
        {
        case CODE_UNEXPECTED:
          unexpected = TRUE;
          g_string_append_printf (meaning, _("%s — not a blocklist answer: this network’s DNS rewrites answers"), text);
          break;
        case CODE_REFUSED:
          refused = TRUE;
          code = find_code (refusal_codes, text);
          g_string_append_printf (meaning, _("%s — query refused: %s"), text,
                                  code != NULL ? _(code->meaning) : _("the list did not answer this network’s DNS server"));
          break;
        case CODE_LISTED:
        default:
          listed = TRUE;
          code = find_code (result->list->codes, text);
          if (code == NULL || !code->dynamic)
            all_dynamic = FALSE;
          g_string_append_printf (meaning, "%s — %s", text, code != NULL ? _(code->meaning) : _("listed (a return code this tool does not know)"));
          break;
        }
    }
  result->meaning = g_strdup (meaning->str);
  if (unexpected)
    result->state = DMD_DNSBL_UNEXPECTED;
  else if (refused)
    result->state = DMD_DNSBL_REFUSED;
  else if (listed)
    {
      result->state = DMD_DNSBL_LISTED;
      result->dynamic = all_dynamic;
    }
  else
    {
      result->state = DMD_DNSBL_FAILED;
      g_free (result->meaning);
      result->meaning = g_strdup (_("an empty answer"));
    }
}

GPtrArray *
dmd_dnsbl_query (GResolver      *resolver,
                 const char     *ip,
                 const DmdDnsbl *dnsbls,
                 guint           n_lists,
                 gint64          deadline,
                 GCancellable   *cancellable)
{
  g_autoptr(GInetAddress) address = dmd_dns_parse_address (ip);
  g_autoptr(GInetAddress) test_point = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gboolean v6;

  if (address == NULL)
    return NULL;
  v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  test_point = g_inet_address_new_from_string (v6 ? "::ffff:7f00:2" : "127.0.0.2");

  /* Two queries per list: [2i] the address, [2i+1] the test entry. */
  queries = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_dns_answer_free);
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_dnsbl_result_free);
  for (guint i = 0; i < n_lists; i++)
    {
      DmdDnsblResult *result = g_new0 (DmdDnsblResult, 1);
      g_autofree char *name = NULL;
      g_autofree char *test_name = NULL;

      result->list = &dnsbls[i];
      g_ptr_array_add (results, result);
      if (v6 && !dnsbls[i].ipv6)
        {
          result->state = DMD_DNSBL_NOT_APPLICABLE;
          result->meaning = g_strdup (_("not asked: the list has IPv4 addresses only"));
          continue;
        }
      name = dmd_dnsbl_query_name (address, dnsbls[i].zone);
      test_name = dmd_dnsbl_query_name (test_point, dnsbls[i].zone);
      g_ptr_array_add (queries, dmd_dns_answer_new (name, DMD_DNS_QUERY_A));
      g_ptr_array_add (queries, dmd_dns_answer_new (test_name, DMD_DNS_QUERY_A));
      result->state = DMD_DNSBL_FAILED;   /* until read below */
    }

  if (!dmd_dns_resolve_all (resolver, (DmdDnsAnswer **) queries->pdata, queries->len, deadline, cancellable))
    return NULL;

  for (guint i = 0, q = 0; i < results->len; i++)
    {
      DmdDnsblResult *result = g_ptr_array_index (results, i);
      DmdDnsAnswer *answer, *test;

      if (result->state == DMD_DNSBL_NOT_APPLICABLE)
        continue;
      answer = g_ptr_array_index (queries, q++);
      test = g_ptr_array_index (queries, q++);

      switch (answer->status)
        {
        case DMD_DNS_STATUS_OK:
          read_answer (result, answer);
          break;

        case DMD_DNS_STATUS_NOT_FOUND:
          if (test->status == DMD_DNS_STATUS_OK)
            {
              g_autoptr(DmdDnsblResult) probe = g_new0 (DmdDnsblResult, 1);

              probe->list = result->list;
              read_answer (probe, test);
              if (probe->state == DMD_DNSBL_LISTED)
                {
                  result->state = DMD_DNSBL_CLEAN;
                  result->meaning = g_strdup (_("not listed"));
                }
              else
                {
                  result->state = probe->state;
                  result->meaning = g_strdup_printf (_("test entry: %s"), probe->meaning);
                }
            }
          else if (test->status == DMD_DNS_STATUS_NOT_FOUND)
            {
              result->state = DMD_DNSBL_NO_TEST_ENTRY;
              result->meaning = g_strdup (_("the list does not answer for its test entry 127.0.0.2 either: it ignores this network’s DNS server, so “not listed” means nothing"));
            }
          else
            {
              /* The list itself said NXDOMAIN for the address; the test entry got no answer. */
              result->state = DMD_DNSBL_CLEAN;
              result->meaning = g_strdup (_("not listed"));
            }
          break;

        case DMD_DNS_STATUS_TIMEOUT:
        case DMD_DNS_STATUS_FAILED:
        default:
          result->state = DMD_DNSBL_FAILED;
          result->meaning = dmd_dns_escape_text (failure_words (answer), 200);
          break;
        }
    }
  return g_steal_pointer (&results);
}

DmdDnsOutcome *
dmd_dnsbl_check (GResolver    *resolver,
                 const char   *public_ip,
                 gint64        deadline,
                 GCancellable *cancellable)
{
  DmdDnsOutcome *outcome = dmd_dns_outcome_new ();
  g_autoptr(GInetAddress) address = dmd_dns_parse_address (public_ip);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GString) unknown = g_string_new (NULL);
  g_autofree char *ip = NULL;
  guint n_lists = 0, n_listed = 0, n_clean = 0, n_unknown = 0;
  const DmdDnsbl *all = dmd_dnsbl_lists (&n_lists);

  if (address == NULL)
    {
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("The public IP is not known: blocklists were not asked"));
      return outcome;
    }
  ip = g_inet_address_to_string (address);
  if (dmd_inet_address_is_private (address))
    {
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup_printf (_("%s is not a public address: blocklists were not asked"), ip);
      return outcome;
    }

  results = dmd_dnsbl_query (resolver, ip, all, n_lists, deadline, cancellable);
  if (results == NULL)
    {
      outcome->cancelled = TRUE;
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("Cancelled"));
      return outcome;
    }

  for (guint i = 0; i < results->len; i++)
    {
      DmdDnsblResult *r = g_ptr_array_index (results, i);

      dmd_dns_outcome_add_line (outcome, "%s (%s): %s", r->list->name, r->list->zone, r->meaning);
      switch (r->state)
        {
        case DMD_DNSBL_LISTED:
          {
            g_autofree char *evidence = g_strdup_printf (_("%s is listed on %s (%s): %s"),
                                                         ip, r->list->name, r->list->zone, r->meaning);

            if (r->dynamic)
              {
                /* Translators: joins two sentences of an explanation; in Japanese without a space */
                g_autofree char *note = g_strdup_printf (C_("sentences", "%s %s"), evidence,
                                                         _("PBL is not a spam listing: the provider marks the address as dynamic or end-user. It matters for Direct Send and relay all the same: a dynamic address can change, which breaks a connector or an SPF entry that names it, and receivers distrust mail sent straight from such ranges."));

                g_free (evidence);
                evidence = g_steal_pointer (&note);
              }
            dmd_dns_outcome_add_finding (outcome, "ip-on-dnsbl", evidence);
            dmd_dns_outcome_add_line (outcome, _("Look up and request removal: %s"), r->list->url);
            n_listed++;
          }
          break;
        case DMD_DNSBL_CLEAN:
          n_clean++;
          break;
        case DMD_DNSBL_NOT_APPLICABLE:
          break;
        case DMD_DNSBL_REFUSED:
        case DMD_DNSBL_UNEXPECTED:
        case DMD_DNSBL_NO_TEST_ENTRY:
        case DMD_DNSBL_FAILED:
        default:
          if (unknown->len > 0)
            g_string_append (unknown, "; ");
          g_string_append_printf (unknown, "%s: %s", r->list->name, r->meaning);
          n_unknown++;
          break;
        }
    }

  if (n_unknown > 0)
    dmd_dns_outcome_add_finding (outcome, "blocklist-unknown", unknown->str);

  if (n_listed > 0)
    {
      outcome->status = DMD_CHECK_WARN;
      outcome->summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s is listed on %u blocklist",
                                                       "%s is listed on %u blocklists", n_listed),
                                          ip, n_listed);
    }
  else if (n_clean == 0)
    {
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup_printf (_("No blocklist could be asked about %s"), ip);
    }
  else if (n_unknown > 0)
    {
      outcome->status = DMD_CHECK_PASS;
      outcome->summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%s is not listed on %u blocklist; %u could not be asked",
                                                       "%s is not listed on %u blocklists; %u could not be asked",
                                                       n_clean),
                                          ip, n_clean, n_unknown);
    }
  else
    {
      outcome->status = DMD_CHECK_PASS;
      outcome->summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s is not listed on the %u blocklist asked",
                                                       "%s is not listed on any of the %u blocklists asked", n_clean),
                                          ip, n_clean);
    }
  return outcome;
}
