/* test-window.c — the assistant: pages in order, Back/Next/Cancel state, side trips
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "dmd-application.h"
#include "dmd-page.h"
#include "dmd-ui-test-utils.h"
#include "dmd-welcome-page.h"
#include "dmd-window.h"

static void
test_welcome_page (void)
{
  GtkWidget *page = dmd_welcome_page_new ();

  g_object_ref_sink (page);
  g_assert_true (dmd_page_get_complete (DMD_PAGE (page)));
  g_assert_false (dmd_page_get_has_forward (DMD_PAGE (page)));
  g_assert_cmpstr (dmd_page_get_title (DMD_PAGE (page)), !=, NULL);
  g_assert_finalize_object (page);
}

/* The welcome page's ways in: three activatable rows, each on its window action, each with
 * a title and a subtitle. */
static void
test_welcome_rows (void)
{
  const struct { const char *title, *subtitle, *action; } rows[] = {
    { "Check the Settings", "Check from this computer", "win.forward" },
    { "Test the Device Itself", "Let the device talk to this computer", "win.capture" },
    { "Explain an Error Message", "From the device’s log or a bounce message", "win.explain" },
  };
  GtkWidget *page = dmd_welcome_page_new ();

  g_object_ref_sink (page);
  g_assert_cmpstr (dmd_page_get_title (DMD_PAGE (page)), ==, "Device Mail Doctor");
  g_assert_cmpuint (dmd_test_count_type (page, ADW_TYPE_ACTION_ROW, FALSE), ==, G_N_ELEMENTS (rows));
  g_assert_cmpuint (dmd_test_count_type (page, GTK_TYPE_BUTTON, FALSE), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *row = dmd_test_find_type (page, ADW_TYPE_ACTION_ROW, i);

      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, rows[i].title);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, rows[i].subtitle);
      g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (row)), ==, rows[i].action);
      g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
      g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (row), "boxed-list"));
    }
  g_assert_finalize_object (page);
}

/* The app icon (the welcome page's picture) is found and drawn without an installed icon
 * theme entry: run from the build tree, the test environment has no XDG_DATA_DIRS pointing
 * at data/icons, as `build-aux/dev run` has none. */
static void
test_app_icon (void)
{
  g_autoptr(DmdApplication) app = dmd_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GtkIconTheme *theme;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  icon = gtk_icon_theme_lookup_icon (theme, APP_ID, NULL, 128, 1, GTK_TEXT_DIR_NONE, 0);
  g_assert_cmpstr (gtk_icon_paintable_get_icon_name (icon), ==, APP_ID);
  /* Drawing loads the SVG: a missing loader (librsvg2-common) warns, and warnings are fatal
   * in the tests. */
  gdk_paintable_snapshot (GDK_PAINTABLE (icon), GDK_SNAPSHOT (snapshot), 128, 128);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwWindowTitle *
window_title (GtkWidget *window)
{
  return ADW_WINDOW_TITLE (dmd_test_find_type (window, ADW_TYPE_WINDOW_TITLE, 0));
}

static GtkWidget *
back_button (GtkWidget *window)
{
  for (guint i = 0; ; i++)
    {
      GtkWidget *button = dmd_test_find_type (window, GTK_TYPE_BUTTON, i);

      g_assert_nonnull (button);
      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "win.back") == 0)
        return button;
    }
}

static GtkWidget *
forward_button (GtkWidget *window)
{
  for (guint i = 0; ; i++)
    {
      GtkWidget *button = dmd_test_find_type (window, GTK_TYPE_BUTTON, i);

      g_assert_nonnull (button);
      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "win.forward") == 0 &&
          gtk_widget_get_ancestor (button, ADW_TYPE_HEADER_BAR) != NULL)
        return button;
    }
}

static void
activate (GtkWidget  *window,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (window, action, NULL));
  dmd_test_spin ();
}

static gboolean
past_settings (gpointer data)
{
  return dmd_window_get_current (DMD_WINDOW (data)) >= DMD_PAGE_CHECKS;
}

