/* dmd-catalog-preflight.c — findings that need no network, and the recommended device
 * settings for each option compared with what was entered
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-catalog-private.h"
#include "dmd-host.h"
#include "dmd-options.h"

#define SMTP_AUTH_PORT 587
#define SMTP_PORT      25
#define IMPLICIT_PORT  465

#define nonempty  _dmd_catalog_nonempty
#define domain_of _dmd_catalog_address_domain

/* The option's own endpoint, however it was typed (case, a trailing dot, white space). */
static gboolean
host_is_default_server (const DmdOptionInfo *info,
                        const char          *host)
{
  g_autofree char *ascii = host != NULL ? dmd_host_to_ascii (host, NULL) : NULL;

  return ascii != NULL && info->default_server != NULL &&
         g_str_equal (ascii, info->default_server);
}

static void
add (DmdResult              *result,
     const DmdDeviceConfig  *config,
     const char             *id,
     char                   *evidence) /* owned */
{
  dmd_result_add_finding (result, dmd_catalog_make_finding (id, config, evidence));
  g_free (evidence);
}

static gboolean
has_basic_credentials (const DmdDeviceConfig *config)
{
  return nonempty (config->oauth_token) == NULL && !dmd_device_config_gets_token (config);
}

void
dmd_catalog_preflight_with_mx (const DmdDeviceConfig *config,
                               const char            *mx_host,
                               DmdResult             *result)
{
  const DmdOptionInfo *info;
  const char *server;
  guint16 port;
  gboolean signs_in;
  DmdOption named;

  g_return_if_fail (config != NULL);
  g_return_if_fail (result != NULL);

  info = dmd_option_get_info (config->option);
  server = dmd_device_config_get_server (config);
  port = dmd_device_config_get_port (config);
  signs_in = info->signs_in;

  /* With OAuth sign-in the token is fetched during the run: only the mailbox is needed. */
  if (signs_in &&
      (nonempty (config->username) == NULL ||
       (nonempty (config->password) == NULL && nonempty (config->oauth_token) == NULL &&
        !dmd_device_config_gets_token (config))))
    add (result, config, "config-no-credentials",
         g_strdup (nonempty (config->username) == NULL
                   ? _("No user name was entered.")
                   : _("No password or OAuth token was entered.")));

  if (info->sender_is_login && nonempty (config->from) && nonempty (config->username) &&
      strchr (config->username, '@') != NULL &&
      g_ascii_strcasecmp (config->from, config->username) != 0)
    /* Translators: sender address, then the sign-in user name */
    add (result, config, "config-sender-mismatch",
         g_strdup_printf (_("Sender “%s”, sign-in user “%s”."), config->from, config->username));

  for (guint i = 0; nonempty (server) && info->retiring_servers != NULL &&
                   info->retiring_servers[i] != NULL; i++)
    if (g_ascii_strcasecmp (server, info->retiring_servers[i]) == 0)
      /* Translators: the server as entered */
      add (result, config, info->retiring_server_finding,
           g_strdup_printf (_("Server “%s”."), server));

  if (nonempty (server) && dmd_host_is_ip_literal (server))
    add (result, config, "config-ip-literal-server",
         g_strdup_printf (_("Server “%s” is an IP address."), server));

  if (port == IMPLICIT_PORT)
    add (result, config, "config-port-465", g_strdup (_("Port 465 was entered.")));
  else if (config->security == DMD_SECURITY_IMPLICIT_TLS)
    add (result, config, "config-implicit-tls",
         g_strdup_printf (_("Security “TLS from the start” on port %u."), port));

  if (signs_in && config->security == DMD_SECURITY_NONE)
    add (result, config, "config-tls-disabled", g_strdup (_("Security is set to none.")));

  if (info->endpoint == DMD_ENDPOINT_MX && nonempty (server) &&
      dmd_host_is_smtp_auth_endpoint (server))
    /* Translators: the option's name, then the server */
    add (result, config, "config-wrong-endpoint-direct-send",
         g_strdup_printf (_("%s with server “%s”."), dmd_option_display_name (config->option),
                          server));

  if (info->endpoint == DMD_ENDPOINT_SIGN_IN && nonempty (server) &&
      dmd_host_is_mx_endpoint (server))
    add (result, config, "config-wrong-endpoint-smtp-auth",
         g_strdup_printf (_("SMTP AUTH with server “%s”."), server));

  if (info->external_recipient_finding != NULL && nonempty (config->to))
    {
      g_autofree char *org = _dmd_catalog_org_domain (config);
      g_autofree char *rcpt = domain_of (config->to);

      if (org != NULL && rcpt != NULL && g_ascii_strcasecmp (org, rcpt) != 0)
        /* Translators: recipient address, then the organization's domain */
        add (result, config, info->external_recipient_finding,
             g_strdup_printf (_("Recipient “%s” is not in the organization’s domain “%s”."),
                              config->to, org));
    }

  if (info->endpoint == DMD_ENDPOINT_MX && config->server_field_length > 0)
    {
      const char *mx = nonempty (mx_host);

      if (mx == NULL && nonempty (server) && dmd_host_is_mx_endpoint (server))
        mx = server;
      if (mx != NULL && strlen (mx) > config->server_field_length)
        /* Translators: the MX host name, its length, then the field's length */
        add (result, config, "config-mx-host-too-long",
             g_strdup_printf (_("MX endpoint “%s” has %u characters; the device’s field takes %u."),
                              mx, (guint) strlen (mx), config->server_field_length));
    }

  /* A password sign-in: what the option says about it, unless the server is another option's
   * endpoint (SMTP AUTH pointed at High Volume Email keeps it until 2028). */
  if (info->basic_auth_finding != NULL && nonempty (config->username) &&
      has_basic_credentials (config) &&
      !(nonempty (server) && dmd_options_named_in (server, &named) && named != config->option))
    add (result, config, info->basic_auth_finding,
         g_strdup (_("The device signs in with a user name and password.")));

  if (config->allow_insecure_auth)
    add (result, config, "config-insecure-auth-allowed",
         g_strdup (_("--allow-insecure-auth was given for this run.")));

  if (!config->send)
    add (result, config, "test-message-not-sent",
         g_strdup (_("The checks stop before DATA (no real test message).")));
}

