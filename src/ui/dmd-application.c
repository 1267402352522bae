/* dmd-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-application.h"
#include "dmd-window.h"

struct _DmdApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (DmdApplication, dmd_application, ADW_TYPE_APPLICATION)

static void
dmd_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (dmd_window_new (DMD_APPLICATION (app)));
  gtk_window_present (window);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Device Mail Doctor developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Device Mail Doctor"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Device Mail Doctor developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Find out why a printer, scanner or application cannot send mail through Microsoft 365, and how to fix it."),
                        "website", "https://github.com/devicemaildoctor/device-mail-doctor",
                        "issue-url", "https://github.com/devicemaildoctor/device-mail-doctor/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action_cb },
  { "quit", quit_action_cb },
};

static void
dmd_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (dmd_application_parent_class)->startup (app);

  /* For screenshots and tests only: force the light or dark style (libadwaita 1.2 has no
   * environment variable of its own for this). */
  if (g_strcmp0 (g_getenv ("DMD_COLOR_SCHEME"), "dark") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (g_getenv ("DMD_COLOR_SCHEME"), "light") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
dmd_application_class_init (DmdApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = dmd_application_activate;
  app_class->startup = dmd_application_startup;
}

static void
dmd_application_init (DmdApplication *self)
{
}

DmdApplication *
dmd_application_new (void)
{
  return g_object_new (DMD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/devicemaildoctor/DeviceMailDoctor",
                       NULL);
}