static gboolean
on_results (gpointer data)
{
  return dmd_window_get_current (DMD_WINDOW (data)) == DMD_PAGE_RESULTS &&
         !dmd_page_get_applying (dmd_window_get_page (DMD_WINDOW (data), DMD_PAGE_CHECKS));
}

static void
test_window_flow (void)
{
  GtkWidget *window;
  DmdWindow *self;
  DmdPage *settings;

  window = GTK_WIDGET (g_object_new (DMD_TYPE_WINDOW, NULL));
  self = DMD_WINDOW (window);
  gtk_window_present (GTK_WINDOW (window));
  dmd_test_spin ();

  /* It opens on the welcome page; the header names the app. */
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_WELCOME);
  g_assert_cmpstr (adw_window_title_get_title (window_title (window)), ==, "Device Mail Doctor");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Device Mail Doctor");
  g_assert_false (gtk_widget_get_visible (back_button (window)));

  /* Check the Settings (the first row, activated as by Enter or a click) → the option page,
   * with Back; the subtitle names the option. */
  g_assert_true (gtk_widget_activate (dmd_test_find_type (window, ADW_TYPE_ACTION_ROW, 0)));
  dmd_test_spin ();
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_OPTION);
  g_assert_true (gtk_widget_get_visible (back_button (window)));
  g_assert_cmpstr (adw_window_title_get_subtitle (window_title (window)), ==, "SMTP AUTH client submission");
  g_assert_true (gtk_widget_get_sensitive (forward_button (window)));

  /* Next → the settings. Run Checks stays enabled while the page is incomplete (issue 14):
   * pressed, it stays there and takes the user to the first missing field, marked. */
  activate (window, "win.forward");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_SETTINGS);
  settings = dmd_window_get_page (self, DMD_PAGE_SETTINGS);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (forward_button (window))), ==, "_Run Checks");
  g_assert_false (dmd_page_get_complete (settings));
  g_assert_true (gtk_widget_get_sensitive (forward_button (window)));
  g_assert_false (gtk_widget_has_css_class (dmd_test_find_row (window, "User name"), "error"));
  activate (window, "win.forward");   /* shows what is missing, goes nowhere */
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_SETTINGS);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         dmd_test_find_row (window, "User name")));
  g_assert_true (gtk_widget_has_css_class (dmd_test_find_row (window, "User name"), "error"));
  g_assert_true (gtk_widget_get_sensitive (forward_button (window)));

  dmd_test_set_text (dmd_test_find_row (window, "User name"), "scanner@contoso.com");
  dmd_test_set_text (dmd_test_find_row (window, "Password"), "secret-for-the-test");
  dmd_test_set_text (dmd_test_find_row (window, "Sender (From)"), "scanner@contoso.com");
  dmd_test_set_text (dmd_test_find_row (window, "Test recipient"), "someone@fabrikam.example");
  g_assert_true (dmd_page_get_complete (settings));
  g_assert_true (gtk_widget_get_sensitive (forward_button (window)));

  /* Back and forth keeps what was typed. */
  activate (window, "win.back");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_OPTION);
  activate (window, "win.forward");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_SETTINGS);
  g_assert_true (dmd_page_get_complete (settings));

  /* Run Checks → the checks page runs at once; a closed port ends them quickly. While they
   * run: no Back, no Next, Cancel shown. Then the results. */
  g_setenv ("DMD_TEST_CONNECT_TO", "smtp.office365.com:587:127.0.0.1:1", TRUE);
  g_setenv ("DMD_TEST_TIMEOUT", "2", TRUE);
  dmd_test_set_text (dmd_test_find_row (window, "Test recipient"), "someone@fabrikam.example ");
  /* Enter in a field of the complete page runs the checks. */
  /* (Return in a GtkText emits its "activate" keybinding signal.) */
  g_signal_emit_by_name (dmd_test_find_type (dmd_test_find_row (window, "Test recipient"), GTK_TYPE_TEXT, 0),
                         "activate");
  g_assert_true (dmd_test_wait (past_settings, window, 5000));
  g_unsetenv ("DMD_TEST_CONNECT_TO");
  g_unsetenv ("DMD_TEST_TIMEOUT");
  g_assert_cmpint (dmd_window_get_current (self), >=, DMD_PAGE_CHECKS);
  if (dmd_window_get_current (self) == DMD_PAGE_CHECKS &&
      dmd_page_get_applying (dmd_window_get_page (self, DMD_PAGE_CHECKS)))
    {
      g_assert_false (gtk_widget_get_visible (back_button (window)));
      g_assert_false (gtk_widget_get_visible (forward_button (window)));
      g_assert_true (gtk_widget_get_visible (find_button (window, "_Cancel")));
    }
  g_assert_true (dmd_test_wait (on_results, window, 60000));
  g_assert_nonnull (dmd_session_get_result (dmd_window_get_session (self)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (forward_button (window))), ==, "_Run Again");
  g_assert_false (gtk_widget_get_visible (find_button (window, "_Cancel")));

  /* Back from the results goes to the settings, not to the finished checks. */
  activate (window, "win.back");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_SETTINGS);
  activate (window, "win.back");
  activate (window, "win.back");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_WELCOME);

  /* The side trip: explain, and back to the welcome page. */
  activate (window, "win.explain");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_EXPLAIN);
  g_assert_false (gtk_widget_get_visible (forward_button (window)));
  activate (window, "win.back");
  g_assert_cmpint (dmd_window_get_current (self), ==, DMD_PAGE_WELCOME);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* At 720×640 the outcome, who fixes it, the first step and "Type this into the device" are
 * all on screen without scrolling (issue 14 §1). */
