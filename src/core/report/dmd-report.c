/* dmd-report.c — a result as text, JSON (device-mail-doctor/report/v1) and HTML
 *
 * Every string that reaches an output goes through one of three doors:
 *   - text:  safe_text() (valid UTF-8, no control characters) and nothing else; colour codes
 *            are added by this file only, around text that is already safe;
 *   - JSON:  safe_text() before json-glib sees it (json-glib itself escapes quotes and the
 *            rest of JSON's specials);
 *   - HTML:  safe_text(), then g_markup_escape_text().
 * Translated strings go through the same doors: a translation can contain "<" or "&" too.
 *
 * The config's password and OAuth token are never read here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-report.h"
#include "dmd-words.h"

/* ------------------------------------------------------------------------------------------ */
/* Escaping                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Characters that can reorder what is displayed (Trojan Source): made visible, never obeyed. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Appends text as valid UTF-8 without control characters: invalid bytes, C0 controls (except
 * tab and, when allowed, newline), DEL become \xNN; C1 controls and bidi overrides \uNNNN. */
static void
append_safe (GString    *out,
             const char *text,
             gboolean    keep_newlines)
{
  const char *p;
  const char *end;

  if (text == NULL)
    return;

  p = text;
  end = text + strlen (text);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guint) (guchar) *p);
          p++;
          continue;
        }

      if ((c < 0x20 && c != '\t' && !(c == '\n' && keep_newlines)) || c == 0x7F)
        g_string_append_printf (out, "\\x%02X", (guint) c);
      else if ((c >= 0x80 && c <= 0x9F) || is_bidi_control (c))
        g_string_append_printf (out, "\\u%04X", (guint) c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }
}

static char *
safe_text (const char *text)
{
  GString *out = g_string_new (NULL);

  append_safe (out, text, TRUE);
  return g_string_free (out, FALSE);
}

char *
dmd_report_json_safe (const char *text)
{
  return safe_text (text);
}

char *
dmd_report_terminal_safe (const char *text)
{
  return safe_text (text);
}

static void
append_html (GString    *out,
             const char *text)
{
  g_autofree char *safe = NULL;
  g_autofree char *escaped = NULL;

  if (text == NULL)
    return;
  safe = safe_text (text);
  escaped = g_markup_escape_text (safe, -1);
  g_string_append (out, escaped);
}

/* Width on a terminal, for aligning columns (text must be valid UTF-8). */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* ------------------------------------------------------------------------------------------ */
/* Words shared by the three renderers                                                        */
/* ------------------------------------------------------------------------------------------ */

/* The engine's name for a check (the wizard and the CLI's progress lines use the same). */
static const char *
check_title (const char *id)
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

static const char *
family_word (const char *family)
{
  if (g_strcmp0 (family, "ipv4") == 0)
    return "IPv4";
  if (g_strcmp0 (family, "ipv6") == 0)
    return "IPv6";
  return family;
}

static gboolean
has_text (const char *s)
{
  return s != NULL && *s != '\0';
}

static char *
format_generated (DmdResult  *result,
                  const char *format)
{
  g_autoptr(GDateTime) utc = NULL;

  if (result->generated == NULL)
    return g_strdup ("");
  utc = g_date_time_to_utc (result->generated);
  return g_date_time_format (utc, format);
}

static char *
connect_to_spec (const DmdConnectTo *ct)
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

static const DmdFix *
first_fix (DmdFinding *finding)
{
  if (finding == NULL || finding->fixes == NULL || finding->fixes->len == 0)
    return NULL;
  return g_ptr_array_index (finding->fixes, 0);
}

/* The headline of the verdict (dmd_result_get_verdict()), translated: the outcome in words,
 * never a count. */
static char *
verdict_headline (DmdResult *result)
{
  DmdCheck *failed = dmd_result_get_failed_check (result);

  switch (dmd_result_get_verdict (result))
    {
    case DMD_VERDICT_FAIL:
      if (failed != NULL)
        /* Translators: the headline when a check failed; %s is the check's name, such as
         * "Sender (MAIL FROM)". */
        return g_strdup_printf (_("Can’t send yet — the “%s” check failed"),
                                check_title (failed->id));
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

/* What a pass means, in one sentence (never "mail will flow" without a test message). */
static const char *
verdict_scope (DmdResult *result)
{
  DmdVerdict verdict = dmd_result_get_verdict (result);

  if (result->cancelled || verdict == DMD_VERDICT_FAIL || verdict == DMD_VERDICT_RETRY)
    return NULL;
  if (result->sent)
    return _("A real test message was sent and accepted by the server.");
  return _("The server accepted the sender and the recipient. No test message was sent, so "
           "refusals that only come after the message (such as Send As) cannot show yet.");
}

typedef enum {
  SETTING_DIFFERS,
  SETTING_OK,
  SETTING_NOT_APPLICABLE,
} SettingOrder;

static SettingOrder
setting_order (const DmdSettingRow *row)
{
  if (g_strcmp0 (row->status, "differs") == 0)
    return SETTING_DIFFERS;
  if (g_strcmp0 (row->status, "ok") == 0)
    return SETTING_OK;
  return SETTING_NOT_APPLICABLE;
}

/* The settings rows, differences first, otherwise in the given order. */
static GPtrArray *
sorted_settings (DmdResult *result)
{
  GPtrArray *rows = g_ptr_array_new ();

  if (result->recommended == NULL)
    return rows;
  for (int order = SETTING_DIFFERS; order <= SETTING_NOT_APPLICABLE; order++)
    for (guint i = 0; i < result->recommended->len; i++)
      {
        DmdSettingRow *row = g_ptr_array_index (result->recommended, i);
        if ((int) setting_order (row) == order)
          g_ptr_array_add (rows, row);
      }
  return rows;
}

/* ------------------------------------------------------------------------------------------ */
/* Text                                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  GString  *out;
  gboolean  color;
  gboolean  utf8;
} TextCtx;

#define SGR_RESET  "\033[0m"
#define SGR_BOLD   "\033[1m"
#define SGR_DIM    "\033[2m"
#define SGR_RED    "\033[1;31m"
#define SGR_GREEN  "\033[1;32m"
#define SGR_YELLOW "\033[1;33m"
#define SGR_BLUE   "\033[1;34m"

typedef enum {
  SYM_OK,
  SYM_BAD,
  SYM_WARN,
  SYM_INFO,
  SYM_SKIP,
  SYM_ARROW,
} Sym;

static const char *
sym (TextCtx *ctx,
     Sym      s)
{
  static const char *utf8[] = { "✓", "✗", "!", "i", "–", "→" };
  static const char *ascii[] = { "OK", "X", "!", "i", "-", "->" };

  return ctx->utf8 ? utf8[s] : ascii[s];
}

static void
text_style (TextCtx    *ctx,
            const char *sgr)
{
  if (ctx->color)
    g_string_append (ctx->out, sgr);
}

static void
text_end_style (TextCtx *ctx)
{
  if (ctx->color)
    g_string_append (ctx->out, SGR_RESET);
}

/* Appends a single line of (possibly server-controlled) text, without newlines. */
static void
text_put (TextCtx    *ctx,
          const char *text)
{
  append_safe (ctx->out, text, FALSE);
}

static void
text_put_styled (TextCtx    *ctx,
                 const char *sgr,
                 const char *text)
{
  text_style (ctx, sgr);
  text_put (ctx, text);
  text_end_style (ctx);
}

/* Appends text that may span lines, every line indented. */
static void
text_put_block (TextCtx    *ctx,
                guint       indent,
                const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append_printf (ctx->out, "%*s", (int) indent, "");
      text_put (ctx, lines[i]);
      g_string_append_c (ctx->out, '\n');
    }
}

/* Appends one line of text padded with spaces to a display width. */
static void
text_put_padded (TextCtx    *ctx,
                 const char *text,
                 gsize       width)
{
  gsize start = ctx->out->len;
  gsize w;

  append_safe (ctx->out, text, FALSE);
  w = display_width (ctx->out->str + start);
  for (; w < width; w++)
    g_string_append_c (ctx->out, ' ');
}

static gsize
safe_width (const char *text)
{
  g_autoptr(GString) tmp = g_string_new (NULL);

  append_safe (tmp, text, FALSE);
  return display_width (tmp->str);
}

static void
text_heading (TextCtx    *ctx,
              const char *title)
{
  g_string_append_c (ctx->out, '\n');
  text_put_styled (ctx, SGR_BOLD, title);
  g_string_append_c (ctx->out, '\n');
}

static const char *
severity_sgr (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_ERROR:   return SGR_RED;
    case DMD_SEVERITY_WARNING: return SGR_YELLOW;
    case DMD_SEVERITY_INFO:
    default:                   return SGR_BLUE;
    }
}

