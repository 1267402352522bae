/* dmd-options.c — the sending options as data: one row per option
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-config.h"
#include "dmd-host.h"
#include "dmd-options.h"
#include "dmd-result.h"

/* In the "Not sure?" rules: the answer to each question (any, yes, no), in the order
 * has_login, can_oauth, outside, static_ip. */
#define ANY DMD_ANSWER_UNKNOWN
#define YES DMD_ANSWER_YES
#define NO  DMD_ANSWER_NO

/* ------------------------------------------------------------------------------------------ */
/* SMTP AUTH client submission                                                                 */
/* ------------------------------------------------------------------------------------------ */

static const char *const smtp_auth_checks[] = {
  "config", "dns", "connect", "banner", "ehlo", "starttls", "tls", "tls-versions", "auth",
  "mail-from", "rcpt-to", "data", NULL
};

static const DmdRecommendRow smtp_auth_recommended[] = {
  { "server", N_("Server / smart host"), "smtp.office365.com", DMD_RECOMMEND_SERVER_DEFAULT },
  { "port", N_("Port"), N_("587 (recommended) or 25"), DMD_RECOMMEND_PORT_SUBMISSION },
  { "security", N_("TLS / STARTTLS"), N_("STARTTLS, TLS 1.2 or later"),
    DMD_RECOMMEND_SECURITY_STARTTLS },
  { "username", N_("User name"),
    N_("The email address of the Microsoft 365 mailbox the device signs in with"),
    DMD_RECOMMEND_USER_ADDRESS },
  { "auth", N_("Password"), N_("The mailbox’s password, or an OAuth token (XOAUTH2)"),
    DMD_RECOMMEND_SECRET_SET },
  { "sender", N_("Sender address"),
    N_("The sign-in mailbox’s address, or one it has the Send As permission on"),
    DMD_RECOMMEND_SENDER_IS_USER },
  { "recipient", N_("Recipients"), N_("Inside and outside the organization"),
    DMD_RECOMMEND_RECIPIENT_ANY },
  { "network", N_("Network"),
    N_("Any internet connection with port 587 open outbound; no static IP address needed"),
    DMD_RECOMMEND_INFO },
  { "limits", N_("Sending limits"),
    N_("30 messages a minute and 10,000 recipients a day per mailbox"), DMD_RECOMMEND_INFO },
};

/* Password sign-in refused, or about to be: High Volume Email keeps it for inside mail. */
static const char *const smtp_auth_instead_when[] = {
  "auth-basic-auth-blocked", "config-basic-auth-retiring", NULL
};

static const DmdOptionAnswers smtp_auth_answers[] = {
  { DMD_SERVER_FIELD_SIGN_IN, ANY, ANY, ANY, ANY,
    N_("The server field holds Microsoft 365’s sign-in endpoint: the device uses SMTP AUTH client submission.") },
  { DMD_SERVER_FIELD_ANY, YES, ANY, ANY, ANY,
    N_("The device can sign in: SMTP AUTH client submission mails anyone and needs nothing from the site’s network. Microsoft recommends it.") },
};

