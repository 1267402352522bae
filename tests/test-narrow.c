/* test-narrow.c — every page of the wizard at 360 px: nothing wider, nothing cut short
 *
 * Run in English and, with LANGUAGE=ja and DMD_LOCALEDIR set (meson does both), in Japanese,
 * whose buttons are wider. Title bar buttons as GNOME shows them with minimize and maximize
 * turned on, the widest header a user can have (issue 14 §4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dmd-capture-page.h"
#include "dmd-explain-page.h"
#include "dmd-page.h"
#include "dmd-ui-test-utils.h"
#include "dmd-window.h"

#define NARROW 360

/* A label that Pango had to shorten with "…", or NULL. */
static GtkWidget *
find_ellipsized_label (GtkWidget *root)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_LABEL (root) && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (root))))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_ellipsized_label (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
check_page (GtkWidget  *window,
            const char *what)
{
  GtkWidget *cut;
  int min = 0;

  dmd_test_wait_frames (window, 3);
  /* The window's own minimum: its content plus the frame GTK draws around it. */
  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("%s: %d px wide at least", what, min);
  if (min > NARROW)
    g_error ("%s does not shrink to %d px: it needs %d px", what, NARROW, min);

  cut = find_ellipsized_label (window);
  if (cut != NULL)
    g_error ("%s at %d px cuts “%s” short", what, NARROW, gtk_label_get_text (GTK_LABEL (cut)));
}

static gboolean
capture_ended (gpointer data)
{
  return !dmd_capture_page_is_running (DMD_CAPTURE_PAGE (data));
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
test_every_page (void)
{
  GtkWidget *window;
  DmdWindow *self;
  DmdSession *session;
  g_autoptr(DmdResult) result = dmd_test_refused_result ();
  g_autofree char *data_dir = g_dir_make_tmp ("dmd-narrow-XXXXXX", NULL);
  DmdCapturePage *capture;

  /* No animations: a crossfade would keep the old title mapped while the test looks. */
  g_object_set (gtk_settings_get_default (),
                "gtk-decoration-layout", "menu:minimize,maximize,close",
                "gtk-enable-animations", FALSE, NULL);
  window = GTK_WIDGET (g_object_new (DMD_TYPE_WINDOW, NULL));
  self = DMD_WINDOW (window);
  session = dmd_window_get_session (self);
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 720);
  gtk_window_present (GTK_WINDOW (window));
  dmd_session_set_result (session, result);

  check_page (window, "welcome");
  dmd_window_go_to (self, DMD_PAGE_OPTION);
  check_page (window, "sending option");
  gtk_widget_activate (dmd_test_find_row (window, _("Not Sure? Answer a Few Questions")));
  check_page (window, "sending option, questions open");

  for (DmdOption option = DMD_OPTION_SMTP_AUTH; option <= DMD_OPTION_RELAY; option++)
    {
      g_autofree char *what = g_strdup_printf ("settings of %s", dmd_option_to_string (option));

      dmd_session_set_option (session, option);
      dmd_window_go_to (self, DMD_PAGE_SETTINGS);
      check_page (window, what);
    }
  dmd_session_set_option (session, DMD_OPTION_SMTP_AUTH);

  dmd_window_go_to (self, DMD_PAGE_RESULTS);
  check_page (window, "results");

  dmd_window_go_to (self, DMD_PAGE_EXPLAIN);
  dmd_explain_page_set_text (DMD_EXPLAIN_PAGE (dmd_window_get_page (self, DMD_PAGE_EXPLAIN)),
                             "550 5.7.60 SMTP; Client does not have permissions to send as this "
                             "sender [AM6PR02MB1234.eurprd02.prod.outlook.com]");
  check_page (window, "explain");

  dmd_window_go_to (self, DMD_PAGE_CAPTURE);
  check_page (window, "device test");

  /* A device tests itself against this computer; then the verdict per option. */
  capture = DMD_CAPTURE_PAGE (dmd_window_get_page (self, DMD_PAGE_CAPTURE));
  dmd_capture_page_set_test_options (capture, 0, data_dir);
  g_assert_true (dmd_capture_page_start (capture));
  check_page (window, "device test, listening");
  g_assert_true (dmd_test_smtp_client_run (dmd_capture_page_get_port (capture)));
  dmd_capture_page_stop (capture);
  g_assert_true (dmd_test_wait (capture_ended, capture, 10000));
  g_assert_nonnull (dmd_capture_page_get_result (capture));
  check_page (window, "device test, verdict");

  gtk_window_destroy (GTK_WINDOW (window));
  dmd_test_spin ();
  remove_dir (data_dir);
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("DMD_LOCALEDIR");

  gtk_test_init (&argc, &argv, NULL);
  setlocale (LC_ALL, "");
  if (localedir != NULL)
    bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  adw_init ();
  dmd_test_own_main_context ();
  g_type_ensure (DMD_TYPE_WINDOW);
  g_test_add_func ("/dmd/ui/narrow/every-page", test_every_page);
  return g_test_run ();
}
