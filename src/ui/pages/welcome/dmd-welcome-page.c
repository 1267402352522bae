/* dmd-welcome-page.c — what the tool does, and its three ways in: check the settings from
 * this computer, test the device itself, explain an error message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-welcome-page.h"

struct _DmdWelcomePage
{
  DmdPage         parent_instance;

  AdwActionRow   *check_row;
  AdwActionRow   *capture_row;
  AdwActionRow   *explain_row;
  AdwStatusPage  *status_page;
};

G_DEFINE_FINAL_TYPE (DmdWelcomePage, dmd_welcome_page, DMD_TYPE_PAGE)

static void
dmd_welcome_page_shown (DmdPage *page)
{
  gtk_widget_grab_focus (GTK_WIDGET (DMD_WELCOME_PAGE (page)->check_row));
}

static void
dmd_welcome_page_class_init (DmdWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  page_class->shown = dmd_welcome_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdWelcomePage, check_row);
  gtk_widget_class_bind_template_child (widget_class, DmdWelcomePage, capture_row);
  gtk_widget_class_bind_template_child (widget_class, DmdWelcomePage, explain_row);
  gtk_widget_class_bind_template_child (widget_class, DmdWelcomePage, status_page);
}

static void
dmd_welcome_page_init (DmdWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Found in the icon theme when installed, and in the app's resources (RESOURCE_BASE/icons,
   * which GtkApplication adds to the theme) when run from the build tree. */
  adw_status_page_set_icon_name (self->status_page, APP_ID);
  /* The header names the app here: this page is its front door. */
  dmd_page_set_title (DMD_PAGE (self), _("Device Mail Doctor"));
  dmd_page_set_has_forward (DMD_PAGE (self), FALSE);
  dmd_page_set_complete (DMD_PAGE (self), TRUE);
}

GtkWidget *
dmd_welcome_page_new (void)
{
  return g_object_new (DMD_TYPE_WELCOME_PAGE, NULL);
}
