/* dmd-settings-page.c — the device's settings for the chosen option
 *
 * One table row per field (_dmd_settings_fields below) says where the field is in the .ui, where its
 * notes go, how it is remembered, for which options it shows and what it needs; the code
 * below reads the table, so a new field is a row here and a row in the .ui. Which options show
 * a field is a column of the options table (dmd-options.h). Which findings are
 * about a field is the catalogue's to say (dmd_catalog_finding_field), through the engine's
 * DmdField of the row.
 *
 * Each field is validated as it is typed (the engine's dmd_device_config_validate) and the
 * pre-flight findings (dmd_catalog_preflight) appear under the field they are about. Errors
 * show once a field was touched or holds text. Run Checks stays enabled: pressed while
 * something is missing or wrong, it brings the first such field into view, focuses it and
 * says what it needs.
 *
 * The test builds add their redirections to the config here (dmd-test-hooks.h); the
 * installed wizard has none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dmd-a11y.h"
#include "dmd-core.h"
#include "dmd-note-row.h"
#include "dmd-pem-chooser.h"
#include "dmd-settings-page.h"
#include "dmd-settings-page-private.h"
#include "dmd-test-hooks.h"

#define OPTION_TEXT(member) G_STRUCT_OFFSET (DmdOptionInfo, member)
G_STATIC_ASSERT (G_STRUCT_OFFSET (DmdOptionInfo, option) == 0); /* 0 is no text column */

static char *
default_server (const DmdOptionInfo *info)
{
  return g_strdup (info->default_server != NULL ? info->default_server : "");
}

static char *
default_port (const DmdOptionInfo *info)
{
  return g_strdup_printf ("%u", info->default_port);
}

static char *
default_security (const DmdOptionInfo *info)
{
  return g_strdup (dmd_security_to_string (info->default_security));
}

static const Choice security_choices[] = {
  { "starttls", N_("STARTTLS") },
  { "none", N_("None (no encryption)") },
  { "implicit-tls", N_("TLS from the start (SSL/TLS)") },
  { NULL }
};

/* The ids are the engine's sign-in methods (dmd_auth_method_from_string). */
static const Choice method_choices[] = {
  { "password", N_("Password") },
  { "oauth-token", N_("OAuth token") },
  { "oauth-device", N_("Microsoft account (OAuth)") },
  { "oauth-app", N_("Application (client credentials)") },
  { NULL }
};

static const Choice connector_choices[] = {
  { "ip", N_("The site’s public IP address") },
  { "certificate", N_("A certificate") },
  { NULL }
};

