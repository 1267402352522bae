/* dmd-transcript-view.c
 *
 * The text goes into the buffer as plain text, never markup: it is server-controlled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-text.h"
#include "dmd-transcript-view.h"

struct _DmdTranscriptView
{
  GtkTextView  parent_instance;

  guint        n_lines;
};

#define NO_HYPHENS DMD_TEXT_NO_HYPHENS_TAG

G_DEFINE_FINAL_TYPE (DmdTranscriptView, dmd_transcript_view, GTK_TYPE_TEXT_VIEW)

static void
dmd_transcript_view_class_init (DmdTranscriptViewClass *klass)
{
}

static void
dmd_transcript_view_init (DmdTranscriptView *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (self);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  gtk_text_view_set_editable (view, FALSE);
  gtk_text_view_set_cursor_visible (view, FALSE);
  gtk_text_view_set_monospace (view, TRUE);
  gtk_text_view_set_wrap_mode (view, GTK_WRAP_CHAR);
  gtk_text_view_set_top_margin (view, 8);
  gtk_text_view_set_bottom_margin (view, 8);
  gtk_text_view_set_left_margin (view, 8);
  gtk_text_view_set_right_margin (view, 8);
  /* Wrapped lines indent under the text, after the "S: " prefix. */
  gtk_text_view_set_indent (view, 0);

  gtk_text_buffer_create_tag (buffer, "prefix", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "client", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "info", "style", PANGO_STYLE_ITALIC, NULL);
  dmd_text_no_hyphens_tag (buffer);
}

GtkWidget *
dmd_transcript_view_new (void)
{
  return g_object_new (DMD_TYPE_TRANSCRIPT_VIEW, NULL);
}

void
dmd_transcript_view_clear (DmdTranscriptView *self)
{
  g_return_if_fail (DMD_IS_TRANSCRIPT_VIEW (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)), "", 0);
  self->n_lines = 0;
}

void
dmd_transcript_view_append (DmdTranscriptView *self,
                            char               dir,
                            const char        *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;
  char prefix[4] = { dir, ':', ' ', '\0' };
  const char *tag = dir == 'C' ? "client" : dir == 'I' ? "info" : NULL;

  g_return_if_fail (DMD_IS_TRANSCRIPT_VIEW (self));

  if (dir != 'S' && dir != 'C' && dir != 'I')
    prefix[0] = '?';

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  gtk_text_buffer_get_end_iter (buffer, &end);
  /* What the server said, as it said it: no hyphen is added where a long line wraps. */
  if (self->n_lines > 0)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, "\n", 1, NO_HYPHENS, NULL);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, prefix, -1, "prefix", NO_HYPHENS, NULL);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text ? text : "", -1,
                                              tag, NO_HYPHENS, NULL);
  else
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text ? text : "", -1,
                                              NO_HYPHENS, NULL);
  self->n_lines++;
}

void
dmd_transcript_view_set_lines (DmdTranscriptView *self,
                               GPtrArray         *lines)
{
  g_return_if_fail (DMD_IS_TRANSCRIPT_VIEW (self));

  dmd_transcript_view_clear (self);
  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      const DmdTranscriptLine *line = g_ptr_array_index (lines, i);
      dmd_transcript_view_append (self, line->dir, line->text);
    }
}

guint
dmd_transcript_view_get_n_lines (DmdTranscriptView *self)
{
  g_return_val_if_fail (DMD_IS_TRANSCRIPT_VIEW (self), 0);
  return self->n_lines;
}
