/* dmd-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-text.h"

static gboolean
has_no_hyphens (PangoAttrList *attrs)
{
  GSList *list = pango_attr_list_get_attributes (attrs);
  gboolean found = FALSE;

  for (GSList *l = list; l != NULL && !found; l = l->next)
    {
      PangoAttribute *attribute = l->data;

      found = attribute->klass->type == PANGO_ATTR_INSERT_HYPHENS
              && !((PangoAttrInt *) attribute)->value;
    }
  g_slist_free_full (list, (GDestroyNotify) pango_attribute_destroy);
  return found;
}

static void
label_no_hyphens (GtkLabel *label)
{
  PangoAttrList *current = gtk_label_get_attributes (label);
  PangoAttrList *attrs;

  if (current != NULL && has_no_hyphens (current))
    return;
  attrs = current != NULL ? pango_attr_list_copy (current) : pango_attr_list_new ();
  /* Covers the whole text, whatever it becomes later (start 0, end G_MAXUINT). */
  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  pango_attr_list_unref (attrs);
}

void
dmd_text_no_hyphens (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (GTK_IS_LABEL (widget))
    label_no_hyphens (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    dmd_text_no_hyphens (child);
}

/* Not focusable is not enough: a selectable GtkLabel's focus vfunc claims the focus even
 * when it cannot take it, and Tab would stop there for nothing. can-focus FALSE keeps Tab
 * from asking it at all. */
static void
set_takes_focus (GtkWidget *label,
                 gboolean   takes)
{
  gtk_widget_set_can_focus (label, takes);
  gtk_widget_set_focusable (label, takes);
}

static void
quiet_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkWidget       *label)
{
  set_takes_focus (label, TRUE);
}

static void
quiet_leave_cb (GtkEventControllerFocus *controller,
                GtkWidget               *label)
{
  set_takes_focus (label, FALSE);
}

void
dmd_text_selectable_quietly (GtkLabel *label)
{
  GtkGesture *click;
  GtkEventController *focus;

  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_label_set_selectable (label, TRUE);
  set_takes_focus (GTK_WIDGET (label), FALSE);
  if (g_object_get_data (G_OBJECT (label), "dmd-quiet") != NULL)
    return;
  g_object_set_data (G_OBJECT (label), "dmd-quiet", GINT_TO_POINTER (1));

  /* Before the label's own gesture, which grabs focus and starts the selection. */
  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed", G_CALLBACK (quiet_pressed_cb), label, 0);
  gtk_widget_add_controller (GTK_WIDGET (label), GTK_EVENT_CONTROLLER (click));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (quiet_leave_cb), label, 0);
  gtk_widget_add_controller (GTK_WIDGET (label), focus);
}

GtkTextTag *
dmd_text_no_hyphens_tag (GtkTextBuffer *buffer)
{
  GtkTextTag *tag;

  g_return_val_if_fail (GTK_IS_TEXT_BUFFER (buffer), NULL);

  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), DMD_TEXT_NO_HYPHENS_TAG);
  if (tag == NULL)
    tag = gtk_text_buffer_create_tag (buffer, DMD_TEXT_NO_HYPHENS_TAG, "insert-hyphens", FALSE, NULL);
  return tag;
}
