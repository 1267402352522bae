/* test-report.c — the renderers, on results built by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "dmd-report.h"
#include "dmd-words.h"

#define PASSWORD "Pa55-w0rd-Very-Secret"
#define TOKEN    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.token-very-secret"
/* base64 of PASSWORD, as AUTH LOGIN would send it */
#define PASSWORD_B64 "UGE1NS13MHJkLVZlcnktU2VjcmV0"

static DmdDeviceConfig *
make_config (void)
{
  DmdDeviceConfig *config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(GError) error = NULL;
  DmdConnectTo *ct;

  config->server = g_strdup ("smtp.office365.com");
  config->port = 587;
  config->security = DMD_SECURITY_STARTTLS;
  config->username = g_strdup ("scanner@contoso.com");
  dmd_device_config_set_password (config, PASSWORD);
  config->from = g_strdup ("scanner@contoso.com");
  config->to = g_strdup ("someone@contoso.com");
  config->domain = g_strdup ("contoso.com");
  config->ip_version = DMD_IP_VERSION_4;
  ct = dmd_connect_to_parse ("smtp.office365.com:587:127.0.0.1:2525", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ct);
  if (config->connect_to == NULL)
    config->connect_to = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_connect_to_free);
  g_ptr_array_add (config->connect_to, ct);
  return config;
}

/* A failing SMTP AUTH run with everything a renderer has to show, and hostile server text. */
static DmdResult *
make_result (const char *evidence,
             const char *server_line)
{
  DmdResult *result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  DmdCheck *check;
  DmdFinding *finding;
  DmdCertInfo *cert;

  check = dmd_result_add_check (result, "connect");
  check->status = DMD_CHECK_PASS;
  check->summary = g_strdup ("Connected to 127.0.0.1:2525");
  check->elapsed_ms = 12;
  dmd_check_add_line (check, 'I', "Connecting to 127.0.0.1:2525");

  check = dmd_result_add_check (result, "banner");
  check->status = DMD_CHECK_PASS;
  check->summary = g_strdup (server_line);
  check->elapsed_ms = 3;
  dmd_check_add_line (check, 'S', server_line);

  check = dmd_result_add_check (result, "auth");
  check->status = DMD_CHECK_FAIL;
  check->summary = g_strdup ("Authentication failed");
  check->elapsed_ms = 40;
  dmd_check_add_line (check, 'C', "AUTH LOGIN");
  dmd_check_add_line (check, 'C', "[redacted]");
  dmd_check_add_line (check, 'S', evidence);

  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('S', server_line));
  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('C', "EHLO tester"));
  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('C', "[redacted]"));
  g_ptr_array_add (result->transcript, dmd_transcript_line_new ('S', evidence));

  finding = dmd_finding_new ("auth-smtp-auth-disabled-tenant", DMD_SEVERITY_ERROR);
  finding->check = g_strdup ("auth");
  finding->title = g_strdup ("SMTP AUTH is turned off for the organisation");
  finding->explanation = g_strdup ("The tenant has SMTP AUTH disabled.\nTurn it on.");
  finding->evidence = g_strdup (evidence);
  dmd_finding_add_fix (finding, "Turn SMTP AUTH on for the organisation",
                       "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
                       "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
                       DMD_AUDIENCE_ADMIN);
  dmd_finding_add_fix (finding, "Or only for this mailbox",
                       "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false",
                       "javascript:alert(1)", DMD_AUDIENCE_ADMIN);
  dmd_finding_add_fix (finding, "Check the user name on the device", NULL, NULL,
                       DMD_AUDIENCE_TECHNICIAN);
  dmd_result_add_finding (result, finding);

  finding = dmd_finding_new ("test-message-not-sent", DMD_SEVERITY_INFO);
  finding->title = g_strdup ("No test message was sent");
  finding->explanation = g_strdup ("Some refusals only show after DATA.");
  dmd_result_add_finding (result, finding);

  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("server", "Server", "smtp.office365.com",
                                        "smtp.office365.com", "ok"));
  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("port", "Port", "587", "25", "differs"));
  g_ptr_array_add (result->recommended,
                   dmd_setting_row_new ("connector", "Connector", "-", NULL, "not-applicable"));

  result->network.public_ip = g_strdup ("203.0.113.7");
  result->network.address_family = g_strdup ("ipv4");
  result->network.peer_address = g_strdup ("127.0.0.1");
  result->network.tls_negotiated = g_strdup ("TLS1.3");
  result->network.tls_cipher = g_strdup ("TLS_AES_256_GCM_SHA384");
  result->network.versions[DMD_TLS10].state = DMD_TLS_VERSION_REFUSED;
  result->network.versions[DMD_TLS10].detail = g_strdup ("protocol version alert");
  result->network.versions[DMD_TLS11].state = DMD_TLS_VERSION_REFUSED;
  result->network.versions[DMD_TLS12].state = DMD_TLS_VERSION_ACCEPTED;
  result->network.versions[DMD_TLS13].state = DMD_TLS_VERSION_ACCEPTED;
  cert = dmd_cert_info_new ();
  cert->subject = g_strdup ("CN=<b>smtp.office365.com</b>");
  cert->issuer = g_strdup ("CN=Test CA \033[2J");
  g_ptr_array_add (cert->sans, g_strdup ("smtp.office365.com"));
  cert->not_before = g_strdup ("2026-01-01T00:00:00Z");
  cert->not_after = g_strdup ("2027-01-01T00:00:00Z");
  cert->sha256 = g_strdup ("AB:CD:EF");
  g_ptr_array_add (result->network.chain, cert);
  result->network.cert_verified = TRUE;

  return result;
}

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (json, -1, NULL));
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_member_type (JsonObject  *object,
                    const char  *member,
                    JsonNodeType type)
{
  JsonNode *node;

  g_assert_true (json_object_has_member (object, member));
  node = json_object_get_member (object, member);
  if (JSON_NODE_TYPE (node) != type)
    g_error ("member %s has type %s", member, json_node_type_name (node));
}