/* ------------------------------------------------------------------------------------------ */
/* Direct Send                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static const char *const mx_checks[] = {
  "config", "dns", "connect", "banner", "ehlo", "starttls", "tls", "tls-versions",
  "mail-from", "rcpt-to", "data", "spf", "blocklist", NULL
};

#define MX_SERVER_RECOMMENDED \
  N_("The organization’s MX endpoint (ends in mail.protection.outlook.com or mx.microsoft)")
#define MX_SERVER_HINT \
  N_("The organization’s MX endpoint, such as contoso-com.mail.protection.outlook.com (Microsoft 365 admin center, Settings, Domains). Or leave it empty and enter the organization’s domain below: the checks look the endpoint up from its MX record.")

static const DmdRecommendRow direct_send_recommended[] = {
  { "server", N_("Server / smart host"), MX_SERVER_RECOMMENDED, DMD_RECOMMEND_SERVER_MX },
  { "port", N_("Port"), "25", DMD_RECOMMEND_PORT_DEFAULT },
  { "security", N_("TLS / STARTTLS"), N_("STARTTLS if available (TLS is optional)"),
    DMD_RECOMMEND_SECURITY_NOT_IMPLICIT },
  { "username", N_("User name and password"), N_("None (no sign-in)"),
    DMD_RECOMMEND_NO_SIGN_IN },
  { "sender", N_("Sender address"),
    N_("Any address in one of the organization’s domains; it need not be a mailbox"),
    DMD_RECOMMEND_SENDER_IN_ORG },
  { "recipient", N_("Recipients"), N_("Inside the organization only"),
    DMD_RECOMMEND_RECIPIENT_IN_ORG },
  { "connector", N_("Connector"),
    N_("None, unless the organization rejects Direct Send (then a connector for the device’s IP address)"),
    DMD_RECOMMEND_INFO },
  { "network", N_("Network"),
    N_("A static public IP address, listed in the domain’s SPF record (recommended); port 25 open outbound"),
    DMD_RECOMMEND_INFO },
  { "limits", N_("Sending limits"), N_("Standard throttling; the mailbox limits do not apply"),
    DMD_RECOMMEND_INFO },
};

static const DmdOptionAnswers direct_send_answers[] = {
  { DMD_SERVER_FIELD_MX, ANY, ANY, NO, ANY,
    N_("The server field holds the organization’s MX endpoint and the device mails only people inside the organization: that is Direct Send.") },
  { DMD_SERVER_FIELD_MX, ANY, ANY, ANY, ANY,
    N_("The server field holds the organization’s MX endpoint: that is Direct Send, or SMTP relay when a connector exists. If it must mail people outside the organization, choose SMTP relay.") },
  { DMD_SERVER_FIELD_ANY, NO, ANY, NO, ANY,
    N_("The device cannot sign in and mails only people inside the organization: Direct Send needs no sign-in and no connector.") },
};

/* ------------------------------------------------------------------------------------------ */
/* SMTP relay                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static const DmdRecommendRow relay_recommended[] = {
  { "server", N_("Server / smart host"), MX_SERVER_RECOMMENDED, DMD_RECOMMEND_SERVER_MX },
  { "port", N_("Port"), "25", DMD_RECOMMEND_PORT_DEFAULT },
  { "security", N_("TLS / STARTTLS"), N_("STARTTLS (required for a certificate-based connector)"),
    DMD_RECOMMEND_SECURITY_STARTTLS },
  { "username", N_("User name and password"), N_("None (no sign-in)"),
    DMD_RECOMMEND_NO_SIGN_IN },
  { "sender", N_("Sender address"), N_("Any address in one of the organization’s accepted domains"),
    DMD_RECOMMEND_SENDER_IN_ORG },
  { "recipient", N_("Recipients"), N_("Inside and outside the organization"),
    DMD_RECOMMEND_RECIPIENT_ANY },
  { "connector", N_("Connector"),
    N_("An inbound connector from the organization’s email server that trusts the site’s static public IP address or the device’s certificate"),
    DMD_RECOMMEND_CONNECTOR_IP },
  { "network", N_("Network"),
    N_("A static public IP address, listed in the domain’s SPF record; port 25 open outbound"),
    DMD_RECOMMEND_INFO },
  { "limits", N_("Sending limits"),
    N_("Reasonable limits of the relay pool; the mailbox limits do not apply"), DMD_RECOMMEND_INFO },
};

static const DmdOptionAnswers relay_answers[] = {
  { DMD_SERVER_FIELD_MX, ANY, ANY, YES, ANY,
    N_("The server field holds the organization’s MX endpoint and the device mails people outside the organization: that is SMTP relay through a connector.") },
  { DMD_SERVER_FIELD_ANY, NO, ANY, YES, YES,
    N_("The device cannot sign in but must mail people outside the organization: SMTP relay, through a connector that trusts the site’s static public IP address.") },
  { DMD_SERVER_FIELD_ANY, NO, ANY, YES, NO,
    N_("The device cannot sign in and must mail people outside the organization, but the site has no static public IP address: only SMTP relay through a connector that trusts a certificate fits, and the device must present that certificate.") },
  { DMD_SERVER_FIELD_ANY, NO, ANY, YES, ANY,
    N_("The device cannot sign in but must mail people outside the organization: SMTP relay, through a connector that trusts the site’s static public IP address or a certificate.") },
};

/* ------------------------------------------------------------------------------------------ */
/* High Volume Email                                                                           */
/* ------------------------------------------------------------------------------------------ */

