/* dmd-smtp-scenario.c — what the scripted server answers: a scenario over a profile
 *
 * A scenario is a GKeyFile (format in tests/scenarios/README.md) that overrides groups and
 * keys of a profile (profiles/NAME.ini, compiled into the engine). Every group and key is
 * validated when it is loaded, so a typo never passes silently; values are stored with their
 * escapes processed and looked up most specific group first, the scenario before the profile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>

#include "dmd-core-resources.h"
#include "dmd-smtp-server-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Scenario: groups, keys, escapes                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Keys every step group accepts. */
static const char * const step_keys[] = {
  "reply", "reply_tls", "raw", "action", "delay", "close_after", "inject", "long_line",
  "partial", "trickle", NULL
};

static const struct {
  const char        *group;
  const char * const extra[20];
} step_groups[] = {
  { "banner", { NULL } },
  { "ehlo", { NULL } },
  { "helo", { NULL } },
  { "starttls", { "reply_unavailable", NULL } },
  { "auth", { "mechanisms", "require_tls", "reply_fail", "reply_no_tls",
              "reply_unknown_mechanism", "reply_already", "reply_cancelled", "reply_syntax",
              "prompt_username", "prompt_password", "prompt", "username", "password", "token",
              "xoauth2_error", "echo", "token_check", "app_mailboxes", "app_role", NULL } },
  { "mail", { "require_tls", "require_auth", "reply_no_tls", "reply_no_auth", "reply_no_hello",
              "reply_nested", NULL } },
  { "rcpt", { "reply_no_mail", "reply_untrusted_client", NULL } },
  { "data", { "reply_no_rcpt", NULL } },
  { "data-end", { NULL } },
  { "rset", { NULL } },
  { "noop", { NULL } },
  { "quit", { NULL } },
  { "unknown", { NULL } },
};

static const char * const server_keys[] = {
  "profile", "description", "hostname", "trailer_host", "public_ip", "idle_timeout",
  "stall_timeout", "max_message", "max_sessions", NULL
};
static const char * const tls_keys[] = {
  "priority", "legacy_below", "legacy_reply", "certificate", "implicit", "detect_implicit",
  "close_after_handshake", "client_certificate", "client_trusted", NULL
};

/* Keys whose values are not escape-processed (lists, numbers, names). */
static const char * const plain_keys[] = {
  "profile", "description", "idle_timeout", "stall_timeout", "max_message", "max_sessions",
  "priority", "legacy_below", "certificate", "implicit", "detect_implicit", "mechanisms",
  "close_after_handshake",
  "client_certificate", "client_trusted", "token_check", "app_mailboxes", "app_role",
  "require_tls",
  "require_auth", "echo",
  "action", "delay", "close_after", "long_line", "partial", "trickle", NULL
};

/* By DmdSmtpAction. */
static const char * const action_names[] = {
  "reply", "stall", "close", "close-mid-reply", "endless", "long-line", NULL
};

typedef struct {
  char         *group;     /* "rcpt:*@fabrikam.example" */
  GPatternSpec *pattern;   /* on the lower-cased address */
} PatternGroup;

struct _DmdSmtpScenario {
  gint        ref_count;
  GKeyFile   *keyfile;
  GHashTable *values;          /* "group\x1fkey" -> GBytes (escapes processed), scenario */
  GHashTable *profile_values;  /* same, from the profile */
  GPtrArray  *mail_patterns;   /* PatternGroup*, file order */
  GPtrArray  *rcpt_patterns;
  char       *description;
};

static void
pattern_group_free (PatternGroup *pg)
{
  g_free (pg->group);
  g_pattern_spec_free (pg->pattern);
  g_free (pg);
}

static gboolean
strv_has (const char * const *strv,
          const char         *s)
{
  for (gsize i = 0; strv[i] != NULL; i++)
    if (g_str_equal (strv[i], s))
      return TRUE;
  return FALSE;
}

