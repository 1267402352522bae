/* test-spf.c — the SPF evaluator and the spf check, with the test resolver
 * (tests/data/zones/spf.zone; format in the README there)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-conn.h"
#include "dmd-spf.h"
#include "dmd-test-resolver.h"

static DmdTestResolver *
spf_resolver (const char *extra)
{
  DmdTestResolver *resolver = dmd_test_resolver_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "zones", "spf.zone", NULL);
  g_autoptr(GError) error = NULL;

  dmd_test_resolver_load_file (resolver, path, &error);
  g_assert_no_error (error);
  if (extra != NULL)
    {
      dmd_test_resolver_load_data (resolver, extra, &error);
      g_assert_no_error (error);
    }
  return resolver;
}

/* For lookups that answer: generous, a loaded machine may be slow to schedule threads. */
static gint64
soon (void)
{
  return dmd_deadline_in (10);
}

static DmdSpfEvaluation *
evaluate (DmdTestResolver *resolver,
          const char      *domain,
          const char      *ip)
{
  return dmd_spf_evaluate (G_RESOLVER (resolver), domain, ip, NULL, soon (), NULL);
}

/* Evaluate one record published at t.example (on top of spf.zone). */
static DmdSpfEvaluation *
evaluate_record (const char *record,
                 const char *ip)
{
  g_autoptr(GString) zone = g_string_new ("t.example TXT \"");
  g_autoptr(DmdTestResolver) resolver = NULL;

  for (const char *p = record; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (zone, '\\');
      g_string_append_c (zone, *p);
    }
  g_string_append_c (zone, '"');
  resolver = spf_resolver (zone->str);
  return evaluate (resolver, "t.example", ip);
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

typedef struct {
  const char   *record;
  const char   *ip;
  DmdSpfResult  result;
  const char   *mechanism;   /* NULL: none */
} Case;

static void
run_cases (const Case *cases,
           guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DmdSpfEvaluation) ev = evaluate_record (cases[i].record, cases[i].ip);

      g_test_message ("%s for %s → %s", cases[i].record, cases[i].ip, dmd_spf_result_to_string (ev->result));
      g_assert_cmpstr (dmd_spf_result_to_string (ev->result), ==, dmd_spf_result_to_string (cases[i].result));
      g_assert_cmpstr (ev->mechanism, ==, cases[i].mechanism);
      g_assert_false (ev->cancelled);
      if (ev->result == DMD_SPF_PERMERROR || ev->result == DMD_SPF_TEMPERROR || ev->result == DMD_SPF_NONE)
        g_assert_nonnull (ev->problem);
      else
        g_assert_null (ev->problem);
    }
}

