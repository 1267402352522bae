/* dmd-oauth-response.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "dmd-oauth-response.h"
#include "dmd-reply.h"

static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

void
dmd_oauth_response_free (DmdOAuthResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->why);
  secret_free (response->access_token);
  g_free (response->token_type);
  secret_free (response->device_code);
  g_free (response->user_code);
  g_free (response->verification_uri);
  g_free (response->error);
  g_free (response->description);
  g_free (response->trace_id);
  g_free (response->correlation_id);
  g_free (response);
}

/* A string member, or NULL (absent, or not a string). */
static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A whole number of seconds, as Microsoft sends it: a number, or (older endpoints) a string
 * of digits. -1 when absent or of another shape; capped at a day. */
static gint64
member_seconds (JsonObject *obj,
                const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);
  gint64 value = -1;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      value = d >= 0 && d < 1e9 ? (gint64) d : -1;
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      guint64 parsed = 0;

      if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT32, &parsed, NULL))
        return -1;
      value = (gint64) parsed;
    }
  if (value < 0)
    return -1;
  return MIN (value, 24 * 3600);
}

/* Printable ASCII without blanks, 1..max bytes: what a token or a code looks like. */
static gboolean
is_token_text (const char *s,
               gsize       max)
{
  gsize n = 0;

  if (s == NULL || *s == '\0')
    return FALSE;
  for (; s[n] != '\0'; n++)
    if ((guchar) s[n] <= 0x20 || (guchar) s[n] >= 0x7F || n >= max)
      return FALSE;
  return TRUE;
}

static gboolean
is_user_code (const char *s)
{
  gsize n = 0;

  if (s == NULL || *s == '\0')
    return FALSE;
  for (; s[n] != '\0'; n++)
    if ((!g_ascii_isalnum (s[n]) && s[n] != '-') || n >= 32)
      return FALSE;
  return TRUE;
}

static gboolean
is_error_code (const char *s)
{
  gsize n = 0;

  if (s == NULL || *s == '\0')
    return FALSE;
  for (; s[n] != '\0'; n++)
    if ((!g_ascii_islower (s[n]) && s[n] != '_') || n >= 64)
      return FALSE;
  return TRUE;
}

/* The text, escaped, up to the first line break, cut at max characters (with "…"). */
static char *
first_line (const char *text,
            gsize       max)
{
  gsize len = strcspn (text, "\r\n");
  g_autofree char *escaped = dmd_escape_bytes ((const guint8 *) text, len);

  if (g_utf8_strlen (escaped, -1) > (glong) max)
    {
      char *end = g_utf8_offset_to_pointer (escaped, (glong) max);

      *end = '\0';
      return g_strconcat (escaped, "…", NULL);
    }
  return g_steal_pointer (&escaped);
}

static gboolean
read_error (DmdOAuthResponse *r,
            JsonObject       *obj)
{
  const char *error = member_string (obj, "error");
  const char *text;
  JsonNode *codes;

  if (!is_error_code (error))
    return FALSE;
  r->kind = DMD_OAUTH_RESPONSE_ERROR;
  r->error = g_strdup (error);
  codes = json_object_get_member (obj, "error_codes");
  if (codes != NULL && JSON_NODE_HOLDS_ARRAY (codes) &&
      json_array_get_length (json_node_get_array (codes)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (codes), 0);

      if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_INT64 &&
          json_node_get_int (first) > 0 && json_node_get_int (first) < 100000000)
        r->aadsts = (guint) json_node_get_int (first);
    }
  if ((text = member_string (obj, "error_description")) != NULL && *text != '\0')
    r->description = first_line (text, DMD_OAUTH_DESCRIPTION_MAX);
  if ((text = member_string (obj, "trace_id")) != NULL && *text != '\0')
    r->trace_id = first_line (text, 64);
  if ((text = member_string (obj, "correlation_id")) != NULL && *text != '\0')
    r->correlation_id = first_line (text, 64);
  return TRUE;
}

