/* dmd-report-json.c — a result as JSON, schema device-mail-doctor/report/v1
 *
 * Every string member goes through dmd-report-util.h's dmd_report_json_*(): json-glib never
 * sees raw bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-report-private.h"

static void
json_add_finding (JsonBuilder *b,
                  DmdFinding  *finding)
{
  json_builder_begin_object (b);
  dmd_report_json_string (b, "id", finding->id);
  dmd_report_json_string (b, "severity", dmd_severity_to_string (finding->severity));
  dmd_report_json_field (b, "check", finding->check);
  dmd_report_json_string (b, "title", finding->title != NULL ? finding->title : "");
  dmd_report_json_string (b, "explanation",
                          finding->explanation != NULL ? finding->explanation : "");
  dmd_report_json_string (b, "evidence", finding->evidence != NULL ? finding->evidence : "");
  json_builder_set_member_name (b, "fixes");
  json_builder_begin_array (b);
  for (guint i = 0; finding->fixes != NULL && i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      json_builder_begin_object (b);
      dmd_report_json_string (b, "text", fix->text != NULL ? fix->text : "");
      dmd_report_json_field (b, "command", fix->command);
      if (_dmd_report_has_text (fix->url))
        dmd_report_json_string (b, "url", fix->url);
      dmd_report_json_string (b, "audience", dmd_audience_to_string (fix->audience));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
json_add_findings (JsonBuilder *b,
                   GPtrArray   *findings)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    json_add_finding (b, g_ptr_array_index (findings, i));
  json_builder_end_array (b);
}

JsonNode *
dmd_report_findings_to_json (GPtrArray *findings)
{
  g_autoptr(JsonBuilder) b = NULL;

  g_return_val_if_fail (findings != NULL, NULL);

  b = json_builder_new ();
  json_add_findings (b, findings);
  return json_builder_get_root (b);
}

static void
json_add_settings (JsonBuilder           *b,
                   const DmdDeviceConfig *config)
{
  json_builder_set_member_name (b, "settings");
  if (config == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }

  json_builder_begin_object (b);
  dmd_report_json_field (b, "server", dmd_device_config_get_server (config));
  dmd_report_json_int (b, "port", dmd_device_config_get_port (config));
  dmd_report_json_string (b, "security", dmd_security_to_string (config->security));
  dmd_report_json_field (b, "username", config->username);
  dmd_report_json_string (b, "auth_method", dmd_device_config_auth_method_name (config));
  /* OAuth: the app registration signed in with (not secrets). */
  dmd_report_json_field (b, "tenant",
                         dmd_device_config_gets_token (config) ? config->tenant : NULL);
  dmd_report_json_field (b, "client_id",
                         dmd_device_config_gets_token (config) ? config->client_id : NULL);
  dmd_report_json_field (b, "from", config->from);
  dmd_report_json_field (b, "to", config->to);
  dmd_report_json_field (b, "domain", config->domain);
  dmd_report_json_field (b, "connector_ip", config->connector_ip);
  json_builder_set_member_name (b, "server_field_length");
  if (config->server_field_length > 0)
    json_builder_add_int_value (b, config->server_field_length);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "connect_to");
  json_builder_begin_array (b);
  for (guint i = 0; config->connect_to != NULL && i < config->connect_to->len; i++)
    {
      g_autofree char *spec =
        _dmd_report_connect_to_spec (g_ptr_array_index (config->connect_to, i));

      dmd_report_json_add_string (b, spec);
    }
  json_builder_end_array (b);
  dmd_report_json_string (b, "ip_version", dmd_ip_version_to_string (config->ip_version));
  dmd_report_json_bool (b, "insecure_auth_allowed", config->allow_insecure_auth);
  json_builder_end_object (b);
}