static const DmdRecommendRow hve_recommended[] = {
  { "server", N_("Server / smart host"), "smtp.hve.mx.microsoft", DMD_RECOMMEND_SERVER_DEFAULT },
  { "port", N_("Port"), "587", DMD_RECOMMEND_PORT_DEFAULT },
  { "security", N_("TLS / STARTTLS"), N_("STARTTLS, TLS 1.2 or later"),
    DMD_RECOMMEND_SECURITY_STARTTLS },
  { "username", N_("User name"),
    N_("The email address of the High Volume Email (HVE) account, not of a mailbox"),
    DMD_RECOMMEND_USER_ADDRESS },
  { "auth", N_("Password"),
    N_("The HVE account’s password (Basic authentication, kept for HVE until September 2028)"),
    DMD_RECOMMEND_SECRET_SET },
  { "sender", N_("Sender address"),
    N_("The HVE account’s address, or another address in one of the organization’s accepted domains"),
    DMD_RECOMMEND_SENDER_IN_ORG },
  { "recipient", N_("Recipients"), N_("Inside the organization only"),
    DMD_RECOMMEND_RECIPIENT_IN_ORG },
  { "network", N_("Network"),
    N_("Any internet connection with port 587 open outbound; no static IP address needed"),
    DMD_RECOMMEND_INFO },
  { "limits", N_("Sending limits"),
    N_("High Volume Email’s own limits (see Microsoft’s High Volume Email documentation); the mailbox limits do not apply"),
    DMD_RECOMMEND_INFO },
};

static const DmdOptionAnswers hve_answers[] = {
  { DMD_SERVER_FIELD_HVE, ANY, ANY, ANY, ANY,
    N_("The server field holds High Volume Email’s endpoint: the device signs in with an HVE account.") },
  { DMD_SERVER_FIELD_ANY, YES, NO, NO, ANY,
    N_("The device can sign in with a password but not with OAuth, and mails only people inside the organization: High Volume Email keeps password sign-in until September 2028, with an HVE account.") },
};

static const char *const hve_retiring_servers[] = { "smtp-hve.office365.com", NULL };

