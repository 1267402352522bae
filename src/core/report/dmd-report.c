/* dmd-report.c — what the three writers share: the words, the facts and the verdict
 *
 * The writers: dmd-report-text.c, dmd-report-json.c (device-mail-doctor/report/v1) and
 * dmd-report-html.c; every string they take from here or from the result goes through
 * dmd-report-util.h's doors. The config's password and OAuth token are never read here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-report-private.h"
#include "dmd-words.h"

/* ------------------------------------------------------------------------------------------ */
/* Words shared by the three writers (the words people read for a value: dmd-words.h)          */
/* ------------------------------------------------------------------------------------------ */

const char *
_dmd_report_check_title (const char *id)
{
  const char *title = id != NULL ? dmd_check_title (id) : NULL;

  return title != NULL ? title : (id != NULL ? id : "");
}

static const char *
security_word (DmdSecurity security)
{
  switch (security)
    {
    case DMD_SECURITY_STARTTLS:     return _("STARTTLS");
    case DMD_SECURITY_NONE:         return _("None (plaintext)");
    case DMD_SECURITY_IMPLICIT_TLS: return _("TLS from the start");
    default:                        return "";
    }
}

static const char *
auth_mech_word (DmdAuthMech mech)
{
  switch (mech)
    {
    case DMD_AUTH_LOGIN:   return _("AUTH LOGIN with a password");
    case DMD_AUTH_PLAIN:   return _("AUTH PLAIN with a password");
    case DMD_AUTH_XOAUTH2: return _("XOAUTH2 with an OAuth token");
    case DMD_AUTH_NONE:
    default:               return _("No sign-in");
    }
}

const char *
_dmd_report_family_word (const char *family)
{
  if (g_strcmp0 (family, "ipv4") == 0)
    return "IPv4";
  if (g_strcmp0 (family, "ipv6") == 0)
    return "IPv6";
  return family;
}

