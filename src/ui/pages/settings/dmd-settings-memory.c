/* dmd-settings-memory.c — the settings page's fields remembered, forgotten and filled in
 *
 * What was typed is kept in GSettings per field (secrets and chosen files never); "Forget
 * These Settings" clears them with an Undo that keeps the old values in memory only while its
 * toast shows; switching options gives the fields still at the old option's defaults the new
 * ones; a device's capture fills the fields with what it showed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dmd-settings-page-private.h"

/* ---- remembering ---- */

/* The option's default for a field (NULL: it has none). */
static char *
default_of (RowId     r,
            DmdOption option)
{
  return _dmd_settings_fields[r].default_value ? _dmd_settings_fields[r].default_value (dmd_option_get_info (option))
                                     : NULL;
}

/* What an entry or a choice row holds: the text, or the chosen value's id. */
static char *
current (DmdSettingsPage *self,
         RowId            r)
{
  return _dmd_settings_fields[r].kind == KIND_CHOICE ? g_strdup (_dmd_settings_chosen (self, r)) : _dmd_settings_text_of (self->rows[r]);
}

static void
set_current (DmdSettingsPage *self,
             RowId            r,
             const char      *text)
{
  if (_dmd_settings_fields[r].kind == KIND_CHOICE)
    _dmd_settings_choose (self, r, text);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->rows[r]), text);
}

/* Switching options: fields still holding the old option's defaults take the new ones. */
void
_dmd_settings_set_option (DmdSettingsPage *self,
            DmdOption        option)
{
  self->loading = TRUE;
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      g_autofree char *old_default = default_of (r, self->option);
      g_autofree char *new_default = default_of (r, option);
      g_autofree char *value = NULL;

      if (new_default == NULL)
        continue;
      value = current (self, r);
      if (*value == '\0' || g_str_equal (value, old_default))
        set_current (self, r, new_default);
    }
  self->option = option;
  self->loading = FALSE;

  _dmd_settings_update_layout (self);
  _dmd_settings_refresh (self);
}

/* A field as remembered (settings may be NULL), else as the option has it by default. */
static void
load_row (DmdSettingsPage *self,
          RowId            r,
          GSettings       *settings)
{
  const FieldRow *row = &_dmd_settings_fields[r];
  g_autofree char *remembered = NULL;
  g_autofree char *fallback = default_of (r, self->option);

  if (row->key == NULL)
    settings = NULL;
  switch (row->kind)
    {
    case KIND_TEXT:
      remembered = settings ? g_settings_get_string (settings, row->key) : NULL;
      gtk_editable_set_text (GTK_EDITABLE (self->rows[r]),
                             remembered != NULL && *remembered != '\0' ? remembered
                                                                       : fallback ? fallback : "");
      break;
    case KIND_NUMBER:
      if (settings != NULL && g_settings_get_uint (settings, row->key) != 0)
        remembered = g_strdup_printf ("%u", g_settings_get_uint (settings, row->key));
      gtk_editable_set_text (GTK_EDITABLE (self->rows[r]),
                             remembered ? remembered : fallback ? fallback : "");
      break;
    case KIND_SECRET:
      /* Secrets are never remembered. */
      gtk_editable_set_text (GTK_EDITABLE (self->rows[r]), "");
      break;
    case KIND_CHOICE:
      {
        /* A value the user never chose is the option's default. */
        g_autoptr(GVariant) user = settings ? g_settings_get_user_value (settings, row->key) : NULL;

        if (user != NULL || (settings != NULL && fallback == NULL))
          remembered = g_settings_get_string (settings, row->key);
        _dmd_settings_choose (self, r, remembered ? remembered : fallback);
      }
      break;
    case KIND_FILE:
      /* The certificate and key files are chosen for each session. */
      g_clear_pointer (&self->files[r], g_free);
      break;
    case KIND_SWITCH:
      /* A real message is only sent when ticked for this run. */
      gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (self->rows[r]))),
                             FALSE);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
_dmd_settings_load_settings (DmdSettingsPage *self)
{
  GSettings *settings = dmd_session_get_settings (dmd_page_get_session (DMD_PAGE (self)));

  self->loading = TRUE;
  self->option = dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self)));
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    load_row (self, r, settings);
  _dmd_settings_show_files (self);
  self->touched = 0;
  self->loading = FALSE;

  _dmd_settings_update_layout (self);
  _dmd_settings_refresh (self);
}

/* What was typed is remembered whatever the option, so that it is there when the user comes
 * back to it; a value that is the option's default is remembered as none. */
void
_dmd_settings_save_settings (DmdSettingsPage *self)
{
  GSettings *settings = dmd_session_get_settings (dmd_page_get_session (DMD_PAGE (self)));

  if (settings == NULL)
    return;

  g_settings_delay (settings);
  g_settings_set_enum (settings, "option", self->option);
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      const FieldRow *row = &_dmd_settings_fields[r];
      g_autofree char *text = NULL;
      g_autofree char *fallback = NULL;
      guint n;

      if (row->key == NULL)
        continue;
      text = current (self, r);
      fallback = default_of (r, self->option);
      if (fallback != NULL && g_str_equal (text, fallback))
        g_settings_reset (settings, row->key);
      else if (row->kind == KIND_NUMBER)
        g_settings_set_uint (settings, row->key,
                             _dmd_settings_parse_number (text, row->min, row->max, &n) ? n : 0);
      else
        g_settings_set_string (settings, row->key, text);
    }
  g_settings_apply (settings);
}