static void
test_ip4 (void)
{
  static const Case cases[] = {
    { "v=spf1 ip4:203.0.113.7 -all",          "203.0.113.7",  DMD_SPF_PASS,     "ip4:203.0.113.7" },
    { "v=spf1 ip4:203.0.113.7/32 -all",       "203.0.113.7",  DMD_SPF_PASS,     "ip4:203.0.113.7/32" },
    { "v=spf1 ip4:203.0.113.7/32 -all",       "203.0.113.8",  DMD_SPF_FAIL,     "-all" },
    { "v=spf1 ip4:203.0.113.0/24 ~all",       "203.0.113.255", DMD_SPF_PASS,    "ip4:203.0.113.0/24" },
    { "v=spf1 ip4:203.0.113.0/24 ~all",       "203.0.114.1",  DMD_SPF_SOFTFAIL, "~all" },
    { "v=spf1 ip4:203.0.112.0/23 -all",       "203.0.113.7",  DMD_SPF_PASS,     "ip4:203.0.112.0/23" },
    { "v=spf1 ip4:203.0.113.128/25 -all",     "203.0.113.7",  DMD_SPF_FAIL,     "-all" },
    { "v=spf1 ip4:0.0.0.0/0 -all",            "198.51.100.1", DMD_SPF_PASS,     "ip4:0.0.0.0/0" },
    { "v=spf1 ip4:0.0.0.0/0 -all",            "2001:db8::1",  DMD_SPF_FAIL,     "-all" },
    { "v=spf1 ip4:203.0.113.9/1 -all",        "128.0.0.1",    DMD_SPF_PASS,     "ip4:203.0.113.9/1" },
    { "v=spf1 ip4:203.0.113.9/1 -all",        "127.0.0.1",    DMD_SPF_FAIL,     "-all" },
    /* qualifiers */
    { "v=spf1 -ip4:203.0.113.7 +all",         "203.0.113.7",  DMD_SPF_FAIL,     "-ip4:203.0.113.7" },
    { "v=spf1 ~ip4:203.0.113.7 +all",         "203.0.113.7",  DMD_SPF_SOFTFAIL, "~ip4:203.0.113.7" },
    { "v=spf1 ?ip4:203.0.113.7 -all",         "203.0.113.7",  DMD_SPF_NEUTRAL,  "?ip4:203.0.113.7" },
    { "v=spf1 +ip4:203.0.113.7 -all",         "203.0.113.7",  DMD_SPF_PASS,     "+ip4:203.0.113.7" },
    { "v=spf1 ?all",                          "203.0.113.7",  DMD_SPF_NEUTRAL,  "?all" },
    { "v=spf1 +all",                          "203.0.113.7",  DMD_SPF_PASS,     "+all" },
    { "v=spf1 all",                           "203.0.113.7",  DMD_SPF_PASS,     "all" },
    { "v=spf1",                               "203.0.113.7",  DMD_SPF_NEUTRAL,  NULL },
    { "v=spf1 ip4:192.0.2.1",                 "203.0.113.7",  DMD_SPF_NEUTRAL,  NULL },
    /* case, extra spaces */
    { "V=SPF1 IP4:203.0.113.7 -ALL",          "203.0.113.7",  DMD_SPF_PASS,     "IP4:203.0.113.7" },
    { "v=spf1  ip4:192.0.2.1   -all  ",       "203.0.113.7",  DMD_SPF_FAIL,     "-all" },
    /* the first match decides */
    { "v=spf1 -all ip4:203.0.113.7",          "203.0.113.7",  DMD_SPF_FAIL,     "-all" },
    /* unknown modifiers are ignored; exp= is not fetched */
    { "v=spf1 ip4:203.0.113.7 foo=bar exp=explain.%{d} -all", "203.0.113.7", DMD_SPF_PASS, "ip4:203.0.113.7" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_ip6 (void)
{
  static const Case cases[] = {
    { "v=spf1 ip6:2001:db8::/32 -all",        "2001:db8:ffff::1", DMD_SPF_PASS, "ip6:2001:db8::/32" },
    { "v=spf1 ip6:2001:db8::/32 -all",        "2001:db9::1",      DMD_SPF_FAIL, "-all" },
    { "v=spf1 ip6:2001:db8::/32 -all",        "203.0.113.7",      DMD_SPF_FAIL, "-all" },
    { "v=spf1 ip6:2001:db8::1/128 -all",      "2001:db8::1",      DMD_SPF_PASS, "ip6:2001:db8::1/128" },
    { "v=spf1 ip6:2001:db8::1/128 -all",      "2001:db8::2",      DMD_SPF_FAIL, "-all" },
    { "v=spf1 ip6:2001:db8::1 -all",          "2001:DB8:0:0::1",  DMD_SPF_PASS, "ip6:2001:db8::1" },
    { "v=spf1 ip6:::/0 -all",                 "2a01:111:f400::1", DMD_SPF_PASS, "ip6:::/0" },
    { "v=spf1 ip6:::/0 -all",                 "203.0.113.7",      DMD_SPF_FAIL, "-all" },
    { "v=spf1 ip6:2001:db8:1:2::/63 ~all",    "2001:db8:1:3::9",  DMD_SPF_PASS, "ip6:2001:db8:1:2::/63" },
    { "v=spf1 ip6:2001:db8:1:2::/64 ~all",    "2001:db8:1:3::9",  DMD_SPF_SOFTFAIL, "~all" },
    { "v=spf1 ip4:203.0.113.7 -all",          "IPv6:2001:db8::7", DMD_SPF_FAIL, "-all" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_syntax_errors (void)
{
  static const char *records[] = {
    "v=spf1 ip4:203.0.113 -all",
    "v=spf1 ip4:203.0.113.7/33 -all",
    "v=spf1 ip4:203.0.113.7/ -all",
    "v=spf1 ip4:203.0.113.7/024 -all",
    "v=spf1 ip4:2001:db8::1 -all",
    "v=spf1 ip6:2001:db8::/129 -all",
    "v=spf1 ip6:203.0.113.7 -all",
    "v=spf1 ip4 -all",
    "v=spf1 foo:bar -all",
    "v=spf1 include -all",
    "v=spf1 include: -all",
    "v=spf1 include:localhost -all",
    "v=spf1 include:example.123 -all",
    "v=spf1 a:%{z}.example -all",
    "v=spf1 exists:%{i0}.example -all",
    "v=spf1 exists:%{i -all",
    "v=spf1 -all/24",
    "v=spf1 all:example.com",
    "v=spf1 mx/24/ -all",
    "v=spf1 redirect=a.example redirect=b.example",
    "v=spf1 exp=a.example exp=b.example -all",
    "v=spf1 +redirect=a.example",
    "v=spf1 ip4:203.0.113.7 -all\001",
    /* the whole record is checked before anything is evaluated: */
    "v=spf1 ip4:203.0.113.7 bogus -all",
  };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      g_autoptr(DmdSpfEvaluation) ev = evaluate_record (records[i], "203.0.113.7");
      g_autofree char *why = NULL;

      g_test_message ("%s", records[i]);
      g_assert_cmpint (ev->result, ==, DMD_SPF_PERMERROR);
      g_assert_nonnull (ev->problem);
      g_assert_nonnull (strstr (ev->problem, "syntax error in the SPF record of t.example"));
      g_assert_null (ev->mechanism);
      g_assert_false (dmd_spf_record_check_syntax (records[i], &why));
      g_assert_nonnull (why);
    }

  {
    static const char *good[] = {
      "v=spf1", "v=spf1 -all", "v=spf1 a mx ptr -all", "v=spf1 a/24//64 mx:example.com/28 -all",
      "v=spf1 exists:%{ir}.%{v}.%{d2}._spf.example.com -all", "v=spf1 include:_spf.example.com. ~all",
      "v=spf1 redirect=_spf.example.com", "v=spf1 ip6:::1 ip4:0.0.0.0/0 ?all",
      "v=spf1 include:%{l1r-}.example.com -all", "v=spf1 a:mail.example.com//128 -all",
      "v=spf1 custom-mod_1.x=%{d} -all", "v=spf1 include:123-4.example.com-2 -all",
    };

    for (guint i = 0; i < G_N_ELEMENTS (good); i++)
      {
        g_autofree char *why = NULL;

        g_test_message ("%s", good[i]);
        g_assert_true (dmd_spf_record_check_syntax (good[i], &why));
        g_assert_null (why);
      }
  }
}

static void
test_not_spf (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver ("t.example TXT \"v=spf1a -all\"");
  g_autoptr(DmdSpfEvaluation) none = evaluate (resolver, "nospf.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) notxt = evaluate (resolver, "notxt.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) nxdomain = evaluate (resolver, "absent.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) prefix = evaluate (resolver, "t.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) bad = evaluate (resolver, "not a domain", "203.0.113.7");

  g_assert_cmpint (none->result, ==, DMD_SPF_NONE);
  g_assert_null (none->record);
  g_assert_cmpuint (none->n_records, ==, 0);
  g_assert_nonnull (strstr (none->problem, "nospf.example has no SPF record"));
  g_assert_cmpint (notxt->result, ==, DMD_SPF_NONE);
  g_assert_cmpint (nxdomain->result, ==, DMD_SPF_NONE);
  g_assert_cmpint (prefix->result, ==, DMD_SPF_NONE);   /* "v=spf1a" is not version 1 */
  g_assert_cmpint (bad->result, ==, DMD_SPF_NONE);
}

static void
test_multiple_records (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) ev = evaluate (resolver, "multiple.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) no_ip = evaluate (resolver, "multiple.example", NULL);
  g_autoptr(DmdSpfEvaluation) good = evaluate (resolver, "good.example", "203.0.113.7");

  g_assert_cmpint (ev->result, ==, DMD_SPF_PERMERROR);
  g_assert_cmpuint (ev->n_records, ==, 2);
  g_assert_cmpstr (ev->records[0], ==, "v=spf1 -all");
  g_assert_cmpstr (ev->records[1], ==, "v=spf1 include:spf.protection.outlook.com -all");
  g_assert_null (ev->records[2]);
  g_assert_nonnull (strstr (ev->problem, "multiple.example has 2 SPF records"));
  g_assert_cmpint (no_ip->result, ==, DMD_SPF_PERMERROR);

  /* other TXT records beside the SPF record do not count */
  g_assert_cmpint (good->result, ==, DMD_SPF_PASS);
  g_assert_cmpuint (good->n_records, ==, 1);
}

static void
test_split_strings (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) ev = evaluate (resolver, "split.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) ms = evaluate (resolver, "split.example", "40.107.1.1");

  g_assert_cmpstr (ev->record, ==, "v=spf1 ip4:203.0.113.0/24 include:spf.protection.outlook.com -all");
  g_assert_cmpint (ev->result, ==, DMD_SPF_PASS);
  g_assert_true (ev->microsoft_include);
  g_assert_true (ev->microsoft_include_direct);
  g_assert_cmpint (ms->result, ==, DMD_SPF_PASS);
  g_assert_cmpstr (ms->mechanism, ==, "include:spf.protection.outlook.com > ip4:40.107.0.0/16");
  g_assert_cmpstr (ms->mechanism_domain, ==, "spf.protection.outlook.com");
}

static void
test_includes (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) deep = evaluate (resolver, "deep.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) deep_miss = evaluate (resolver, "deep.example", "203.0.113.77");
  g_autoptr(DmdSpfEvaluation) nested = evaluate (resolver, "nested.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) nested_ms = evaluate (resolver, "nested.example", "51.4.72.9");
  g_autoptr(DmdSpfEvaluation) inc_none = evaluate (resolver, "inc-none.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) inc_temp = evaluate (resolver, "inc-servfail.example", "203.0.113.7");

  g_assert_cmpint (deep->result, ==, DMD_SPF_PASS);
  g_assert_cmpstr (deep->mechanism, ==, "include:l1.deep.example > include:l2.deep.example > ip4:203.0.113.0/28");
  g_assert_cmpstr (deep->mechanism_domain, ==, "l2.deep.example");
  g_assert_cmpuint (deep->lookups, ==, 2);

  /* A failing include does not match: evaluation goes on in the outer record. The inner
   * "?all" of l1 is a match there (neutral), which is not a pass: the include does not match. */
  g_assert_cmpint (deep_miss->result, ==, DMD_SPF_FAIL);
  g_assert_cmpstr (deep_miss->mechanism, ==, "-all");
  g_assert_cmpstr (deep_miss->mechanism_domain, ==, "deep.example");

  /* nested: include:_spf (1) > include:spf.protection (2) > include:spfd (3); ~all inside */
  g_assert_cmpint (nested->result, ==, DMD_SPF_FAIL);
  g_assert_cmpuint (nested->lookups, ==, 3);
  g_assert_true (nested->microsoft_include);
  g_assert_false (nested->microsoft_include_direct);
  g_assert_cmpint (nested_ms->result, ==, DMD_SPF_PASS);
  g_assert_cmpstr (nested_ms->mechanism, ==,
                   "include:_spf.nested.example > include:spf.protection.outlook.com > include:spfd.protection.outlook.com > ip4:51.4.72.0/24");

  g_assert_cmpint (inc_none->result, ==, DMD_SPF_PERMERROR);
  g_assert_nonnull (strstr (inc_none->problem, "include:notxt.example points to a domain without an SPF record"));
  g_assert_cmpint (inc_temp->result, ==, DMD_SPF_TEMPERROR);
  g_assert_nonnull (strstr (inc_temp->problem, "servfail.example"));
}

static void
test_loops (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) pair = evaluate (resolver, "loop-a.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) self = evaluate (resolver, "self.example", "203.0.113.7");
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  const DmdDnsFinding *f;

  /* The lookup limit ends the recursion … */
  g_assert_cmpint (pair->result, ==, DMD_SPF_PERMERROR);
  g_assert_cmpuint (pair->lookups, ==, DMD_SPF_MAX_LOOKUPS + 1);
  g_assert_nonnull (strstr (pair->problem, "more than 10 DNS lookups"));
  /* … and the walk names the loop. */
  g_assert_cmpstr (pair->loop, ==, "loop-a.example > loop-b.example > loop-a.example");
  g_assert_cmpint (self->result, ==, DMD_SPF_PERMERROR);
  g_assert_cmpstr (self->loop, ==, "self.example > self.example");
  /* each record was fetched once: the TXT answers are cached for one evaluation */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "loop-a.example", "TXT"), ==, 1);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "loop-b.example", "TXT"), ==, 1);

  outcome = dmd_spf_check (G_RESOLVER (resolver), "loop-a.example", "203.0.113.7", soon (), NULL);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
  f = find (outcome, "spf-invalid");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "more than 10 DNS lookups"));
  g_assert_nonnull (strstr (f->evidence, "v=spf1 include:loop-b.example -all"));
}

static void
test_lookup_limit (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) many = evaluate (resolver, "many.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) ten = NULL;
  g_autoptr(DmdSpfEvaluation) late = NULL;
  g_autoptr(DmdSpfEvaluation) late_ms = NULL;
  g_autoptr(DmdDnsOutcome) outcome = NULL;
  const DmdDnsFinding *f;

  g_assert_cmpint (many->result, ==, DMD_SPF_PERMERROR);
  g_assert_cmpuint (many->lookups, ==, 11);
  g_assert_cmpuint (many->tree_lookups, ==, 11);
  /* the evaluation stopped before the 11th include: only the walk fetched it */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "i10.many.example", "TXT"), ==, 1);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "i11.many.example", "TXT"), ==, 1);

  ten = evaluate (resolver, "ten.example", "203.0.113.7");
  late = evaluate (resolver, "manylate.example", "203.0.113.7");
  late_ms = evaluate (resolver, "manylate.example", "192.0.2.11");

  g_assert_cmpint (ten->result, ==, DMD_SPF_FAIL);
  g_assert_cmpuint (ten->lookups, ==, 10);
  g_assert_cmpuint (ten->tree_lookups, ==, 10);

  /* This IP passes before the limit; one matched by the last include does not. */
  g_assert_cmpint (late->result, ==, DMD_SPF_PASS);
  g_assert_cmpuint (late->lookups, ==, 0);
  g_assert_cmpuint (late->tree_lookups, ==, 11);
  g_assert_cmpint (late_ms->result, ==, DMD_SPF_PERMERROR);

  outcome = dmd_spf_check (G_RESOLVER (resolver), "manylate.example", "203.0.113.7", soon (), NULL);
  g_assert_null (find (outcome, "spf-missing-ip"));
  f = find (outcome, "spf-invalid");
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->evidence, "need 11 DNS lookups"));
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
}

