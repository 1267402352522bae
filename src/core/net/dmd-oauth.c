/* dmd-oauth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "dmd-oauth.h"
#include "dmd-oauth-response.h"
#include "dmd-reply.h"

/* Exchange Online takes tokens for this resource (the SMTP.Send scope lives there). */
static const char *good_audiences[] = {
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "00000002-0000-0ff1-ce00-000000000000", /* Office 365 Exchange Online's application id */
};

static char *
base64url_decode (const char *in,
                  gsize      *out_len)
{
  g_autoptr(GString) s = g_string_new (in);
  guchar *out;

  for (gsize i = 0; i < s->len; i++)
    {
      if (s->str[i] == '-')
        s->str[i] = '+';
      else if (s->str[i] == '_')
        s->str[i] = '/';
      else if (!g_ascii_isalnum (s->str[i]))
        return NULL;
    }
  while (s->len % 4 != 0)
    g_string_append_c (s, '=');
  out = g_base64_decode (s->str, out_len);
  return (char *) out;
}

static char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    return NULL;
  /* A claim is the token issuer's text, shown in messages and reports: escaped (valid UTF-8,
   * no control characters), since a \u escape can carry a lone surrogate or a NUL. */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      return dmd_escape_bytes ((const guint8 *) text, strlen (text));
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING)
            {
              if (joined->len > 0)
                g_string_append_c (joined, ' ');
              g_string_append (joined, json_node_get_string (el));
            }
        }
      return joined->len > 0 ? dmd_escape_bytes ((const guint8 *) joined->str, joined->len) : NULL;
    }
  return NULL;
}

static gboolean
has_word (const char *list,
          const char *word)
{
  g_auto(GStrv) words = NULL;

  if (list == NULL)
    return FALSE;
  words = g_strsplit (list, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], word) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
audience_ok (const char *aud)
{
  g_auto(GStrv) auds = NULL;

  if (aud == NULL)
    return FALSE;
  auds = g_strsplit (aud, " ", -1);
  for (guint i = 0; auds[i] != NULL; i++)
    for (guint j = 0; j < G_N_ELEMENTS (good_audiences); j++)
      {
        gsize n = strlen (good_audiences[j]);
        if (g_ascii_strncasecmp (auds[i], good_audiences[j], n) == 0 &&
            (auds[i][n] == '\0' || auds[i][n] == '/'))
          return TRUE;
      }
  return FALSE;
}

DmdOAuthToken *
dmd_oauth_token_inspect (const char *token,
                         const char *username,
                         gint64      now)
{
  return dmd_oauth_token_inspect_for (token, username, now, FALSE);
}

DmdOAuthToken *
dmd_oauth_token_inspect_for (const char *token,
                             const char *username,
                             gint64      now,
                             gboolean    hve)
{
  DmdOAuthToken *info = g_new0 (DmdOAuthToken, 1);
  g_auto(GStrv) parts = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *obj;
  gsize len = 0;

  info->problems = g_ptr_array_new_with_free_func (g_free);
  if (token == NULL)
    return info;

  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3)
    return info;
  payload = base64url_decode (g_strstrip (parts[1]), &len);
  if (payload == NULL || len == 0)
    return info;

  /* Only valid UTF-8, reasonably nested, reaches the JSON parser. */
  parser = json_parser_new ();
  if (!dmd_json_text_ok (payload, len) ||
      !json_parser_load_from_data (parser, payload, (gssize) len, NULL))
    return info;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return info;
  obj = json_node_get_object (root);

  info->decoded = TRUE;
  info->audience = member_string (obj, "aud");
  info->scopes = member_string (obj, "scp");
  info->roles = member_string (obj, "roles");
  info->user = member_string (obj, "upn");
  if (info->user == NULL)
    info->user = member_string (obj, "unique_name");
  if (info->user == NULL)
    info->user = member_string (obj, "preferred_username");
  if (info->user == NULL)
    info->user = member_string (obj, "email");
  info->tenant_id = member_string (obj, "tid");
  info->app_id = member_string (obj, "appid");
  if (info->app_id == NULL)
    info->app_id = member_string (obj, "azp");
  if (json_object_has_member (obj, "exp"))
    {
      JsonNode *exp = json_object_get_member (obj, "exp");

      /* A time a date can show (years 1970 to 9999); anything else is not said. */
      if (JSON_NODE_HOLDS_VALUE (exp) && json_node_get_value_type (exp) == G_TYPE_INT64)
        info->expires = json_node_get_int (exp);
      else if (JSON_NODE_HOLDS_VALUE (exp) && json_node_get_value_type (exp) == G_TYPE_DOUBLE &&
               json_node_get_double (exp) >= 0 && json_node_get_double (exp) < 253402300800.0)
        info->expires = (gint64) json_node_get_double (exp);
      if (info->expires < 0 || info->expires >= G_GINT64_CONSTANT (253402300800))
        info->expires = 0;
    }

  if (info->expires != 0 && info->expires <= now)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (info->expires);
      g_autofree char *stamp = when ? g_date_time_format_iso8601 (when) : g_strdup ("?");
      g_ptr_array_add (info->problems,
                       g_strdup_printf (_("The token expired at %s."), stamp));
    }
  if (!audience_ok (info->audience))
    g_ptr_array_add (info->problems,
                     g_strdup_printf (_("The token is for “%s”, not for Exchange Online (https://outlook.office.com)."),
                                      info->audience ? info->audience : "?"));
  if (hve && !has_word (info->scopes, "SMTP.Send") && !has_word (info->roles, "Mail.Send") &&
      !has_word (info->roles, "SMTP.SendAsApp"))
    g_ptr_array_add (info->problems,
                     g_strdup (_("The token does not grant Mail.Send (application), which High Volume Email needs.")));
  else if (!hve && !has_word (info->scopes, "SMTP.Send") &&
           !has_word (info->roles, "SMTP.SendAsApp"))
    g_ptr_array_add (info->problems,
                     g_strdup (_("The token does not grant SMTP.Send (delegated) or SMTP.SendAsApp (application).")));
  if (info->user != NULL && username != NULL && *username != '\0' &&
      g_ascii_strcasecmp (info->user, username) != 0)
    g_ptr_array_add (info->problems,
                     g_strdup_printf (_("The token belongs to %s, but the device signs in as %s."),
                                      info->user, username));
  return info;
}

void
dmd_oauth_token_free (DmdOAuthToken *info)
{
  if (info == NULL)
    return;
  g_free (info->audience);
  g_free (info->scopes);
  g_free (info->roles);
  g_free (info->user);
  g_free (info->tenant_id);
  g_free (info->app_id);
  g_ptr_array_unref (info->problems);
  g_free (info);
}
