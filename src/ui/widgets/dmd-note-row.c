/* dmd-note-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-core.h"
#include "dmd-note-row.h"
#include "dmd-text.h"

struct _DmdNoteRow
{
  AdwPreferencesRow  parent_instance;

  GtkBox        *box;
  GtkWidget     *hint;     /* the hint's line, or NULL */
  GPtrArray     *notes;    /* GtkWidget* lines after the hint */
  char          *hint_text;
};

G_DEFINE_FINAL_TYPE (DmdNoteRow, dmd_note_row, ADW_TYPE_PREFERENCES_ROW)

static GtkWidget *
make_line (DmdNoteKind  kind,
           const char  *text)
{
  GtkWidget *line, *icon, *label;
  const char *icon_name, *style, *prefix;

  switch (kind)
    {
    case DMD_NOTE_ERROR:
      icon_name = "dialog-error-symbolic";
      style = "error";
      prefix = dmd_severity_word (DMD_SEVERITY_ERROR);
      break;
    case DMD_NOTE_WARNING:
      icon_name = "dialog-warning-symbolic";
      style = "warning";
      prefix = dmd_severity_word (DMD_SEVERITY_WARNING);
      break;
    case DMD_NOTE_INFO:
      icon_name = "dialog-information-symbolic";
      style = NULL;
      prefix = dmd_severity_word (DMD_SEVERITY_INFO);
      break;
    case DMD_NOTE_HINT:
    default:
      icon_name = "help-about-symbolic";
      style = "dim-label";
      prefix = NULL;
      break;
    }

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  icon = g_object_new (GTK_TYPE_IMAGE,
                       "icon-name", icon_name,
                       "valign", GTK_ALIGN_START,
                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                       NULL);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_set_hexpand (label, TRUE);
  /* Notes quote host names and addresses as typed. */
  dmd_text_no_hyphens (label);
  if (prefix != NULL)
    {
      /* Translators: an error/warning/note word, then its text, read out by a screen reader. */
      g_autofree char *spoken = g_strdup_printf (_("%s: %s"), prefix, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      spoken, -1);
    }
  gtk_widget_add_css_class (line, "note");
  if (style != NULL)
    {
      gtk_widget_add_css_class (icon, style);
      gtk_widget_add_css_class (label, style);
    }
  gtk_box_append (GTK_BOX (line), icon);
  gtk_box_append (GTK_BOX (line), label);
  return line;
}

static void
update_visible (DmdNoteRow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), self->hint != NULL || self->notes->len > 0);
}

/* A note is read with its field (it is the field's description), it is not a Tab stop. But a
 * boxed list hands the focus on row by row and gives up at a row that takes none, so that Tab
 * would leave the group at the first note and skip the fields after it: pass the focus on to
 * the next row in the direction of travel instead. */
static gboolean
dmd_note_row_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  gboolean forward;

  switch (direction)
    {
    case GTK_DIR_TAB_FORWARD:
    case GTK_DIR_DOWN:
      forward = TRUE;
      break;
    case GTK_DIR_TAB_BACKWARD:
    case GTK_DIR_UP:
      forward = FALSE;
      break;
    case GTK_DIR_LEFT:
    case GTK_DIR_RIGHT:
    default:
      return FALSE;
    }

  for (GtkWidget *next = forward ? gtk_widget_get_next_sibling (widget)
                                 : gtk_widget_get_prev_sibling (widget);
       next != NULL;
       next = forward ? gtk_widget_get_next_sibling (next) : gtk_widget_get_prev_sibling (next))
    {
      if (!GTK_IS_LIST_BOX_ROW (next) || !gtk_widget_get_visible (next) ||
          !gtk_widget_get_sensitive (next))
        continue;
      if (gtk_widget_child_focus (next, direction))
        return TRUE;
    }
  return FALSE;
}

static void
dmd_note_row_finalize (GObject *object)
{
  DmdNoteRow *self = DMD_NOTE_ROW (object);

  g_ptr_array_unref (self->notes);
  g_free (self->hint_text);

  G_OBJECT_CLASS (dmd_note_row_parent_class)->finalize (object);
}

static void
dmd_note_row_class_init (DmdNoteRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = dmd_note_row_finalize;
  widget_class->focus = dmd_note_row_focus;
}

static void
dmd_note_row_init (DmdNoteRow *self)
{
  self->notes = g_ptr_array_new ();
  self->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_margin_top (GTK_WIDGET (self->box), 8);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->box), 8);
  gtk_widget_set_margin_start (GTK_WIDGET (self->box), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->box), 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), GTK_WIDGET (self->box));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "note-row");
  update_visible (self);
}

GtkWidget *
dmd_note_row_new (void)
{
  return g_object_new (DMD_TYPE_NOTE_ROW, NULL);
}

void
dmd_note_row_set_hint (DmdNoteRow *self,
                       const char *hint)
{
  g_return_if_fail (DMD_IS_NOTE_ROW (self));

  if (self->hint != NULL)
    gtk_box_remove (self->box, self->hint);
  self->hint = NULL;
  g_free (self->hint_text);
  self->hint_text = g_strdup (hint);
  if (hint != NULL)
    {
      self->hint = make_line (DMD_NOTE_HINT, hint);
      gtk_box_prepend (self->box, self->hint);
    }
  update_visible (self);
}

void
dmd_note_row_clear (DmdNoteRow *self)
{
  g_return_if_fail (DMD_IS_NOTE_ROW (self));

  for (guint i = 0; i < self->notes->len; i++)
    gtk_box_remove (self->box, g_ptr_array_index (self->notes, i));
  g_ptr_array_set_size (self->notes, 0);
  update_visible (self);
}

void
dmd_note_row_add (DmdNoteRow  *self,
                  DmdNoteKind  kind,
                  const char  *text)
{
  GtkWidget *line;

  g_return_if_fail (DMD_IS_NOTE_ROW (self));
  g_return_if_fail (text != NULL);

  line = make_line (kind, text);
  g_object_set_data (G_OBJECT (line), "dmd-note-kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (line), "dmd-note-text", g_strdup (text), g_free);
  gtk_box_append (self->box, line);
  g_ptr_array_add (self->notes, line);
  update_visible (self);
}

guint
dmd_note_row_get_n_notes (DmdNoteRow *self)
{
  g_return_val_if_fail (DMD_IS_NOTE_ROW (self), 0);
  return self->notes->len;
}

char *
dmd_note_row_dup_text (DmdNoteRow *self)
{
  GString *text;

  g_return_val_if_fail (DMD_IS_NOTE_ROW (self), NULL);

  if (self->notes->len == 0 && self->hint_text == NULL)
    return NULL;
  text = g_string_new (self->hint_text);
  for (guint i = 0; i < self->notes->len; i++)
    {
      if (text->len > 0)
        g_string_append (text, "\n");
      g_string_append (text, g_object_get_data (g_ptr_array_index (self->notes, i), "dmd-note-text"));
    }
  return g_string_free (text, FALSE);
}
