/* dmd-config-oauth.c — the settings of signing in with Microsoft Entra ID (OAuth): how the
 * token is got, and the tenant, the application (client) id and the client secret checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-config.h"
#include "dmd-config-private.h"
#include "dmd-options.h"

gboolean
dmd_device_config_gets_token (const DmdDeviceConfig *config)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return dmd_option_get_info (config->option)->signs_in &&
         (config->auth_method == DMD_AUTH_METHOD_OAUTH_DEVICE ||
          config->auth_method == DMD_AUTH_METHOD_OAUTH_APP);
}

const char *
dmd_device_config_auth_method_name (const DmdDeviceConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (dmd_device_config_gets_token (config))
    return dmd_auth_method_to_string (config->auth_method);
  return dmd_auth_mech_to_string (dmd_device_config_get_auth_mech (config));
}

gboolean
dmd_client_id_is_valid (const char *text)
{
  static const guint groups[] = { 8, 4, 4, 4, 12 };
  const char *p = text;

  if (text == NULL)
    return FALSE;
  while (*p == ' ' || *p == '\t')
    p++;
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      if (g > 0 && *p++ != '-')
        return FALSE;
      for (guint i = 0; i < groups[g]; i++, p++)
        if (!g_ascii_isxdigit (*p))
          return FALSE;
    }
  while (*p == ' ' || *p == '\t')
    p++;
  return *p == '\0';
}

/* The tenant: its id (a GUID), one of its domains, or — for a person signing in — the
 * multi-tenant names Microsoft accepts. */
static gboolean
tenant_is_valid (const char *tenant,
                 gboolean    delegated)
{
  g_autofree char *ascii = NULL;

  if (dmd_client_id_is_valid (tenant))
    return TRUE;
  if (delegated && (g_ascii_strcasecmp (tenant, "organizations") == 0 ||
                    g_ascii_strcasecmp (tenant, "common") == 0))
    return TRUE;
  if (dmd_host_is_ip_literal (tenant) || strchr (tenant, '.') == NULL)
    return FALSE;
  ascii = dmd_host_to_ascii (tenant, NULL);
  return ascii != NULL;
}

void
_dmd_config_validate_oauth (GPtrArray             *errors,
                const DmdDeviceConfig *config)
{
  gboolean app = config->auth_method == DMD_AUTH_METHOD_OAUTH_APP;
  g_autofree char *tenant = NULL;

  if (!dmd_device_config_gets_token (config))
    return;

  tenant = g_strstrip (g_strdup (config->tenant != NULL ? config->tenant : ""));
  if (*tenant == '\0')
    _dmd_config_add_error (errors, DMD_FIELD_TENANT,
               g_strdup (_("Enter the tenant: the organization’s domain (such as contoso.com) "
                           "or its tenant ID.")));
  else if (!tenant_is_valid (tenant, !app))
    {
      g_autofree char *what = _dmd_config_shown (config->tenant);

      _dmd_config_add_error (errors, DMD_FIELD_TENANT,
                 g_strdup_printf (_("“%s” is not a tenant: enter the organization’s domain "
                                    "(such as contoso.com) or its tenant ID (a GUID)."), what));
    }

  if (!_dmd_config_is_set (config->client_id))
    _dmd_config_add_error (errors, DMD_FIELD_CLIENT_ID,
               g_strdup (_("Enter the application (client) ID of the app registration "
                           "(Microsoft Entra admin center, App registrations).")));
  else if (!dmd_client_id_is_valid (config->client_id))
    {
      g_autofree char *what = _dmd_config_shown (config->client_id);

      _dmd_config_add_error (errors, DMD_FIELD_CLIENT_ID,
                 g_strdup_printf (_("“%s” is not an application (client) ID: it is a GUID "
                                    "such as 11111111-2222-3333-4444-555555555555, shown on "
                                    "the app registration’s Overview page."), what));
    }

  if (app && !_dmd_config_is_set (config->client_secret))
    _dmd_config_add_error (errors, DMD_FIELD_CLIENT_SECRET,
               g_strdup (_("Enter the client secret’s value (not its ID) to sign in as the "
                           "application.")));
  else if (app && _dmd_config_has_control (config->client_secret))
    _dmd_config_add_error (errors, DMD_FIELD_CLIENT_SECRET,
               g_strdup (_("The client secret contains a line break or a control character: "
                           "paste only the secret’s value.")));
}