static gboolean
read_token (DmdOAuthResponse *r,
            JsonObject       *obj)
{
  const char *token = member_string (obj, "access_token");
  const char *type = member_string (obj, "token_type");

  if (token == NULL)
    return FALSE;
  if (!is_token_text (token, DMD_OAUTH_TOKEN_MAX))
    {
      r->why = g_strdup (_("The access token is empty, too long or has characters a token "
                           "cannot have."));
      return TRUE;
    }
  if (type != NULL && g_ascii_strcasecmp (type, "Bearer") != 0)
    {
      g_autofree char *shown = first_line (type, 40);

      r->why = g_strdup_printf (_("The token is of type “%s”, not Bearer."), shown);
      return TRUE;
    }
  r->kind = DMD_OAUTH_RESPONSE_TOKEN;
  r->access_token = g_strdup (token);
  r->token_type = g_strdup ("Bearer");
  r->expires_in = MAX (member_seconds (obj, "expires_in"), 0);
  r->has_refresh_token = member_string (obj, "refresh_token") != NULL;
  return TRUE;
}

static gboolean
read_device_code (DmdOAuthResponse *r,
                  JsonObject       *obj)
{
  const char *device_code = member_string (obj, "device_code");
  const char *user_code = member_string (obj, "user_code");
  /* v2.0 says verification_uri; the older endpoint verification_url */
  const char *uri = member_string (obj, "verification_uri");

  if (device_code == NULL)
    return FALSE;
  if (uri == NULL)
    uri = member_string (obj, "verification_url");
  if (!is_token_text (device_code, DMD_OAUTH_TOKEN_MAX) || !is_user_code (user_code))
    {
      r->why = g_strdup (_("The device code or the user code is missing or malformed."));
      return TRUE;
    }
  if (!is_token_text (uri, 512) || g_ascii_strncasecmp (uri, "https://", 8) != 0 ||
      uri[8] == '\0')
    {
      r->why = g_strdup (_("The sign-in address is missing or is not an https:// address."));
      return TRUE;
    }
  r->kind = DMD_OAUTH_RESPONSE_DEVICE_CODE;
  r->device_code = g_strdup (device_code);
  r->user_code = g_strdup (user_code);
  r->verification_uri = g_strdup (uri);
  r->expires_in = MAX (member_seconds (obj, "expires_in"), 0);
  r->interval = MAX (member_seconds (obj, "interval"), 0);
  return TRUE;
}

/* json-glib parses recursively: a hostile answer of nested brackets would exhaust the stack.
 * The identity platform's answers (and tokens' claims) nest two levels deep. */
static gboolean
nesting_ok (const char *data,
            gsize       len,
            guint       max)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

gboolean
dmd_json_text_ok (const char *data,
                  gsize       len)
{
  return data != NULL && memchr (data, '\0', len) == NULL &&
         g_utf8_validate (data, (gssize) len, NULL) && nesting_ok (data, len, 16);
}

DmdOAuthResponse *
dmd_oauth_response_parse (const char *data,
                          gsize       len)
{
  DmdOAuthResponse *r = g_new0 (DmdOAuthResponse, 1);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *obj;

  r->kind = DMD_OAUTH_RESPONSE_MALFORMED;
  if (data == NULL || len == 0)
    {
      r->why = g_strdup (_("The answer is empty."));
      return r;
    }
  if (len > DMD_OAUTH_RESPONSE_MAX)
    {
      r->why = g_strdup (_("The answer is too large to be the identity platform’s."));
      return r;
    }
  /* Only valid UTF-8 without NUL reaches the JSON parser. */
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize) len, NULL))
    {
      r->why = g_strdup (_("The answer is not text (JSON)."));
      return r;
    }
  parser = json_parser_new_immutable ();
  if (!dmd_json_text_ok (data, len) ||
      !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      r->why = g_strdup (_("The answer is not a JSON object (a web page from a proxy or a "
                           "filter?)."));
      return r;
    }
  obj = json_node_get_object (root);

  /* An error wins: some answers carry both an error and empty token fields. */
  if (json_object_has_member (obj, "error"))
    {
      if (!read_error (r, obj))
        r->why = g_strdup (_("The error code is missing or malformed."));
      return r;
    }
  if (read_token (r, obj) || read_device_code (r, obj))
    return r;
  r->why = g_strdup (_("The answer has neither a token, nor a device code, nor an error."));
  return r;
}
