/* dmd-instead-row.c — "Test High Volume Email instead": one click to another option
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-instead-row.h"

struct _DmdInsteadRow
{
  AdwActionRow  parent_instance;

  DmdSession   *session;   /* weak: the window owns it and outlives its pages' rows */
  DmdOption     option;
};

G_DEFINE_FINAL_TYPE (DmdInsteadRow, dmd_instead_row, ADW_TYPE_ACTION_ROW)

static void
activated_cb (DmdInsteadRow *self)
{
  if (self->session == NULL)
    return;
  dmd_session_set_option (self->session, self->option);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.change-settings", NULL);
}

static void
dmd_instead_row_dispose (GObject *object)
{
  DmdInsteadRow *self = DMD_INSTEAD_ROW (object);

  g_clear_weak_pointer (&self->session);

  G_OBJECT_CLASS (dmd_instead_row_parent_class)->dispose (object);
}

static void
dmd_instead_row_class_init (DmdInsteadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dmd_instead_row_dispose;
}

static void
dmd_instead_row_init (DmdInsteadRow *self)
{
  GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                  "icon-name", "go-next-symbolic",
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                  NULL);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), icon);
  g_signal_connect (self, "activated", G_CALLBACK (activated_cb), NULL);
}

GtkWidget *
dmd_instead_row_new_for_result (DmdSession *session)
{
  DmdResult *result;
  DmdInsteadRow *self;
  DmdOption option;
  const char *reason;
  g_autofree char *title = NULL;

  g_return_val_if_fail (DMD_IS_SESSION (session), NULL);

  result = dmd_session_get_result (session);
  if (result == NULL || !dmd_option_instead_of (result->option, result->findings, &option,
                                                &reason))
    return NULL;

  self = g_object_new (DMD_TYPE_INSTEAD_ROW, NULL);
  g_set_weak_pointer (&self->session, session);
  self->option = option;
  /* Translators: %s is an option's name: "Test High Volume Email instead". */
  title = g_strdup_printf (_("Test %s Instead"), dmd_option_display_name (option));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), reason);
  return GTK_WIDGET (self);
}