const FieldRow _dmd_settings_fields[N_ROWS] = {
  [ROW_SERVER] = {
    "server_row", "server_note", KIND_TEXT, "server", FOR_ALL, .field = DMD_FIELD_SERVER,
    .missing_name = N_("Server or organization’s domain"),
    .option_hint = OPTION_TEXT (server_hint), .default_value = default_server },
  [ROW_DOMAIN] = {
    "domain_row", "domain_note", KIND_TEXT, "domain", FOR_DOMAIN, .field = DMD_FIELD_DOMAIN },
  [ROW_PORT] = {
    "port_row", "port_note", KIND_NUMBER, "port", FOR_ALL, .field = DMD_FIELD_PORT,
    .required = FOR_ALL,
    .missing = N_("Enter the port number the device uses, from 1 to 65535."),
    .invalid = N_("Enter the port number the device uses, from 1 to 65535."),
    .min = 1, .max = G_MAXUINT16, .default_value = default_port },
  [ROW_SECURITY] = {
    "security_row", "security_note", KIND_CHOICE, "security", FOR_ALL,
    .field = DMD_FIELD_SECURITY, .choices = security_choices, .default_value = default_security },
  [ROW_METHOD] = {
    "method_row", NULL, KIND_CHOICE, "sign-in-method", FOR_SIGN_IN, .field = DMD_N_FIELDS,
    .choices = method_choices },
  [ROW_USERNAME] = {
    "username_row", "username_note", KIND_TEXT, "username", FOR_SIGN_IN,
    .field = DMD_FIELD_USERNAME,
    .required = FOR_SIGN_IN, .missing = N_("Enter the user name the device signs in with.") },
  [ROW_PASSWORD] = {
    "password_row", "password_note", KIND_SECRET, NULL, FOR_SIGN_IN, ROW_METHOD, "password",
    .field = DMD_FIELD_PASSWORD,
    .required = FOR_SIGN_IN, .missing = N_("Enter the password the device signs in with.") },
  [ROW_TOKEN] = {
    "token_row", "password_note", KIND_SECRET, NULL, FOR_SIGN_IN, ROW_METHOD, "oauth-token",
    .field = DMD_FIELD_PASSWORD,
    .required = FOR_SIGN_IN, .missing = N_("Paste the OAuth access token.") },
  /* Signing in with Microsoft Entra ID: the app registration (remembered: not secrets), and
   * for the application's own sign-in its secret (never remembered). */
  [ROW_TENANT] = {
    "tenant_row", "tenant_note", KIND_TEXT, "oauth-tenant", FOR_SIGN_IN, ROW_METHOD,
    "oauth-device", "oauth-app", .field = DMD_FIELD_TENANT,
    .required = FOR_SIGN_IN, .missing = N_("Enter the organization’s domain or its tenant ID."),
    .hint = N_("The organization’s domain, such as contoso.com, or its tenant ID.") },
  [ROW_CLIENT_ID] = {
    "client_id_row", "client_id_note", KIND_TEXT, "oauth-client-id", FOR_SIGN_IN, ROW_METHOD,
    "oauth-device", "oauth-app", .field = DMD_FIELD_CLIENT_ID,
    .required = FOR_SIGN_IN,
    .missing = N_("Enter the application (client) ID of the app registration."),
    .hint = N_("The Application (client) ID on the app registration’s Overview page (Microsoft Entra admin center).") },
  [ROW_CLIENT_SECRET] = {
    "client_secret_row", "client_secret_note", KIND_SECRET, NULL, FOR_SIGN_IN, ROW_METHOD,
    "oauth-app", .field = DMD_FIELD_CLIENT_SECRET,
    .required = FOR_SIGN_IN, .missing = N_("Enter the client secret’s value.") },
  [ROW_SENDER] = {
    "sender_row", "sender_note", KIND_TEXT, "sender", FOR_ALL, .field = DMD_FIELD_FROM,
    .required = FOR_ALL, .missing = N_("Enter the sender address the device uses.") },
  [ROW_RECIPIENT] = {
    "recipient_row", "recipient_note", KIND_TEXT, "recipient", FOR_ALL, .field = DMD_FIELD_TO,
    .required = FOR_ALL, .missing = N_("Enter an address to send the test to."),
    .option_hint = OPTION_TEXT (recipient_hint) },
  [ROW_CONNECTOR] = {
    "connector_row", NULL, KIND_CHOICE, "connector-kind", FOR_CONNECTOR,
    .field = DMD_N_FIELDS, .choices = connector_choices },
  [ROW_CONNECTOR_IP] = {
    "connector_ip_row", "connector_note", KIND_TEXT, "connector-ip", FOR_CONNECTOR,
    ROW_CONNECTOR, "ip", .field = DMD_FIELD_CONNECTOR_IP,
    .hint = N_("The public IP address on the inbound connector in the Exchange admin center. The checks compare it with the address Microsoft 365 sees from here.") },
  [ROW_CLIENT_CERT] = {
    "client_cert_row", "connector_note", KIND_FILE, NULL, FOR_CONNECTOR,
    ROW_CONNECTOR, "certificate", .field = DMD_FIELD_CLIENT_CERT,
    .placeholder = N_("Not chosen: the connector is not tested") },
  [ROW_CLIENT_KEY] = {
    "client_key_row", "connector_note", KIND_FILE, NULL, FOR_CONNECTOR,
    ROW_CONNECTOR, "certificate", .field = DMD_FIELD_CLIENT_CERT,
    .placeholder = N_("Not chosen") },
  [ROW_FIELD_LENGTH] = {
    "field_length_row", "field_length_note", KIND_NUMBER, "server-field-length", FOR_MX,
    .field = DMD_FIELD_SERVER_FIELD_LENGTH,
    .invalid = N_("Enter a number of characters, or leave the field empty."),
    .min = 1, .max = 10000,
    .hint = N_("If the device’s server field is short, a long MX endpoint may not fit.") },
  [ROW_SEND] = {
    "send_row", NULL, KIND_SWITCH, NULL, FOR_ALL, .field = DMD_N_FIELDS },
};


