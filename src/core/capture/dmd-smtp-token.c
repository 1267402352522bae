/* dmd-smtp-token.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "dmd-oauth-response.h"
#include "dmd-smtp-token.h"

static gboolean
word_in (const char *list,
         const char *word,
         const char *separators)
{
  g_auto(GStrv) words = NULL;

  if (list == NULL)
    return FALSE;
  words = g_strsplit_set (list, separators, -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (words[i]), word) == 0)
      return TRUE;
  return FALSE;
}

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
has_role (JsonObject *obj,
          const char *role)
{
  JsonNode *node = json_object_get_member (obj, "roles");
  JsonArray *roles;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  roles = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (roles); i++)
    {
      JsonNode *el = json_array_get_element (roles, i);

      if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (el), role) == 0)
        return TRUE;
    }
  return FALSE;
}

static JsonParser *
payload_of (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 4);
  g_autoptr(GString) b64 = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guchar *payload = NULL;
  gsize len = 0;

  if (g_strv_length (parts) != 3 || *parts[1] == '\0')
    return NULL;
  b64 = g_string_new (parts[1]);
  for (gsize i = 0; i < b64->len; i++)
    {
      char c = b64->str[i];

      if (c == '-' || c == '_')
        b64->str[i] = c == '-' ? '+' : '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
    }
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  payload = g_base64_decode (b64->str, &len);
  parser = json_parser_new ();
  if (payload == NULL || !dmd_json_text_ok ((const char *) payload, len) ||
      !json_parser_load_from_data (parser, (const char *) payload, (gssize) len, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return g_steal_pointer (&parser);
}

gboolean
_dmd_smtp_token_acceptable (const char *token,
                            const char *user,
                            const char *app_mailboxes,
                            const char *app_role,
                            gint64      now)
{
  static const char * const audiences[] = {
    "https://outlook.office.com", "https://outlook.office.com/",
    "https://outlook.office365.com", "https://outlook.office365.com/",
    "00000002-0000-0ff1-ce00-000000000000",
  };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *claims;
  JsonNode *exp;
  const char *aud;
  const char *upn;
  gboolean audience_ok = FALSE;

  if (token == NULL || user == NULL || (parser = payload_of (token)) == NULL)
    return FALSE;
  claims = json_node_get_object (json_parser_get_root (parser));

  aud = string_member (claims, "aud");
  for (guint i = 0; aud != NULL && i < G_N_ELEMENTS (audiences); i++)
    audience_ok = audience_ok || g_ascii_strcasecmp (aud, audiences[i]) == 0;
  if (!audience_ok)
    return FALSE;

  exp = json_object_get_member (claims, "exp");
  if (exp == NULL || !JSON_NODE_HOLDS_VALUE (exp) ||
      json_node_get_value_type (exp) != G_TYPE_INT64 || json_node_get_int (exp) <= now)
    return FALSE;

  /* Delegated: the person's own mailbox only. */
  if (word_in (string_member (claims, "scp"), "SMTP.Send", " "))
    {
      upn = string_member (claims, "upn");
      if (upn == NULL)
        upn = string_member (claims, "unique_name");
      if (upn == NULL)
        upn = string_member (claims, "preferred_username");
      return upn != NULL && g_ascii_strcasecmp (upn, user) == 0;
    }
  /* App-only: a mailbox its service principal was given (Add-MailboxPermission), or an HVE
   * account that allows the app (Add-HVEAppAccess). */
  if (has_role (claims, app_role != NULL ? app_role : "SMTP.SendAsApp"))
    return word_in (app_mailboxes, user, ";");
  return FALSE;
}