static char *
value_key (const char *group,
           const char *key)
{
  return g_strconcat (group, "\x1f", key, NULL);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* \n \r \t \s \\ \xNN; anything else is an error (so typos do not go unnoticed). */
static GBytes *
unescape_value (const char  *value,
                GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  for (const char *p = value; *p != '\0'; p++)
    {
      guint8 c = (guint8) *p;

      if (c != '\\')
        {
          g_byte_array_append (out, &c, 1);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 's': c = ' '; break;
        case '\\': c = '\\'; break;
        case 'x':
          {
            int hi = p[1] != '\0' ? hex_value (p[1]) : -1;
            int lo = hi >= 0 && p[2] != '\0' ? hex_value (p[2]) : -1;

            if (hi < 0 || lo < 0)
              {
                g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                             "\\x needs two hex digits");
                return NULL;
              }
            c = (guint8) (hi * 16 + lo);
            p += 2;
          }
          break;
        default:
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "unknown escape \\%c (use \\n \\r \\t \\s \\\\ \\xNN)",
                       *p != '\0' ? *p : '?');
          return NULL;
        }
      g_byte_array_append (out, &c, 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static const char * const *
group_extra_keys (const char *base)
{
  for (gsize i = 0; i < G_N_ELEMENTS (step_groups); i++)
    if (g_str_equal (step_groups[i].group, base))
      return step_groups[i].extra;
  return NULL;
}

static gboolean
check_action (const char  *value,
              GError     **error)
{
  if (!strv_has (action_names, value))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "unknown action \"%s\" (reply, stall, close, close-mid-reply, endless, "
                   "long-line)", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_number (const char  *value,
              gboolean     fractional,
              GError     **error)
{
  char *end = NULL;
  double d = g_ascii_strtod (value, &end);

  if (end == value || *end != '\0' || d < 0 || (!fractional && d != (double) (guint64) d))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "\"%s\" is not a %s", value,
                   fractional ? "non-negative number" : "non-negative integer");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_bool (const char  *value,
            GError     **error)
{
  if (!g_str_equal (value, "true") && !g_str_equal (value, "false"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "\"%s\" is not true or false", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_tls_version_name (const char  *value,
                        GError     **error)
{
  if (g_strcmp0 (value, "none") != 0 && dmd_tls_version_index (value) < 0)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "\"%s\" is not one of none, TLS1.0, TLS1.1, TLS1.2, TLS1.3", value);
      return FALSE;
    }
  return TRUE;
}

static const char * const client_certificate_modes[] = {
  "ignore", "request", "require", "verify", NULL
};

static gboolean
check_client_certificate (const char  *value,
                          GError     **error)
{
  if (!strv_has (client_certificate_modes, value))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "\"%s\" is not one of ignore, request, require, verify", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_priority (const char  *value,
                GError     **error)
{
  gnutls_priority_t priority;
  const char *err_pos = NULL;
  int ret = gnutls_priority_init (&priority, value, &err_pos);

  if (ret < 0)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "GnuTLS rejects the priority string at \"%s\": %s",
                   err_pos != NULL ? err_pos : value, gnutls_strerror (ret));
      return FALSE;
    }
  gnutls_priority_deinit (priority);
  return TRUE;
}

/* Validate one key and store its (unescaped) value. */
static gboolean
load_key (GHashTable  *values,
          GKeyFile    *keyfile,
          const char  *group,
          const char  *key,
          GError     **error)
{
  g_autofree char *raw = g_key_file_get_value (keyfile, group, key, error);
  g_autoptr(GBytes) bytes = NULL;
  gboolean ok = TRUE;

  if (raw == NULL)
    return FALSE;

  if (g_str_equal (key, "action"))
    ok = check_action (raw, error);
  else if (g_str_equal (key, "delay") || g_str_equal (key, "idle_timeout")
           || g_str_equal (key, "stall_timeout") || g_str_equal (key, "detect_implicit")
           || g_str_equal (key, "trickle"))
    ok = check_number (raw, TRUE, error);
  else if (g_str_equal (key, "long_line") || g_str_equal (key, "partial")
           || g_str_equal (key, "max_message") || g_str_equal (key, "max_sessions"))
    ok = check_number (raw, FALSE, error);
  else if (g_str_equal (key, "close_after") || g_str_equal (key, "require_tls")
           || g_str_equal (key, "require_auth") || g_str_equal (key, "implicit")
           || g_str_equal (key, "close_after_handshake") || g_str_equal (key, "echo"))
    ok = check_bool (raw, error);
  else if (g_str_equal (key, "priority"))
    ok = check_priority (raw, error);
  else if (g_str_equal (key, "legacy_below"))
    ok = check_tls_version_name (raw, error);
  else if (g_str_equal (key, "client_certificate"))
    ok = check_client_certificate (raw, error);
  else if (g_str_equal (key, "public_ip") && *raw != '\0')
    {
      g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (raw);

      if (addr == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "\"%s\" is not an IP address", raw);
          ok = FALSE;
        }
    }
  if (!ok)
    return FALSE;

  if (strv_has (plain_keys, key))
    bytes = g_bytes_new (raw, strlen (raw));
  else
    bytes = unescape_value (raw, error);
  if (bytes == NULL)
    return FALSE;

  g_hash_table_replace (values, value_key (group, key), g_steal_pointer (&bytes));
  return TRUE;
}

/* Validate every group and key of keyfile into values. Groups [expect], [cli] and x-* belong
 * to the runners and are skipped. */
static gboolean
load_values (GHashTable  *values,
             GKeyFile    *keyfile,
             GPtrArray   *mail_patterns,
             GPtrArray   *rcpt_patterns,
             GError     **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (keyfile, NULL);

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      g_autofree char *base = NULL;
      const char *pattern = NULL;
      const char * const *extra = NULL;
      g_auto(GStrv) keys = NULL;
      const char *colon;

      if (g_str_equal (group, "expect") || g_str_equal (group, "cli")
          || g_str_equal (group, "identity")
          || g_str_has_prefix (group, "x-"))
        continue;

      colon = strchr (group, ':');
      base = colon != NULL ? g_strndup (group, colon - group) : g_strdup (group);
      if (colon != NULL)
        pattern = colon + 1;

      if (g_str_equal (base, "server") || g_str_equal (base, "tls"))
        extra = g_str_equal (base, "server") ? server_keys : tls_keys;
      else
        extra = group_extra_keys (base);

      if (extra == NULL
          || (pattern != NULL && !g_str_equal (base, "mail") && !g_str_equal (base, "rcpt")
              && !g_str_equal (base, "auth")))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       "[%s]: unknown group", group);
          return FALSE;
        }
      if (pattern != NULL && *pattern == '\0')
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[%s]: empty pattern", group);
          return FALSE;
        }
      if (pattern != NULL && g_str_equal (base, "auth"))
        {
          static const char * const mechs[] = { "LOGIN", "PLAIN", "XOAUTH2", NULL };

          if (!strv_has (mechs, pattern))
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                           "[%s]: mechanism must be LOGIN, PLAIN or XOAUTH2", group);
              return FALSE;
            }
        }
      else if (pattern != NULL)
        {
          PatternGroup *pg = g_new0 (PatternGroup, 1);
          g_autofree char *lower = g_ascii_strdown (pattern, -1);

          pg->group = g_strdup (group);
          pg->pattern = g_pattern_spec_new (lower);
          g_ptr_array_add (g_str_equal (base, "mail") ? mail_patterns : rcpt_patterns, pg);
        }

      keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
      for (gsize k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          gboolean is_step = !g_str_equal (base, "server") && !g_str_equal (base, "tls");
          g_autoptr(GError) local_error = NULL;

          if (!strv_has (extra, keys[k]) && !(is_step && strv_has (step_keys, keys[k])))
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                           "[%s] %s: unknown key", group, keys[k]);
              return FALSE;
            }
          if (!load_key (values, keyfile, group, keys[k], &local_error))
            {
              g_set_error (error, local_error->domain, local_error->code,
                           "[%s] %s: %s", group, keys[k], local_error->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static GHashTable *
values_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

/* The profiles a scenario starts from: profiles/NAME.ini in the engine's resources. */
static const char * const profile_names[] = {
  "exchange-submission", "exchange-mx", "generic", "exchange-hve", NULL
};

/* A profile read over another: it holds only what differs. */
static const struct {
  const char *name;
  const char *base;
} profile_bases[] = {
  { "exchange-hve", "exchange-submission" },
};

#define PROFILE_RESOURCE RESOURCE_BASE "/core/capture/profiles/%s.ini"

/* Load the profile `name` into sc->profile_values (and its pattern groups, if any). */
static gboolean
load_profile (DmdSmtpScenario  *sc,
              const char       *name,
              GError          **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GBytes) text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data;

  if (!strv_has (profile_names, name))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[server] profile: unknown profile \"%s\" "
                   "(exchange-submission, exchange-mx, generic, exchange-hve)", name);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (profile_bases); i++)
    if (g_str_equal (profile_bases[i].name, name) && !load_profile (sc, profile_bases[i].base,
                                                                    error))
      return FALSE;
  path = g_strdup_printf (PROFILE_RESOURCE, name);
  text = g_resource_lookup_data (dmd_core_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                 &local_error);
  if (text != NULL)
    {
      data = g_bytes_get_data (text, &len);
      if (g_key_file_load_from_data (keyfile, data, len, G_KEY_FILE_NONE, &local_error))
        load_values (sc->profile_values, keyfile, sc->mail_patterns, sc->rcpt_patterns,
                     &local_error);
    }
  if (local_error != NULL)
    {
      /* The profiles are part of the engine: this is a bug in one of them. */
      g_critical ("smtp-server: profile %s: %s", name, local_error->message);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "profile %s: ", name);
      return FALSE;
    }
  return TRUE;
}