G_DEFINE_FINAL_TYPE (DmdSettingsPage, dmd_settings_page, DMD_TYPE_PAGE)


/* ---- reading the table ---- */

char *
_dmd_settings_text_of (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

/* A whole number in [min, max]; FALSE for anything else (signs, spaces inside, overflow). */
gboolean
_dmd_settings_parse_number (const char *text,
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

/* The id of the value chosen in a choice row. */
const char *
_dmd_settings_chosen (DmdSettingsPage *self,
        RowId            r)
{
  const Choice *choices = _dmd_settings_fields[r].choices;
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->rows[r]));

  for (guint i = 0; choices[i].id != NULL; i++)
    if (i == selected)
      return choices[i].id;
  return choices[0].id;
}

void
_dmd_settings_choose (DmdSettingsPage *self,
        RowId            r,
        const char      *id)
{
  guint index = 0;

  for (guint i = 0; _dmd_settings_fields[r].choices[i].id != NULL; i++)
    if (g_strcmp0 (_dmd_settings_fields[r].choices[i].id, id) == 0)
      index = i;
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->rows[r]), index);
}

static gboolean
for_option (ForOptions which,
            DmdOption  option)
{
  const DmdOptionInfo *info = dmd_option_get_info (option);

  switch (which)
    {
    case FOR_ALL:       return TRUE;
    case FOR_SIGN_IN:   return info->signs_in;
    case FOR_MX:        return info->endpoint == DMD_ENDPOINT_MX;
    case FOR_DOMAIN:    return info->endpoint == DMD_ENDPOINT_MX || info->internal_only;
    case FOR_CONNECTOR: return info->connector;
    case FOR_NONE:
    default:            return FALSE;
    }
}

/* Whether the field belongs to the chosen option (and to the choices it depends on). */
static gboolean
applies (DmdSettingsPage *self,
         RowId            r)
{
  const FieldRow *row = &_dmd_settings_fields[r];

  if (!for_option (row->shown, self->option))
    return FALSE;
  return row->when_id == NULL ||
         g_str_equal (_dmd_settings_chosen (self, row->when_row), row->when_id) ||
         g_strcmp0 (_dmd_settings_chosen (self, row->when_row), row->when_also) == 0;
}

/* Nothing typed or _dmd_settings_chosen (choices and switches always hold a value). */
static gboolean
is_empty (DmdSettingsPage *self,
          RowId            r)
{
  switch (_dmd_settings_fields[r].kind)
    {
    case KIND_TEXT:
    case KIND_NUMBER:
      {
        g_autofree char *text = _dmd_settings_text_of (self->rows[r]);

        return *text == '\0';
      }
    case KIND_SECRET:
      return *gtk_editable_get_text (GTK_EDITABLE (self->rows[r])) == '\0';
    case KIND_FILE:
      return self->files[r] == NULL;
    case KIND_CHOICE:
    case KIND_SWITCH:
    default:
      return FALSE;
    }
}

/* The text of a field that applies and is filled in, else NULL (not for secrets). */
static char *
value (DmdSettingsPage *self,
       RowId            r)
{
  g_assert (_dmd_settings_fields[r].kind == KIND_TEXT || _dmd_settings_fields[r].kind == KIND_NUMBER);

  if (!applies (self, r) || is_empty (self, r))
    return NULL;
  return _dmd_settings_text_of (self->rows[r]);
}

const char *
_dmd_settings_secret (DmdSettingsPage *self,
        RowId            r)
{
  g_assert (_dmd_settings_fields[r].kind == KIND_SECRET);
  return gtk_editable_get_text (GTK_EDITABLE (self->rows[r]));
}