static void
assert_string_member (JsonObject *object,
                      const char *member,
                      const char *expected)
{
  assert_member_type (object, member, JSON_NODE_VALUE);
  g_assert_cmpstr (json_object_get_string_member (object, member), ==, expected);
}

static void
assert_no_secret (const char *text)
{
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, PASSWORD_B64));
  g_assert_null (strstr (text, TOKEN));
}

static void
test_json_schema (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("535 5.7.139 Authentication unsuccessful",
                                             "220 mx.example Microsoft ESMTP MAIL Service ready");
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GRegex) iso = NULL;
  JsonObject *obj, *o;
  JsonArray *a;

  json = dmd_report_to_json (result, config);
  root = parse_json (json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  obj = json_node_get_object (root);

  assert_string_member (obj, "schema", "device-mail-doctor/report/v1");
  assert_string_member (obj, "option", "smtp-auth");
  assert_string_member (obj, "verdict", "fail");
  assert_member_type (obj, "cancelled", JSON_NODE_VALUE);
  g_assert_false (json_object_get_boolean_member (obj, "cancelled"));
  assert_member_type (obj, "generated", JSON_NODE_VALUE);
  iso = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", 0, 0, NULL);
  g_assert_true (g_regex_match (iso, json_object_get_string_member (obj, "generated"), 0, NULL));
  assert_member_type (obj, "sent", JSON_NODE_VALUE);
  g_assert_false (json_object_get_boolean_member (obj, "sent"));

  assert_member_type (obj, "tool", JSON_NODE_OBJECT);
  o = json_object_get_object_member (obj, "tool");
  assert_string_member (o, "name", "device-mail-doctor");
  assert_string_member (o, "version", PACKAGE_VERSION);

  /* settings: what was entered, never a secret */
  assert_member_type (obj, "settings", JSON_NODE_OBJECT);
  o = json_object_get_object_member (obj, "settings");
  assert_string_member (o, "server", "smtp.office365.com");
  g_assert_cmpint (json_object_get_int_member (o, "port"), ==, 587);
  assert_string_member (o, "security", "starttls");
  assert_string_member (o, "username", "scanner@contoso.com");
  assert_string_member (o, "auth_method", "login");
  assert_string_member (o, "from", "scanner@contoso.com");
  assert_string_member (o, "to", "someone@contoso.com");
  assert_string_member (o, "domain", "contoso.com");
  assert_member_type (o, "connector_ip", JSON_NODE_NULL);
  assert_member_type (o, "server_field_length", JSON_NODE_NULL);
  assert_member_type (o, "connect_to", JSON_NODE_ARRAY);
  a = json_object_get_array_member (o, "connect_to");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (a, 0), ==, "smtp.office365.com:587:127.0.0.1:2525");
  assert_string_member (o, "ip_version", "4");
  assert_member_type (o, "insecure_auth_allowed", JSON_NODE_VALUE);
  g_assert_false (json_object_get_boolean_member (o, "insecure_auth_allowed"));
  g_assert_false (json_object_has_member (o, "password"));
  g_assert_false (json_object_has_member (o, "oauth_token"));

  /* recommended */
  assert_member_type (obj, "recommended", JSON_NODE_ARRAY);
  a = json_object_get_array_member (obj, "recommended");
  g_assert_cmpuint (json_array_get_length (a), ==, 3);
  o = json_array_get_object_element (a, 1);
  assert_string_member (o, "name", "port");
  assert_string_member (o, "recommended", "587");
  assert_string_member (o, "entered", "25");
  assert_string_member (o, "status", "differs");
  o = json_array_get_object_element (a, 2);
  assert_member_type (o, "entered", JSON_NODE_NULL);

  /* checks */
  assert_member_type (obj, "checks", JSON_NODE_ARRAY);
  a = json_object_get_array_member (obj, "checks");
  g_assert_cmpuint (json_array_get_length (a), ==, 3);
  o = json_array_get_object_element (a, 2);
  assert_string_member (o, "id", "auth");
  assert_string_member (o, "status", "fail");
  assert_string_member (o, "summary", "Authentication failed");
  assert_member_type (o, "elapsed_ms", JSON_NODE_VALUE);
  g_assert_cmpint (json_object_get_int_member (o, "elapsed_ms"), ==, 40);
  assert_member_type (o, "transcript", JSON_NODE_ARRAY);
  {
    JsonArray *t = json_object_get_array_member (o, "transcript");
    JsonObject *line;

    g_assert_cmpuint (json_array_get_length (t), ==, 3);
    line = json_array_get_object_element (t, 0);
    assert_string_member (line, "dir", "C");
    assert_string_member (line, "text", "AUTH LOGIN");
    line = json_array_get_object_element (t, 2);
    assert_string_member (line, "dir", "S");
  }

  /* findings */
  assert_member_type (obj, "findings", JSON_NODE_ARRAY);
  a = json_object_get_array_member (obj, "findings");
  g_assert_cmpuint (json_array_get_length (a), ==, 2);
  o = json_array_get_object_element (a, 0);
  assert_string_member (o, "id", "auth-smtp-auth-disabled-tenant");
  assert_string_member (o, "severity", "error");
  assert_string_member (o, "check", "auth");
  assert_string_member (o, "title", "SMTP AUTH is turned off for the organisation");
  assert_string_member (o, "evidence", "535 5.7.139 Authentication unsuccessful");
  assert_member_type (o, "fixes", JSON_NODE_ARRAY);
  {
    JsonArray *fixes = json_object_get_array_member (o, "fixes");
    JsonObject *fix;

    g_assert_cmpuint (json_array_get_length (fixes), ==, 3);
    fix = json_array_get_object_element (fixes, 0);
    assert_string_member (fix, "text", "Turn SMTP AUTH on for the organisation");
    assert_string_member (fix, "command", "Set-TransportConfig -SmtpClientAuthenticationDisabled $false");
    assert_member_type (fix, "url", JSON_NODE_VALUE);
    assert_string_member (fix, "audience", "admin");
    fix = json_array_get_object_element (fixes, 2);
    assert_member_type (fix, "command", JSON_NODE_NULL);
    g_assert_false (json_object_has_member (fix, "url"));
    assert_string_member (fix, "audience", "technician");
  }
  o = json_array_get_object_element (a, 1);
  assert_string_member (o, "severity", "info");
  assert_member_type (o, "check", JSON_NODE_NULL);

  /* network */
  assert_member_type (obj, "network", JSON_NODE_OBJECT);
  o = json_object_get_object_member (obj, "network");
  assert_string_member (o, "public_ip", "203.0.113.7");
  assert_string_member (o, "address_family", "ipv4");
  assert_member_type (o, "tls", JSON_NODE_OBJECT);
  o = json_object_get_object_member (o, "tls");
  assert_string_member (o, "negotiated", "TLS1.3");
  assert_string_member (o, "cipher", "TLS_AES_256_GCM_SHA384");
  assert_member_type (o, "versions", JSON_NODE_OBJECT);
  {
    JsonObject *v = json_object_get_object_member (o, "versions");

    assert_string_member (v, "TLS1.0", "refused");
    assert_string_member (v, "TLS1.1", "refused");
    assert_string_member (v, "TLS1.2", "accepted");
    assert_string_member (v, "TLS1.3", "accepted");
  }
  assert_member_type (o, "certificate", JSON_NODE_OBJECT);
  o = json_object_get_object_member (o, "certificate");
  assert_string_member (o, "subject", "CN=<b>smtp.office365.com</b>");
  assert_string_member (o, "not_after", "2027-01-01T00:00:00Z");
  assert_string_member (o, "sha256", "AB:CD:EF");
  assert_member_type (o, "verified", JSON_NODE_VALUE);
  g_assert_true (json_object_get_boolean_member (o, "verified"));
  assert_member_type (o, "problem", JSON_NODE_NULL);
  /* Server text with an ESC is escaped, never raw. */
  g_assert_cmpstr (json_object_get_string_member (o, "issuer"), ==, "CN=Test CA \\x1B[2J");

  assert_no_secret (json);
}