const char *
_dmd_report_check_status_key (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS:
    case DMD_CHECK_WARN:
    case DMD_CHECK_FAIL:
    case DMD_CHECK_SKIP:
      return dmd_check_status_to_string (status);
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:
      return "skip";
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Facts                                                                                      */
/* ------------------------------------------------------------------------------------------ */

char *
_dmd_report_format_generated (DmdResult  *result,
                              const char *format)
{
  g_autoptr(GDateTime) utc = NULL;

  if (result->generated == NULL)
    return g_strdup ("");
  utc = g_date_time_to_utc (result->generated);
  return g_date_time_format (utc, format);
}

char *
_dmd_report_connect_to_spec (const DmdConnectTo *ct)
{
  GString *spec = g_string_new (NULL);
  const char *hosts[2] = { ct->host, ct->to_addr };
  guint16 ports[2] = { ct->port, ct->to_port };

  for (guint i = 0; i < 2; i++)
    {
      if (i > 0)
        g_string_append_c (spec, ':');
      if (hosts[i] != NULL && strchr (hosts[i], ':') != NULL)
        g_string_append_printf (spec, "[%s]", hosts[i]);
      else if (hosts[i] != NULL)
        g_string_append (spec, hosts[i]);
      g_string_append_c (spec, ':');
      if (ports[i] != 0)
        g_string_append_printf (spec, "%u", (guint) ports[i]);
    }
  return g_string_free (spec, FALSE);
}

const DmdFix *
_dmd_report_first_fix (DmdFinding *finding)
{
  if (finding == NULL || finding->fixes == NULL || finding->fixes->len == 0)
    return NULL;
  return g_ptr_array_index (finding->fixes, 0);
}

char *
_dmd_report_verdict_headline (DmdResult *result)
{
  DmdCheck *failed = dmd_result_get_failed_check (result);

  switch (dmd_result_get_verdict (result))
    {
    case DMD_VERDICT_FAIL:
      if (failed != NULL)
        /* Translators: the headline when a check failed; %s is the check's name, such as
         * "Sender (MAIL FROM)". */
        return g_strdup_printf (_("Can’t send yet — the “%s” check failed"),
                                _dmd_report_check_title (failed->id));
      return g_strdup (_("Can’t send yet"));
    case DMD_VERDICT_RETRY:
      return g_strdup (_("Refused for now — try again later"));
    case DMD_VERDICT_WARN:
      if (result->cancelled)
        return g_strdup (_("Not known yet: the checks did not finish"));
      return g_strdup (_("Ready to send, with warnings"));
    case DMD_VERDICT_PASS:
    default:
      return g_strdup (_("Ready to send"));
    }
}

/* Never "mail will flow" without a test message. */
const char *
_dmd_report_verdict_scope (DmdResult *result)
{
  DmdVerdict verdict = dmd_result_get_verdict (result);

  if (result->cancelled || verdict == DMD_VERDICT_FAIL || verdict == DMD_VERDICT_RETRY)
    return NULL;
  if (result->sent)
    return _("A real test message was sent and accepted by the server.");
  return _("The server accepted the sender and the recipient. No test message was sent, so "
           "refusals that only come after the message (such as Send As) cannot show yet.");
}

DmdReportSetting
_dmd_report_setting_order (const DmdSettingRow *row)
{
  if (g_strcmp0 (row->status, "differs") == 0)
    return DMD_REPORT_SETTING_DIFFERS;
  if (g_strcmp0 (row->status, "ok") == 0)
    return DMD_REPORT_SETTING_OK;
  return DMD_REPORT_SETTING_NOT_APPLICABLE;
}

GPtrArray *
_dmd_report_sorted_settings (DmdResult *result)
{
  GPtrArray *rows = g_ptr_array_new ();

  if (result->recommended == NULL)
    return rows;
  for (int order = DMD_REPORT_SETTING_DIFFERS; order <= DMD_REPORT_SETTING_NOT_APPLICABLE;
       order++)
    for (guint i = 0; i < result->recommended->len; i++)
      {
        DmdSettingRow *row = g_ptr_array_index (result->recommended, i);
        if ((int) _dmd_report_setting_order (row) == order)
          g_ptr_array_add (rows, row);
      }
  return rows;
}

static void
fact_clear (DmdReportFact *fact)
{
  g_free (fact->value);
}

GArray *
_dmd_report_facts_new (void)
{
  GArray *facts = g_array_new (FALSE, FALSE, sizeof (DmdReportFact));

  g_array_set_clear_func (facts, (GDestroyNotify) fact_clear);
  return facts;
}

void
_dmd_report_add_fact (GArray     *facts,
                      const char *key,
                      char       *value)
{
  DmdReportFact fact = { key, value };

  g_array_append_val (facts, fact);
}

static char *
format_server (const DmdDeviceConfig *config)
{
  const char *server = dmd_device_config_get_server (config);

  /* Translators: "smtp.office365.com, port 587, STARTTLS" */
  return g_strdup_printf (_("%s, port %u, %s"),
                          _dmd_report_has_text (server) ? server : _("(not set)"),
                          (guint) dmd_device_config_get_port (config),
                          security_word (config->security));
}

static char *
format_sign_in (const DmdDeviceConfig *config)
{
  gboolean fetched = dmd_device_config_gets_token (config);
  const char *mech = fetched && config->auth_method == DMD_AUTH_METHOD_OAUTH_DEVICE
                     ? _("XOAUTH2 with a token from Microsoft Entra ID, by device code")
                     : fetched && config->auth_method == DMD_AUTH_METHOD_OAUTH_APP
                     ? _("XOAUTH2 with a token from Microsoft Entra ID, by client credentials")
                     : auth_mech_word (dmd_device_config_get_auth_mech (config));

  if (_dmd_report_has_text (config->username))
    /* Translators: "scanner@contoso.com (AUTH LOGIN with a password)" */
    return g_strdup_printf (_("%s (%s)"), config->username, mech);
  return g_strdup (mech);
}

/* Whether "Sign-in" is a fact of this run: the option signs in, or a user name was given. */
static gboolean
shows_sign_in (const DmdDeviceConfig *config)
{
  return dmd_option_get_info (config->option)->signs_in ||
         _dmd_report_has_text (config->username);
}

/* What became of the test message, in words. */
static char *
test_message_words (DmdResult *result)
{
  DmdCheck *data = dmd_result_get_check (result, "data");
  const char *summary = data != NULL && _dmd_report_has_text (data->summary) ? data->summary
                                                                             : "?";

  if (result->sent)
    return g_strdup (_("Sent"));
  if (data == NULL)
    return g_strdup (_("Not sent (stopped before DATA)"));
  if (data->status != DMD_CHECK_FAIL)
    return g_strdup (_("Not sent (the run did not finish)"));
  if (result->message_transmitted)
    /* Translators: %s is the server's reply, or what went wrong (the connection closed). */
    return g_strdup_printf (_("Sent, but not accepted: %s"), summary);
  /* Translators: %s is the server's reply to DATA, or what went wrong. */
  return g_strdup_printf (_("Not sent: DATA was refused: %s"), summary);
}

static void
add_config_facts (GArray                *kvs,
                  const DmdDeviceConfig *config,
                  const char            *arrow)
{
  _dmd_report_add_fact (kvs, _("Server"), format_server (config));
  if (shows_sign_in (config))
    _dmd_report_add_fact (kvs, _("Sign-in"), format_sign_in (config));
  if (_dmd_report_has_text (config->from) || _dmd_report_has_text (config->to))
    _dmd_report_add_fact (kvs, _("Message"),
                          g_strdup_printf ("%s %s %s",
                                           _dmd_report_has_text (config->from) ? config->from
                                                                               : "?",
                                           arrow,
                                           _dmd_report_has_text (config->to) ? config->to
                                                                             : "?"));
  if (_dmd_report_has_text (config->connector_ip))
    _dmd_report_add_fact (kvs, _("IP on the connector"), g_strdup (config->connector_ip));
  if (config->connect_to != NULL && config->connect_to->len > 0)
    {
      GString *all = g_string_new (NULL);

      for (guint i = 0; i < config->connect_to->len; i++)
        {
          g_autofree char *spec =
            _dmd_report_connect_to_spec (g_ptr_array_index (config->connect_to, i));
          if (i > 0)
            g_string_append (all, ", ");
          g_string_append (all, spec);
        }
      _dmd_report_add_fact (kvs, _("Connected instead to"), g_string_free (all, FALSE));
    }
  if (config->allow_insecure_auth)
    _dmd_report_add_fact (kvs, _("Insecure sign-in"),
                          g_strdup (_("Allowed for this run (plaintext or unverified TLS)")));
}

GArray *
_dmd_report_tested_facts (DmdResult             *result,
                          const DmdDeviceConfig *config,
                          const char            *arrow)
{
  GArray *kvs = _dmd_report_facts_new ();

  _dmd_report_add_fact (kvs, _("Option"), g_strdup (dmd_option_display_name (result->option)));
  if (config != NULL)
    add_config_facts (kvs, config, arrow);
  _dmd_report_add_fact (kvs, _("Test message"), test_message_words (result));
  _dmd_report_add_fact (kvs, _("Checked on"),
                        _dmd_report_format_generated (result, "%Y-%m-%d %H:%M UTC"));
  return kvs;
}

GArray *
_dmd_report_cert_fields (const DmdCertInfo *cert)
{
  GArray *kvs = _dmd_report_facts_new ();

  if (_dmd_report_has_text (cert->subject))
    _dmd_report_add_fact (kvs, _("Subject"), g_strdup (cert->subject));
  if (_dmd_report_has_text (cert->issuer))
    _dmd_report_add_fact (kvs, _("Issuer"), g_strdup (cert->issuer));
  if (cert->sans != NULL && cert->sans->len > 0)
    _dmd_report_add_fact (kvs, _("Names"), dmd_report_join (cert->sans, ", "));
  if (_dmd_report_has_text (cert->not_before))
    _dmd_report_add_fact (kvs, _("Valid from"), g_strdup (cert->not_before));
  if (_dmd_report_has_text (cert->not_after))
    _dmd_report_add_fact (kvs, _("Valid until"), g_strdup (cert->not_after));
  if (_dmd_report_has_text (cert->sha256))
    _dmd_report_add_fact (kvs, "SHA-256", g_strdup (cert->sha256));
  return kvs;
}

const char *
_dmd_report_client_cert_status (const DmdNetwork *net,
                                gboolean         *good)
{
  *good = net->client_cert != NULL && net->client_cert_sent;
  if (net->client_cert == NULL)
    return net->client_cert_requested
           ? _("None chosen, although the server asked for a client certificate") : NULL;
  if (net->client_cert_sent)
    return _("Presented: the server asked for a client certificate");
  if (_dmd_report_has_text (net->tls_negotiated))
    return _("Not presented: the server did not ask for a client certificate");
  return _("Not presented: no TLS session was set up");
}