static gboolean
number (DmdSettingsPage *self,
        RowId            r,
        guint           *out)
{
  g_autofree char *text = value (self, r);

  return _dmd_settings_parse_number (text, _dmd_settings_fields[r].min, _dmd_settings_fields[r].max, out);
}

/* The field an engine field is typed into, among those shown; ROW_NONE when none is. */
static RowId
row_of_field (DmdSettingsPage *self,
              DmdField         field)
{
  if (field == DMD_N_FIELDS)
    return ROW_NONE;
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    if (_dmd_settings_fields[r].field == field && applies (self, r))
      return r;
  return ROW_NONE;
}

static RowId
row_of_widget (DmdSettingsPage *self,
               gpointer         widget)
{
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    if (self->rows[r] == widget)
      return r;
  return ROW_NONE;
}

static DmdNoteRow *
note_of (DmdSettingsPage *self,
         RowId            r)
{
  return r != ROW_NONE && self->notes[r] != NULL ? self->notes[r] : self->general_note;
}

/* Errors and findings show under a field once it was touched or holds something. */
static gboolean
is_shown (DmdSettingsPage *self,
          RowId            r)
{
  return (self->touched & (1u << r)) != 0 || !is_empty (self, r);
}

static const char *
row_title (DmdSettingsPage *self,
           RowId            r)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rows[r]));
}

static DmdDeviceConfig *
build_config (DmdSettingsPage *self,
              GPtrArray       *general_errors)
{
  DmdDeviceConfig *config = dmd_device_config_new (self->option);
  guint n;

  config->server = value (self, ROW_SERVER);
  config->domain = value (self, ROW_DOMAIN);
  if (number (self, ROW_PORT, &n))
    config->port = (guint16) n;
  if (!dmd_security_from_string (_dmd_settings_chosen (self, ROW_SECURITY), &config->security))
    g_warn_if_reached ();  /* the choices' ids are the engine's machine names */
  config->username = value (self, ROW_USERNAME);
  if (!dmd_auth_method_from_string (_dmd_settings_chosen (self, ROW_METHOD), &config->auth_method))
    g_warn_if_reached ();  /* the choices' ids are the engine's machine names */
  /* Given but empty stays empty: the engine's validation says what is missing. */
  if (applies (self, ROW_TENANT))
    config->tenant = _dmd_settings_text_of (self->rows[ROW_TENANT]);
  if (applies (self, ROW_CLIENT_ID))
    config->client_id = _dmd_settings_text_of (self->rows[ROW_CLIENT_ID]);
  if (applies (self, ROW_CLIENT_SECRET) && !is_empty (self, ROW_CLIENT_SECRET))
    dmd_device_config_set_client_secret (config, _dmd_settings_secret (self, ROW_CLIENT_SECRET));
  /* The secret goes from the entry into the config, with no copy on the way. */
  if (applies (self, ROW_PASSWORD) && !is_empty (self, ROW_PASSWORD))
    dmd_device_config_set_password (config, _dmd_settings_secret (self, ROW_PASSWORD));
  if (applies (self, ROW_TOKEN) && !is_empty (self, ROW_TOKEN))
    dmd_device_config_set_oauth_token (config, _dmd_settings_secret (self, ROW_TOKEN));
  config->from = value (self, ROW_SENDER);
  config->to = value (self, ROW_RECIPIENT);
  config->connector_ip = value (self, ROW_CONNECTOR_IP);
  if (applies (self, ROW_CLIENT_CERT))
    {
      config->connector_trusts_certificate = TRUE;
      config->client_cert_file = g_strdup (self->files[ROW_CLIENT_CERT]);
      config->client_key_file = g_strdup (self->files[ROW_CLIENT_KEY]);
    }
  if (number (self, ROW_FIELD_LENGTH, &n))
    config->server_field_length = n;
  config->send = gtk_switch_get_active (
    GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (self->rows[ROW_SEND]))));

  dmd_test_hooks_apply (config, general_errors);
  return config;
}

/* ---- what the fields need ---- */