static void
test_redirect (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) pass = evaluate (resolver, "redir.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) fail = evaluate (resolver, "redir.example", "198.51.100.7");
  g_autoptr(DmdSpfEvaluation) none = evaluate (resolver, "redir-none.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) ignored = evaluate (resolver, "redir-ignored.example", "203.0.113.7");

  g_assert_cmpint (pass->result, ==, DMD_SPF_PASS);
  g_assert_cmpstr (pass->mechanism, ==, "redirect=_spf.redir-target.example > ip4:203.0.113.0/24");
  g_assert_cmpuint (pass->lookups, ==, 1);
  g_assert_true (pass->microsoft_include);
  g_assert_false (pass->microsoft_include_direct);
  g_assert_cmpint (fail->result, ==, DMD_SPF_FAIL);
  g_assert_cmpstr (fail->mechanism, ==, "redirect=_spf.redir-target.example > -all");
  g_assert_cmpint (none->result, ==, DMD_SPF_PERMERROR);
  g_assert_nonnull (strstr (none->problem, "redirect=nospf.example points to a domain without an SPF record"));
  /* redirect= is ignored when the record has "all" */
  g_assert_cmpint (ignored->result, ==, DMD_SPF_NEUTRAL);
  g_assert_cmpuint (ignored->lookups, ==, 0);
  /* fetched by the two evaluations of redir.example, not by redir-ignored.example */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "_spf.redir-target.example", NULL), ==, 2);
}