/* A minimal result (nothing ran) still gives every top-level member with its type. */
static void
test_json_minimal (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_RELAY);
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_RELAY);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  JsonObject *obj, *net, *tls;
  DmdCheck *check;

  config->server = g_strdup ("contoso-com.mail.protection.outlook.com");
  result->cancelled = TRUE;
  check = dmd_result_add_check (result, "connect");
  check->status = DMD_CHECK_RUNNING;

  json = dmd_report_to_json (result, config);
  root = parse_json (json);
  obj = json_node_get_object (root);
  assert_string_member (obj, "verdict", "warn");  /* cancelled: never a pass */
  assert_string_member (obj, "option", "relay");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "settings"), "port"),
                   ==, 25);
  assert_string_member (json_object_get_object_member (obj, "settings"), "auth_method", "none");
  assert_member_type (json_object_get_object_member (obj, "settings"), "username", JSON_NODE_NULL);
  assert_member_type (obj, "findings", JSON_NODE_ARRAY);
  assert_member_type (obj, "recommended", JSON_NODE_ARRAY);

  /* An unfinished check is "skip" (the schema's word), and says why. */
  {
    JsonObject *c = json_array_get_object_element (json_object_get_array_member (obj, "checks"), 0);
    assert_string_member (c, "status", "skip");
    g_assert_cmpstr (json_object_get_string_member (c, "summary"), !=, "");
  }

  net = json_object_get_object_member (obj, "network");
  assert_member_type (net, "public_ip", JSON_NODE_NULL);
  tls = json_object_get_object_member (net, "tls");
  assert_member_type (tls, "negotiated", JSON_NODE_NULL);
  assert_member_type (tls, "certificate", JSON_NODE_NULL);
  assert_string_member (json_object_get_object_member (tls, "versions"), "TLS1.2", "untested");
}