static void
set_row_error (DmdSettingsPage *self,
               RowId            r,
               gboolean         error)
{
  GtkWidget *row = self->rows[r];
  g_autofree char *description = NULL;

  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                               error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  if (self->notes[r] == NULL)
    return;
  description = dmd_note_row_dup_text (self->notes[r]);
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* What keeps each shown field from being ready (NULL: nothing); what is wrong outside the
 * shown fields goes to general. The messages point into errors or are static. */
static void
find_problems (DmdSettingsPage *self,
               GPtrArray       *errors,
               const char     **problem,
               GPtrArray       *general)
{
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      const FieldRow *row = &_dmd_settings_fields[r];
      guint n;

      if (!applies (self, r))
        continue;
      if (row->kind == KIND_NUMBER && !is_empty (self, r) && !number (self, r, &n))
        problem[r] = _(row->invalid);
      else if (is_empty (self, r) && for_option (row->required, self->option))
        problem[r] = _(row->missing);
    }

  /* The engine's validation (what the wizard does not require, the engine may: the server or
   * the domain of the MX options). */
  for (guint i = 0; i < errors->len; i++)
    {
      DmdFieldError *error = g_ptr_array_index (errors, i);
      RowId r = row_of_field (self, error->field);

      if (r == ROW_NONE)
        g_ptr_array_add (general, error->message);
      else if (problem[r] == NULL)
        problem[r] = error->message;
    }
}

/* Problems under the fields that show them, the others named in one "fill in: …" line. */
static void
show_problems (DmdSettingsPage *self,
               const char     **problem,
               gboolean        *has_error)
{
  g_autoptr(GString) missing = g_string_new (NULL);

  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      const char *name;

      if (problem[r] == NULL)
        continue;
      if (self->first_problem == ROW_NONE)
        self->first_problem = r;
      if (is_shown (self, r))
        {
          dmd_note_row_add (note_of (self, r), DMD_NOTE_ERROR, problem[r]);
          has_error[r] = TRUE;
          continue;
        }
      name = _dmd_settings_fields[r].missing_name != NULL ? _(_dmd_settings_fields[r].missing_name)
                                                : row_title (self, r);
      if (missing->len > 0)
        /* Translators: separates field names in "To run the checks, fill in: A, B." */
        g_string_append (missing, _(", "));
      g_string_append (missing, name);
    }

  if (missing->len > 0)
    {
      /* Translators: %s is a list of field names. */
      g_autofree char *text = g_strdup_printf (_("To run the checks, fill in: %s."), missing->str);
      dmd_note_row_add (self->general_note, DMD_NOTE_INFO, text);
    }
}

/* Pre-flight findings: what is already known to go wrong, without the network, under the
 * field the catalogue says each is about. */
static void
show_preflight (DmdSettingsPage       *self,
                const DmdDeviceConfig *config)
{
  g_autoptr(DmdResult) preflight = dmd_result_new (self->option);

  dmd_catalog_preflight (config, preflight);
  for (guint i = 0; i < preflight->findings->len; i++)
    {
      DmdFinding *finding = g_ptr_array_index (preflight->findings, i);
      RowId r = row_of_field (self, dmd_catalog_finding_field (finding->id));

      /* The "Send a real test message" row already says that nothing is sent. */
      if (g_str_equal (finding->id, "test-message-not-sent"))
        continue;
      if (r != ROW_NONE && !is_shown (self, r))
        continue;
      dmd_note_row_add (note_of (self, r),
                        finding->severity == DMD_SEVERITY_INFO ? DMD_NOTE_INFO : DMD_NOTE_WARNING,
                        finding->title);
    }

  if (applies (self, ROW_CLIENT_CERT))
    {
      if (self->files[ROW_CLIENT_CERT] != NULL && self->files[ROW_CLIENT_KEY] != NULL)
        dmd_note_row_add (self->notes[ROW_CLIENT_CERT], DMD_NOTE_INFO,
                          _("The checks present this certificate when the server asks for one, as the device does, so they also test the connector."));
      else
        dmd_note_row_add (self->notes[ROW_CLIENT_CERT], DMD_NOTE_WARNING,
                          _("A connector that trusts a certificate cannot be tested from this computer without the device’s own certificate and key: Microsoft 365 accepts the mail only when the device presents its certificate. Choose them above to test the connector too; without them the checks test the network and the endpoint only."));
    }
}

