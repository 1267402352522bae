/* dmd-checks-page.c — the live checks: a row per check as it starts, the conversation
 *
 * The page's apply step is the checkup: it starts when the page shows, and the window's
 * Cancel (or Escape) cancels the apply cancellable, which is the checkup's. Every check the
 * run plans is listed from the start as "Waiting", so that progress shows as rows turn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-core.h"
#include "dmd-checks-page.h"
#include "dmd-device-code-dialog.h"
#include "dmd-text.h"
#include "dmd-transcript-view.h"

struct _DmdChecksPage
{
  DmdPage            parent_instance;

  GtkListBox        *check_list;
  GtkLabel          *status_label;
  GtkToggleButton   *transcript_button;
  GtkScrolledWindow *transcript_scroller;
  DmdTranscriptView *transcript_view;

  DmdCheckup        *checkup;
  GtkWidget         *device_code_dialog;  /* while a person signs in (oauth check) */
  GHashTable        *rows;          /* check id → AdwActionRow */
  guint              n_checks;
};

G_DEFINE_FINAL_TYPE (DmdChecksPage, dmd_checks_page, DMD_TYPE_PAGE)

const char *
dmd_check_status_icon_name (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS:
      return "emblem-ok-symbolic";
    case DMD_CHECK_WARN:
      return "dialog-warning-symbolic";
    case DMD_CHECK_FAIL:
      return "dialog-error-symbolic";
    case DMD_CHECK_SKIP:
      return "list-remove-symbolic";
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:
      return "content-loading-symbolic";
    }
}

static const char *
status_style (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS:
      return "success";
    case DMD_CHECK_WARN:
      return "warning";
    case DMD_CHECK_FAIL:
      return "error";
    default:
      return "dim-label";
    }
}

/* A row's parts, kept as object data on the row. */
typedef struct {
  GtkStack   *icon_stack;
  GtkSpinner *spinner;
  GtkImage   *icon;
  GtkLabel   *state;
  GtkLabel   *elapsed;
  char       *title;
  gint64      started;   /* monotonic µs */
  DmdCheckStatus status;
} CheckRow;

static void
check_row_free (CheckRow *row)
{
  g_free (row->title);
  g_free (row);
}

static CheckRow *
check_row (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "dmd-check-row");
}

static void
set_row_state (GtkWidget      *widget,
               DmdCheckStatus  status,
               const char     *summary,
               const char     *state_text,
               gint64          elapsed_ms)
{
  CheckRow *row = check_row (widget);
  g_autofree char *suffix = NULL;
  g_autofree char *spoken = NULL;
  const char *styles[] = { "success", "warning", "error", "dim-label" };
  gboolean running = status == DMD_CHECK_RUNNING;
  /* Under a second says nothing a technician needs: only longer times are shown. */
  gboolean timed = elapsed_ms >= 1000;

  row->status = status;
  if (summary != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), summary);

  if (running)
    {
      gtk_stack_set_visible_child (row->icon_stack, GTK_WIDGET (row->spinner));
      gtk_spinner_start (row->spinner);
    }
  else
    {
      gtk_spinner_stop (row->spinner);
      gtk_image_set_from_icon_name (row->icon, dmd_check_status_icon_name (status));
      for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
        gtk_widget_remove_css_class (GTK_WIDGET (row->icon), styles[i]);
      gtk_widget_add_css_class (GTK_WIDGET (row->icon), status_style (status));
      gtk_stack_set_visible_child (row->icon_stack, GTK_WIDGET (row->icon));
    }

  if (state_text == NULL)
    state_text = dmd_check_status_word (status);
  gtk_label_set_text (row->state, state_text);
  if (timed)
    {
      /* Translators: how long a check took, in seconds. */
      g_autofree char *elapsed = g_strdup_printf (_("%.1f s"), elapsed_ms / 1000.0);

      gtk_label_set_text (row->elapsed, elapsed);
      /* Translators: a check's state and how long it took, e.g. "Passed · 0.4 s". */
      suffix = g_strdup_printf (_("%s · %s"), state_text, elapsed);
    }
  else
    {
      gtk_label_set_text (row->elapsed, "");
      suffix = g_strdup (state_text);
    }
  gtk_widget_set_visible (GTK_WIDGET (row->elapsed), timed);

  /* GTK 4.8 cannot announce; the row's name carries its state in words instead. */
  /* Translators: a check row read out: its name, its state, then its one-line result. */
  spoken = g_strdup_printf (_("%s: %s. %s"), row->title, suffix,
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)) ?
                              adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)) : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_strstrip (spoken), -1);
}