static Sym
severity_sym (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_ERROR:   return SYM_BAD;
    case DMD_SEVERITY_WARNING: return SYM_WARN;
    case DMD_SEVERITY_INFO:
    default:                   return SYM_INFO;
    }
}

static void
text_fix_steps (TextCtx    *ctx,
                DmdFinding *finding,
                guint       indent)
{
  for (guint j = 0; j < finding->fixes->len; j++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, j);
      const char *who = dmd_audience_word (fix->audience);
      g_autofree char *number = g_strdup_printf ("%u. ", j + 1);
      guint text_indent = indent + (guint) strlen (number);

      g_string_append_printf (ctx->out, "%*s%s", (int) indent, "", number);
      if (who != NULL)
        {
          g_autofree char *tag = g_strdup_printf (_("%s:"), who);

          text_put_styled (ctx, SGR_BOLD, tag);
          g_string_append_c (ctx->out, ' ');
        }
      text_put (ctx, fix->text);
      g_string_append_c (ctx->out, '\n');
      if (has_text (fix->command))
        text_put_block (ctx, text_indent + 2, fix->command);
      if (has_text (fix->url))
        {
          g_string_append_printf (ctx->out, "%*s", (int) text_indent, "");
          text_put_styled (ctx, SGR_DIM, fix->url);
          g_string_append_c (ctx->out, '\n');
        }
    }
}

static void
text_findings (TextCtx   *ctx,
               GPtrArray *findings)
{
  for (guint i = 0; i < findings->len; i++)
    {
      DmdFinding *finding = g_ptr_array_index (findings, i);

      if (i > 0)
        g_string_append_c (ctx->out, '\n');

      g_string_append_printf (ctx->out, "%2u. ", i + 1);
      text_style (ctx, severity_sgr (finding->severity));
      g_string_append_printf (ctx->out, "%s ", sym (ctx, severity_sym (finding->severity)));
      /* Translators: "Error:" before a finding's title (also "Setting:" and other labels) */
      g_string_append_printf (ctx->out, _("%s:"), dmd_severity_word (finding->severity));
      text_end_style (ctx);
      g_string_append_c (ctx->out, ' ');
      text_put_styled (ctx, SGR_BOLD, has_text (finding->title) ? finding->title : finding->id);
      g_string_append_c (ctx->out, '\n');

      /* The id in small print, for those who search for it. */
      g_string_append (ctx->out, "    ");
      text_style (ctx, SGR_DIM);
      text_put (ctx, finding->id);
      if (has_text (finding->check))
        {
          g_string_append (ctx->out, ctx->utf8 ? " · " : " - ");
          text_put (ctx, check_title (finding->check));
        }
      text_end_style (ctx);
      g_string_append_c (ctx->out, '\n');

      if (has_text (finding->evidence))
        {
          g_string_append (ctx->out, "    ");
          text_put_styled (ctx, SGR_BOLD, _("What happened:"));
          g_string_append_c (ctx->out, '\n');
          text_put_block (ctx, 6, finding->evidence);
        }
      if (has_text (finding->explanation))
        {
          g_string_append (ctx->out, "    ");
          text_put_styled (ctx, SGR_BOLD, _("Why:"));
          g_string_append_c (ctx->out, '\n');
          text_put_block (ctx, 6, finding->explanation);
        }
      if (finding->fixes != NULL && finding->fixes->len > 0)
        {
          g_string_append (ctx->out, "    ");
          text_put_styled (ctx, SGR_BOLD, _("What to do:"));
          g_string_append_c (ctx->out, '\n');
          text_fix_steps (ctx, finding, 6);
        }
    }
}

static void
text_verdict (TextCtx   *ctx,
              DmdResult *result)
{
  DmdVerdict verdict = dmd_result_get_verdict (result);
  g_autofree char *headline = verdict_headline (result);
  DmdFinding *top = dmd_result_get_top_finding (result);
  const char *scope = verdict_scope (result);
  const char *sgr;
  Sym s;

  if (result->cancelled)
    {
      text_put_styled (ctx, SGR_YELLOW,
                       _("The checks were cancelled: these results are incomplete."));
      g_string_append_c (ctx->out, '\n');
    }

  if (verdict == DMD_VERDICT_FAIL)
    {
      sgr = SGR_RED;
      s = SYM_BAD;
    }
  else if (verdict == DMD_VERDICT_WARN || verdict == DMD_VERDICT_RETRY)
    {
      sgr = SGR_YELLOW;
      s = SYM_WARN;
    }
  else
    {
      sgr = SGR_GREEN;
      s = SYM_OK;
    }
  text_style (ctx, sgr);
  g_string_append (ctx->out, sym (ctx, s));
  g_string_append_c (ctx->out, ' ');
  text_put (ctx, headline);
  text_end_style (ctx);
  g_string_append_c (ctx->out, '\n');

  if (scope != NULL)
    text_put_block (ctx, 2, scope);

  if (top != NULL)
    {
      const DmdFix *fix = first_fix (top);

      g_string_append (ctx->out, "  ");
      text_put_styled (ctx, SGR_BOLD, has_text (top->title) ? top->title : top->id);
      g_string_append_c (ctx->out, '\n');
      if (fix != NULL)
        {
          g_autofree char *line = NULL;

          if (fix->audience == DMD_AUDIENCE_ADMIN)
            line = g_strdup_printf (_("Fix first, for the admin: %s"), fix->text);
          else if (fix->audience == DMD_AUDIENCE_TECHNICIAN)
            line = g_strdup_printf (_("Fix first, at the device: %s"), fix->text);
          else
            line = g_strdup_printf (_("Fix first: %s"), fix->text);
          text_put_block (ctx, 2, line);
          if (has_text (fix->command))
            text_put_block (ctx, 4, fix->command);
        }
    }
}

typedef struct {
  const char *key;   /* translated */
  char       *value;
} KeyValue;

static void
key_value_clear (KeyValue *kv)
{
  g_free (kv->value);
}

static void
add_kv (GArray     *kvs,
        const char *key,
        char       *value) /* takes ownership */
{
  KeyValue kv = { key, value };

  g_array_append_val (kvs, kv);
}

