/* test-dns.c — bounded lookups, MX classification, TXT joining, blocklists, the connector IP,
 * with the test resolver (tests/data/zones, see the README there)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-dns.h"
#include "dmd-dnsbl.h"
#include "dmd-conn.h"
#include "dmd-test-resolver.h"

static DmdTestResolver *
resolver_for (const char *zone_file)
{
  DmdTestResolver *resolver = dmd_test_resolver_new ();
  g_autoptr(GError) error = NULL;

  if (zone_file != NULL)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "zones", zone_file, NULL);

      dmd_test_resolver_load_file (resolver, path, &error);
      g_assert_no_error (error);
    }
  return resolver;
}

/* Deadlines: the test resolver answers at once, but a loaded machine (sanitizers, parallel
 * tests) may take its time to schedule the threads. soon(): only for lookups that answer;
 * brief(): for lookups that never answer (TIMEOUT entries) with nothing else to wait for;
 * mixed(): both at once. */
static gint64
soon (void)
{
  return dmd_deadline_in (10);
}

static gint64
brief (void)
{
  return dmd_deadline_in (0.1);
}

static gint64
mixed (void)
{
  return dmd_deadline_in (1.5);
}

/* The lookups a call gave up on end soon after it returned (they may even start after it,
 * then find themselves cancelled): wait for that, a few seconds at most. */