static void
test_a_mx (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  static const struct {
    const char   *domain;
    const char   *ip;
    DmdSpfResult  result;
    const char   *mechanism;
  } cases[] = {
    { "acidr.example",  "203.0.113.7",      DMD_SPF_PASS, "a/24" },
    { "acidr.example",  "203.0.114.7",      DMD_SPF_FAIL, "-all" },
    { "adom.example",   "203.0.113.7",      DMD_SPF_PASS, "a:host.adom.example" },
    { "adom.example",   "203.0.113.8",      DMD_SPF_FAIL, "-all" },
    { "mxcidr.example", "203.0.113.7",      DMD_SPF_PASS, "mx/28" },
    { "mxcidr.example", "198.51.100.15",    DMD_SPF_PASS, "mx/28" },
    { "mxcidr.example", "203.0.113.20",     DMD_SPF_FAIL, "-all" },
    { "a6.example",     "2001:db8:1::abcd", DMD_SPF_PASS, "a//64" },
    { "a6.example",     "2001:db8:2::1",    DMD_SPF_FAIL, "-all" },
    { "a6.example",     "203.0.113.7",      DMD_SPF_FAIL, "-all" },
    { "mx6.example",    "2001:db8:5:ffff::1", DMD_SPF_PASS, "mx:mx6.example/32//48" },
    { "mx6.example",    "2001:db8:6::1",    DMD_SPF_FAIL, "-all" },
    { "mx6.example",    "192.0.2.99",       DMD_SPF_PASS, "mx:mx6.example/32//48" },
    { "mx6.example",    "192.0.2.98",       DMD_SPF_FAIL, "-all" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdSpfEvaluation) ev = evaluate (resolver, cases[i].domain, cases[i].ip);

      g_test_message ("%s for %s", cases[i].domain, cases[i].ip);
      g_assert_cmpint (ev->result, ==, cases[i].result);
      g_assert_cmpstr (ev->mechanism, ==, cases[i].mechanism);
      g_assert_cmpuint (ev->lookups, ==, 1);
    }

  /* the address lookups follow the IP's family */
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "a6.example", "AAAA"), ==, 2);
  g_assert_cmpuint (dmd_test_resolver_get_query_count (resolver, "a6.example", "A"), ==, 1);

  {
    g_autoptr(DmdSpfEvaluation) big = evaluate (resolver, "bigmx.example", "203.0.113.7");

    g_assert_cmpint (big->result, ==, DMD_SPF_PERMERROR);
    g_assert_nonnull (strstr (big->problem, "more than 10 MX hosts"));
  }
}