static char *
format_server (const DmdDeviceConfig *config)
{
  const char *server = dmd_device_config_get_server (config);

  /* Translators: "smtp.office365.com, port 587, STARTTLS" */
  return g_strdup_printf (_("%s, port %u, %s"),
                          has_text (server) ? server : _("(not set)"),
                          (guint) dmd_device_config_get_port (config),
                          security_word (config->security));
}

static char *
format_sign_in (const DmdDeviceConfig *config)
{
  const char *mech = auth_mech_word (dmd_device_config_get_auth_mech (config));

  if (has_text (config->username))
    /* Translators: "scanner@contoso.com (AUTH LOGIN with a password)" */
    return g_strdup_printf (_("%s (%s)"), config->username, mech);
  return g_strdup (mech);
}

/* What became of the test message, in words. */
static char *
test_message_words (DmdResult *result)
{
  DmdCheck *data = dmd_result_get_check (result, "data");
  const char *summary = data != NULL && has_text (data->summary) ? data->summary : "?";

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

/* What was tested, as key/value pairs for the text and HTML renderers. */
static GArray *
tested_facts (DmdResult             *result,
              const DmdDeviceConfig *config,
              const char            *arrow)
{
  GArray *kvs = g_array_new (FALSE, FALSE, sizeof (KeyValue));

  g_array_set_clear_func (kvs, (GDestroyNotify) key_value_clear);
  add_kv (kvs, _("Option"), g_strdup (dmd_option_display_name (result->option)));
  if (config != NULL)
    {
      add_kv (kvs, _("Server"), format_server (config));
      if (config->option == DMD_OPTION_SMTP_AUTH || has_text (config->username))
        add_kv (kvs, _("Sign-in"), format_sign_in (config));
      if (has_text (config->from) || has_text (config->to))
        add_kv (kvs, _("Message"),
                g_strdup_printf ("%s %s %s",
                                 has_text (config->from) ? config->from : "?", arrow,
                                 has_text (config->to) ? config->to : "?"));
      if (has_text (config->connector_ip))
        add_kv (kvs, _("IP on the connector"), g_strdup (config->connector_ip));
      if (config->connect_to != NULL && config->connect_to->len > 0)
        {
          GString *all = g_string_new (NULL);

          for (guint i = 0; i < config->connect_to->len; i++)
            {
              g_autofree char *spec = connect_to_spec (g_ptr_array_index (config->connect_to, i));
              if (i > 0)
                g_string_append (all, ", ");
              g_string_append (all, spec);
            }
          add_kv (kvs, _("Connected instead to"), g_string_free (all, FALSE));
        }
      if (config->allow_insecure_auth)
        add_kv (kvs, _("Insecure sign-in"),
                g_strdup (_("Allowed for this run (plaintext or unverified TLS)")));
    }
  add_kv (kvs, _("Test message"), test_message_words (result));
  add_kv (kvs, _("Checked on"), format_generated (result, "%Y-%m-%d %H:%M UTC"));
  return kvs;
}

static void
text_kv_block (TextCtx *ctx,
               GArray  *kvs,
               guint    indent)
{
  gsize width = 0;

  for (guint i = 0; i < kvs->len; i++)
    {
      g_autofree char *key = g_strdup_printf (_("%s:"), g_array_index (kvs, KeyValue, i).key);
      width = MAX (width, safe_width (key));
    }
  for (guint i = 0; i < kvs->len; i++)
    {
      KeyValue *kv = &g_array_index (kvs, KeyValue, i);
      g_autofree char *key = g_strdup_printf (_("%s:"), kv->key);

      g_string_append_printf (ctx->out, "%*s", (int) indent, "");
      text_put_padded (ctx, key, width);
      g_string_append (ctx->out, "  ");
      text_put (ctx, kv->value);
      g_string_append_c (ctx->out, '\n');
    }
}

/* The settings as a table when it fits a terminal of TEXT_WIDTH columns, else stacked. */
#define TEXT_WIDTH 80

static void
text_setting_mark (TextCtx       *ctx,
                   SettingOrder   order)
{
  g_string_append (ctx->out, "  ");
  if (order == SETTING_DIFFERS)
    text_style (ctx, SGR_RED);
  else if (order == SETTING_OK)
    text_style (ctx, SGR_GREEN);
  text_put_padded (ctx, sym (ctx, order == SETTING_DIFFERS ? SYM_BAD
                                  : order == SETTING_OK ? SYM_OK : SYM_SKIP), 3);
  if (order != SETTING_NOT_APPLICABLE)
    text_end_style (ctx);
}

static void
text_settings (TextCtx   *ctx,
               DmdResult *result)
{
  g_autoptr(GPtrArray) rows = sorted_settings (result);
  const char *h_setting = _("Setting");
  const char *h_recommended = _("Recommended");
  const char *h_entered = _("Entered");
  gsize w_label, w_rec, w_entered;

  if (rows->len == 0)
    return;

  text_heading (ctx, _("Recommended settings for the device"));
  w_label = safe_width (h_setting);
  w_rec = safe_width (h_recommended);
  w_entered = safe_width (h_entered);
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);
      w_label = MAX (w_label, safe_width (has_text (row->label) ? row->label : row->name));
      w_rec = MAX (w_rec, safe_width (row->recommended));
      w_entered = MAX (w_entered, safe_width (row->entered != NULL ? row->entered : _("(not set)")));
    }

  if (5 + w_label + 2 + w_rec + 2 + w_entered <= TEXT_WIDTH)
    {
      g_string_append (ctx->out, "     ");
      text_style (ctx, SGR_DIM);
      text_put_padded (ctx, h_setting, w_label + 2);
      text_put_padded (ctx, h_recommended, w_rec + 2);
      text_put (ctx, h_entered);
      text_end_style (ctx);
      g_string_append_c (ctx->out, '\n');

      for (guint i = 0; i < rows->len; i++)
        {
          DmdSettingRow *row = g_ptr_array_index (rows, i);

          text_setting_mark (ctx, setting_order (row));
          text_put_padded (ctx, has_text (row->label) ? row->label : row->name, w_label + 2);
          text_put_padded (ctx, row->recommended != NULL ? row->recommended : "", w_rec + 2);
          text_put (ctx, row->entered != NULL ? row->entered : _("(not set)"));
          g_string_append_c (ctx->out, '\n');
        }
      return;
    }

  /* Stacked: a difference shows both values under the setting; a match or a note is one
   * line ("Server: smtp.office365.com"). */
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);
      SettingOrder order = setting_order (row);
      const char *label = has_text (row->label) ? row->label : row->name;
      g_autofree char *key_label = g_strdup_printf (_("%s:"), label);
      g_autofree char *key_entered = g_strdup_printf (_("%s:"), h_entered);
      g_autofree char *key_recommended = g_strdup_printf (_("%s:"), h_recommended);
      gsize w_key = MAX (safe_width (key_entered), safe_width (key_recommended));

      text_setting_mark (ctx, order);
      if (order != SETTING_DIFFERS)
        {
          const char *value = order == SETTING_OK && row->entered != NULL ? row->entered
                                                                          : row->recommended;
          text_put (ctx, key_label);
          g_string_append_c (ctx->out, ' ');
          text_put (ctx, value != NULL ? value : "");
          g_string_append_c (ctx->out, '\n');
          continue;
        }

      text_put_styled (ctx, SGR_BOLD, label);
      g_string_append_c (ctx->out, '\n');
      g_string_append (ctx->out, "       ");
      text_put_padded (ctx, key_entered, w_key + 1);
      text_put (ctx, row->entered != NULL ? row->entered : _("(not set)"));
      g_string_append_c (ctx->out, '\n');
      g_string_append (ctx->out, "       ");
      text_put_padded (ctx, key_recommended, w_key + 1);
      text_put (ctx, row->recommended != NULL ? row->recommended : "");
      g_string_append_c (ctx->out, '\n');
    }
}