/* Every field as it was, those the option hides included, for Undo. */
typedef struct {
  DmdOption  option;
  char      *values[N_ROWS];  /* entries (secrets too) and choices, as current () says */
  char      *files[N_ROWS];
  gboolean   send;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      /* A secret is wiped before its memory goes back. */
      if (snapshot->values[r] != NULL && _dmd_settings_fields[r].kind == KIND_SECRET)
        memset (snapshot->values[r], 0, strlen (snapshot->values[r]));
      g_free (snapshot->values[r]);
      g_free (snapshot->files[r]);
    }
  g_free (snapshot);
}

static Snapshot *
snapshot_new (DmdSettingsPage *self)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->option = self->option;
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    switch (_dmd_settings_fields[r].kind)
      {
      case KIND_TEXT:
      case KIND_NUMBER:
      case KIND_CHOICE:
        snapshot->values[r] = current (self, r);
        break;
      case KIND_SECRET:
        snapshot->values[r] = g_strdup (_dmd_settings_secret (self, r));
        break;
      case KIND_FILE:
        snapshot->files[r] = g_strdup (self->files[r]);
        break;
      case KIND_SWITCH:
        snapshot->send = gtk_switch_get_active (
          GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (self->rows[r]))));
        break;
      default:
        g_assert_not_reached ();
      }
  return snapshot;
}

static void
undo_forget_cb (AdwToast        *toast,
                DmdSettingsPage *self)
{
  const Snapshot *before = g_object_get_data (G_OBJECT (toast), "dmd-before");
  DmdSession *session = dmd_page_get_session (DMD_PAGE (self));

  if (dmd_session_get_option (session) != before->option)
    dmd_session_set_option (session, before->option);
  self->loading = TRUE;
  self->option = before->option;
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    if (before->values[r] != NULL)
      set_current (self, r, before->values[r]);
    else if (_dmd_settings_fields[r].kind == KIND_FILE)
      {
        g_free (self->files[r]);
        self->files[r] = g_strdup (before->files[r]);
      }
    else if (_dmd_settings_fields[r].kind == KIND_SWITCH)
      gtk_switch_set_active (
        GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (self->rows[r]))),
        before->send);
  _dmd_settings_show_files (self);
  self->loading = FALSE;
  _dmd_settings_update_layout (self);
  _dmd_settings_refresh (self);
  _dmd_settings_save_settings (self);
}

void
_dmd_settings_forget_clicked_cb (DmdSettingsPage *self)
{
  GtkWidget *overlay;
  AdwToast *toast;

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  toast = adw_toast_new (_("The remembered settings were cleared"));
  /* Undo brings back every field as it was, the secret too: it stays in memory only, with
   * the toast, and is wiped when the toast goes. */
  g_object_set_data_full (G_OBJECT (toast), "dmd-before", snapshot_new (self),
                          (GDestroyNotify) snapshot_free);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_forget_cb), self, 0);

  dmd_settings_page_forget (self);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

void
dmd_settings_page_fill (DmdSettingsPage       *self,
                        const DmdDeviceConfig *config)
{
  DmdSession *session;
  g_autofree char *server = NULL;
  g_autofree char *port = NULL;
  g_autofree char *length = NULL;

  g_return_if_fail (DMD_IS_SETTINGS_PAGE (self));
  g_return_if_fail (config != NULL);

  session = dmd_page_get_session (DMD_PAGE (self));
  if (config->option != dmd_session_get_option (session))
    dmd_session_set_option (session, config->option);

  server = config->server != NULL && *config->server != '\0'
           ? g_strdup (config->server) : default_of (ROW_SERVER, config->option);
  port = config->port != 0 ? g_strdup_printf ("%u", config->port)
                           : default_of (ROW_PORT, config->option);
  length = config->server_field_length != 0 ? g_strdup_printf ("%u", config->server_field_length)
                                            : g_strdup ("");

  self->loading = TRUE;
  self->option = config->option;
  set_current (self, ROW_SERVER, server);
  set_current (self, ROW_DOMAIN, config->domain ? config->domain : "");
  set_current (self, ROW_PORT, port);
  set_current (self, ROW_SECURITY, dmd_security_to_string (config->security));
  set_current (self, ROW_METHOD, dmd_device_config_gets_token (config)
                                 ? dmd_auth_method_to_string (config->auth_method)
                                 : config->oauth_token != NULL ? "oauth-token" : "password");
  set_current (self, ROW_TENANT, config->tenant ? config->tenant : "");
  set_current (self, ROW_CLIENT_ID, config->client_id ? config->client_id : "");
  set_current (self, ROW_CLIENT_SECRET, config->client_secret ? config->client_secret : "");
  set_current (self, ROW_USERNAME, config->username ? config->username : "");
  set_current (self, ROW_PASSWORD, config->password ? config->password : "");
  set_current (self, ROW_TOKEN, config->oauth_token ? config->oauth_token : "");
  set_current (self, ROW_SENDER, config->from ? config->from : "");
  set_current (self, ROW_RECIPIENT, config->to ? config->to : "");
  set_current (self, ROW_CONNECTOR, config->connector_trusts_certificate ? "certificate" : "ip");
  set_current (self, ROW_CONNECTOR_IP, config->connector_ip ? config->connector_ip : "");
  set_current (self, ROW_FIELD_LENGTH, length);
  gtk_switch_set_active (
    GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (self->rows[ROW_SEND]))),
    FALSE);
  g_free (self->files[ROW_CLIENT_CERT]);
  self->files[ROW_CLIENT_CERT] = g_strdup (config->client_cert_file);
  g_free (self->files[ROW_CLIENT_KEY]);
  self->files[ROW_CLIENT_KEY] = g_strdup (config->client_key_file);
  _dmd_settings_show_files (self);
  self->touched = 0;
  self->loading = FALSE;

  _dmd_settings_update_layout (self);
  _dmd_settings_refresh (self);
}
