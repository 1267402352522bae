/* dmd-settings-page.c — the device's settings for the chosen option
 *
 * Each field is validated as it is typed (the engine's dmd_device_config_validate) and the
 * pre-flight findings (dmd_catalog_preflight) appear under the field they are about. Errors
 * show once a field was touched or holds text; Next stays insensitive until nothing is wrong.
 *
 * The test builds add their redirections to the config here (dmd-test-hooks.h); the
 * installed wizard has none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-core.h"
#include "dmd-note-row.h"
#include "dmd-settings-page.h"
#include "dmd-test-hooks.h"

/* Fields beyond DmdField that have a note row of their own. */
enum {
  FIELD_SECURITY = DMD_N_FIELDS,
  FIELD_FIELD_LENGTH,
  FIELD_GENERAL,
  N_UI_FIELDS
};

typedef enum {
  SIGN_IN_PASSWORD,
  SIGN_IN_OAUTH_TOKEN,
} SignInMethod;

typedef enum {
  CONNECTOR_IP,
  CONNECTOR_CERTIFICATE,
} ConnectorKind;

struct _DmdSettingsPage
{
  DmdPage               parent_instance;

  GtkButton            *client_cert_button;
  GtkButton            *client_cert_clear;
  AdwActionRow         *client_cert_row;
  GtkButton            *client_key_button;
  AdwActionRow         *client_key_row;
  AdwPreferencesGroup  *connector_group;
  AdwEntryRow          *connector_ip_row;
  DmdNoteRow           *connector_note;
  AdwComboRow          *connector_row;
  AdwEntryRow          *domain_row;
  DmdNoteRow           *domain_note;
  AdwEntryRow          *field_length_row;
  DmdNoteRow           *field_length_note;
  GtkButton            *forget_button;
  AdwPreferencesGroup  *general_group;
  DmdNoteRow           *general_note;
  AdwPreferencesGroup  *message_group;
  AdwComboRow          *method_row;
  AdwPreferencesGroup  *optional_group;
  DmdNoteRow           *password_note;
  AdwPasswordEntryRow  *password_row;
  AdwEntryRow          *port_row;
  DmdNoteRow           *port_note;
  AdwEntryRow          *recipient_row;
  DmdNoteRow           *recipient_note;
  AdwComboRow          *security_row;
  DmdNoteRow           *security_note;
  GtkSwitch            *send_switch;
  AdwEntryRow          *sender_row;
  DmdNoteRow           *sender_note;
  AdwEntryRow          *server_row;
  DmdNoteRow           *server_note;
  AdwPreferencesGroup  *signin_group;
  AdwPasswordEntryRow  *token_row;
  AdwEntryRow          *username_row;
  DmdNoteRow           *username_note;

  /* The device's client certificate and key, as chosen (paths only, never remembered: the
   * key is read when the checks run). */
  char                 *client_cert_file;
  char                 *client_key_file;
  GtkFileChooserNative *chooser;

  DmdOption             option;      /* the option the fields are laid out for */
  guint                 touched;     /* bit per field */
  gboolean              loading;
};

G_DEFINE_FINAL_TYPE (DmdSettingsPage, dmd_settings_page, DMD_TYPE_PAGE)

static const char *
default_server (DmdOption option)
{
  const char *server = dmd_option_get_info (option)->default_server;

  return server != NULL ? server : "";
}