static void
test_no_secrets (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("535 5.7.3 Authentication unsuccessful",
                                             "220 ready");
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;

  json = dmd_report_to_json (result, config);
  text = dmd_report_to_text (result, config, TRUE);
  html = dmd_report_to_html (result, config);
  assert_no_secret (json);
  assert_no_secret (text);
  assert_no_secret (html);

  /* With a token instead of a password, likewise. */
  dmd_device_config_set_password (config, NULL);
  dmd_device_config_set_oauth_token (config, TOKEN);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&html, g_free);
  json = dmd_report_to_json (result, config);
  text = dmd_report_to_text (result, config, FALSE);
  html = dmd_report_to_html (result, config);
  assert_no_secret (json);
  assert_no_secret (text);
  assert_no_secret (html);
  {
    g_autoptr(JsonNode) root = parse_json (json);
    JsonObject *settings = json_object_get_object_member (json_node_get_object (root), "settings");
    assert_string_member (settings, "auth_method", "xoauth2");
  }
}

static const char hostile_evidence[] =
  "535 5.7.139 bad \xff\xfe bytes \xc3\x28 and \033[31mred\033[0m \r\n"
  "550 bell\a nul-ish \x01 del \x7f c1 \xc2\x9b" "31m bidi \xe2\x80\xae" "txt.exe";

static void
test_json_hostile_text (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result (hostile_evidence, "220 \xf0\x28\x8c\x28 banner\033]0;title\a");
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) findings = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *findings_json = NULL;
  JsonObject *finding;
  const char *evidence;
  JsonArray *transcript;

  json = dmd_report_to_json (result, config);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  /* No raw control characters anywhere in the document, escaped or not by json-glib. */
  g_assert_null (strchr (json, '\033'));
  g_assert_null (strchr (json, '\a'));
  g_assert_null (strchr (json, '\r'));
  g_assert_null (strstr (json, "\\u001b"));
  g_assert_null (strstr (json, "\\u001B"));
  root = parse_json (json);

  finding = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "findings"), 0);
  evidence = json_object_get_string_member (finding, "evidence");
  g_assert_true (g_utf8_validate (evidence, -1, NULL));
  g_assert_nonnull (strstr (evidence, "bad \\xFF\\xFE bytes \\xC3( and \\x1B[31mred"));
  g_assert_nonnull (strstr (evidence, "\\x0D\n550 bell\\x07"));
  g_assert_nonnull (strstr (evidence, "del \\x7F c1 \\u009B31m bidi \\u202Etxt.exe"));

  transcript = json_object_get_array_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                   "checks"), 1),
      "transcript");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (transcript, 0),
                                                  "text"),
                   ==, "220 \\xF0(\\x8C( banner\\x1B]0;title\\x07");

  /* The explain command's array goes through the same door. */
  findings = dmd_report_findings_to_json (result->findings);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (findings));
  json_generator_set_root (gen, findings);
  findings_json = json_generator_to_data (gen, NULL);
  g_assert_true (g_utf8_validate (findings_json, -1, NULL));
  g_assert_null (strchr (findings_json, '\033'));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (findings)), ==, 2);
}

static void
test_safe (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "", "" },
    { "plain 250 OK", "plain 250 OK" },
    { "tab\tand\nnewline", "tab\tand\nnewline" },
    { "esc\033[2Jx", "esc\\x1B[2Jx" },
    { "cr\rlf", "cr\\x0Dlf" },
    { "bad\xff", "bad\\xFF" },
    { "cut\xe3\x81", "cut\\xE3\\x81" },
    { "日本語 OK", "日本語 OK" },
    { "c1\xc2\x85", "c1\\u0085" },
    { "rlo\xe2\x80\xae" "x", "rlo\\u202Ex" },
    { "del\x7f", "del\\x7F" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = dmd_report_json_safe (cases[i].in);
      g_autofree char *term = dmd_report_terminal_safe (cases[i].in);

      g_assert_cmpstr (json, ==, cases[i].out);
      g_assert_cmpstr (term, ==, cases[i].out);
      g_assert_true (g_utf8_validate (json, -1, NULL));
    }
  {
    g_autofree char *empty = dmd_report_json_safe (NULL);
    g_assert_cmpstr (empty, ==, "");
  }
}