void
_dmd_settings_refresh (DmdSettingsPage *self)
{
  g_autoptr(GPtrArray) general = g_ptr_array_new ();
  g_autoptr(GPtrArray) hook_errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  const char *problem[N_ROWS] = { NULL, };
  gboolean has_error[N_ROWS] = { FALSE, };

  if (self->loading || dmd_page_get_session (DMD_PAGE (self)) == NULL)
    return;

  dmd_note_row_clear (self->general_note);
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    if (self->notes[r] != NULL)
      dmd_note_row_clear (self->notes[r]);

  config = build_config (self, hook_errors);
  errors = dmd_device_config_validate (config);
  find_problems (self, errors, problem, general);

  self->first_problem = ROW_NONE;
  for (guint i = 0; i < hook_errors->len; i++)
    dmd_note_row_add (self->general_note, DMD_NOTE_ERROR, g_ptr_array_index (hook_errors, i));
  for (guint i = 0; i < general->len; i++)
    dmd_note_row_add (self->general_note, DMD_NOTE_ERROR, g_ptr_array_index (general, i));
  show_problems (self, problem, has_error);
  show_preflight (self, config);

  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    set_row_error (self, r, has_error[r]);
  gtk_widget_set_visible (GTK_WIDGET (self->general_group),
                          dmd_note_row_get_n_notes (self->general_note) > 0);

  dmd_page_set_complete (DMD_PAGE (self), self->first_problem == ROW_NONE &&
                                          general->len == 0 && hook_errors->len == 0);
}

/* ---- which fields show ---- */

void
_dmd_settings_update_layout (DmdSettingsPage *self)
{
  const char *method = _dmd_settings_chosen (self, ROW_METHOD);

  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      gtk_widget_set_visible (self->rows[r], applies (self, r));
      /* A note row shows while it has something to say: no hint under a hidden field. */
      if (self->notes[r] != NULL)
        dmd_note_row_set_hint (self->notes[r], NULL);
    }
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      const char *hint = _dmd_settings_fields[r].hint;

      if (_dmd_settings_fields[r].option_hint != 0)
        hint = G_STRUCT_MEMBER (const char *, dmd_option_get_info (self->option),
                                _dmd_settings_fields[r].option_hint);

      if (applies (self, r) && hint != NULL)
        dmd_note_row_set_hint (self->notes[r], _(hint));
    }

  /* A group shows while one of its fields does. */
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    gtk_widget_set_visible (gtk_widget_get_ancestor (self->rows[r], ADW_TYPE_PREFERENCES_GROUP),
                            FALSE);
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    if (applies (self, r))
      gtk_widget_set_visible (gtk_widget_get_ancestor (self->rows[r], ADW_TYPE_PREFERENCES_GROUP),
                              TRUE);

  adw_preferences_group_set_description (self->signin_group,
    g_str_equal (method, "oauth-token") ? _("The token is used for this run only and is never saved.")
    : g_str_equal (method, "oauth-device") ? _("When the checks run, someone signs in with the mailbox’s Microsoft account, using a code shown then. The token is used for this run only.")
    : g_str_equal (method, "oauth-app") ? _("The application signs in with its client secret, which is used for this run only and is never saved.")
    : _("The password is used for this run only and is never saved."));
}

/* Bring a widget (and the note under it) into view. Measured in the scrolled content, which
 * does not move with the scrolling (the viewport may not have caught up with it yet). */
static void
scroll_to (DmdSettingsPage *self,
           GtkWidget       *widget,
           GtkWidget       *below)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  GtkWidget *viewport = gtk_scrolled_window_get_child (self->scroller);
  GtkWidget *content = gtk_widget_get_first_child (viewport);
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  graphene_rect_t bounds, extra;
  double top, bottom;

  if (content == NULL || !gtk_widget_compute_bounds (widget, content, &bounds))
    return;
  if (below != NULL && gtk_widget_get_visible (below) &&
      gtk_widget_compute_bounds (below, content, &extra))
    graphene_rect_union (&bounds, &extra, &bounds);
  top = bounds.origin.y - 12;
  bottom = bounds.origin.y + bounds.size.height + 12;
  if (top < value)
    gtk_adjustment_set_value (adjustment, top);
  else if (bottom > value + page)
    gtk_adjustment_set_value (adjustment, MIN (top, bottom - page));
}

