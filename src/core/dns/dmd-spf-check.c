/* dmd-spf-check.c — the "spf" check of Direct Send and relay: an SPF evaluation in findings
 *
 * Findings: spf-missing-record, spf-invalid (the record, several records, the lookups of the
 * whole tree, a loop), spf-missing-ip, spf-no-microsoft-include (dmd-spf.h says when). The
 * records come from DNS: every one is escaped and cut before it is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-spf.h"

#define EVIDENCE_RECORD  450

/* What the check shows of the evaluation (escaped). */
typedef struct {
  const DmdSpfEvaluation *ev;
  char                   *domain;
  char                   *record;   /* the first record, cut to EVIDENCE_RECORD */
} Shown;

/* permerror: the reason, with every record when there are several. */
static void
check_permerror (DmdDnsOutcome *outcome,
                 const Shown   *shown)
{
  const DmdSpfEvaluation *ev = shown->ev;
  g_autofree char *evidence = NULL;

  if (ev->n_records > 1)
    {
      GString *all = g_string_new (NULL);

      for (guint i = 0; ev->records[i] != NULL; i++)
        {
          g_autofree char *record = dmd_dns_escape_text (ev->records[i], EVIDENCE_RECORD);

          g_string_append_printf (all, "%s“%s”", i > 0 ? "; " : "", record);
        }
      evidence = g_strdup_printf ("%s: %s", ev->problem, all->str);
      g_string_free (all, TRUE);
    }
  else
    evidence = g_strdup_printf (_("%s — SPF record of %s: %s"), ev->problem, shown->domain,
                                shown->record);
  dmd_dns_outcome_add_finding (outcome, "spf-invalid", evidence);
  dmd_dns_outcome_add_line (outcome, _("SPF result: permerror (%s)"), ev->problem);
  outcome->summary = g_strdup_printf (_("The SPF record of %s is invalid: receivers treat SPF "
                                        "as failed"), shown->domain);
}

/* pass, fail, softfail, neutral: for the public IP, when it is known. */
static void
check_evaluated (DmdDnsOutcome *outcome,
                 const Shown   *shown)
{
  const DmdSpfEvaluation *ev = shown->ev;
  const char *result = dmd_spf_result_to_string (ev->result);
  g_autofree char *decided = NULL;
  g_autofree char *evidence = NULL;

  if (ev->ip == NULL)
    {
      dmd_dns_outcome_add_line (outcome, _("The public IP is not known: the record was checked "
                                           "but not evaluated"));
      outcome->summary = g_strdup_printf (_("%s has an SPF record; the public IP is not known"),
                                          shown->domain);
      return;
    }

  decided = ev->mechanism != NULL ? dmd_dns_escape_text (ev->mechanism, 300)
                                  : g_strdup (_("no mechanism matched"));
  dmd_dns_outcome_add_line (outcome,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "SPF result for %s: %s (%s), %u DNS lookup",
                                         "SPF result for %s: %s (%s), %u DNS lookups",
                                         ev->lookups),
                            ev->ip, result, decided, ev->lookups);
  if (ev->result == DMD_SPF_PASS)
    {
      outcome->summary = g_strdup_printf (_("The SPF record of %s authorises %s"),
                                          shown->domain, ev->ip);
      return;
    }
  evidence = g_strdup_printf (_("%s is not authorised by the SPF record of %s (result: %s, "
                                "decided by “%s”): %s"),
                              ev->ip, shown->domain, result, decided, shown->record);
  dmd_dns_outcome_add_finding (outcome, "spf-missing-ip", evidence);
  outcome->summary = g_strdup_printf (_("The SPF record of %s does not authorise %s"),
                                      shown->domain, ev->ip);
}

/* The whole include/redirect tree, whatever this IP's evaluation reached: a loop, too many
 * lookups, Microsoft's include. */