static void
test_html (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("535 <script>alert('x')</script> & \xff",
                                             "220 <img src=x onerror=alert(1)>");
  g_autofree char *html = NULL;
  DmdFinding *finding = g_ptr_array_index (result->findings, 0);

  g_free (finding->title);
  finding->title = g_strdup ("Title with <i>markup</i> & ampersand");

  html = dmd_report_to_html (result, config);
  g_assert_true (g_utf8_validate (html, -1, NULL));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>\n<html lang=\""));

  /* Server text escaped, never markup. */
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "<img"));
  g_assert_null (strstr (html, "<i>markup"));
  g_assert_null (strstr (html, "<b>smtp"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; \\xFF"));
  g_assert_nonnull (strstr (html, "&lt;img src=x onerror=alert(1)&gt;"));
  g_assert_nonnull (strstr (html, "Title with &lt;i&gt;markup&lt;/i&gt; &amp; ampersand"));
  g_assert_null (strchr (html, '\033'));

  /* Self-contained: no external resource, no script, a dark variant. */
  g_assert_null (strstr (html, "<link"));
  g_assert_null (strstr (html, "src=\""));
  g_assert_null (strstr (html, "<iframe"));
  g_assert_null (strstr (html, "url("));
  g_assert_null (strstr (html, "@import"));
  g_assert_nonnull (strstr (html, "prefers-color-scheme:dark"));

  /* Findings are anchored by their id; admin commands are preformatted; only web links link. */
  g_assert_nonnull (strstr (html, "id=\"auth-smtp-auth-disabled-tenant\""));
  g_assert_nonnull (strstr (html, "id=\"test-message-not-sent\""));
  g_assert_nonnull (strstr (html, "<pre class=\"command\"><code>Set-TransportConfig -SmtpClientAuthenticationDisabled $false</code></pre>"));
  g_assert_nonnull (strstr (html, "<pre class=\"command\"><code>Set-CASMailbox -Identity &apos;scanner@contoso.com&apos;"));
  g_assert_nonnull (strstr (html, "<a href=\"https://learn.microsoft.com/"));
  g_assert_null (strstr (html, "href=\"javascript"));

  /* The transcript is there, folded, redacted. */
  g_assert_nonnull (strstr (html, "<details id=\"transcript\">"));
  g_assert_nonnull (strstr (html, "[redacted]"));

  /* Verdict, settings, TLS facts, public IP. */
  g_assert_nonnull (strstr (html, "class=\"verdict fail\""));
  g_assert_nonnull (strstr (html, "<tr class=\"differs\"><th scope=\"row\">Port</th><td>587</td><td>25</td>"));
  g_assert_nonnull (strstr (html, "203.0.113.7"));
  g_assert_nonnull (strstr (html, "TLS_AES_256_GCM_SHA384"));
  g_assert_nonnull (strstr (html, "<tr><th scope=\"row\">TLS 1.0</th><td>Refused</td>"));
  g_assert_true (g_str_has_suffix (html, "</html>\n"));
}

static void
assert_only_our_sgr (const char *text)
{
  /* Every ESC must start one of the renderer's own SGR sequences. */
  for (const char *p = strchr (text, '\033'); p != NULL; p = strchr (p + 1, '\033'))
    {
      static const char *ours[] = {
        "\033[0m", "\033[1m", "\033[2m", "\033[1;31m", "\033[1;32m", "\033[1;33m", "\033[1;34m"
      };
      gboolean ok = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
        ok |= g_str_has_prefix (p, ours[i]);
      if (!ok)
        g_error ("foreign escape sequence at: %.20s", p);
    }
}

static void
test_text (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result (hostile_evidence, "220 banner\033]0;pwned\a\r");
  g_autofree char *plain = NULL;
  g_autofree char *color = NULL;
  const char *verdict_end;

  plain = dmd_report_to_text (result, config, FALSE);
  g_assert_true (g_utf8_validate (plain, -1, NULL));
  g_assert_null (strchr (plain, '\033'));
  g_assert_null (strchr (plain, '\r'));
  g_assert_null (strchr (plain, '\a'));
  g_assert_null (strstr (plain, "\xe2\x80\xae"));
  g_assert_null (strstr (plain, "\xc2\x9b"));

  /* Verdict first, with the most important fix, before the details. */
  verdict_end = strstr (plain, "Turn SMTP AUTH on for the organisation");
  g_assert_nonnull (verdict_end);
  g_assert_true (verdict_end < strstr (plain, "Recommended settings for the device"));
  g_assert_true (g_str_has_prefix (plain, "X Can’t send yet — the “Sign-in” check failed\n") ||
                 g_str_has_prefix (plain, "✗ Can’t send yet — the “Sign-in” check failed\n"));
  g_assert_nonnull (strstr (plain, "For the admin"));
  g_assert_nonnull (strstr (plain, "At the device"));
  g_assert_nonnull (strstr (plain, "auth-smtp-auth-disabled-tenant"));
  g_assert_nonnull (strstr (plain, "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"));
  g_assert_nonnull (strstr (plain, "203.0.113.7"));
  g_assert_nonnull (strstr (plain, "TLS 1.0"));
  g_assert_nonnull (strstr (plain, "AB:CD:EF"));
  g_assert_nonnull (strstr (plain, "\\x1B]0;pwned\\x07\\x0D"));

  color = dmd_report_to_text (result, config, TRUE);
  g_assert_nonnull (strchr (color, '\033'));
  assert_only_our_sgr (color);
}

static void
test_text_charset (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("535 5.7.3 Authentication unsuccessful", "220 ok");
  g_autofree char *ascii = NULL;
  g_autofree char *utf8 = NULL;
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));

  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    {
      g_test_skip ("no C.UTF-8 locale");
      return;
    }
  utf8 = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (utf8, "✗"));
  g_assert_nonnull (strstr (utf8, "✓"));

  setlocale (LC_ALL, "C");
  ascii = dmd_report_to_text (result, config, FALSE);
  g_assert_null (strstr (ascii, "✗"));
  g_assert_null (strstr (ascii, "✓"));
  /* The symbols are ASCII; the typography of the texts is the CLI's to transliterate
   * (dmd_cli_print_text()). */
  {
    g_autoptr(GString) plain = g_string_new (ascii);

    g_string_replace (plain, "’", "'", 0);
    g_string_replace (plain, "“", "\"", 0);
    g_string_replace (plain, "”", "\"", 0);
    g_string_replace (plain, "—", "-", 0);
    for (const char *p = plain->str; *p != '\0'; p++)
      g_assert_cmpint ((guchar) *p, <, 0x80);
  }

  setlocale (LC_ALL, old);
}