static void
json_add_recommended (JsonBuilder *b,
                      DmdResult   *result)
{
  json_builder_set_member_name (b, "recommended");
  json_builder_begin_array (b);
  for (guint i = 0; result->recommended != NULL && i < result->recommended->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (result->recommended, i);

      json_builder_begin_object (b);
      dmd_report_json_string (b, "name", row->name != NULL ? row->name : "");
      dmd_report_json_string (b, "recommended",
                              row->recommended != NULL ? row->recommended : "");
      dmd_report_json_string (b, "entered", row->entered);
      dmd_report_json_string (b, "status",
                              row->status != NULL ? row->status : "not-applicable");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static const char *
unfinished_summary (DmdResult *result)
{
  return result->cancelled ? _("Not finished: the run was cancelled") : _("Not finished");
}

static void
json_add_transcript (JsonBuilder *b,
                     GPtrArray   *lines)
{
  json_builder_begin_array (b);
  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      DmdTranscriptLine *line = g_ptr_array_index (lines, i);
      char dir[2] = { line->dir, '\0' };

      if (dir[0] != 'S' && dir[0] != 'C')
        dir[0] = 'I';
      json_builder_begin_object (b);
      dmd_report_json_string (b, "dir", dir);
      dmd_report_json_string (b, "text", line->text != NULL ? line->text : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The oauth check carries what the token said about itself (never the token). */
static void
json_add_claims (JsonBuilder          *b,
                 const DmdOAuthClaims *claims)
{
  json_builder_set_member_name (b, "claims");
  json_builder_begin_object (b);
  dmd_report_json_field (b, "flow", claims->flow);
  dmd_report_json_field (b, "audience", claims->audience);
  dmd_report_json_field (b, "scopes", claims->scopes);
  dmd_report_json_field (b, "roles", claims->roles);
  dmd_report_json_field (b, "user", claims->user);
  dmd_report_json_field (b, "tenant_id", claims->tenant_id);
  dmd_report_json_field (b, "app_id", claims->app_id);
  {
    g_autoptr(GDateTime) when = claims->expires != 0
                                ? g_date_time_new_from_unix_utc (claims->expires) : NULL;
    g_autofree char *stamp = when ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ") : NULL;

    dmd_report_json_field (b, "expires", stamp);
  }
  json_builder_end_object (b);
}

static void
json_add_checks (JsonBuilder *b,
                 DmdResult   *result)
{
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      gboolean unfinished = check->status == DMD_CHECK_PENDING
                            || check->status == DMD_CHECK_RUNNING;
      const char *summary = check->summary;

      if (!_dmd_report_has_text (summary))
        summary = unfinished ? unfinished_summary (result) : "";

      json_builder_begin_object (b);
      dmd_report_json_string (b, "id", check->id);
      dmd_report_json_string (b, "status", _dmd_report_check_status_key (check->status));
      dmd_report_json_string (b, "summary", summary);
      dmd_report_json_int (b, "elapsed_ms", MAX (check->elapsed_ms, 0));
      json_builder_set_member_name (b, "transcript");
      json_add_transcript (b, check->transcript);
      if (g_str_equal (check->id, "oauth") && result->oauth_claims != NULL)
        json_add_claims (b, result->oauth_claims);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
json_add_network (JsonBuilder *b,
                  DmdResult   *result)
{
  DmdNetwork *net = &result->network;

  json_builder_set_member_name (b, "network");
  json_builder_begin_object (b);
  dmd_report_json_field (b, "public_ip", net->public_ip);
  dmd_report_json_field (b, "address_family", net->address_family);

  json_builder_set_member_name (b, "tls");
  json_builder_begin_object (b);
  dmd_report_json_field (b, "negotiated", net->tls_negotiated);
  dmd_report_json_field (b, "cipher", net->tls_cipher);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_object (b);
  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    dmd_report_json_string (b, dmd_tls_version_name (i),
                            dmd_tls_version_state_to_string (net->versions[i].state));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "certificate");
  if (net->chain != NULL && net->chain->len > 0)
    {
      DmdCertInfo *leaf = g_ptr_array_index (net->chain, 0);

      json_builder_begin_object (b);
      dmd_report_json_field (b, "subject", leaf->subject);
      dmd_report_json_field (b, "issuer", leaf->issuer);
      dmd_report_json_field (b, "not_after", leaf->not_after);
      dmd_report_json_field (b, "sha256", leaf->sha256);
      dmd_report_json_bool (b, "verified", net->cert_verified);
      dmd_report_json_field (b, "problem", net->cert_problem);
      json_builder_end_object (b);
    }
  else
    {
      json_builder_add_null_value (b);
    }

  /* Additive to v1: the client certificate chosen (subject, sha256… null when none was) and
   * whether the server asked for one and it was presented; null when neither applies. */
  json_builder_set_member_name (b, "client_certificate");
  if (net->client_cert != NULL || net->client_cert_requested)
    {
      const DmdCertInfo *cc = net->client_cert;

      json_builder_begin_object (b);
      dmd_report_json_field (b, "subject", cc != NULL ? cc->subject : NULL);
      dmd_report_json_field (b, "not_after", cc != NULL ? cc->not_after : NULL);
      dmd_report_json_field (b, "sha256", cc != NULL ? cc->sha256 : NULL);
      dmd_report_json_bool (b, "requested", net->client_cert_requested);
      dmd_report_json_bool (b, "presented", net->client_cert != NULL && net->client_cert_sent);
      json_builder_end_object (b);
    }
  else
    {
      json_builder_add_null_value (b);
    }
  json_builder_end_object (b); /* tls */
  json_builder_end_object (b); /* network */
}

JsonNode *
dmd_report_build_json (DmdResult             *result,
                       const DmdDeviceConfig *config)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  b = json_builder_new ();
  generated = _dmd_report_format_generated (result, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (b);
  dmd_report_json_string (b, "schema", DMD_REPORT_SCHEMA);
  dmd_report_json_string (b, "generated", generated);

  json_builder_set_member_name (b, "tool");
  json_builder_begin_object (b);
  dmd_report_json_string (b, "name", PACKAGE_NAME);
  dmd_report_json_string (b, "version", PACKAGE_VERSION);
  json_builder_end_object (b);

  dmd_report_json_string (b, "option", dmd_option_to_string (result->option));
  dmd_report_json_string (b, "verdict", dmd_result_verdict (result));
  dmd_report_json_bool (b, "cancelled", result->cancelled);
  dmd_report_json_bool (b, "sent", result->sent);

  json_add_settings (b, config);
  json_add_recommended (b, result);
  json_add_checks (b, result);
  json_builder_set_member_name (b, "findings");
  json_add_findings (b, result->findings);
  json_add_network (b, result);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

char *
dmd_report_to_json (DmdResult             *result,
                    const DmdDeviceConfig *config)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  root = dmd_report_build_json (result, config);
  return dmd_report_json_to_data (root);
}