static GtkWidget *
add_row (DmdChecksPage *self,
         const char    *id,
         const char    *title)
{
  GtkWidget *widget;
  CheckRow *row = g_new0 (CheckRow, 1);

  widget = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), "");
  gtk_widget_add_css_class (widget, "check-row");
  gtk_widget_set_name (widget, id);

  row->title = g_strdup (title);
  row->started = g_get_monotonic_time ();
  row->icon_stack = GTK_STACK (gtk_stack_new ());
  row->spinner = GTK_SPINNER (gtk_spinner_new ());
  row->icon = GTK_IMAGE (g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL));
  gtk_stack_add_child (row->icon_stack, GTK_WIDGET (row->spinner));
  gtk_stack_add_child (row->icon_stack, GTK_WIDGET (row->icon));
  gtk_widget_set_valign (GTK_WIDGET (row->icon_stack), GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (widget), GTK_WIDGET (row->icon_stack));

  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
    row->state = GTK_LABEL (gtk_label_new (NULL));
    gtk_widget_add_css_class (GTK_WIDGET (row->state), "dim-label");
    gtk_label_set_xalign (row->state, 1);
    row->elapsed = GTK_LABEL (gtk_label_new (NULL));
    gtk_widget_add_css_class (GTK_WIDGET (row->elapsed), "dim-label");
    gtk_widget_add_css_class (GTK_WIDGET (row->elapsed), "numeric");
    gtk_widget_add_css_class (GTK_WIDGET (row->elapsed), "caption");
    gtk_label_set_xalign (row->elapsed, 1);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->state));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->elapsed));
    adw_action_row_add_suffix (ADW_ACTION_ROW (widget), box);
  }

  g_object_set_data_full (G_OBJECT (widget), "dmd-check-row", row, (GDestroyNotify) check_row_free);
  /* Summaries quote host names and reply lines: never hyphenated. */
  dmd_text_no_hyphens (widget);
  gtk_list_box_append (self->check_list, widget);
  g_hash_table_replace (self->rows, g_strdup (id), widget);
  self->n_checks++;
  set_row_state (widget, DMD_CHECK_PENDING, NULL, NULL, -1);
  return widget;
}

static void
check_started_cb (DmdCheckup    *checkup,
                  const char    *id,
                  const char    *title,
                  DmdChecksPage *self)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, id);

  if (row == NULL)
    row = add_row (self, id, title ? title : dmd_check_title (id));
  check_row (row)->started = g_get_monotonic_time ();
  set_row_state (row, DMD_CHECK_RUNNING, NULL, NULL, -1);
}

/* ---- the device code: what a person does while the oauth check waits ---- */

static void
close_device_code_dialog (DmdChecksPage *self)
{
  GtkWidget *dialog = g_steal_pointer (&self->device_code_dialog);

  if (dialog == NULL)
    return;
  g_signal_handlers_disconnect_by_data (dialog, self);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
device_code_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         DmdChecksPage    *self)
{
  /* The dialog closes itself after a response. */
  self->device_code_dialog = NULL;
  if (g_strcmp0 (response, "cancel") == 0)
    dmd_page_apply_cancel (DMD_PAGE (self));
}