static char *
text_of (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static char *
nonempty_text (gpointer editable)
{
  char *text = text_of (editable);

  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* A whole number in [min, max]; FALSE for anything else (signs, spaces inside, overflow). */
static gboolean
parse_number (const char *text,
              guint       min,
              guint       max,
              guint      *out)
{
  guint64 value;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

static SignInMethod
sign_in_method (DmdSettingsPage *self)
{
  return adw_combo_row_get_selected (self->method_row) == 1 ? SIGN_IN_OAUTH_TOKEN : SIGN_IN_PASSWORD;
}

static ConnectorKind
connector_kind (DmdSettingsPage *self)
{
  return adw_combo_row_get_selected (self->connector_row) == 1 ? CONNECTOR_CERTIFICATE : CONNECTOR_IP;
}

static gpointer
secret_row (DmdSettingsPage *self)
{
  return sign_in_method (self) == SIGN_IN_OAUTH_TOKEN ? self->token_row : self->password_row;
}

/* The entry row a field is typed into (NULL for fields without one). */
static GtkWidget *
field_row (DmdSettingsPage *self,
           guint            field)
{
  switch (field)
    {
    case DMD_FIELD_SERVER:       return GTK_WIDGET (self->server_row);
    case DMD_FIELD_PORT:         return GTK_WIDGET (self->port_row);
    case DMD_FIELD_USERNAME:     return GTK_WIDGET (self->username_row);
    case DMD_FIELD_PASSWORD:     return GTK_WIDGET (secret_row (self));
    case DMD_FIELD_FROM:         return GTK_WIDGET (self->sender_row);
    case DMD_FIELD_TO:           return GTK_WIDGET (self->recipient_row);
    case DMD_FIELD_DOMAIN:       return GTK_WIDGET (self->domain_row);
    case DMD_FIELD_CONNECTOR_IP: return GTK_WIDGET (self->connector_ip_row);
    case DMD_FIELD_CLIENT_CERT:  return GTK_WIDGET (self->client_cert_row);
    case FIELD_FIELD_LENGTH:     return GTK_WIDGET (self->field_length_row);
    default:                     return NULL;
    }
}

static DmdNoteRow *
field_note (DmdSettingsPage *self,
            guint            field)
{
  switch (field)
    {
    case DMD_FIELD_SERVER:       return self->server_note;
    case DMD_FIELD_PORT:         return self->port_note;
    case DMD_FIELD_USERNAME:     return self->username_note;
    case DMD_FIELD_PASSWORD:     return self->password_note;
    case DMD_FIELD_FROM:         return self->sender_note;
    case DMD_FIELD_TO:           return self->recipient_note;
    case DMD_FIELD_DOMAIN:       return self->domain_note;
    case DMD_FIELD_CONNECTOR_IP: return self->connector_note;
    case DMD_FIELD_CLIENT_CERT:  return self->connector_note;
    case FIELD_SECURITY:         return self->security_note;
    case FIELD_FIELD_LENGTH:     return self->field_length_note;
    default:                     return self->general_note;
    }
}

static gboolean
field_visible (DmdSettingsPage *self,
               guint            field)
{
  GtkWidget *row = field_row (self, field);

  if (field == FIELD_SECURITY)
    return TRUE;
  if (row == NULL)
    return FALSE;
  /* A row is visible when it and its group are. */
  return gtk_widget_get_visible (row) &&
         gtk_widget_get_visible (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP));
}

/* Errors and findings show under a field once it was touched or holds text. */
static gboolean
field_shown (DmdSettingsPage *self,
             guint            field)
{
  GtkWidget *row = field_row (self, field);

  if (self->touched & (1u << field))
    return TRUE;
  if (row != NULL && GTK_IS_EDITABLE (row))
    return *gtk_editable_get_text (GTK_EDITABLE (row)) != '\0';
  return TRUE;
}

/* The pre-flight finding ids that are about one field. */
static guint
finding_field (const char *id)
{
  static const struct {
    const char *id;
    guint       field;
  } map[] = {
    { "config-no-credentials", DMD_FIELD_PASSWORD },
    { "config-basic-auth-retiring", DMD_FIELD_PASSWORD },
    { "config-sender-mismatch", DMD_FIELD_FROM },
    { "config-ip-literal-server", DMD_FIELD_SERVER },
    { "config-wrong-endpoint-direct-send", DMD_FIELD_SERVER },
    { "config-wrong-endpoint-smtp-auth", DMD_FIELD_SERVER },
    { "config-port-465", DMD_FIELD_PORT },
    { "config-implicit-tls", FIELD_SECURITY },
    { "config-tls-disabled", FIELD_SECURITY },
    { "config-external-recipient-direct-send", DMD_FIELD_TO },
    { "config-mx-host-too-long", FIELD_FIELD_LENGTH },
    { "relay-connector-ip-mismatch", DMD_FIELD_CONNECTOR_IP },
    { "config-hve-external-recipient", DMD_FIELD_TO },
    { "config-hve-legacy-endpoint", DMD_FIELD_SERVER },
    { "config-hve-basic-auth-until-2028", DMD_FIELD_PASSWORD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (map[i].id, id) == 0)
      return map[i].field;
  return FIELD_GENERAL;
}

/* What the wizard needs before it can run the checks for the option (the engine accepts a
 * config without them, as the CLI does, and reports what it could not test). */
static const char *
required_message (DmdSettingsPage *self,
                  guint            field)
{
  gboolean auth = dmd_option_get_info (self->option)->signs_in;

  switch (field)
    {
    case DMD_FIELD_USERNAME:
      return auth ? _("Enter the user name the device signs in with.") : NULL;
    case DMD_FIELD_PASSWORD:
      if (!auth)
        return NULL;
      return sign_in_method (self) == SIGN_IN_OAUTH_TOKEN ? _("Paste the OAuth access token.")
                                                          : _("Enter the password the device signs in with.");
    case DMD_FIELD_FROM:
      return _("Enter the sender address the device uses.");
    case DMD_FIELD_TO:
      return _("Enter an address to send the test to.");
    default:
      return NULL;
    }
}

static DmdDeviceConfig *
build_config (DmdSettingsPage *self,
              GPtrArray       *general_errors)
{
  DmdOption option = self->option;
  const DmdOptionInfo *info = dmd_option_get_info (option);
  DmdDeviceConfig *config = dmd_device_config_new (option);
  g_autofree char *port = text_of (self->port_row);
  g_autofree char *field_length = text_of (self->field_length_row);
  guint number;

  config->server = nonempty_text (self->server_row);
  if (parse_number (port, 1, G_MAXUINT16, &number))
    config->port = (guint16) number;
  switch (adw_combo_row_get_selected (self->security_row))
    {
    case 1:
      config->security = DMD_SECURITY_NONE;
      break;
    case 2:
      config->security = DMD_SECURITY_IMPLICIT_TLS;
      break;
    default:
      config->security = DMD_SECURITY_STARTTLS;
      break;
    }

  if (info->signs_in)
    {
      const char *secret = gtk_editable_get_text (GTK_EDITABLE (secret_row (self)));

      config->username = nonempty_text (self->username_row);
      if (*secret != '\0' && sign_in_method (self) == SIGN_IN_OAUTH_TOKEN)
        dmd_device_config_set_oauth_token (config, secret);
      else if (*secret != '\0')
        dmd_device_config_set_password (config, secret);
    }

  config->from = nonempty_text (self->sender_row);
  config->to = nonempty_text (self->recipient_row);

  /* The domain: to look up the MX endpoint, or to tell inside recipients from outside ones. */
  if (info->endpoint == DMD_ENDPOINT_MX || info->internal_only)
    config->domain = nonempty_text (self->domain_row);
  if (info->endpoint == DMD_ENDPOINT_MX && parse_number (field_length, 1, 10000, &number))
    config->server_field_length = number;
  if (info->connector && connector_kind (self) == CONNECTOR_IP)
    config->connector_ip = nonempty_text (self->connector_ip_row);
  if (info->connector && connector_kind (self) == CONNECTOR_CERTIFICATE)
    {
      config->connector_trusts_certificate = TRUE;
      config->client_cert_file = g_strdup (self->client_cert_file);
      config->client_key_file = g_strdup (self->client_key_file);
    }

  config->send = gtk_switch_get_active (self->send_switch);

  dmd_test_hooks_apply (config, general_errors);
  return config;
}

static void
set_row_error (GtkWidget  *row,
               DmdNoteRow *note,
               gboolean    error)
{
  g_autofree char *description = NULL;

  if (row == NULL)
    return;
  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                               error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  description = note ? dmd_note_row_dup_text (note) : NULL;
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static const char *
row_title (GtkWidget *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static void
refresh (DmdSettingsPage *self)
{
  g_autoptr(GPtrArray) general_errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(DmdResult) preflight = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *port = NULL;
  g_autofree char *field_length = NULL;
  gboolean has_error[N_UI_FIELDS] = { FALSE, };
  gboolean complete = TRUE;
  guint number;

  if (self->loading || dmd_page_get_session (DMD_PAGE (self)) == NULL)
    return;

  for (guint f = 0; f < N_UI_FIELDS; f++)
    dmd_note_row_clear (field_note (self, f));

  config = build_config (self, general_errors);

  /* What only the page can tell: numbers that are not numbers. */
  port = text_of (self->port_row);
  if (!parse_number (port, 1, G_MAXUINT16, &number))
    {
      complete = FALSE;
      if (field_shown (self, DMD_FIELD_PORT))
        {
          dmd_note_row_add (self->port_note, DMD_NOTE_ERROR,
                            _("Enter the port number the device uses, from 1 to 65535."));
          has_error[DMD_FIELD_PORT] = TRUE;
        }
    }
  field_length = text_of (self->field_length_row);
  if (field_visible (self, FIELD_FIELD_LENGTH) && *field_length != '\0' &&
      !parse_number (field_length, 1, 10000, &number))
    {
      complete = FALSE;
      dmd_note_row_add (self->field_length_note, DMD_NOTE_ERROR,
                        _("Enter a number of characters, or leave the field empty."));
      has_error[FIELD_FIELD_LENGTH] = TRUE;
    }

  for (guint i = 0; i < general_errors->len; i++)
    {
      complete = FALSE;
      dmd_note_row_add (self->general_note, DMD_NOTE_ERROR, g_ptr_array_index (general_errors, i));
    }

  /* Empty fields the checks need. */
  for (guint field = 0; field < DMD_N_FIELDS; field++)
    {
      const char *message = required_message (self, field);
      GtkWidget *widget = field_row (self, field);

      if (message == NULL || widget == NULL || !field_visible (self, field) ||
          *gtk_editable_get_text (GTK_EDITABLE (widget)) != '\0')
        continue;
      complete = FALSE;
      if (self->touched & (1u << field))
        {
          dmd_note_row_add (field_note (self, field), DMD_NOTE_ERROR, message);
          has_error[field] = TRUE;
        }
      else
        {
          if (missing->len > 0)
            /* Translators: separates field names in "To run the checks, fill in: A, B." */
            g_string_append (missing, _(", "));
          g_string_append (missing, row_title (widget));
        }
    }

  /* The engine's validation, field by field. */
  errors = dmd_device_config_validate (config);
  for (guint i = 0; i < errors->len; i++)
    {
      DmdFieldError *error = g_ptr_array_index (errors, i);
      guint field = error->field;

      /* A port the page could not parse was already explained. */
      if (field == DMD_FIELD_PORT && has_error[DMD_FIELD_PORT])
        continue;
      complete = FALSE;
      if (!field_visible (self, field))
        {
          dmd_note_row_add (self->general_note, DMD_NOTE_ERROR, error->message);
        }
      else if (field_shown (self, field))
        {
          dmd_note_row_add (field_note (self, field), DMD_NOTE_ERROR, error->message);
          has_error[field] = TRUE;
        }
      else if (strstr (missing->str, row_title (field_row (self, field))) == NULL)
        {
          if (missing->len > 0)
            /* Translators: separates field names in "To run the checks, fill in: A, B." */
            g_string_append (missing, _(", "));
          g_string_append (missing, row_title (field_row (self, field)));
        }
    }

  /* Pre-flight findings: what is already known to go wrong, without the network. */
  preflight = dmd_result_new (self->option);
  dmd_catalog_preflight (config, preflight);
  for (guint i = 0; i < preflight->findings->len; i++)
    {
      DmdFinding *finding = g_ptr_array_index (preflight->findings, i);
      guint field = finding_field (finding->id);

      /* The "Send a real test message" row already says that nothing is sent. */
      if (g_str_equal (finding->id, "test-message-not-sent"))
        continue;
      if (field != FIELD_GENERAL && !field_visible (self, field))
        field = FIELD_GENERAL;
      if (field != FIELD_GENERAL && !field_shown (self, field))
        continue;
      dmd_note_row_add (field_note (self, field),
                        finding->severity == DMD_SEVERITY_INFO ? DMD_NOTE_INFO : DMD_NOTE_WARNING,
                        finding->title);
    }

  if (dmd_option_get_info (self->option)->connector &&
      connector_kind (self) == CONNECTOR_CERTIFICATE)
    {
      if (self->client_cert_file != NULL && self->client_key_file != NULL)
        dmd_note_row_add (self->connector_note, DMD_NOTE_INFO,
                          _("The checks present this certificate when the server asks for one, as the device does, so they also test the connector."));
      else
        dmd_note_row_add (self->connector_note, DMD_NOTE_WARNING,
                          _("A connector that trusts a certificate cannot be tested from this computer without the device’s own certificate and key: Microsoft 365 accepts the mail only when the device presents its certificate. Choose them above to test the connector too; without them the checks test the network and the endpoint only."));
    }

  if (missing->len > 0)
    {
      /* Translators: %s is a list of field names. */
      g_autofree char *text = g_strdup_printf (_("To run the checks, fill in: %s."), missing->str);
      dmd_note_row_add (self->general_note, DMD_NOTE_INFO, text);
    }

  for (guint f = 0; f < N_UI_FIELDS; f++)
    if (f != FIELD_GENERAL)
      set_row_error (field_row (self, f), field_note (self, f), has_error[f]);
  gtk_widget_set_visible (GTK_WIDGET (self->general_group),
                          dmd_note_row_get_n_notes (self->general_note) > 0);

  dmd_page_set_complete (DMD_PAGE (self), complete);
}

static void
update_layout (DmdSettingsPage *self)
{
  const DmdOptionInfo *info = dmd_option_get_info (self->option);
  gboolean auth = info->signs_in;
  gboolean mx = info->endpoint == DMD_ENDPOINT_MX;
  gboolean oauth = sign_in_method (self) == SIGN_IN_OAUTH_TOKEN;

  gtk_widget_set_visible (GTK_WIDGET (self->signin_group), auth);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), !oauth);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), oauth);
  adw_preferences_group_set_description (self->signin_group,
                                         oauth ? _("The token is used for this run only and is never saved.")
                                               : _("The password is used for this run only and is never saved."));
  gtk_widget_set_visible (GTK_WIDGET (self->domain_row), mx || info->internal_only);
  gtk_widget_set_visible (GTK_WIDGET (self->connector_group), info->connector);
  gtk_widget_set_visible (GTK_WIDGET (self->connector_ip_row), connector_kind (self) == CONNECTOR_IP);
  gtk_widget_set_visible (GTK_WIDGET (self->client_cert_row), connector_kind (self) == CONNECTOR_CERTIFICATE);
  gtk_widget_set_visible (GTK_WIDGET (self->client_key_row), connector_kind (self) == CONNECTOR_CERTIFICATE);
  gtk_widget_set_visible (GTK_WIDGET (self->field_length_row), mx);

  dmd_note_row_set_hint (self->server_note, _(info->server_hint));
  dmd_note_row_set_hint (self->recipient_note, _(info->recipient_hint));
  dmd_note_row_set_hint (self->connector_note,
                         connector_kind (self) == CONNECTOR_IP
                           ? _("The public IP address on the inbound connector in the Exchange admin center. The checks compare it with the address Microsoft 365 sees from here.")
                           : NULL);
  /* A note row shows while it has something to say: no hint under a hidden field. */
  dmd_note_row_set_hint (self->field_length_note,
                         !mx ? NULL : _("If the device’s server field is short, a long MX endpoint may not fit."));
}

/* Switching options: fields still holding the old option's defaults take the new ones. */
static void
set_option (DmdSettingsPage *self,
            DmdOption        option)
{
  g_autofree char *server = text_of (self->server_row);
  g_autofree char *port = text_of (self->port_row);
  g_autofree char *old_port = g_strdup_printf ("%u", dmd_device_config_default_port (self->option));

  self->loading = TRUE;
  if (*server == '\0' || g_str_equal (server, default_server (self->option)))
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), default_server (option));
  if (*port == '\0' || g_str_equal (port, old_port))
    {
      g_autofree char *new_port = g_strdup_printf ("%u", dmd_device_config_default_port (option));
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), new_port);
    }
  self->option = option;
  self->loading = FALSE;

  update_layout (self);
  refresh (self);
}

