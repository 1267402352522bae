/* dmd-report-html.c — a result as the self-contained HTML hand-off report for the tenant admin
 *
 * No external resources and no script; the style sheet is dmd-report.css, compiled into the
 * engine (dmd-core.gresource.xml). Colours follow the GNOME palette, light and dark by
 * prefers-color-scheme; status never by colour alone (icon and word). Every string goes
 * through dmd_report_append_html().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-core-resources.h"
#include "dmd-report-private.h"

#define HTML_STYLE_RESOURCE RESOURCE_BASE "/core/report/dmd-report.css"

static void
html_text (GString    *out,
           const char *text)
{
  dmd_report_append_html (out, text);
}

static void
html_element (GString    *out,
              const char *open,   /* e.g. "<h2>" */
              const char *text,
              const char *close)  /* e.g. "</h2>\n" */
{
  g_string_append (out, open);
  dmd_report_append_html (out, text);
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
      dmd_report_append_html (out, url);
      g_string_append (out, "\" rel=\"noreferrer\">");
      dmd_report_append_html (out, url);
      g_string_append (out, "</a>");
    }
  else
    {
      dmd_report_append_html (out, url);
    }
}

/* A table and its column headings (translated, NULL-terminated), up to the body's rows. */
static void
html_table_head (GString           *out,
                 const char *const *columns)
{
  g_string_append (out, "<table>\n<thead><tr>");
  for (; *columns != NULL; columns++)
    html_element (out, "<th scope=\"col\">", *columns, "</th>");
  g_string_append (out, "</tr></thead>\n<tbody>\n");
}

