/* test-capture-page.c — the capture page listens, shows what to type into the device, logs
 * what a real client does, and shows a verdict per option when stopped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "dmd-capture-page.h"
#include "dmd-finding-row.h"
#include "dmd-settings-page.h"
#include "dmd-transcript-view.h"
#include "dmd-ui-test-utils.h"
#include "dmd-window.h"

static gboolean
not_running (gpointer data)
{
  return !dmd_capture_page_is_running (DMD_CAPTURE_PAGE (data));
}

static gboolean
log_has_lines (gpointer data)
{
  return dmd_transcript_view_get_n_lines (DMD_TRANSCRIPT_VIEW (data)) >= 4;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

static void
click (GtkWidget  *root,
       const char *label)
{
  GtkWidget *button = gtk_widget_get_ancestor (dmd_test_find_label (root, label), GTK_TYPE_BUTTON);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

/* ---- tests ------------------------------------------------------------------------------ */

static void
test_capture (void)
{
  g_autofree char *data_dir = g_dir_make_tmp ("dmd-capture-page-XXXXXX", NULL);
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_capture_page_new (session);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *log_view;
  DmdCaptureResult *result;
  guint16 port;
  guint n_findings = 0;
  g_autofree char *port_text = NULL;

  g_assert_false (dmd_page_get_has_forward (DMD_PAGE (page)));
  g_assert_nonnull (dmd_test_find_row (page, "Port"));

  dmd_capture_page_set_test_options (DMD_CAPTURE_PAGE (page), 0, data_dir);
  click (page, "Start Listening");
  dmd_test_spin ();
  g_assert_true (dmd_capture_page_is_running (DMD_CAPTURE_PAGE (page)));
  port = dmd_capture_page_get_port (DMD_CAPTURE_PAGE (page));
  g_assert_cmpuint (port, !=, 0);

  /* What to type into the device: the port, big, and the fingerprint. */
  port_text = g_strdup_printf ("%u", port);
  g_assert_nonnull (dmd_test_find_label (page, port_text));
  g_assert_nonnull (dmd_test_find_label (page, "SHA-256"));

  g_assert_true (dmd_test_smtp_client_run (port));

  log_view = dmd_test_find_type (page, DMD_TYPE_TRANSCRIPT_VIEW, 0);
  g_assert_true (dmd_test_wait (log_has_lines, log_view, 5000));

  click (page, "Stop");
  g_assert_true (dmd_test_wait (not_running, page, 5000));

  result = dmd_capture_page_get_result (DMD_CAPTURE_PAGE (page));
  g_assert_nonnull (result);
  g_assert_cmpuint (result->sessions->len, ==, 1);
  g_assert_cmpuint (result->verdicts->len, ==, 4);
  for (guint i = 0; i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *verdict = g_ptr_array_index (result->verdicts, i);

      g_assert_true (verdict->judged);
      n_findings += verdict->findings->len;
      g_assert_nonnull (dmd_test_find_label (page, dmd_option_display_name (verdict->option)));
    }
  /* A plaintext session without a sign-in cannot use SMTP AUTH, nor High Volume Email. */
  g_assert_false (dmd_capture_result_get_verdict (result, DMD_OPTION_SMTP_AUTH)->usable);
  g_assert_false (dmd_capture_result_get_verdict (result, DMD_OPTION_HVE)->usable);
  g_assert_nonnull (dmd_test_find_row (page, "Not usable"));
  g_assert_cmpuint (n_findings, >, 0);
  g_assert_cmpuint (dmd_test_count_type (page, DMD_TYPE_FINDING_ROW, TRUE), ==, n_findings);

  /* The outcome in words first; then the options in the order of the verdict: the two that
   * may work (no message went through to the end), then SMTP AUTH, which cannot. */
  g_assert_nonnull (dmd_test_find_label (page, "Not known yet: no test email went through"));
  {
    g_autoptr(GPtrArray) order = g_ptr_array_new ();

    for (guint i = 0; dmd_test_find_type (page, ADW_TYPE_PREFERENCES_GROUP, i) != NULL; i++)
      {
        GtkWidget *group = dmd_test_find_type (page, ADW_TYPE_PREFERENCES_GROUP, i);
        const char *title = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group));

        for (DmdOption o = DMD_OPTION_SMTP_AUTH; o <= DMD_OPTION_RELAY; o++)
          if (dmd_test_is_shown (group) && g_strcmp0 (title, dmd_option_display_name (o)) == 0)
            g_ptr_array_add (order, GINT_TO_POINTER (o));
      }
    g_assert_cmpuint (order->len, ==, 3);
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (order, 2)), ==, DMD_OPTION_SMTP_AUTH);
  }
  /* Each option can be checked from here; Stop was a normal button (nothing is destroyed). */
  g_assert_nonnull (dmd_test_find_row (page, "Check This Option"));
  for (guint i = 0; dmd_test_find_type (page, GTK_TYPE_BUTTON, i) != NULL; i++)
    g_assert_false (gtk_widget_has_css_class (dmd_test_find_type (page, GTK_TYPE_BUTTON, i),
                                              "destructive-action"));

  gtk_window_destroy (GTK_WINDOW (window));
  remove_dir (data_dir);
}