static void
load_settings (DmdSettingsPage *self)
{
  GSettings *settings = dmd_session_get_settings (dmd_page_get_session (DMD_PAGE (self)));
  g_autofree char *server = NULL;
  g_autofree char *port = NULL;
  guint port_value = 0, length = 0;

  self->loading = TRUE;
  self->option = dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self)));

  if (settings != NULL)
    {
      g_autofree char *username = g_settings_get_string (settings, "username");
      g_autofree char *sender = g_settings_get_string (settings, "sender");
      g_autofree char *recipient = g_settings_get_string (settings, "recipient");
      g_autofree char *domain = g_settings_get_string (settings, "domain");
      g_autofree char *connector_ip = g_settings_get_string (settings, "connector-ip");

      server = g_settings_get_string (settings, "server");
      port_value = g_settings_get_uint (settings, "port");
      length = g_settings_get_uint (settings, "server-field-length");
      adw_combo_row_set_selected (self->security_row, g_settings_get_enum (settings, "security"));
      adw_combo_row_set_selected (self->method_row, g_settings_get_enum (settings, "sign-in-method"));
      adw_combo_row_set_selected (self->connector_row, g_settings_get_enum (settings, "connector-kind"));
      gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
      gtk_editable_set_text (GTK_EDITABLE (self->sender_row), sender);
      gtk_editable_set_text (GTK_EDITABLE (self->recipient_row), recipient);
      gtk_editable_set_text (GTK_EDITABLE (self->domain_row), domain);
      gtk_editable_set_text (GTK_EDITABLE (self->connector_ip_row), connector_ip);
    }
  else
    {
      adw_combo_row_set_selected (self->security_row, 0);
      adw_combo_row_set_selected (self->method_row, 0);
      adw_combo_row_set_selected (self->connector_row, 0);
      gtk_editable_set_text (GTK_EDITABLE (self->username_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->sender_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->recipient_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->domain_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->connector_ip_row), "");
    }

  gtk_editable_set_text (GTK_EDITABLE (self->server_row),
                         server != NULL && *server != '\0' ? server : default_server (self->option));
  port = g_strdup_printf ("%u", port_value != 0 ? port_value
                                                : dmd_device_config_default_port (self->option));
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  if (length != 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", length);
      gtk_editable_set_text (GTK_EDITABLE (self->field_length_row), text);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->field_length_row), "");
    }
  /* The certificate and key files are chosen for each session (not remembered). */
  dmd_settings_page_set_client_cert (self, NULL, NULL);
  /* Secrets are never remembered, and a real message is only sent when ticked for this run. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_switch_set_active (self->send_switch, FALSE);

  self->touched = 0;
  self->loading = FALSE;

  update_layout (self);
  refresh (self);
}

static void
save_settings (DmdSettingsPage *self)
{
  GSettings *settings = dmd_session_get_settings (dmd_page_get_session (DMD_PAGE (self)));
  g_autofree char *server = text_of (self->server_row);
  g_autofree char *port = text_of (self->port_row);
  g_autofree char *length = text_of (self->field_length_row);
  g_autofree char *username = text_of (self->username_row);
  g_autofree char *sender = text_of (self->sender_row);
  g_autofree char *recipient = text_of (self->recipient_row);
  g_autofree char *domain = text_of (self->domain_row);
  g_autofree char *connector_ip = text_of (self->connector_ip_row);
  guint number;

  if (settings == NULL)
    return;

  g_settings_delay (settings);
  g_settings_set_enum (settings, "option", self->option);
  g_settings_set_string (settings, "server",
                         g_str_equal (server, default_server (self->option)) ? "" : server);
  g_settings_set_uint (settings, "port", parse_number (port, 1, G_MAXUINT16, &number) ? number : 0);
  g_settings_set_enum (settings, "security", adw_combo_row_get_selected (self->security_row));
  g_settings_set_enum (settings, "sign-in-method", sign_in_method (self));
  g_settings_set_enum (settings, "connector-kind", connector_kind (self));
  g_settings_set_string (settings, "username", username);
  g_settings_set_string (settings, "sender", sender);
  g_settings_set_string (settings, "recipient", recipient);
  g_settings_set_string (settings, "domain", domain);
  g_settings_set_string (settings, "connector-ip", connector_ip);
  g_settings_set_uint (settings, "server-field-length",
                       parse_number (length, 1, 10000, &number) ? number : 0);
  g_settings_apply (settings);
}

static guint
field_of_widget (DmdSettingsPage *self,
                 gpointer         widget)
{
  for (guint f = 0; f < N_UI_FIELDS; f++)
    if (field_row (self, f) == widget)
      return f;
  if (widget == self->password_row || widget == self->token_row)
    return DMD_FIELD_PASSWORD;
  if (widget == self->security_row)
    return FIELD_SECURITY;
  return FIELD_GENERAL;
}

static void
field_changed_cb (DmdSettingsPage *self,
                  GtkWidget       *widget)
{
  if (self->loading)
    return;
  self->touched |= 1u << field_of_widget (self, widget);
  refresh (self);
}

static void
field_notify_cb (DmdSettingsPage *self,
                 GParamSpec      *pspec,
                 GtkWidget       *widget)
{
  if (self->loading)
    return;
  if (widget == GTK_WIDGET (self->method_row) || widget == GTK_WIDGET (self->connector_row))
    update_layout (self);
  refresh (self);
}

static void
entry_activated_cb (DmdSettingsPage *self)
{
  if (dmd_page_get_complete (DMD_PAGE (self)))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.forward", NULL);
}

/* Every field as it is, those the option hides included (for Undo). */
static DmdDeviceConfig *
snapshot (DmdSettingsPage *self)
{
  DmdDeviceConfig *config = build_config (self, NULL);
  g_autofree char *field_length = text_of (self->field_length_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  guint number;

  g_free (config->username);
  config->username = nonempty_text (self->username_row);
  g_free (config->domain);
  config->domain = nonempty_text (self->domain_row);
  g_free (config->connector_ip);
  config->connector_ip = nonempty_text (self->connector_ip_row);
  config->connector_trusts_certificate = connector_kind (self) == CONNECTOR_CERTIFICATE;
  config->server_field_length = parse_number (field_length, 1, 10000, &number) ? number : 0;
  dmd_device_config_set_password (config, *password != '\0' ? password : NULL);
  dmd_device_config_set_oauth_token (config, sign_in_method (self) == SIGN_IN_OAUTH_TOKEN
                                               && *token != '\0' ? token : NULL);
  return config;
}

static void
undo_forget_cb (AdwToast        *toast,
                DmdSettingsPage *self)
{
  const DmdDeviceConfig *before = g_object_get_data (G_OBJECT (toast), "dmd-before");

  dmd_settings_page_fill (self, before);
  save_settings (self);
}

static void
forget_clicked_cb (DmdSettingsPage *self)
{
  GtkWidget *overlay;
  AdwToast *toast;

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  toast = adw_toast_new (_("The remembered settings were cleared"));
  /* Undo brings back every field as it was, the secret too: it stays in memory only, with
   * the toast, and is wiped when the toast goes. */
  g_object_set_data_full (G_OBJECT (toast), "dmd-before", snapshot (self),
                          (GDestroyNotify) dmd_device_config_free);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_forget_cb), self, 0);

  dmd_settings_page_forget (self);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

