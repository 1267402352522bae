/* test-oauth.c — the identity platform's answers read (token, device code, Entra ID's error
 * shape, and what a proxy or a hostile server sends instead), the JSON guard, the client id
 * and tenant checks of the settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-config.h"
#include "dmd-oauth.h"
#include "dmd-oauth-response.h"

static DmdOAuthResponse *
parse (const char *json)
{
  return dmd_oauth_response_parse (json, strlen (json));
}

static void
test_token (void)
{
  g_autoptr(DmdOAuthResponse) r =
    parse ("{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\","
           "\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"eyJ0.eyJ1.sig\","
           "\"refresh_token\":\"0.AR-refresh\"}");
  g_autoptr(DmdOAuthResponse) v1 =
    parse ("{\"token_type\":\"bearer\",\"expires_in\":\"3599\",\"access_token\":\"abc\"}");

  g_assert_cmpint (r->kind, ==, DMD_OAUTH_RESPONSE_TOKEN);
  g_assert_cmpstr (r->access_token, ==, "eyJ0.eyJ1.sig");
  g_assert_cmpint (r->expires_in, ==, 3599);
  g_assert_true (r->has_refresh_token);
  /* Older endpoints send numbers as strings; the type's case does not matter. */
  g_assert_cmpint (v1->kind, ==, DMD_OAUTH_RESPONSE_TOKEN);
  g_assert_cmpint (v1->expires_in, ==, 3599);
  g_assert_false (v1->has_refresh_token);
}

static void
test_device_code (void)
{
  g_autoptr(DmdOAuthResponse) r =
    parse ("{\"user_code\":\"HGKT7Q2LX\",\"device_code\":\"DAQABAAEAAAD-xyz\","
           "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900,"
           "\"interval\":5,\"message\":\"To sign in, use a web browser…\"}");
  g_autoptr(DmdOAuthResponse) url =
    parse ("{\"user_code\":\"AB-12\",\"device_code\":\"d\","
           "\"verification_url\":\"https://microsoft.com/devicelogin\"}");

  g_assert_cmpint (r->kind, ==, DMD_OAUTH_RESPONSE_DEVICE_CODE);
  g_assert_cmpstr (r->user_code, ==, "HGKT7Q2LX");
  g_assert_cmpstr (r->device_code, ==, "DAQABAAEAAAD-xyz");
  g_assert_cmpstr (r->verification_uri, ==, "https://microsoft.com/devicelogin");
  g_assert_cmpint (r->expires_in, ==, 900);
  g_assert_cmpint (r->interval, ==, 5);
  g_assert_cmpint (url->kind, ==, DMD_OAUTH_RESPONSE_DEVICE_CODE);
  g_assert_cmpint (url->interval, ==, 0);
}

static void
test_error (void)
{
  g_autoptr(DmdOAuthResponse) r =
    parse ("{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid "
           "client secret provided.\\r\\nTrace ID: 1\\r\\nCorrelation ID: 2\","
           "\"error_codes\":[7000215],\"trace_id\":\"1\",\"correlation_id\":\"2\"}");
  g_autoptr(DmdOAuthResponse) pending =
    parse ("{\"error\":\"authorization_pending\",\"error_codes\":[70016]}");
  g_autoptr(DmdOAuthResponse) escaped =
    parse ("{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS1: \\u001b[31mred\","
           "\"error_codes\":[\"x\"]}");
  g_autoptr(DmdOAuthResponse) both =
    parse ("{\"error\":\"slow_down\",\"access_token\":\"t\"}");

  g_assert_cmpint (r->kind, ==, DMD_OAUTH_RESPONSE_ERROR);
  g_assert_cmpstr (r->error, ==, "invalid_client");
  g_assert_cmpuint (r->aadsts, ==, 7000215);
  /* The first line only: the trace lines are kept apart. */
  g_assert_cmpstr (r->description, ==, "AADSTS7000215: Invalid client secret provided.");
  g_assert_cmpstr (r->trace_id, ==, "1");
  g_assert_cmpuint (pending->aadsts, ==, 70016);
  g_assert_null (pending->description);
  /* Server text is escaped; a code of the wrong type is no code. */
  g_assert_cmpint (escaped->kind, ==, DMD_OAUTH_RESPONSE_ERROR);
  g_assert_null (strchr (escaped->description, '\033'));
  g_assert_cmpuint (escaped->aadsts, ==, 0);
  /* An error wins over anything else in the answer. */
  g_assert_cmpint (both->kind, ==, DMD_OAUTH_RESPONSE_ERROR);
  g_assert_null (both->access_token);
}