static void
device_code_cb (DmdCheckup    *checkup,
                const char    *verification_uri,
                const char    *user_code,
                guint          expires_in,
                DmdChecksPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  close_device_code_dialog (self);
  self->device_code_dialog =
    dmd_device_code_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                verification_uri, user_code, expires_in,
                                dmd_checkup_get_config (checkup)->username);
  g_signal_connect (self->device_code_dialog, "response",
                    G_CALLBACK (device_code_response_cb), self);
  gtk_window_present (GTK_WINDOW (self->device_code_dialog));
}

static void
check_finished_cb (DmdCheckup    *checkup,
                   const char    *id,
                   int            status,
                   const char    *summary,
                   DmdChecksPage *self)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, id);

  /* The token came (or will not): nobody needs the code any more. */
  if (g_strcmp0 (id, "oauth") == 0)
    close_device_code_dialog (self);

  if (row == NULL)
    row = add_row (self, id, dmd_check_title (id));
  set_row_state (row, (DmdCheckStatus) status, summary, NULL,
                 (g_get_monotonic_time () - check_row (row)->started) / 1000);
}

static void
scroll_to_end (DmdChecksPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->transcript_view));
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->transcript_view), &end, 0, FALSE, 0, 0);
}

static void
transcript_line_cb (DmdCheckup    *checkup,
                    const char    *id,
                    int            dir,
                    const char    *text,
                    DmdChecksPage *self)
{
  dmd_transcript_view_append (self->transcript_view, (char) dir, text);
  if (gtk_toggle_button_get_active (self->transcript_button))
    scroll_to_end (self);
}

static void
stop_running_rows (DmdChecksPage *self,
                   const char    *state_text)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CheckRow *row = check_row (value);

      /* Still running, or planned and never started (an earlier step failed, or what the
       * check needs never came). */
      if (row->status == DMD_CHECK_RUNNING || row->status == DMD_CHECK_PENDING)
        set_row_state (value, DMD_CHECK_SKIP, NULL, state_text, -1);
    }
}

static void
disconnect_checkup (DmdChecksPage *self)
{
  close_device_code_dialog (self);
  if (self->checkup == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->checkup, self);
  g_clear_object (&self->checkup);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(DmdChecksPage) self = user_data;
  g_autoptr(DmdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = dmd_checkup_run_finish (DMD_CHECKUP (source), res, &error);
  if (DMD_CHECKUP (source) != self->checkup)
    return;   /* a newer run replaced this one */
  disconnect_checkup (self);

  if (result == NULL || result->cancelled)
    {
      /* Cancelled: what was gathered is not a result to show. */
      if (result != NULL)
        {
          stop_running_rows (self, _("Cancelled"));
          gtk_label_set_text (self->status_label, _("The checks were cancelled. Run them again, or go back to change the settings."));
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("The checks could not run: %s"), error->message);
          stop_running_rows (self, _("Stopped"));
          gtk_label_set_text (self->status_label, text);
        }
      dmd_page_set_forward_label (DMD_PAGE (self), _("_Run Checks"));
      if (dmd_page_get_applying (DMD_PAGE (self)))
        dmd_page_apply_complete (DMD_PAGE (self), FALSE);
      return;
    }

  /* The engine's own timings replace the ones measured here. */
  for (guint i = 0; i < result->checks->len; i++)
    {
      DmdCheck *check = g_ptr_array_index (result->checks, i);
      GtkWidget *row = g_hash_table_lookup (self->rows, check->id);

      if (row == NULL)
        row = add_row (self, check->id, dmd_check_title (check->id));
      set_row_state (row, check->status, check->summary, NULL, check->elapsed_ms);
    }
  stop_running_rows (self, NULL);

  gtk_label_set_text (self->status_label, _("The checks are done."));
  dmd_session_set_result (dmd_page_get_session (DMD_PAGE (self)), result);
  if (dmd_page_get_applying (DMD_PAGE (self)))
    dmd_page_apply_complete (DMD_PAGE (self), TRUE);
}

