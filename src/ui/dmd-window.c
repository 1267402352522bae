/* dmd-window.c — the assistant: a stack of DmdPages, Back/Next/Cancel in the header bar
 *
 * The flow is welcome → option → settings → checks → results, with "Explain an error
 * message" as a side trip from the welcome page. Next runs the page's apply step and moves on
 * when it succeeds; the checks page starts applying as soon as it is shown, and Back from the
 * checks or the results returns to the settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-capture-page.h"
#include "dmd-checks-page.h"
#include "dmd-explain-page.h"
#include "dmd-option-page.h"
#include "dmd-page.h"
#include "dmd-results-page.h"
#include "dmd-session.h"
#include "dmd-settings-page.h"
#include "dmd-welcome-page.h"
#include "dmd-window.h"

struct _DmdWindow
{
  AdwApplicationWindow  parent_instance;

  GtkButton            *back_button;
  GtkButton            *cancel_button;
  GtkButton            *forward_button;
  GtkSpinner           *spinner;
  GtkStack             *stack;
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;

  DmdSession           *session;
  DmdPage              *pages[DMD_N_PAGES];
  DmdPageId             current;
};

G_DEFINE_FINAL_TYPE (DmdWindow, dmd_window, ADW_TYPE_APPLICATION_WINDOW)

static DmdPage *
current_page (DmdWindow *self)
{
  return self->pages[self->current];
}

/* The page Next leads to from id, or DMD_N_PAGES when none. */
static DmdPageId
next_of (DmdWindow *self,
         DmdPageId  id)
{
  DmdPageId next;

  switch (id)
    {
    case DMD_PAGE_WELCOME:  next = DMD_PAGE_OPTION; break;
    case DMD_PAGE_OPTION:   next = DMD_PAGE_SETTINGS; break;
    case DMD_PAGE_SETTINGS: next = DMD_PAGE_CHECKS; break;
    case DMD_PAGE_CHECKS:   next = DMD_PAGE_RESULTS; break;
    case DMD_PAGE_RESULTS:  next = DMD_PAGE_CHECKS; break;   /* Run again */
    case DMD_PAGE_EXPLAIN:
    case DMD_PAGE_CAPTURE:
    default:                return DMD_N_PAGES;
    }
  return self->pages[next] != NULL ? next : DMD_N_PAGES;
}

static DmdPageId
back_of (DmdPageId id)
{
  switch (id)
    {
    case DMD_PAGE_OPTION:   return DMD_PAGE_WELCOME;
    case DMD_PAGE_SETTINGS: return DMD_PAGE_OPTION;
    case DMD_PAGE_CHECKS:   return DMD_PAGE_SETTINGS;
    case DMD_PAGE_RESULTS:  return DMD_PAGE_SETTINGS;
    case DMD_PAGE_EXPLAIN:  return DMD_PAGE_WELCOME;
    case DMD_PAGE_CAPTURE:  return DMD_PAGE_WELCOME;
    case DMD_PAGE_WELCOME:
    default:                return DMD_N_PAGES;
    }
}

