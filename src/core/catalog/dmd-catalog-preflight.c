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

#define SMTP_AUTH_PORT 587
#define SMTP_PORT      25
#define IMPLICIT_PORT  465

#define nonempty  _dmd_catalog_nonempty
#define domain_of _dmd_catalog_address_domain

static gboolean
host_is_hve (const char *host)
{
  return host != NULL &&
         (g_ascii_strcasecmp (host, "smtp.hve.mx.microsoft") == 0 ||
          g_ascii_strcasecmp (host, "smtp-hve.office365.com") == 0);
}

static gboolean
host_is_smtp_auth_main (const char *host)
{
  return host != NULL && g_ascii_strcasecmp (host, DMD_DEFAULT_SMTP_AUTH_SERVER) == 0;
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
  return nonempty (config->oauth_token) == NULL;
}

void
dmd_catalog_preflight_with_mx (const DmdDeviceConfig *config,
                               const char            *mx_host,
                               DmdResult             *result)
{
  const char *server;
  guint16 port;
  gboolean smtp_auth;
  gboolean anonymous;

  g_return_if_fail (config != NULL);
  g_return_if_fail (result != NULL);

  server = dmd_device_config_get_server (config);
  port = dmd_device_config_get_port (config);
  smtp_auth = config->option == DMD_OPTION_SMTP_AUTH;
  anonymous = !smtp_auth;

  if (smtp_auth &&
      (nonempty (config->username) == NULL ||
       (nonempty (config->password) == NULL && nonempty (config->oauth_token) == NULL)))
    add (result, config, "config-no-credentials",
         g_strdup (nonempty (config->username) == NULL
                   ? _("No user name was entered.")
                   : _("No password or OAuth token was entered.")));

  if (smtp_auth && nonempty (config->from) && nonempty (config->username) &&
      strchr (config->username, '@') != NULL &&
      g_ascii_strcasecmp (config->from, config->username) != 0)
    /* Translators: sender address, then the sign-in user name */
    add (result, config, "config-sender-mismatch",
         g_strdup_printf (_("Sender “%s”, sign-in user “%s”."), config->from, config->username));

  if (nonempty (server) && dmd_host_is_ip_literal (server))
    add (result, config, "config-ip-literal-server",
         g_strdup_printf (_("Server “%s” is an IP address."), server));

  if (port == IMPLICIT_PORT)
    add (result, config, "config-port-465", g_strdup (_("Port 465 was entered.")));
  else if (config->security == DMD_SECURITY_IMPLICIT_TLS)
    add (result, config, "config-implicit-tls",
         g_strdup_printf (_("Security “TLS from the start” on port %u."), port));

  if (smtp_auth && config->security == DMD_SECURITY_NONE)
    add (result, config, "config-tls-disabled", g_strdup (_("Security is set to none.")));

  if (anonymous && nonempty (server) && dmd_host_is_smtp_auth_endpoint (server))
    /* Translators: the option's name, then the server */
    add (result, config, "config-wrong-endpoint-direct-send",
         g_strdup_printf (_("%s with server “%s”."), dmd_option_display_name (config->option),
                          server));

  if (smtp_auth && nonempty (server) && dmd_host_is_mx_endpoint (server))
    add (result, config, "config-wrong-endpoint-smtp-auth",
         g_strdup_printf (_("SMTP AUTH with server “%s”."), server));

  if (config->option == DMD_OPTION_DIRECT_SEND && nonempty (config->to))
    {
      g_autofree char *org = _dmd_catalog_org_domain (config);
      g_autofree char *rcpt = domain_of (config->to);

      if (org != NULL && rcpt != NULL && g_ascii_strcasecmp (org, rcpt) != 0)
        /* Translators: recipient address, then the organization's domain */
        add (result, config, "config-external-recipient-direct-send",
             g_strdup_printf (_("Recipient “%s” is not in the organization’s domain “%s”."),
                              config->to, org));
    }

  if (anonymous && config->server_field_length > 0)
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

  if (smtp_auth && nonempty (config->username) && has_basic_credentials (config) &&
      !host_is_hve (server))
    add (result, config, "config-basic-auth-retiring",
         g_strdup (_("The device signs in with a user name and password.")));

  if (config->allow_insecure_auth)
    add (result, config, "config-insecure-auth-allowed",
         g_strdup (_("--allow-insecure-auth was given for this run.")));

  if (!config->send)
    add (result, config, "test-message-not-sent",
         g_strdup (_("The checks stop before DATA (no real test message).")));
}

