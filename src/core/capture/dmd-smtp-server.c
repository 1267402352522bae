/* dmd-smtp-server.c — a scripted SMTP server that plays Exchange Online (or a broken peer)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-smtp-server.h"
#include "dmd-tls.h"

/* ------------------------------------------------------------------------------------------ */
/* Profiles: the defaults a scenario starts from                                              */
/* ------------------------------------------------------------------------------------------ */

/* smtp.office365.com port 587, as transcripts show it (m365-facts.md §5). */
static const char profile_exchange_submission[] =
  "[server]\n"
  "hostname=BE1P281CA0440.outlook.office365.com\n"
  "trailer_host=BE1P281CA0440.DEUP281.PROD.OUTLOOK.COM\n"
  "[tls]\n"
  "priority=NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0\n"
  "legacy_below=TLS1.2\n"
  "legacy_reply=421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client"
  " to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls\n"
  "[banner]\n"
  "reply=220 {hostname} Microsoft ESMTP MAIL Service ready at {date} [{id}]\n"
  "[ehlo]\n"
  "reply=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING\\n250-DSN"
  "\\n250-ENHANCEDSTATUSCODES\\n250-STARTTLS\\n250-8BITMIME\\n250-BINARYMIME\\n250-CHUNKING"
  "\\n250 SMTPUTF8\n"
  "reply_tls=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING\\n250-DSN"
  "\\n250-ENHANCEDSTATUSCODES\\n250-AUTH LOGIN XOAUTH2\\n250-8BITMIME\\n250-BINARYMIME"
  "\\n250-CHUNKING\\n250 SMTPUTF8\n"
  "[helo]\n"
  "reply=250 {hostname} Hello [{client_ip}]\n"
  "[starttls]\n"
  "reply=220 2.0.0 SMTP server ready\n"
  "reply_tls=503 5.5.2 Send hello first {trailer}\n"
  "reply_unavailable=454 4.7.0 Temporary error, TLS not available {trailer}\n"
  "[auth]\n"
  "mechanisms=LOGIN XOAUTH2\n"
  "require_tls=true\n"
  "reply=235 2.7.0 Authentication successful\n"
  "reply_fail=535 5.7.3 Authentication unsuccessful {trailer}\n"
  "reply_no_tls=451 5.7.3 STARTTLS is required to send mail {trailer}\n"
  "reply_unknown_mechanism=504 5.7.4 Unrecognized authentication type {trailer}\n"
  "reply_already=503 5.5.2 Already authenticated {trailer}\n"
  "reply_cancelled=501 5.7.0 Authentication cancelled {trailer}\n"
  "reply_syntax=501 5.5.4 Invalid arguments {trailer}\n"
  "prompt_username=334 VXNlcm5hbWU6\n"
  "prompt_password=334 UGFzc3dvcmQ6\n"
  "prompt=334\\s\n"
  "[mail]\n"
  "require_tls=true\n"
  "require_auth=true\n"
  "reply=250 2.1.0 Sender OK\n"
  "reply_no_tls=451 5.7.3 STARTTLS is required to send mail {trailer}\n"
  "reply_no_auth=530 5.7.57 Client not authenticated to send mail. {trailer}\n"
  "reply_no_hello=503 5.5.2 Send hello first {trailer}\n"
  "reply_nested=503 5.5.2 Sender already specified {trailer}\n"
  "[rcpt]\n"
  "reply=250 2.1.5 Recipient OK\n"
  "reply_no_mail=503 5.5.2 Need mail command {trailer}\n"
  "[data]\n"
  "reply=354 Start mail input; end with <CR><LF>.<CR><LF>\n"
  "reply_no_rcpt=503 5.5.2 Need rcpt command {trailer}\n"
  "[data-end]\n"
  "reply=250 2.0.0 OK <{msgid}> [Hostname={trailer_host}]\n"
  "[rset]\n"
  "reply=250 2.0.0 Resetting\n"
  "[noop]\n"
  "reply=250 2.0.0 OK\n"
  "[quit]\n"
  "reply=221 2.0.0 Service closing transmission channel\n"
  "[unknown]\n"
  "reply=500 5.3.3 Unrecognized command 'unknown' {trailer}\n";

/* The tenant's MX endpoint (Direct Send, relay), port 25: no AUTH, TLS optional. */
static const char profile_exchange_mx[] =
  "[server]\n"
  "hostname=SN1NAM02FT0049.mail.protection.outlook.com\n"
  "trailer_host=SN1NAM02FT0049.eop-nam02.prod.protection.outlook.com\n"
  "[tls]\n"
  "priority=NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2\n"
  "legacy_below=none\n"
  "[banner]\n"
  "reply=220 {hostname} Microsoft ESMTP MAIL Service ready at {date}\n"
  "[ehlo]\n"
  "reply=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING\\n250-DSN"
  "\\n250-ENHANCEDSTATUSCODES\\n250-STARTTLS\\n250-8BITMIME\\n250-BINARYMIME\\n250-CHUNKING"
  "\\n250 SMTPUTF8\n"
  "reply_tls=250-{hostname} Hello [{client_ip}]\\n250-SIZE 157286400\\n250-PIPELINING\\n250-DSN"
  "\\n250-ENHANCEDSTATUSCODES\\n250-8BITMIME\\n250-BINARYMIME\\n250-CHUNKING\\n250 SMTPUTF8\n"
  "[helo]\n"
  "reply=250 {hostname} Hello [{client_ip}]\n"
  "[starttls]\n"
  "reply=220 2.0.0 SMTP server ready\n"
  "reply_tls=503 5.5.2 Send hello first {trailer}\n"
  "reply_unavailable=454 4.7.0 Temporary error, TLS not available {trailer}\n"
  "[auth]\n"
  "mechanisms=\n"
  "require_tls=false\n"
  "reply=235 2.7.0 Authentication successful\n"
  "reply_fail=535 5.7.3 Authentication unsuccessful {trailer}\n"
  "reply_no_tls=451 5.7.3 STARTTLS is required to send mail {trailer}\n"
  "reply_unknown_mechanism=504 5.7.4 Unrecognized authentication type {trailer}\n"
  "reply_already=503 5.5.2 Already authenticated {trailer}\n"
  "reply_cancelled=501 5.7.0 Authentication cancelled {trailer}\n"
  "reply_syntax=501 5.5.4 Invalid arguments {trailer}\n"
  "prompt_username=334 VXNlcm5hbWU6\n"
  "prompt_password=334 UGFzc3dvcmQ6\n"
  "prompt=334\\s\n"
  "[mail]\n"
  "require_tls=false\n"
  "require_auth=false\n"
  "reply=250 2.1.0 Sender OK\n"
  "reply_no_tls=451 5.7.3 STARTTLS is required to send mail {trailer}\n"
  "reply_no_auth=530 5.7.57 Client not authenticated to send mail. {trailer}\n"
  "reply_no_hello=503 5.5.2 Send hello first {trailer}\n"
  "reply_nested=503 5.5.2 Sender already specified {trailer}\n"
  "[rcpt]\n"
  "reply=250 2.1.5 Recipient OK\n"
  "reply_no_mail=503 5.5.2 Need mail command {trailer}\n"
  "reply_untrusted_client=550 5.7.64 TenantAttribution; Relay Access Denied {trailer}\n"
  "[data]\n"
  "reply=354 Start mail input; end with <CR><LF>.<CR><LF>\n"
  "reply_no_rcpt=503 5.5.2 Need rcpt command {trailer}\n"
  "[data-end]\n"
  "reply=250 2.6.0 <{msgid}> [InternalId=1234567890123, Hostname={trailer_host}]"
  " Queued mail for delivery\n"
  "[rset]\n"
  "reply=250 2.0.0 Resetting\n"
  "[noop]\n"
  "reply=250 2.0.0 OK\n"
  "[quit]\n"
  "reply=221 2.0.0 Service closing transmission channel\n"
  "[unknown]\n"
  "reply=500 5.3.3 Unrecognized command 'unknown' {trailer}\n";