static void
test_findings_text (void)
{
  g_autoptr(DmdResult) result = make_result ("535 5.7.139 Authentication unsuccessful", "220 ok");
  g_autofree char *text = dmd_report_findings_to_text (result->findings, FALSE);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree char *empty = dmd_report_findings_to_text (none, FALSE);
  g_autoptr(JsonNode) empty_json = dmd_report_findings_to_json (none);

  g_assert_nonnull (strstr (text, " 1. "));
  g_assert_nonnull (strstr (text, "SMTP AUTH is turned off for the organisation"));
  g_assert_nonnull (strstr (text, "535 5.7.139 Authentication unsuccessful"));
  g_assert_nonnull (strstr (text, "1. For the admin"));
  g_assert_nonnull (strstr (text, " 2. "));
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (empty_json)), ==, 0);
}

/* A pass without --send never claims that mail will flow. */
static void
test_pass_scope (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;

  text = dmd_report_to_text (result, config, FALSE);
  g_assert_true (g_str_has_prefix (text, "OK Ready to send") || g_str_has_prefix (text, "✓ Ready to send"));
  g_assert_nonnull (strstr (text, "No test message was sent"));
  html = dmd_report_to_html (result, config);
  g_assert_nonnull (strstr (html, "class=\"verdict pass\""));
  g_assert_nonnull (strstr (html, "No test message was sent"));
  g_assert_null (strstr (html, "<details"));

  result->sent = TRUE;
  g_clear_pointer (&text, g_free);
  text = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (text, "A real test message was sent and accepted"));
}

/* A run cancelled before the end is never a pass, and says it is incomplete. */
static void
test_cancelled (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdResult) result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;

  result->cancelled = TRUE;
  dmd_result_add_check (result, "banner")->status = DMD_CHECK_RUNNING;

  text = dmd_report_to_text (result, config, FALSE);
  g_assert_null (strstr (text, "Ready to send"));
  g_assert_null (strstr (text, "accepted the sender"));
  g_assert_nonnull (strstr (text, "cancelled"));
  html = dmd_report_to_html (result, config);
  g_assert_null (strstr (html, "Ready to send"));
  g_assert_nonnull (strstr (html, "class=\"verdict warn\""));
  g_assert_nonnull (strstr (html, "cancelled"));
  json = dmd_report_to_json (result, config);
  root = parse_json (json);
  assert_string_member (json_node_get_object (root), "verdict", "warn");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "cancelled"));

  /* An error found before the interruption still fails. */
  dmd_result_add_finding (result, dmd_finding_new ("network-port-blocked", DMD_SEVERITY_ERROR));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&root, json_node_unref);
  json = dmd_report_to_json (result, config);
  root = parse_json (json);
  assert_string_member (json_node_get_object (root), "verdict", "fail");
}

/* The client certificate presented (relay connectors that trust a certificate): which one,
 * whether the server asked, in JSON (additive to v1), text and HTML. */
static void
test_client_certificate (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("550 5.7.64 TenantAttribution", "220 banner");
  g_autoptr(DmdResult) bare = dmd_result_new (DMD_OPTION_RELAY);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) bare_root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *bare_json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  DmdCertInfo *cc = dmd_cert_info_new ();
  JsonObject *tls, *o;

  cc->subject = g_strdup ("CN=mfp.contoso.com,O=<i>Contoso</i> \033[2J");
  cc->issuer = g_strdup ("CN=Contoso CA");
  g_ptr_array_add (cc->sans, g_strdup ("mfp.contoso.com"));
  cc->not_after = g_strdup ("2030-01-01T00:00:00Z");
  cc->sha256 = g_strdup ("12:34:56");
  result->network.client_cert = cc;
  result->network.client_cert_requested = TRUE;
  result->network.client_cert_sent = TRUE;

  json = dmd_report_to_json (result, config);
  root = parse_json (json);
  tls = json_object_get_object_member (json_object_get_object_member (json_node_get_object (root), "network"), "tls");
  assert_member_type (tls, "client_certificate", JSON_NODE_OBJECT);
  o = json_object_get_object_member (tls, "client_certificate");
  assert_string_member (o, "subject", "CN=mfp.contoso.com,O=<i>Contoso</i> \\x1B[2J");
  assert_string_member (o, "sha256", "12:34:56");
  assert_string_member (o, "not_after", "2030-01-01T00:00:00Z");
  g_assert_true (json_object_get_boolean_member (o, "requested"));
  g_assert_true (json_object_get_boolean_member (o, "presented"));

  text = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (text, "Client certificate:"));
  g_assert_nonnull (strstr (text, "12:34:56"));
  g_assert_nonnull (strstr (text, "Presented: the server asked for a client certificate"));
  g_assert_null (strchr (text, '\033'));

  html = dmd_report_to_html (result, config);
  g_assert_nonnull (strstr (html, "<h3>Client certificate</h3>"));
  g_assert_nonnull (strstr (html, "&lt;i&gt;Contoso&lt;/i&gt;"));
  g_assert_null (strstr (html, "<i>Contoso"));

  /* Chosen, but the server never asked: not presented, and the words say why. */
  result->network.client_cert_requested = FALSE;
  result->network.client_cert_sent = FALSE;
  g_free (text);
  text = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (text, "Not presented: the server did not ask for a client certificate"));

  /* None chosen and none asked for: null, and nothing in the text. */
  bare_json = dmd_report_to_json (bare, config);
  bare_root = parse_json (bare_json);
  tls = json_object_get_object_member (json_object_get_object_member (json_node_get_object (bare_root), "network"), "tls");
  assert_member_type (tls, "client_certificate", JSON_NODE_NULL);
}