static guint
pending_after_settling (DmdTestResolver *resolver)
{
  for (guint i = 0; i < 5000 && dmd_test_resolver_get_pending (resolver) > 0; i++)
    g_usleep (1000);
  return dmd_test_resolver_get_pending (resolver);
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

static guint
count (const DmdDnsOutcome *outcome,
       const char          *id)
{
  guint n = 0;

  for (guint i = 0; i < outcome->findings->len; i++)
    if (g_str_equal (((DmdDnsFinding *) g_ptr_array_index (outcome->findings, i))->id, id))
      n++;
  return n;
}

static gboolean
has_line (const DmdDnsOutcome *outcome,
          const char          *needle)
{
  for (guint i = 0; i < outcome->lines->len; i++)
    if (strstr (g_ptr_array_index (outcome->lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* MX                                                                                         */

static void
test_mx_classify (void)
{
  static const struct {
    const char *host;
    DmdMxKind   kind;
    const char *provider;
  } cases[] = {
    { "contoso-com.mail.protection.outlook.com",            DMD_MX_KIND_MICROSOFT_LEGACY, "Microsoft 365" },
    { "foo1-bar-com0i.mail.protection.outlook.com.",        DMD_MX_KIND_MICROSOFT_LEGACY, "Microsoft 365" },
    { "LiftAm-com01b.Mail.Protection.Outlook.COM",          DMD_MX_KIND_MICROSOFT_LEGACY, "Microsoft 365" },
    { "contoso-com.o-v1.mx.microsoft",                      DMD_MX_KIND_MICROSOFT,        "Microsoft 365" },
    { "sdu-dk.i-v1.mx.microsoft.",                          DMD_MX_KIND_MICROSOFT,        "Microsoft 365" },
    { "contosotest-com.o-v1.mx.microsoft",                  DMD_MX_KIND_MICROSOFT,        "Microsoft 365" },
    { "a-b-c.z-v12.mx.microsoft",                           DMD_MX_KIND_MICROSOFT,        "Microsoft 365" },
    /* not MX endpoints */
    { "smtp.hve.mx.microsoft",                              DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "o-v1.mx.microsoft",                                  DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "contoso.-v1.mx.microsoft",                           DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "contoso.o-v.mx.microsoft",                           DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "mail.protection.outlook.com",                        DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "contoso-com.mail.protection.outlook.com.evil.example", DMD_MX_KIND_THIRD_PARTY,    NULL },
    { "evilmail.protection.outlook.com",                    DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "outlook-com.olc.protection.outlook.com",             DMD_MX_KIND_THIRD_PARTY,      "Outlook.com (consumer)" },
    { "smtp.office365.com",                                 DMD_MX_KIND_THIRD_PARTY,      NULL },
    /* gateways */
    { "mx0a-00123.pphosted.com",                            DMD_MX_KIND_THIRD_PARTY,      "Proofpoint" },
    { "mx1-us1.ppe-hosted.com",                             DMD_MX_KIND_THIRD_PARTY,      "Proofpoint Essentials" },
    { "eu-smtp-inbound-1.mimecast.com",                     DMD_MX_KIND_THIRD_PARTY,      "Mimecast" },
    { "d123456a.ess.barracudanetworks.com",                 DMD_MX_KIND_THIRD_PARTY,      "Barracuda Email Protection" },
    { "mx1.hc1234-56.iphmx.com",                            DMD_MX_KIND_THIRD_PARTY,      "Cisco Secure Email" },
    { "aspmx.l.google.com",                                 DMD_MX_KIND_THIRD_PARTY,      "Google Workspace" },
    { "alt1.aspmx.l.googlemail.com",                        DMD_MX_KIND_THIRD_PARTY,      "Google Workspace" },
    { "contoso.in.tmes.trendmicro.com",                     DMD_MX_KIND_THIRD_PARTY,      "Trend Micro Email Security" },
    { "mx-01-eu-west-1.prod.hydra.sophos.com",              DMD_MX_KIND_THIRD_PARTY,      "Sophos Email" },
    { "mx01.hornetsecurity.com",                            DMD_MX_KIND_THIRD_PARTY,      "Hornetsecurity" },
    { "cluster1.eu.messagelabs.com",                        DMD_MX_KIND_THIRD_PARTY,      "Symantec Email Security.cloud" },
    { "notgoogle.com",                                      DMD_MX_KIND_THIRD_PARTY,      NULL },
    { "mail.unknowngw.example",                             DMD_MX_KIND_THIRD_PARTY,      NULL },
    { ".",                                                  DMD_MX_KIND_NULL,             NULL },
    { "",                                                   DMD_MX_KIND_NULL,             NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *provider = "unset";
      DmdMxKind kind = dmd_mx_classify (cases[i].host, &provider);

      g_test_message ("%s", cases[i].host);
      g_assert_cmpint (kind, ==, cases[i].kind);
      g_assert_cmpstr (provider, ==, cases[i].provider);
      g_assert_cmpint (dmd_mx_classify (cases[i].host, NULL), ==, cases[i].kind);
    }
  g_assert_true (dmd_mx_kind_is_microsoft (DMD_MX_KIND_MICROSOFT));
  g_assert_true (dmd_mx_kind_is_microsoft (DMD_MX_KIND_MICROSOFT_LEGACY));
  g_assert_false (dmd_mx_kind_is_microsoft (DMD_MX_KIND_THIRD_PARTY));
  g_assert_false (dmd_mx_kind_is_microsoft (DMD_MX_KIND_NULL));
}

static void
test_mx_microsoft (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  static const struct {
    const char *domain;
    const char *endpoint;
    DmdMxKind   kind;
  } cases[] = {
    { "contoso.com",     "contoso-com.mail.protection.outlook.com",    DMD_MX_KIND_MICROSOFT_LEGACY },
    /* hyphenated: the looked-up name, never "foo-1-bar-com.mail.protection.outlook.com" */
    { "foo-1-bar.com",   "foo1-bar-com0i.mail.protection.outlook.com", DMD_MX_KIND_MICROSOFT_LEGACY },
    { "LIFT-AM.com.",    "liftam-com01b.mail.protection.outlook.com",  DMD_MX_KIND_MICROSOFT_LEGACY },
    { "sdu.dk",          "sdu-dk.i-v1.mx.microsoft",                   DMD_MX_KIND_MICROSOFT },
    { "contosotest.com", "contosotest-com.o-v1.mx.microsoft",          DMD_MX_KIND_MICROSOFT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdMxList) list = dmd_dns_lookup_mx (G_RESOLVER (resolver), cases[i].domain, soon (), NULL);
      g_autoptr(DmdDnsOutcome) outcome = NULL;
      g_autofree char *endpoint = NULL;
      DmdMxHost *host;

      g_assert_cmpint (list->status, ==, DMD_DNS_STATUS_OK);
      g_assert_cmpuint (list->hosts->len, ==, 1);
      host = g_ptr_array_index (list->hosts, 0);
      g_assert_cmpint (host->kind, ==, cases[i].kind);
      g_assert_cmpstr (host->provider, ==, "Microsoft 365");
      g_assert_cmpstr (dmd_mx_list_get_endpoint (list), ==, cases[i].endpoint);

      outcome = dmd_dns_check_mx (G_RESOLVER (resolver), cases[i].domain, NULL, soon (), NULL, &endpoint);
      g_assert_cmpstr (endpoint, ==, cases[i].endpoint);
      g_assert_cmpint (outcome->status, ==, DMD_CHECK_PASS);
      g_assert_cmpuint (outcome->findings->len, ==, 0);
      g_assert_nonnull (outcome->summary);
      g_assert_true (has_line (outcome, cases[i].endpoint));
    }
  /* Only the MX records were asked: no address lookup, nothing computed. */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, "MX"), ==, 2 * G_N_ELEMENTS (cases));
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, 2 * G_N_ELEMENTS (cases));
}

static void
test_mx_sorted (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(DmdMxList) list = dmd_dns_lookup_mx (G_RESOLVER (resolver), "mixed.example", soon (), NULL);
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *described = NULL;
  const DmdDnsFinding *f;
  static const char *order[] = {
    "eu-smtp-inbound-1.mimecast.com", "eu-smtp-inbound-2.mimecast.com", "backup.mimecast.com",
    "mixed-example.mail.protection.outlook.com",
  };

  g_assert_cmpuint (list->hosts->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_cmpstr (((DmdMxHost *) g_ptr_array_index (list->hosts, i))->host, ==, order[i]);
  described = dmd_mx_list_describe (list);
  g_assert_cmpstr (described, ==,
                   "5 eu-smtp-inbound-1.mimecast.com (Mimecast), 5 eu-smtp-inbound-2.mimecast.com (Mimecast), "
                   "20 backup.mimecast.com (Mimecast), 30 mixed-example.mail.protection.outlook.com (Microsoft 365)");
  /* The Microsoft host is found even at a lower priority… */
  g_assert_cmpstr (dmd_mx_list_get_endpoint (list), ==, "mixed-example.mail.protection.outlook.com");

  /* …but mail from outside goes to the gateway first: that is worth a warning. */
  outcome = dmd_dns_check_mx (G_RESOLVER (resolver), "mixed.example", NULL, soon (), NULL, &endpoint);
  g_assert_cmpstr (endpoint, ==, "mixed-example.mail.protection.outlook.com");
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
  f = find (outcome, "dns-mx-not-microsoft");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "mixed.example"));
  g_assert_nonnull (strstr (f->evidence, "5 eu-smtp-inbound-1.mimecast.com (Mimecast)"));
}

static void
test_mx_third_party (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  static const struct {
    const char *domain;
    const char *in_evidence;
  } cases[] = {
    { "proofpoint.example", "10 mx0a-00123.pphosted.com (Proofpoint), 10 mx0b-00123.pphosted.com (Proofpoint)" },
    { "google.example",     "1 aspmx.l.google.com (Google Workspace)" },
    { "unknowngw.example",  "10 mail.unknowngw.example" },
    { "hve.example",        "10 smtp.hve.mx.microsoft" },
    { "lookalike.example",  "contoso-com.mail.protection.outlook.com.evil.example" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdDnsOutcome) needed = NULL;
      g_autoptr(DmdDnsOutcome) given = NULL;
      g_autofree char *endpoint = NULL;
      const DmdDnsFinding *f;

      g_test_message ("%s", cases[i].domain);
      /* No server entered: nothing to test; the user must give the tenant endpoint. */
      needed = dmd_dns_check_mx (G_RESOLVER (resolver), cases[i].domain, NULL, soon (), NULL, &endpoint);
      g_assert_null (endpoint);
      g_assert_cmpint (needed->status, ==, DMD_CHECK_FAIL);
      g_assert_cmpuint (needed->findings->len, ==, 1);
      f = find (needed, "dns-mx-not-microsoft");
      g_assert_nonnull (f);
      g_assert_nonnull (strstr (f->evidence, cases[i].in_evidence));

      /* A server entered: still worth the warning, the run goes on. */
      given = dmd_dns_check_mx (G_RESOLVER (resolver), cases[i].domain, "tenant-com.mail.protection.outlook.com",
                                soon (), NULL, NULL);
      g_assert_cmpint (given->status, ==, DMD_CHECK_WARN);
      g_assert_cmpuint (count (given, "dns-mx-not-microsoft"), ==, 1);
    }
}

static void
test_mx_none (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(DmdDnsOutcome) nomx = NULL;
  g_autoptr(DmdDnsOutcome) nxdomain = NULL;
  g_autoptr(DmdDnsOutcome) nullmx = NULL;
  g_autoptr(DmdDnsOutcome) nodomain = NULL;
  g_autofree char *endpoint = NULL;
  const DmdDnsFinding *f;

  nomx = dmd_dns_check_mx (G_RESOLVER (resolver), "nomx.example", NULL, soon (), NULL, &endpoint);
  g_assert_null (endpoint);
  g_assert_cmpint (nomx->status, ==, DMD_CHECK_FAIL);
  f = find (nomx, "dns-mx-not-microsoft");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "nomx.example"));

  nxdomain = dmd_dns_check_mx (G_RESOLVER (resolver), "does-not-exist.example", "x.mail.protection.outlook.com",
                               soon (), NULL, NULL);
  g_assert_cmpint (nxdomain->status, ==, DMD_CHECK_WARN);
  g_assert_nonnull (find (nxdomain, "dns-mx-not-microsoft"));

  nullmx = dmd_dns_check_mx (G_RESOLVER (resolver), "nullmx.example", NULL, soon (), NULL, &endpoint);
  g_assert_null (endpoint);
  g_assert_cmpint (nullmx->status, ==, DMD_CHECK_FAIL);
  f = find (nullmx, "dns-mx-not-microsoft");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "null MX"));

  nodomain = dmd_dns_check_mx (G_RESOLVER (resolver), NULL, NULL, soon (), NULL, &endpoint);
  g_assert_null (endpoint);
  g_assert_cmpint (nodomain->status, ==, DMD_CHECK_FAIL);
  g_assert_cmpuint (nodomain->findings->len, ==, 0);
}

