/* dmd-option-page.c — three option rows and the "Not sure?" questionnaire
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

  GtkCheckButton  *direct_send_check;
  AdwComboRow     *login_row;
  AdwComboRow     *outside_row;
  AdwExpanderRow  *questions_row;
  GtkCheckButton  *relay_check;
  AdwEntryRow     *server_field_row;
  GtkCheckButton  *smtp_auth_check;
  AdwComboRow     *static_ip_row;
  GtkImage        *suggestion_icon;
  GtkLabel        *suggestion_label;
  GtkListBoxRow   *suggestion_row;

  gboolean         syncing;
};

G_DEFINE_FINAL_TYPE (DmdOptionPage, dmd_option_page, DMD_TYPE_PAGE)

gboolean
dmd_option_suggest (DmdAnswer    has_login,
                    DmdAnswer    outside,
                    DmdAnswer    static_ip,
                    const char  *server_field,
                    DmdOption   *out_option,
                    const char **out_reason)
{
  g_autofree char *host = NULL;
  DmdOption option;
  const char *reason = NULL;

  if (server_field != NULL)
    host = g_strstrip (g_ascii_strdown (server_field, -1));

  if (host != NULL && *host != '\0')
    {
      if (dmd_host_is_smtp_auth_endpoint (host))
        {
          option = DMD_OPTION_SMTP_AUTH;
          reason = _("The server field holds Microsoft 365’s sign-in endpoint: the device uses SMTP AUTH client submission.");
        }
      else if (dmd_host_is_mx_endpoint (host) && outside == DMD_ANSWER_YES)
        {
          option = DMD_OPTION_RELAY;
          reason = _("The server field holds the organization’s MX endpoint and the device mails people outside the organization: that is SMTP relay through a connector.");
        }
      else if (dmd_host_is_mx_endpoint (host) && outside == DMD_ANSWER_NO)
        {
          option = DMD_OPTION_DIRECT_SEND;
          reason = _("The server field holds the organization’s MX endpoint and the device mails only people inside the organization: that is Direct Send.");
        }
      else if (dmd_host_is_mx_endpoint (host))
        {
          option = DMD_OPTION_DIRECT_SEND;
          reason = _("The server field holds the organization’s MX endpoint: that is Direct Send, or SMTP relay when a connector exists. If it must mail people outside the organization, choose SMTP relay.");
        }
    }

  if (reason == NULL)
    {
      if (has_login == DMD_ANSWER_YES)
        {
          option = DMD_OPTION_SMTP_AUTH;
          reason = _("The device can sign in: SMTP AUTH client submission mails anyone and needs nothing from the site’s network. Microsoft recommends it.");
        }
      else if (has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_NO)
        {
          option = DMD_OPTION_DIRECT_SEND;
          reason = _("The device cannot sign in and mails only people inside the organization: Direct Send needs no sign-in and no connector.");
        }
      else if (has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_YES && static_ip == DMD_ANSWER_YES)
        {
          option = DMD_OPTION_RELAY;
          reason = _("The device cannot sign in but must mail people outside the organization: SMTP relay, through a connector that trusts the site’s static public IP address.");
        }
      else if (has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_YES && static_ip == DMD_ANSWER_NO)
        {
          option = DMD_OPTION_RELAY;
          reason = _("The device cannot sign in and must mail people outside the organization, but the site has no static public IP address: only SMTP relay through a connector that trusts a certificate fits, and the device must present that certificate.");
        }
      else if (has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_YES)
        {
          option = DMD_OPTION_RELAY;
          reason = _("The device cannot sign in but must mail people outside the organization: SMTP relay, through a connector that trusts the site’s static public IP address or a certificate.");
        }
    }

  if (reason == NULL)
    return FALSE;

  if (out_option != NULL)
    *out_option = option;
  if (out_reason != NULL)
    *out_reason = reason;
  return TRUE;
}

static GtkCheckButton *
check_for_option (DmdOptionPage *self,
                  DmdOption      option)
{
  switch (option)
    {
    case DMD_OPTION_SMTP_AUTH:
      return self->smtp_auth_check;
    case DMD_OPTION_DIRECT_SEND:
      return self->direct_send_check;
    case DMD_OPTION_RELAY:
      return self->relay_check;
    default:
      g_assert_not_reached ();
    }
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

  if (check == self->smtp_auth_check)
    dmd_session_set_option (dmd_page_get_session (DMD_PAGE (self)), DMD_OPTION_SMTP_AUTH);
  else if (check == self->direct_send_check)
    dmd_session_set_option (dmd_page_get_session (DMD_PAGE (self)), DMD_OPTION_DIRECT_SEND);
  else if (check == self->relay_check)
    dmd_session_set_option (dmd_page_get_session (DMD_PAGE (self)), DMD_OPTION_RELAY);
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

  /* The static IP only matters for a device that cannot sign in and mails outside. */
  gtk_widget_set_visible (GTK_WIDGET (self->static_ip_row),
                          has_login == DMD_ANSWER_NO && outside == DMD_ANSWER_YES);

  if (dmd_option_suggest (has_login, outside, answer_of (self->static_ip_row),
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
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, direct_send_check);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, outside_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, questions_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, relay_check);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, server_field_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, smtp_auth_check);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, static_ip_row);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_icon);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_label);
  gtk_widget_class_bind_template_child (widget_class, DmdOptionPage, suggestion_row);
  gtk_widget_class_bind_template_callback (widget_class, answer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_toggled_cb);
}

static void
dmd_option_page_init (DmdOptionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  dmd_page_set_title (DMD_PAGE (self), _("Sending Option"));
  dmd_page_set_complete (DMD_PAGE (self), TRUE);

  /* The check buttons take their accessible name from their row's title (AdwActionRow's
   * activatable widget is labelled by it). They are no Tab stops of their own: the row is
   * (one stop per option, as a radio group), and activating it checks the button. */
  dmd_text_selectable_quietly (self->suggestion_label);
  answer_changed_cb (self);
}

GtkWidget *
dmd_option_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_OPTION_PAGE, "session", session, NULL);
}