/* The leaf certificate's facts as label/value rows, for the text and the HTML report. */
static GArray *
cert_fields (const DmdCertInfo *leaf)
{
  GArray *cert = g_array_new (FALSE, FALSE, sizeof (KeyValue));

  g_array_set_clear_func (cert, (GDestroyNotify) key_value_clear);
  if (has_text (leaf->subject))
    add_kv (cert, _("Subject"), g_strdup (leaf->subject));
  if (has_text (leaf->issuer))
    add_kv (cert, _("Issuer"), g_strdup (leaf->issuer));
  if (leaf->sans != NULL && leaf->sans->len > 0)
    {
      g_autoptr(GString) sans = g_string_new (NULL);

      for (guint i = 0; i < leaf->sans->len; i++)
        {
          if (i > 0)
            g_string_append (sans, ", ");
          g_string_append (sans, g_ptr_array_index (leaf->sans, i));
        }
      add_kv (cert, _("Names"), g_strdup (sans->str));
    }
  if (has_text (leaf->not_before))
    add_kv (cert, _("Valid from"), g_strdup (leaf->not_before));
  if (has_text (leaf->not_after))
    add_kv (cert, _("Valid until"), g_strdup (leaf->not_after));
  if (has_text (leaf->sha256))
    add_kv (cert, "SHA-256", g_strdup (leaf->sha256));
  return cert;
}

/* Whether the client certificate was presented, in words; NULL when there is nothing to
 * say (none chosen and none asked for). *good: presented. */
static const char *
client_cert_status (const DmdNetwork *net,
                    gboolean         *good)
{
  *good = net->client_cert != NULL && net->client_cert_sent;
  if (net->client_cert == NULL)
    return net->client_cert_requested
           ? _("None chosen, although the server asked for a client certificate") : NULL;
  if (net->client_cert_sent)
    return _("Presented: the server asked for a client certificate");
  if (has_text (net->tls_negotiated))
    return _("Not presented: the server did not ask for a client certificate");
  return _("Not presented: no TLS session was set up");
}

static void
text_network (TextCtx   *ctx,
              DmdResult *result)
{
  DmdNetwork *net = &result->network;
  g_autoptr(GArray) kvs = g_array_new (FALSE, FALSE, sizeof (KeyValue));
  gboolean any_version = FALSE;
  gsize w_version = 0;

  g_array_set_clear_func (kvs, (GDestroyNotify) key_value_clear);
  if (has_text (net->public_ip))
    add_kv (kvs, _("Public IP seen by Microsoft"), g_strdup (net->public_ip));
  if (has_text (net->peer_address))
    add_kv (kvs, _("Connected to"), g_strdup (net->peer_address));
  if (has_text (net->address_family))
    add_kv (kvs, _("Address family"), g_strdup (family_word (net->address_family)));
  if (has_text (net->tls_negotiated))
    add_kv (kvs, _("TLS"), has_text (net->tls_cipher)
                             ? g_strdup_printf ("%s, %s", net->tls_negotiated, net->tls_cipher)
                             : g_strdup (net->tls_negotiated));

  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    any_version |= net->versions[i].state != DMD_TLS_VERSION_UNTESTED;

  if (kvs->len == 0 && !any_version && net->chain->len == 0 && net->client_cert == NULL)
    return;

  text_heading (ctx, _("Connection details"));
  text_kv_block (ctx, kvs, 2);

  if (any_version)
    {
      g_string_append (ctx->out, "  ");
      g_string_append_printf (ctx->out, _("%s:"), _("TLS versions"));
      g_string_append_c (ctx->out, '\n');
      for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
        w_version = MAX (w_version, strlen (dmd_tls_version_display_name (i)));
      for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
        {
          DmdTlsVersionResult *v = &net->versions[i];

          g_string_append (ctx->out, "    ");
          text_put_padded (ctx, dmd_tls_version_display_name (i), w_version + 2);
          if (v->state == DMD_TLS_VERSION_ACCEPTED)
            text_put_styled (ctx, SGR_GREEN, dmd_tls_version_state_word (v->state));
          else
            text_put (ctx, dmd_tls_version_state_word (v->state));
          if (has_text (v->detail))
            {
              g_string_append (ctx->out, "  ");
              text_put_styled (ctx, SGR_DIM, v->detail);
            }
          g_string_append_c (ctx->out, '\n');
        }
    }

  if (net->chain->len > 0)
    {
      g_autoptr(GArray) cert = cert_fields (g_ptr_array_index (net->chain, 0));

      g_string_append (ctx->out, "  ");
      g_string_append_printf (ctx->out, _("%s:"), _("Certificate"));
      g_string_append_c (ctx->out, '\n');
      text_kv_block (ctx, cert, 4);
      g_string_append (ctx->out, "    ");
      if (net->cert_verified)
        {
          text_style (ctx, SGR_GREEN);
          g_string_append_printf (ctx->out, "%s ", sym (ctx, SYM_OK));
          text_put (ctx, _("Verified"));
        }
      else
        {
          text_style (ctx, SGR_RED);
          g_string_append_printf (ctx->out, "%s ", sym (ctx, SYM_BAD));
          text_put (ctx, _("Not verified"));
          if (has_text (net->cert_problem))
            {
              g_string_append (ctx->out, ": ");
              text_put (ctx, net->cert_problem);
            }
        }
      text_end_style (ctx);
      g_string_append_c (ctx->out, '\n');
    }

  {
    gboolean good;
    const char *status = client_cert_status (net, &good);

    if (status != NULL)
      {
        g_string_append (ctx->out, "  ");
        g_string_append_printf (ctx->out, _("%s:"), _("Client certificate"));
        g_string_append_c (ctx->out, '\n');
        if (net->client_cert != NULL)
          {
            g_autoptr(GArray) cert = cert_fields (net->client_cert);
            text_kv_block (ctx, cert, 4);
          }
        g_string_append (ctx->out, "    ");
        text_style (ctx, good ? SGR_GREEN : SGR_DIM);
        g_string_append_printf (ctx->out, "%s ", sym (ctx, good ? SYM_OK : SYM_SKIP));
        text_put (ctx, status);
        text_end_style (ctx);
        g_string_append_c (ctx->out, '\n');
      }
  }
}

static Sym
check_sym (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS: return SYM_OK;
    case DMD_CHECK_WARN: return SYM_WARN;
    case DMD_CHECK_FAIL: return SYM_BAD;
    case DMD_CHECK_SKIP:
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:             return SYM_SKIP;
    }
}

static const char *
check_sgr (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS: return SGR_GREEN;
    case DMD_CHECK_WARN: return SGR_YELLOW;
    case DMD_CHECK_FAIL: return SGR_RED;
    case DMD_CHECK_SKIP:
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:             return SGR_DIM;
    }
}