static void
test_mx_failure (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  const char *domains[] = { "servfail.example", "refused.example", "slow.example" };

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_autoptr(DmdDnsOutcome) needed = NULL;
      g_autoptr(DmdDnsOutcome) given = NULL;
      g_autofree char *endpoint = NULL;
      const DmdDnsFinding *f;

      g_test_message ("%s", domains[i]);
      gint64 deadline = g_str_equal (domains[i], "slow.example") ? brief () : soon ();

      needed = dmd_dns_check_mx (G_RESOLVER (resolver), domains[i], NULL, deadline, NULL, &endpoint);
      g_assert_null (endpoint);
      g_assert_false (needed->cancelled);
      g_assert_cmpint (needed->status, ==, DMD_CHECK_FAIL);
      f = find (needed, "dns-resolve-failed");
      g_assert_nonnull (f);
      g_assert_nonnull (strstr (f->evidence, domains[i]));
      g_assert_null (find (needed, "dns-mx-not-microsoft"));

      /* With a server entered the MX is only informative: no error finding. */
      deadline = g_str_equal (domains[i], "slow.example") ? brief () : soon ();
      given = dmd_dns_check_mx (G_RESOLVER (resolver), domains[i], "x.mail.protection.outlook.com",
                                deadline, NULL, NULL);
      g_assert_cmpint (given->status, ==, DMD_CHECK_WARN);
      g_assert_cmpuint (given->findings->len, ==, 0);
    }
}

static void
test_mx_server_differs (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(DmdDnsOutcome) same = NULL;
  g_autoptr(DmdDnsOutcome) other = NULL;

  same = dmd_dns_check_mx (G_RESOLVER (resolver), "contoso.com", "Contoso-com.mail.protection.outlook.com.",
                           soon (), NULL, NULL);
  g_assert_cmpint (same->status, ==, DMD_CHECK_PASS);
  g_assert_false (has_line (same, "is not an MX host"));

  other = dmd_dns_check_mx (G_RESOLVER (resolver), "contoso.com", "contoso-com.o-v1.mx.microsoft",
                            soon (), NULL, NULL);
  g_assert_cmpint (other->status, ==, DMD_CHECK_PASS);
  g_assert_cmpuint (other->findings->len, ==, 0);
  g_assert_true (has_line (other, "contoso-com.o-v1.mx.microsoft, is not an MX host of contoso.com"));
}

/* ------------------------------------------------------------------------------------------ */
/* TXT, addresses                                                                             */