/* ---- the client certificate ---- */

static void
show_chosen_file (AdwActionRow *row,
                  const char   *path,
                  const char   *none)
{
  g_autofree char *name = path != NULL ? g_filename_display_basename (path) : NULL;

  adw_action_row_set_subtitle (row, name != NULL ? name : none);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), path != NULL ? name : NULL);
}

static void
chooser_response_cb (DmdSettingsPage      *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  gboolean key = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "dmd-key"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        dmd_settings_page_set_client_cert (self, key ? self->client_cert_file : path,
                                           key ? path : self->client_key_file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (DmdSettingsPage *self,
             gboolean         key)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) pem = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (key ? _("Choose the Private Key")
                                                   : _("Choose the Device Certificate"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (pem, _("PEM files"));
  gtk_file_filter_add_mime_type (pem, "application/x-pem-file");
  gtk_file_filter_add_pattern (pem, "*.pem");
  gtk_file_filter_add_pattern (pem, "*.crt");
  gtk_file_filter_add_pattern (pem, "*.cer");
  gtk_file_filter_add_pattern (pem, "*.key");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), pem);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_object_set_data (G_OBJECT (self->chooser), "dmd-key", GINT_TO_POINTER (key));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
client_cert_choose_cb (DmdSettingsPage *self)
{
  choose_file (self, FALSE);
}

static void
client_key_choose_cb (DmdSettingsPage *self)
{
  choose_file (self, TRUE);
}

static void
client_cert_clear_cb (DmdSettingsPage *self)
{
  dmd_settings_page_set_client_cert (self, NULL, NULL);
}

static void
session_option_changed_cb (DmdSettingsPage *self)
{
  set_option (self, dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))));
}