DmdSmtpScenario *
dmd_smtp_scenario_new_from_data (const char  *data,
                                 gssize       length,
                                 GError     **error)
{
  g_autoptr(DmdSmtpScenario) sc = g_new0 (DmdSmtpScenario, 1);
  g_autofree char *profile = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  sc->ref_count = 1;
  sc->keyfile = g_key_file_new ();
  sc->values = values_new ();
  sc->profile_values = values_new ();
  sc->mail_patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) pattern_group_free);
  sc->rcpt_patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) pattern_group_free);

  if (length < 0)
    length = strlen (data);
  if (!g_key_file_load_from_data (sc->keyfile, data, length, G_KEY_FILE_NONE, error))
    return NULL;

  profile = g_key_file_get_value (sc->keyfile, "server", "profile", NULL);
  if (!load_profile (sc, profile != NULL ? profile : "exchange-submission", error))
    return NULL;

  if (!load_values (sc->values, sc->keyfile, sc->mail_patterns, sc->rcpt_patterns, error))
    return NULL;

  sc->description = g_key_file_get_string (sc->keyfile, "server", "description", NULL);
  if (sc->description == NULL)
    sc->description = g_strdup ("");

  return g_steal_pointer (&sc);
}

DmdSmtpScenario *
dmd_smtp_scenario_new_from_file (const char  *path,
                                 GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local_error = NULL;
  DmdSmtpScenario *sc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  sc = dmd_smtp_scenario_new_from_data (data, len, &local_error);
  if (sc == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path,
                   local_error->message);
      return NULL;
    }
  return sc;
}

