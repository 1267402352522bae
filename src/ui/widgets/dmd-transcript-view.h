/* dmd-transcript-view.h — the SMTP conversation, one line per "S:"/"C:"/"I:" entry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "dmd-core.h"

G_BEGIN_DECLS

#define DMD_TYPE_TRANSCRIPT_VIEW (dmd_transcript_view_get_type ())
G_DECLARE_FINAL_TYPE (DmdTranscriptView, dmd_transcript_view, DMD, TRANSCRIPT_VIEW, GtkTextView)

GtkWidget *dmd_transcript_view_new      (void);
void       dmd_transcript_view_clear    (DmdTranscriptView *self);
/* dir is 'S' (server), 'C' (client) or 'I' (the tool); text is already redacted. */
void       dmd_transcript_view_append   (DmdTranscriptView *self,
                                         char               dir,
                                         const char        *text);
void       dmd_transcript_view_set_lines (DmdTranscriptView *self,
                                          GPtrArray         *lines);  /* DmdTranscriptLine* */
guint      dmd_transcript_view_get_n_lines (DmdTranscriptView *self);

G_END_DECLS