/* Which device setting each finding is about: the finding's column "field", kept beside the
 * rules that make most of them. */
static const struct {
  const char *id;
  DmdField    field;
} finding_fields[] = {
  { "config-no-credentials",                 DMD_FIELD_PASSWORD },
  { "config-basic-auth-retiring",            DMD_FIELD_PASSWORD },
  { "config-sender-mismatch",                DMD_FIELD_FROM },
  { "config-ip-literal-server",              DMD_FIELD_SERVER },
  { "config-wrong-endpoint-direct-send",     DMD_FIELD_SERVER },
  { "config-wrong-endpoint-smtp-auth",       DMD_FIELD_SERVER },
  { "config-port-465",                       DMD_FIELD_PORT },
  { "config-implicit-tls",                   DMD_FIELD_SECURITY },
  { "config-tls-disabled",                   DMD_FIELD_SECURITY },
  { "config-external-recipient-direct-send", DMD_FIELD_TO },
  { "config-mx-host-too-long",               DMD_FIELD_SERVER_FIELD_LENGTH },
  { "relay-connector-ip-mismatch",           DMD_FIELD_CONNECTOR_IP },
};

DmdField
dmd_catalog_finding_field (const char *id)
{
  g_return_val_if_fail (id != NULL, DMD_N_FIELDS);

  for (guint i = 0; i < G_N_ELEMENTS (finding_fields); i++)
    if (g_str_equal (finding_fields[i].id, id))
      return finding_fields[i].field;
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

static void
row (GPtrArray  *rows,
     const char *name,
     const char *label,
     const char *recommended,
     const char *entered,
     const char *status)
{
  g_ptr_array_add (rows, dmd_setting_row_new (name, label, recommended, entered, status));
}

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

static void
server_and_port_rows (GPtrArray             *rows,
                      const DmdDeviceConfig *config)
{
  const char *server = dmd_device_config_get_server (config);
  guint16 port = dmd_device_config_get_port (config);
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  if (config->option == DMD_OPTION_SMTP_AUTH)
    {
      row (rows, "server", _("Server / smart host"), DMD_DEFAULT_SMTP_AUTH_SERVER, server,
           status_if (host_is_smtp_auth_main (server)));
      row (rows, "port", _("Port"), _("587 (recommended) or 25"), port_text,
           status_if (port == SMTP_AUTH_PORT || port == SMTP_PORT));
    }
  else
    {
      row (rows, "server", _("Server / smart host"),
           _("The organization’s MX endpoint (ends in mail.protection.outlook.com or mx.microsoft)"),
           server, nonempty (server) ? status_if (dmd_host_is_mx_endpoint (server)) : DIFFERS);
      row (rows, "port", _("Port"), "25", port_text, status_if (port == SMTP_PORT));
    }
}

GPtrArray *
dmd_catalog_recommended_settings (const DmdDeviceConfig *config)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_setting_row_free);
  g_autofree char *org = NULL;
  g_autofree char *from_domain = NULL;
  g_autofree char *to_domain = NULL;
  const char *user;
  const char *from;
  const char *to;
  const char *secret;

  g_return_val_if_fail (config != NULL, rows);

  user = nonempty (config->username);
  from = nonempty (config->from);
  to = nonempty (config->to);
  org = _dmd_catalog_org_domain (config);
  from_domain = domain_of (from);
  to_domain = domain_of (to);
  /* Never the secret itself: only whether one was given. */
  secret = nonempty (config->oauth_token) ? _("OAuth token (set)")
         : nonempty (config->password) ? _("Password (set)")
         : NULL;

  server_and_port_rows (rows, config);

  switch (config->option)
    {
    case DMD_OPTION_SMTP_AUTH:
      row (rows, "security", _("TLS / STARTTLS"), _("STARTTLS, TLS 1.2 or later"),
           security_display (config->security),
           status_if (config->security == DMD_SECURITY_STARTTLS));
      row (rows, "username", _("User name"),
           _("The email address of the Microsoft 365 mailbox the device signs in with"),
           user, status_if (user != NULL && strchr (user, '@') != NULL));
      row (rows, "auth", _("Password"),
           _("The mailbox’s password, or an OAuth token (XOAUTH2)"), secret,
           status_if (secret != NULL));
      row (rows, "sender", _("Sender address"),
           _("The sign-in mailbox’s address, or one it has the Send As permission on"),
           from, from == NULL ? NA : status_if (user != NULL && g_ascii_strcasecmp (from, user) == 0));
      row (rows, "recipient", _("Recipients"), _("Inside and outside the organization"),
           to, to == NULL ? NA : OK);
      row (rows, "network", _("Network"),
           _("Any internet connection with port 587 open outbound; no static IP address needed"),
           NULL, NA);
      row (rows, "limits", _("Sending limits"),
           _("30 messages a minute and 10,000 recipients a day per mailbox"), NULL, NA);
      break;

    case DMD_OPTION_DIRECT_SEND:
      row (rows, "security", _("TLS / STARTTLS"), _("STARTTLS if available (TLS is optional)"),
           security_display (config->security),
           status_if (config->security != DMD_SECURITY_IMPLICIT_TLS));
      row (rows, "username", _("User name and password"), _("None (no sign-in)"),
           user, status_if (user == NULL && secret == NULL));
      row (rows, "sender", _("Sender address"),
           _("Any address in one of the organization’s domains; it need not be a mailbox"),
           from, (from_domain == NULL || org == NULL) ? NA : status_if (g_str_equal (from_domain, org)));
      row (rows, "recipient", _("Recipients"), _("Inside the organization only"),
           to, (to_domain == NULL || org == NULL) ? NA : status_if (g_str_equal (to_domain, org)));
      row (rows, "connector", _("Connector"),
           _("None, unless the organization rejects Direct Send (then a connector for the device’s IP address)"),
           NULL, NA);
      row (rows, "network", _("Network"),
           _("A static public IP address, listed in the domain’s SPF record (recommended); port 25 open outbound"),
           NULL, NA);
      row (rows, "limits", _("Sending limits"),
           _("Standard throttling; the mailbox limits do not apply"), NULL, NA);
      break;

    case DMD_OPTION_RELAY:
      row (rows, "security", _("TLS / STARTTLS"),
           _("STARTTLS (required for a certificate-based connector)"),
           security_display (config->security),
           status_if (config->security == DMD_SECURITY_STARTTLS));
      row (rows, "username", _("User name and password"), _("None (no sign-in)"),
           user, status_if (user == NULL && secret == NULL));
      row (rows, "sender", _("Sender address"),
           _("Any address in one of the organization’s accepted domains"),
           from, (from_domain == NULL || org == NULL) ? NA : status_if (g_str_equal (from_domain, org)));
      row (rows, "recipient", _("Recipients"), _("Inside and outside the organization"),
           to, to == NULL ? NA : OK);
      row (rows, "connector", _("Connector"),
           _("An inbound connector from the organization’s email server that trusts the site’s static public IP address or the device’s certificate"),
           nonempty (config->connector_ip), nonempty (config->connector_ip) ? OK : NA);
      row (rows, "network", _("Network"),
           _("A static public IP address, listed in the domain’s SPF record; port 25 open outbound"),
           NULL, NA);
      row (rows, "limits", _("Sending limits"),
           _("Reasonable limits of the relay pool; the mailbox limits do not apply"), NULL, NA);
      break;

    default:
      g_return_val_if_reached (rows);
    }

  return rows;
}
