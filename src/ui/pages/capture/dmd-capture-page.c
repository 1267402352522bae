/* dmd-capture-page.c — "Test the device itself": start DmdCapture, show what to type into
 * the device, the device's conversation as it happens, and the verdict per sending option.
 *
 * Everything the device sent comes from the engine already escaped for display and is shown
 * as plain text (never markup).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-capture-page.h"
#include "dmd-finding-row.h"
#include "dmd-text.h"
#include "dmd-transcript-view.h"

struct _DmdCapturePage
{
  DmdPage            parent_instance;

  AdwPreferencesGroup *connect_group;
  AdwActionRow      *error_row;
  GtkBox            *log_box;
  GtkLabel          *log_heading;
  DmdTranscriptView *log_view;
  AdwEntryRow       *port_row;
  GtkBox            *running_box;
  AdwPreferencesGroup *setup_group;
  GtkSpinner        *spinner;
  GtkButton         *start_button;
  GtkLabel          *status_label;
  GtkButton         *stop_button;
  GtkBox            *verdict_box;

  DmdCapture        *capture;
  GCancellable      *cancellable;
  DmdCaptureResult  *result;
  GPtrArray         *connect_rows;   /* rows added to connect_group */
  guint              n_connections;

  gboolean           test_mode;
  guint16            test_port;
  char              *test_data_dir;
};

G_DEFINE_FINAL_TYPE (DmdCapturePage, dmd_capture_page, DMD_TYPE_PAGE)

static void
copy_clicked_cb (GtkButton *button)
{
  const char *text = g_object_get_data (G_OBJECT (button), "dmd-copy-text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
}

/* A row with a caption, the value big and selectable, and a Copy button. */
static GtkWidget *
value_row_new (const char *caption,
               const char *value,
               const char *copy_label,
               gboolean    big)
{
  GtkWidget *row, *box, *text_box, *caption_label, *value_label, *button;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (text_box, TRUE);
  caption_label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_label_set_wrap (GTK_LABEL (caption_label), TRUE);
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_widget_add_css_class (caption_label, "caption");
  value_label = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  dmd_text_selectable_quietly (GTK_LABEL (value_label));
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value_label), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (value_label, big ? "title-2" : "monospace");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption_label, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (text_box), caption_label);
  gtk_box_append (GTK_BOX (text_box), value_label);
  gtk_box_append (GTK_BOX (box), text_box);

  button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Copy"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, copy_label, -1);
  g_object_set_data_full (G_OBJECT (button), "dmd-copy-text", g_strdup (value), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);
  gtk_box_append (GTK_BOX (box), button);

  /* A preferences row, so that the group puts it into its boxed list. */
  row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), caption);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
clear_connect_rows (DmdCapturePage *self)
{
  for (guint i = 0; i < self->connect_rows->len; i++)
    adw_preferences_group_remove (self->connect_group, g_ptr_array_index (self->connect_rows, i));
  g_ptr_array_set_size (self->connect_rows, 0);
}

static void
add_connect_row (DmdCapturePage *self,
                 GtkWidget      *row)
{
  adw_preferences_group_add (self->connect_group, row);
  g_ptr_array_add (self->connect_rows, row);
}

static void
clear_verdicts (DmdCapturePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->verdict_box))) != NULL)
    gtk_box_remove (self->verdict_box, child);
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_box), FALSE);
}

static void
show_error (DmdCapturePage *self,
            const char     *message,
            const char     *hint)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), message);
  adw_action_row_set_subtitle (self->error_row, hint ? hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->port_row), "error");
}

static void
hide_error (DmdCapturePage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->port_row), "error");
}

static void
set_running (DmdCapturePage *self,
             gboolean        running)
{
  /* Not insensitive: the focused entry would lose focus without an event (GTK 4.8 warns). */
  gtk_editable_set_editable (GTK_EDITABLE (self->port_row), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), !running);
  /* While listening, the port shows where the device needs it; after, what was found. */
  gtk_widget_set_visible (GTK_WIDGET (self->setup_group), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->connect_group), running);
  gtk_widget_set_visible (GTK_WIDGET (self->running_box), running);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), TRUE);
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
}