DmdSmtpScenario *
dmd_smtp_scenario_ref (DmdSmtpScenario *scenario)
{
  g_return_val_if_fail (scenario != NULL, NULL);
  g_atomic_int_inc (&scenario->ref_count);
  return scenario;
}

void
dmd_smtp_scenario_unref (DmdSmtpScenario *scenario)
{
  if (scenario == NULL || !g_atomic_int_dec_and_test (&scenario->ref_count))
    return;
  g_clear_pointer (&scenario->keyfile, g_key_file_unref);
  g_clear_pointer (&scenario->values, g_hash_table_unref);
  g_clear_pointer (&scenario->profile_values, g_hash_table_unref);
  g_clear_pointer (&scenario->mail_patterns, g_ptr_array_unref);
  g_clear_pointer (&scenario->rcpt_patterns, g_ptr_array_unref);
  g_free (scenario->description);
  g_free (scenario);
}

const char *
dmd_smtp_scenario_get_description (DmdSmtpScenario *scenario)
{
  g_return_val_if_fail (scenario != NULL, NULL);
  return scenario->description;
}

GKeyFile *
dmd_smtp_scenario_get_key_file (DmdSmtpScenario *scenario)
{
  g_return_val_if_fail (scenario != NULL, NULL);
  return scenario->keyfile;
}

