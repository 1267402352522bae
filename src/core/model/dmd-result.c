/* dmd-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-result.h"

DmdTranscriptLine *
dmd_transcript_line_new (char        dir,
                         const char *text)
{
  DmdTranscriptLine *line = g_new0 (DmdTranscriptLine, 1);

  line->dir = dir;
  line->text = g_strdup (text ? text : "");
  return line;
}

void
dmd_transcript_line_free (DmdTranscriptLine *line)
{
  if (line == NULL)
    return;
  g_free (line->text);
  g_free (line);
}

DmdCheck *
dmd_check_new (const char *id)
{
  DmdCheck *check = g_new0 (DmdCheck, 1);

  check->id = g_strdup (id);
  check->status = DMD_CHECK_PENDING;
  check->transcript = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_transcript_line_free);
  return check;
}

void
dmd_check_free (DmdCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->id);
  g_free (check->summary);
  g_ptr_array_unref (check->transcript);
  g_free (check);
}

void
dmd_check_add_line (DmdCheck   *check,
                    char        dir,
                    const char *text)
{
  g_return_if_fail (check != NULL);
  g_ptr_array_add (check->transcript, dmd_transcript_line_new (dir, text));
}

static void
fix_free (DmdFix *fix)
{
  g_free (fix->text);
  g_free (fix->command);
  g_free (fix->url);
  g_free (fix);
}

DmdFinding *
dmd_finding_new (const char  *id,
                 DmdSeverity  severity)
{
  DmdFinding *finding = g_new0 (DmdFinding, 1);

  finding->id = g_strdup (id);
  finding->severity = severity;
  finding->fixes = g_ptr_array_new_with_free_func ((GDestroyNotify) fix_free);
  return finding;
}

void
dmd_finding_free (DmdFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->id);
  g_free (finding->check);
  g_free (finding->title);
  g_free (finding->explanation);
  g_free (finding->evidence);
  g_ptr_array_unref (finding->fixes);
  g_free (finding);
}

void
dmd_finding_add_fix (DmdFinding  *finding,
                     const char  *text,
                     const char  *command,
                     const char  *url,
                     DmdAudience  audience)
{
  DmdFix *fix;

  g_return_if_fail (finding != NULL);

  fix = g_new0 (DmdFix, 1);
  fix->text = g_strdup (text);
  fix->command = g_strdup (command);
  fix->url = g_strdup (url);
  fix->audience = audience;
  g_ptr_array_add (finding->fixes, fix);
}

DmdCertInfo *
dmd_cert_info_new (void)
{
  DmdCertInfo *info = g_new0 (DmdCertInfo, 1);

  info->sans = g_ptr_array_new_with_free_func (g_free);
  return info;
}

DmdCertInfo *
dmd_cert_info_copy (const DmdCertInfo *info)
{
  DmdCertInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = dmd_cert_info_new ();
  copy->subject = g_strdup (info->subject);
  copy->issuer = g_strdup (info->issuer);
  for (guint i = 0; i < info->sans->len; i++)
    g_ptr_array_add (copy->sans, g_strdup (g_ptr_array_index (info->sans, i)));
  copy->not_before = g_strdup (info->not_before);
  copy->not_after = g_strdup (info->not_after);
  copy->sha256 = g_strdup (info->sha256);
  return copy;
}

void
dmd_cert_info_free (DmdCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->subject);
  g_free (info->issuer);
  g_ptr_array_unref (info->sans);
  g_free (info->not_before);
  g_free (info->not_after);
  g_free (info->sha256);
  g_free (info);
}

DmdSettingRow *
dmd_setting_row_new (const char *name,
                     const char *label,
                     const char *recommended,
                     const char *entered,
                     const char *status)
{
  DmdSettingRow *row = g_new0 (DmdSettingRow, 1);

  row->name = g_strdup (name);
  row->label = g_strdup (label);
  row->recommended = g_strdup (recommended);
  row->entered = g_strdup (entered);
  row->status = g_strdup (status);
  return row;
}

void
dmd_setting_row_free (DmdSettingRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->label);
  g_free (row->recommended);
  g_free (row->entered);
  g_free (row->status);
  g_free (row);
}

const char *
dmd_tls_version_state_to_string (DmdTlsVersionState state)
{
  switch (state)
    {
    case DMD_TLS_VERSION_UNTESTED:     return "untested";
    case DMD_TLS_VERSION_ACCEPTED:     return "accepted";
    case DMD_TLS_VERSION_REFUSED:      return "refused";
    case DMD_TLS_VERSION_NOT_TESTABLE: return "not-testable";
    default:                           g_return_val_if_reached (NULL);
    }
}

DmdResult *
dmd_result_new (DmdOption option)
{
  DmdResult *result = g_new0 (DmdResult, 1);

  result->ref_count = 1;
  result->option = option;
  result->generated = g_date_time_new_now_utc ();
  result->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_check_free);
  result->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_finding_free);
  result->recommended = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_setting_row_free);
  result->transcript = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_transcript_line_free);
  result->network.chain = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_cert_info_free);
  return result;
}

DmdResult *
dmd_result_ref (DmdResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_int_inc (&result->ref_count);
  return result;
}

void
dmd_result_unref (DmdResult *result)
{
  DmdNetwork *net;

  if (result == NULL || !g_atomic_int_dec_and_test (&result->ref_count))
    return;

  net = &result->network;
  g_free (net->public_ip);
  g_free (net->address_family);
  g_free (net->peer_address);
  g_free (net->tls_negotiated);
  g_free (net->tls_cipher);
  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    g_free (net->versions[i].detail);
  g_ptr_array_unref (net->chain);
  g_free (net->cert_problem);
  g_clear_pointer (&net->client_cert, dmd_cert_info_free);

  g_date_time_unref (result->generated);
  g_ptr_array_unref (result->checks);
  g_ptr_array_unref (result->findings);
  g_ptr_array_unref (result->recommended);
  g_ptr_array_unref (result->transcript);
  g_clear_pointer (&result->oauth_claims, dmd_oauth_claims_free);
  g_free (result);
}

DmdOAuthClaims *
dmd_oauth_claims_copy (const DmdOAuthClaims *claims)
{
  DmdOAuthClaims *copy;

  g_return_val_if_fail (claims != NULL, NULL);

  copy = g_new0 (DmdOAuthClaims, 1);
  copy->flow = g_strdup (claims->flow);
  copy->audience = g_strdup (claims->audience);
  copy->scopes = g_strdup (claims->scopes);
  copy->roles = g_strdup (claims->roles);
  copy->user = g_strdup (claims->user);
  copy->tenant_id = g_strdup (claims->tenant_id);
  copy->app_id = g_strdup (claims->app_id);
  copy->expires = claims->expires;
  return copy;
}

void
dmd_oauth_claims_free (DmdOAuthClaims *claims)
{
  if (claims == NULL)
    return;
  g_free (claims->flow);
  g_free (claims->audience);
  g_free (claims->scopes);
  g_free (claims->roles);
  g_free (claims->user);
  g_free (claims->tenant_id);
  g_free (claims->app_id);
  g_free (claims);
}

DmdCheck *
dmd_result_add_check (DmdResult  *result,
                      const char *id)
{
  DmdCheck *check;

  g_return_val_if_fail (result != NULL, NULL);

  check = dmd_result_get_check (result, id);
  if (check != NULL)
    return check;
  check = dmd_check_new (id);
  g_ptr_array_add (result->checks, check);
  return check;
}

DmdCheck *
dmd_result_get_check (DmdResult  *result,
                      const char *id)
{
  g_return_val_if_fail (result != NULL, NULL);

  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      if (g_strcmp0 (check->id, id) == 0)
        return check;
    }
  return NULL;
}

void
dmd_result_add_finding (DmdResult  *result,
                        DmdFinding *finding)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (finding != NULL);

  /* One finding per id: the first evidence wins, the rest adds nothing the user can act on. */
  if (dmd_result_has_finding (result, finding->id))
    {
      dmd_finding_free (finding);
      return;
    }
  g_ptr_array_add (result->findings, finding);
}