static void
update_navigation (DmdWindow *self)
{
  DmdPage *page = current_page (self);
  gboolean applying, has_next, has_back, show_forward;
  const char *label;

  if (page == NULL)
    return;

  applying = dmd_page_get_applying (page);
  has_next = next_of (self, self->current) != DMD_N_PAGES;
  has_back = back_of (self->current) != DMD_N_PAGES;
  show_forward = dmd_page_get_has_forward (page) && has_next;

  adw_window_title_set_title (self->window_title,
                              dmd_page_get_title (page) ? dmd_page_get_title (page)
                                                        : _("Device Mail Doctor"));
  adw_window_title_set_subtitle (self->window_title,
                                 self->current == DMD_PAGE_WELCOME || self->current == DMD_PAGE_EXPLAIN
                                   || self->current == DMD_PAGE_CAPTURE
                                   ? NULL
                                   : dmd_option_display_name (dmd_session_get_option (self->session)));

  label = dmd_page_get_forward_label (page);
  gtk_button_set_label (self->forward_button, label ? label : _("_Next"));

  gtk_widget_set_visible (GTK_WIDGET (self->forward_button), show_forward && !applying);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), applying);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), has_back && !applying);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), applying);
  gtk_spinner_set_spinning (self->spinner, applying);

  /* A page without the header's forward button (welcome) has its own button on the action. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward",
                                 has_next && dmd_page_get_can_forward (page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", has_back && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.explain",
                                 !applying && self->pages[DMD_PAGE_EXPLAIN] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.capture",
                                 !applying && self->pages[DMD_PAGE_CAPTURE] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.change-settings",
                                 !applying && self->current != DMD_PAGE_SETTINGS);
}

static void
page_notify_cb (DmdWindow  *self,
                GParamSpec *pspec,
                DmdPage    *page)
{
  if (page == current_page (self))
    update_navigation (self);
}

static void apply_done_cb (DmdPage  *page,
                           gboolean  valid,
                           gpointer  user_data);

static void
begin_apply (DmdWindow *self)
{
  DmdPage *page = current_page (self);

  if (page == NULL || !dmd_page_get_can_forward (page))
    return;
  dmd_page_apply_begin (page, apply_done_cb, self);
}

static void
go_to (DmdWindow *self,
       DmdPageId  id)
{
  DmdPage *page;

  g_assert (id < DMD_N_PAGES);
  g_return_if_fail (self->pages[id] != NULL);

  self->current = id;
  page = current_page (self);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));
  update_navigation (self);
  dmd_page_shown (page);

  /* The checks run as soon as their page shows. */
  if (id == DMD_PAGE_CHECKS)
    begin_apply (self);
}

static void
apply_done_cb (DmdPage  *page,
               gboolean  valid,
               gpointer  user_data)
{
  DmdWindow *self = DMD_WINDOW (user_data);
  DmdPageId next = next_of (self, self->current);

  if (valid && page == current_page (self) && next != DMD_N_PAGES)
    go_to (self, next);
  else
    update_navigation (self);
}

static void
forward_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);

  if (next_of (self, self->current) == DMD_N_PAGES)
    return;
  begin_apply (self);
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);
  DmdPage *page = current_page (self);
  DmdPageId back = back_of (self->current);

  if (back == DMD_N_PAGES || (page != NULL && dmd_page_get_applying (page)))
    return;
  go_to (self, back);
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
explain_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);

  if (self->pages[DMD_PAGE_EXPLAIN] != NULL && !dmd_page_get_applying (current_page (self)))
    go_to (self, DMD_PAGE_EXPLAIN);
}

static void
capture_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);

  if (self->pages[DMD_PAGE_CAPTURE] != NULL && !dmd_page_get_applying (current_page (self)))
    go_to (self, DMD_PAGE_CAPTURE);
}

static void
change_settings_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);

  if (!dmd_page_get_applying (current_page (self)))
    go_to (self, DMD_PAGE_SETTINGS);
}

/* "Check This Option" on the capture page: the settings page for that option, with what
 * the device showed filled in. */
static void
check_option_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  DmdWindow *self = DMD_WINDOW (widget);
  DmdCapturePage *capture = DMD_CAPTURE_PAGE (self->pages[DMD_PAGE_CAPTURE]);
  DmdCaptureResult *result = dmd_capture_page_get_result (capture);
  g_autoptr(DmdDeviceConfig) seen = NULL;
  DmdOption option;

  if (result == NULL || dmd_page_get_applying (current_page (self))
      || !dmd_option_from_string (g_variant_get_string (parameter, NULL), &option))
    return;

  seen = dmd_capture_settings_seen (result->sessions, option, result->domain);
  dmd_settings_page_fill (DMD_SETTINGS_PAGE (self->pages[DMD_PAGE_SETTINGS]), seen);
  go_to (self, DMD_PAGE_SETTINGS);
}

static void
add_page (DmdWindow *self,
          DmdPageId  id,
          GtkWidget *page)
{
  g_assert (self->pages[id] == NULL);

  self->pages[id] = DMD_PAGE (page);
  gtk_stack_add_child (self->stack, page);
  g_signal_connect_object (page, "notify", G_CALLBACK (page_notify_cb), self, G_CONNECT_SWAPPED);
}