/* Ends a capture without a verdict (the page was left). */
static void
abandon (DmdCapturePage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->capture != NULL)
    g_signal_handlers_disconnect_by_data (self->capture, self);
  g_clear_object (&self->capture);
}

static const char *
end_text (const DmdCaptureResult *result)
{
  if (result->sessions->len == 0)
    return _("The device did not connect. Check the address and port in the device, and allow "
             "the port in this computer’s firewall.");
  switch (result->end)
    {
    case DMD_CAPTURE_END_IDLE:
      return _("The device went quiet, so the capture ended.");
    case DMD_CAPTURE_END_TIMEOUT:
      return _("The time limit passed, so the capture ended.");
    case DMD_CAPTURE_END_STOPPED:
    default:
      return _("The capture was stopped.");
    }
}

static GtkWidget *
verdict_group_new (const DmdCaptureVerdict *verdict)
{
  GtkWidget *group, *row, *icon, *check;
  const char *title, *subtitle, *icon_name, *style;
  g_autofree char *spoken = NULL;

  if (verdict->usable)
    {
      title = _("Usable");
      subtitle = _("Nothing the device did stands in the way of this option.");
      icon_name = "emblem-ok-symbolic";
      style = "success";
    }
  else if (dmd_capture_verdict_is_unproven (verdict))
    {
      title = _("Not known yet");
      subtitle = _("No message from the device went through to the end. Send a test email "
                   "from it and let it finish.");
      icon_name = "dialog-information-symbolic";
      style = "warning";
    }
  else if (verdict->judged)
    {
      title = _("Not usable");
      subtitle = _("Not as the device is set up now: see the problems below.");
      icon_name = "dialog-error-symbolic";
      style = "error";
    }
  else
    {
      title = _("Not tested");
      subtitle = _("The device did not get past the greeting. Send a test email from it, not "
                   "only a connection test.");
      icon_name = "dialog-information-symbolic";
      style = "dim-label";
    }

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                   dmd_option_display_name (verdict->option));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_widget_add_css_class (icon, style);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "dmd-verdict-row");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  /* Check it from this computer, with what the device showed already typed in: a row of
   * its own, which fits 360 px (a header button would cut the option's name short). */
  check = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (check), _("Check This Option"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (check),
                               _("From this computer, with what the device showed filled in"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (check), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (check), "win.check-option");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (check), "s",
                                    dmd_option_to_string (verdict->option));
  /* Translators: the row under an option's verdict, read out with the option's name. */
  spoken = g_strdup_printf (_("Check %s"), dmd_option_display_name (verdict->option));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  spoken, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (check),
                             g_object_new (GTK_TYPE_IMAGE, "icon-name", "go-next-symbolic",
                                           "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                           NULL));
  gtk_widget_add_css_class (check, "dmd-check-option-row");

  for (guint i = 0; verdict->findings != NULL && i < verdict->findings->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               dmd_finding_row_new (g_ptr_array_index (verdict->findings, i)));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), check);
  return group;
}

/* Usable first, then not known yet, then not usable, then not tested. */
static guint
verdict_rank (const DmdCaptureVerdict *verdict)
{
  if (verdict->usable)
    return 0;
  if (dmd_capture_verdict_is_unproven (verdict))
    return 1;
  if (verdict->judged)
    return 2;
  return 3;
}

/* "SMTP relay", "Direct Send or SMTP relay", "A, B or C". */
static char *
option_list (GPtrArray *options)
{
  const char *names[3] = { "", "", "" };
  const char *a, *b, *c;

  for (guint i = 0; i < options->len && i < G_N_ELEMENTS (names); i++)
    names[i] = dmd_option_display_name (GPOINTER_TO_INT (g_ptr_array_index (options, i)));
  a = names[0];
  b = names[1];
  c = names[2];

  if (options->len == 1)
    return g_strdup (a);
  if (options->len == 2)
    /* Translators: two sending options, as in "Direct Send or SMTP relay". */
    return g_strdup_printf (_("%s or %s"), a, b);
  /* Translators: three sending options, as in "A, B or C". */
  return g_strdup_printf (_("%s, %s or %s"), a, b, c);
}