static void
test_malformed (void)
{
  static const char *cases[] = {
    "",
    "<html><body>Access denied</body></html>",
    "[1,2,3]",
    "\"just a string\"",
    "{\"token_type\":\"Bearer\"}",                               /* nothing we know */
    "{\"access_token\":\"has space\"}",                          /* not a token */
    "{\"access_token\":\"t\",\"token_type\":\"mac\"}",           /* not a bearer token */
    "{\"access_token\":\"\"}",
    "{\"error\":\"Not An OAuth Code\"}",
    "{\"error\":42}",
    "{\"device_code\":\"d\",\"user_code\":\"A B\",\"verification_uri\":\"https://x\"}",
    "{\"device_code\":\"d\",\"user_code\":\"AB\",\"verification_uri\":\"http://x.example\"}",
    "{\"device_code\":\"d\",\"user_code\":\"AB\",\"verification_uri\":\"javascript:x\"}",
    "{\"device_code\":\"d\",\"user_code\":\"AB\"}",
    "{\"access_token\":\"t\"", /* truncated */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdOAuthResponse) r = parse (cases[i]);

      g_test_message ("case %u: %s", i, cases[i]);
      g_assert_cmpint (r->kind, ==, DMD_OAUTH_RESPONSE_MALFORMED);
      g_assert_nonnull (r->why);
      g_assert_null (r->access_token);
      g_assert_null (r->device_code);
    }
}

static void
test_hostile (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(DmdOAuthResponse) r1 = NULL;
  g_autoptr(DmdOAuthResponse) r2 = NULL;
  g_autoptr(DmdOAuthResponse) r3 = NULL;
  g_autoptr(DmdOAuthResponse) r4 = NULL;
  g_autoptr(DmdOAuthResponse) r5 = NULL;
  g_autofree char *big = NULL;
  const char bad_utf8[] = "{\"error\":\"invalid_grant\",\"error_description\":\"\xff\xfe\"}";
  const char with_nul[] = "{\"access_token\":\"a\0b\"}";

  /* Brackets nested deeper than the stack would take: refused before json-glib sees them. */
  for (guint i = 0; i < 60000; i++)
    g_string_append_c (deep, '[');
  r1 = dmd_oauth_response_parse (deep->str, deep->len);
  g_assert_cmpint (r1->kind, ==, DMD_OAUTH_RESPONSE_MALFORMED);
  g_assert_false (dmd_json_text_ok (deep->str, deep->len));
  g_assert_true (dmd_json_text_ok ("{\"a\":[{\"b\":\"[[[[[[[[[[[[[[[[[[[[\"}]}", 33));

  r2 = dmd_oauth_response_parse (bad_utf8, sizeof bad_utf8 - 1);
  g_assert_cmpint (r2->kind, ==, DMD_OAUTH_RESPONSE_MALFORMED);
  r3 = dmd_oauth_response_parse (with_nul, sizeof with_nul - 1);
  g_assert_cmpint (r3->kind, ==, DMD_OAUTH_RESPONSE_MALFORMED);
  big = g_strnfill (DMD_OAUTH_RESPONSE_MAX + 1, ' ');
  r4 = dmd_oauth_response_parse (big, strlen (big));
  g_assert_cmpint (r4->kind, ==, DMD_OAUTH_RESPONSE_MALFORMED);
  /* A description of any length is cut. */
  {
    g_autoptr(GString) longer = g_string_new ("{\"error\":\"x\",\"error_description\":\"");
    for (guint i = 0; i < 5000; i++)
      g_string_append (longer, "é");
    g_string_append (longer, "\"}");
    r5 = dmd_oauth_response_parse (longer->str, longer->len);
    g_assert_cmpint (r5->kind, ==, DMD_OAUTH_RESPONSE_ERROR);
    g_assert_cmpint (g_utf8_strlen (r5->description, -1), <=, DMD_OAUTH_DESCRIPTION_MAX + 1);
  }
}