/* A plain, permissive ESMTP server (the base for the capture listener and odd peers). */
static const char profile_generic[] =
  "[server]\n"
  "hostname=mail.example.test\n"
  "trailer_host=mail.example.test\n"
  "[tls]\n"
  "priority=NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0\n"
  "legacy_below=none\n"
  "[banner]\n"
  "reply=220 {hostname} ESMTP ready\n"
  "[ehlo]\n"
  "reply=250-{hostname} Hello [{client_ip}]\\n250-SIZE 52428800\\n250-PIPELINING"
  "\\n250-ENHANCEDSTATUSCODES\\n250-STARTTLS\\n250-AUTH PLAIN LOGIN XOAUTH2\\n250 8BITMIME\n"
  "reply_tls=250-{hostname} Hello [{client_ip}]\\n250-SIZE 52428800\\n250-PIPELINING"
  "\\n250-ENHANCEDSTATUSCODES\\n250-AUTH PLAIN LOGIN XOAUTH2\\n250 8BITMIME\n"
  "[helo]\n"
  "reply=250 {hostname}\n"
  "[starttls]\n"
  "reply=220 2.0.0 Ready to start TLS\n"
  "reply_tls=503 5.5.1 TLS already active\n"
  "reply_unavailable=454 4.7.0 TLS not available\n"
  "[auth]\n"
  "mechanisms=PLAIN LOGIN XOAUTH2\n"
  "require_tls=false\n"
  "reply=235 2.7.0 Authentication successful\n"
  "reply_fail=535 5.7.8 Authentication credentials invalid\n"
  "reply_no_tls=530 5.7.0 Must issue a STARTTLS command first\n"
  "reply_unknown_mechanism=504 5.5.4 Unrecognized authentication type\n"
  "reply_already=503 5.5.1 Already authenticated\n"
  "reply_cancelled=501 5.7.0 Authentication cancelled\n"
  "reply_syntax=501 5.5.4 Syntax error in parameters\n"
  "prompt_username=334 VXNlcm5hbWU6\n"
  "prompt_password=334 UGFzc3dvcmQ6\n"
  "prompt=334\\s\n"
  "[mail]\n"
  "require_tls=false\n"
  "require_auth=false\n"
  "reply=250 2.1.0 Ok\n"
  "reply_no_tls=530 5.7.0 Must issue a STARTTLS command first\n"
  "reply_no_auth=530 5.7.0 Authentication required\n"
  "reply_no_hello=503 5.5.1 Error: send HELO/EHLO first\n"
  "reply_nested=503 5.5.1 Error: nested MAIL command\n"
  "[rcpt]\n"
  "reply=250 2.1.5 Ok\n"
  "reply_no_mail=503 5.5.1 Error: need MAIL command\n"
  "[data]\n"
  "reply=354 End data with <CR><LF>.<CR><LF>\n"
  "reply_no_rcpt=503 5.5.1 Error: need RCPT command\n"
  "[data-end]\n"
  "reply=250 2.0.0 Ok: queued as {id}\n"
  "[rset]\n"
  "reply=250 2.0.0 Ok\n"
  "[noop]\n"
  "reply=250 2.0.0 Ok\n"
  "[quit]\n"
  "reply=221 2.0.0 Bye\n"
  "[unknown]\n"
  "reply=502 5.5.2 Error: command not recognized\n";

static const struct {
  const char *name;
  const char *text;
} profiles[] = {
  { "exchange-submission", profile_exchange_submission },
  { "exchange-mx", profile_exchange_mx },
  { "generic", profile_generic },
};

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
  const char * const extra[17];
} step_groups[] = {
  { "banner", { NULL } },
  { "ehlo", { NULL } },
  { "helo", { NULL } },
  { "starttls", { "reply_unavailable", NULL } },
  { "auth", { "mechanisms", "require_tls", "reply_fail", "reply_no_tls",
              "reply_unknown_mechanism", "reply_already", "reply_cancelled", "reply_syntax",
              "prompt_username", "prompt_password", "prompt", "username", "password", "token",
              "xoauth2_error", "echo", NULL } },
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
  "client_certificate", "client_trusted",
  "require_tls",
  "require_auth", "echo",
  "action", "delay", "close_after", "long_line", "partial", "trickle", NULL
};

typedef enum {
  ACTION_REPLY,
  ACTION_STALL,
  ACTION_CLOSE,
  ACTION_CLOSE_MID_REPLY,
  ACTION_ENDLESS,
  ACTION_LONG_LINE,
} Action;

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

DmdSmtpScenario *
dmd_smtp_scenario_new_from_data (const char  *data,
                                 gssize       length,
                                 GError     **error)
{
  g_autoptr(DmdSmtpScenario) sc = g_new0 (DmdSmtpScenario, 1);
  g_autoptr(GKeyFile) profile_kf = g_key_file_new ();
  g_autofree char *profile = NULL;
  const char *profile_text = NULL;

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
  if (profile == NULL)
    profile = g_strdup ("exchange-submission");
  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_str_equal (profiles[i].name, profile))
      profile_text = profiles[i].text;
  if (profile_text == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[server] profile: unknown profile \"%s\" "
                   "(exchange-submission, exchange-mx, generic)", profile);
      return NULL;
    }
  if (!g_key_file_load_from_data (profile_kf, profile_text, -1, G_KEY_FILE_NONE, NULL)
      || !load_values (sc->profile_values, profile_kf, sc->mail_patterns, sc->rcpt_patterns,
                       NULL))
    g_assert_not_reached ();

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

/* Look key up in the candidate groups (most specific first): the scenario's, then the
 * profile's. Returns a borrowed GBytes or NULL. */
static GBytes *
scenario_lookup (DmdSmtpScenario    *sc,
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

/* NUL-terminated copy of a looked-up value, or NULL. */
static char *
scenario_dup (DmdSmtpScenario    *sc,
              const char * const *groups,
              const char         *key)
{
  GBytes *v = scenario_lookup (sc, groups, key);
  gsize len;
  const char *data;

  if (v == NULL)
    return NULL;
  data = g_bytes_get_data (v, &len);
  return g_strndup (data, len);
}

static gboolean
scenario_bool (DmdSmtpScenario    *sc,
               const char * const *groups,
               const char         *key)
{
  g_autofree char *v = scenario_dup (sc, groups, key);

  return v != NULL && g_str_equal (v, "true");
}

static double
scenario_number (DmdSmtpScenario    *sc,
                 const char * const *groups,
                 const char         *key,
                 double              fallback)
{
  g_autofree char *v = scenario_dup (sc, groups, key);

  return v != NULL ? g_ascii_strtod (v, NULL) : fallback;
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */
/* ------------------------------------------------------------------------------------------ */

const char *
dmd_smtp_event_kind_to_string (DmdSmtpEventKind kind)
{
  switch (kind)
    {
    case DMD_SMTP_EVENT_SESSION_OPEN: return "open";
    case DMD_SMTP_EVENT_COMMAND: return "cmd";
    case DMD_SMTP_EVENT_REPLY: return "reply";
    case DMD_SMTP_EVENT_TLS: return "tls";
    case DMD_SMTP_EVENT_AUTH: return "auth";
    case DMD_SMTP_EVENT_MESSAGE: return "message";
    case DMD_SMTP_EVENT_SESSION_CLOSE: return "close";
    default: return "?";
    }
}

void
dmd_smtp_event_free (DmdSmtpEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->text);
  g_free (event);
}

static DmdSmtpEvent *
event_copy (const DmdSmtpEvent *event)
{
  DmdSmtpEvent *copy = g_new0 (DmdSmtpEvent, 1);

  copy->session = event->session;
  copy->kind = event->kind;
  copy->text = g_strdup (event->text);
  return copy;
}

/* ------------------------------------------------------------------------------------------ */
/* Server                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct _Session Session;

typedef struct {
  DmdSmtpServer *server;
  GSocket       *socket;
  GThread       *thread;
} Listener;

struct _DmdSmtpServer {
  DmdSmtpScenario                  *scenario;
  GCancellable                     *cancellable;
  DmdTlsServerCreds                *creds;
  GStrv                             trusted_clients; /* SHA-256s of trusted client certificates
                                                     * (set before listening), or NULL */
  guint16                           port;
  GPtrArray                        *listeners;   /* Listener* */

  GMutex                            lock;        /* guards everything below */
  GPtrArray                        *sessions;    /* Session*, running or finished */
  guint                             n_sessions;
  GPtrArray                        *events;      /* DmdSmtpEvent* */
  DmdSmtpEventFunc                  event_func;
  gpointer                          event_data;
  GDestroyNotify                    event_destroy;
  gboolean                          stopped;
};

struct _Session {
  DmdSmtpServer   *server;
  DmdSmtpScenario *sc;
  guint            id;
  GSocket         *socket;
  GThread         *thread;
  gint             done;          /* atomic */

  DmdConn         *conn;
  GCancellable    *cancellable;   /* the server's */
  char            *client_ip;     /* as shown in "Hello [...]" */
  char            *session_hex;   /* {id} */
  double           idle_timeout;