static void
session_option_changed_cb (DmdWindow *self)
{
  update_navigation (self);
}

static gboolean
dmd_window_close_request (GtkWindow *window)
{
  DmdWindow *self = DMD_WINDOW (window);
  GSettings *settings = dmd_session_get_settings (self->session);
  DmdPage *page = current_page (self);

  /* Closing while checks run stops them. */
  if (page != NULL && dmd_page_get_applying (page))
    dmd_page_apply_cancel (page);

  if (settings != NULL && !gtk_window_is_maximized (window))
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }

  return GTK_WINDOW_CLASS (dmd_window_parent_class)->close_request (window);
}

static void
dmd_window_dispose (GObject *object)
{
  DmdWindow *self = DMD_WINDOW (object);

  for (guint i = 0; i < DMD_N_PAGES; i++)
    self->pages[i] = NULL;
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dmd_window_parent_class)->dispose (object);
}

static void
dmd_window_class_init (DmdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = dmd_window_dispose;
  window_class->close_request = dmd_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, forward_button);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DmdWindow, window_title);

  gtk_widget_class_install_action (widget_class, "win.forward", NULL, forward_action_cb);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action_cb);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action_cb);
  gtk_widget_class_install_action (widget_class, "win.explain", NULL, explain_action_cb);
  gtk_widget_class_install_action (widget_class, "win.capture", NULL, capture_action_cb);
  gtk_widget_class_install_action (widget_class, "win.change-settings", NULL, change_settings_action_cb);
  gtk_widget_class_install_action (widget_class, "win.check-option", "s", check_option_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
dmd_window_init (DmdWindow *self)
{
  GSettings *settings;

  g_type_ensure (DMD_TYPE_WELCOME_PAGE);
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->session = dmd_session_new ();
  g_signal_connect_object (self->session, "notify::option",
                           G_CALLBACK (session_option_changed_cb), self, G_CONNECT_SWAPPED);

  settings = dmd_session_get_settings (self->session);
  if (settings != NULL)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MAX (360, g_settings_get_int (settings, "window-width")),
                                 MAX (294, g_settings_get_int (settings, "window-height")));

  add_page (self, DMD_PAGE_WELCOME, dmd_welcome_page_new ());
  add_page (self, DMD_PAGE_OPTION, dmd_option_page_new (self->session));
  add_page (self, DMD_PAGE_SETTINGS, dmd_settings_page_new (self->session));
  add_page (self, DMD_PAGE_CHECKS, dmd_checks_page_new (self->session));
  add_page (self, DMD_PAGE_RESULTS, dmd_results_page_new (self->session));
  add_page (self, DMD_PAGE_EXPLAIN, dmd_explain_page_new (self->session));
  add_page (self, DMD_PAGE_CAPTURE, dmd_capture_page_new (self->session));

  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->forward_button), "label");
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->cancel_button), "label");

  /* Enter activates the primary action of a complete page. */
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->forward_button));
  go_to (self, DMD_PAGE_WELCOME);
}

DmdWindow *
dmd_window_new (DmdApplication *application)
{
  return g_object_new (DMD_TYPE_WINDOW, "application", application, NULL);
}

DmdSession *
dmd_window_get_session (DmdWindow *self)
{
  g_return_val_if_fail (DMD_IS_WINDOW (self), NULL);
  return self->session;
}

DmdPage *
dmd_window_get_page (DmdWindow *self,
                     DmdPageId  id)
{
  g_return_val_if_fail (DMD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (id < DMD_N_PAGES, NULL);
  return self->pages[id];
}

DmdPageId
dmd_window_get_current (DmdWindow *self)
{
  g_return_val_if_fail (DMD_IS_WINDOW (self), DMD_PAGE_WELCOME);
  return self->current;
}

void
dmd_window_go_to (DmdWindow *self,
                  DmdPageId  id)
{
  g_return_if_fail (DMD_IS_WINDOW (self));
  g_return_if_fail (id < DMD_N_PAGES && self->pages[id] != NULL);
  go_to (self, id);
}
