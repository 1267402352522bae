/* dmd-words.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-words.h"

/* ------------------------------------------------------------------------------------------ */
/* TLS versions                                                                               */
/* ------------------------------------------------------------------------------------------ */

static const struct {
  const char *name;
  const char *display_name;
} tls_versions[DMD_N_TLS_VERSIONS] = {
  [DMD_TLS10] = { "TLS1.0", "TLS 1.0" },
  [DMD_TLS11] = { "TLS1.1", "TLS 1.1" },
  [DMD_TLS12] = { "TLS1.2", "TLS 1.2" },
  [DMD_TLS13] = { "TLS1.3", "TLS 1.3" },
};

const char *
dmd_tls_version_name (int dmd_tls_index)
{
  if (dmd_tls_index < 0 || dmd_tls_index >= DMD_N_TLS_VERSIONS)
    return NULL;
  return tls_versions[dmd_tls_index].name;
}

int
dmd_tls_version_index (const char *name)
{
  for (int i = 0; name != NULL && i < DMD_N_TLS_VERSIONS; i++)
    if (g_str_equal (name, tls_versions[i].name))
      return i;
  return -1;
}

const char *
dmd_tls_version_display_name (int dmd_tls_index)
{
  if (dmd_tls_index < 0 || dmd_tls_index >= DMD_N_TLS_VERSIONS)
    return NULL;
  return tls_versions[dmd_tls_index].display_name;
}

const char *
dmd_tls_version_state_word (DmdTlsVersionState state)
{
  switch (state)
    {
    case DMD_TLS_VERSION_ACCEPTED:     return _("Accepted");
    case DMD_TLS_VERSION_REFUSED:      return _("Refused");
    case DMD_TLS_VERSION_NOT_TESTABLE: return _("Could not be tested");
    case DMD_TLS_VERSION_UNTESTED:
    default:                           return _("Not tested");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Findings and checks                                                                        */
/* ------------------------------------------------------------------------------------------ */

const char *
dmd_severity_word (DmdSeverity severity)
{
  switch (severity)
    {
    /* Translators: a finding's severity, also read out before an error under a field, so that
     * it is not told by colour only. */
    case DMD_SEVERITY_ERROR:   return _("Error");
    case DMD_SEVERITY_WARNING: return _("Warning");
    case DMD_SEVERITY_INFO:
    default:                   return _("Note");
    }
}

const char *
dmd_check_status_word (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PENDING: return _("Waiting");
    case DMD_CHECK_RUNNING: return _("Running");
    case DMD_CHECK_PASS:    return _("Passed");
    case DMD_CHECK_WARN:    return _("Warning");
    case DMD_CHECK_FAIL:    return _("Failed");
    case DMD_CHECK_SKIP:    return _("Skipped");
    default:                return "";
    }
}

const char *
dmd_check_status_word_finished (DmdCheckStatus status)
{
  if (status == DMD_CHECK_PENDING || status == DMD_CHECK_RUNNING)
    /* Translators: the status of a check the run ended before (it was cancelled). */
    return _("Not finished");
  return dmd_check_status_word (status);
}

const char *
dmd_audience_word (DmdAudience audience)
{
  switch (audience)
    {
    case DMD_AUDIENCE_TECHNICIAN: return _("At the device");
    case DMD_AUDIENCE_ADMIN:      return _("For the admin");
    case DMD_AUDIENCE_ANYONE:
    default:                      return NULL;
    }
}

const char *
dmd_check_title (const char *check_id)
{
  static const struct { const char *id; const char *title; } titles[] = {
    { "config",       N_("Settings as entered") },
    { "dns",          N_("Name lookup") },
    { "connect",      N_("Connection") },
    { "banner",       N_("Server greeting") },
    { "ehlo",         N_("EHLO and capabilities") },
    { "starttls",     N_("STARTTLS") },
    { "tls",          N_("TLS and certificate") },
    { "tls-versions", N_("TLS versions") },
    { "oauth",        N_("Token from Microsoft Entra ID") },
    { "auth",         N_("Sign-in") },
    { "mail-from",    N_("Sender (MAIL FROM)") },
    { "rcpt-to",      N_("Recipient (RCPT TO)") },
    { "data",         N_("Test message") },
    { "spf",          N_("SPF record") },
    { "blocklist",    N_("Blocklists") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_strcmp0 (titles[i].id, check_id) == 0)
      return _(titles[i].title);
  return check_id;
}