/* Run Checks on an incomplete page: the first field that keeps it so comes into view, takes
 * the focus and says what it needs (in red, as a field that was typed into). */
static void
show_first_problem (DmdSettingsPage *self)
{
  RowId r = self->first_problem;

  if (r == ROW_NONE)
    {
      scroll_to (self, GTK_WIDGET (self->general_group), NULL);
      return;
    }
  self->touched |= 1u << r;
  _dmd_settings_refresh (self);
  if (!gtk_widget_grab_focus (self->rows[r]))
    gtk_widget_child_focus (self->rows[r], GTK_DIR_TAB_FORWARD);
  scroll_to (self, self->rows[r], GTK_WIDGET (self->notes[r]));
}

/* ---- the files of a certificate connector ---- */

void
_dmd_settings_show_files (DmdSettingsPage *self)
{
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      g_autofree char *name = NULL;

      if (_dmd_settings_fields[r].kind != KIND_FILE)
        continue;
      name = self->files[r] != NULL ? g_filename_display_basename (self->files[r]) : NULL;
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->rows[r]),
                                   name != NULL ? name : _(_dmd_settings_fields[r].placeholder));
      gtk_widget_set_tooltip_text (self->rows[r], name);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->client_cert_clear),
                          self->files[ROW_CLIENT_CERT] != NULL || self->files[ROW_CLIENT_KEY] != NULL);
}

static void
chooser_response_cb (DmdSettingsPage      *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  RowId r = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "dmd-row"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        dmd_settings_page_set_client_cert (self,
                                           r == ROW_CLIENT_CERT ? path : self->files[ROW_CLIENT_CERT],
                                           r == ROW_CLIENT_KEY ? path : self->files[ROW_CLIENT_KEY]);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (DmdSettingsPage *self,
             RowId            r)
{
  if (self->chooser != NULL)
    return;
  self->chooser = dmd_pem_chooser_new (GTK_WIDGET (self),
                                       r == ROW_CLIENT_KEY ? _("Choose the Private Key")
                                                           : _("Choose the Device Certificate"));
  g_object_set_data (G_OBJECT (self->chooser), "dmd-row", GINT_TO_POINTER (r));
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
client_cert_choose_cb (DmdSettingsPage *self)
{
  choose_file (self, ROW_CLIENT_CERT);
}

static void
client_key_choose_cb (DmdSettingsPage *self)
{
  choose_file (self, ROW_CLIENT_KEY);
}

static void
client_cert_clear_cb (DmdSettingsPage *self)
{
  dmd_settings_page_set_client_cert (self, NULL, NULL);
}

/* ---- signals ---- */

static void
field_changed_cb (DmdSettingsPage *self,
                  GtkWidget       *widget)
{
  if (self->loading)
    return;
  self->touched |= 1u << row_of_widget (self, widget);
  _dmd_settings_refresh (self);
}

static void
field_notify_cb (DmdSettingsPage *self,
                 GParamSpec      *pspec,
                 GtkWidget       *widget)
{
  if (self->loading)
    return;
  _dmd_settings_update_layout (self);
  _dmd_settings_refresh (self);
}

/* Enter in a field does what Run Checks does: runs them, or shows what is missing. Through
 * the action rather than the default widget: the header bar button is not reliably the
 * default one. */
static void
entry_activated_cb (DmdSettingsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.forward", NULL);
}

static void
session_option_changed_cb (DmdSettingsPage *self)
{
  _dmd_settings_set_option (self, dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))));
}

/* ---- the page ---- */

static gboolean
dmd_settings_page_apply (DmdPage      *page,
                         GCancellable *cancellable)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (page);

  if (!dmd_page_get_complete (page))
    {
      show_first_problem (self);
      dmd_page_apply_complete (page, FALSE);
      return TRUE;
    }
  _dmd_settings_save_settings (self);
  dmd_session_take_config (dmd_page_get_session (DMD_PAGE (self)), build_config (self, NULL));
  return FALSE;
}