static void
test_txt_join (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(DmdDnsAnswer) split = dmd_dns_query (G_RESOLVER (resolver), "split.example", DMD_DNS_QUERY_TXT, soon (), NULL);
  g_autoptr(DmdDnsAnswer) spaced = dmd_dns_query (G_RESOLVER (resolver), "spaced.example", DMD_DNS_QUERY_TXT, soon (), NULL);
  g_autoptr(DmdDnsAnswer) none = dmd_dns_query (G_RESOLVER (resolver), "nomx.example", DMD_DNS_QUERY_TXT, soon (), NULL);

  g_assert_cmpint (split->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpuint (split->txt->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (split->txt, 0), ==, "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com -all");
  g_assert_cmpstr (g_ptr_array_index (split->txt, 1), ==, "MS=ms12345678");
  g_assert_cmpstr (g_ptr_array_index (spaced->txt, 0), ==, "v=spf1 ip4:192.0.2.1 -all");
  g_assert_cmpint (none->status, ==, DMD_DNS_STATUS_NOT_FOUND);
  g_assert_null (none->txt);
}

static void
test_addresses (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  DmdDnsAnswer *answers[] = {
    dmd_dns_answer_new ("host.example", DMD_DNS_QUERY_ADDRESS),
    dmd_dns_answer_new ("host.example", DMD_DNS_QUERY_A),
    dmd_dns_answer_new ("host.example", DMD_DNS_QUERY_AAAA),
    dmd_dns_answer_new ("v4only.example", DMD_DNS_QUERY_AAAA),
    dmd_dns_answer_new ("x.y.wild.example", DMD_DNS_QUERY_A),
    dmd_dns_answer_new ("192.0.2.77", DMD_DNS_QUERY_ADDRESS),
    dmd_dns_answer_new ("2001:db8::77", DMD_DNS_QUERY_A),
    dmd_dns_answer_new ("bad name.example", DMD_DNS_QUERY_A),
    dmd_dns_answer_new ("a..b.example", DMD_DNS_QUERY_TXT),
  };
  GList *list;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;

  g_assert_true (dmd_dns_resolve_all (G_RESOLVER (resolver), answers, G_N_ELEMENTS (answers), soon (), NULL));
  g_assert_cmpint (answers[0]->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpuint (answers[0]->addresses->len, ==, 2);
  g_assert_cmpuint (answers[1]->addresses->len, ==, 1);
  first = g_inet_address_to_string (g_ptr_array_index (answers[1]->addresses, 0));
  g_assert_cmpstr (first, ==, "192.0.2.10");
  g_clear_pointer (&first, g_free);
  first = g_inet_address_to_string (g_ptr_array_index (answers[2]->addresses, 0));
  g_assert_cmpstr (first, ==, "2001:db8::10");
  g_assert_cmpint (answers[3]->status, ==, DMD_DNS_STATUS_NOT_FOUND);
  g_assert_cmpint (answers[4]->status, ==, DMD_DNS_STATUS_OK);
  /* literals are not sent to the resolver */
  g_assert_cmpint (answers[5]->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpint (answers[6]->status, ==, DMD_DNS_STATUS_NOT_FOUND);
  /* bad names neither */
  g_assert_cmpint (answers[7]->status, ==, DMD_DNS_STATUS_FAILED);
  g_assert_nonnull (answers[7]->error);
  g_assert_cmpint (answers[8]->status, ==, DMD_DNS_STATUS_FAILED);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, 5);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "host.example", "A/AAAA"), ==, 1);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "host.example", "AAAA"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    dmd_dns_answer_free (answers[i]);

  list = dmd_dns_lookup_host (G_RESOLVER (resolver), "host.example", DMD_DNS_QUERY_ADDRESS, soon (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (list), ==, 2);
  g_resolver_free_addresses (list);
  list = dmd_dns_lookup_host (G_RESOLVER (resolver), "nothing.example", DMD_DNS_QUERY_ADDRESS, soon (), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = dmd_dns_lookup_host (G_RESOLVER (resolver), "slow.example", DMD_DNS_QUERY_ADDRESS, brief (), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  list = dmd_dns_lookup_host (G_RESOLVER (resolver), "servfail.example", DMD_DNS_QUERY_ADDRESS, soon (), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);  /* SERVFAIL on MX only */
  g_clear_error (&error);
  list = dmd_dns_lookup_host (G_RESOLVER (resolver), "refused.example", DMD_DNS_QUERY_A, soon (), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE);
}

static void
test_default_resolver (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(GResolver) saved = g_resolver_get_default ();
  g_autoptr(DmdMxList) list = NULL;

  /* NULL = the default resolver, taken at call time. */
  g_resolver_set_default (G_RESOLVER (resolver));
  list = dmd_dns_lookup_mx (NULL, "contoso.com", soon (), NULL);
  g_resolver_set_default (saved);
  g_assert_cmpstr (dmd_mx_list_get_endpoint (list), ==, "contoso-com.mail.protection.outlook.com");
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "contoso.com", "MX"), ==, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Deadlines and cancellation                                                                 */

typedef struct {
  DmdTestResolver *resolver;
  GCancellable    *cancellable;
  guint            wait_for;   /* pending lookups before cancelling */
} Canceller;

static gpointer
canceller_thread (gpointer data)
{
  Canceller *c = data;

  /* Cancel once the lookups are really under way (no sleeping on a guess). */
  while (dmd_test_resolver_get_pending (c->resolver) < c->wait_for)
    g_usleep (1000);
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

static void
test_cancel_while_waiting (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller c = { resolver, cancellable, 3 };
  DmdDnsAnswer *answers[] = {
    dmd_dns_answer_new ("slow.example", DMD_DNS_QUERY_MX),
    dmd_dns_answer_new ("slow.example", DMD_DNS_QUERY_TXT),
    dmd_dns_answer_new ("slow.example", DMD_DNS_QUERY_A),
    dmd_dns_answer_new ("contoso.com", DMD_DNS_QUERY_MX),
  };
  GThread *thread = g_thread_new ("canceller", canceller_thread, &c);

  /* No deadline: only the cancel can end this while the resolver never answers. */
  g_assert_false (dmd_dns_resolve_all (G_RESOLVER (resolver), answers, G_N_ELEMENTS (answers), -1, cancellable));
  g_thread_join (thread);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (answers[i]->status, ==, DMD_DNS_STATUS_CANCELLED);
      g_assert_null (answers[i]->mx);
      g_assert_null (answers[i]->txt);
      g_assert_null (answers[i]->addresses);
    }
  /* The one that answered in time keeps its answer. */
  g_assert_cmpint (answers[3]->status, ==, DMD_DNS_STATUS_OK);
  /* The lookups themselves were cancelled too, not left running. */
  g_assert_cmpuint (dmd_test_resolver_get_pending (resolver), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    dmd_dns_answer_free (answers[i]);
}

static void
test_cancel_before (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DmdDnsAnswer) answer = NULL;
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  g_cancellable_cancel (cancellable);
  answer = dmd_dns_query (G_RESOLVER (resolver), "contoso.com", DMD_DNS_QUERY_MX, -1, cancellable);
  g_assert_cmpint (answer->status, ==, DMD_DNS_STATUS_CANCELLED);
  outcome = dmd_dns_check_mx (G_RESOLVER (resolver), "contoso.com", NULL, -1, cancellable, NULL);
  g_assert_true (outcome->cancelled);
  g_assert_cmpuint (outcome->findings->len, ==, 0);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, 0);
}

static void
test_deadline (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(DmdDnsAnswer) answer = NULL;
  g_autoptr(DmdDnsAnswer) past = NULL;

  answer = dmd_dns_query (G_RESOLVER (resolver), "slow.example", DMD_DNS_QUERY_TXT, dmd_deadline_in (0.05), NULL);
  g_assert_cmpint (answer->status, ==, DMD_DNS_STATUS_TIMEOUT);
  g_assert_null (answer->txt);
  g_assert_cmpuint (pending_after_settling (resolver), ==, 0);

  /* A deadline already past: nothing is asked. */
  past = dmd_dns_query (G_RESOLVER (resolver), "contoso.com", DMD_DNS_QUERY_MX, g_get_monotonic_time () - 1, NULL);
  g_assert_cmpint (past->status, ==, DMD_DNS_STATUS_TIMEOUT);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "contoso.com", NULL), ==, 0);
}

