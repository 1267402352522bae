/* test-dns-system.c — the DNS code through the system resolver (GThreadedResolver: glibc's
 * getaddrinfo and res_query) against a real DNS server
 *
 * Run by tests/test-dns-netns.sh inside a private network namespace where /etc/resolv.conf
 * points at dnsmasq serving tests/data/zones/dnsmasq.conf (DMD_DNS_NETNS=served), or at an
 * address where nothing answers (DMD_DNS_NETNS=blackhole). Without DMD_DNS_NETNS every test
 * skips: it must never ask the machine's real DNS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-conn.h"
#include "dmd-dns.h"
#include "dmd-dnsbl.h"
#include "dmd-spf.h"

static gboolean
mode_is (const char *mode)
{
  const char *env = g_getenv ("DMD_DNS_NETNS");

  if (env == NULL)
    {
      g_test_skip ("only inside tests/test-dns-netns.sh (DMD_DNS_NETNS unset)");
      return FALSE;
    }
  if (!g_str_equal (env, mode))
    {
      g_test_skip ("for the other resolver set-up");
      return FALSE;
    }
  return TRUE;
}

static gint64
soon (void)
{
  return dmd_deadline_in (10);
}

static const DmdDnsFinding *
find (const DmdDnsOutcome *outcome,
      const char          *id)
{
  for (guint i = 0; i < outcome->findings->len; i++)
    {
      const DmdDnsFinding *f = g_ptr_array_index (outcome->findings, i);

      if (g_str_equal (f->id, id))
        return f;
    }
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* served: dnsmasq answers                                                                    */

static void
test_mx (void)
{
  g_autoptr(DmdMxList) list = NULL;
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  g_autoptr(DmdDnsOutcome) gateway = NULL;
  g_autofree char *endpoint = NULL;
  static const struct {
    const char *domain;
    const char *endpoint;
  } cases[] = {
    { "foo-1-bar.test", "foo1-bar-test0i.mail.protection.outlook.com" },
    { "newmx.test",     "newmx-test.o-v1.mx.microsoft" },
  };

  if (!mode_is ("served"))
    return;

  list = dmd_dns_lookup_mx (NULL, "contoso.test", soon (), NULL);
  g_assert_cmpint (list->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpuint (list->hosts->len, ==, 2);
  g_assert_cmpstr (((DmdMxHost *) g_ptr_array_index (list->hosts, 0))->host, ==, "contoso-test.mail.protection.outlook.com");
  g_assert_cmpstr (((DmdMxHost *) g_ptr_array_index (list->hosts, 1))->provider, ==, "Mimecast");

  outcome = dmd_dns_check_mx (NULL, "contoso.test", NULL, soon (), NULL, &endpoint);
  g_assert_cmpstr (endpoint, ==, "contoso-test.mail.protection.outlook.com");
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_PASS);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdMxList) l = dmd_dns_lookup_mx (NULL, cases[i].domain, soon (), NULL);

      g_assert_cmpstr (dmd_mx_list_get_endpoint (l), ==, cases[i].endpoint);
    }

  gateway = dmd_dns_check_mx (NULL, "gateway.test", NULL, soon (), NULL, NULL);
  g_assert_nonnull (find (gateway, "dns-mx-not-microsoft"));
  g_assert_nonnull (strstr (find (gateway, "dns-mx-not-microsoft")->evidence, "Proofpoint"));

  {
    g_autoptr(DmdMxList) none = dmd_dns_lookup_mx (NULL, "nothing-here.test", soon (), NULL);

    g_assert_cmpint (none->status, ==, DMD_DNS_STATUS_NOT_FOUND);
  }
}