  gboolean         tls;
  gboolean         legacy_tls;    /* handshake below legacy_below: answer legacy_reply */
  gboolean         implicit_tls;  /* TLS began at once, without STARTTLS */
  char            *client_cert;   /* SHA-256 of the client certificate of this TLS session */
  gboolean         client_cert_required;  /* [tls] client_certificate require or verify */
  gboolean         hello;
  gboolean         authed;
  gboolean         have_mail;
  guint            n_rcpt;
  char            *arg;           /* {arg}: the command's verb (unknown) */
  char            *echo_payload;  /* {auth_payload}: [auth] echo=true, while answering AUTH */
  char            *echo_secret;   /* {auth_secret}: likewise */
  char            *close_reason;
};

/* The outcome of answering one step. */
typedef enum {
  STEP_CONTINUE,
  STEP_END,
} StepResult;

static void
server_emit (DmdSmtpServer            *server,
             guint                     session,
             DmdSmtpEventKind          kind,
             const char               *text,
             const DmdSmtpEventDetail *detail)
{
  DmdSmtpEvent event = { session, kind, (char *) text, detail };

  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->events, event_copy (&event));
  if (server->event_func != NULL)
    server->event_func (&event, server->event_data);
  g_mutex_unlock (&server->lock);
}

static void
session_emit_detail (Session            *s,
                     DmdSmtpEventKind    kind,
                     const char         *text,
                     DmdSmtpEventDetail *detail)
{
  detail->conn = s->conn;
  server_emit (s->server, s->id, kind, text, detail);
}

static void
session_emit (Session          *s,
              DmdSmtpEventKind  kind,
              const char       *text)
{
  DmdSmtpEventDetail detail = { NULL };

  session_emit_detail (s, kind, text, &detail);
}

static char *
escape_line (const char *line,
             gsize       len,
             gsize       max)
{
  g_autofree char *escaped = dmd_escape_bytes ((const guint8 *) line, MIN (len, max));

  if (len > max)
    return g_strdup_printf ("%s… (%" G_GSIZE_FORMAT " bytes)", escaped, len);
  return g_steal_pointer (&escaped);
}

/* ---- templates ---- */

static const char * const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };

static char *
format_rfc5322_date (GDateTime *now)
{
  return g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d +0000",
                          weekdays[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now));
}

static char *
random_hex (guint n)
{
  GString *s = g_string_sized_new (n);

  for (guint i = 0; i < n; i++)
    g_string_append_c (s, "0123456789ABCDEF"[g_random_int_range (0, 16)]);
  return g_string_free (s, FALSE);
}

static char *
session_server_value (Session    *s,
                      const char *key,
                      const char *fallback)
{
  const char * const groups[] = { "server", NULL };
  char *v = scenario_dup (s->sc, groups, key);

  return v != NULL ? v : g_strdup (fallback);
}

/* Expand {hostname} {trailer_host} {client_ip} {date} {trailer} {id} {msgid} {arg} in a
 * value (bytes; may hold anything). Unknown {names} stay as written. */
static GByteArray *
session_expand (Session *s,
                GBytes  *value)
{
  gsize len;
  const char *p = g_bytes_get_data (value, &len);
  const char *end = p + len;
  GByteArray *out = g_byte_array_sized_new (len + 64);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  while (p < end)
    {
      const char *close = NULL;
      g_autofree char *name = NULL;
      g_autofree char *repl = NULL;

      if (*p == '{')
        close = memchr (p, '}', end - p);
      if (close == NULL || close - p > 32)
        {
          g_byte_array_append (out, (const guint8 *) p, 1);
          p++;
          continue;
        }
      name = g_strndup (p + 1, close - p - 1);
      if (g_str_equal (name, "hostname"))
        repl = session_server_value (s, "hostname", "localhost");
      else if (g_str_equal (name, "trailer_host"))
        repl = session_server_value (s, "trailer_host", "localhost");
      else if (g_str_equal (name, "client_ip"))
        repl = g_strdup (s->client_ip);
      else if (g_str_equal (name, "date"))
        repl = format_rfc5322_date (now);
      else if (g_str_equal (name, "id"))
        repl = g_strdup (s->session_hex);
      else if (g_str_equal (name, "arg"))
        repl = g_strdup (s->arg != NULL ? s->arg : "");
      else if (g_str_equal (name, "auth_payload") && s->echo_payload != NULL)
        repl = g_strdup (s->echo_payload);
      else if (g_str_equal (name, "auth_secret") && s->echo_secret != NULL)
        repl = g_strdup (s->echo_secret);
      else if (g_str_equal (name, "msgid"))
        {
          g_autofree char *host = session_server_value (s, "trailer_host", "localhost");
          g_autofree char *a = random_hex (8);
          g_autofree char *b = random_hex (12);
          g_autofree char *lower = g_ascii_strdown (host, -1);

          repl = g_strdup_printf ("%s-0000-4000-8000-%s@%s", a, b, lower);
        }
      else if (g_str_equal (name, "trailer"))
        {
          g_autofree char *host = session_server_value (s, "trailer_host", "localhost");
          g_autofree char *iso = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
          g_autofree char *hex = random_hex (16);

          repl = g_strdup_printf ("[%s %s.%03dZ %s]", host, iso,
                                  g_date_time_get_microsecond (now) / 1000, hex);
        }

      if (repl == NULL)
        {
          g_byte_array_append (out, (const guint8 *) p, 1);
          p++;
          continue;
        }
      g_byte_array_append (out, (const guint8 *) repl, strlen (repl));
      p = close + 1;
    }
  return out;
}

/* ---- I/O helpers ---- */

static gint64
write_deadline (void)
{
  return dmd_deadline_in (30);
}