/* The token's claims: the tenant and the application it was issued to, too. */
static void
test_claims (void)
{
  const char *payload = "{\"aud\":\"https://outlook.office365.com\",\"roles\":[\"SMTP.SendAsApp\"],"
                        "\"tid\":\"t-1\",\"appid\":\"a-1\",\"exp\":4102444800}";
  g_autofree char *b64 = g_base64_encode ((const guchar *) payload, strlen (payload));
  g_autofree char *token = NULL;
  g_autoptr(DmdOAuthToken) tok = NULL;
  const char *deep_payload_b64 = "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1s";  /* "[[[…" */
  g_autofree char *deep = g_strconcat ("eyJhbGciOiJub25lIn0.", deep_payload_b64, ".sig", NULL);
  g_autoptr(DmdOAuthToken) deep_tok = NULL;

  /* base64 padding is dropped in JWTs */
  for (char *p = b64; *p; p++)
    if (*p == '=')
      *p = '\0';
  token = g_strconcat ("eyJhbGciOiJub25lIn0.", b64, ".sig", NULL);
  tok = dmd_oauth_token_inspect (token, "scanner@contoso.com", 1767225600);
  g_assert_true (tok->decoded);
  g_assert_cmpstr (tok->tenant_id, ==, "t-1");
  g_assert_cmpstr (tok->app_id, ==, "a-1");
  g_assert_cmpstr (tok->roles, ==, "SMTP.SendAsApp");
  g_assert_null (tok->user);
  g_assert_cmpuint (tok->problems->len, ==, 0);

  deep_tok = dmd_oauth_token_inspect (deep, NULL, 0);
  g_assert_false (deep_tok->decoded);

  /* An expiry no date can show (found by fuzz-oauth: the cast was undefined) is not said. */
  {
    static const char *huge[] = {
      "{\"aud\":\"https://outlook.office.com\",\"scp\":\"SMTP.Send\",\"exp\":410244e800}",
      "{\"aud\":\"https://outlook.office.com\",\"scp\":\"SMTP.Send\",\"exp\":-1e30}",
      "{\"aud\":\"https://outlook.office.com\",\"scp\":\"SMTP.Send\",\"exp\":9223372036854775807}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
      {
        g_autofree char *enc = g_base64_encode ((const guchar *) huge[i], strlen (huge[i]));
        g_autofree char *jwt = NULL;
        g_autoptr(DmdOAuthToken) t = NULL;

        for (char *p = enc; *p; p++)
          if (*p == '=')
            *p = '\0';
        jwt = g_strconcat ("eyJhbGciOiJub25lIn0.", enc, ".sig", NULL);
        t = dmd_oauth_token_inspect (jwt, NULL, 1767225600);
        g_assert_true (t->decoded);
        g_assert_cmpint (t->expires, ==, 0);
        g_assert_cmpuint (t->problems->len, ==, 0);
      }
  }
}

static void
test_client_id_and_tenant (void)
{
  static const struct { const char *tenant; const char *client_id; DmdAuthMethod method;
                        int errors; } cases[] = {
    { "contoso.com", "11111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_DEVICE, 0 },
    { " 72F988BF-0000-4000-8000-2D7CD011DB47 ", " 11111111-2222-4333-8444-555555555555 ",
      DMD_AUTH_METHOD_OAUTH_DEVICE, 0 },
    { "organizations", "11111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_DEVICE, 0 },
    /* App-only needs a specific tenant. */
    { "organizations", "11111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_APP, 2 },
    { "contoso", "11111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_DEVICE, 1 },
    { "", "11111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_DEVICE, 1 },
    { "contoso.com", "1111111-2222-4333-8444-555555555555", DMD_AUTH_METHOD_OAUTH_DEVICE, 1 },
    { "contoso.com", "{11111111-2222-4333-8444-555555555555}", DMD_AUTH_METHOD_OAUTH_DEVICE, 1 },
    { "contoso.com", NULL, DMD_AUTH_METHOD_OAUTH_DEVICE, 1 },
    { NULL, NULL, DMD_AUTH_METHOD_OAUTH_DEVICE, 2 },
    /* Not an OAuth flow: not looked at. */
    { NULL, "junk", DMD_AUTH_METHOD_PASSWORD, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
      g_autoptr(GPtrArray) errors = NULL;

      config->auth_method = cases[i].method;
      config->username = g_strdup ("scanner@contoso.com");
      config->tenant = g_strdup (cases[i].tenant);
      config->client_id = g_strdup (cases[i].client_id);
      if (cases[i].method == DMD_AUTH_METHOD_OAUTH_APP)
        dmd_device_config_set_client_secret (config, "s3cret");
      errors = dmd_device_config_validate (config);
      g_test_message ("case %u: %u error(s)", i, errors->len);
      /* "organizations" with app-only: the tenant; the 2nd: none (counted by field) */
      if (i == 3)
        {
          g_assert_cmpuint (errors->len, ==, 1);
          g_assert_cmpint (((DmdFieldError *) g_ptr_array_index (errors, 0))->field, ==,
                           DMD_FIELD_TENANT);
          continue;
        }
      g_assert_cmpuint (errors->len, ==, (guint) cases[i].errors);
    }
  g_assert_true (dmd_client_id_is_valid ("00000000-0000-0000-0000-000000000000"));
  g_assert_false (dmd_client_id_is_valid ("00000000-0000-0000-0000-00000000000g"));
  g_assert_false (dmd_client_id_is_valid ("00000000000000000000000000000000"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/oauth/response/token", test_token);
  g_test_add_func ("/dmd/oauth/response/device-code", test_device_code);
  g_test_add_func ("/dmd/oauth/response/error", test_error);
  g_test_add_func ("/dmd/oauth/response/malformed", test_malformed);
  g_test_add_func ("/dmd/oauth/response/hostile", test_hostile);
  g_test_add_func ("/dmd/oauth/claims", test_claims);
  g_test_add_func ("/dmd/oauth/settings", test_client_id_and_tenant);

  return g_test_run ();
}