gboolean
dmd_result_has_finding (DmdResult  *result,
                        const char *id)
{
  g_return_val_if_fail (result != NULL, FALSE);

  for (guint i = 0; i < result->findings->len; i++)
    {
      DmdFinding *finding = g_ptr_array_index (result->findings, i);
      if (g_strcmp0 (finding->id, id) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Appends the findings about `check` (of_check) or about anything else (!of_check), all of
 * them when check is NULL; most severe first, stable. */
static void
append_by_severity (GPtrArray  *into,
                    GPtrArray  *findings,
                    const char *check,
                    gboolean    of_check)
{
  for (int sev = DMD_SEVERITY_ERROR; sev >= DMD_SEVERITY_INFO; sev--)
    for (guint i = 0; i < findings->len; i++)
      {
        DmdFinding *f = g_ptr_array_index (findings, i);

        if ((int) f->severity == sev &&
            (check == NULL || (g_strcmp0 (f->check, check) == 0) == of_check))
          g_ptr_array_add (into, f);
      }
}

void
dmd_result_sort_findings (DmdResult *result)
{
  g_autoptr(GPtrArray) sorted = NULL;
  DmdCheck *failed;

  g_return_if_fail (result != NULL);

  /* The failed check's findings lead (the headline's first step), then the rest by severity. */
  failed = dmd_result_get_failed_check (result);
  sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_finding_free);
  if (failed != NULL)
    {
      append_by_severity (sorted, result->findings, failed->id, TRUE);
      append_by_severity (sorted, result->findings, failed->id, FALSE);
    }
  else
    append_by_severity (sorted, result->findings, NULL, FALSE);
  g_ptr_array_set_free_func (result->findings, NULL);
  g_ptr_array_unref (result->findings);
  result->findings = g_steal_pointer (&sorted);
}

guint
dmd_result_count_severity (DmdResult   *result,
                           DmdSeverity  severity)
{
  guint n = 0;

  g_return_val_if_fail (result != NULL, 0);

  for (guint i = 0; i < result->findings->len; i++)
    {
      DmdFinding *f = g_ptr_array_index (result->findings, i);
      if (f->severity == severity)
        n++;
    }
  return n;
}

gboolean
dmd_check_is_temporary_refusal (const DmdCheck *check)
{
  g_return_val_if_fail (check != NULL, FALSE);

  return check->reply_code >= 400 && check->reply_code < 500 && check->reply_class != 5;
}

/* Dialogue order: when several checks failed, the first of them caused the rest (or is the
 * settings' own problem); the side checks (TLS versions, SPF, blocklists) come last. */
static guint
check_rank (const char *id)
{
  static const char *order[] = {
    "config", "dns", "connect", "banner", "ehlo", "starttls", "tls", "oauth", "auth",
    "mail-from", "rcpt-to", "data", "tls-versions", "spf", "blocklist",
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (order[i], id) == 0)
      return i;
  return G_N_ELEMENTS (order);
}

DmdCheck *
dmd_checks_get_failed (GPtrArray *checks)
{
  DmdCheck *best = NULL;

  g_return_val_if_fail (checks != NULL, NULL);

  for (guint i = 0; i < checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (checks, i);
      gboolean temporary;

      if (check->status != DMD_CHECK_FAIL)
        continue;
      temporary = dmd_check_is_temporary_refusal (check);
      if (best == NULL)
        best = check;
      else if (temporary != dmd_check_is_temporary_refusal (best))
        best = temporary ? best : check;
      else if (check_rank (check->id) < check_rank (best->id))
        best = check;
    }
  return best;
}

DmdVerdict
dmd_verdict_derive (GPtrArray *checks,
                    GPtrArray *findings,
                    gboolean   cancelled)
{
  gboolean failed = FALSE;
  gboolean temporary = TRUE;
  gboolean unfinished = cancelled;
  gboolean warning = FALSE;
  gboolean error = FALSE;

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      const DmdCheck *check = g_ptr_array_index (checks, i);

      switch (check->status)
        {
        case DMD_CHECK_FAIL:
          failed = TRUE;
          if (!dmd_check_is_temporary_refusal (check))
            temporary = FALSE;
          break;
        case DMD_CHECK_WARN:
          warning = TRUE;
          break;
        case DMD_CHECK_PENDING:
        case DMD_CHECK_RUNNING:
          unfinished = TRUE;
          break;
        case DMD_CHECK_PASS:
        case DMD_CHECK_SKIP:
        default:
          break;
        }
    }
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      const DmdFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity == DMD_SEVERITY_ERROR)
        error = TRUE;
      else if (finding->severity == DMD_SEVERITY_WARNING)
        warning = TRUE;
    }

  if (failed)
    return temporary && !error ? DMD_VERDICT_RETRY : DMD_VERDICT_FAIL;
  if (error)
    return DMD_VERDICT_FAIL;
  if (warning || unfinished)
    return DMD_VERDICT_WARN;
  return DMD_VERDICT_PASS;
}