/* ------------------------------------------------------------------------------------------ */
/* The table                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static const DmdOptionInfo options[] = {
  {
    .option = DMD_OPTION_SMTP_AUTH,
    .id = "smtp-auth",
    .name = N_("SMTP AUTH client submission"),
    .short_name = NC_("short option name", "SMTP AUTH"),
    .subtitle = N_("Signs in with a mailbox. Mails anyone, inside or outside the organization."),
    .first_choice = TRUE,
    .default_server = "smtp.office365.com",
    .default_port = 587,
    .default_security = DMD_SECURITY_STARTTLS,
    .endpoint = DMD_ENDPOINT_SIGN_IN,
    .signs_in = TRUE,
    .checks = smtp_auth_checks,
    .recommended = smtp_auth_recommended,
    .n_recommended = G_N_ELEMENTS (smtp_auth_recommended),
    .answers = smtp_auth_answers,
    .n_answers = G_N_ELEMENTS (smtp_auth_answers),
    .server_hint = N_("Microsoft 365’s endpoint for devices that sign in is smtp.office365.com, port 587, STARTTLS."),
    .recipient_hint = N_("Any address. One outside the organization also proves that mail leaves it."),
    .basic_auth_finding = "config-basic-auth-retiring",
    .sender_is_login = TRUE,
    .instead_when = smtp_auth_instead_when,
    .instead = DMD_OPTION_HVE,
    .instead_reason = N_("High Volume Email keeps password sign-in until September 2028, for recipients inside the organization. It needs an HVE account."),
  },
  {
    .option = DMD_OPTION_DIRECT_SEND,
    .id = "direct-send",
    .name = N_("Direct Send"),
    .short_name = NC_("short option name", "Direct Send"),
    .subtitle = N_("No sign-in. Mails people inside the organization only."),
    .default_port = 25,
    .default_security = DMD_SECURITY_STARTTLS,
    .endpoint = DMD_ENDPOINT_MX,
    .internal_only = TRUE,
    .checks = mx_checks,
    .recommended = direct_send_recommended,
    .n_recommended = G_N_ELEMENTS (direct_send_recommended),
    .answers = direct_send_answers,
    .n_answers = G_N_ELEMENTS (direct_send_answers),
    .server_hint = MX_SERVER_HINT,
    .recipient_hint = N_("An address inside the organization: Direct Send delivers only to the organization’s own mailboxes."),
    .external_recipient_finding = "config-external-recipient-direct-send",
  },
  {
    .option = DMD_OPTION_RELAY,
    .id = "relay",
    .name = N_("SMTP relay"),
    .short_name = NC_("short option name", "SMTP relay"),
    .subtitle = N_("No sign-in. Mails anyone, through a connector that trusts the site’s static public IP address or a certificate."),
    .default_port = 25,
    .default_security = DMD_SECURITY_STARTTLS,
    .endpoint = DMD_ENDPOINT_MX,
    .connector = TRUE,
    .checks = mx_checks,
    .recommended = relay_recommended,
    .n_recommended = G_N_ELEMENTS (relay_recommended),
    .answers = relay_answers,
    .n_answers = G_N_ELEMENTS (relay_answers),
    .server_hint = MX_SERVER_HINT,
    .recipient_hint = N_("An address outside the organization: an inside address is accepted even when the connector does not work, so only an outside one proves the relay."),
  },
  {
    .option = DMD_OPTION_HVE,
    .id = "hve",
    .name = N_("High Volume Email"),
    .short_name = NC_("short option name", "High Volume Email"),
    .subtitle = N_("Signs in with an HVE account. Mails people inside the organization only."),
    .default_server = "smtp.hve.mx.microsoft",
    .default_port = 587,
    .default_security = DMD_SECURITY_STARTTLS,
    .endpoint = DMD_ENDPOINT_SIGN_IN,
    .signs_in = TRUE,
    .internal_only = TRUE,
    .checks = smtp_auth_checks,
    .recommended = hve_recommended,
    .n_recommended = G_N_ELEMENTS (hve_recommended),
    .answers = hve_answers,
    .n_answers = G_N_ELEMENTS (hve_answers),
    .server_hint = N_("High Volume Email’s endpoint is smtp.hve.mx.microsoft, port 587, STARTTLS."),
    .recipient_hint = N_("An address inside the organization: High Volume Email delivers only to the organization’s own mailboxes."),
    .external_recipient_finding = "config-hve-external-recipient",
    .basic_auth_finding = "config-hve-basic-auth-until-2028",
    .retiring_servers = hve_retiring_servers,
    .retiring_server_finding = "config-hve-legacy-endpoint",
    .explain_when_named = TRUE,
  },
};

G_STATIC_ASSERT (G_N_ELEMENTS (options) == DMD_N_OPTIONS);

const DmdOptionInfo *
dmd_option_get_info (DmdOption option)
{
  g_return_val_if_fail ((guint) option < G_N_ELEMENTS (options), &options[0]);
  g_assert (options[option].option == option);
  return &options[option];
}

const DmdOptionInfo *
dmd_options_get_all (guint *n_options)
{
  if (n_options != NULL)
    *n_options = G_N_ELEMENTS (options);
  return options;
}

const char *
dmd_option_to_string (DmdOption option)
{
  g_return_val_if_fail ((guint) option < G_N_ELEMENTS (options), NULL);
  return options[option].id;
}

gboolean
dmd_option_from_string (const char *str,
                        DmdOption  *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (g_ascii_strcasecmp (options[i].id, str) == 0)
      {
        if (out != NULL)
          *out = options[i].option;
        return TRUE;
      }
  return FALSE;
}

const char *
dmd_option_display_name (DmdOption option)
{
  g_return_val_if_fail ((guint) option < G_N_ELEMENTS (options), NULL);
  return _(options[option].name);
}

const char *
dmd_option_short_name (DmdOption option)
{
  g_return_val_if_fail ((guint) option < G_N_ELEMENTS (options), NULL);
  return g_dpgettext2 (GETTEXT_PACKAGE, "short option name", options[option].short_name);
}

gboolean
dmd_option_runs_check (DmdOption   option,
                       const char *check_id)
{
  const DmdOptionInfo *info = dmd_option_get_info (option);

  g_return_val_if_fail (check_id != NULL, FALSE);

  for (guint i = 0; info->checks[i] != NULL; i++)
    if (g_str_equal (info->checks[i], check_id))
      return TRUE;
  return FALSE;
}

gboolean
dmd_option_instead_of (DmdOption    option,
                       GPtrArray   *findings,
                       DmdOption   *out_option,
                       const char **out_reason)
{
  const DmdOptionInfo *info = dmd_option_get_info (option);

  for (guint i = 0; info->instead_when != NULL && findings != NULL && i < findings->len; i++)
    {
      const DmdFinding *finding = g_ptr_array_index (findings, i);

      if (g_strv_contains (info->instead_when, finding->id))
        {
          if (out_option != NULL)
            *out_option = info->instead;
          if (out_reason != NULL)
            *out_reason = _(info->instead_reason);
          return TRUE;
        }
    }
  return FALSE;
}

char *
dmd_options_join_ids (const char *sep)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      if (i > 0)
        g_string_append (out, sep);
      g_string_append (out, options[i].id);
    }
  return g_string_free (out, FALSE);
}

/* Whether text names host as a whole word (not inside a longer name). */
static gboolean
text_names_host (const char *lower_text,
                 const char *host)
{
  gsize n = strlen (host);

  for (const char *p = strstr (lower_text, host); p != NULL; p = strstr (p + 1, host))
    {
      gboolean start = p == lower_text || !(g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '-');
      gboolean end = !(g_ascii_isalnum (p[n]) || p[n] == '-' || (p[n] == '.' && g_ascii_isalnum (p[n + 1])));

      if (start && end)
        return TRUE;
    }
  return FALSE;
}