/* The style sheet, compiled into the engine. */
static void
html_style (GString *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) css = g_resource_lookup_data (dmd_core_get_resource (), HTML_STYLE_RESOURCE,
                                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  gsize size;
  const char *data;

  if (css == NULL)
    {
      g_critical ("report: no style sheet: %s", error->message);
      return;
    }
  data = g_bytes_get_data (css, &size);
  g_string_append_len (out, data, size);
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
      DmdReportFact *kv = &g_array_index (kvs, DmdReportFact, i);

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
  g_autofree char *headline = _dmd_report_verdict_headline (result);
  const char *scope = _dmd_report_verdict_scope (result);
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
      const DmdFix *fix = _dmd_report_first_fix (top);

      g_string_append (out, "<div class=\"first-fix\">\n<p><strong>");
      html_text (out, _dmd_report_finding_title (top));
      g_string_append (out, "</strong> <a href=\"#");
      dmd_report_append_html (out, top->id);
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
          if (_dmd_report_has_text (fix->command))
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
  g_autoptr(GPtrArray) rows = _dmd_report_sorted_settings (result);
  const char *const columns[] = {
    _("Setting"), _("Recommended"), _("Entered"), _("Status"), NULL
  };

  if (rows->len == 0)
    return;

  g_string_append (out, "<section id=\"settings\">\n");
  html_element (out, "<h2>", _("Recommended settings for the device"), "</h2>\n");
  html_table_head (out, columns);
  for (guint i = 0; i < rows->len; i++)
    {
      DmdSettingRow *row = g_ptr_array_index (rows, i);
      DmdReportSetting order = _dmd_report_setting_order (row);
      const char *klass = order == DMD_REPORT_SETTING_DIFFERS ? "differs"
                          : order == DMD_REPORT_SETTING_OK ? "ok" : "not-applicable";
      const char *icon = order == DMD_REPORT_SETTING_DIFFERS ? "✗"
                         : order == DMD_REPORT_SETTING_OK ? "✓" : "–";
      const char *word = order == DMD_REPORT_SETTING_DIFFERS ? _("Differs")
                         : order == DMD_REPORT_SETTING_OK ? _("Matches") : _("Not applicable");

      g_string_append_printf (out, "<tr class=\"%s\">", klass);
      html_element (out, "<th scope=\"row\">", _dmd_report_setting_label (row),
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
  dmd_report_append_html (out, finding->id);
  g_string_append (out, "\">\n");

  g_string_append_printf (out, "<h3><span class=\"icon\" aria-hidden=\"true\">%s</span> ",
                          severity_icon (finding->severity));
  html_text (out, dmd_severity_word (finding->severity));
  g_string_append (out, ": ");
  html_text (out, _dmd_report_finding_title (finding));
  g_string_append (out, "</h3>\n<p class=\"id\"><code>");
  html_text (out, finding->id);
  g_string_append (out, "</code>");
  if (_dmd_report_has_text (finding->check))
    {
      g_string_append (out, " · ");
      html_text (out, _dmd_report_check_title (finding->check));
    }
  g_string_append (out, "</p>\n");

  if (_dmd_report_has_text (finding->evidence))
    {
      html_element (out, "<h4>", _("What happened"), "</h4>\n");
      html_element (out, "<pre class=\"evidence\">", finding->evidence, "</pre>\n");
    }
  if (_dmd_report_has_text (finding->explanation))
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
          if (_dmd_report_has_text (fix->command))
            html_element (out, "<pre class=\"command\"><code>", fix->command, "</code></pre>");
          if (_dmd_report_has_text (fix->url))
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
  g_autoptr(GArray) kvs = _dmd_report_facts_new ();
  gboolean any_version = FALSE;

  _dmd_report_add_fact (kvs, _("Public IP seen by Microsoft"),
                        g_strdup (_dmd_report_has_text (net->public_ip) ? net->public_ip
                                                                        : _("Not seen")));
  if (_dmd_report_has_text (net->peer_address))
    _dmd_report_add_fact (kvs, _("Connected to"), g_strdup (net->peer_address));
  if (_dmd_report_has_text (net->address_family))
    _dmd_report_add_fact (kvs, _("Address family"),
                          g_strdup (_dmd_report_family_word (net->address_family)));
  if (_dmd_report_has_text (net->tls_negotiated))
    _dmd_report_add_fact (kvs, _("TLS"), g_strdup (net->tls_negotiated));
  if (_dmd_report_has_text (net->tls_cipher))
    _dmd_report_add_fact (kvs, _("Cipher"), g_strdup (net->tls_cipher));

  g_string_append (out, "<section id=\"connection\">\n");
  html_element (out, "<h2>", _("Connection details"), "</h2>\n");
  html_facts (out, kvs);

  for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
    any_version |= net->versions[i].state != DMD_TLS_VERSION_UNTESTED;
  if (any_version)
    {
      const char *const columns[] = { _("Version"), _("Result"), _("Detail"), NULL };

      html_element (out, "<h3>", _("TLS versions"), "</h3>\n");
      html_table_head (out, columns);
      for (guint i = 0; i < DMD_N_TLS_VERSIONS; i++)
        {
          DmdTlsVersionResult *v = &net->versions[i];

          g_string_append_printf (out, "<tr><th scope=\"row\">%s</th>",
                                  dmd_tls_version_display_name (i));
          html_element (out, "<td>", dmd_tls_version_state_word (v->state), "</td>");
          html_element (out, "<td>", v->detail != NULL ? v->detail : "", "</td></tr>\n");
        }
      g_string_append (out, "</tbody>\n</table>\n");
    }

  if (net->chain != NULL && net->chain->len > 0)
    {
      g_autoptr(GArray) cert = _dmd_report_cert_fields (g_ptr_array_index (net->chain, 0));

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
          if (_dmd_report_has_text (net->cert_problem))
            {
              g_string_append (out, ": ");
              html_text (out, net->cert_problem);
            }
        }
      g_string_append (out, "</p>\n");
    }

  {
    gboolean good;
    const char *status = _dmd_report_client_cert_status (net, &good);

    if (status != NULL)
      {
        html_element (out, "<h3>", _("Client certificate"), "</h3>\n");
        if (net->client_cert != NULL)
          {
            g_autoptr(GArray) cert = _dmd_report_cert_fields (net->client_cert);
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
  const char *const columns[] = { _("Check"), _("Status"), _("Result"), _("Time"), NULL };

  if (result->checks->len == 0)
    return;

  g_string_append (out, "<section id=\"checks\">\n");
  html_element (out, "<h2>", _("Checks"), "</h2>\n");
  html_table_head (out, columns);
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      const char *klass = _dmd_report_check_status_key (check->status);
      const char *icon = check->status == DMD_CHECK_PASS ? "✓"
                         : check->status == DMD_CHECK_WARN ? "!"
                         : check->status == DMD_CHECK_FAIL ? "✗" : "–";
      /* Translators: elapsed time of a check in milliseconds */
      g_autofree char *ms = g_strdup_printf (_("%u ms"),
                                             (guint) CLAMP (check->elapsed_ms, 0, G_MAXUINT));

      g_string_append_printf (out, "<tr class=\"%s\">", klass);
      html_element (out, "<th scope=\"row\">", _dmd_report_check_title (check->id), "</th>");
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
          html_text (out, _dmd_report_check_title (check->id));
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
  when = _dmd_report_format_generated (result, "%Y-%m-%d %H:%M UTC");

  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n", html_lang ());
  g_string_append (out,
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"color-scheme\" content=\"light dark\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n");
  g_string_append_printf (out, "<meta name=\"generator\" content=\"%s %s\">\n",
                          PACKAGE_NAME, PACKAGE_VERSION);
  html_element (out, "<title>", title, "</title>\n");
  g_string_append (out, "<style>\n");
  html_style (out);
  g_string_append (out, "</style>\n</head>\n<body>\n<main>\n");

  html_element (out, "<p class=\"muted\">", title, "</p>\n");
  html_verdict (out, result);

  g_string_append (out, "<section id=\"tested\">\n");
  html_element (out, "<h2>", _("What was tested"), "</h2>\n");
  html_element (out, "<p>",
                _("Device Mail Doctor ran these checks from a computer on the device's network, "
                  "with the settings the device uses. This report is for the person who manages "
                  "the Microsoft 365 tenant: each problem says what happened, why, and who "
                  "should do what."), "</p>\n");
  tested = _dmd_report_tested_facts (result, config, "→");
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