/* The outcome in one sentence, from the verdicts. */
static char *
headline (const DmdCaptureResult *result)
{
  g_autoptr(GPtrArray) usable = g_ptr_array_new ();
  gboolean unproven = FALSE, judged = FALSE;

  for (guint i = 0; i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (result->verdicts, i);

      if (v->usable)
        g_ptr_array_add (usable, GINT_TO_POINTER (v->option));
      unproven |= dmd_capture_verdict_is_unproven (v);
      judged |= v->judged;
    }

  if (usable->len > 0)
    {
      g_autofree char *list = option_list (usable);

      /* Translators: %s is one sending option or a list of them ("Direct Send or SMTP relay"). */
      return g_strdup_printf (_("This device can use %s"), list);
    }
  if (result->sessions->len == 0)
    return g_strdup (_("The device did not connect"));
  if (unproven)
    return g_strdup (_("Not known yet: no test email went through to the end"));
  if (judged)
    return g_strdup (_("As it is set up now, the device can use none of the options"));
  return g_strdup (_("The device only tested the connection"));
}

static void
render_result (DmdCapturePage *self)
{
  GtkWidget *label;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *title = NULL;

  clear_verdicts (self);
  if (self->result == NULL)
    return;

  title = headline (self->result);
  label = gtk_label_new (title);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-2");
  gtk_box_append (self->verdict_box, label);

  label = gtk_label_new (end_text (self->result));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (self->verdict_box, label);

  /* The options in the order of the verdict: what the device can use first. */
  sorted = g_ptr_array_new ();
  for (guint rank = 0; rank <= 3; rank++)
    for (guint i = 0; i < self->result->verdicts->len; i++)
      if (verdict_rank (g_ptr_array_index (self->result->verdicts, i)) == rank)
        g_ptr_array_add (sorted, g_ptr_array_index (self->result->verdicts, i));
  for (guint i = 0; i < sorted->len; i++)
    gtk_box_append (self->verdict_box, verdict_group_new (g_ptr_array_index (sorted, i)));
  dmd_text_no_hyphens (GTK_WIDGET (self->verdict_box));
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_box), TRUE);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(DmdCaptureResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DmdCapturePage *self;

  result = dmd_capture_wait_finish (DMD_CAPTURE (source), res, &error);
  /* Cancelled: the page was left or is gone; user_data must not be touched. */
  if (result == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = DMD_CAPTURE_PAGE (user_data);
  if (self->capture != DMD_CAPTURE (source))
    return;

  g_signal_handlers_disconnect_by_data (self->capture, self);
  g_clear_object (&self->capture);
  g_clear_object (&self->cancellable);
  set_running (self, FALSE);
  gtk_button_set_label (self->start_button, _("_Start Again"));
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->start_button), "label");

  if (result == NULL)
    {
      show_error (self, error->message, NULL);
      return;
    }

  g_clear_pointer (&self->result, dmd_capture_result_unref);
  self->result = g_steal_pointer (&result);
  render_result (self);
}

static void
log_line_cb (DmdCapture     *capture,
             guint           session,
             gint            dir,
             const char     *text,
             DmdCapturePage *self)
{
  g_autofree char *line = g_strdup_printf ("[%u] %s", session, text);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->log_view));
  GtkTextMark *end_mark = gtk_text_buffer_get_mark (buffer, "dmd-log-end");
  GtkTextIter end;

  dmd_transcript_view_append (self->log_view, (char) dir, line);
  /* A mark, not an iter: the view scrolls once its layout has the new line. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (end_mark == NULL)
    end_mark = gtk_text_buffer_create_mark (buffer, "dmd-log-end", &end, FALSE);
  else
    gtk_text_buffer_move_mark (buffer, end_mark, &end);
  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->log_view), end_mark, 0, FALSE, 0, 0);
}

static void
session_opened_cb (DmdCapture     *capture,
                   guint           session,
                   const char     *client,
                   DmdCapturePage *self)
{
  g_autofree char *text = NULL;

  self->n_connections++;
  /* Translators: %s is the device's network address. */
  text = g_strdup_printf (_("The device connected from %s. Waiting until it goes quiet…"), client);
  gtk_label_set_text (self->status_label, text);
}