/* The headline follows the checks: a step refused with a reply whose finding is only a
 * warning is no "ready to send" (issue 10), in text, JSON and HTML alike, and its finding
 * leads, before the warning about the settings. */
static DmdResult *
make_refused_result (guint        code,
                     guint        klass,
                     const char  *reply)
{
  DmdResult *result = dmd_result_new (DMD_OPTION_SMTP_AUTH);
  DmdCheck *check;
  DmdFinding *finding;

  check = dmd_result_add_check (result, "config");
  check->status = DMD_CHECK_WARN;
  check = dmd_result_add_check (result, "auth");
  check->status = DMD_CHECK_PASS;
  check = dmd_result_add_check (result, "mail-from");
  check->status = DMD_CHECK_FAIL;
  check->summary = g_strdup (reply);
  check->reply_code = code;
  check->reply_class = klass;
  check = dmd_result_add_check (result, "rcpt-to");
  check->status = DMD_CHECK_SKIP;

  finding = dmd_finding_new ("config-basic-auth-retiring", DMD_SEVERITY_WARNING);
  finding->check = g_strdup ("config");
  finding->title = g_strdup ("Basic authentication is being retired");
  dmd_finding_add_fix (finding, "Move to OAuth", NULL, NULL, DMD_AUDIENCE_ANYONE);
  dmd_result_add_finding (result, finding);
  finding = dmd_finding_new ("throttled", DMD_SEVERITY_WARNING);
  finding->check = g_strdup ("mail-from");
  finding->title = g_strdup ("The server is busy");
  finding->evidence = g_strdup (reply);
  dmd_finding_add_fix (finding, "Wait and try again", NULL, NULL, DMD_AUDIENCE_TECHNICIAN);
  dmd_result_add_finding (result, finding);
  dmd_result_add_finding (result, dmd_finding_new ("test-message-not-sent", DMD_SEVERITY_INFO));
  dmd_result_sort_findings (result);
  return result;
}

static void
test_verdict_follows_checks (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) retry = make_refused_result (432, 4, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded");
  g_autoptr(DmdResult) fail = make_refused_result (550, 5, "550 5.7.1 Unable to relay");
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *findings;
  const char *first_block_end;

  g_assert_cmpint (dmd_result_get_verdict (retry), ==, DMD_VERDICT_RETRY);
  text = dmd_report_to_text (retry, config, FALSE);
  g_assert_true (g_str_has_prefix (text, "! Refused for now — try again later\n"));
  g_assert_null (strstr (text, "Ready to send"));
  first_block_end = strstr (text, "\n\n");
  g_assert_nonnull (first_block_end);
  g_assert_true (strstr (text, "The server is busy") < first_block_end);
  g_assert_true (strstr (text, "Wait and try again") < first_block_end);
  g_assert_true (strstr (text, " 1. ! Warning: The server is busy") != NULL);
  g_assert_true (strstr (text, "The server is busy") < strstr (text, "Basic authentication is being retired"));

  json = dmd_report_to_json (retry, config);
  root = parse_json (json);
  assert_string_member (json_node_get_object (root), "verdict", "retry");
  findings = json_object_get_array_member (json_node_get_object (root), "findings");
  assert_string_member (json_array_get_object_element (findings, 0), "id", "throttled");

  html = dmd_report_to_html (retry, config);
  g_assert_nonnull (strstr (html, "<section class=\"verdict retry\""));
  g_assert_nonnull (strstr (html, "Refused for now — try again later"));
  g_assert_nonnull (strstr (html, "<a href=\"#throttled\">"));
  g_assert_true (strstr (html, "id=\"throttled\"") < strstr (html, "id=\"config-basic-auth-retiring\""));

  /* A permanent refusal with the same findings: can't send. */
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&html, g_free);
  g_assert_cmpint (dmd_result_get_verdict (fail), ==, DMD_VERDICT_FAIL);
  text = dmd_report_to_text (fail, config, FALSE);
  g_assert_true (g_str_has_prefix (text, "✗ Can’t send yet — the “Sender (MAIL FROM)” check failed\n") ||
                 g_str_has_prefix (text, "X Can’t send yet — the “Sender (MAIL FROM)” check failed\n"));
  g_assert_null (strstr (text, "accepted the sender"));
  html = dmd_report_to_html (fail, config);
  g_assert_nonnull (strstr (html, "<section class=\"verdict fail\""));
}

