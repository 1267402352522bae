/* dmd-finding-row.c
 *
 * The title is the expander row's own (libadwaita 1.2 wraps it: its header is an
 * AdwActionRow whose title is not limited to a line), so it is not repeated inside. Every text
 * comes from the finding as plain text (no markup): evidence is server-controlled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-finding-row.h"
#include "dmd-text.h"

struct _DmdFindingRow
{
  AdwExpanderRow  parent_instance;

  char           *finding_id;
};

G_DEFINE_FINAL_TYPE (DmdFindingRow, dmd_finding_row, ADW_TYPE_EXPANDER_ROW)

const char *
dmd_severity_icon_name (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_ERROR:
      return "dialog-error-symbolic";
    case DMD_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case DMD_SEVERITY_INFO:
    default:
      return "dialog-information-symbolic";
    }
}

static const char *
severity_style (DmdSeverity severity)
{
  switch (severity)
    {
    case DMD_SEVERITY_ERROR:
      return "error";
    case DMD_SEVERITY_WARNING:
      return "warning";
    case DMD_SEVERITY_INFO:
    default:
      return "accent";
    }
}

const char *
dmd_finding_audience_text (const DmdFinding *finding)
{
  gboolean technician = FALSE, admin = FALSE;

  g_return_val_if_fail (finding != NULL, NULL);

  for (guint i = 0; finding->fixes != NULL && i < finding->fixes->len; i++)
    {
      const DmdFix *fix = g_ptr_array_index (finding->fixes, i);

      if (fix->audience == DMD_AUDIENCE_TECHNICIAN)
        technician = TRUE;
      else if (fix->audience == DMD_AUDIENCE_ADMIN)
        admin = TRUE;
    }

  if (technician && admin)
    return _("Fix at the device and by the admin");
  if (admin)
    return _("Fix by the admin");
  if (technician)
    return _("Fix at the device");
  return NULL;
}

static GtkWidget *
label_new (const char *text,
           const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

static GtkWidget *
heading_new (const char *text)
{
  GtkWidget *label = label_new (text, "heading");

  gtk_widget_set_margin_top (label, 6);
  return label;
}

static void
copy_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  const char *command = g_object_get_data (G_OBJECT (button), "dmd-command");
  GtkWidget *overlay;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), command);

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (_("Command copied")));
}

/* A command in a monospace box with a Copy button. */
GtkWidget *
dmd_command_box_new (const char *command)
{
  GtkWidget *box, *label, *button;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (box, "evidence");
  gtk_widget_add_css_class (box, "command");

  label = label_new (command, "monospace");
  dmd_text_selectable_quietly (GTK_LABEL (label));
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  command, -1);

  button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Copy command"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Copy command"), -1);
  g_object_set_data_full (G_OBJECT (button), "dmd-command", g_strdup (command), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static GtkWidget *
fix_new (guint         number,
         const DmdFix *fix)
{
  GtkWidget *box, *num, *content, *tag;
  g_autofree char *number_text = NULL;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  /* Translators: the number of a fix step, as in "1." */
  number_text = g_strdup_printf (_("%u."), number);
  num = gtk_label_new (number_text);
  gtk_widget_set_valign (num, GTK_ALIGN_START);
  gtk_widget_add_css_class (num, "numeric");
  gtk_widget_add_css_class (num, "heading");
  gtk_box_append (GTK_BOX (box), num);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_hexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);

  gtk_box_append (GTK_BOX (content), label_new (fix->text, NULL));
  if (fix->audience != DMD_AUDIENCE_ANYONE)
    {
      tag = gtk_label_new (dmd_audience_word (fix->audience));
      gtk_widget_set_halign (tag, GTK_ALIGN_START);
      gtk_widget_add_css_class (tag, "tag");
      gtk_widget_add_css_class (tag, fix->audience == DMD_AUDIENCE_ADMIN ? "admin" : "technician");
      gtk_box_append (GTK_BOX (content), tag);
    }
  if (fix->command != NULL && *fix->command != '\0')
    gtk_box_append (GTK_BOX (content), dmd_command_box_new (fix->command));
  if (fix->url != NULL && *fix->url != '\0')
    {
      GtkWidget *link = gtk_link_button_new_with_label (fix->url, _("Microsoft’s documentation"));

      gtk_widget_set_halign (link, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (link, fix->url);
      gtk_box_append (GTK_BOX (content), link);
    }
  return box;
}

static void
fill (DmdFindingRow    *self,
      const DmdFinding *finding)
{
  AdwExpanderRow *row = ADW_EXPANDER_ROW (self);
  GtkWidget *icon, *list_row, *box;
  const char *audience = dmd_finding_audience_text (finding);
  g_autofree char *subtitle = NULL;
  g_autofree char *spoken = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), finding->title ? finding->title : finding->id);
  if (audience != NULL)
    /* Translators: "Error · Fix by the admin" under a finding's title. */
    subtitle = g_strdup_printf (_("%s · %s"), dmd_severity_word (finding->severity), audience);
  else
    subtitle = g_strdup (dmd_severity_word (finding->severity));
  adw_expander_row_set_subtitle (row, subtitle);

  icon = g_object_new (GTK_TYPE_IMAGE,
                       "icon-name", dmd_severity_icon_name (finding->severity),
                       "valign", GTK_ALIGN_CENTER,
                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                       NULL);
  gtk_widget_add_css_class (icon, severity_style (finding->severity));
  adw_expander_row_add_prefix (row, icon);

  /* Translators: what a screen reader says for a finding: severity, then its title. */
  spoken = g_strdup_printf (_("%s: %s"), dmd_severity_word (finding->severity),
                            finding->title ? finding->title : finding->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  if (finding->evidence != NULL && *finding->evidence != '\0')
    {
      GtkWidget *evidence = label_new (finding->evidence, "evidence");

      gtk_widget_add_css_class (evidence, "monospace");
      dmd_text_selectable_quietly (GTK_LABEL (evidence));
      gtk_box_append (GTK_BOX (box), heading_new (_("What happened")));
      gtk_box_append (GTK_BOX (box), evidence);
    }

  if (finding->explanation != NULL && *finding->explanation != '\0')
    {
      GtkWidget *explanation = label_new (finding->explanation, NULL);

      dmd_text_selectable_quietly (GTK_LABEL (explanation));
      gtk_box_append (GTK_BOX (box), heading_new (_("Why")));
      gtk_box_append (GTK_BOX (box), explanation);
    }

  if (finding->fixes != NULL && finding->fixes->len > 0)
    {
      GtkWidget *fixes = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

      gtk_box_append (GTK_BOX (box), heading_new (_("How to fix it")));
      for (guint i = 0; i < finding->fixes->len; i++)
        gtk_box_append (GTK_BOX (fixes), fix_new (i + 1, g_ptr_array_index (finding->fixes, i)));
      gtk_box_append (GTK_BOX (box), fixes);
    }

  /* The finding id, for those who search for it or report it. */
  {
    GtkWidget *id = label_new (finding->id, "dim-label");

    gtk_widget_add_css_class (id, "caption");
    dmd_text_selectable_quietly (GTK_LABEL (id));
    gtk_widget_set_margin_top (id, 6);
    gtk_box_append (GTK_BOX (box), id);
  }

  list_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (list_row), FALSE);
  gtk_widget_set_focusable (list_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), box);
  adw_expander_row_add_row (row, list_row);

  /* Evidence, commands and host names are copied by eye: Pango must not add hyphens to
   * them (nor to the title, which may quote a server's words). */
  dmd_text_no_hyphens (GTK_WIDGET (self));
}

static void
dmd_finding_row_finalize (GObject *object)
{
  DmdFindingRow *self = DMD_FINDING_ROW (object);

  g_free (self->finding_id);

  G_OBJECT_CLASS (dmd_finding_row_parent_class)->finalize (object);
}

static void
dmd_finding_row_class_init (DmdFindingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dmd_finding_row_finalize;
}

static void
dmd_finding_row_init (DmdFindingRow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "finding");
}

GtkWidget *
dmd_finding_row_new (const DmdFinding *finding)
{
  DmdFindingRow *self;

  g_return_val_if_fail (finding != NULL, NULL);

  self = g_object_new (DMD_TYPE_FINDING_ROW, NULL);
  self->finding_id = g_strdup (finding->id);
  fill (self, finding);
  return GTK_WIDGET (self);
}

const char *
dmd_finding_row_get_finding_id (DmdFindingRow *self)
{
  g_return_val_if_fail (DMD_IS_FINDING_ROW (self), NULL);
  return self->finding_id;
}
