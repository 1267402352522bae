/* dmd-checkup-oauth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-checkup-oauth.h"
#include "dmd-checkup-private.h"
#include "dmd-oauth.h"
#include "dmd-reply.h"

void
dmd_checkup_oauth_free (DmdCheckupOAuth *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->summary);
  g_free (outcome->finding_id);
  g_free (outcome->evidence);
  if (outcome->token != NULL)
    explicit_bzero (outcome->token, strlen (outcome->token));
  g_free (outcome->token);
  g_clear_pointer (&outcome->claims, dmd_oauth_claims_free);
  g_free (outcome);
}

static char *
escaped (const char *s)
{
  return s != NULL ? dmd_escape_bytes ((const guint8 *) s, strlen (s)) : NULL;
}

static char *
utc_stamp (gint64 unix_time)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_time);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

static DmdOAuthClaims *
claims_of (const DmdOAuthToken   *tok,
           const DmdDeviceConfig *config)
{
  DmdOAuthClaims *claims = g_new0 (DmdOAuthClaims, 1);

  claims->flow = g_strdup (dmd_auth_method_to_string (config->auth_method));
  claims->audience = escaped (tok->audience);
  claims->scopes = escaped (tok->scopes);
  claims->roles = escaped (tok->roles);
  claims->user = escaped (tok->user);
  claims->tenant_id = escaped (tok->tenant_id);
  claims->app_id = escaped (tok->app_id);
  claims->expires = tok->expires;
  return claims;
}

/* The claims in the transcript, one line each (never the token). */
static void
claim_lines (const DmdOAuthClaims *c,
             DmdOAuthLineFunc      line_func,
             gpointer              user_data)
{
  /* Translators: the token's claims, one per line: a label, a colon, the value */
  struct { const char *label; const char *value; } lines[] = {
    { N_("Audience"), c->audience },
    { N_("Delegated permissions"), c->scopes },
    { N_("Application permissions"), c->roles },
    { N_("User"), c->user },
    { N_("Tenant ID"), c->tenant_id },
    { N_("Application (client) ID"), c->app_id },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    if (lines[i].value != NULL)
      {
        /* Translators: a claim of the token: its label, then its value */
        g_autofree char *line = g_strdup_printf (_("%s: %s"), _(lines[i].label), lines[i].value);
        line_func ('I', line, user_data);
      }
  if (c->expires != 0)
    {
      g_autofree char *stamp = utc_stamp (c->expires);
      g_autofree char *line = g_strdup_printf (_("%s: %s"), _("Valid until"), stamp);
      line_func ('I', line, user_data);
    }
}

static void
failed (DmdCheckupOAuth *out,
        const char      *finding_id,
        const char      *evidence)
{
  out->status = DMD_CHECK_FAIL;
  out->finding_id = g_strdup (finding_id);
  out->evidence = g_strdup (evidence);
  out->summary = g_strdup (evidence);
}

/* A token came: it passes when its claims can work for the mailbox. */
static void
judge_token (DmdCheckupOAuth       *out,
             DmdOAuthOutcome       *got,
             const DmdDeviceConfig *config,
             DmdOAuthLineFunc       line_func,
             gpointer               user_data)
{
  gint64 now = config->today != NULL ? g_date_time_to_unix (config->today)
                                     : g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(DmdOAuthToken) tok =
    dmd_oauth_token_inspect_for (got->access_token, config->username, now,
                                 config->option == DMD_OPTION_HVE);
  const char *permission;

  if (!tok->decoded)
    {
      /* Entra ID's tokens for Exchange Online are JWTs; an opaque one is still tried. */
      out->status = DMD_CHECK_PASS;
      out->summary = g_strdup (_("A token from Microsoft Entra ID (its claims cannot be read)"));
      out->token = g_steal_pointer (&got->access_token);
      return;
    }
  out->claims = claims_of (tok, config);
  claim_lines (out->claims, line_func, user_data);

  if (tok->problems->len > 0)
    {
      g_autoptr(GString) why = g_string_new (NULL);

      for (guint i = 0; i < tok->problems->len; i++)
        {
          g_autofree char *safe = escaped (g_ptr_array_index (tok->problems, i));

          if (why->len > 0)
            g_string_append_c (why, ' ');
          g_string_append (why, safe);
        }
      line_func ('I', why->str, user_data);
      /* Not sent: a sign-in that cannot work only counts against the account. */
      failed (out, "auth-oauth-token-rejected", why->str);
      return;
    }

  permission = tok->scopes != NULL && strstr (tok->scopes, "SMTP.Send") != NULL ? "SMTP.Send"
             : tok->roles != NULL && strstr (tok->roles, "SMTP.SendAsApp") != NULL ? "SMTP.SendAsApp"
             : "Mail.Send";
  {
    g_autofree char *stamp = tok->expires ? utc_stamp (tok->expires) : NULL;
    g_autofree char *who = escaped (tok->user);

    out->status = DMD_CHECK_PASS;
    if (who != NULL && stamp != NULL)
      /* Translators: "A token for scanner@contoso.com with SMTP.Send, valid until 2026-12-04 11:00 UTC" */
      out->summary = g_strdup_printf (_("A token for %s with %s, valid until %s"), who,
                                      permission, stamp);
    else if (stamp != NULL)
      /* Translators: "A token for the application with SMTP.SendAsApp, valid until …" */
      out->summary = g_strdup_printf (_("A token for the application with %s, valid until %s"),
                                      permission, stamp);
    else
      out->summary = g_strdup_printf (_("A token with %s"), permission);
  }
  out->token = g_steal_pointer (&got->access_token);
}

DmdCheckupOAuth *
dmd_checkup_oauth_run (const DmdDeviceConfig *config,
                       DmdScrubber           *scrubber,
                       double                 timeout,
                       GCancellable          *cancellable,
                       DmdOAuthLineFunc       line_func,
                       DmdOAuthCodeFunc       code_func,
                       gpointer               user_data)
{
  DmdCheckupOAuth *out = g_new0 (DmdCheckupOAuth, 1);
  g_autoptr(DmdOAuthOutcome) got = NULL;
  g_autofree char *to_host = NULL;
  g_autofree char *tenant = g_strstrip (g_strdup (config->tenant));
  g_autofree char *client_id = g_strstrip (g_strdup (config->client_id));
  guint16 to_port = 0;
  DmdOAuthRequest req = { 0 };

  req.flow = config->auth_method == DMD_AUTH_METHOD_OAUTH_APP ? DMD_OAUTH_FLOW_CLIENT_CREDENTIALS
                                                              : DMD_OAUTH_FLOW_DEVICE_CODE;
  req.host = DMD_OAUTH_HOST;
  req.port = DMD_OAUTH_PORT;
  if (dmd_device_config_map_connect_to (config, DMD_OAUTH_HOST, DMD_OAUTH_PORT, &to_host,
                                        &to_port))
    {
      req.connect_host = to_host;
      req.connect_port = to_port;
    }
  req.ca_file = config->ca_file;
  req.timeout = timeout;
  req.tenant = tenant;
  req.client_id = client_id;
  req.client_secret = config->client_secret;
  req.username = config->username;
  req.scrubber = scrubber;
  req.line_func = line_func;
  req.code_func = code_func;
  req.user_data = user_data;

  got = dmd_oauth_get_token (&req, cancellable);
  out->requests = got->requests;
  switch (got->status)
    {
    case DMD_OAUTH_OK:
      judge_token (out, got, config, line_func, user_data);
      break;
    case DMD_OAUTH_CANCELLED:
      out->cancelled = TRUE;
      break;
    case DMD_OAUTH_UNREACHABLE:
      failed (out, "oauth-unreachable", got->evidence);
      break;
    case DMD_OAUTH_DECLINED:
      failed (out, "oauth-sign-in-declined", got->evidence);
      break;
    case DMD_OAUTH_EXPIRED:
      failed (out, "oauth-device-code-expired", got->evidence);
      break;
    case DMD_OAUTH_REFUSED:
    default:
      failed (out, dmd_catalog_match_entra_error (got->error, got->aadsts), got->evidence);
      break;
    }
  return out;
}

/* ------------------------------------------------------------------------------------------ */
/* The step in the dialogue's table (dmd-checkup-steps.c): first, before the server's          */
/* connection, since a person may take minutes to sign in                                      */

static void
step_line_cb (char        dir,
              const char *text,
              gpointer    user_data)
{
  dmd_worker_line (user_data, "oauth", dir, text);
}

static void
step_code_cb (const char *verification_uri,
              const char *user_code,
              guint       expires_in,
              gpointer    user_data)
{
  DmdWorker *w = user_data;
  DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_DEVICE_CODE, "oauth");

  ev->text = g_strdup (verification_uri);
  ev->user_code = g_strdup (user_code);
  ev->expires_in = expires_in;
  dmd_checkup_post (ev);
}

/* A failure is reported (check and finding) and does not stop the dialogue: the connection,
 * TLS and the server are still checked; d->oauth_token stays NULL, and dmd_step_auth tries
 * no sign-in. */
DmdDialogueOutcome
dmd_step_oauth (DmdDialogue *d)
{
  DmdWorker *w = d->w;
  g_autoptr(DmdCheckupOAuth) got = NULL;

  got = dmd_checkup_oauth_run (w->config, w->self->scrubber, dmd_worker_step_timeout (w),
                               w->cancellable, step_line_cb, step_code_cb, w);
  if (got->cancelled || dmd_worker_cancelled (w))
    return DMD_DIALOGUE_STOP;
  if (got->claims != NULL)
    {
      DmdCheckupEvent *ev = dmd_checkup_event_new (w->self, EV_OAUTH_CLAIMS, NULL);

      ev->claims = g_steal_pointer (&got->claims);
      dmd_checkup_post (ev);
    }
  if (got->finding_id != NULL)
    dmd_worker_finding (w, got->finding_id, "oauth", got->evidence);
  d->oauth_token = g_steal_pointer (&got->token);
  dmd_worker_check_end (w, "oauth", got->status, got->summary);
  return DMD_DIALOGUE_NEXT;
}