static void
test_void_ptr_exists (void)
{
  static const Case cases[] = {
    /* void lookups: two are allowed, the third is a permerror */
    { "v=spf1 a:void1.example a:void2.example -all",                 "203.0.113.7", DMD_SPF_FAIL,      "-all" },
    { "v=spf1 a:void1.example a:void2.example mx:void3.example -all", "203.0.113.7", DMD_SPF_PERMERROR, NULL },
    /* ptr counts, never matches */
    { "v=spf1 ptr -all",                                             "203.0.113.7", DMD_SPF_FAIL,      "-all" },
    { "v=spf1 ptr:example.com ?all",                                 "203.0.113.7", DMD_SPF_NEUTRAL,   "?all" },
    /* exists with macros */
    { "v=spf1 exists:%{i}._spf.exists.example -all",                 "203.0.113.7", DMD_SPF_PASS,      "exists:%{i}._spf.exists.example" },
    { "v=spf1 exists:%{i}._spf.exists.example -all",                 "203.0.113.8", DMD_SPF_FAIL,      "-all" },
    { "v=spf1 exists:%{ir}.%{v}._spf.exists.example -all",           "203.0.113.7", DMD_SPF_PASS,      "exists:%{ir}.%{v}._spf.exists.example" },
    { "v=spf1 include:exists.example -all",                          "203.0.113.7", DMD_SPF_PASS,      "include:exists.example > exists:%{i}._spf.exists.example" },
    /* %{d} and %{d1} */
    { "v=spf1 a:host.a%{d1}.example -all",                           "203.0.113.7", DMD_SPF_FAIL,      "-all" },
    { "v=spf1 include:%{d}.alias.example -all",                      "203.0.113.7", DMD_SPF_PASS,      "include:%{d}.alias.example > ip4:203.0.113.7" },
  };
  g_autoptr(DmdSpfEvaluation) ptr = evaluate_record ("v=spf1 ptr -all", "203.0.113.7");

  /* the zone for the alias case */
  {
    g_autoptr(DmdTestResolver) resolver = spf_resolver ("t.example.alias.example TXT \"v=spf1 ip4:203.0.113.7 -all\"\n"
                                                        "t.example TXT \"v=spf1 include:%{d}.alias.example -all\"");
    g_autoptr(DmdSpfEvaluation) ev = evaluate (resolver, "t.example", "203.0.113.7");

    g_assert_cmpint (ev->result, ==, DMD_SPF_PASS);
    g_assert_cmpstr (ev->mechanism, ==, cases[9].mechanism);
  }
  run_cases (cases, G_N_ELEMENTS (cases) - 1);
  g_assert_cmpuint (ptr->lookups, ==, 1);
}