static gboolean
dmd_settings_page_apply (DmdPage      *page,
                         GCancellable *cancellable)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (page);

  save_settings (self);
  dmd_session_take_config (dmd_page_get_session (DMD_PAGE (self)), build_config (self, NULL));
  return FALSE;
}

static void
dmd_settings_page_shown (DmdPage *page)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (page);

  if (self->option != dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))))
    set_option (self, dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))));
  gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
}

static void
dmd_settings_page_constructed (GObject *object)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (object);

  G_OBJECT_CLASS (dmd_settings_page_parent_class)->constructed (object);

  g_signal_connect_object (dmd_page_get_session (DMD_PAGE (self)), "notify::option",
                           G_CALLBACK (session_option_changed_cb), self, G_CONNECT_SWAPPED);
  load_settings (self);
}

static void
dmd_settings_page_dispose (GObject *object)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  G_OBJECT_CLASS (dmd_settings_page_parent_class)->dispose (object);
}

static void
dmd_settings_page_finalize (GObject *object)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (object);

  g_free (self->client_cert_file);
  g_free (self->client_key_file);

  G_OBJECT_CLASS (dmd_settings_page_parent_class)->finalize (object);
}

static void
dmd_settings_page_class_init (DmdSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DmdPageClass *page_class = DMD_PAGE_CLASS (klass);

  object_class->constructed = dmd_settings_page_constructed;
  object_class->dispose = dmd_settings_page_dispose;
  object_class->finalize = dmd_settings_page_finalize;

  page_class->apply = dmd_settings_page_apply;
  page_class->shown = dmd_settings_page_shown;

  g_type_ensure (DMD_TYPE_NOTE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/dmd-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_cert_button);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_cert_clear);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_cert_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_key_button);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_key_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, connector_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, connector_ip_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, connector_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, connector_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, domain_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, domain_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, field_length_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, field_length_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, forget_button);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, general_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, general_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, message_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, optional_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, password_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, port_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, recipient_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, recipient_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, security_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, security_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, send_switch);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, sender_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, sender_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, server_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, signin_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, username_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, username_row);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_cert_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_key_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_cert_clear_cb);
}

