/* dmd-report-text.c — a result as text for a terminal, with or without colour
 *
 * Every string goes through dmd_report_append_safe(); colour codes (SGR) are added here
 * only, around text that is already safe. Without a UTF-8 locale the symbols are ASCII.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-report-private.h"

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
  dmd_report_append_safe (ctx->out, text, FALSE);
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

  dmd_report_append_safe (ctx->out, text, FALSE);
  w = dmd_report_display_width (ctx->out->str + start);
  for (; w < width; w++)
    g_string_append_c (ctx->out, ' ');
}

static gsize
safe_width (const char *text)
{
  g_autoptr(GString) tmp = g_string_new (NULL);

  dmd_report_append_safe (tmp, text, FALSE);
  return dmd_report_display_width (tmp->str);
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
      if (_dmd_report_has_text (fix->command))
        text_put_block (ctx, text_indent + 2, fix->command);
      if (_dmd_report_has_text (fix->url))
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
      text_put_styled (ctx, SGR_BOLD, _dmd_report_finding_title (finding));
      g_string_append_c (ctx->out, '\n');

      /* The id in small print, for those who search for it. */
      g_string_append (ctx->out, "    ");
      text_style (ctx, SGR_DIM);
      text_put (ctx, finding->id);
      if (_dmd_report_has_text (finding->check))
        {
          g_string_append (ctx->out, ctx->utf8 ? " · " : " - ");
          text_put (ctx, _dmd_report_check_title (finding->check));
        }
      text_end_style (ctx);
      g_string_append_c (ctx->out, '\n');

      if (_dmd_report_has_text (finding->evidence))
        {
          g_string_append (ctx->out, "    ");
          text_put_styled (ctx, SGR_BOLD, _("What happened:"));
          g_string_append_c (ctx->out, '\n');
          text_put_block (ctx, 6, finding->evidence);
        }
      if (_dmd_report_has_text (finding->explanation))
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
  g_autofree char *headline = _dmd_report_verdict_headline (result);
  DmdFinding *top = dmd_result_get_top_finding (result);
  const char *scope = _dmd_report_verdict_scope (result);
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
      const DmdFix *fix = _dmd_report_first_fix (top);

      g_string_append (ctx->out, "  ");
      text_put_styled (ctx, SGR_BOLD, _dmd_report_finding_title (top));
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
          if (_dmd_report_has_text (fix->command))
            text_put_block (ctx, 4, fix->command);
        }
    }
}


static void
text_kv_block (TextCtx *ctx,
               GArray  *kvs,
               guint    indent)
{
  gsize width = 0;

  for (guint i = 0; i < kvs->len; i++)
    {
      g_autofree char *key = g_strdup_printf (_("%s:"), g_array_index (kvs, DmdReportFact, i).key);
      width = MAX (width, safe_width (key));
    }
  for (guint i = 0; i < kvs->len; i++)
    {
      DmdReportFact *kv = &g_array_index (kvs, DmdReportFact, i);
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
                   DmdReportSetting   order)
{
  g_string_append (ctx->out, "  ");
  if (order == DMD_REPORT_SETTING_DIFFERS)
    text_style (ctx, SGR_RED);
  else if (order == DMD_REPORT_SETTING_OK)
    text_style (ctx, SGR_GREEN);
  text_put_padded (ctx, sym (ctx, order == DMD_REPORT_SETTING_DIFFERS ? SYM_BAD
                                  : order == DMD_REPORT_SETTING_OK ? SYM_OK
                                  : SYM_SKIP), 3);
  if (order != DMD_REPORT_SETTING_NOT_APPLICABLE)
    text_end_style (ctx);
}

static void
text_settings (TextCtx   *ctx,
               DmdResult *result)
{
  g_autoptr(GPtrArray) rows = _dmd_report_sorted_settings (result);
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
      w_label = MAX (w_label, safe_width (_dmd_report_setting_label (row)));
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

          text_setting_mark (ctx, _dmd_report_setting_order (row));
          text_put_padded (ctx, _dmd_report_setting_label (row), w_label + 2);
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
      DmdReportSetting order = _dmd_report_setting_order (row);
      const char *label = _dmd_report_setting_label (row);
      g_autofree char *key_label = g_strdup_printf (_("%s:"), label);
      g_autofree char *key_entered = g_strdup_printf (_("%s:"), h_entered);
      g_autofree char *key_recommended = g_strdup_printf (_("%s:"), h_recommended);
      gsize w_key = MAX (safe_width (key_entered), safe_width (key_recommended));

      text_setting_mark (ctx, order);
      if (order != DMD_REPORT_SETTING_DIFFERS)
        {
          const char *value = order == DMD_REPORT_SETTING_OK && row->entered != NULL
                              ? row->entered : row->recommended;
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


static void
text_network (TextCtx   *ctx,
              DmdResult *result)
{
  DmdNetwork *net = &result->network;
  g_autoptr(GArray) kvs = _dmd_report_facts_new ();
  gboolean any_version = FALSE;
  gsize w_version = 0;

  if (_dmd_report_has_text (net->public_ip))
    _dmd_report_add_fact (kvs, _("Public IP seen by Microsoft"), g_strdup (net->public_ip));
  if (_dmd_report_has_text (net->peer_address))
    _dmd_report_add_fact (kvs, _("Connected to"), g_strdup (net->peer_address));
  if (_dmd_report_has_text (net->address_family))
    _dmd_report_add_fact (kvs, _("Address family"),
                          g_strdup (_dmd_report_family_word (net->address_family)));
  if (_dmd_report_has_text (net->tls_negotiated))
    _dmd_report_add_fact (kvs, _("TLS"),
                          _dmd_report_has_text (net->tls_cipher)
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
          if (_dmd_report_has_text (v->detail))
            {
              g_string_append (ctx->out, "  ");
              text_put_styled (ctx, SGR_DIM, v->detail);
            }
          g_string_append_c (ctx->out, '\n');
        }
    }

  if (net->chain->len > 0)
    {
      g_autoptr(GArray) cert = _dmd_report_cert_fields (g_ptr_array_index (net->chain, 0));

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
          if (_dmd_report_has_text (net->cert_problem))
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
    const char *status = _dmd_report_client_cert_status (net, &good);

    if (status != NULL)
      {
        g_string_append (ctx->out, "  ");
        g_string_append_printf (ctx->out, _("%s:"), _("Client certificate"));
        g_string_append_c (ctx->out, '\n');
        if (net->client_cert != NULL)
          {
            g_autoptr(GArray) cert = _dmd_report_cert_fields (net->client_cert);
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
      width = MAX (width, safe_width (_dmd_report_check_title (check->id)));
    }
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);

      g_string_append (ctx->out, "  ");
      text_style (ctx, check_sgr (check->status));
      text_put_padded (ctx, sym (ctx, check_sym (check->status)), 3);
      text_end_style (ctx);
      text_put_padded (ctx, _dmd_report_check_title (check->id), width + 2);
      if (_dmd_report_has_text (check->summary))
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

  tested = _dmd_report_tested_facts (result, config, sym (&ctx, SYM_ARROW));
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