static void
test_dns_failures (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver (NULL);
  g_autoptr(DmdSpfEvaluation) servfail = evaluate (resolver, "servfail.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) slow = dmd_spf_evaluate (G_RESOLVER (resolver), "slow.example", "203.0.113.7",
                                                       NULL, dmd_deadline_in (0.05), NULL);
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  g_assert_cmpint (servfail->result, ==, DMD_SPF_TEMPERROR);
  g_assert_nonnull (servfail->problem);
  g_assert_cmpint (slow->result, ==, DMD_SPF_TEMPERROR);
  g_assert_nonnull (strstr (slow->problem, "no answer before the deadline"));
  g_assert_false (slow->cancelled);

  outcome = dmd_spf_check (G_RESOLVER (resolver), "servfail.example", "203.0.113.7", soon (), NULL);
  g_assert_cmpint (outcome->status, ==, DMD_CHECK_WARN);
  g_assert_cmpuint (outcome->findings->len, ==, 0);
  g_assert_nonnull (strstr (outcome->summary, "could not be checked"));
}

typedef struct {
  DmdTestResolver *resolver;
  GCancellable    *cancellable;
} Canceller;

static gpointer
canceller_thread (gpointer data)
{
  Canceller *c = data;

  while (dmd_test_resolver_get_pending (c->resolver) < 1)
    g_usleep (1000);
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver ("stall.example TXT \"v=spf1 include:slow.example -all\"");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller c = { resolver, cancellable };
  GThread *thread = g_thread_new ("canceller", canceller_thread, &c);
  g_autoptr(DmdDnsOutcome) outcome = NULL;

  /* No deadline: only the cancel ends the stalled include. */
  outcome = dmd_spf_check (G_RESOLVER (resolver), "stall.example", "203.0.113.7", -1, cancellable);
  g_thread_join (thread);
  g_assert_true (outcome->cancelled);
  g_assert_cmpuint (outcome->findings->len, ==, 0);
  g_assert_cmpuint (dmd_test_resolver_get_pending (resolver), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* The spf check                                                                              */

static void
test_check_findings (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver ("ctl.example TXT \"v=spf1 ip4:192.0.2.1\\001\\027[31m -all\"");
  const DmdDnsFinding *f;

  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "good.example", "203.0.113.7", soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_PASS);
    g_assert_cmpuint (o->findings->len, ==, 0);
    g_assert_nonnull (strstr (o->summary, "authorises 203.0.113.7"));
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "soft.example", "[203.0.113.7]", soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_WARN);
    g_assert_cmpuint (o->findings->len, ==, 1);
    f = find (o, "spf-missing-ip");
    g_assert_nonnull (f);
    g_assert_cmpstr (f->evidence, ==,
                     "203.0.113.7 is not authorised by the SPF record of soft.example (result: softfail, decided by “~all”): "
                     "v=spf1 include:spf.protection.outlook.com ~all");
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "nomsft.example", "203.0.113.7", soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_PASS);   /* info only */
    g_assert_cmpuint (o->findings->len, ==, 1);
    f = find (o, "spf-no-microsoft-include");
    g_assert_nonnull (f);
    g_assert_cmpstr (f->evidence, ==,
                     "The SPF record of nomsft.example does not include spf.protection.outlook.com: v=spf1 ip4:203.0.113.7 -all");
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "nested.example", "198.51.100.9", soon (), NULL);

    g_assert_cmpuint (o->findings->len, ==, 0);
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "nospf.example", "203.0.113.7", soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_WARN);
    g_assert_cmpuint (o->findings->len, ==, 1);
    f = find (o, "spf-missing-record");
    g_assert_nonnull (f);
    g_assert_nonnull (strstr (f->evidence, "nospf.example has no SPF record"));
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "multiple.example", "203.0.113.7", soon (), NULL);

    f = find (o, "spf-invalid");
    g_assert_nonnull (f);
    g_assert_nonnull (strstr (f->evidence, "multiple.example has 2 SPF records; there must be one"));
    g_assert_nonnull (strstr (f->evidence, "“v=spf1 -all”; “v=spf1 include:spf.protection.outlook.com -all”"));
    g_assert_null (find (o, "spf-no-microsoft-include"));
    g_assert_null (find (o, "spf-missing-ip"));
  }
  {
    /* no public IP: record and tree only */
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "soft.example", NULL, soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_PASS);
    g_assert_cmpuint (o->findings->len, ==, 0);
  }
  {
    /* server-controlled text is escaped */
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), "ctl.example", "203.0.113.7", soon (), NULL);

    f = find (o, "spf-invalid");
    g_assert_nonnull (f);
    g_assert_null (strchr (f->evidence, '\033'));
    g_assert_null (strchr (f->evidence, '\001'));
    g_assert_nonnull (strstr (f->evidence, "\\x1B[31m"));
    for (guint i = 0; i < o->lines->len; i++)
      g_assert_null (strchr (g_ptr_array_index (o->lines, i), '\033'));
  }
  {
    g_autoptr(DmdDnsOutcome) o = dmd_spf_check (G_RESOLVER (resolver), NULL, "203.0.113.7", soon (), NULL);

    g_assert_cmpint (o->status, ==, DMD_CHECK_SKIP);
  }
}