static gboolean
session_write (Session      *s,
               const guint8 *data,
               gsize         len)
{
  g_autoptr(GError) error = NULL;

  if (len == 0)
    return TRUE;
  if (!dmd_conn_write_all (s->conn, data, len, write_deadline (), s->cancellable, &error))
    {
      g_debug ("smtp-server: session %u: write failed: %s", s->id, error->message);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup_printf ("write failed: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Sleep, but wake up at once when the server stops. FALSE when cancelled. */
static gboolean
cancellable_sleep (GCancellable *cancellable,
                   double        seconds)
{
  GPollFD pfd;

  if (seconds <= 0)
    return !g_cancellable_is_cancelled (cancellable);
  if (g_cancellable_make_pollfd (cancellable, &pfd))
    {
      g_poll (&pfd, 1, (gint) (seconds * 1000));
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  return !g_cancellable_is_cancelled (cancellable);
}

static gboolean
session_sleep (Session *s,
               double   seconds)
{
  return cancellable_sleep (s->cancellable, seconds);
}

/* Read one client line. NULL at EOF, timeout, cancel (close_reason set). Over-long lines are
 * returned as "" with *too_long set (the connection stays usable). */
static char *
session_read_line (Session  *s,
                   double    timeout,
                   gsize    *len,
                   gboolean *too_long)
{
  g_autoptr(GError) error = NULL;
  char *line = NULL;

  *too_long = FALSE;
  if (dmd_conn_read_line (s->conn, &line, len, dmd_deadline_in (timeout), s->cancellable,
                          &error))
    return line;

  if (g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG))
    {
      *too_long = TRUE;
      *len = 0;
      return g_strdup ("");
    }
  if (s->close_reason == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        s->close_reason = g_strdup ("client closed");
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        s->close_reason = g_strdup ("timeout");
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        s->close_reason = g_strdup ("server stopped");
      else
        s->close_reason = g_strdup_printf ("read failed: %s", error->message);
    }
  return NULL;
}

/* Wait for the client to give up (reading and recording what it sends). */
static void
session_stall (Session *s)
{
  const char * const groups[] = { "server", NULL };
  double timeout = scenario_number (s->sc, groups, "stall_timeout", 60);
  gint64 until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    {
      gsize len;
      gboolean too_long;
      g_autofree char *line = session_read_line (s, (until - g_get_monotonic_time ()) / 1e6,
                                                 &len, &too_long);
      g_autofree char *shown = NULL;

      if (line == NULL)
        break;
      shown = escape_line (line, len, 512);
      session_emit (s, DMD_SMTP_EVENT_COMMAND, shown);
    }
  if (s->close_reason == NULL)
    s->close_reason = g_strdup ("stall ended");
}

/* ---- answering a step ---- */

/* Wire form of a reply text: each \n-separated line ended with CRLF (a trailing \n does not
 * add an empty line). */
static void
append_reply_lines (GByteArray         *wire,
                    const GByteArray   *text)
{
  gsize start = 0;

  for (gsize i = 0; i <= text->len; i++)
    {
      if (i < text->len && text->data[i] != '\n')
        continue;
      if (i == text->len && start == i && i > 0)
        break;
      g_byte_array_append (wire, text->data + start, i - start);
      g_byte_array_append (wire, (const guint8 *) "\r\n", 2);
      start = i + 1;
    }
}

static guint
reply_code_of (const GByteArray *text)
{
  if (text->len >= 3 && g_ascii_isdigit (text->data[0]) && g_ascii_isdigit (text->data[1])
      && g_ascii_isdigit (text->data[2]))
    return (text->data[0] - '0') * 100 + (text->data[1] - '0') * 10 + (text->data[2] - '0');
  return 0;
}

static void
session_note_reply (Session          *s,
                    const GByteArray *text)
{
  const guint8 *nl = memchr (text->data, '\n', text->len);
  gsize first = nl != NULL ? (gsize) (nl - text->data) : text->len;
  g_autoptr(GString) line = g_string_new_len ((const char *) text->data, first);
  g_autofree char *shown = NULL;

  /* The record keeps what this server echoed out of the credentials as a mark only. */
  if (s->echo_payload != NULL && *s->echo_payload != '\0')
    g_string_replace (line, s->echo_payload, "[echoed]", 0);
  if (s->echo_secret != NULL && *s->echo_secret != '\0')
    g_string_replace (line, s->echo_secret, "[echoed]", 0);
  shown = escape_line (line->str, line->len, 200);
  session_emit (s, DMD_SMTP_EVENT_REPLY, shown);
}

static gboolean
send_endless (Session *s,
              guint    code)
{
  g_autoptr(GString) chunk = g_string_new (NULL);

  /* Until the client hangs up (the write fails) or the server stops; bounded anyway. */
  for (guint64 n = 0; n < 10 * 1000 * 1000; n += 64)
    {
      g_string_truncate (chunk, 0);
      for (guint i = 0; i < 64; i++)
        g_string_append_printf (chunk, "%03u-continuation line %" G_GUINT64_FORMAT
                                " of a reply that never ends\r\n", code, n + i);
      if (!session_write (s, (const guint8 *) chunk->str, chunk->len))
        return FALSE;
    }
  return FALSE;
}

static gboolean
send_long_line (Session *s,
                guint    code,
                gsize    size)
{
  g_autoptr(GByteArray) line = g_byte_array_sized_new (size + 8);
  g_autofree char *prefix = g_strdup_printf ("%03u-", code);
  guint8 fill[4096];

  memset (fill, 'A', sizeof fill);
  g_byte_array_append (line, (const guint8 *) prefix, strlen (prefix));
  while (line->len < size)
    g_byte_array_append (line, fill, MIN (sizeof fill, size - line->len));
  g_byte_array_append (line, (const guint8 *) "\r\n", 2);
  return session_write (s, line->data, line->len);
}

/* Answer one step of group candidates `groups` with reply key `key` (e.g. "reply",
 * "reply_no_auth"). Honours action, delay, raw, inject, close_after. *code_out gets the
 * basic code sent (0 if none). */
static StepResult
session_answer (Session            *s,
                const char * const *groups,
                const char         *key,
                guint              *code_out)
{
  g_autofree char *action_name = scenario_dup (s->sc, groups, "action");
  Action action = ACTION_REPLY;
  double delay = scenario_number (s->sc, groups, "delay", 0);
  double trickle = scenario_number (s->sc, groups, "trickle", 0);
  gboolean close_after = scenario_bool (s->sc, groups, "close_after");
  GBytes *value = NULL;
  GBytes *raw = scenario_lookup (s->sc, groups, "raw");
  GBytes *inject = scenario_lookup (s->sc, groups, "inject");
  g_autoptr(GByteArray) text = NULL;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  guint code;

  if (code_out != NULL)
    *code_out = 0;

  if (action_name != NULL)
    for (gsize i = 0; action_names[i] != NULL; i++)
      if (g_str_equal (action_names[i], action_name))
        action = (Action) i;

  /* Only the main reply of a step is replaced by raw and misbehaviour; the "reply_no_*"
   * variants are plain answers. */
  if (!g_str_equal (key, "reply"))
    {
      action = ACTION_REPLY;
      raw = NULL;
      inject = NULL;
      close_after = FALSE;
    }

  if (!session_sleep (s, delay))
    {
      s->close_reason = g_strdup ("server stopped");
      return STEP_END;
    }

  if (action == ACTION_STALL)
    {
      session_emit (s, DMD_SMTP_EVENT_REPLY, "(stalling: no reply)");
      session_stall (s);
      return STEP_END;
    }
  if (action == ACTION_CLOSE)
    {
      session_emit (s, DMD_SMTP_EVENT_REPLY, "(closing without a reply)");
      s->close_reason = g_strdup ("closed by scenario");
      return STEP_END;
    }

  if (s->tls && g_str_equal (key, "reply"))
    value = scenario_lookup (s->sc, groups, "reply_tls");
  if (value == NULL)
    value = scenario_lookup (s->sc, groups, key);
  if (raw != NULL)
    value = raw;
  if (value == NULL)
    {
      static const char fallback[] = "451 4.3.0 Scenario has no reply for this step";

      value = g_bytes_new_static (fallback, sizeof fallback - 1);
      text = session_expand (s, value);
      g_bytes_unref (value);
    }
  else
    text = session_expand (s, value);

  code = reply_code_of (text);
  if (code_out != NULL)
    *code_out = code;

  if (raw != NULL)
    g_byte_array_append (wire, text->data, text->len);
  else
    append_reply_lines (wire, text);

  if (action == ACTION_ENDLESS)
    {
      session_emit (s, DMD_SMTP_EVENT_REPLY, "(endless continuation lines)");
      send_endless (s, code != 0 ? code : 250);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("endless reply ended");
      return STEP_END;
    }
  if (action == ACTION_LONG_LINE)
    {
      gsize size = (gsize) scenario_number (s->sc, groups, "long_line", 1024 * 1024);

      session_emit (s, DMD_SMTP_EVENT_REPLY, "(a long line first)");
      if (!send_long_line (s, code != 0 ? code : 250, size))
        return STEP_END;
    }

  session_note_reply (s, text);

  if (action == ACTION_CLOSE_MID_REPLY)
    {
      gsize first_len = wire->len;
      const guint8 *nl = memchr (wire->data, '\n', wire->len);
      gsize partial;

      if (nl != NULL)
        first_len = nl - wire->data;
      partial = (gsize) scenario_number (s->sc, groups, "partial", first_len / 2);
      session_write (s, wire->data, MIN (partial, wire->len));
      s->close_reason = g_strdup ("closed mid-reply by scenario");
      return STEP_END;
    }

  /* Injected bytes travel in the same write as the reply (as an attacker's would). */
  if (inject != NULL)
    {
      g_autoptr(GByteArray) inj = session_expand (s, inject);

      g_byte_array_append (wire, inj->data, inj->len);
    }
  /* One byte at a time, `trickle` seconds apart: a reply that never quite times out. */
  for (gsize i = 0; trickle > 0 && i < wire->len; i++)
    if (!session_write (s, wire->data + i, 1) ||
        (i + 1 < wire->len && !session_sleep (s, trickle)))
      {
        if (s->close_reason == NULL)
          s->close_reason = g_strdup ("trickle ended");
        return STEP_END;
      }
  if (trickle <= 0 && !session_write (s, wire->data, wire->len))
    return STEP_END;

  if (close_after || code == 421)
    {
      s->close_reason = g_strdup (close_after ? "closed after reply by scenario"
                                              : "closed after 421");
      return STEP_END;
    }
  return STEP_CONTINUE;
}

static StepResult
session_answer1 (Session    *s,
                 const char *group,
                 const char *key,
                 guint      *code_out)
{
  const char * const groups[] = { group, NULL };

  return session_answer (s, groups, key, code_out);
}

/* ---- TLS ---- */

static void
session_reset_transaction (Session *s)
{
  s->have_mail = FALSE;
  s->n_rcpt = 0;
}

/* [tls] client_certificate: whether to ask for a client certificate, and with "verify" to
 * refuse an untrusted one in the handshake. */
static void
session_setup_client_cert (Session *s)
{
  const char * const groups[] = { "tls", NULL };
  g_autofree char *mode = scenario_dup (s->sc, groups, "client_certificate");

  if (mode == NULL || g_str_equal (mode, "ignore"))
    return;
  s->client_cert_required = !g_str_equal (mode, "request");
  dmd_conn_set_client_cert_request (s->conn, s->client_cert_required ? GNUTLS_CERT_REQUIRE
                                                                     : GNUTLS_CERT_REQUEST);
  if (g_str_equal (mode, "verify"))
    {
      const char * const none[] = { NULL };

      dmd_conn_set_trusted_client_certs (s->conn, s->server->trusted_clients != NULL
                                                    ? (const char * const *) s->server->trusted_clients
                                                    : none);
    }
}

/* After refusing a client certificate with an alert: with TLS 1.3 the client finished its
 * handshake already and sends a command. Closing with that command unread would answer it
 * with a reset, which can destroy the alert before the client reads it; read and drop what
 * comes until the client hangs up (at most 2 s), as a server that shuts down cleanly does. */
static void
session_linger (Session *s)
{
  GSocket *sock = dmd_conn_get_socket (s->conn);
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_socket_shutdown (sock, FALSE, TRUE, NULL);
  for (;;)
    {
      char buf[1024];
      gint64 remaining = until - g_get_monotonic_time ();

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (sock, G_IO_IN, remaining, s->cancellable, NULL) ||
          g_socket_receive (sock, buf, sizeof buf, s->cancellable, NULL) <= 0)
        return;
    }
}

/* With trusted client certificates set, a session whose TLS carried none of them is refused
 * at RCPT TO (as Exchange Online refuses relay that no connector claims). */
static gboolean
session_client_untrusted (Session *s)
{
  if (s->server->trusted_clients == NULL)
    return FALSE;
  return s->client_cert == NULL ||
         !g_strv_contains ((const char * const *) s->server->trusted_clients, s->client_cert);
}

/* The handshake (after the 220 to STARTTLS, or at once for implicit TLS). Afterwards the
 * session starts over (RFC 3207: forget EHLO and AUTH). */
static StepResult
session_start_tls (Session *s)
{
  const char * const groups[] = { "tls", NULL };
  g_autofree char *priority = scenario_dup (s->sc, groups, "priority");
  g_autofree char *below = scenario_dup (s->sc, groups, "legacy_below");
  g_autoptr(DmdTlsInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  DmdSmtpEventDetail detail = { NULL, };
  int below_index;

  detail.implicit_tls = s->implicit_tls;
  session_setup_client_cert (s);
  if (!dmd_conn_start_tls_server (s->conn, s->server->creds, priority,
                                  dmd_deadline_in (s->idle_timeout), s->cancellable, &info,
                                  &error))
    {
      note = g_strdup_printf ("failed: %s", error->message);
      detail.error = error;
      session_emit_detail (s, DMD_SMTP_EVENT_TLS, note, &detail);
      s->close_reason = g_strdup_printf ("TLS handshake failed: %s", error->message);
      if (s->client_cert_required)
        session_linger (s);
      return STEP_END;
    }

  s->tls = TRUE;
  s->hello = FALSE;
  s->authed = FALSE;
  session_reset_transaction (s);

  below_index = below != NULL ? dmd_tls_version_index (below) : -1;
  if (below_index >= 0 && dmd_tls_version_index (info->version) < below_index
      && scenario_lookup (s->sc, groups, "legacy_reply") != NULL)
    s->legacy_tls = TRUE;

  g_clear_pointer (&s->client_cert, g_free);
  if (info->chain->len > 0)
    s->client_cert = g_strdup (((DmdCertInfo *) g_ptr_array_index (info->chain, 0))->sha256);
  note = g_strdup_printf ("%s cipher=%s sni=%s%s%s%s", info->version,
                          info->cipher != NULL ? info->cipher : "?",
                          info->sni != NULL ? info->sni : "(none)",
                          info->chain->len > 0 ? " client_cert=" : "",
                          info->chain->len > 0 && s->client_cert != NULL ? s->client_cert : "",
                          s->legacy_tls ? " (legacy: every command gets legacy_reply)" : "");
  session_emit_detail (s, DMD_SMTP_EVENT_TLS, note, &detail);
  if (scenario_bool (s->sc, groups, "close_after_handshake"))
    {
      s->close_reason = g_strdup ("closed after the TLS handshake by scenario");
      return STEP_END;
    }
  return STEP_CONTINUE;
}

/* ---- commands ---- */

static char *
extract_address (const char *arg)
{
  const char *lt = strchr (arg, '<');
  const char *gt = lt != NULL ? strchr (lt, '>') : NULL;
  const char *colon;

  if (lt != NULL && gt != NULL)
    return g_strndup (lt + 1, gt - lt - 1);
  colon = strchr (arg, ':');
  if (colon != NULL)
    {
      g_autofree char *rest = g_strstrip (g_strdup (colon + 1));
      g_auto(GStrv) parts = g_strsplit (rest, " ", 2);

      return g_strdup (parts[0] != NULL ? parts[0] : "");
    }
  return g_strdup ("");
}

/* Candidate groups for MAIL/RCPT: matching pattern groups in file order, then the base. */
static const char **
pattern_candidates (GPtrArray  *patterns,
                    const char *base,
                    const char *address)
{
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

static void
secret_free (char  *secret,
             gsize  len)
{
  if (secret == NULL)
    return;
  memset (secret, 0, len);
  g_free (secret);
}

static void
base64_free (guchar *data,
             gsize   len)
{
  secret_free ((char *) data, len);
}

/* Read one AUTH continuation line (recorded as "[redacted]"). NULL when the session ended. */
static char *
session_read_auth_line (Session *s,
                        gsize   *len)
{
  gboolean too_long;
  char *line = session_read_line (s, s->idle_timeout, len, &too_long);

  if (line != NULL)
    session_emit (s, DMD_SMTP_EVENT_COMMAND, too_long ? "[redacted, too long]" : "[redacted]");
  return line;
}

/* RFC 4954 responses are base64 (RFC 4648): its alphabet, "=" only as the final padding.
 * g_base64_decode() skips what it does not know, so a client that sends its password raw
 * would otherwise be taken at its word. */
static gboolean
is_base64 (const char *text,
           gsize       len)
{
  gsize pad = 0;

  while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
    pad++;
  if (pad > 0 && len % 4 != 0)
    return FALSE;
  if (len % 4 == 1)
    return FALSE;
  for (gsize i = 0; i < len - pad; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return FALSE;
  return TRUE;
}

static gboolean
str_equal0 (const char *a,
            const char *b)
{
  return a != NULL && b != NULL && g_str_equal (a, b);
}

/* [auth] echo=true: a careless or hostile server that repeats the credentials in its answer
 * ({auth_payload}, {auth_secret}); the client must keep them out of everything it stores. */
static void
session_clear_echo (Session *s)
{
  if (s->echo_payload != NULL)
    secret_free (s->echo_payload, strlen (s->echo_payload));
  if (s->echo_secret != NULL)
    secret_free (s->echo_secret, strlen (s->echo_secret));
  s->echo_payload = NULL;
  s->echo_secret = NULL;
}

static StepResult
session_auth (Session    *s,
              const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, " ", 2);
  g_autofree char *mech = g_ascii_strup (parts[0] != NULL ? parts[0] : "", -1);
  const char *initial = parts[0] != NULL ? parts[1] : NULL;
  g_autofree char *group_mech = g_strconcat ("auth:", mech, NULL);
  const char * const groups[] = { group_mech, "auth", NULL };
  g_autofree char *mechanisms = scenario_dup (s->sc, groups, "mechanisms");
  g_auto(GStrv) mech_list = g_strsplit (mechanisms != NULL ? mechanisms : "", " ", -1);
  g_autofree char *want_user = scenario_dup (s->sc, groups, "username");
  g_autofree char *want_password = scenario_dup (s->sc, groups, "password");
  g_autofree char *want_token = scenario_dup (s->sc, groups, "token");
  g_autofree char *user = NULL;
  char *password = NULL;
  gsize password_len = 0;
  char *token = NULL;
  gsize token_len = 0;
  gboolean creds_ok = TRUE;
  gboolean supported = FALSE;
  gboolean secret_sent = FALSE;
  DmdSmtpEventDetail detail = { NULL, };
  StepResult res;
  guint code = 0;
  g_autofree char *note = NULL;
  g_autofree char *shown = NULL;
  gboolean echo = scenario_bool (s->sc, groups, "echo");

  session_clear_echo (s);
  if (s->authed)
    return session_answer (s, groups, "reply_already", NULL);
  if (!s->tls && scenario_bool (s->sc, groups, "require_tls"))
    return session_answer (s, groups, "reply_no_tls", NULL);
  for (gsize i = 0; mech_list[i] != NULL; i++)
    if (*mech_list[i] != '\0' && g_ascii_strcasecmp (mech_list[i], mech) == 0)
      supported = TRUE;
  if (!supported)
    return session_answer (s, groups, "reply_unknown_mechanism", NULL);

  if (g_str_equal (mech, "LOGIN"))
    {
      g_autofree char *user_b64 = NULL;
      char *pass_b64 = NULL;
      gsize len = 0, pass_b64_len = 0;
      guchar *decoded;

      if (initial != NULL)
        user_b64 = g_strdup (initial);
      else
        {
          if (session_answer (s, groups, "prompt_username", NULL) == STEP_END)
            return STEP_END;
          user_b64 = session_read_auth_line (s, &len);
          if (user_b64 == NULL)
            return STEP_END;
        }
      if (g_str_equal (user_b64, "*"))
        return session_answer (s, groups, "reply_cancelled", NULL);
      if (session_answer (s, groups, "prompt_password", NULL) == STEP_END)
        return STEP_END;
      pass_b64 = session_read_auth_line (s, &pass_b64_len);
      if (pass_b64 == NULL)
        return STEP_END;
      if (g_str_equal (pass_b64, "*"))
        {
          secret_free (pass_b64, pass_b64_len);
          return session_answer (s, groups, "reply_cancelled", NULL);
        }
      if (!is_base64 (user_b64, strlen (user_b64)) || !is_base64 (pass_b64, pass_b64_len))
        {
          secret_free (pass_b64, pass_b64_len);
          return session_answer (s, groups, "reply_syntax", NULL);
        }
      decoded = g_base64_decode (user_b64, &len);
      user = g_strndup ((const char *) decoded, len);
      g_free (decoded);
      secret_sent = pass_b64_len > 0;
      /* The password is only decoded when there is one to compare it with (or to echo). */
      if (want_password != NULL || echo)
        {
          decoded = g_base64_decode (pass_b64, &len);
          password = g_strndup ((const char *) decoded, len);
          password_len = len;
          base64_free (decoded, len);
        }
      if (echo)
        {
          s->echo_payload = g_strndup (pass_b64, pass_b64_len);
          s->echo_secret = g_strdup (password);
        }
      secret_free (pass_b64, pass_b64_len);
    }
  else if (g_str_equal (mech, "PLAIN") || g_str_equal (mech, "XOAUTH2"))
    {
      char *b64 = NULL;
      gsize b64_len = 0, len = 0;
      guchar *decoded;

      if (initial != NULL)
        {
          b64 = g_strdup (initial);
          b64_len = strlen (b64);
        }
      else
        {
          if (session_answer (s, groups, "prompt", NULL) == STEP_END)
            return STEP_END;
          b64 = session_read_auth_line (s, &b64_len);
          if (b64 == NULL)
            return STEP_END;
        }
      if (g_str_equal (b64, "*"))
        {
          secret_free (b64, b64_len);
          return session_answer (s, groups, "reply_cancelled", NULL);
        }
      if (!is_base64 (b64, b64_len))
        {
          secret_free (b64, b64_len);
          return session_answer (s, groups, "reply_syntax", NULL);
        }
      decoded = g_base64_decode (b64, &len);
      if (echo)
        s->echo_payload = g_strndup (b64, b64_len);
      secret_free (b64, b64_len);

      if (g_str_equal (mech, "PLAIN"))
        {
          /* authzid NUL authcid NUL passwd */
          const guchar *nul1 = memchr (decoded, 0, len);
          const guchar *nul2 = nul1 != NULL ? memchr (nul1 + 1, 0, len - (nul1 + 1 - decoded))
                                            : NULL;

          if (nul2 != NULL)
            {
              gsize secret_len = len - (nul2 + 1 - decoded);

              user = g_strndup ((const char *) nul1 + 1, nul2 - nul1 - 1);
              secret_sent = secret_len > 0;
              if (want_password != NULL || echo)
                {
                  password_len = secret_len;
                  password = g_strndup ((const char *) nul2 + 1, password_len);
                }
              if (echo)
                s->echo_secret = g_strdup (password);
            }
        }
      else
        {
          /* "user=" user ^A "auth=Bearer " token ^A ^A */
          g_autofree char *text = g_strndup ((const char *) decoded, len);
          g_auto(GStrv) fields = g_strsplit (text, "\x01", -1);

          for (gsize i = 0; fields[i] != NULL; i++)
            {
              if (g_str_has_prefix (fields[i], "user="))
                {
                  g_free (user);
                  user = g_strdup (fields[i] + 5);
                }
              else if (g_ascii_strncasecmp (fields[i], "auth=Bearer ", 12) == 0)
                {
                  secret_sent = fields[i][12] != '\0';
                  if (echo)
                    {
                      g_free (s->echo_secret);
                      s->echo_secret = g_strdup (fields[i] + 12);
                    }
                  if (want_token == NULL)
                    continue;
                  secret_free (token, token_len);
                  token_len = strlen (fields[i] + 12);
                  token = g_strdup (fields[i] + 12);
                }
            }
          for (gsize i = 0; fields[i] != NULL; i++)
            memset (fields[i], 0, strlen (fields[i]));
          memset (text, 0, len);
        }
      base64_free (decoded, len);
      if (user == NULL)
        {
          secret_free (password, password_len);
          secret_free (token, token_len);
          return session_answer (s, groups, "reply_syntax", NULL);
        }
    }
  else
    return session_answer (s, groups, "reply_unknown_mechanism", NULL);

  if (want_user != NULL && (user == NULL || g_ascii_strcasecmp (want_user, user) != 0))
    creds_ok = FALSE;
  if (g_str_equal (mech, "XOAUTH2"))
    {
      if (want_token != NULL && !str_equal0 (want_token, token))
        creds_ok = FALSE;
    }
  else if (want_password != NULL && !str_equal0 (want_password, password))
    creds_ok = FALSE;
  secret_free (password, password_len);
  secret_free (token, token_len);

  if (!creds_ok && g_str_equal (mech, "XOAUTH2") && scenario_lookup (s->sc, groups,
                                                                     "xoauth2_error") != NULL)
    {
      /* The Gmail-style error challenge: the client answers with an empty line. */
      gsize len;
      g_autofree char *ack = NULL;

      if (session_answer (s, groups, "xoauth2_error", NULL) == STEP_END)
        return STEP_END;
      ack = session_read_auth_line (s, &len);
      if (ack == NULL)
        return STEP_END;
    }

  res = session_answer (s, groups, creds_ok ? "reply" : "reply_fail", &code);
  session_clear_echo (s);
  if (code == 235)
    s->authed = TRUE;

  g_clear_pointer (&shown, g_free);
  note = g_strdup_printf ("%s user=%s %s", mech, user != NULL ? user : "",
                          code == 235 ? "accepted" : "refused");
  shown = dmd_escape_bytes ((const guint8 *) note, strlen (note));
  detail.mechanism = mech;
  detail.username = user;
  detail.secret_sent = secret_sent;
  session_emit_detail (s, DMD_SMTP_EVENT_AUTH, shown, &detail);
  return res;
}

/* DATA: the message up to ".", dot-unstuffed, size counted, the header From noted. */
static StepResult
session_read_message (Session *s)
{
  const char * const server_groups[] = { "server", NULL };
  guint64 max = (guint64) scenario_number (s->sc, server_groups, "max_message", 64 * 1024 * 1024);
  guint64 size = 0;
  gboolean in_headers = TRUE;
  g_autofree char *from = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  DmdSmtpEventDetail detail = { NULL, };

  for (;;)
    {
      gsize len;
      gboolean too_long;
      g_autofree char *line = session_read_line (s, s->idle_timeout, &len, &too_long);

      if (line == NULL)
        return STEP_END;
      if (!too_long && len == 1 && line[0] == '.')
        break;
      /* Dot-unstuffing: the size is that of the message, not of its transfer form. */
      size += (len > 0 && line[0] == '.' ? len - 1 : len) + 2;
      if (size > max)
        {
          s->close_reason = g_strdup ("message too large");
          return STEP_END;
        }
      if (too_long)
        continue;
      if (in_headers && len == 0)
        in_headers = FALSE;
      else if (in_headers && from == NULL && g_ascii_strncasecmp (line, "From:", 5) == 0)
        from = escape_line (line + 5, len - 5, 256);
      if (in_headers && headers->len < DMD_SMTP_MAX_HEADERS)
        g_ptr_array_add (headers, g_strndup (line, MIN (len, 998)));
    }
  note = g_strdup_printf ("size=%" G_GUINT64_FORMAT " from=%s", size,
                          from != NULL ? g_strstrip (from) : "");
  detail.headers = headers;
  detail.size = size;
  session_emit_detail (s, DMD_SMTP_EVENT_MESSAGE, note, &detail);
  return STEP_CONTINUE;
}

static StepResult
session_command (Session    *s,
                 const char *line,
                 gsize       len)
{
  g_autofree char *verb = NULL;
  const char *arg;
  const char *sp;
  g_autofree char *shown = NULL;

  sp = memchr (line, ' ', len);
  verb = g_ascii_strup (line, sp != NULL ? sp - line : (gssize) len);
  arg = sp != NULL ? sp + 1 : "";

  /* What the client sent; for AUTH only the mechanism (the rest is a secret). */
  if (g_str_equal (verb, "AUTH"))
    {
      const char *sp2 = strchr (arg, ' ');
      g_autofree char *mech = escape_line (arg, sp2 != NULL ? (gsize) (sp2 - arg) : strlen (arg),
                                           32);

      shown = g_strdup_printf ("AUTH %s%s", mech, sp2 != NULL ? " [redacted]" : "");
    }
  else
    shown = escape_line (line, len, 512);
  session_emit (s, DMD_SMTP_EVENT_COMMAND, shown);

  /* After a TLS 1.0/1.1 handshake Exchange answers every command the same and hangs up. */
  if (s->legacy_tls)
    {
      const char * const groups[] = { "tls", NULL };

      session_answer (s, groups, "legacy_reply", NULL);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("legacy TLS refused");
      return STEP_END;
    }

  if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
    {
      guint code = 0;
      StepResult res = session_answer1 (s, g_str_equal (verb, "EHLO") ? "ehlo" : "helo",
                                        "reply", &code);

      if (code == 250)
        {
          s->hello = TRUE;
          session_reset_transaction (s);
        }
      return res;
    }
  if (g_str_equal (verb, "STARTTLS"))
    {
      guint code = 0;

      if (s->tls)
        return session_answer1 (s, "starttls", "reply", NULL);  /* reply_tls */
      if (s->server->creds == NULL)
        return session_answer1 (s, "starttls", "reply_unavailable", NULL);
      if (session_answer1 (s, "starttls", "reply", &code) == STEP_END)
        return STEP_END;
      if (code != 220)
        return STEP_CONTINUE;
      return session_start_tls (s);
    }
  if (g_str_equal (verb, "AUTH"))
    return session_auth (s, arg);
  if (g_str_equal (verb, "MAIL"))
    {
      const char * const base[] = { "mail", NULL };
      g_autofree char *addr = NULL;
      g_autofree const char **groups = NULL;
      guint code = 0;
      StepResult res;

      if (!s->hello)
        return session_answer (s, base, "reply_no_hello", NULL);
      if (!s->tls && scenario_bool (s->sc, base, "require_tls"))
        return session_answer (s, base, "reply_no_tls", NULL);
      if (!s->authed && scenario_bool (s->sc, base, "require_auth"))
        return session_answer (s, base, "reply_no_auth", NULL);
      if (s->have_mail)
        return session_answer (s, base, "reply_nested", NULL);
      addr = extract_address (arg);
      groups = pattern_candidates (s->sc->mail_patterns, "mail", addr);
      res = session_answer (s, groups, "reply", &code);
      if (code / 100 == 2)
        s->have_mail = TRUE;
      return res;
    }
  if (g_str_equal (verb, "RCPT"))
    {
      const char * const base[] = { "rcpt", NULL };
      g_autofree char *addr = NULL;
      g_autofree const char **groups = NULL;
      guint code = 0;
      StepResult res;

      if (!s->have_mail)
        return session_answer (s, base, "reply_no_mail", NULL);
      if (session_client_untrusted (s) &&
          scenario_lookup (s->sc, base, "reply_untrusted_client") != NULL)
        return session_answer (s, base, "reply_untrusted_client", NULL);
      addr = extract_address (arg);
      groups = pattern_candidates (s->sc->rcpt_patterns, "rcpt", addr);
      res = session_answer (s, groups, "reply", &code);
      if (code / 100 == 2)
        s->n_rcpt++;
      return res;
    }
  if (g_str_equal (verb, "DATA"))
    {
      guint code = 0;

      if (s->n_rcpt == 0)
        return session_answer1 (s, "data", "reply_no_rcpt", NULL);
      if (session_answer1 (s, "data", "reply", &code) == STEP_END)
        return STEP_END;
      if (code != 354)
        return STEP_CONTINUE;
      if (session_read_message (s) == STEP_END)
        return STEP_END;
      session_reset_transaction (s);
      return session_answer1 (s, "data-end", "reply", NULL);
    }
  if (g_str_equal (verb, "RSET"))
    {
      session_reset_transaction (s);
      return session_answer1 (s, "rset", "reply", NULL);
    }
  if (g_str_equal (verb, "NOOP"))
    return session_answer1 (s, "noop", "reply", NULL);
  if (g_str_equal (verb, "QUIT"))
    {
      session_answer1 (s, "quit", "reply", NULL);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("quit");
      return STEP_END;
    }

  g_free (s->arg);
  s->arg = escape_line (verb, strlen (verb), 64);
  return session_answer1 (s, "unknown", "reply", NULL);
}

/* Wait up to `seconds` for the client's first bytes, without consuming them: TRUE when they
 * begin a TLS handshake record (0x16 0x03, or an SSL 2 style ClientHello). A client that
 * says nothing, or speaks SMTP early, gets the banner. */
static gboolean
session_sniff_tls (Session *s,
                   double   seconds)
{
  GSocket *sock = dmd_conn_get_socket (s->conn);
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  if (seconds <= 0)
    return FALSE;
  for (;;)
    {
      guint8 head[3] = { 0, };
      GInputVector vec = { head, sizeof head };
      gint flags = G_SOCKET_MSG_PEEK;
      gint64 remaining = until - g_get_monotonic_time ();
      gssize n;

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (sock, G_IO_IN, remaining, s->cancellable, NULL))
        return FALSE;
      n = g_socket_receive_message (sock, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);
      if (n <= 0)
        return FALSE;   /* closed, or an error the session will meet again */
      if (head[0] == 0x16)
        {
          if (n >= 2)
            return head[1] == 0x03;
        }
      else if ((head[0] & 0x80) != 0)
        {
          if (n >= 3)
            return head[2] == 0x01;
        }
      else
        return FALSE;
      /* Only part of the record header so far: wait for the rest. */
      g_usleep (10 * 1000);
    }
}

static void
session_run (Session *s)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (s->socket, NULL);
  g_autofree char *peer = NULL;
  g_autofree char *public_ip = NULL;
  const char * const server_groups[] = { "server", NULL };
  const char * const tls_groups[] = { "tls", NULL };
  gboolean go_on = TRUE;

  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
    peer = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  else
    peer = g_strdup ("unknown");
  session_emit (s, DMD_SMTP_EVENT_SESSION_OPEN, peer);

  public_ip = scenario_dup (s->sc, server_groups, "public_ip");
  s->client_ip = g_strdup (public_ip != NULL && *public_ip != '\0' ? public_ip : peer);
  s->session_hex = random_hex (16);
  s->idle_timeout = scenario_number (s->sc, server_groups, "idle_timeout", 30);
  s->conn = dmd_conn_new_for_socket (s->socket);

  /* Implicit TLS (port 465 style): the handshake comes before the banner. With
   * detect_implicit, only when the client's first bytes are a TLS handshake. */
  if (s->server->creds != NULL &&
      (scenario_bool (s->sc, tls_groups, "implicit") ||
       session_sniff_tls (s, scenario_number (s->sc, tls_groups, "detect_implicit", 0))))
    {
      s->implicit_tls = TRUE;
      go_on = session_start_tls (s) == STEP_CONTINUE;
    }

  if (go_on && session_answer1 (s, "banner", "reply", NULL) == STEP_CONTINUE)
    {
      for (;;)
        {
          gsize len;
          gboolean too_long;
          g_autofree char *line = session_read_line (s, s->idle_timeout, &len, &too_long);

          if (line == NULL)
            break;
          if (too_long)
            {
              static const char reply[] = "500 5.5.2 Line too long\r\n";

              session_emit (s, DMD_SMTP_EVENT_COMMAND, "(line too long)");
              if (!session_write (s, (const guint8 *) reply, sizeof reply - 1))
                break;
              continue;
            }
          if (session_command (s, line, len) == STEP_END)
            break;
        }
    }

  dmd_conn_close (s->conn);
  session_emit (s, DMD_SMTP_EVENT_SESSION_CLOSE,
                s->close_reason != NULL ? s->close_reason : "closed");
}

static gpointer
session_thread (gpointer data)
{
  Session *s = data;

  session_run (s);
  g_atomic_int_set (&s->done, 1);
  return NULL;
}

static void
session_free (Session *s)
{
  if (s->thread != NULL)
    g_thread_join (s->thread);
  g_clear_pointer (&s->conn, dmd_conn_free);
  g_clear_object (&s->socket);
  dmd_smtp_scenario_unref (s->sc);
  g_free (s->client_ip);
  g_free (s->session_hex);
  session_clear_echo (s);
  g_free (s->arg);
  g_free (s->close_reason);
  g_free (s->client_cert);
  g_free (s);
}

/* Join and drop finished sessions. Called with the lock held. */
static guint
server_reap_locked (DmdSmtpServer *server)
{
  guint running = 0;

  for (guint i = server->sessions->len; i > 0; i--)
    {
      Session *s = g_ptr_array_index (server->sessions, i - 1);

      if (g_atomic_int_get (&s->done))
        g_ptr_array_remove_index (server->sessions, i - 1);  /* joins */
      else
        running++;
    }
  return running;
}

static gpointer
listener_thread (gpointer data)
{
  Listener *l = data;
  DmdSmtpServer *server = l->server;
  const char * const server_groups[] = { "server", NULL };
  guint max_sessions = (guint) scenario_number (server->scenario, server_groups,
                                                "max_sessions", 64);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) sock = g_socket_accept (l->socket, server->cancellable, &error);
      Session *s;
      guint running;

      if (sock == NULL)
        {
          if (g_cancellable_is_cancelled (server->cancellable))
            break;
          g_debug ("smtp-server: accept failed: %s", error->message);
          if (!cancellable_sleep (server->cancellable, 0.05))
            break;
          continue;
        }

      g_mutex_lock (&server->lock);
      running = server_reap_locked (server);
      if (server->stopped || running >= max_sessions)
        {
          static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";

          g_mutex_unlock (&server->lock);
          g_socket_send (sock, busy, sizeof busy - 1, NULL, NULL);
          g_socket_close (sock, NULL);
          continue;
        }
      s = g_new0 (Session, 1);
      s->server = server;
      s->sc = dmd_smtp_scenario_ref (server->scenario);
      s->id = ++server->n_sessions;
      s->socket = g_steal_pointer (&sock);
      s->cancellable = server->cancellable;
      g_ptr_array_add (server->sessions, s);
      s->thread = g_thread_new ("dmd-smtp-session", session_thread, s);
      g_mutex_unlock (&server->lock);
    }
  return NULL;
}