static void
dmd_settings_page_init (DmdSettingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Enter in a field runs the checks once the page is complete (the window ignores it
   * before). Through the action rather than the default widget: the header bar button is
   * not reliably the default one. */
  {
    AdwEntryRow *entries[] = {
      self->server_row, self->port_row, self->username_row, ADW_ENTRY_ROW (self->password_row),
      ADW_ENTRY_ROW (self->token_row), self->sender_row, self->recipient_row, self->domain_row,
      self->connector_ip_row, self->field_length_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
      g_signal_connect_swapped (entries[i], "entry-activated", G_CALLBACK (entry_activated_cb), self);
  }

  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->forget_button), "label");
  dmd_a11y_name_reveal_button (GTK_WIDGET (self->password_row),
                               _("Show Password"), _("Hide Password"));
  dmd_a11y_name_reveal_button (GTK_WIDGET (self->token_row), _("Show Token"), _("Hide Token"));

  dmd_page_set_title (DMD_PAGE (self), _("Device Settings"));
  dmd_page_set_forward_label (DMD_PAGE (self), _("_Run Checks"));
  dmd_test_hooks_announce ();
}

GtkWidget *
dmd_settings_page_new (DmdSession *session)
{
  return g_object_new (DMD_TYPE_SETTINGS_PAGE, "session", session, NULL);
}