static void
test_concurrent (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DmdDnsAnswer *answers[6];
  Canceller c = { resolver, cancellable, G_N_ELEMENTS (answers) };
  GThread *thread;

  /* Six lookups that never answer, no deadline: the cancel comes only once all six are under
   * way at the same time, which they could not be if they ran one after the other. */
  g_assert_true (dmd_test_resolver_load_data (resolver, "*.slow.example * TIMEOUT", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u.slow.example", i);

      answers[i] = dmd_dns_answer_new (name, i % 2 ? DMD_DNS_QUERY_TXT : DMD_DNS_QUERY_MX);
    }
  thread = g_thread_new ("canceller", canceller_thread, &c);
  g_assert_false (dmd_dns_resolve_all (G_RESOLVER (resolver), answers, G_N_ELEMENTS (answers), -1, cancellable));
  g_thread_join (thread);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, G_N_ELEMENTS (answers));
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_assert_cmpint (answers[i]->status, ==, DMD_DNS_STATUS_CANCELLED);
      dmd_dns_answer_free (answers[i]);
    }
}

/* A resolver whose lookup cannot be stopped (held, ignoring cancellation) answers after the
 * caller gave up: the answer must be dropped, never written into the caller's memory. */
static void
test_late_answer_dropped (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dns.zone");
  g_autoptr(GCancellable) first = g_cancellable_new ();
  g_autoptr(GCancellable) second = g_cancellable_new ();
  g_autoptr(DmdDnsAnswer) kept = NULL;
  g_autoptr(DmdDnsAnswer) after = NULL;
  DmdDnsAnswer *freed;
  Canceller c1 = { resolver, first, 1 };
  Canceller c2 = { resolver, second, 2 };
  GThread *thread;

  dmd_test_resolver_set_hold (resolver, TRUE);

  /* The answer struct stays alive: it must stay untouched. */
  thread = g_thread_new ("canceller", canceller_thread, &c1);
  kept = dmd_dns_query (G_RESOLVER (resolver), "contoso.com", DMD_DNS_QUERY_MX, -1, first);
  g_thread_join (thread);
  g_assert_cmpint (kept->status, ==, DMD_DNS_STATUS_CANCELLED);

  /* This one is freed at once: a late write would be a use after free (AddressSanitizer). */
  thread = g_thread_new ("canceller", canceller_thread, &c2);
  freed = dmd_dns_query (G_RESOLVER (resolver), "sdu.dk", DMD_DNS_QUERY_MX, -1, second);
  g_thread_join (thread);
  g_assert_cmpint (freed->status, ==, DMD_DNS_STATUS_CANCELLED);
  dmd_dns_answer_free (freed);

  /* Both lookups ignored the cancel; now they answer. */
  g_assert_cmpuint (dmd_test_resolver_get_pending (resolver), ==, 2);
  dmd_test_resolver_set_hold (resolver, FALSE);
  g_assert_cmpuint (dmd_test_resolver_release (resolver), ==, 2);
  g_assert_cmpuint (dmd_test_resolver_get_pending (resolver), ==, 0);

  /* The late callbacks were queued on the dmd-dns thread before this query's: once it has
   * answered, they have run. */
  after = dmd_dns_query (G_RESOLVER (resolver), "contoso.com", DMD_DNS_QUERY_MX, soon (), NULL);
  g_assert_cmpint (after->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpint (kept->status, ==, DMD_DNS_STATUS_CANCELLED);
  g_assert_null (kept->mx);
  g_assert_null (kept->error);
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses, connector                                                                       */

static void
test_connector_ip (void)
{
  static const struct {
    const char *public_ip;
    const char *connector;
    gboolean    mismatch;
    const char *in_evidence;
  } cases[] = {
    { "203.0.113.7",         "203.0.113.7",               FALSE, NULL },
    { "[203.0.113.7]",       " 203.0.113.7 ",             FALSE, NULL },
    { "203.0.113.7",         "203.0.113.0/24",            FALSE, NULL },
    { "203.0.113.7",         "198.51.100.1, 203.0.113.7", FALSE, NULL },
    { "IPv6:2001:DB8:0:0::1", "2001:db8::1",              FALSE, NULL },
    { "2001:db8::1",         "2001:db8::/32",             FALSE, NULL },
    { "203.0.113.7",         "203.0.113.8",               TRUE,  "203.0.113.7; the connector has 203.0.113.8" },
    { "203.0.113.7",         "203.0.112.0/24",            TRUE,  "the connector has 203.0.112.0/24" },
    { "203.0.113.7",         "198.51.100.1 192.0.2.1",    TRUE,  "198.51.100.1, 192.0.2.1" },
    { "2001:db8::7",         "203.0.113.7",               TRUE,  "(IPv6); the connector has 203.0.113.7 (IPv4)" },
    { "203.0.113.7",         "2001:db8::7",               TRUE,  "(IPv4); the connector has 2001:db8::7 (IPv6)" },
    /* nothing to compare */
    { NULL,                  "203.0.113.7",               FALSE, NULL },
    { "203.0.113.7",         NULL,                        FALSE, NULL },
    { "203.0.113.7",         "",                          FALSE, NULL },
    { "203.0.113.7",         "not an address",            FALSE, NULL },
    { "garbage",             "203.0.113.7",               FALSE, NULL },
    { "203.0.113.7",         "203.0.113.0/33",            FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdDnsFinding) f = dmd_dns_check_connector_ip (cases[i].public_ip, cases[i].connector);

      g_test_message ("%s vs %s", cases[i].public_ip, cases[i].connector);
      if (!cases[i].mismatch)
        {
          g_assert_null (f);
          continue;
        }
      g_assert_nonnull (f);
      g_assert_cmpstr (f->id, ==, "relay-connector-ip-mismatch");
      g_assert_nonnull (strstr (f->evidence, cases[i].in_evidence));
    }
}

static void
test_private_addresses (void)
{
  static const struct {
    const char *address;
    gboolean    private;
  } cases[] = {
    { "10.1.2.3", TRUE }, { "172.16.0.1", TRUE }, { "192.168.1.10", TRUE }, { "127.0.0.1", TRUE },
    { "169.254.1.1", TRUE }, { "100.64.0.1", TRUE }, { "100.127.255.255", TRUE }, { "0.0.0.0", TRUE },
    { "224.0.0.1", TRUE }, { "::1", TRUE }, { "fe80::1", TRUE }, { "fd00::1", TRUE }, { "::", TRUE },
    { "203.0.113.7", FALSE }, { "100.128.0.1", FALSE }, { "8.8.8.8", FALSE }, { "2001:db8::1", FALSE },
    { "2a01:111:f400::1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) a = g_inet_address_new_from_string (cases[i].address);

      g_test_message ("%s", cases[i].address);
      g_assert_cmpint (dmd_inet_address_is_private (a), ==, cases[i].private);
    }
}

static void
test_domains_from_config (void)
{
  DmdDeviceConfig config = { 0 };
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

  config.option = DMD_OPTION_DIRECT_SEND;
  config.to = (char *) "someone@Contoso.com";
  a = dmd_dns_domain_for_mx (&config);
  g_assert_cmpstr (a, ==, "contoso.com");
  b = dmd_dns_domain_for_spf (&config);
  g_assert_null (b);
  config.from = (char *) "scanner@Fabrikam.com.";
  c = dmd_dns_domain_for_mx (&config);
  g_assert_cmpstr (c, ==, "fabrikam.com");
  d = dmd_dns_domain_for_spf (&config);
  g_assert_cmpstr (d, ==, "fabrikam.com");
  config.domain = (char *) "tenant.example";
  e = dmd_dns_domain_for_mx (&config);
  g_assert_cmpstr (e, ==, "tenant.example");
  config.option = DMD_OPTION_RELAY;
  config.from = NULL;
  config.domain = NULL;
  f = dmd_dns_domain_for_mx (&config);   /* relay recipients may be outside: not the tenant */
  g_assert_null (f);
}

/* ------------------------------------------------------------------------------------------ */
/* Blocklists                                                                                 */

static DmdDnsblResult *
result_for (GPtrArray  *results,
            const char *zone)
{
  for (guint i = 0; i < results->len; i++)
    {
      DmdDnsblResult *r = g_ptr_array_index (results, i);

      if (g_str_equal (r->list->zone, zone))
        return r;
    }
  g_assert_not_reached ();
}

static void
test_dnsbl_query_name (void)
{
  g_autoptr(GInetAddress) v4 = g_inet_address_new_from_string ("203.0.113.7");
  g_autoptr(GInetAddress) v6 = g_inet_address_new_from_string ("2001:db8::7");
  g_autofree char *n4 = dmd_dnsbl_query_name (v4, "zen.spamhaus.org");
  g_autofree char *n6 = dmd_dnsbl_query_name (v6, "zen.spamhaus.org");
  guint n = 0;
  const DmdDnsbl *lists = dmd_dnsbl_lists (&n);

  g_assert_cmpstr (n4, ==, "7.113.0.203.zen.spamhaus.org");
  g_assert_cmpstr (n6, ==, "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
  g_assert_cmpuint (n, >=, 4);
  for (guint i = 0; i < n; i++)
    {
      g_assert_nonnull (lists[i].name);
      g_assert_nonnull (lists[i].url);
      g_assert_nonnull (lists[i].codes[0].address);
    }
}

static void
test_dnsbl_listed (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  const DmdDnsFinding *f;
  guint n_lists = 0;
  const DmdDnsbl *lists = dmd_dnsbl_lists (&n_lists);
  DmdDnsblResult *zen;

  /* zen: 127.0.0.4 (XBL); spamcop, barracuda, uceprotect: NXDOMAIN; psbl: never answers */
  results = dmd_dnsbl_query (G_RESOLVER (resolver), "203.0.113.7", lists, n_lists, mixed (), NULL);
  g_assert_nonnull (results);
  zen = result_for (results, "zen.spamhaus.org");
  g_assert_cmpint (zen->state, ==, DMD_DNSBL_LISTED);
  g_assert_false (zen->dynamic);
  g_assert_cmpuint (zen->answers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (zen->answers, 0), ==, "127.0.0.4");
  g_assert_nonnull (strstr (zen->meaning, "XBL"));
  g_assert_cmpint (result_for (results, "bl.spamcop.net")->state, ==, DMD_DNSBL_CLEAN);
  g_assert_cmpint (result_for (results, "psbl.surriel.com")->state, ==, DMD_DNSBL_FAILED);
  /* every list and every test entry was asked at once */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, "A"), ==, 2 * n_lists);

  outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "203.0.113.7", mixed (), NULL);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
  g_assert_cmpuint (count (outcome, "ip-on-dnsbl"), ==, 1);
  f = find (outcome, "ip-on-dnsbl");
  g_assert_nonnull (strstr (f->evidence, "203.0.113.7 is listed on Spamhaus ZEN (zen.spamhaus.org): 127.0.0.4"));
  g_assert_nonnull (strstr (f->evidence, "XBL"));
  g_assert_null (strstr (f->evidence, "PBL"));
  f = find (outcome, "blocklist-unknown");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "PSBL"));
  g_assert_null (strstr (f->evidence, "SpamCop"));
  g_assert_true (has_line (outcome, "https://check.spamhaus.org/"));
}