DmdSmtpServer *
dmd_smtp_server_new (DmdSmtpScenario *scenario)
{
  DmdSmtpServer *server;

  g_return_val_if_fail (scenario != NULL, NULL);

  server = g_new0 (DmdSmtpServer, 1);
  server->scenario = dmd_smtp_scenario_ref (scenario);
  server->cancellable = g_cancellable_new ();
  server->listeners = g_ptr_array_new ();
  server->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) session_free);
  server->events = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_smtp_event_free);
  g_mutex_init (&server->lock);
  return server;
}

void
dmd_smtp_server_stop (DmdSmtpServer *server)
{
  g_return_if_fail (server != NULL);

  g_mutex_lock (&server->lock);
  server->stopped = TRUE;
  g_mutex_unlock (&server->lock);

  g_cancellable_cancel (server->cancellable);
  for (guint i = 0; i < server->listeners->len; i++)
    {
      Listener *l = g_ptr_array_index (server->listeners, i);

      g_thread_join (l->thread);
      g_socket_close (l->socket, NULL);
      g_object_unref (l->socket);
      g_free (l);
    }
  g_ptr_array_set_size (server->listeners, 0);

  /* No listener thread runs any more: the session list only shrinks here. */
  g_ptr_array_set_size (server->sessions, 0);  /* joins every session thread */
}