/* With --send, what became of the message is said as it happened. */
static void
test_test_message_words (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_refused_result (250, 2, "250 2.1.0 Sender OK");
  DmdCheck *data;
  g_autofree char *before = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *closed = NULL;

  before = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (before, "Not sent (stopped before DATA)"));

  data = dmd_result_add_check (result, "data");
  data->status = DMD_CHECK_FAIL;
  data->summary = g_strdup ("552 5.3.4 Message size exceeds fixed maximum message size");
  data->reply_code = 552;
  data->reply_class = 5;
  result->message_transmitted = TRUE;
  refused = dmd_report_to_text (result, config, FALSE);
  g_assert_null (strstr (refused, "stopped before DATA"));
  g_assert_nonnull (strstr (refused, "Sent, but not accepted: 552 5.3.4 Message size exceeds"));

  result->message_transmitted = FALSE;
  g_free (data->summary);
  data->summary = g_strdup ("554 5.6.0 DATA refused");
  closed = dmd_report_to_text (result, config, FALSE);
  g_assert_null (strstr (closed, "stopped before DATA"));
  g_assert_nonnull (strstr (closed, "Not sent: DATA was refused: 554 5.6.0"));
}

/* The text and HTML reports take their words from dmd-words, as the wizard does: a check, a
 * TLS version and a finding read the same in all three (and are translated once). */
static void
test_shared_words (void)
{
  g_autoptr(DmdDeviceConfig) config = make_config ();
  g_autoptr(DmdResult) result = make_result ("535 5.7.139 Authentication unsuccessful", "220 ready");
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *tls_row = NULL;
  g_autofree char *check_cell = NULL;
  g_autofree char *text_check = NULL;
  g_autofree char *text_finding = NULL;
  DmdCheck *check;

  check = dmd_result_add_check (result, "mail-from");
  check->status = DMD_CHECK_SKIP;
  check = dmd_result_add_check (result, "rcpt-to");
  check->status = DMD_CHECK_RUNNING;

  html = dmd_report_to_html (result, config);
  tls_row = g_strdup_printf ("<tr><th scope=\"row\">%s</th><td>%s</td>",
                             dmd_tls_version_display_name (DMD_TLS12),
                             dmd_tls_version_state_word (DMD_TLS_VERSION_ACCEPTED));
  g_assert_nonnull (strstr (html, tls_row));
  check_cell = g_strdup_printf ("</span> %s</td>", dmd_check_status_word (DMD_CHECK_SKIP));
  g_assert_nonnull (strstr (html, check_cell));
  g_assert_nonnull (strstr (html, dmd_check_status_word_finished (DMD_CHECK_RUNNING)));
  g_assert_nonnull (strstr (html, dmd_severity_word (DMD_SEVERITY_ERROR)));

  text = dmd_report_to_text (result, config, FALSE);
  g_assert_nonnull (strstr (text, dmd_check_title ("mail-from")));
  text_check = g_strndup (strstr (text, dmd_check_title ("mail-from")),
                          strcspn (strstr (text, dmd_check_title ("mail-from")), "\n"));
  g_assert_true (g_str_has_suffix (text_check, dmd_check_status_word (DMD_CHECK_SKIP)));
  g_assert_nonnull (strstr (text, dmd_tls_version_state_word (DMD_TLS_VERSION_REFUSED)));
  text_finding = g_strdup_printf ("%s:", dmd_severity_word (DMD_SEVERITY_ERROR));
  g_assert_nonnull (strstr (text, text_finding));

  /* The words are the wizard's: capitalised as labels, one per value. */
  g_assert_cmpstr (dmd_check_status_word (DMD_CHECK_PASS), ==, "Passed");
  g_assert_cmpstr (dmd_check_status_word_finished (DMD_CHECK_PASS), ==, "Passed");
  g_assert_cmpstr (dmd_check_status_word_finished (DMD_CHECK_PENDING), ==, "Not finished");
  g_assert_cmpstr (dmd_tls_version_state_word (DMD_TLS_VERSION_REFUSED), ==, "Refused");
  g_assert_cmpstr (dmd_severity_word (DMD_SEVERITY_ERROR), ==, "Error");
  g_assert_cmpstr (dmd_audience_word (DMD_AUDIENCE_ADMIN), ==, "For the admin");
  g_assert_null (dmd_audience_word (DMD_AUDIENCE_ANYONE));
  g_assert_cmpstr (dmd_check_title ("no-such-check"), ==, "no-such-check");
  for (int i = 0; i < DMD_N_TLS_VERSIONS; i++)
    g_assert_cmpint (dmd_tls_version_index (dmd_tls_version_name (i)), ==, i);
  g_assert_null (dmd_tls_version_display_name (DMD_N_TLS_VERSIONS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dmd/report/json-schema", test_json_schema);
  g_test_add_func ("/dmd/report/json-minimal", test_json_minimal);
  g_test_add_func ("/dmd/report/no-secrets", test_no_secrets);
  g_test_add_func ("/dmd/report/json-hostile-text", test_json_hostile_text);
  g_test_add_func ("/dmd/report/safe", test_safe);
  g_test_add_func ("/dmd/report/html", test_html);
  g_test_add_func ("/dmd/report/text", test_text);
  g_test_add_func ("/dmd/report/text-charset", test_text_charset);
  g_test_add_func ("/dmd/report/findings-text", test_findings_text);
  g_test_add_func ("/dmd/report/pass-scope", test_pass_scope);
  g_test_add_func ("/dmd/report/cancelled", test_cancelled);
  g_test_add_func ("/dmd/report/client-certificate", test_client_certificate);
  g_test_add_func ("/dmd/report/verdict-follows-checks", test_verdict_follows_checks);
  g_test_add_func ("/dmd/report/test-message-words", test_test_message_words);
  g_test_add_func ("/dmd/report/shared-words", test_shared_words);
  return g_test_run ();
}