static void
dmd_settings_page_shown (DmdPage *page)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (page);

  if (self->option != dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))))
    _dmd_settings_set_option (self, dmd_session_get_option (dmd_page_get_session (DMD_PAGE (self))));
  gtk_widget_grab_focus (self->rows[ROW_SERVER]);
}

static void
dmd_settings_page_constructed (GObject *object)
{
  DmdSettingsPage *self = DMD_SETTINGS_PAGE (object);

  G_OBJECT_CLASS (dmd_settings_page_parent_class)->constructed (object);

  g_signal_connect_object (dmd_page_get_session (DMD_PAGE (self)), "notify::option",
                           G_CALLBACK (session_option_changed_cb), self, G_CONNECT_SWAPPED);
  _dmd_settings_load_settings (self);
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

  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    g_free (self->files[r]);

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
  /* The fields and their notes, as the table names them (rows shown in turn share a note). */
  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      gtk_widget_class_bind_template_child_full (widget_class, _dmd_settings_fields[r].row, FALSE,
                                                 G_STRUCT_OFFSET (DmdSettingsPage, rows) +
                                                 r * sizeof (GtkWidget *));
      if (_dmd_settings_fields[r].note != NULL)
        gtk_widget_class_bind_template_child_full (widget_class, _dmd_settings_fields[r].note, FALSE,
                                                   G_STRUCT_OFFSET (DmdSettingsPage, notes) +
                                                   r * sizeof (DmdNoteRow *));
    }
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, client_cert_clear);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, forget_button);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, general_group);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, general_note);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, DmdSettingsPage, signin_group);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_notify_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "forget_clicked_cb",
                                                G_CALLBACK (_dmd_settings_forget_clicked_cb));
  gtk_widget_class_bind_template_callback (widget_class, client_cert_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_key_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, client_cert_clear_cb);
}

static void
dmd_settings_page_init (DmdSettingsPage *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (RowId r = ROW_NONE + 1; r < N_ROWS; r++)
    {
      if (_dmd_settings_fields[r].kind == KIND_CHOICE)
        {
          g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

          for (guint i = 0; _dmd_settings_fields[r].choices[i].id != NULL; i++)
            gtk_string_list_append (model, _(_dmd_settings_fields[r].choices[i].label));
          adw_combo_row_set_model (ADW_COMBO_ROW (self->rows[r]), G_LIST_MODEL (model));
        }
      if (_dmd_settings_fields[r].kind == KIND_TEXT || _dmd_settings_fields[r].kind == KIND_NUMBER ||
          _dmd_settings_fields[r].kind == KIND_SECRET)
        g_signal_connect_swapped (self->rows[r], "entry-activated",
                                  G_CALLBACK (entry_activated_cb), self);
    }

  dmd_a11y_label_from_mnemonic (GTK_WIDGET (self->forget_button), "label");
  dmd_a11y_name_reveal_button (self->rows[ROW_PASSWORD], _("Show Password"), _("Hide Password"));
  dmd_a11y_name_reveal_button (self->rows[ROW_TOKEN], _("Show Token"), _("Hide Token"));
  dmd_a11y_name_reveal_button (self->rows[ROW_CLIENT_SECRET], _("Show Client Secret"),
                               _("Hide Client Secret"));

  dmd_page_set_title (DMD_PAGE (self), _("Device Settings"));
  dmd_page_set_forward_label (DMD_PAGE (self), _("_Run Checks"));
  dmd_page_set_forward_when_incomplete (DMD_PAGE (self), TRUE);
  dmd_test_hooks_announce ();
  self->loading = FALSE;
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

  g_free (self->files[ROW_CLIENT_CERT]);
  self->files[ROW_CLIENT_CERT] = g_steal_pointer (&cert);
  g_free (self->files[ROW_CLIENT_KEY]);
  self->files[ROW_CLIENT_KEY] = g_steal_pointer (&key);
  _dmd_settings_show_files (self);
  if (self->loading)
    return;
  self->touched |= 1u << ROW_CLIENT_CERT | 1u << ROW_CLIENT_KEY;
  _dmd_settings_refresh (self);
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
  _dmd_settings_load_settings (self);
}