static void
show_connect_info (DmdCapturePage *self)
{
  GPtrArray *addresses = dmd_capture_get_addresses (self->capture);
  g_autofree char *port = g_strdup_printf ("%u", dmd_capture_get_port (self->capture));
  g_autofree char *firewall = NULL;
  GtkWidget *note;

  clear_connect_rows (self);
  for (guint i = 0; i < addresses->len; i++)
    add_connect_row (self, value_row_new (_("Server address"), g_ptr_array_index (addresses, i),
                                          _("Copy the server address"), TRUE));
  if (addresses->len == 0)
    {
      note = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (note),
                                     _("This computer has no network address right now: "
                                       "connect it to the device’s network, then start again."));
      add_connect_row (self, note);
    }
  add_connect_row (self, value_row_new (_("Port"), port, _("Copy the port"), TRUE));
  add_connect_row (self, value_row_new (_("Certificate fingerprint (SHA-256)"),
                                        dmd_capture_get_certificate_sha256 (self->capture),
                                        _("Copy the certificate fingerprint"), FALSE));

  note = adw_action_row_new ();
  /* Translators: %s is a port number. */
  firewall = g_strdup_printf (_("If the device cannot connect, allow incoming TCP port %s in "
                                "this computer’s firewall. The certificate is a self-signed "
                                "test certificate: accept it in the device only for this test."),
                              port);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (note), firewall);
  gtk_widget_add_css_class (note, "dmd-capture-note");
  add_connect_row (self, note);
  /* Addresses and the fingerprint are typed into the device as shown. */
  dmd_text_no_hyphens (GTK_WIDGET (self->connect_group));

}

gboolean
dmd_capture_page_start (DmdCapturePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *status = NULL;
  guint64 port = DMD_CAPTURE_DEFAULT_PORT;

  g_return_val_if_fail (DMD_IS_CAPTURE_PAGE (self), FALSE);

  if (self->capture != NULL)
    return TRUE;

  hide_error (self);
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->port_row))));
  if (self->test_mode)
    port = self->test_port;
  else if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &port, NULL))
    {
      show_error (self, _("Enter a port number from 1 to 65535."), NULL);
      return FALSE;
    }

  clear_verdicts (self);
  g_clear_pointer (&self->result, dmd_capture_result_unref);
  dmd_transcript_view_clear (self->log_view);
  self->n_connections = 0;

  self->capture = dmd_capture_new ();
  dmd_capture_set_port (self->capture, (guint16) port);
  dmd_capture_set_option (self->capture,
                          dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))));
  if (self->test_mode)
    {
      g_object_set (self->capture, "loopback-only", TRUE, NULL);
      dmd_capture_set_data_dir (self->capture, self->test_data_dir);
    }

  if (!dmd_capture_start (self->capture, &error))
    {
      const char *hint = NULL;

      if (g_error_matches (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_PRIVILEGED))
        hint = _("Ports below 1024 need privileges this app does not have (a Flatpak app never "
                 "has them). Use 2525 or another port from 1024 up, set the same port in the "
                 "device, and allow it in this computer’s firewall.");
      else if (g_error_matches (error, DMD_CAPTURE_ERROR, DMD_CAPTURE_ERROR_PORT_IN_USE))
        hint = _("Another program uses this port. Choose another port, such as 2526.");
      g_clear_object (&self->capture);
      show_error (self, error->message, hint);
      gtk_widget_set_visible (GTK_WIDGET (self->connect_group), FALSE);
      return FALSE;
    }

  g_signal_connect_object (self->capture, "log-line", G_CALLBACK (log_line_cb), self, 0);
  g_signal_connect_object (self->capture, "session-opened", G_CALLBACK (session_opened_cb), self, 0);

  show_connect_info (self);
  /* Translators: %d is a number of seconds. */
  status = g_strdup_printf (_("Waiting for the device. Send a test email (or scan to email) from "
                              "it now; the capture ends %d s after the device goes quiet."),
                            DMD_CAPTURE_DEFAULT_IDLE);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->log_box), TRUE);
  /* Focus moves to Stop before the port field hides. */
  gtk_widget_set_visible (GTK_WIDGET (self->running_box), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->stop_button));
  set_running (self, TRUE);

  self->cancellable = g_cancellable_new ();
  dmd_capture_wait_async (self->capture, self->cancellable, wait_done_cb, self);
  return TRUE;
}