/* Which device setting each finding is about: the finding's column "field", kept beside the
 * rules that make most of them; an option's own findings are columns of its row. */
static const struct {
  const char *id;
  DmdField    field;
} finding_fields[] = {
  { "config-no-credentials",                 DMD_FIELD_PASSWORD },
  { "config-sender-mismatch",                DMD_FIELD_FROM },
  { "config-ip-literal-server",              DMD_FIELD_SERVER },
  { "config-wrong-endpoint-direct-send",     DMD_FIELD_SERVER },
  { "config-wrong-endpoint-smtp-auth",       DMD_FIELD_SERVER },
  { "config-port-465",                       DMD_FIELD_PORT },
  { "config-implicit-tls",                   DMD_FIELD_SECURITY },
  { "config-tls-disabled",                   DMD_FIELD_SECURITY },
  { "config-mx-host-too-long",               DMD_FIELD_SERVER_FIELD_LENGTH },
  { "relay-connector-ip-mismatch",           DMD_FIELD_CONNECTOR_IP },
};

DmdField
dmd_catalog_finding_field (const char *id)
{
  g_return_val_if_fail (id != NULL, DMD_N_FIELDS);

  const DmdOptionInfo *options;
  guint n_options;

  for (guint i = 0; i < G_N_ELEMENTS (finding_fields); i++)
    if (g_str_equal (finding_fields[i].id, id))
      return finding_fields[i].field;
  options = dmd_options_get_all (&n_options);
  for (guint i = 0; i < n_options; i++)
    {
      if (g_strcmp0 (options[i].external_recipient_finding, id) == 0)
        return DMD_FIELD_TO;
      if (g_strcmp0 (options[i].basic_auth_finding, id) == 0)
        return DMD_FIELD_PASSWORD;
      if (g_strcmp0 (options[i].retiring_server_finding, id) == 0)
        return DMD_FIELD_SERVER;
    }
  return DMD_N_FIELDS;
}

void
dmd_catalog_preflight (const DmdDeviceConfig *config,
                       DmdResult             *result)
{
  dmd_catalog_preflight_with_mx (config, NULL, result);
}

/* ------------------------------------------------------------------------------------------ */
/* Recommended settings                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define OK       "ok"
#define DIFFERS  "differs"
#define NA       "not-applicable"

static const char *
security_display (DmdSecurity security)
{
  switch (security)
    {
    case DMD_SECURITY_STARTTLS:     return _("STARTTLS");
    case DMD_SECURITY_NONE:         return _("None");
    case DMD_SECURITY_IMPLICIT_TLS: return _("TLS from the start");
    default:                        g_return_val_if_reached (NULL);
    }
}

static const char *
status_if (gboolean ok)
{
  return ok ? OK : DIFFERS;
}

/* The facts a recommended-settings row compares with. */
typedef struct {
  const DmdDeviceConfig *config;
  const DmdOptionInfo   *info;
  const char            *server;
  guint16                port;
  char                  *port_text;
  const char            *user;
  const char            *from;
  const char            *to;
  const char            *secret;      /* a description, never the secret */
  char                  *org;
  char                  *from_domain;
  char                  *to_domain;
} Entered;

