/* dmd-device-code-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-device-code-dialog.h"
#include "dmd-qr.h"

#define QR_MODULE_PX 4

struct _DmdDeviceCodeDialog
{
  AdwMessageDialog  parent_instance;

  char             *user_code;
  gint64            ends;          /* monotonic µs */
  guint             tick_id;
  GtkLabel         *code_label;
  GtkButton        *copy_button;
  GtkLabel         *countdown_label;
};

G_DEFINE_FINAL_TYPE (DmdDeviceCodeDialog, dmd_device_code_dialog, ADW_TYPE_MESSAGE_DIALOG)

guint
dmd_device_code_dialog_get_seconds_left (DmdDeviceCodeDialog *self)
{
  gint64 left;

  g_return_val_if_fail (DMD_IS_DEVICE_CODE_DIALOG (self), 0);

  left = self->ends - g_get_monotonic_time ();
  return left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

static gboolean
tick_cb (gpointer data)
{
  DmdDeviceCodeDialog *self = data;
  guint left = dmd_device_code_dialog_get_seconds_left (self);
  g_autofree char *text = NULL;

  if (left == 0)
    {
      gtk_label_set_text (self->countdown_label, _("The code has expired."));
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  /* Translators: the time left to enter the code, as minutes:seconds */
  text = g_strdup_printf (_("The code expires in %u:%02u."), left / 60, left % 60);
  gtk_label_set_text (self->countdown_label, text);
  return G_SOURCE_CONTINUE;
}

static void
copy_clicked_cb (DmdDeviceCodeDialog *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->user_code);
  gtk_button_set_label (self->copy_button, _("Copied"));
}

static void
dmd_device_code_dialog_dispose (GObject *object)
{
  DmdDeviceCodeDialog *self = DMD_DEVICE_CODE_DIALOG (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  G_OBJECT_CLASS (dmd_device_code_dialog_parent_class)->dispose (object);
}

static void
dmd_device_code_dialog_finalize (GObject *object)
{
  DmdDeviceCodeDialog *self = DMD_DEVICE_CODE_DIALOG (object);

  g_free (self->user_code);

  G_OBJECT_CLASS (dmd_device_code_dialog_parent_class)->finalize (object);
}

static void
dmd_device_code_dialog_class_init (DmdDeviceCodeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dmd_device_code_dialog_dispose;
  object_class->finalize = dmd_device_code_dialog_finalize;
}

static void
dmd_device_code_dialog_init (DmdDeviceCodeDialog *self)
{
}

/* The code, with Copy; the address as a link and a QR code; the time left. */
static GtkWidget *
build_content (DmdDeviceCodeDialog *self,
               const char          *verification_uri)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *link = gtk_link_button_new (verification_uri);
  g_autoptr(GdkTexture) qr = dmd_qr_texture_new (verification_uri, QR_MODULE_PX);
  g_autofree char *qr_name = NULL;

  self->code_label = GTK_LABEL (gtk_label_new (self->user_code));
  gtk_label_set_selectable (self->code_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "title-1");
  gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->code_label));

  self->copy_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("C_opy Code")));
  gtk_widget_add_css_class (GTK_WIDGET (self->copy_button), "pill");
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  gtk_widget_set_halign (actions, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (actions), GTK_WIDGET (self->copy_button));
  gtk_box_append (GTK_BOX (actions), link);
  gtk_box_append (GTK_BOX (box), actions);

  if (qr != NULL)
    {
      GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (qr));

      gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
      gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
      /* Translators: the accessible name of the QR code; %s is the sign-in address */
      qr_name = g_strdup_printf (_("QR code of %s"), verification_uri);
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, qr_name, -1);
      gtk_box_append (GTK_BOX (box), picture);
    }

  self->countdown_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->countdown_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->countdown_label), "numeric");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->countdown_label));
  return box;
}

GtkWidget *
dmd_device_code_dialog_new (GtkWindow  *parent,
                            const char *verification_uri,
                            const char *user_code,
                            guint       expires_in,
                            const char *mailbox)
{
  DmdDeviceCodeDialog *self;
  g_autofree char *body = NULL;

  g_return_val_if_fail (verification_uri != NULL && user_code != NULL, NULL);

  if (mailbox != NULL && *mailbox != '\0')
    /* Translators: %s is the mailbox the device signs in as */
    body = g_strdup_printf (_("On this computer or on a phone, open the address below (or "
                              "scan the QR code), enter the code, and sign in as %s. The "
                              "checks go on once the sign-in is done."), mailbox);
  else
    body = g_strdup (_("On this computer or on a phone, open the address below (or scan the "
                       "QR code), enter the code, and sign in with the device’s mailbox. The "
                       "checks go on once the sign-in is done."));

  self = g_object_new (DMD_TYPE_DEVICE_CODE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", _("Sign In with Microsoft"),
                       "body", body,
                       NULL);
  self->user_code = g_strdup (user_code);
  self->ends = g_get_monotonic_time () + (gint64) expires_in * G_USEC_PER_SEC;
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self),
                                      build_content (self, verification_uri));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");
  tick_cb (self);
  self->tick_id = g_timeout_add (1000, tick_cb, self);
  return GTK_WIDGET (self);
}

const char *
dmd_device_code_dialog_get_user_code (DmdDeviceCodeDialog *self)
{
  g_return_val_if_fail (DMD_IS_DEVICE_CODE_DIALOG (self), NULL);
  return self->user_code;
}