void
dmd_smtp_server_free (DmdSmtpServer *server)
{
  if (server == NULL)
    return;
  dmd_smtp_server_stop (server);
  if (server->event_destroy != NULL)
    server->event_destroy (server->event_data);
  g_clear_pointer (&server->creds, dmd_tls_server_creds_unref);
  g_ptr_array_unref (server->listeners);
  g_ptr_array_unref (server->sessions);
  g_ptr_array_unref (server->events);
  g_strfreev (server->trusted_clients);
  g_object_unref (server->cancellable);
  dmd_smtp_scenario_unref (server->scenario);
  g_mutex_clear (&server->lock);
  g_free (server);
}

gboolean
dmd_smtp_server_set_certificate (DmdSmtpServer  *server,
                                 const char     *cert_file,
                                 const char     *key_file,
                                 GError        **error)
{
  g_autoptr(DmdTlsServerCreds) creds = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (cert_file != NULL && key_file != NULL, FALSE);

  creds = dmd_tls_server_creds_new_from_files (cert_file, key_file, error);
  if (creds == NULL)
    return FALSE;
  dmd_smtp_server_set_credentials (server, creds);
  return TRUE;
}

void
dmd_smtp_server_set_credentials (DmdSmtpServer     *server,
                                 DmdTlsServerCreds *creds)
{
  g_return_if_fail (server != NULL);
  g_return_if_fail (server->listeners->len == 0);

  g_clear_pointer (&server->creds, dmd_tls_server_creds_unref);
  if (creds != NULL)
    server->creds = dmd_tls_server_creds_ref (creds);
}