static void
entered_init (Entered               *e,
              const DmdDeviceConfig *config)
{
  e->config = config;
  e->info = dmd_option_get_info (config->option);
  e->server = dmd_device_config_get_server (config);
  e->port = dmd_device_config_get_port (config);
  e->port_text = g_strdup_printf ("%u", e->port);
  e->user = nonempty (config->username);
  e->from = nonempty (config->from);
  e->to = nonempty (config->to);
  /* Never the secret itself: only whether one was given. */
  e->secret = dmd_device_config_gets_token (config) &&
              config->auth_method == DMD_AUTH_METHOD_OAUTH_DEVICE
              ? _("OAuth: a person signs in (device code)")
            : dmd_device_config_gets_token (config)
              ? _("OAuth: the application signs in (client credentials)")
            : nonempty (config->oauth_token) ? _("OAuth token (set)")
            : nonempty (config->password) ? _("Password (set)")
            : NULL;
  e->org = _dmd_catalog_org_domain (config);
  e->from_domain = domain_of (e->from);
  e->to_domain = domain_of (e->to);
}

static void
entered_clear (Entered *e)
{
  g_free (e->port_text);
  g_free (e->org);
  g_free (e->from_domain);
  g_free (e->to_domain);
}

/* Whether a domain is the organization's: not applicable when either is unknown. */
static const char *
in_org_status (const Entered *e,
               const char    *domain)
{
  return (domain == NULL || e->org == NULL) ? NA : status_if (g_str_equal (domain, e->org));
}

/* What was entered for a row, and how it compares: one rule per kind of row. */
static void
judge_row (const Entered         *e,
           const DmdRecommendRow *r,
           const char           **out_entered,
           const char           **out_status)
{
  const DmdDeviceConfig *config = e->config;
  const char *entered = NULL;
  const char *status = NA;

  switch (r->rule)
    {
    case DMD_RECOMMEND_INFO:
      break;
    case DMD_RECOMMEND_SERVER_DEFAULT:
      entered = e->server;
      status = status_if (host_is_default_server (e->info, e->server));
      break;
    case DMD_RECOMMEND_SERVER_MX:
      entered = e->server;
      status = nonempty (e->server) ? status_if (dmd_host_is_mx_endpoint (e->server)) : DIFFERS;
      break;
    case DMD_RECOMMEND_PORT_SUBMISSION:
      entered = e->port_text;
      status = status_if (e->port == SMTP_AUTH_PORT || e->port == SMTP_PORT);
      break;
    case DMD_RECOMMEND_PORT_DEFAULT:
      entered = e->port_text;
      status = status_if (e->port == e->info->default_port);
      break;
    case DMD_RECOMMEND_SECURITY_STARTTLS:
      entered = security_display (config->security);
      status = status_if (config->security == DMD_SECURITY_STARTTLS);
      break;
    case DMD_RECOMMEND_SECURITY_NOT_IMPLICIT:
      entered = security_display (config->security);
      status = status_if (config->security != DMD_SECURITY_IMPLICIT_TLS);
      break;
    case DMD_RECOMMEND_USER_ADDRESS:
      entered = e->user;
      status = status_if (e->user != NULL && strchr (e->user, '@') != NULL);
      break;
    case DMD_RECOMMEND_SECRET_SET:
      entered = e->secret;
      status = status_if (e->secret != NULL);
      break;
    case DMD_RECOMMEND_NO_SIGN_IN:
      entered = e->user;
      status = status_if (e->user == NULL && e->secret == NULL);
      break;
    case DMD_RECOMMEND_SENDER_IS_USER:
      entered = e->from;
      status = e->from == NULL ? NA
             : status_if (e->user != NULL && g_ascii_strcasecmp (e->from, e->user) == 0);
      break;
    case DMD_RECOMMEND_SENDER_IN_ORG:
      entered = e->from;
      status = in_org_status (e, e->from_domain);
      break;
    case DMD_RECOMMEND_RECIPIENT_ANY:
      entered = e->to;
      status = e->to == NULL ? NA : OK;
      break;
    case DMD_RECOMMEND_RECIPIENT_IN_ORG:
      entered = e->to;
      status = in_org_status (e, e->to_domain);
      break;
    case DMD_RECOMMEND_CONNECTOR_IP:
      entered = nonempty (config->connector_ip);
      status = entered != NULL ? OK : NA;
      break;
    default:
      g_assert_not_reached ();
    }

  *out_entered = entered;
  *out_status = status;
}

GPtrArray *
dmd_catalog_recommended_settings (const DmdDeviceConfig *config)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_setting_row_free);
  Entered e;

  g_return_val_if_fail (config != NULL, rows);

  entered_init (&e, config);
  for (guint i = 0; i < e.info->n_recommended; i++)
    {
      const DmdRecommendRow *r = &e.info->recommended[i];
      const char *entered;
      const char *status;

      judge_row (&e, r, &entered, &status);
      g_ptr_array_add (rows, dmd_setting_row_new (r->name, _(r->label), _(r->recommended),
                                                  entered, status));
    }
  entered_clear (&e);
  return rows;
}