static void
test_txt_and_addresses (void)
{
  g_autoptr(DmdDnsAnswer) split = NULL;
  g_autoptr(GError) error = NULL;
  GList *list;
  gboolean v4 = FALSE, v6 = FALSE;

  if (!mode_is ("served"))
    return;

  split = dmd_dns_query (NULL, "split.test", DMD_DNS_QUERY_TXT, soon (), NULL);
  g_assert_cmpint (split->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpuint (split->txt->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (split->txt, 0), ==, "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com -all");

  list = dmd_dns_lookup_host (NULL, "host.contoso.test", DMD_DNS_QUERY_ADDRESS, soon (), NULL, &error);
  g_assert_no_error (error);
  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *s = g_inet_address_to_string (l->data);

      v4 = v4 || g_str_equal (s, "192.0.2.10");
      v6 = v6 || g_str_equal (s, "2001:db8::10");
    }
  g_resolver_free_addresses (list);
  g_assert_true (v4);
  g_assert_true (v6);

  list = dmd_dns_lookup_host (NULL, "nothing-here.test", DMD_DNS_QUERY_ADDRESS, soon (), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
}

static void
test_spf (void)
{
  g_autoptr(DmdDnsOutcome) pass = NULL;
  g_autoptr(DmdDnsOutcome) by_a = NULL;
  g_autoptr(DmdDnsOutcome) missing = NULL;
  g_autoptr(DmdSpfEvaluation) ms = NULL;
  g_autoptr(DmdSpfEvaluation) loop = NULL;

  if (!mode_is ("served"))
    return;

  pass = dmd_spf_check (NULL, "contoso.test", "203.0.113.7", soon (), NULL);
  g_assert_cmpint (pass->status, ==, DMD_CHECK_PASS);
  g_assert_cmpuint (pass->findings->len, ==, 0);

  by_a = dmd_spf_check (NULL, "contoso.test", "192.0.2.77", soon (), NULL);
  g_assert_cmpuint (by_a->findings->len, ==, 0);

  missing = dmd_spf_check (NULL, "contoso.test", "198.51.100.1", soon (), NULL);
  g_assert_nonnull (find (missing, "spf-missing-ip"));
  g_assert_nonnull (strstr (find (missing, "spf-missing-ip")->evidence, "198.51.100.1"));

  ms = dmd_spf_evaluate (NULL, "split.test", "51.4.72.1", NULL, soon (), NULL);
  g_assert_cmpint (ms->result, ==, DMD_SPF_PASS);
  g_assert_cmpstr (ms->mechanism, ==, "include:spf.protection.outlook.com > include:spfd.protection.outlook.com > ip4:51.4.72.0/24");
  g_assert_true (ms->microsoft_include_direct);

  loop = dmd_spf_evaluate (NULL, "loop.test", "203.0.113.7", NULL, soon (), NULL);
  g_assert_cmpint (loop->result, ==, DMD_SPF_PERMERROR);
  g_assert_nonnull (loop->loop);
}

static void
test_dnsbl (void)
{
  g_autoptr(DmdDnsOutcome) listed = NULL;
  g_autoptr(DmdDnsOutcome) clean = NULL;

  if (!mode_is ("served"))
    return;

  listed = dmd_dnsbl_check (NULL, "203.0.113.7", soon (), NULL);
  g_assert_cmpint (listed->status, ==, DMD_CHECK_WARN);
  g_assert_nonnull (find (listed, "ip-on-dnsbl"));
  g_assert_nonnull (strstr (find (listed, "ip-on-dnsbl")->evidence, "Spamhaus ZEN (zen.spamhaus.org): 127.0.0.4"));
  g_assert_null (find (listed, "blocklist-unknown"));

  clean = dmd_dnsbl_check (NULL, "203.0.113.8", soon (), NULL);
  g_assert_cmpint (clean->status, ==, DMD_CHECK_PASS);
  g_assert_cmpuint (clean->findings->len, ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* blackhole: nothing answers; glibc would wait 5 s and more per query                        */

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 10);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_blackhole (void)
{
  g_autoptr(DmdDnsAnswer) timed_out = NULL;
  g_autoptr(DmdDnsAnswer) cancelled = NULL;
  g_autoptr(DmdDnsOutcome) blocklists = NULL;
  g_autoptr(DmdDnsOutcome) mx = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  GList *list;

  if (!mode_is ("blackhole"))
    return;

  timed_out = dmd_dns_query (NULL, "contoso.test", DMD_DNS_QUERY_MX, dmd_deadline_in (0.3), NULL);
  g_assert_cmpint (timed_out->status, ==, DMD_DNS_STATUS_TIMEOUT);
  g_assert_null (timed_out->mx);

  list = dmd_dns_lookup_host (NULL, "host.contoso.test", DMD_DNS_QUERY_ADDRESS, dmd_deadline_in (0.3), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* No deadline at all: only the cancel ends it, while glibc still waits for an answer. */
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  cancelled = dmd_dns_query (NULL, "contoso.test", DMD_DNS_QUERY_TXT, -1, cancellable);
  g_thread_join (thread);
  g_assert_cmpint (cancelled->status, ==, DMD_DNS_STATUS_CANCELLED);
  g_assert_null (cancelled->txt);

  mx = dmd_dns_check_mx (NULL, "contoso.test", NULL, dmd_deadline_in (0.3), NULL, NULL);
  g_assert_cmpint (mx->status, ==, DMD_CHECK_FAIL);
  g_assert_nonnull (find (mx, "dns-resolve-failed"));

  blocklists = dmd_dnsbl_check (NULL, "203.0.113.7", dmd_deadline_in (0.3), NULL);
  g_assert_cmpint (blocklists->status, ==, DMD_CHECK_SKIP);
  g_assert_nonnull (find (blocklists, "blocklist-unknown"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/dns-system/mx", test_mx);
  g_test_add_func ("/dmd/dns-system/txt-and-addresses", test_txt_and_addresses);
  g_test_add_func ("/dmd/dns-system/spf", test_spf);
  g_test_add_func ("/dmd/dns-system/dnsbl", test_dnsbl);
  g_test_add_func ("/dmd/dns-system/blackhole", test_blackhole);

  return g_test_run ();
}
