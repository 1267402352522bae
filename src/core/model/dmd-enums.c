/* dmd-enums.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-enums.h"

static const char *security_names[] = { "starttls", "none", "implicit-tls" };
static const char *step_names[] = {
  "any", "connect", "banner", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "quit"
};
static const char *ip_version_names[] = { "4", "6", "any" };

static gboolean
lookup (const char  *const *names,
        guint               n_names,
        const char         *str,
        int                *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    if (g_ascii_strcasecmp (names[i], str) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

const char *
dmd_security_to_string (DmdSecurity security)
{
  g_return_val_if_fail (security <= DMD_SECURITY_IMPLICIT_TLS, NULL);
  return security_names[security];
}

gboolean
dmd_security_from_string (const char  *str,
                          DmdSecurity *out)
{
  int v;
  if (!lookup (security_names, G_N_ELEMENTS (security_names), str, &v))
    return FALSE;
  *out = (DmdSecurity) v;
  return TRUE;
}

const char *
dmd_step_to_string (DmdStep step)
{
  g_return_val_if_fail (step <= DMD_STEP_QUIT, NULL);
  return step_names[step];
}

gboolean
dmd_step_from_string (const char *str,
                      DmdStep    *out)
{
  int v;
  if (!lookup (step_names, G_N_ELEMENTS (step_names), str, &v))
    return FALSE;
  *out = (DmdStep) v;
  return TRUE;
}

const char *
dmd_auth_mech_to_string (DmdAuthMech mech)
{
  switch (mech)
    {
    case DMD_AUTH_NONE:    return "none";
    case DMD_AUTH_LOGIN:   return "login";
    case DMD_AUTH_PLAIN:   return "plain";
    case DMD_AUTH_XOAUTH2: return "xoauth2";
    default:               g_return_val_if_reached (NULL);
    }
}

static const char *auth_method_names[] = { "password", "oauth-device", "oauth-app", "oauth-token" };

const char *
dmd_auth_method_to_string (DmdAuthMethod method)
{
  g_return_val_if_fail (method <= DMD_AUTH_METHOD_OAUTH_TOKEN, NULL);
  return auth_method_names[method];
}

gboolean
dmd_auth_method_from_string (const char    *str,
                             DmdAuthMethod *out)
{
  int v;
  if (!lookup (auth_method_names, G_N_ELEMENTS (auth_method_names), str, &v))
    return FALSE;
  *out = (DmdAuthMethod) v;
  return TRUE;
}

const char *
dmd_severity_to_string (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_INFO:    return "info";
    case DMD_SEVERITY_WARNING: return "warning";
    case DMD_SEVERITY_ERROR:   return "error";
    default:                   g_return_val_if_reached (NULL);
    }
}

const char *
dmd_check_status_to_string (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PENDING: return "pending";
    case DMD_CHECK_RUNNING: return "running";
    case DMD_CHECK_PASS:    return "pass";
    case DMD_CHECK_WARN:    return "warn";
    case DMD_CHECK_FAIL:    return "fail";
    case DMD_CHECK_SKIP:    return "skip";
    default:                g_return_val_if_reached (NULL);
    }
}

const char *
dmd_ip_version_to_string (DmdIpVersion version)
{
  g_return_val_if_fail (version <= DMD_IP_VERSION_ANY, NULL);
  return ip_version_names[version];
}

gboolean
dmd_ip_version_from_string (const char   *str,
                            DmdIpVersion *out)
{
  int v;
  if (!lookup (ip_version_names, G_N_ELEMENTS (ip_version_names), str, &v))
    return FALSE;
  *out = (DmdIpVersion) v;
  return TRUE;
}

const char *
dmd_audience_to_string (DmdAudience audience)
{
  switch (audience)
    {
    case DMD_AUDIENCE_TECHNICIAN: return "technician";
    case DMD_AUDIENCE_ADMIN:      return "admin";
    case DMD_AUDIENCE_ANYONE:     return "anyone";
    default:                      g_return_val_if_reached (NULL);
    }
}

const char *
dmd_verdict_to_string (DmdVerdict verdict)
{
  switch (verdict)
    {
    case DMD_VERDICT_PASS:  return "pass";
    case DMD_VERDICT_WARN:  return "warn";
    case DMD_VERDICT_FAIL:  return "fail";
    case DMD_VERDICT_RETRY: return "retry";
    default:                g_return_val_if_reached (NULL);
    }
}
