/* dmd-checkup-steps.c — the dialogue as a table of steps, and the loop that runs it
 *
 * One row per step of the dialogue with the server, in order: its check id (its title is
 * dmd_check_title's, in dmd-words.c, as every check's), which
 * options and settings run it, what earlier steps must have established, the function that
 * runs it (dmd-checkup-dialogue.c), and why the rows after it did not run when it stops the
 * dialogue. Adding a step is adding a row and its function.
 *
 * The same table gives the plan of a run (dmd_checkup_plan), with the checks that run beside
 * the dialogue (TLS versions, SPF, blocklists).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-checkup-private.h"
#include "dmd-words.h"

typedef enum {
  ROW_RUNS,
  ROW_SKIPPED,    /* listed as skipped on purpose, saying why */
  ROW_ABSENT,     /* not part of this run */
} RowUse;

/* Which options and settings run a row; *why (N_()) goes with ROW_SKIPPED. */
typedef RowUse (*RowWhen) (const DmdDeviceConfig *config,
                           const char           **why);

typedef enum {
  ROW_LISTED    = 1 << 0,  /* listed as skipped when an earlier step stops the dialogue */
  ROW_CONTINUES = 1 << 1,  /* goes on with the check of an earlier row: no new start */
} RowFlags;

typedef struct {
  const char          *id;
  RowFlags             flags;
  RowWhen              when;      /* NULL: every option, every setting */
  guint                needs;     /* DmdFact: without them the row does not run */
  DmdDialogueOutcome (*run) (DmdDialogue *d);
  const char          *stopped;   /* N_(): why the listed rows after it did not run */
} Row;

/* ---- which options and settings run a row ---- */

static RowUse
when_implicit_tls (const DmdDeviceConfig  *config,
                   const char            **why)
{
  return config->security == DMD_SECURITY_IMPLICIT_TLS ? ROW_RUNS : ROW_ABSENT;
}

static RowUse
when_starttls (const DmdDeviceConfig  *config,
               const char            **why)
{
  switch (config->security)
    {
    case DMD_SECURITY_IMPLICIT_TLS:
      return ROW_ABSENT;
    case DMD_SECURITY_NONE:
      *why = N_("Not used: the device is set to no encryption");
      return ROW_SKIPPED;
    case DMD_SECURITY_STARTTLS:
    default:
      return ROW_RUNS;
    }
}

/* The handshake after STARTTLS, and EHLO again. */
static RowUse
when_after_starttls (const DmdDeviceConfig  *config,
                     const char            **why)
{
  return config->security == DMD_SECURITY_STARTTLS ? ROW_RUNS : ROW_ABSENT;
}

static RowUse
when_signing_in (const DmdDeviceConfig  *config,
                 const char            **why)
{
  if (dmd_checkup_option_signs_in (config))
    return ROW_RUNS;
  *why = N_("Not used by this option (no sign-in)");
  return ROW_SKIPPED;
}

/* The token from Microsoft Entra ID, when the tool gets it itself. */
static RowUse
when_token_fetched (const DmdDeviceConfig  *config,
                    const char            **why)
{
  return dmd_device_config_gets_token (config) ? ROW_RUNS : ROW_ABSENT;
}

static RowUse
when_sending (const DmdDeviceConfig  *config,
              const char            **why)
{
  return config->send ? ROW_RUNS : ROW_ABSENT;
}

static RowUse
when_sender_ip (const DmdDeviceConfig  *config,
                const char            **why)
{
  return dmd_checkup_option_checks_sender_ip (config) ? ROW_RUNS : ROW_ABSENT;
}

/* ---- the table ---- */

static const Row dialogue[] = {
  /* First: a person may take minutes to sign in; the server's connection is opened once the
   * token is there (a failure does not stop the dialogue: dmd_step_auth then skips). */
  { "oauth",     0,             when_token_fetched,
    0,                                    dmd_step_oauth,
    NULL },
  { "dns",       ROW_LISTED,    NULL,
    0,                                    dmd_step_dns,
    N_("Not run: the server name did not resolve") },
  { "connect",   ROW_LISTED,    NULL,
    DMD_FACT_ADDRESS,                     dmd_step_connect,
    N_("Not run: no connection") },
  { "tls",       0,             when_implicit_tls,
    DMD_FACT_CONNECTED,                   dmd_step_tls,
    N_("Not run: the TLS handshake failed") },
  { "banner",    ROW_LISTED,    NULL,
    DMD_FACT_CONNECTED,                   dmd_step_banner,
    N_("Not run: no greeting") },
  { "ehlo",      ROW_LISTED,    NULL,
    DMD_FACT_GREETED,                     dmd_step_ehlo,
    N_("Not run: EHLO failed") },
  { "starttls",  ROW_LISTED,    when_starttls,
    DMD_FACT_EHLO,                        dmd_step_starttls,
    N_("Not run: STARTTLS failed") },
  { "tls",       0,             when_after_starttls,
    DMD_FACT_STARTTLS,                    dmd_step_tls,
    N_("Not run: the TLS handshake failed") },
  { "ehlo",      ROW_CONTINUES, when_after_starttls,
    DMD_FACT_STARTTLS | DMD_FACT_TLS,     dmd_step_ehlo_again,
    N_("Not run: EHLO after TLS failed") },
  { "auth",      ROW_LISTED,    when_signing_in,
    DMD_FACT_EHLO,                        dmd_step_auth,
    N_("Not run: authentication failed") },
  { "mail-from", ROW_LISTED,    NULL,
    DMD_FACT_EHLO,                        dmd_step_mail_from,
    N_("Not run: MAIL FROM failed") },
  { "rcpt-to",   ROW_LISTED,    NULL,
    DMD_FACT_SENDER,                      dmd_step_rcpt_to,
    NULL },
  { "data",      0,             when_sending,
    DMD_FACT_RECIPIENT,                   dmd_step_data,
    NULL },
};

