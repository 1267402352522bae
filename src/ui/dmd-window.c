/* dmd-window.c — the assistant: a stack of DmdPages, Back/Next/Cancel in the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-page.h"
#include "dmd-welcome-page.h"
#include "dmd-window.h"

struct _DmdWindow
{
  AdwApplicationWindow  parent_instance;

  GtkButton            *back_button;
  GtkButton            *cancel_button;
  GtkButton            *forward_button;
  GtkStack             *stack;
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;

  GPtrArray            *pages;   /* DmdPage*, in order */
  guint                 current;
};

G_DEFINE_FINAL_TYPE (DmdWindow, dmd_window, ADW_TYPE_APPLICATION_WINDOW)

static DmdPage *
current_page (DmdWindow *self)
{
  if (self->pages == NULL || self->current >= self->pages->len)
    return NULL;
  return g_ptr_array_index (self->pages, self->current);
}

static void
update_navigation (DmdWindow *self)
{
  DmdPage *page = current_page (self);
  gboolean applying, has_next, show_forward;
  const char *label;

  if (page == NULL)
    return;

  applying = dmd_page_get_applying (page);
  has_next = self->current + 1 < self->pages->len;
  show_forward = dmd_page_get_has_forward (page) && has_next;

  adw_window_title_set_title (self->window_title,
                              dmd_page_get_title (page) ? dmd_page_get_title (page)
                                                        : _("Device Mail Doctor"));

  label = dmd_page_get_forward_label (page);
  gtk_button_set_label (self->forward_button, label ? label : _("_Next"));

  gtk_widget_set_visible (GTK_WIDGET (self->forward_button), show_forward && !applying);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), applying);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->current > 0 && !applying);

  /* A page without the header's forward button (welcome) has its own button on the action. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward",
                                 has_next && !applying && dmd_page_get_complete (page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", self->current > 0 && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", applying);
}

static void
page_notify_cb (DmdWindow  *self,
                GParamSpec *pspec,
                DmdPage    *page)
{
  if (page == current_page (self))
    update_navigation (self);
}

static void
go_to (DmdWindow *self,
       guint      index)
{
  DmdPage *page;

  g_assert (index < self->pages->len);

  self->current = index;
  page = current_page (self);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));
  update_navigation (self);
  dmd_page_shown (page);
}

static void
apply_done_cb (DmdPage  *page,
               gboolean  valid,
               gpointer  user_data)
{
  DmdWindow *self = DMD_WINDOW (user_data);

  if (valid && page == current_page (self) && self->current + 1 < self->pages->len)
    go_to (self, self->current + 1);
  else
    update_navigation (self);
}

static void
forward_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);
  DmdPage *page = current_page (self);

  if (page == NULL || !dmd_page_get_complete (page) || dmd_page_get_applying (page))
    return;
  dmd_page_apply_begin (page, apply_done_cb, self);
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);
  DmdPage *page = current_page (self);

  if (self->current == 0 || (page != NULL && dmd_page_get_applying (page)))
    return;
  go_to (self, self->current - 1);
}

static void
cancel_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);
  DmdPage *page = current_page (self);

  if (page != NULL)
    dmd_page_apply_cancel (page);
}

static void
add_page (DmdWindow *self,
          DmdPage   *page)
{
  g_ptr_array_add (self->pages, page);
  gtk_stack_add_child (self->stack, GTK_WIDGET (page));
  g_signal_connect_object (page, "notify", G_CALLBACK (page_notify_cb), self, G_CONNECT_SWAPPED);
}

static void
dmd_window_dispose (GObject *object)
{
  DmdWindow *self = DMD_WINDOW (object);

  g_clear_pointer (&self->pages, g_ptr_array_unref);

  G_OBJECT_CLASS (dmd_window_parent_class)->dispose (object);
}

static void
dmd_window_class_init (DmdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dmd_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, forward_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, window_title);

  gtk_widget_class_install_action (widget_class, "win.forward", NULL, forward_action_cb);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action_cb);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
dmd_window_init (DmdWindow *self)
{
  g_type_ensure (DMD_TYPE_WELCOME_PAGE);
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->pages = g_ptr_array_new ();
  add_page (self, DMD_PAGE (dmd_welcome_page_new ()));
  go_to (self, 0);
}

DmdWindow *
dmd_window_new (DmdApplication *application)
{
  return g_object_new (DMD_TYPE_WINDOW, "application", application, NULL);
}