gboolean
dmd_smtp_server_trust_client_cert (DmdSmtpServer  *server,
                                   const char     *cert_file,
                                   GError        **error)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  gnutls_datum_t datum, der = { NULL, 0 };
  DmdCertInfo *info = NULL;
  guint n;
  int ret;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (cert_file != NULL, FALSE);
  g_return_val_if_fail (server->listeners->len == 0, FALSE);

  if (!g_file_get_contents (cert_file, &pem, &len, error))
    return FALSE;
  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) len;
  ret = gnutls_pem_base64_decode2 ("CERTIFICATE", &datum, &der);
  if (ret >= 0)
    info = dmd_tls_cert_info_from_der (der.data, der.size);
  gnutls_free (der.data);
  if (info == NULL || info->sha256 == NULL)
    {
      dmd_cert_info_free (info);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a PEM certificate%s%s",
                   cert_file, ret < 0 ? ": " : "", ret < 0 ? gnutls_strerror (ret) : "");
      return FALSE;
    }

  n = server->trusted_clients != NULL ? g_strv_length (server->trusted_clients) : 0;
  server->trusted_clients = g_renew (char *, server->trusted_clients, n + 2);
  server->trusted_clients[n] = g_strdup (info->sha256);
  server->trusted_clients[n + 1] = NULL;
  dmd_cert_info_free (info);
  return TRUE;
}

