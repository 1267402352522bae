/* dmd-option-page.c — one row per sending option and the "Not sure?" questionnaire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-option-page.h"
#include "dmd-text.h"

struct _DmdOptionPage
{
  DmdPage          parent_instance;

  AdwComboRow          *login_row;
  AdwComboRow          *oauth_row;
  AdwPreferencesGroup  *options_group;
  AdwComboRow          *outside_row;
  AdwExpanderRow       *questions_row;
  AdwEntryRow          *server_field_row;
  AdwComboRow          *static_ip_row;
  GtkImage             *suggestion_icon;
  GtkLabel             *suggestion_label;
  GtkListBoxRow        *suggestion_row;

  GtkCheckButton       *checks[DMD_N_OPTIONS];  /* one per row of the options table */
  gboolean              syncing;
};

G_DEFINE_FINAL_TYPE (DmdOptionPage, dmd_option_page, DMD_TYPE_PAGE)

static GtkCheckButton *
check_for_option (DmdOptionPage *self,
                  DmdOption      option)
{
  g_assert ((guint) option < DMD_N_OPTIONS);
  return self->checks[option];
}

static void
sync_from_session (DmdOptionPage *self)
{
  DmdOption option = dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self)));

  self->syncing = TRUE;
  gtk_check_button_set_active (check_for_option (self, option), TRUE);
  self->syncing = FALSE;
}

static void
check_toggled_cb (DmdOptionPage  *self,
                  GtkCheckButton *check)
{
  if (self->syncing || dmd_page_get_session (DMD_PAGE (self)) == NULL
      || !gtk_check_button_get_active (check))
    return;

  for (guint i = 0; i < DMD_N_OPTIONS; i++)
    if (check == self->checks[i])
      dmd_session_set_option (dmd_page_get_session (DMD_PAGE (self)), (DmdOption) i);
}

/* One row per option: its name, its subtitle, a check button in one group. */
static void
add_option_rows (DmdOptionPage *self)
{
  guint n_options;
  const DmdOptionInfo *infos = dmd_options_get_all (&n_options);

  for (guint i = 0; i < n_options; i++)
    {
      const DmdOptionInfo *info = &infos[i];
      AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(info->name));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (row, _(info->subtitle));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      /* No Tab stop of its own: the row is one (one stop per option, as a radio group), and
       * activating it checks the button. */
      gtk_widget_set_focusable (check, FALSE);
      if (i > 0)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), self->checks[0]);
      g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (row, check);
      /* The check button takes its accessible name from the row's title. */
      adw_action_row_set_activatable_widget (row, check);
      if (info->first_choice)
        {
          GtkWidget *tag = gtk_label_new (C_("tag", "Recommended"));

          gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (tag, "tag");
          adw_action_row_add_suffix (row, tag);
        }
      adw_preferences_group_add (self->options_group, GTK_WIDGET (row));
      self->checks[info->option] = GTK_CHECK_BUTTON (check);
    }
}

static DmdAnswer
answer_of (AdwComboRow *row)
{
  switch (adw_combo_row_get_selected (row))
    {
    case 1:
      return DMD_ANSWER_YES;
    case 2:
      return DMD_ANSWER_NO;
    default:
      return DMD_ANSWER_UNKNOWN;
    }
}

static void
answer_changed_cb (DmdOptionPage *self)
{
  DmdOption option;
  const char *reason;
  DmdAnswer has_login = answer_of (self->login_row);
  DmdAnswer outside = answer_of (self->outside_row);

  /* OAuth only matters for a device that signs in; the static IP only for a device that
   * cannot sign in and mails outside. */
  gtk_widget_set_visible (GTK_WIDGET (self->oauth_row), has_login == DMD_ANSWER_YES);
  gtk_widget_set_visible (GTK_WIDGET (self->static_ip_row),
                          has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_YES);

  if (dmd_options_suggest (has_login,
                           has_login == DMD_ANSWER_YES ? answer_of (self->oauth_row)
                                                       : DMD_ANSWER_UNKNOWN,
                           outside, answer_of (self->static_ip_row),
                           gtk_editable_get_text (GTK_EDITABLE (self->server_field_row)),
                           &option, &reason))
    {
      /* The reason names the option it chose (and the row above shows it checked): no
       * "Chosen: SMTP relay." before "…: SMTP relay, through a connector". */
      gtk_label_set_text (self->suggestion_label, reason);
      gtk_image_set_from_icon_name (self->suggestion_icon, "emblem-ok-symbolic");
      gtk_check_button_set_active (check_for_option (self, option), TRUE);
    }
  else
    {
      gtk_label_set_text (self->suggestion_label,
                          _("Answer the questions above, or type what is in the device’s server field."));
      gtk_image_set_from_icon_name (self->suggestion_icon, "dialog-information-symbolic");
    }
}

static void
session_option_changed_cb (DmdOptionPage *self)
{
  sync_from_session (self);
}

/* Arriving on the page, the chosen option has the focus: Space or Enter keeps it, the arrow
 * keys move to the others. */
static void
dmd_option_page_shown (DmdPage *page)
{
  DmdOptionPage *self = DMD_OPTION_PAGE (page);
  DmdOption option = dmd_session_get_option (dmd_page_get_session (page));
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (check_for_option (self, option)),
                                            ADW_TYPE_ACTION_ROW);

  gtk_widget_grab_focus (row);
}

static void
dmd_option_page_constructed (GObject *object)
{
  DmdOptionPage *self = DMD_OPTION_PAGE (object);

  G_OBJECT_CLASS (dmd_option_page_parent_class)->constructed (object);

  g_signal_connect_object (dmd_page_get_session (DMD_PAGE (self)), "notify::option",
                           G_CALLBACK (session_option_changed_cb), self, G_CONNECT_SWAPPED);
  sync_from_session (self);
}

static void
dmd_option_page_class_init (DmdOptionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = dmd_option_page_constructed;
  DMD_PAGE_CLASS (klass)->shown = dmd_option_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-option-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, oauth_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, options_group);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, outside_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, questions_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, server_field_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, static_ip_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_icon);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_label);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_row);
  gtk_widget_class_bind_template_callback (widget_class, answer_changed_cb);
}

static void
dmd_option_page_init (DmdOptionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  adw_preferences_group_set_description (self->options_group,
                                         _("Microsoft 365 offers these ways to send mail. Each needs different settings on the device."));
  add_option_rows (self);

  dmd_page_set_title (DMD_PAGE (self), _("Sending Option"));
  dmd_page_set_complete (DMD_PAGE (self), TRUE);

  /* The suggestion can be selected and copied, but is no Tab stop. */
  dmd_text_selectable_quietly (self->suggestion_label);
  answer_changed_cb (self);
}

GtkWidget *
dmd_option_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_OPTION_PAGE, "session", session, NULL);
}