DmdVerdict
dmd_result_get_verdict (DmdResult *result)
{
  g_return_val_if_fail (result != NULL, DMD_VERDICT_FAIL);

  return dmd_verdict_derive (result->checks, result->findings, result->cancelled);
}

const char *
dmd_result_verdict (DmdResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return dmd_verdict_to_string (dmd_result_get_verdict (result));
}

DmdCheck *
dmd_result_get_failed_check (DmdResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return dmd_checks_get_failed (result->checks);
}

/* The most severe finding of `check` (any check when NULL), the first of equals; with
 * problems_only, never a note. */
static DmdFinding *
most_severe (GPtrArray  *findings,
             const char *check,
             gboolean    problems_only)
{
  DmdFinding *top = NULL;

  for (guint i = 0; i < findings->len; i++)
    {
      DmdFinding *finding = g_ptr_array_index (findings, i);

      if (check != NULL && g_strcmp0 (finding->check, check) != 0)
        continue;
      if (problems_only && finding->severity == DMD_SEVERITY_INFO)
        continue;
      if (top == NULL || finding->severity > top->severity)
        top = finding;
    }
  return top;
}

DmdFinding *
dmd_result_get_top_finding (DmdResult *result)
{
  DmdCheck *failed;
  DmdFinding *top = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  failed = dmd_result_get_failed_check (result);
  if (failed != NULL)
    top = most_severe (result->findings, failed->id, FALSE);
  if (top == NULL)
    top = most_severe (result->findings, NULL, TRUE);
  return top;
}