DmdDeviceConfig *
dmd_settings_page_build_config (DmdSettingsPage *self)
{
  g_return_val_if_fail (DMD_IS_SETTINGS_PAGE (self), NULL);
  return build_config (self, NULL);
}

void
dmd_settings_page_set_client_cert (DmdSettingsPage *self,
                                   const char      *cert_file,
                                   const char      *key_file)
{
  g_autofree char *cert = g_strdup (cert_file);
  g_autofree char *key = g_strdup (key_file);

  g_return_if_fail (DMD_IS_SETTINGS_PAGE (self));

  g_free (self->client_cert_file);
  self->client_cert_file = g_steal_pointer (&cert);
  g_free (self->client_key_file);
  self->client_key_file = g_steal_pointer (&key);
  show_chosen_file (self->client_cert_row, self->client_cert_file,
                    _("Not chosen: the connector is not tested"));
  show_chosen_file (self->client_key_row, self->client_key_file, _("Not chosen"));
  gtk_widget_set_visible (GTK_WIDGET (self->client_cert_clear),
                          self->client_cert_file != NULL || self->client_key_file != NULL);
  if (self->loading)
    return;
  self->touched |= 1u << DMD_FIELD_CLIENT_CERT;
  refresh (self);
}

void
dmd_settings_page_forget (DmdSettingsPage *self)
{
  GSettings *settings;

  g_return_if_fail (DMD_IS_SETTINGS_PAGE (self));

  settings = dmd_session_get_settings (dmd_page_get_session (DMD_PAGE (self)));
  if (settings != NULL)
    {
      g_autoptr(GSettingsSchema) schema = NULL;
      g_auto(GStrv) keys = NULL;

      g_object_get (settings, "settings-schema", &schema, NULL);
      keys = g_settings_schema_list_keys (schema);
      g_settings_delay (settings);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          /* The window size is not a device setting; the option is still chosen. */
          if (g_str_has_prefix (keys[i], "window-"))
            continue;
          g_settings_reset (settings, keys[i]);
        }
      g_settings_apply (settings);
    }
  load_settings (self);
}