/* Beside the dialogue, once it knows the address (TLS versions) or the public IP. */
static const struct {
  const char *id;
  RowWhen     when;
} beside[] = {
  { "tls-versions", NULL },
  { "spf",          when_sender_ip },
  { "blocklist",    when_sender_ip },
};

static RowUse
row_use (RowWhen                 when,
         const DmdDeviceConfig  *config,
         const char            **why)
{
  return when != NULL ? when (config, why) : ROW_RUNS;
}

/* ---- the loop ---- */

/* The dialogue stopped at row `stopped`: every later row the report lists is skipped, with
 * the reason of the step that stopped it. */
static void
skip_after (DmdWorker  *w,
            guint       stopped,
            const char *why)
{
  for (guint i = stopped + 1; i < G_N_ELEMENTS (dialogue); i++)
    if (dialogue[i].flags & ROW_LISTED)
      {
        g_assert (why != NULL);
        dmd_worker_check_skip (w, dialogue[i].id, why);
      }
}

static DmdDialogueOutcome
run_row (DmdDialogue *d,
         const Row   *row)
{
  const char *why = NULL;

  switch (row_use (row->when, d->w->config, &why))
    {
    case ROW_ABSENT:
      return DMD_DIALOGUE_NEXT;
    case ROW_SKIPPED:
      dmd_worker_check_skip (d->w, row->id, _(why));
      return DMD_DIALOGUE_NEXT;
    case ROW_RUNS:
    default:
      break;
    }
  if ((d->facts & row->needs) != row->needs)
    return DMD_DIALOGUE_NEXT;

  d->check = row->id;
  d->why = NULL;
  if (row->flags & ROW_CONTINUES)
    dmd_worker_check_resume (d->w, row->id);
  else
    dmd_worker_check_start (d->w, row->id);
  return row->run (d);
}

/* The end of the dialogue: QUIT (or only close, when QUIT went out with the pipeline). */
static void
say_goodbye (DmdDialogue *d)
{
  if (d->client == NULL || dmd_worker_cancelled (d->w))
    return;
  if (d->quit_sent)
    dmd_conn_close (dmd_smtp_client_get_conn (d->client));
  else
    dmd_smtp_client_quit (d->client);
}

gpointer
dmd_checkup_dialogue_thread (gpointer data)
{
  DmdDialogue d = { 0 };
  guint i;

  d.w = data;
  d.name = dmd_checkup_ehlo_name ();
  d.replies = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_reply_free);

  for (i = 0; i < G_N_ELEMENTS (dialogue); i++)
    {
      DmdDialogueOutcome outcome = run_row (&d, &dialogue[i]);

      if (dmd_worker_cancelled (d.w))
        break;
      if (outcome == DMD_DIALOGUE_NEXT)
        continue;
      skip_after (d.w, i, d.why != NULL ? d.why
                          : dialogue[i].stopped != NULL ? _(dialogue[i].stopped) : NULL);
      if (outcome == DMD_DIALOGUE_STOP_QUIT)
        say_goodbye (&d);
      break;
    }
  if (i == G_N_ELEMENTS (dialogue))
    say_goodbye (&d);

  g_clear_pointer (&d.client, dmd_smtp_client_free);
  g_free (d.peer);
  g_free (d.name);
  g_clear_pointer (&d.ehlo, dmd_ehlo_free);
  if (d.oauth_token != NULL)
    explicit_bzero (d.oauth_token, strlen (d.oauth_token));
  g_free (d.oauth_token);
  g_ptr_array_unref (d.replies);
  dmd_worker_free (d.w);
  return NULL;
}

/* ---- the plan ---- */

void
dmd_planned_check_free (DmdPlannedCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->id);
  g_free (check->title);
  g_free (check);
}

static void
plan_add (GPtrArray  *plan,
          const char *id)
{
  DmdPlannedCheck *check;

  for (guint i = 0; i < plan->len; i++)
    if (g_str_equal (((DmdPlannedCheck *) g_ptr_array_index (plan, i))->id, id))
      return;
  check = g_new0 (DmdPlannedCheck, 1);
  check->id = g_strdup (id);
  check->title = g_strdup (dmd_check_title (id));
  g_ptr_array_add (plan, check);
}

GPtrArray *
dmd_checkup_plan (const DmdDeviceConfig *config)
{
  GPtrArray *plan;
  const char *why = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  plan = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_planned_check_free);
  plan_add (plan, "config");
  for (guint i = 0; i < G_N_ELEMENTS (dialogue); i++)
    if (row_use (dialogue[i].when, config, &why) != ROW_ABSENT)
      plan_add (plan, dialogue[i].id);
  for (guint i = 0; i < G_N_ELEMENTS (beside); i++)
    if (row_use (beside[i].when, config, &why) != ROW_ABSENT)
      plan_add (plan, beside[i].id);
  return plan;
}