static void
clear (DmdChecksPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->check_list))) != NULL)
    gtk_list_box_remove (self->check_list, child);
  g_hash_table_remove_all (self->rows);
  self->n_checks = 0;
  dmd_transcript_view_clear (self->transcript_view);
}

static gboolean
dmd_checks_page_apply (DmdPage      *page,
                       GCancellable *cancellable)
{
  DmdChecksPage *self = DMD_CHECKS_PAGE (page);
  const DmdDeviceConfig *config = dmd_session_get_config (dmd_page_get_session (DMD_PAGE (self)));

  disconnect_checkup (self);
  clear (self);

  if (config == NULL)
    {
      gtk_label_set_text (self->status_label, _("Enter the device’s settings first."));
      dmd_page_apply_complete (page, FALSE);
      return TRUE;
    }

  dmd_session_set_result (dmd_page_get_session (DMD_PAGE (self)), NULL);
  gtk_label_set_text (self->status_label, _("Running the checks from this computer…"));

  /* Every planned check, waiting, in the order the run takes them. */
  {
    g_autoptr(GPtrArray) plan = dmd_checkup_plan (config);

    for (guint i = 0; i < plan->len; i++)
      {
        const DmdPlannedCheck *planned = g_ptr_array_index (plan, i);

        add_row (self, planned->id, planned->title);
      }
  }

  self->checkup = dmd_checkup_new (config);
  g_signal_connect (self->checkup, "check-started", G_CALLBACK (check_started_cb), self);
  g_signal_connect (self->checkup, "check-finished", G_CALLBACK (check_finished_cb), self);
  g_signal_connect (self->checkup, "transcript-line", G_CALLBACK (transcript_line_cb), self);
  g_signal_connect (self->checkup, "oauth-device-code", G_CALLBACK (device_code_cb), self);
  dmd_checkup_run_async (self->checkup, cancellable, run_done_cb, g_object_ref (self));
  return TRUE;
}

static void
transcript_toggled_cb (DmdChecksPage *self)
{
  gboolean active = gtk_toggle_button_get_active (self->transcript_button);

  gtk_button_set_label (GTK_BUTTON (self->transcript_button),
                        active ? _("Hide _Conversation") : _("Show _Conversation"));
  if (active)
    scroll_to_end (self);
}

static void
dmd_checks_page_dispose (GObject *object)
{
  DmdChecksPage *self = DMD_CHECKS_PAGE (object);

  disconnect_checkup (self);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (dmd_checks_page_parent_class)->dispose (object);
}

static void
dmd_checks_page_class_init (DmdChecksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  object_class->dispose = dmd_checks_page_dispose;

  page_class->apply = dmd_checks_page_apply;

  g_type_ensure (DMD_TYPE_TRANSCRIPT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-checks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdChecksPage, check_list);
  gtk_widget_class_bind_template_child (widget_class, DmdChecksPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, DmdChecksPage, transcript_button);
  gtk_widget_class_bind_template_child (widget_class, DmdChecksPage, transcript_scroller);
  gtk_widget_class_bind_template_child (widget_class, DmdChecksPage, transcript_view);
}

static void
dmd_checks_page_init (DmdChecksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect_swapped (self->transcript_button, "toggled", G_CALLBACK (transcript_toggled_cb), self);
  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->transcript_button), "label");

  dmd_page_set_title (DMD_PAGE (self), _("Checks"));
  dmd_page_set_forward_label (DMD_PAGE (self), _("_Run Checks"));
  dmd_page_set_complete (DMD_PAGE (self), TRUE);
}

GtkWidget *
dmd_checks_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_CHECKS_PAGE, "session", session, NULL);
}

guint
dmd_checks_page_get_n_checks (DmdChecksPage *self)
{
  g_return_val_if_fail (DMD_IS_CHECKS_PAGE (self), 0);
  return self->n_checks;
}