void
dmd_settings_page_fill (DmdSettingsPage       *self,
                        const DmdDeviceConfig *config)
{
  g_autofree char *port = NULL;

  g_return_if_fail (DMD_IS_SETTINGS_PAGE (self));
  g_return_if_fail (config != NULL);

  if (config->option != dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))))
    dmd_session_set_option (dmd_page_get_session (DMD_PAGE (self)), config->option);

  self->loading = TRUE;
  self->option = config->option;
  gtk_editable_set_text (GTK_EDITABLE (self->server_row),
                         config->server != NULL && *config->server != '\0'
                           ? config->server : default_server (config->option));
  port = g_strdup_printf ("%u", config->port != 0 ? config->port
                                                  : dmd_device_config_default_port (config->option));
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  adw_combo_row_set_selected (self->security_row, config->security);
  adw_combo_row_set_selected (self->method_row, config->oauth_token != NULL ? 1 : 0);
  adw_combo_row_set_selected (self->connector_row, config->connector_trusts_certificate ? 1 : 0);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), config->username ? config->username : "");
  gtk_editable_set_text (GTK_EDITABLE (self->sender_row), config->from ? config->from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->recipient_row), config->to ? config->to : "");
  gtk_editable_set_text (GTK_EDITABLE (self->domain_row), config->domain ? config->domain : "");
  gtk_editable_set_text (GTK_EDITABLE (self->connector_ip_row),
                         config->connector_ip ? config->connector_ip : "");
  if (config->server_field_length != 0)
    {
      g_autofree char *length = g_strdup_printf ("%u", config->server_field_length);
      gtk_editable_set_text (GTK_EDITABLE (self->field_length_row), length);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->field_length_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row),
                         config->password != NULL ? config->password : "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row),
                         config->oauth_token != NULL ? config->oauth_token : "");
  gtk_switch_set_active (self->send_switch, FALSE);
  dmd_settings_page_set_client_cert (self, config->client_cert_file, config->client_key_file);
  self->touched = 0;
  self->loading = FALSE;

  update_layout (self);
  refresh (self);
}