static void
test_results_above_the_fold (void)
{
  GtkWidget *window = GTK_WIDGET (g_object_new (DMD_TYPE_WINDOW, NULL));
  DmdWindow *self = DMD_WINDOW (window);
  g_autoptr(DmdResult) result = dmd_test_refused_result ();
  DmdPage *page;
  GtkWidget *scroller, *card;
  graphene_rect_t bounds;

  gtk_window_set_default_size (GTK_WINDOW (window), 720, 640);
  gtk_window_present (GTK_WINDOW (window));
  dmd_session_set_result (dmd_window_get_session (self), result);
  dmd_window_go_to (self, DMD_PAGE_RESULTS);
  dmd_test_spin ();

  page = dmd_window_get_page (self, DMD_PAGE_RESULTS);
  g_assert_nonnull (dmd_test_find_label (GTK_WIDGET (page), "Can’t Send Yet"));
  g_assert_nonnull (dmd_test_find_label (GTK_WIDGET (page), "Who fixes it: the admin"));
  scroller = dmd_test_find_type (GTK_WIDGET (page), GTK_TYPE_SCROLLED_WINDOW, 0);
  card = dmd_test_find_type (GTK_WIDGET (page), GTK_TYPE_GRID, 0);
  g_assert_nonnull (card);
  g_assert_nonnull (dmd_test_find_label (card, "Sender"));
  g_assert_true (gtk_widget_compute_bounds (card, scroller, &bounds));
  g_test_message ("card bottom %.0f, visible height %d", bounds.origin.y + bounds.size.height,
                  gtk_widget_get_height (scroller));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (scroller));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();
  g_type_ensure (DMD_TYPE_WINDOW);
  g_test_add_func ("/dmd/ui/welcome-page", test_welcome_page);
  g_test_add_func ("/dmd/ui/welcome-rows", test_welcome_rows);
  g_test_add_func ("/dmd/ui/app-icon", test_app_icon);
  g_test_add_func ("/dmd/ui/window-flow", test_window_flow);
  g_test_add_func ("/dmd/ui/results-above-the-fold", test_results_above_the_fold);
  return g_test_run ();
}