static void
test_dnsbl_pbl (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  g_autoptr(DmdDnsOutcome) outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "198.51.100.20", soon (), NULL);
  const DmdDnsFinding *f = find (outcome, "ip-on-dnsbl");

  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "127.0.0.10"));
  g_assert_nonnull (strstr (f->evidence, "127.0.0.11"));
  g_assert_nonnull (strstr (f->evidence, "PBL is not a spam listing"));
  g_assert_nonnull (strstr (f->evidence, "Direct Send and relay"));
  g_assert_null (find (outcome, "blocklist-unknown"));
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
}

static void
test_dnsbl_refused_and_rewritten (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  guint n_lists = 0;
  const DmdDnsbl *lists = dmd_dnsbl_lists (&n_lists);
  g_autoptr(GPtrArray) refused = dmd_dnsbl_query (G_RESOLVER (resolver), "198.51.100.30", lists, n_lists, soon (), NULL);
  g_autoptr(GPtrArray) rewritten = dmd_dnsbl_query (G_RESOLVER (resolver), "198.51.100.40", lists, n_lists, soon (), NULL);
  g_autoptr(GPtrArray) unknown_code = dmd_dnsbl_query (G_RESOLVER (resolver), "198.51.100.50", lists, n_lists, soon (), NULL);
  g_autoptr(DmdDnsOutcome) outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "198.51.100.30", soon (), NULL);
  DmdDnsblResult *r;
  const DmdDnsFinding *f;

  r = result_for (refused, "zen.spamhaus.org");
  g_assert_cmpint (r->state, ==, DMD_DNSBL_REFUSED);
  g_assert_nonnull (strstr (r->meaning, "127.255.255.254"));
  g_assert_nonnull (strstr (r->meaning, "public or open resolver"));
  g_assert_cmpint (result_for (refused, "bl.spamcop.net")->state, ==, DMD_DNSBL_FAILED);
  g_assert_cmpint (result_for (refused, "psbl.surriel.com")->state, ==, DMD_DNSBL_CLEAN);

  /* A refusal or a failure is never "listed" nor "clean". */
  g_assert_null (find (outcome, "ip-on-dnsbl"));
  f = find (outcome, "blocklist-unknown");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "Spamhaus ZEN: 127.255.255.254"));
  g_assert_nonnull (strstr (f->evidence, "SpamCop:"));
  g_assert_cmpuint (count (outcome, "blocklist-unknown"), ==, 1);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_PASS);

  r = result_for (rewritten, "bl.spamcop.net");
  g_assert_cmpint (r->state, ==, DMD_DNSBL_UNEXPECTED);
  g_assert_nonnull (strstr (r->meaning, "192.0.2.80"));

  r = result_for (unknown_code, "b.barracudacentral.org");
  g_assert_cmpint (r->state, ==, DMD_DNSBL_LISTED);
  g_assert_nonnull (strstr (r->meaning, "127.0.0.99"));
}

