/* dmd-note-row.h — a row under a field: hints, validation errors and pre-flight findings
 *
 * An AdwPreferencesRow (not a bare GtkListBoxRow) so that AdwPreferencesGroup puts it in its
 * boxed list, right under the field it is about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef enum {
  DMD_NOTE_HINT,     /* what the field must hold (always shown) */
  DMD_NOTE_INFO,
  DMD_NOTE_WARNING,
  DMD_NOTE_ERROR,
} DmdNoteKind;

#define DMD_TYPE_NOTE_ROW (dmd_note_row_get_type ())
G_DECLARE_FINAL_TYPE (DmdNoteRow, dmd_note_row, DMD, NOTE_ROW, AdwPreferencesRow)

GtkWidget  *dmd_note_row_new        (void);
/* A hint that stays until set again (NULL clears it). */
void        dmd_note_row_set_hint   (DmdNoteRow  *self,
                                     const char  *hint);
/* Remove the errors and findings (not the hint). */
void        dmd_note_row_clear      (DmdNoteRow  *self);
void        dmd_note_row_add        (DmdNoteRow  *self,
                                     DmdNoteKind  kind,
                                     const char  *text);
guint       dmd_note_row_get_n_notes (DmdNoteRow *self);
/* The hint and the notes as one text (for an accessible description), or NULL. */
char       *dmd_note_row_dup_text   (DmdNoteRow  *self);

G_END_DECLS
