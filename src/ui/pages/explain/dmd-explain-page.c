/* dmd-explain-page.c — a pasted reply line → the findings and their fixes
 *
 * The knowledge base's explain, dmd_explain_reply (the same as the CLI's `explain`), shown
 * with the results page's finding rows. The sending option starts at "Not sure" (every
 * option's reading, as the CLI without --option), whatever the last run checked: a pasted
 * line often comes from another device; the explanation follows the option chosen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-core.h"
#include "dmd-explain-page.h"
#include "dmd-finding-row.h"

struct _DmdExplainPage
{
  DmdPage              parent_instance;

  AdwPreferencesGroup *findings_group;
  AdwComboRow         *option_row;
  GtkTextView         *reply_view;
  GtkLabel            *status_label;
  AdwComboRow         *step_row;

  GPtrArray           *rows;
};

G_DEFINE_FINAL_TYPE (DmdExplainPage, dmd_explain_page, DMD_TYPE_PAGE)

/* In the order of the step combo row. */
static const DmdStep steps[] = {
  DMD_STEP_ANY, DMD_STEP_CONNECT, DMD_STEP_BANNER, DMD_STEP_EHLO, DMD_STEP_STARTTLS,
  DMD_STEP_AUTH, DMD_STEP_MAIL, DMD_STEP_RCPT, DMD_STEP_DATA,
};

static void
clear_rows (DmdExplainPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->findings_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
}

static void
explain (DmdExplainPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->reply_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr(DmdExplanation) explanation = NULL;
  DmdOption option = DMD_OPTION_SMTP_AUTH;
  gboolean option_known;
  DmdStep step;
  guint selected;

  clear_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->findings_group), FALSE);

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (*g_strstrip (text) == '\0')
    {
      gtk_label_set_text (self->status_label, _("The explanation appears here as soon as a reply is pasted."));
      return;
    }

  /* Row 0 is "Not sure"; then the options in their order. */
  selected = adw_combo_row_get_selected (self->option_row);
  option_known = selected >= 1 && selected <= DMD_N_OPTIONS;
  if (option_known)
    option = (DmdOption) (selected - 1);
  selected = adw_combo_row_get_selected (self->step_row);
  step = selected < G_N_ELEMENTS (steps) ? steps[selected] : DMD_STEP_ANY;

  explanation = dmd_explain_reply (text, option_known ? &option : NULL, step, DMD_AUTH_NONE,
                                   dmd_session_get_config (dmd_page_get_session (DMD_PAGE (self))));
  if (explanation == NULL)
    {
      gtk_label_set_text (self->status_label,
                          _("No reply code found. A server reply starts with three digits, such as 550 or 535."));
      return;
    }
  if (explanation->findings->len == 0)
    {
      gtk_label_set_text (self->status_label,
                          _("This reply means success: the server accepted what was sent."));
      return;
    }

  for (guint i = 0; i < explanation->findings->len; i++)
    {
      GtkWidget *row = dmd_finding_row_new (g_ptr_array_index (explanation->findings, i));

      if (self->rows->len == 0)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      adw_preferences_group_add (self->findings_group, row);
      g_ptr_array_add (self->rows, row);
    }

  if (explanation->depends_on_option)
    gtk_label_set_text (self->status_label,
                        _("This reply means different things for each sending option: what it can mean for each is below, the most likely first. Choose the device’s option to narrow it down."));
  else
    gtk_label_set_text (self->status_label,
                        self->rows->len > 1
                          ? _("This reply can have several causes, the most likely first.")
                          : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label),
                          explanation->depends_on_option || self->rows->len > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->findings_group), self->rows->len > 0);
}

static void
input_changed_cb (DmdExplainPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  explain (self);
}

static void
dmd_explain_page_shown (DmdPage *page)
{
  DmdExplainPage *self = DMD_EXPLAIN_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->reply_view));
}

static void
dmd_explain_page_constructed (GObject *object)
{
  DmdExplainPage *self = DMD_EXPLAIN_PAGE (object);

  G_OBJECT_CLASS (dmd_explain_page_parent_class)->constructed (object);

  explain (self);
}

static void
dmd_explain_page_dispose (GObject *object)
{
  DmdExplainPage *self = DMD_EXPLAIN_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (dmd_explain_page_parent_class)->dispose (object);
}

static void
dmd_explain_page_class_init (DmdExplainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  object_class->constructed = dmd_explain_page_constructed;
  object_class->dispose = dmd_explain_page_dispose;

  page_class->shown = dmd_explain_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-explain-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdExplainPage, findings_group);
  gtk_widget_class_bind_template_child (widget_class, DmdExplainPage, option_row);
  gtk_widget_class_bind_template_child (widget_class, DmdExplainPage, reply_view);
  gtk_widget_class_bind_template_child (widget_class, DmdExplainPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, DmdExplainPage, step_row);
  gtk_widget_class_bind_template_callback (widget_class, input_changed_cb);
}

static void
dmd_explain_page_init (DmdExplainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new ();
  for (guint i = 0; i < DMD_N_OPTIONS; i++)
    gtk_string_list_append (GTK_STRING_LIST (adw_combo_row_get_model (self->option_row)),
                            dmd_option_short_name (i));
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->reply_view), "changed",
                            G_CALLBACK (input_changed_cb), self);

  dmd_page_set_title (DMD_PAGE (self), _("Explain an Error Message"));
  dmd_page_set_has_forward (DMD_PAGE (self), FALSE);
  dmd_page_set_complete (DMD_PAGE (self), TRUE);
}

GtkWidget *
dmd_explain_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_EXPLAIN_PAGE, "session", session, NULL);
}

void
dmd_explain_page_set_text (DmdExplainPage *self,
                           const char     *text)
{
  g_return_if_fail (DMD_IS_EXPLAIN_PAGE (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->reply_view), text, -1);
}

guint
dmd_explain_page_get_n_findings (DmdExplainPage *self)
{
  g_return_val_if_fail (DMD_IS_EXPLAIN_PAGE (self), 0);
  return self->rows->len;
}