void
dmd_capture_page_stop (DmdCapturePage *self)
{
  g_return_if_fail (DMD_IS_CAPTURE_PAGE (self));

  if (self->capture != NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), FALSE);
      dmd_capture_stop (self->capture);
    }
}

gboolean
dmd_capture_page_is_running (DmdCapturePage *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE_PAGE (self), FALSE);
  return self->capture != NULL;
}

guint16
dmd_capture_page_get_port (DmdCapturePage *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE_PAGE (self), 0);
  return self->capture != NULL ? dmd_capture_get_port (self->capture) : 0;
}

DmdCaptureResult *
dmd_capture_page_get_result (DmdCapturePage *self)
{
  g_return_val_if_fail (DMD_IS_CAPTURE_PAGE (self), NULL);
  return self->result;
}

void
dmd_capture_page_set_test_options (DmdCapturePage *self,
                                   guint16         port,
                                   const char     *data_dir)
{
  g_return_if_fail (DMD_IS_CAPTURE_PAGE (self));

  self->test_mode = TRUE;
  self->test_port = port;
  g_free (self->test_data_dir);
  self->test_data_dir = g_strdup (data_dir);
}

static void
start_clicked_cb (DmdCapturePage *self)
{
  dmd_capture_page_start (self);
}

static void
stop_clicked_cb (DmdCapturePage *self)
{
  dmd_capture_page_stop (self);
}

static void
dmd_capture_page_shown (DmdPage *page)
{
  DmdCapturePage *self = DMD_CAPTURE_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->capture != NULL ? self->stop_button : self->start_button));
}

/* Leaving the page (Back, or the window going away) ends a running capture. */
static void
dmd_capture_page_unmap (GtkWidget *widget)
{
  DmdCapturePage *self = DMD_CAPTURE_PAGE (widget);

  if (self->capture != NULL)
    {
      abandon (self);
      set_running (self, FALSE);
    }
  GTK_WIDGET_CLASS (dmd_capture_page_parent_class)->unmap (widget);
}

static void
dmd_capture_page_dispose (GObject *object)
{
  DmdCapturePage *self = DMD_CAPTURE_PAGE (object);

  abandon (self);
  g_clear_pointer (&self->result, dmd_capture_result_unref);
  g_clear_pointer (&self->connect_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (dmd_capture_page_parent_class)->dispose (object);
}

static void
dmd_capture_page_finalize (GObject *object)
{
  DmdCapturePage *self = DMD_CAPTURE_PAGE (object);

  g_free (self->test_data_dir);

  G_OBJECT_CLASS (dmd_capture_page_parent_class)->finalize (object);
}

static void
dmd_capture_page_class_init (DmdCapturePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  object_class->dispose = dmd_capture_page_dispose;
  object_class->finalize = dmd_capture_page_finalize;
  widget_class->unmap = dmd_capture_page_unmap;
  page_class->shown = dmd_capture_page_shown;

  g_type_ensure (DMD_TYPE_TRANSCRIPT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-capture-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, connect_group);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, error_row);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, log_box);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, log_heading);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, log_view);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, port_row);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, running_box);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, setup_group);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, start_button);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, status_label);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, DmdCapturePage, verdict_box);
}

static void
dmd_capture_page_init (DmdCapturePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->connect_rows = g_ptr_array_new ();
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (start_clicked_cb), self);
  g_signal_connect_swapped (self->stop_button, "clicked", G_CALLBACK (stop_clicked_cb), self);
  g_signal_connect_swapped (self->port_row, "entry-activated", G_CALLBACK (start_clicked_cb), self);
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->start_button), "label");
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->stop_button), "label");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->log_view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->log_heading, NULL,
                                  -1);

  dmd_page_set_title (DMD_PAGE (self), _("Test the Device"));
  dmd_page_set_has_forward (DMD_PAGE (self), FALSE);
  dmd_page_set_complete (DMD_PAGE (self), TRUE);
}

GtkWidget *
dmd_capture_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_CAPTURE_PAGE, "session", session, NULL);
}