static void
test_dnsbl_clean (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  g_autoptr(DmdDnsOutcome) outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "198.51.100.99", soon (), NULL);

  g_assert_cmpuint (outcome->findings->len, ==, 0);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_PASS);
  g_assert_nonnull (strstr (outcome->summary, "198.51.100.99"));
}

static void
test_dnsbl_no_test_entry (void)
{
  g_autoptr(DmdTestResolver) resolver = dmd_test_resolver_new ();
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  const DmdDnsFinding *f;

  /* Only Spamhaus answers for its test entry: the others ignore this resolver. */
  g_assert_true (dmd_test_resolver_load_data (resolver, "2.0.0.127.zen.spamhaus.org A 127.0.0.2", NULL));
  outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "198.51.100.99", soon (), NULL);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_PASS);
  f = find (outcome, "blocklist-unknown");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "SpamCop: the list does not answer for its test entry"));
  g_assert_null (strstr (f->evidence, "Spamhaus"));
}

static void
test_dnsbl_all_unknown (void)
{
  g_autoptr(DmdTestResolver) resolver = dmd_test_resolver_new ();
  g_autoptr(DmdDnsOutcome) timeouts = NULL;
  g_autoptr(DmdDnsOutcome) nothing = NULL;

  g_assert_true (dmd_test_resolver_load_data (resolver,
                                              "*.zen.spamhaus.org * TIMEOUT\n"
                                              "*.bl.spamcop.net * TIMEOUT\n"
                                              "*.b.barracudacentral.org * SERVFAIL\n"
                                              "*.psbl.surriel.com * TIMEOUT\n"
                                              "*.dnsbl-1.uceprotect.net * REFUSED\n", NULL));
  timeouts = dmd_dnsbl_check (G_RESOLVER (resolver), "203.0.113.7", brief (), NULL);
  g_assert_cmpint (timeouts->status, ==, DMD_CHECK_SKIP);
  g_assert_cmpuint (timeouts->findings->len, ==, 1);
  g_assert_nonnull (find (timeouts, "blocklist-unknown"));
  g_assert_nonnull (strstr (find (timeouts, "blocklist-unknown")->evidence, "no answer before the deadline"));
  g_assert_cmpuint (pending_after_settling (resolver), ==, 0);

  /* no resolver data at all: NXDOMAIN for everything, test entries included */
  dmd_test_resolver_clear (resolver);
  nothing = dmd_dnsbl_check (G_RESOLVER (resolver), "203.0.113.7", soon (), NULL);
  g_assert_cmpint (nothing->status, ==, DMD_CHECK_SKIP);
  g_assert_nonnull (find (nothing, "blocklist-unknown"));
}

