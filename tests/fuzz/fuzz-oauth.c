/* fuzz-oauth.c — libFuzzer target: what the identity platform (or whatever answers in its
 * place: a proxy, a hostile server) sends back, through the token-response reader; and the
 * same bytes as a token's claims, through the offline claims reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-oauth.h"
#include "dmd-oauth-response.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* A secret or a code: printable ASCII without blanks. */
static void
check_token_text (const char *s)
{
  FUZZ_CHECK (s != NULL && *s != '\0');
  for (const char *p = s; *p != '\0'; p++)
    FUZZ_CHECK ((guchar) *p > 0x20 && (guchar) *p < 0x7F);
}

static void
check_response (const DmdOAuthResponse *r)
{
  switch (r->kind)
    {
    case DMD_OAUTH_RESPONSE_TOKEN:
      check_token_text (r->access_token);
      FUZZ_CHECK (strlen (r->access_token) < DMD_OAUTH_TOKEN_MAX);
      FUZZ_CHECK (g_strcmp0 (r->token_type, "Bearer") == 0);
      FUZZ_CHECK (r->expires_in >= 0 && r->expires_in <= 24 * 3600);
      FUZZ_CHECK (r->device_code == NULL && r->error == NULL && r->why == NULL);
      break;
    case DMD_OAUTH_RESPONSE_DEVICE_CODE:
      check_token_text (r->device_code);
      check_token_text (r->user_code);
      check_token_text (r->verification_uri);
      FUZZ_CHECK (g_ascii_strncasecmp (r->verification_uri, "https://", 8) == 0);
      for (const char *p = r->user_code; *p != '\0'; p++)
        FUZZ_CHECK (g_ascii_isalnum (*p) || *p == '-');
      FUZZ_CHECK (r->interval >= 0 && r->expires_in >= 0);
      FUZZ_CHECK (r->access_token == NULL && r->error == NULL && r->why == NULL);
      break;
    case DMD_OAUTH_RESPONSE_ERROR:
      FUZZ_CHECK (r->error != NULL && *r->error != '\0');
      for (const char *p = r->error; *p != '\0'; p++)
        FUZZ_CHECK (g_ascii_islower (*p) || *p == '_');
      if (r->description != NULL)
        {
          fuzz_check_safe_text (r->description);
          FUZZ_CHECK (g_utf8_strlen (r->description, -1) <= DMD_OAUTH_DESCRIPTION_MAX + 1);
        }
      if (r->trace_id != NULL)
        fuzz_check_safe_text (r->trace_id);
      if (r->correlation_id != NULL)
        fuzz_check_safe_text (r->correlation_id);
      FUZZ_CHECK (r->access_token == NULL && r->device_code == NULL);
      break;
    case DMD_OAUTH_RESPONSE_MALFORMED:
    default:
      FUZZ_CHECK (r->kind == DMD_OAUTH_RESPONSE_MALFORMED);
      FUZZ_CHECK (r->why != NULL);
      fuzz_check_safe_text (r->why);
      /* Nothing secret is kept from an answer that was not read. */
      FUZZ_CHECK (r->access_token == NULL && r->device_code == NULL);
      break;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(DmdOAuthResponse) response = dmd_oauth_response_parse ((const char *) data, size);
  g_autofree char *b64 = g_base64_encode (data, size);
  g_autofree char *jwt = NULL;
  g_autoptr(DmdOAuthToken) claims = NULL;

  check_response (response);
  FUZZ_CHECK (!dmd_json_text_ok ((const char *) data, size) ||
              memchr (data, '\0', size) == NULL);

  /* The same bytes as a JWT's payload (base64url, no padding). */
  for (char *p = b64; *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p == '=' ? '\0' : *p;
  jwt = g_strconcat ("eyJhbGciOiJSUzI1NiJ9.", b64, ".c2ln", NULL);
  claims = dmd_oauth_token_inspect (jwt, "scanner@contoso.com", 1767225600);
  FUZZ_CHECK (claims != NULL && claims->problems != NULL);
  if (!claims->decoded)
    FUZZ_CHECK (claims->audience == NULL && claims->user == NULL);
  for (guint i = 0; i < claims->problems->len; i++)
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (claims->problems, i), -1, NULL));
  return 0;
}