static void
check_tree (DmdDnsOutcome *outcome,
            const Shown   *shown)
{
  const DmdSpfEvaluation *ev = shown->ev;
  gboolean invalid = dmd_dns_outcome_has_finding (outcome, "spf-invalid");

  if (ev->loop != NULL && !invalid)
    {
      g_autofree char *loop = dmd_dns_escape_text (ev->loop, 300);
      g_autofree char *evidence =
        g_strdup_printf (_("The includes of the SPF record of %s form a loop (%s): receivers "
                           "fail it with permerror — %s"),
                         shown->domain, loop, shown->record);

      dmd_dns_outcome_add_finding (outcome, "spf-invalid", evidence);
    }
  else if (ev->tree_lookups > DMD_SPF_MAX_LOOKUPS && !invalid)
    {
      g_autofree char *evidence =
        g_strdup_printf (_("The SPF record of %s and its includes need %u DNS lookups; "
                           "receivers stop at %u (permerror) for any sender not matched "
                           "before: %s"),
                         shown->domain, ev->tree_lookups, DMD_SPF_MAX_LOOKUPS, shown->record);

      dmd_dns_outcome_add_finding (outcome, "spf-invalid", evidence);
    }
  if (ev->n_records == 1)
    dmd_dns_outcome_add_line (outcome,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "The record and its includes need up to %u DNS "
                                           "lookup (the limit is 10)",
                                           "The record and its includes need up to %u DNS "
                                           "lookups (the limit is 10)",
                                           ev->tree_lookups),
                              ev->tree_lookups);

  if (ev->n_records == 1 && ev->tree_complete && !ev->microsoft_include)
    {
      g_autofree char *evidence =
        g_strdup_printf (_("The SPF record of %s does not include spf.protection.outlook.com: "
                           "%s"),
                         shown->domain, shown->record);

      dmd_dns_outcome_add_finding (outcome, "spf-no-microsoft-include", evidence);
    }
  else if (ev->microsoft_include && !ev->microsoft_include_direct)
    dmd_dns_outcome_add_line (outcome,
                              _("spf.protection.outlook.com is included through another "
                                "include"));
}

DmdDnsOutcome *
dmd_spf_check (GResolver    *resolver,
               const char   *domain,
               const char   *public_ip,
               gint64        deadline,
               GCancellable *cancellable)
{
  DmdDnsOutcome *outcome = dmd_dns_outcome_new ();
  g_autoptr(DmdSpfEvaluation) ev = NULL;
  g_autofree char *shown_domain = NULL;
  g_autofree char *shown_record = NULL;
  Shown shown;

  if (domain == NULL || *domain == '\0')
    {
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("No sender domain: SPF was not checked"));
      return outcome;
    }

  ev = dmd_spf_evaluate (resolver, domain, public_ip, NULL, deadline, cancellable);
  if (ev->cancelled)
    {
      outcome->cancelled = TRUE;
      outcome->status = DMD_CHECK_SKIP;
      outcome->summary = g_strdup (_("Cancelled"));
      return outcome;
    }
  shown_domain = dmd_dns_escape_text (ev->domain, 255);
  shown_record = dmd_dns_escape_text (ev->record, EVIDENCE_RECORD);
  shown = (Shown) { ev, shown_domain, shown_record };

  for (guint i = 0; ev->records[i] != NULL; i++)
    {
      g_autofree char *record = dmd_dns_escape_text (ev->records[i], 1000);

      dmd_dns_outcome_add_line (outcome, _("SPF record of %s: %s"), shown_domain, record);
    }

  switch (ev->result)
    {
    case DMD_SPF_NONE:
      dmd_dns_outcome_add_finding (outcome, "spf-missing-record", ev->problem);
      dmd_dns_outcome_add_line (outcome, "%s", ev->problem);
      outcome->summary = g_strdup_printf (_("%s has no SPF record"), shown_domain);
      break;

    case DMD_SPF_TEMPERROR:
      dmd_dns_outcome_add_line (outcome, "%s", ev->problem);
      outcome->status = DMD_CHECK_WARN;
      outcome->summary = g_strdup_printf (_("The SPF record of %s could not be checked: %s"),
                                          shown_domain, ev->problem);
      return outcome;

    case DMD_SPF_PERMERROR:
      check_permerror (outcome, &shown);
      break;

    case DMD_SPF_PASS:
    case DMD_SPF_FAIL:
    case DMD_SPF_SOFTFAIL:
    case DMD_SPF_NEUTRAL:
    default:
      check_evaluated (outcome, &shown);
      break;
    }

  check_tree (outcome, &shown);

  if (dmd_dns_outcome_has_finding (outcome, "spf-missing-record") ||
      dmd_dns_outcome_has_finding (outcome, "spf-invalid") ||
      dmd_dns_outcome_has_finding (outcome, "spf-missing-ip"))
    outcome->status = DMD_CHECK_WARN;
  return outcome;
}
