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
