/* dmd-report-util.c — escaping and JSON members shared by every report
 *
 * Every string that reaches an output goes through one of three doors:
 *   - text:  dmd_report_append_safe() (valid UTF-8, no control characters) and nothing else;
 *            colour codes are added by the writer only, around text that is already safe;
 *   - JSON:  the same before json-glib sees it (json-glib itself escapes quotes and the rest
 *            of JSON's specials): the dmd_report_json_*() members;
 *   - HTML:  the same, then g_markup_escape_text(): dmd_report_append_html().
 * Translated strings go through the same doors: a translation can contain "<" or "&" too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-report.h"
#include "dmd-report-util.h"

/* Characters that can reorder what is displayed (Trojan Source): made visible, never obeyed. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

void
dmd_report_append_safe (GString    *out,
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

  dmd_report_append_safe (out, text, TRUE);
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

void
dmd_report_append_html (GString    *out,
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

gsize
dmd_report_display_width (const char *text)
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

char *
dmd_report_join (GPtrArray  *values,
                 const char *separator)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      if (i > 0)
        g_string_append (out, separator);
      g_string_append (out, g_ptr_array_index (values, i));
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* JSON members                                                                               */
/* ------------------------------------------------------------------------------------------ */

void
dmd_report_json_string (JsonBuilder *b,
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

void
dmd_report_json_field (JsonBuilder *b,
                       const char  *member,
                       const char  *value)
{
  dmd_report_json_string (b, member, value != NULL && *value != '\0' ? value : NULL);
}

void
dmd_report_json_bool (JsonBuilder *b,
                      const char  *member,
                      gboolean     value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, value);
}

void
dmd_report_json_int (JsonBuilder *b,
                     const char  *member,
                     gint64       value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

void
dmd_report_json_add_string (JsonBuilder *b,
                            const char  *value)
{
  g_autofree char *safe = safe_text (value != NULL ? value : "");

  json_builder_add_string_value (b, safe);
}

void
dmd_report_json_strings (JsonBuilder *b,
                         const char  *member,
                         GPtrArray   *values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && i < values->len; i++)
    dmd_report_json_add_string (b, g_ptr_array_index (values, i));
  json_builder_end_array (b);
}

char *
dmd_report_json_to_data (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}