static void
test_microsoft_include_walk (void)
{
  g_autoptr(DmdTestResolver) resolver = spf_resolver ("inc-late.example TXT \"v=spf1 ip4:203.0.113.7 include:_x.inc-late.example -all\"\n"
                                                      "_x.inc-late.example TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n"
                                                      "inc-broken.example TXT \"v=spf1 include:servfail.example -all\"\n"
                                                      "inc-macro.example TXT \"v=spf1 include:%{l}.x.example -all\"\n"
                                                      "after-all.example TXT \"v=spf1 -all include:spf.protection.outlook.com\"\n");
  g_autoptr(DmdSpfEvaluation) late = evaluate (resolver, "inc-late.example", "203.0.113.7");
  g_autoptr(DmdSpfEvaluation) broken = evaluate (resolver, "inc-broken.example", NULL);
  g_autoptr(DmdSpfEvaluation) macro = evaluate (resolver, "inc-macro.example", NULL);
  g_autoptr(DmdSpfEvaluation) after = evaluate (resolver, "after-all.example", NULL);
  g_autoptr(DmdDnsOutcome) broken_outcome = NULL;

  /* The evaluation stopped at ip4:, the walk still finds Microsoft behind the include. */
  g_assert_cmpint (late->result, ==, DMD_SPF_PASS);
  g_assert_cmpuint (late->lookups, ==, 0);
  g_assert_true (late->microsoft_include);
  g_assert_false (late->microsoft_include_direct);
  g_assert_true (late->tree_complete);
  g_assert_cmpuint (late->tree_lookups, ==, 3);

  /* A part of the tree that cannot be fetched: no claim either way. */
  g_assert_false (broken->tree_complete);
  g_assert_false (broken->microsoft_include);
  broken_outcome = dmd_spf_check (G_RESOLVER (resolver), "inc-broken.example", NULL, soon (), NULL);
  g_assert_null (find (broken_outcome, "spf-no-microsoft-include"));
  g_assert_false (macro->tree_complete);

  /* terms after "all" are never looked at */
  g_assert_false (after->microsoft_include);
  g_assert_cmpuint (after->tree_lookups, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/spf/ip4", test_ip4);
  g_test_add_func ("/dmd/spf/ip6", test_ip6);
  g_test_add_func ("/dmd/spf/syntax-errors", test_syntax_errors);
  g_test_add_func ("/dmd/spf/not-spf", test_not_spf);
  g_test_add_func ("/dmd/spf/multiple-records", test_multiple_records);
  g_test_add_func ("/dmd/spf/split-strings", test_split_strings);
  g_test_add_func ("/dmd/spf/includes", test_includes);
  g_test_add_func ("/dmd/spf/loops", test_loops);
  g_test_add_func ("/dmd/spf/lookup-limit", test_lookup_limit);
  g_test_add_func ("/dmd/spf/redirect", test_redirect);
  g_test_add_func ("/dmd/spf/a-mx", test_a_mx);
  g_test_add_func ("/dmd/spf/void-ptr-exists", test_void_ptr_exists);
  g_test_add_func ("/dmd/spf/dns-failures", test_dns_failures);
  g_test_add_func ("/dmd/spf/cancel", test_cancel);
  g_test_add_func ("/dmd/spf/check-findings", test_check_findings);
  g_test_add_func ("/dmd/spf/microsoft-include-walk", test_microsoft_include_walk);

  return g_test_run ();
}