GBytes *
_dmd_smtp_scenario_lookup (DmdSmtpScenario    *sc,
                 const char * const *groups,
                 const char         *key)
{
  GHashTable *tables[] = { sc->values, sc->profile_values };

  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
    for (gsize i = 0; groups[i] != NULL; i++)
      {
        g_autofree char *k = value_key (groups[i], key);
        GBytes *v = g_hash_table_lookup (tables[t], k);

        if (v != NULL)
          return v;
      }
  return NULL;
}

char *
_dmd_smtp_scenario_dup (DmdSmtpScenario    *sc,
              const char * const *groups,
              const char         *key)
{
  GBytes *v = _dmd_smtp_scenario_lookup (sc, groups, key);
  gsize len;
  const char *data;

  if (v == NULL)
    return NULL;
  data = g_bytes_get_data (v, &len);
  return g_strndup (data, len);
}

gboolean
_dmd_smtp_scenario_bool (DmdSmtpScenario    *sc,
               const char * const *groups,
               const char         *key)
{
  g_autofree char *v = _dmd_smtp_scenario_dup (sc, groups, key);

  return v != NULL && g_str_equal (v, "true");
}

double
_dmd_smtp_scenario_number (DmdSmtpScenario    *sc,
                 const char * const *groups,
                 const char         *key,
                 double              fallback)
{
  g_autofree char *v = _dmd_smtp_scenario_dup (sc, groups, key);

  return v != NULL ? g_ascii_strtod (v, NULL) : fallback;
}

DmdSmtpAction
_dmd_smtp_scenario_action (DmdSmtpScenario    *sc,
                           const char * const *groups)
{
  g_autofree char *name = _dmd_smtp_scenario_dup (sc, groups, "action");

  for (gsize i = 0; name != NULL && action_names[i] != NULL; i++)
    if (g_str_equal (action_names[i], name))
      return (DmdSmtpAction) i;
  return DMD_SMTP_ACTION_REPLY;
}

const char **
_dmd_smtp_scenario_candidates (DmdSmtpScenario *sc,
                               const char      *base,
                               const char      *address)
{
  GPtrArray *patterns = g_str_equal (base, "mail") ? sc->mail_patterns : sc->rcpt_patterns;
  g_autofree char *lower = g_ascii_strdown (address, -1);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < patterns->len; i++)
    {
      PatternGroup *pg = g_ptr_array_index (patterns, i);

      if (g_pattern_spec_match_string (pg->pattern, lower))
        g_ptr_array_add (out, pg->group);
    }
  g_ptr_array_add (out, (gpointer) base);
  g_ptr_array_add (out, NULL);
  return (const char **) g_ptr_array_free (out, FALSE);
}