static void
text_checks (TextCtx   *ctx,
             DmdResult *result)
{
  gsize width = 0;

  if (result->checks->len == 0)
    return;

  text_heading (ctx, _("Checks"));
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      width = MAX (width, safe_width (check_title (check->id)));
    }
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);

      g_string_append (ctx->out, "  ");
      text_style (ctx, check_sgr (check->status));
      text_put_padded (ctx, sym (ctx, check_sym (check->status)), 3);
      text_end_style (ctx);
      text_put_padded (ctx, check_title (check->id), width + 2);
      if (has_text (check->summary))
        text_put (ctx, check->summary);
      else
        text_put (ctx, dmd_check_status_word_finished (check->status));
      if (check->elapsed_ms > 0)
        {
          /* Translators: elapsed time of a check in milliseconds */
          g_autofree char *ms = g_strdup_printf (_("%u ms"),
                                                 (guint) MIN (check->elapsed_ms, G_MAXUINT));

          g_string_append (ctx->out, "  ");
          text_put_styled (ctx, SGR_DIM, ms);
        }
      g_string_append_c (ctx->out, '\n');
    }
}

static gboolean
locale_is_utf8 (void)
{
  return g_get_charset (NULL);
}

char *
dmd_report_to_text (DmdResult             *result,
                    const DmdDeviceConfig *config,
                    gboolean               color)
{
  TextCtx ctx = { NULL, color, locale_is_utf8 () };
  g_autoptr(GArray) tested = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  ctx.out = g_string_new (NULL);
  text_verdict (&ctx, result);

  tested = tested_facts (result, config, sym (&ctx, SYM_ARROW));
  g_string_append_c (ctx.out, '\n');
  text_kv_block (&ctx, tested, 0);

  text_settings (&ctx, result);

  if (result->findings->len > 0)
    {
      text_heading (&ctx, _("Problems and notes"));
      text_findings (&ctx, result->findings);
    }

  text_network (&ctx, result);
  text_checks (&ctx, result);

  return g_string_free (ctx.out, FALSE);
}

