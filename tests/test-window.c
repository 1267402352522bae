/* test-window.c — the window opens on the welcome page and navigates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "dmd-application.h"
#include "dmd-page.h"
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

static GtkWidget *
find_mapped (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped (child, type);
      if (found)
        return found;
    }
  return NULL;
}

static void
test_window_opens (void)
{
  GtkWindow *window;

  window = GTK_WINDOW (g_object_new (g_type_from_name ("DmdWindow"), NULL));
  gtk_window_present (window);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  /* It opens on the welcome page, whose title is in the header bar. */
  g_assert_nonnull (find_mapped (GTK_WIDGET (window), DMD_TYPE_WELCOME_PAGE));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (find_mapped (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE))),
                   ==, "Welcome");
  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_type_ensure (DMD_TYPE_WINDOW);
  g_test_add_func ("/dmd/ui/welcome-page", test_welcome_page);
  g_test_add_func ("/dmd/ui/window-opens", test_window_opens);
  return g_test_run ();
}