void
dmd_smtp_server_set_event_func (DmdSmtpServer    *server,
                                DmdSmtpEventFunc  func,
                                gpointer          user_data,
                                GDestroyNotify    destroy)
{
  g_return_if_fail (server != NULL);

  g_mutex_lock (&server->lock);
  if (server->event_destroy != NULL)
    server->event_destroy (server->event_data);
  server->event_func = func;
  server->event_data = user_data;
  server->event_destroy = destroy;
  g_mutex_unlock (&server->lock);
}

guint16
dmd_smtp_server_listen (DmdSmtpServer  *server,
                        const char     *address,
                        guint16         port,
                        GError        **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) sock = NULL;
  Listener *l;

  g_return_val_if_fail (server != NULL, 0);
  g_return_val_if_fail (address != NULL, 0);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not an IP address",
                   address);
      return 0;
    }
  if (port == 0)
    port = server->port;

  sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return 0;
  sockaddr = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (sock, sockaddr, TRUE, error) || !g_socket_listen (sock, error))
    return 0;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return 0;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (server->port == 0)
    server->port = port;

  l = g_new0 (Listener, 1);
  l->server = server;
  l->socket = g_steal_pointer (&sock);
  l->thread = g_thread_new ("dmd-smtp-listen", listener_thread, l);
  g_ptr_array_add (server->listeners, l);
  return port;
}

guint16
dmd_smtp_server_get_port (DmdSmtpServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  return server->port;
}

GPtrArray *
dmd_smtp_server_dup_events (DmdSmtpServer *server)
{
  GPtrArray *out;

  g_return_val_if_fail (server != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_smtp_event_free);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->events->len; i++)
    g_ptr_array_add (out, event_copy (g_ptr_array_index (server->events, i)));
  g_mutex_unlock (&server->lock);
  return out;
}

guint
dmd_smtp_server_count_commands (DmdSmtpServer *server,
                                const char    *prefix)
{
  guint n = 0;
  gsize plen;

  g_return_val_if_fail (server != NULL, 0);
  g_return_val_if_fail (prefix != NULL, 0);

  plen = strlen (prefix);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->events->len; i++)
    {
      DmdSmtpEvent *e = g_ptr_array_index (server->events, i);

      if (e->kind == DMD_SMTP_EVENT_COMMAND && g_ascii_strncasecmp (e->text, prefix, plen) == 0)
        n++;
    }
  g_mutex_unlock (&server->lock);
  return n;
}

guint
dmd_smtp_server_get_n_sessions (DmdSmtpServer *server)
{
  guint n;

  g_return_val_if_fail (server != NULL, 0);
  g_mutex_lock (&server->lock);
  n = server->n_sessions;
  g_mutex_unlock (&server->lock);
  return n;
}