char *
dmd_report_findings_to_text (GPtrArray *findings,
                             gboolean   color)
{
  TextCtx ctx = { NULL, color, locale_is_utf8 () };

  g_return_val_if_fail (findings != NULL, NULL);

  ctx.out = g_string_new (NULL);
  text_findings (&ctx, findings);
  return g_string_free (ctx.out, FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* JSON, schema device-mail-doctor/report/v1                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A string member, or null when value is NULL. Never hands json-glib raw bytes. */
static void
json_member_string (JsonBuilder *b,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value == NULL)
    {
      json_builder_add_null_value (b);
    }
  else
    {
      g_autofree char *safe = safe_text (value);
      json_builder_add_string_value (b, safe);
    }
}

/* Like json_member_string, but an empty string is null too (an unset field). */
static void
json_member_field (JsonBuilder *b,
                   const char  *member,
                   const char  *value)
{
  json_member_string (b, member, has_text (value) ? value : NULL);
}

static void
json_add_string (JsonBuilder *b,
                 const char  *value)
{
  g_autofree char *safe = safe_text (value != NULL ? value : "");

  json_builder_add_string_value (b, safe);
}

static void
json_add_finding (JsonBuilder *b,
                  DmdFinding  *finding)
{
  json_builder_begin_object (b);
  json_member_string (b, "id", finding->id);
  json_member_string (b, "severity", dmd_severity_to_string (finding->severity));
  json_member_field (b, "check", finding->check);
  json_member_string (b, "title", finding->title != NULL ? finding->title : "");
  json_member_string (b, "explanation", finding->explanation != NULL ? finding->explanation : "");
  json_member_string (b, "evidence", finding->evidence != NULL ? finding->evidence : "");
  json_builder_set_member_name (b, "fixes");
  json_builder_begin_array (b);
  for (guint i = 0; finding->fixes != NULL && i < finding->fixes->len; i++)
    {
      DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      json_builder_begin_object (b);
      json_member_string (b, "text", fix->text != NULL ? fix->text : "");
      json_member_field (b, "command", fix->command);
      if (has_text (fix->url))
        json_member_string (b, "url", fix->url);
      json_member_string (b, "audience", dmd_audience_to_string (fix->audience));
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
  json_member_field (b, "server", dmd_device_config_get_server (config));
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, dmd_device_config_get_port (config));
  json_member_string (b, "security", dmd_security_to_string (config->security));
  json_member_field (b, "username", config->username);
  json_member_string (b, "auth_method",
                      dmd_auth_mech_to_string (dmd_device_config_get_auth_mech (config)));
  json_member_field (b, "from", config->from);
  json_member_field (b, "to", config->to);
  json_member_field (b, "domain", config->domain);
  json_member_field (b, "connector_ip", config->connector_ip);
  json_builder_set_member_name (b, "server_field_length");
  if (config->server_field_length > 0)
    json_builder_add_int_value (b, config->server_field_length);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "connect_to");
  json_builder_begin_array (b);
  for (guint i = 0; config->connect_to != NULL && i < config->connect_to->len; i++)
    {
      g_autofree char *spec = connect_to_spec (g_ptr_array_index (config->connect_to, i));
      json_add_string (b, spec);
    }
  json_builder_end_array (b);
  json_member_string (b, "ip_version", dmd_ip_version_to_string (config->ip_version));
  json_builder_set_member_name (b, "insecure_auth_allowed");
  json_builder_add_boolean_value (b, config->allow_insecure_auth);
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
      json_member_string (b, "name", row->name != NULL ? row->name : "");
      json_member_string (b, "recommended", row->recommended != NULL ? row->recommended : "");
      json_member_string (b, "entered", row->entered);
      json_member_string (b, "status", row->status != NULL ? row->status : "not-applicable");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The schema knows pass, warn, fail and skip: a check a cancelled run never finished is
 * reported as skipped, with a summary that says why. */
static const char *
json_check_status (DmdCheckStatus status)
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
      json_member_string (b, "dir", dir);
      json_member_string (b, "text", line->text != NULL ? line->text : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
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

      if (!has_text (summary))
        summary = unfinished ? unfinished_summary (result) : "";

      json_builder_begin_object (b);
      json_member_string (b, "id", check->id);
      json_member_string (b, "status", json_check_status (check->status));
      json_member_string (b, "summary", summary);
      json_builder_set_member_name (b, "elapsed_ms");
      json_builder_add_int_value (b, MAX (check->elapsed_ms, 0));
      json_builder_set_member_name (b, "transcript");
      json_add_transcript (b, check->transcript);
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
  json_member_field (b, "public_ip", net->public_ip);
  json_member_field (b, "address_family", net->address_family);

  json_builder_set_member_name (b, "tls");
  json_builder_begin_object (b);
  json_member_field (b, "negotiated", net->tls_negotiated);
  json_member_field (b, "cipher", net->tls_cipher);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_object (b);
  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    json_member_string (b, dmd_tls_version_name (i),
                        dmd_tls_version_state_to_string (net->versions[i].state));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "certificate");
  if (net->chain != NULL && net->chain->len > 0)
    {
      DmdCertInfo *leaf = g_ptr_array_index (net->chain, 0);

      json_builder_begin_object (b);
      json_member_field (b, "subject", leaf->subject);
      json_member_field (b, "issuer", leaf->issuer);
      json_member_field (b, "not_after", leaf->not_after);
      json_member_field (b, "sha256", leaf->sha256);
      json_builder_set_member_name (b, "verified");
      json_builder_add_boolean_value (b, net->cert_verified);
      json_member_field (b, "problem", net->cert_problem);
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
      json_member_field (b, "subject", cc != NULL ? cc->subject : NULL);
      json_member_field (b, "not_after", cc != NULL ? cc->not_after : NULL);
      json_member_field (b, "sha256", cc != NULL ? cc->sha256 : NULL);
      json_builder_set_member_name (b, "requested");
      json_builder_add_boolean_value (b, net->client_cert_requested);
      json_builder_set_member_name (b, "presented");
      json_builder_add_boolean_value (b, net->client_cert != NULL && net->client_cert_sent);
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
  generated = format_generated (result, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (b);
  json_member_string (b, "schema", DMD_REPORT_SCHEMA);
  json_member_string (b, "generated", generated);

  json_builder_set_member_name (b, "tool");
  json_builder_begin_object (b);
  json_member_string (b, "name", PACKAGE_NAME);
  json_member_string (b, "version", PACKAGE_VERSION);
  json_builder_end_object (b);

  json_member_string (b, "option", dmd_option_to_string (result->option));
  json_member_string (b, "verdict", dmd_result_verdict (result));
  json_builder_set_member_name (b, "cancelled");
  json_builder_add_boolean_value (b, result->cancelled);
  json_builder_set_member_name (b, "sent");
  json_builder_add_boolean_value (b, result->sent);

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
  g_autoptr(JsonGenerator) generator = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  root = dmd_report_build_json (result, config);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* HTML hand-off report                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Self-contained: no external resources, no script. Colours follow the GNOME palette, light
 * and dark by prefers-color-scheme; status never by colour alone (icon and word). */
static const char html_style[] =
  ":root{color-scheme:light dark;--bg:#fafafb;--card:#fff;--fg:#1e1e1e;--muted:#5e5c64;"
  "--border:#deddda;--code:#f0f0f2;--error:#c01c28;--warning:#9c6e03;--success:#1b8553;"
  "--info:#1c71d8;--link:#1a5fb4}\n"
  "@media (prefers-color-scheme:dark){:root{--bg:#1e1e1e;--card:#2a2a2a;--fg:#f6f5f4;"
  "--muted:#c0bfbc;--border:#424242;--code:#151515;--error:#ff7b63;--warning:#f8e45c;"
  "--success:#8ff0a4;--info:#99c1f1;--link:#99c1f1}}\n"
  "*{box-sizing:border-box}\n"
  "body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,Cantarell,"
  "\"Noto Sans\",\"Noto Sans CJK JP\",\"Segoe UI\",sans-serif}\n"
  "main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 3rem}\n"
  "h1{font-size:1.6rem;margin:.2rem 0 .5rem;line-height:1.25}\n"
  "h2{font-size:1.2rem;margin:2rem 0 .6rem}\n"
  "h3{font-size:1.05rem;margin:0 0 .3rem}\n"
  "h4{font-size:.9rem;margin:.9rem 0 .2rem;color:var(--muted)}\n"
  "a{color:var(--link)}\n"
  "pre,code{font-family:ui-monospace,\"DejaVu Sans Mono\",\"Noto Sans Mono\",Menlo,Consolas,"
  "monospace;font-size:.88rem}\n"
  "pre{background:var(--code);border:1px solid var(--border);border-radius:6px;padding:.5rem .7rem;"
  "margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
  ".card,.verdict{background:var(--card);border:1px solid var(--border);border-radius:12px;"
  "padding:1rem 1.2rem;margin:.8rem 0}\n"
  ".verdict{border-width:2px}\n"
  ".verdict.fail{border-color:var(--error)}.verdict.warn{border-color:var(--warning)}"
  ".verdict.pass{border-color:var(--success)}.verdict.retry{border-color:var(--warning)}\n"
  ".icon{font-weight:bold}\n"
  ".fail .icon,.error .icon,.differs .icon,.bad{color:var(--error)}\n"
  ".warn .icon,.retry .icon,.warning .icon{color:var(--warning)}\n"
  ".pass .icon,.ok .icon,.good{color:var(--success)}\n"
  ".info .icon{color:var(--info)}\n"
  ".cancelled{border-left:4px solid var(--warning);padding:.3rem .8rem}\n"
  ".muted,.id,.scope{color:var(--muted)}\n"
  ".id{font-size:.85rem;margin:0 0 .4rem}\n"
  ".first-fix{margin-top:.8rem;padding-top:.6rem;border-top:1px solid var(--border)}\n"
  ".tag{display:inline-block;font-size:.75rem;font-weight:bold;border-radius:1rem;"
  "padding:0 .55rem;margin-right:.4rem;border:1px solid currentColor;white-space:nowrap}\n"
  ".tag.admin{color:var(--info)}.tag.technician{color:var(--success)}\n"
  ".why{white-space:pre-line;margin:.2rem 0}\n"
  "ol.fixes{padding-left:1.4rem;margin:.2rem 0}ol.fixes li{margin:.4rem 0}\n"
  "table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--border);"
  "border-radius:8px}\n"
  "th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid var(--border);"
  "overflow-wrap:anywhere}\n"
  "thead th{font-size:.85rem;color:var(--muted)}\n"
  "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}\n"
  "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
  "details{margin:1rem 0}summary{cursor:pointer;font-weight:bold}\n"
  ".transcript .dir-S{color:var(--fg)}.transcript .dir-C{color:var(--info)}"
  ".transcript .dir-I{color:var(--muted)}\n"
  "footer{margin-top:2.5rem;font-size:.85rem;color:var(--muted)}\n"
  "@media print{body{background:#fff;color:#000}.card,.verdict,table{border-color:#999}}\n";

static void
html_text (GString    *out,
           const char *text)
{
  append_html (out, text);
}

static void
html_element (GString    *out,
              const char *open,   /* e.g. "<h2>" */
              const char *text,
              const char *close)  /* e.g. "</h2>\n" */
{
  g_string_append (out, open);
  append_html (out, text);
  g_string_append (out, close);
}

/* Only web links become links; anything else is shown as text. */
static void
html_link (GString    *out,
           const char *url)
{
  if (g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://"))
    {
      g_string_append (out, "<a href=\"");
      append_html (out, url);
      g_string_append (out, "\" rel=\"noreferrer\">");
      append_html (out, url);
      g_string_append (out, "</a>");
    }
  else
    {
      append_html (out, url);
    }
}

static const char *
html_lang (void)
{
  /* Translators: the language code of your translation (BCP 47: "ja", "pt-BR"), written into
   * the HTML report's lang attribute. */
  const char *lang = C_("html-lang", "en");

  for (const char *p = lang; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return "en";
  return *lang != '\0' ? lang : "en";
}

static const char *
severity_class (DmdSeverity severity)
{
  return dmd_severity_to_string (severity);
}

static const char *
severity_icon (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_ERROR:   return "✗";
    case DMD_SEVERITY_WARNING: return "!";
    case DMD_SEVERITY_INFO:
    default:                   return "i";
    }
}

static void
html_tag (GString     *out,
          DmdAudience  audience)
{
  const char *who = dmd_audience_word (audience);

  if (who == NULL)
    return;
  g_string_append_printf (out, "<span class=\"tag %s\">", dmd_audience_to_string (audience));
  html_text (out, who);
  g_string_append (out, "</span>");
}

static void
html_facts (GString *out,
            GArray  *kvs)
{
  if (kvs->len == 0)
    return;
  g_string_append (out, "<dl class=\"facts\">\n");
  for (guint i = 0; i < kvs->len; i++)
    {
      KeyValue *kv = &g_array_index (kvs, KeyValue, i);

      html_element (out, "<dt>", kv->key, "</dt>");
      html_element (out, "<dd>", kv->value, "</dd>\n");
    }
  g_string_append (out, "</dl>\n");
}

static void
html_verdict (GString   *out,
              DmdResult *result)
{
  DmdVerdict verdict = dmd_result_get_verdict (result);
  g_autofree char *headline = verdict_headline (result);
  const char *scope = verdict_scope (result);
  DmdFinding *top = dmd_result_get_top_finding (result);
  const char *icon = verdict == DMD_VERDICT_FAIL ? "✗" : verdict == DMD_VERDICT_PASS ? "✓" : "!";

  if (result->cancelled)
    html_element (out, "<p class=\"card cancelled\">",
                  _("The checks were cancelled: these results are incomplete."), "</p>\n");

  g_string_append_printf (out, "<section class=\"verdict %s\" aria-labelledby=\"verdict\">\n",
                          dmd_verdict_to_string (verdict));
  g_string_append_printf (out, "<h1 id=\"verdict\"><span class=\"icon\" aria-hidden=\"true\">%s</span> ",
                          icon);
  html_text (out, headline);
  g_string_append (out, "</h1>\n");
  if (scope != NULL)
    html_element (out, "<p class=\"scope\">", scope, "</p>\n");

  if (top != NULL)
    {
      const DmdFix *fix = first_fix (top);

      g_string_append (out, "<div class=\"first-fix\">\n<p><strong>");
      html_text (out, has_text (top->title) ? top->title : top->id);
      g_string_append (out, "</strong> <a href=\"#");
      append_html (out, top->id);
      g_string_append (out, "\">");
      html_text (out, _("Details"));
      g_string_append (out, "</a></p>\n");
      if (fix != NULL)
        {
          g_string_append (out, "<p>");
          html_text (out, _("Fix first:"));
          g_string_append_c (out, ' ');
          html_tag (out, fix->audience);
          html_text (out, fix->text);
          g_string_append (out, "</p>\n");
          if (has_text (fix->command))
            html_element (out, "<pre class=\"command\"><code>", fix->command, "</code></pre>\n");
        }
      g_string_append (out, "</div>\n");
    }
  g_string_append (out, "</section>\n");
}

static void
html_settings (GString   *out,
               DmdResult *result)
{
  g_autoptr(GPtrArray) rows = sorted_settings (result);

  if (rows->len == 0)
    return;

  g_string_append (out, "<section id=\"settings\">\n");
  html_element (out, "<h2>", _("Recommended settings for the device"), "</h2>\n");
  g_string_append (out, "<table>\n<thead><tr>");
  html_element (out, "<th scope=\"col\">", _("Setting"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Recommended"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Entered"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Status"), "</th>");
  g_string_append (out, "</tr></thead>\n<tbody>\n");
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);
      SettingOrder order = setting_order (row);
      const char *klass = order == SETTING_DIFFERS ? "differs"
                          : order == SETTING_OK ? "ok" : "not-applicable";
      const char *icon = order == SETTING_DIFFERS ? "✗" : order == SETTING_OK ? "✓" : "–";
      const char *word = order == SETTING_DIFFERS ? _("Differs")
                         : order == SETTING_OK ? _("Matches") : _("Not applicable");

      g_string_append_printf (out, "<tr class=\"%s\">", klass);
      html_element (out, "<th scope=\"row\">", has_text (row->label) ? row->label : row->name,
                    "</th>");
      html_element (out, "<td>", row->recommended, "</td>");
      if (row->entered != NULL)
        html_element (out, "<td>", row->entered, "</td>");
      else
        html_element (out, "<td class=\"muted\">", _("(not set)"), "</td>");
      g_string_append_printf (out, "<td><span class=\"icon\" aria-hidden=\"true\">%s</span> ", icon);
      html_text (out, word);
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</tbody>\n</table>\n</section>\n");
}

static void
html_finding (GString    *out,
              DmdFinding *finding)
{
  g_string_append_printf (out, "<article class=\"card finding %s\" id=\"",
                          severity_class (finding->severity));
  append_html (out, finding->id);
  g_string_append (out, "\">\n");

  g_string_append_printf (out, "<h3><span class=\"icon\" aria-hidden=\"true\">%s</span> ",
                          severity_icon (finding->severity));
  html_text (out, dmd_severity_word (finding->severity));
  g_string_append (out, ": ");
  html_text (out, has_text (finding->title) ? finding->title : finding->id);
  g_string_append (out, "</h3>\n<p class=\"id\"><code>");
  html_text (out, finding->id);
  g_string_append (out, "</code>");
  if (has_text (finding->check))
    {
      g_string_append (out, " · ");
      html_text (out, check_title (finding->check));
    }
  g_string_append (out, "</p>\n");

  if (has_text (finding->evidence))
    {
      html_element (out, "<h4>", _("What happened"), "</h4>\n");
      html_element (out, "<pre class=\"evidence\">", finding->evidence, "</pre>\n");
    }
  if (has_text (finding->explanation))
    {
      html_element (out, "<h4>", _("Why"), "</h4>\n");
      html_element (out, "<p class=\"why\">", finding->explanation, "</p>\n");
    }
  if (finding->fixes != NULL && finding->fixes->len > 0)
    {
      html_element (out, "<h4>", _("What to do"), "</h4>\n");
      g_string_append (out, "<ol class=\"fixes\">\n");
      for (guint i = 0; i < finding->fixes->len; i++)
        {
          DmdFix *fix = g_ptr_array_index (finding->fixes, i);

          g_string_append (out, "<li>");
          html_tag (out, fix->audience);
          html_text (out, fix->text);
          if (has_text (fix->command))
            html_element (out, "<pre class=\"command\"><code>", fix->command, "</code></pre>");
          if (has_text (fix->url))
            {
              g_string_append (out, "<p class=\"link\">");
              html_link (out, fix->url);
              g_string_append (out, "</p>");
            }
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ol>\n");
    }
  g_string_append (out, "</article>\n");
}

static void
html_network (GString   *out,
              DmdResult *result)
{
  DmdNetwork *net = &result->network;
  g_autoptr(GArray) kvs = g_array_new (FALSE, FALSE, sizeof (KeyValue));
  gboolean any_version = FALSE;

  g_array_set_clear_func (kvs, (GDestroyNotify) key_value_clear);
  add_kv (kvs, _("Public IP seen by Microsoft"),
          g_strdup (has_text (net->public_ip) ? net->public_ip : _("Not seen")));
  if (has_text (net->peer_address))
    add_kv (kvs, _("Connected to"), g_strdup (net->peer_address));
  if (has_text (net->address_family))
    add_kv (kvs, _("Address family"), g_strdup (family_word (net->address_family)));
  if (has_text (net->tls_negotiated))
    add_kv (kvs, _("TLS"), g_strdup (net->tls_negotiated));
  if (has_text (net->tls_cipher))
    add_kv (kvs, _("Cipher"), g_strdup (net->tls_cipher));

  g_string_append (out, "<section id=\"connection\">\n");
  html_element (out, "<h2>", _("Connection details"), "</h2>\n");
  html_facts (out, kvs);

  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    any_version |= net->versions[i].state != DMD_TLS_VERSION_UNTESTED;
  if (any_version)
    {
      html_element (out, "<h3>", _("TLS versions"), "</h3>\n");
      g_string_append (out, "<table>\n<thead><tr>");
      html_element (out, "<th scope=\"col\">", _("Version"), "</th>");
      html_element (out, "<th scope=\"col\">", _("Result"), "</th>");
      html_element (out, "<th scope=\"col\">", _("Detail"), "</th>");
      g_string_append (out, "</tr></thead>\n<tbody>\n");
      for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
        {
          DmdTlsVersionResult *v = &net->versions[i];

          g_string_append_printf (out, "<tr><th scope=\"row\">%s</th>", dmd_tls_version_display_name (i));
          html_element (out, "<td>", dmd_tls_version_state_word (v->state), "</td>");
          html_element (out, "<td>", v->detail != NULL ? v->detail : "", "</td></tr>\n");
        }
      g_string_append (out, "</tbody>\n</table>\n");
    }

  if (net->chain != NULL && net->chain->len > 0)
    {
      g_autoptr(GArray) cert = cert_fields (g_ptr_array_index (net->chain, 0));

      html_element (out, "<h3>", _("Certificate"), "</h3>\n");
      html_facts (out, cert);
      if (net->cert_verified)
        {
          g_string_append (out, "<p class=\"good\"><span aria-hidden=\"true\">✓</span> ");
          html_text (out, _("Verified"));
        }
      else
        {
          g_string_append (out, "<p class=\"bad\"><span aria-hidden=\"true\">✗</span> ");
          html_text (out, _("Not verified"));
          if (has_text (net->cert_problem))
            {
              g_string_append (out, ": ");
              html_text (out, net->cert_problem);
            }
        }
      g_string_append (out, "</p>\n");
    }

  {
    gboolean good;
    const char *status = client_cert_status (net, &good);

    if (status != NULL)
      {
        html_element (out, "<h3>", _("Client certificate"), "</h3>\n");
        if (net->client_cert != NULL)
          {
            g_autoptr(GArray) cert = cert_fields (net->client_cert);
            html_facts (out, cert);
          }
        g_string_append (out, good ? "<p class=\"good\"><span aria-hidden=\"true\">✓</span> "
                                   : "<p><span aria-hidden=\"true\">–</span> ");
        html_text (out, status);
        g_string_append (out, "</p>\n");
      }
  }
  g_string_append (out, "</section>\n");
}

static void
html_checks (GString   *out,
             DmdResult *result)
{
  if (result->checks->len == 0)
    return;

  g_string_append (out, "<section id=\"checks\">\n");
  html_element (out, "<h2>", _("Checks"), "</h2>\n");
  g_string_append (out, "<table>\n<thead><tr>");
  html_element (out, "<th scope=\"col\">", _("Check"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Status"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Result"), "</th>");
  html_element (out, "<th scope=\"col\">", _("Time"), "</th>");
  g_string_append (out, "</tr></thead>\n<tbody>\n");
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      const char *klass = json_check_status (check->status);
      const char *icon = check->status == DMD_CHECK_PASS ? "✓"
                         : check->status == DMD_CHECK_WARN ? "!"
                         : check->status == DMD_CHECK_FAIL ? "✗" : "–";
      /* Translators: elapsed time of a check in milliseconds */
      g_autofree char *ms = g_strdup_printf (_("%u ms"),
                                             (guint) CLAMP (check->elapsed_ms, 0, G_MAXUINT));

      g_string_append_printf (out, "<tr class=\"%s\">", klass);
      html_element (out, "<th scope=\"row\">", check_title (check->id), "</th>");
      g_string_append_printf (out, "<td><span class=\"icon\" aria-hidden=\"true\">%s</span> ", icon);
      html_text (out, dmd_check_status_word_finished (check->status));
      g_string_append (out, "</td>");
      html_element (out, "<td>", check->summary != NULL ? check->summary : "", "</td>");
      html_element (out, "<td>", check->elapsed_ms > 0 ? ms : "", "</td></tr>\n");
    }
  g_string_append (out, "</tbody>\n</table>\n</section>\n");
}

static void
html_transcript_lines (GString   *out,
                       GPtrArray *lines)
{
  for (guint i = 0; i < lines->len; i++)
    {
      DmdTranscriptLine *line = g_ptr_array_index (lines, i);
      char dir = line->dir == 'S' || line->dir == 'C' ? line->dir : 'I';

      g_string_append_printf (out, "<span class=\"dir-%c\">%c: ", dir, dir);
      html_text (out, line->text);
      g_string_append (out, "</span>\n");
    }
}

static void
html_transcript (GString   *out,
                 DmdResult *result)
{
  gboolean any = result->transcript->len > 0;

  for (guint i = 0; !any && i < result->checks->len; i++)
    any = ((DmdCheck *) g_ptr_array_index (result->checks, i))->transcript->len > 0;
  if (!any)
    return;

  g_string_append (out, "<details id=\"transcript\">\n");
  html_element (out, "<summary>", _("Conversation with the server"), "</summary>\n");
  html_element (out, "<p class=\"muted\">",
                _("S: the server, C: this computer, I: a note from Device Mail Doctor. "
                  "Passwords and tokens are replaced by [redacted]."), "</p>\n");
  g_string_append (out, "<pre class=\"transcript\">");
  if (result->transcript->len > 0)
    {
      html_transcript_lines (out, result->transcript);
    }
  else
    {
      /* No main dialogue recorded: show each check's own lines, under its name. */
      for (guint i = 0; i < result->checks->len; i++)
        {
          DmdCheck *check = g_ptr_array_index (result->checks, i);

          if (check->transcript->len == 0)
            continue;
          g_string_append (out, "<strong>");
          html_text (out, check_title (check->id));
          g_string_append (out, "</strong>\n");
          html_transcript_lines (out, check->transcript);
        }
    }
  g_string_append (out, "</pre>\n</details>\n");
}

char *
dmd_report_to_html (DmdResult             *result,
                    const DmdDeviceConfig *config)
{
  GString *out;
  g_autoptr(GArray) tested = NULL;
  g_autofree char *title = NULL;
  g_autofree char *when = NULL;
  g_autofree char *footer = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  out = g_string_new (NULL);
  title = g_strdup_printf (_("Mail sending report: %s"), dmd_option_display_name (result->option));
  when = format_generated (result, "%Y-%m-%d %H:%M UTC");

  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n", html_lang ());
  g_string_append (out,
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"color-scheme\" content=\"light dark\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n");
  g_string_append_printf (out, "<meta name=\"generator\" content=\"%s %s\">\n",
                          PACKAGE_NAME, PACKAGE_VERSION);
  html_element (out, "<title>", title, "</title>\n");
  g_string_append_printf (out, "<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_style);

  html_element (out, "<p class=\"muted\">", title, "</p>\n");
  html_verdict (out, result);

  g_string_append (out, "<section id=\"tested\">\n");
  html_element (out, "<h2>", _("What was tested"), "</h2>\n");
  html_element (out, "<p>",
                _("Device Mail Doctor ran these checks from a computer on the device's network, "
                  "with the settings the device uses. This report is for the person who manages "
                  "the Microsoft 365 tenant: each problem says what happened, why, and who "
                  "should do what."), "</p>\n");
  tested = tested_facts (result, config, "→");
  html_facts (out, tested);
  g_string_append (out, "</section>\n");

  html_settings (out, result);

  if (result->findings->len > 0)
    {
      g_string_append (out, "<section id=\"problems\">\n");
      html_element (out, "<h2>", _("Problems and notes"), "</h2>\n");
      for (guint i = 0; i < result->findings->len; i++)
        html_finding (out, g_ptr_array_index (result->findings, i));
      g_string_append (out, "</section>\n");
    }

  html_network (out, result);
  html_checks (out, result);
  html_transcript (out, result);

  /* Translators: footer of the HTML report: "Device Mail Doctor 1.0.0, 2026-11-26 12:00 UTC" */
  footer = g_strdup_printf (_("Made with Device Mail Doctor %s, %s."), PACKAGE_VERSION, when);
  html_element (out, "<footer><p>", footer, "</p></footer>\n");
  g_string_append (out, "</main>\n</body>\n</html>\n");

  return g_string_free (out, FALSE);
}