static void
test_dnsbl_ipv6 (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  g_autoptr(DmdDnsOutcome) outcome = dmd_dnsbl_check (G_RESOLVER (resolver), "2001:db8::7", soon (), NULL);
  const DmdDnsFinding *f = find (outcome, "ip-on-dnsbl");

  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "2001:db8::7 is listed on Spamhaus ZEN"));
  g_assert_nonnull (strstr (f->evidence, "127.0.0.3"));
  g_assert_null (find (outcome, "blocklist-unknown"));
  /* IPv4-only lists are not asked */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, 2);
  g_assert_true (has_line (outcome, "IPv4 addresses only"));
}

static void
test_dnsbl_not_public (void)
{
  g_autoptr(DmdTestResolver) resolver = resolver_for ("dnsbl.zone");
  g_autoptr(DmdDnsOutcome) priv = dmd_dnsbl_check (G_RESOLVER (resolver), "192.168.1.20", soon (), NULL);
  g_autoptr(DmdDnsOutcome) none = dmd_dnsbl_check (G_RESOLVER (resolver), NULL, soon (), NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DmdDnsOutcome) cancelled = NULL;

  g_assert_cmpint (priv->status, ==, DMD_CHECK_SKIP);
  g_assert_cmpuint (priv->findings->len, ==, 0);
  g_assert_cmpint (none->status, ==, DMD_CHECK_SKIP);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, NULL, NULL), ==, 0);

  g_cancellable_cancel (cancellable);
  cancelled = dmd_dnsbl_check (G_RESOLVER (resolver), "203.0.113.7", soon (), cancellable);
  g_assert_true (cancelled->cancelled);
  g_assert_cmpuint (cancelled->findings->len, ==, 0);
}

/* ------------------------------------------------------------------------------------------ */

static void
test_resolver_zone_errors (void)
{
  static const char *bad[] = {
    "x.example A 999.1.1.1",
    "x.example A 2001:db8::1",
    "x.example AAAA 192.0.2.1",
    "x.example MX host.example",
    "x.example MX 70000 host.example",
    "x.example TXT \"unterminated",
    "x.example CNAME y.example",
    "x.example * 192.0.2.1",
    "x.example",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(DmdTestResolver) resolver = dmd_test_resolver_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (dmd_test_resolver_load_data (resolver, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_resolver_quoted_status (void)
{
  g_autoptr(DmdTestResolver) resolver = dmd_test_resolver_new ();
  g_autoptr(DmdDnsAnswer) text = NULL;
  g_autoptr(DmdDnsAnswer) status = NULL;

  /* A quoted word is data, even when it reads like a status (found by fuzz-spf). */
  g_assert_true (dmd_test_resolver_load_data (resolver, "q.example TXT \"TIMEOUT\"\nr.example TXT SERVFAIL", NULL));
  text = dmd_dns_query (G_RESOLVER (resolver), "q.example", DMD_DNS_QUERY_TXT, soon (), NULL);
  g_assert_cmpint (text->status, ==, DMD_DNS_STATUS_OK);
  g_assert_cmpstr (g_ptr_array_index (text->txt, 0), ==, "TIMEOUT");
  status = dmd_dns_query (G_RESOLVER (resolver), "r.example", DMD_DNS_QUERY_TXT, soon (), NULL);
  g_assert_cmpint (status->status, ==, DMD_DNS_STATUS_FAILED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/dns/mx/classify", test_mx_classify);
  g_test_add_func ("/dmd/dns/mx/microsoft", test_mx_microsoft);
  g_test_add_func ("/dmd/dns/mx/sorted", test_mx_sorted);
  g_test_add_func ("/dmd/dns/mx/third-party", test_mx_third_party);
  g_test_add_func ("/dmd/dns/mx/none", test_mx_none);
  g_test_add_func ("/dmd/dns/mx/failure", test_mx_failure);
  g_test_add_func ("/dmd/dns/mx/server-differs", test_mx_server_differs);
  g_test_add_func ("/dmd/dns/txt/join", test_txt_join);
  g_test_add_func ("/dmd/dns/addresses", test_addresses);
  g_test_add_func ("/dmd/dns/default-resolver", test_default_resolver);
  g_test_add_func ("/dmd/dns/cancel/while-waiting", test_cancel_while_waiting);
  g_test_add_func ("/dmd/dns/cancel/before", test_cancel_before);
  g_test_add_func ("/dmd/dns/deadline", test_deadline);
  g_test_add_func ("/dmd/dns/concurrent", test_concurrent);
  g_test_add_func ("/dmd/dns/late-answer-dropped", test_late_answer_dropped);
  g_test_add_func ("/dmd/dns/connector-ip", test_connector_ip);
  g_test_add_func ("/dmd/dns/private-addresses", test_private_addresses);
  g_test_add_func ("/dmd/dns/domains-from-config", test_domains_from_config);
  g_test_add_func ("/dmd/dnsbl/query-name", test_dnsbl_query_name);
  g_test_add_func ("/dmd/dnsbl/listed", test_dnsbl_listed);
  g_test_add_func ("/dmd/dnsbl/pbl", test_dnsbl_pbl);
  g_test_add_func ("/dmd/dnsbl/refused-and-rewritten", test_dnsbl_refused_and_rewritten);
  g_test_add_func ("/dmd/dnsbl/clean", test_dnsbl_clean);
  g_test_add_func ("/dmd/dnsbl/no-test-entry", test_dnsbl_no_test_entry);
  g_test_add_func ("/dmd/dnsbl/all-unknown", test_dnsbl_all_unknown);
  g_test_add_func ("/dmd/dnsbl/ipv6", test_dnsbl_ipv6);
  g_test_add_func ("/dmd/dnsbl/not-public", test_dnsbl_not_public);
  g_test_add_func ("/dmd/test-resolver/zone-errors", test_resolver_zone_errors);
  g_test_add_func ("/dmd/test-resolver/quoted-status", test_resolver_quoted_status);

  return g_test_run ();
}