gboolean
dmd_options_named_in (const char *text,
                      DmdOption  *out)
{
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      gboolean named = options[i].default_server != NULL &&
                       text_names_host (lower, options[i].default_server);

      for (guint j = 0; !named && options[i].retiring_servers != NULL &&
                        options[i].retiring_servers[j] != NULL; j++)
        named = text_names_host (lower, options[i].retiring_servers[j]);
      if (named)
        {
          if (out != NULL)
            *out = options[i].option;
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* The questionnaire                                                                           */
/* ------------------------------------------------------------------------------------------ */

static DmdServerField
classify_server_field (const char *server_field)
{
  g_autofree char *host = NULL;

  if (server_field == NULL)
    return DMD_SERVER_FIELD_ANY;
  host = g_strstrip (g_ascii_strdown (server_field, -1));
  if (*host == '\0')
    return DMD_SERVER_FIELD_ANY;
  switch (dmd_host_classify (host))
    {
    case DMD_HOST_HVE:
      return DMD_SERVER_FIELD_HVE;
    case DMD_HOST_SMTP_AUTH:
    case DMD_HOST_SMTP_AUTH_LEGACY:
      return DMD_SERVER_FIELD_SIGN_IN;
    case DMD_HOST_MX_LEGACY:
    case DMD_HOST_MX:
      return DMD_SERVER_FIELD_MX;
    case DMD_HOST_OTHER:
    default:
      return DMD_SERVER_FIELD_ANY;
    }
}

static gboolean
answer_matches (DmdAnswer  rule,
                DmdAnswer  given,
                guint     *score)
{
  if (rule == DMD_ANSWER_UNKNOWN)
    return TRUE;
  if (rule != given)
    return FALSE;
  *score += 1;
  return TRUE;
}

/* How specific a matching rule is (0: it does not match). What the server field holds
 * outweighs every answer. */
static guint
answers_score (const DmdOptionAnswers *rule,
               DmdServerField          server_field,
               DmdAnswer               has_login,
               DmdAnswer               can_oauth,
               DmdAnswer               outside,
               DmdAnswer               static_ip)
{
  guint score = 0;

  if (rule->server_field != DMD_SERVER_FIELD_ANY)
    {
      if (rule->server_field != server_field)
        return 0;
      score += 10;
    }
  if (!answer_matches (rule->has_login, has_login, &score) ||
      !answer_matches (rule->can_oauth, can_oauth, &score) ||
      !answer_matches (rule->outside, outside, &score) ||
      !answer_matches (rule->static_ip, static_ip, &score))
    return 0;
  return score;
}

gboolean
dmd_options_suggest (DmdAnswer    has_login,
                     DmdAnswer    can_oauth,
                     DmdAnswer    outside,
                     DmdAnswer    static_ip,
                     const char  *server_field,
                     DmdOption   *out_option,
                     const char **out_reason)
{
  DmdServerField field = classify_server_field (server_field);
  const DmdOptionInfo *best = NULL;
  const DmdOptionAnswers *best_rule = NULL;
  const DmdOptionInfo *tied = NULL;
  guint best_score = 0;

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    for (guint j = 0; j < options[i].n_answers; j++)
      {
        guint score = answers_score (&options[i].answers[j], field, has_login, can_oauth,
                                     outside, static_ip);

        if (score > best_score)
          {
            best = &options[i];
            best_rule = &options[i].answers[j];
            best_score = score;
            tied = NULL;
          }
        else if (score > 0 && score == best_score && best != &options[i])
          tied = &options[i];
      }

  if (best == NULL)
    return FALSE;
  /* The table is written so that this never happens (tests/test-options.c tries every
   * combination): the first row would win silently. */
  if (tied != NULL)
    g_critical ("options: the answers lead to %s and %s alike", best->id, tied->id);
  if (out_option != NULL)
    *out_option = best->option;
  if (out_reason != NULL)
    *out_reason = _(best_rule->reason);
  return TRUE;
}