/* "Check This Option" leads to the settings page for that option, with what the device
 * showed filled in (issue 14 §8). */
static void
test_check_this_option (void)
{
  g_autofree char *data_dir = g_dir_make_tmp ("dmd-capture-page-XXXXXX", NULL);
  GtkWidget *window = GTK_WIDGET (g_object_new (DMD_TYPE_WINDOW, NULL));
  DmdWindow *self = DMD_WINDOW (window);
  DmdSession *session = dmd_window_get_session (self);
  GtkWidget *page = GTK_WIDGET (dmd_window_get_page (self, DMD_PAGE_CAPTURE));
  GtkWidget *settings = GTK_WIDGET (dmd_window_get_page (self, DMD_PAGE_SETTINGS));
  GtkWidget *check = NULL;

  gtk_window_present (GTK_WINDOW (window));
  dmd_session_set_option (session, DMD_OPTION_SMTP_AUTH);
  dmd_window_go_to (self, DMD_PAGE_CAPTURE);
  dmd_capture_page_set_test_options (DMD_CAPTURE_PAGE (page), 0, data_dir);
  g_assert_true (dmd_capture_page_start (DMD_CAPTURE_PAGE (page)));
  g_assert_true (dmd_test_smtp_client_run (dmd_capture_page_get_port (DMD_CAPTURE_PAGE (page))));
  dmd_capture_page_stop (DMD_CAPTURE_PAGE (page));
  g_assert_true (dmd_test_wait (not_running, page, 5000));

  /* The Direct Send group's row. */
  for (guint i = 0; dmd_test_find_type (page, ADW_TYPE_PREFERENCES_GROUP, i) != NULL; i++)
    {
      GtkWidget *group = dmd_test_find_type (page, ADW_TYPE_PREFERENCES_GROUP, i);

      if (g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), "Direct Send") == 0)
        check = dmd_test_find_row (group, "Check This Option");
    }
  g_assert_nonnull (check);
  g_signal_emit_by_name (check, "activate");
  dmd_test_spin ();

  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_SETTINGS);
  g_assert_cmpint (dmd_session_get_option (session), ==, DMD_OPTION_DIRECT_SEND);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (settings, "Sender (From)"))),
                   ==, "scanner@contoso.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (settings, "Test recipient"))),
                   ==, "a@contoso.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (settings, "Organization’s domain"))),
                   ==, "contoso.com");
  /* The device sent in plain text: that is what the checks try (and the page says so). */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (dmd_test_find_row (settings, "Security"))),
                    ==, DMD_SECURITY_NONE);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (settings, "Port"))), ==, "25");

  gtk_window_destroy (GTK_WINDOW (window));
  remove_dir (data_dir);
}

static void
test_port_in_use (void)
{
  g_autofree char *data_dir = g_dir_make_tmp ("dmd-capture-page-XXXXXX", NULL);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  GtkWidget *page = dmd_capture_page_new (NULL);
  GtkWidget *window = dmd_test_window_new (page);
  guint16 port;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, NULL));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  dmd_capture_page_set_test_options (DMD_CAPTURE_PAGE (page), port, data_dir);
  g_assert_false (dmd_capture_page_start (DMD_CAPTURE_PAGE (page)));
  g_assert_false (dmd_capture_page_is_running (DMD_CAPTURE_PAGE (page)));
  g_assert_nonnull (dmd_test_find_label (page, "Choose another port"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_socket_listener_close (listener);
  remove_dir (data_dir);
}

/* Leaving the page (Back) ends the capture. */
static void
test_leave_stops (void)
{
  g_autofree char *data_dir = g_dir_make_tmp ("dmd-capture-page-XXXXXX", NULL);
  GtkWidget *page = dmd_capture_page_new (NULL);
  GtkWidget *window = dmd_test_window_new (page);
  GtkWidget *port_row = dmd_test_find_row (page, "Port");

  /* Enter in the port field starts, as the button does. */
  dmd_capture_page_set_test_options (DMD_CAPTURE_PAGE (page), 0, data_dir);
  gtk_widget_grab_focus (port_row);
  dmd_test_spin ();
  g_signal_emit_by_name (port_row, "entry-activated");
  dmd_test_spin ();
  g_assert_false (dmd_test_is_shown (port_row));
  g_assert_true (dmd_capture_page_is_running (DMD_CAPTURE_PAGE (page)));
  gtk_widget_set_visible (page, FALSE);
  g_assert_false (dmd_capture_page_is_running (DMD_CAPTURE_PAGE (page)));
  dmd_test_spin ();

  gtk_window_destroy (GTK_WINDOW (window));
  remove_dir (data_dir);
}

static void
test_finalize (void)
{
  GtkWidget *page = dmd_capture_page_new (NULL);

  g_object_ref_sink (page);
  g_assert_finalize_object (page);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  dmd_test_own_main_context ();
  g_test_add_func ("/dmd/ui/capture/capture", test_capture);
  g_test_add_func ("/dmd/ui/capture/check-this-option", test_check_this_option);
  g_test_add_func ("/dmd/ui/capture/port-in-use", test_port_in_use);
  g_test_add_func ("/dmd/ui/capture/leave-stops", test_leave_stops);
  g_test_add_func ("/dmd/ui/capture/finalize", test_finalize);
  return g_test_run ();
}
