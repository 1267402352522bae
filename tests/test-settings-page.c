/* test-settings-page.c — the device settings: defaults, validation, pre-flight, remembering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-note-row.h"
#include "dmd-settings-page.h"
#include "dmd-ui-test-utils.h"

#define SECRET "Tr0ub4dor&3-not-remembered"

typedef struct {
  DmdSession *session;
  GtkWidget  *page;
  GtkWidget  *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GSettings *settings;

  f->session = dmd_session_new ();
  settings = dmd_session_get_settings (f->session);
  g_assert_nonnull (settings);
  /* Each test starts from nothing remembered. */
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_object_get (settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      g_settings_reset (settings, keys[i]);
  }
  dmd_session_set_option (f->session, GPOINTER_TO_INT (data));
  f->page = dmd_settings_page_new (f->session);
  f->window = dmd_test_window_new (f->page);
  dmd_page_shown (DMD_PAGE (f->page));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->session);
}

static GtkWidget *
row (Fixture    *f,
     const char *title)
{
  GtkWidget *widget = dmd_test_find_row (f->page, title);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
text (Fixture    *f,
      const char *title)
{
  return gtk_editable_get_text (GTK_EDITABLE (row (f, title)));
}

/* The note row right after a field's row. */
static DmdNoteRow *
note_after (GtkWidget *field)
{
  GtkWidget *next = gtk_widget_get_next_sibling (field);

  /* The password row and the token row share one note row. */
  while (next != NULL && !DMD_IS_NOTE_ROW (next))
    next = gtk_widget_get_next_sibling (next);
  g_assert_nonnull (next);
  return DMD_NOTE_ROW (next);
}

static gboolean
has_note (GtkWidget  *field,
          const char *needle)
{
  DmdNoteRow *note = note_after (field);
  g_autofree char *all = dmd_note_row_dup_text (note);

  return all != NULL && strstr (all, needle) != NULL;
}

static void
fill_smtp_auth (Fixture *f)
{
  dmd_test_set_text (row (f, "User name"), "scanner@contoso.com");
  dmd_test_set_text (row (f, "Password"), SECRET);
  dmd_test_set_text (row (f, "Sender (From)"), "scanner@contoso.com");
  dmd_test_set_text (row (f, "Test recipient"), "someone@fabrikam.example");
}

static void
test_smtp_auth_defaults (Fixture       *f,
                         gconstpointer  data)
{
  g_assert_cmpstr (text (f, "Server"), ==, "smtp.office365.com");
  g_assert_cmpstr (text (f, "Port"), ==, "587");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row (f, "Security"))), ==, 0);
  /* Only the fields of SMTP AUTH. */
  g_assert_true (dmd_test_is_shown (row (f, "User name")));
  g_assert_true (dmd_test_is_shown (row (f, "Password")));
  g_assert_false (dmd_test_is_shown (row (f, "Organization’s domain")));
  g_assert_false (dmd_test_is_shown (row (f, "The connector recognizes the device by")));
  /* No note rows are left standing under hidden fields. */
  g_assert_false (dmd_test_is_shown (GTK_WIDGET (note_after (row (f, "Device’s server field length")))));
  g_assert_false (dmd_test_is_shown (GTK_WIDGET (note_after (row (f, "Organization’s domain")))));
  /* Nothing typed yet: incomplete, but no red under untouched fields. */
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_false (gtk_widget_has_css_class (row (f, "User name"), "error"));
  g_assert_nonnull (dmd_test_find_label (f->page, "To run the checks, fill in:"));
  g_assert_cmpstr (dmd_page_get_forward_label (DMD_PAGE (f->page)), ==, "_Run Checks");
}

static void
test_smtp_auth_complete (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DmdDeviceConfig) config = NULL;

  fill_smtp_auth (f);
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_null (dmd_test_find_label (f->page, "To run the checks, fill in:"));

  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_cmpint (config->option, ==, DMD_OPTION_SMTP_AUTH);
  g_assert_cmpstr (config->server, ==, "smtp.office365.com");
  g_assert_cmpuint (config->port, ==, 587);
  g_assert_cmpint (config->security, ==, DMD_SECURITY_STARTTLS);
  g_assert_cmpstr (config->username, ==, "scanner@contoso.com");
  g_assert_cmpstr (config->password, ==, SECRET);
  g_assert_false (config->send);

  /* A bad address: error under the row, error style, Next insensitive. */
  dmd_test_set_text (row (f, "Test recipient"), "not an address");
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_true (gtk_widget_has_css_class (row (f, "Test recipient"), "error"));
  g_assert_cmpuint (dmd_note_row_get_n_notes (note_after (row (f, "Test recipient"))), >, 0);
  dmd_test_set_text (row (f, "Test recipient"), "someone@fabrikam.example");
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_false (gtk_widget_has_css_class (row (f, "Test recipient"), "error"));
}

static void
test_port_validation (Fixture       *f,
                      gconstpointer  data)
{
  fill_smtp_auth (f);

  dmd_test_set_text (row (f, "Port"), "abc");
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_true (gtk_widget_has_css_class (row (f, "Port"), "error"));
  g_assert_true (has_note (row (f, "Port"), "from 1 to 65535"));

  dmd_test_set_text (row (f, "Port"), "70000");
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));

  /* Port 465 is valid input, but Microsoft 365 does not offer it: a pre-flight note. */
  dmd_test_set_text (row (f, "Port"), "465");
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_false (gtk_widget_has_css_class (row (f, "Port"), "error"));
  g_assert_cmpuint (dmd_note_row_get_n_notes (note_after (row (f, "Port"))), >, 0);

  dmd_test_set_text (row (f, "Port"), "587");
  g_assert_cmpuint (dmd_note_row_get_n_notes (note_after (row (f, "Port"))), ==, 0);
}

static void
test_preflight_sender (Fixture       *f,
                       gconstpointer  data)
{
  fill_smtp_auth (f);
  g_assert_cmpuint (dmd_note_row_get_n_notes (note_after (row (f, "Sender (From)"))), ==, 0);
  /* From differs from the login: Send As needed (a warning, not a blocker). */
  dmd_test_set_text (row (f, "Sender (From)"), "printer@contoso.com");
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_cmpuint (dmd_note_row_get_n_notes (note_after (row (f, "Sender (From)"))), >, 0);
}

static void
test_option_switch (Fixture       *f,
                    gconstpointer  data)
{
  fill_smtp_auth (f);
  dmd_session_set_option (f->session, DMD_OPTION_DIRECT_SEND);
  dmd_test_spin ();

  /* The old option's defaults give way to the new one's; what was typed stays. */
  g_assert_cmpstr (text (f, "Server"), ==, "");
  g_assert_cmpstr (text (f, "Port"), ==, "25");
  g_assert_cmpstr (text (f, "Sender (From)"), ==, "scanner@contoso.com");
  g_assert_false (dmd_test_is_shown (row (f, "User name")));
  g_assert_true (dmd_test_is_shown (row (f, "Organization’s domain")));
  g_assert_true (has_note (row (f, "Test recipient"), "inside the organization"));

  dmd_session_set_option (f->session, DMD_OPTION_RELAY);
  dmd_test_spin ();
  g_assert_true (has_note (row (f, "Test recipient"), "outside the organization"));
  g_assert_true (dmd_test_is_shown (row (f, "IP address on the connector (optional)")));

  /* A certificate-based connector cannot be proven from here: the page says so. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "The connector recognizes the device by")), 1);
  dmd_test_spin ();
  g_assert_false (dmd_test_is_shown (row (f, "IP address on the connector (optional)")));
  g_assert_nonnull (dmd_test_find_label (f->page, "cannot be tested from this computer"));

  /* A typed server survives the switch back. */
  dmd_test_set_text (row (f, "Server"), "contoso-com.mail.protection.outlook.com");
  dmd_session_set_option (f->session, DMD_OPTION_SMTP_AUTH);
  dmd_test_spin ();
  g_assert_cmpstr (text (f, "Server"), ==, "contoso-com.mail.protection.outlook.com");
  g_assert_cmpstr (text (f, "Port"), ==, "587");
}

/* High Volume Email ("Test High Volume Email instead"): its endpoint replaces SMTP AUTH's,
 * sender and recipient stay, and the domain tells inside recipients from outside ones. */
static void
test_hve (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(DmdDeviceConfig) config = NULL;

  fill_smtp_auth (f);
  dmd_test_set_text (row (f, "Test recipient"), "someone@contoso.com");
  dmd_session_set_option (f->session, DMD_OPTION_HVE);
  dmd_test_spin ();

  g_assert_cmpstr (text (f, "Server"), ==, "smtp.hve.mx.microsoft");
  g_assert_cmpstr (text (f, "Port"), ==, "587");
  g_assert_cmpstr (text (f, "Sender (From)"), ==, "scanner@contoso.com");
  g_assert_cmpstr (text (f, "Test recipient"), ==, "someone@contoso.com");
  g_assert_true (dmd_test_is_shown (row (f, "User name")));
  g_assert_true (dmd_test_is_shown (row (f, "Organization’s domain")));
  g_assert_false (dmd_test_is_shown (row (f, "Device’s server field length")));
  g_assert_true (has_note (row (f, "Server"), "smtp.hve.mx.microsoft"));
  g_assert_true (has_note (row (f, "Test recipient"), "inside the organization"));

  dmd_test_set_text (row (f, "User name"), "hve-scanner@contoso.com");
  dmd_test_set_text (row (f, "Organization’s domain"), "contoso.com");
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_cmpint (config->option, ==, DMD_OPTION_HVE);
  g_assert_cmpstr (config->server, ==, "smtp.hve.mx.microsoft");
  g_assert_cmpstr (config->username, ==, "hve-scanner@contoso.com");
  g_assert_cmpstr (config->password, ==, SECRET);
  g_assert_cmpstr (config->domain, ==, "contoso.com");

  /* An outside recipient: the pre-flight finding shows under the recipient. */
  dmd_test_set_text (row (f, "Test recipient"), "someone@fabrikam.example");
  g_assert_true (has_note (row (f, "Test recipient"), "does not deliver outside the organization"));
}

static void
test_remember_but_not_password (Fixture       *f,
                                gconstpointer  data)
{
  GSettings *settings = dmd_session_get_settings (f->session);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *username = NULL;
  GtkWidget *page2, *window2;

  fill_smtp_auth (f);
  gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row (f, "Send a real test message")))), TRUE);
  dmd_test_spin ();
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  dmd_page_apply_begin (DMD_PAGE (f->page), NULL, NULL);
  g_assert_false (dmd_page_get_applying (DMD_PAGE (f->page)));

  /* The session now holds the config for the checks, secret included (in memory only). */
  g_assert_nonnull (dmd_session_get_config (f->session));
  g_assert_cmpstr (dmd_session_get_config (f->session)->password, ==, SECRET);
  g_assert_true (dmd_session_get_config (f->session)->send);

  /* GSettings has the user name, and no key anywhere holds the secret. */
  username = g_settings_get_string (settings, "username");
  g_assert_cmpstr (username, ==, "scanner@contoso.com");
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_assert_null (strstr (printed, SECRET));
    }

  /* A new page remembers the fields, but neither the password nor "send". */
  page2 = dmd_settings_page_new (f->session);
  window2 = dmd_test_window_new (page2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "User name"))), ==,
                   "scanner@contoso.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "Password"))), ==, "");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (adw_action_row_get_activatable_widget (
                    ADW_ACTION_ROW (dmd_test_find_row (page2, "Send a real test message"))))));
  g_assert_false (dmd_page_get_complete (DMD_PAGE (page2)));

  /* Forget: everything remembered goes, the fields reset to the defaults. */
  dmd_settings_page_forget (DMD_SETTINGS_PAGE (page2));
  g_free (username);
  username = g_settings_get_string (settings, "username");
  g_assert_cmpstr (username, ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "User name"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "Server"))), ==,
                   "smtp.office365.com");
  gtk_window_destroy (GTK_WINDOW (window2));
}

static void
test_oauth_token (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DmdDeviceConfig) config = NULL;

  fill_smtp_auth (f);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "Sign in with")), 1);
  dmd_test_spin ();
  g_assert_false (dmd_test_is_shown (row (f, "Password")));
  g_assert_true (dmd_test_is_shown (row (f, "OAuth access token")));
  dmd_test_set_text (row (f, "OAuth access token"), "eyJ0eXAi.test.token");
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_null (config->password);
  g_assert_cmpstr (config->oauth_token, ==, "eyJ0eXAi.test.token");
}

#define CLIENT_ID "11111111-2222-4333-8444-555555555555"

/* "Microsoft account (OAuth)": tenant and application id instead of a password; they are
 * remembered, checked as they are typed, and go into the config with the method. */
static void
test_oauth_device (Fixture       *f,
                   gconstpointer  data)
{
  GSettings *settings = dmd_session_get_settings (f->session);
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *client_id = NULL;

  fill_smtp_auth (f);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "Sign in with")), 2);
  dmd_test_spin ();
  g_assert_false (dmd_test_is_shown (row (f, "Password")));
  g_assert_true (dmd_test_is_shown (row (f, "Tenant")));
  g_assert_true (dmd_test_is_shown (row (f, "Application (client) ID")));
  g_assert_false (dmd_test_is_shown (row (f, "Client secret")));
  /* Neither is filled in: the page is not complete, and says what is missing. */
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));

  dmd_test_set_text (row (f, "Tenant"), "contoso.com");
  dmd_test_set_text (row (f, "Application (client) ID"), "not-a-guid");
  dmd_test_spin ();
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_true (has_note (row (f, "Application (client) ID"), "is not an application (client) ID"));
  g_assert_true (gtk_widget_has_css_class (row (f, "Application (client) ID"), "error"));

  dmd_test_set_text (row (f, "Application (client) ID"), CLIENT_ID);
  dmd_test_spin ();
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_cmpint (config->auth_method, ==, DMD_AUTH_METHOD_OAUTH_DEVICE);
  g_assert_cmpstr (config->tenant, ==, "contoso.com");
  g_assert_cmpstr (config->client_id, ==, CLIENT_ID);
  g_assert_null (config->password);
  g_assert_true (dmd_device_config_gets_token (config));

  /* Applied: the tenant, the client id and the method are remembered. */
  dmd_page_apply_begin (DMD_PAGE (f->page), NULL, NULL);
  tenant = g_settings_get_string (settings, "oauth-tenant");
  client_id = g_settings_get_string (settings, "oauth-client-id");
  g_assert_cmpstr (tenant, ==, "contoso.com");
  g_assert_cmpstr (client_id, ==, CLIENT_ID);
  g_assert_cmpint (g_settings_get_enum (settings, "sign-in-method"), ==, 2);
}

/* "Application (client credentials)": the secret in a password row, never remembered. */
static void
test_oauth_app (Fixture       *f,
                gconstpointer  data)
{
  GSettings *settings = dmd_session_get_settings (f->session);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(DmdDeviceConfig) config = NULL;
  GtkWidget *page2, *window2;

  fill_smtp_auth (f);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "Sign in with")), 3);
  dmd_test_spin ();
  g_assert_true (dmd_test_is_shown (row (f, "Client secret")));
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (row (f, "Client secret")));
  dmd_test_set_text (row (f, "Tenant"), "contoso.com");
  dmd_test_set_text (row (f, "Application (client) ID"), CLIENT_ID);
  dmd_test_spin ();
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  dmd_test_set_text (row (f, "Client secret"), SECRET);
  dmd_test_spin ();
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_cmpint (config->auth_method, ==, DMD_AUTH_METHOD_OAUTH_APP);
  g_assert_cmpstr (config->client_secret, ==, SECRET);

  dmd_page_apply_begin (DMD_PAGE (f->page), NULL, NULL);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_assert_null (strstr (printed, SECRET));
    }
  /* A new page: the method, tenant and client id come back; the secret does not. */
  page2 = dmd_settings_page_new (f->session);
  window2 = dmd_test_window_new (page2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "Tenant"))), ==,
                   "contoso.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page2, "Client secret"))),
                   ==, "");
  g_assert_true (dmd_test_is_shown (dmd_test_find_row (page2, "Client secret")));
  gtk_window_destroy (GTK_WINDOW (window2));
}

static void
test_test_hooks (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DmdDeviceConfig) config = NULL;

  g_setenv ("DMD_TEST_CONNECT_TO", "smtp.office365.com:587:127.0.0.1:2587;::127.0.0.1:", TRUE);
  g_setenv ("DMD_TEST_CA_FILE", "/nonexistent/ca.pem", TRUE);
  g_setenv ("DMD_TEST_TIMEOUT", "2", TRUE);
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_unsetenv ("DMD_TEST_CONNECT_TO");
  g_unsetenv ("DMD_TEST_CA_FILE");
  g_unsetenv ("DMD_TEST_TIMEOUT");

  g_assert_nonnull (config->connect_to);
  g_assert_cmpuint (config->connect_to->len, ==, 2);
  g_assert_cmpstr (((DmdConnectTo *) g_ptr_array_index (config->connect_to, 0))->host, ==, "smtp.office365.com");
  g_assert_cmpuint (((DmdConnectTo *) g_ptr_array_index (config->connect_to, 0))->to_port, ==, 2587);
  g_assert_cmpstr (config->ca_file, ==, "/nonexistent/ca.pem");
  g_assert_cmpuint (config->timeout_seconds, ==, 2);
}

/* The button under root whose accessible name is label. */
static GtkWidget *
button_labelled (GtkWidget  *root,
                 const char *label)
{
  if (GTK_IS_BUTTON (root))
    {
      g_autofree char *diff = gtk_test_accessible_check_property (GTK_ACCESSIBLE (root),
                                                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                  label);
      if (diff == NULL)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = button_labelled (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A connector that trusts a certificate: the device's certificate and key are chosen (by the
 * file choosers, here directly), checked as chosen, and go into the config as paths only. */
static void
test_relay_client_cert (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_BUILT, "test-client.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_BUILT, "test-client-key.pem", NULL);
  g_autofree char *other_key = g_test_build_filename (G_TEST_BUILT, "test-client-other-key.pem", NULL);
  g_autoptr(DmdDeviceConfig) config = NULL;
  GSettings *settings = dmd_session_get_settings (f->session);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GtkWidget *cert_row, *key_row;

  dmd_test_set_text (row (f, "Server"), "contoso-com.mail.protection.outlook.com");
  dmd_test_set_text (row (f, "Sender (From)"), "scanner@contoso.com");
  dmd_test_set_text (row (f, "Test recipient"), "someone@fabrikam.example");
  dmd_test_set_text (row (f, "Organization’s domain"), "contoso.com");
  cert_row = row (f, "Device certificate (optional)");
  key_row = row (f, "Private key of the device certificate");

  /* Only for a connector that trusts a certificate. */
  g_assert_false (dmd_test_is_shown (cert_row));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "The connector recognizes the device by")), 1);
  dmd_test_spin ();
  g_assert_true (dmd_test_is_shown (cert_row));
  g_assert_true (dmd_test_is_shown (key_row));
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_true (has_note (key_row, "cannot be tested from this computer"));

  /* Every button says what it does. */
  g_assert_nonnull (button_labelled (cert_row, "Choose the device certificate"));
  g_assert_nonnull (button_labelled (cert_row, "Remove the device certificate and its key"));
  g_assert_nonnull (button_labelled (key_row, "Choose the private key of the device certificate"));

  /* A key of another certificate is refused where the rows are, and blocks the run. */
  dmd_settings_page_set_client_cert (DMD_SETTINGS_PAGE (f->page), cert, other_key);
  dmd_test_spin ();
  g_assert_true (has_note (key_row, "does not belong to the certificate"));
  g_assert_true (gtk_widget_has_css_class (cert_row, "error"));
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));

  /* A certificate alone is not enough either. */
  dmd_settings_page_set_client_cert (DMD_SETTINGS_PAGE (f->page), cert, NULL);
  dmd_test_spin ();
  g_assert_true (has_note (key_row, "needs its private key"));
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));

  dmd_settings_page_set_client_cert (DMD_SETTINGS_PAGE (f->page), cert, key);
  dmd_test_spin ();
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_false (gtk_widget_has_css_class (cert_row, "error"));
  g_assert_true (has_note (key_row, "present this certificate"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (cert_row)), ==, "test-client.pem");

  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_true (config->connector_trusts_certificate);
  g_assert_cmpstr (config->client_cert_file, ==, cert);
  g_assert_cmpstr (config->client_key_file, ==, key);

  /* Running saves the settings: never the files (nor, of course, the key). */
  dmd_page_apply_begin (DMD_PAGE (f->page), NULL, NULL);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_assert_null (strstr (printed, "test-client"));
    }

  /* Back to IP: no certificate goes into the config. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "The connector recognizes the device by")), 0);
  dmd_test_spin ();
  g_clear_pointer (&config, dmd_device_config_free);
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_false (config->connector_trusts_certificate);
  g_assert_null (config->client_cert_file);
}

/* The first button below root whose label (with its mnemonic) is label. */
static GtkWidget *
button_with_label (GtkWidget  *root,
                   const char *label)
{
  for (guint i = 0; dmd_test_find_type (root, GTK_TYPE_BUTTON, i) != NULL; i++)
    {
      GtkWidget *button = dmd_test_find_type (root, GTK_TYPE_BUTTON, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0)
        return button;
    }
  return NULL;
}

/* "Forget These Settings" can be undone from its toast: every field comes back, the
 * password too (held in memory with the toast only), and so does what was remembered
 * (issue 14 §10). */
static void
test_forget_undo (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GSettings *settings = dmd_session_get_settings (session);
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *page, *window, *undo;
  g_autofree char *remembered = NULL;
  g_autofree char *after_undo = NULL;

  dmd_session_set_option (session, DMD_OPTION_SMTP_AUTH);
  page = dmd_settings_page_new (session);

  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), page);
  window = dmd_test_window_new (overlay);
  dmd_page_shown (DMD_PAGE (page));
  dmd_test_set_text (dmd_test_find_row (page, "User name"), "scanner@contoso.com");
  dmd_test_set_text (dmd_test_find_row (page, "Password"), SECRET);
  dmd_test_set_text (dmd_test_find_row (page, "Port"), "25");
  g_settings_set_string (settings, "username", "scanner@contoso.com");

  g_signal_emit_by_name (button_with_label (page, "_Forget These Settings"), "clicked");
  dmd_test_spin ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page, "User name"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page, "Password"))), ==, "");
  remembered = g_settings_get_string (settings, "username");
  g_assert_cmpstr (remembered, ==, "");

  undo = button_with_label (overlay, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  dmd_test_spin ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page, "User name"))), ==,
                   "scanner@contoso.com");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page, "Password"))), ==, SECRET);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dmd_test_find_row (page, "Port"))), ==, "25");
  after_undo = g_settings_get_string (settings, "username");
  g_assert_cmpstr (after_undo, ==, "scanner@contoso.com");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The title of the row that holds the window's focus widget, or "" when it is in none. */
static const char *
focused_row_title (GtkWidget *window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  GtkWidget *row_widget = focus ? gtk_widget_get_ancestor (focus, ADW_TYPE_PREFERENCES_ROW) : NULL;

  return row_widget ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_widget)) : "";
}

/* Press Tab (or Shift+Tab) from the focus until it has been in each expected row in turn (a
 * row may hold more than one stop, as the password row with its reveal button). */
static void
assert_tab_stops (Fixture            *f,
                  GtkDirectionType    direction,
                  const char *const  *expected)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  guint n = 0;

  for (guint presses = 0; presses < 40 && expected[n] != NULL; presses++)
    {
      const char *title = focused_row_title (f->window);

      if (seen->len == 0 || !g_str_has_suffix (seen->str, title))
        g_string_append_printf (seen, "|%s", title);
      if (g_str_equal (title, expected[n]))
        n++;
      if (expected[n] != NULL)
        gtk_widget_child_focus (f->window, direction);
    }
  g_test_message ("Tab stops: %s", seen->str);
  g_assert_cmpstr (expected[n], ==, NULL);
}

/* Tab from the server goes through every field in reading order, Port and Security too, and
 * Shift+Tab back (a boxed list hands the focus on row by row, and gave up at the note rows
 * under Server and Port, which take none). */
static void
test_tab_order (Fixture       *f,
                gconstpointer  data)
{
  static const char *const smtp_auth[] = {
    "Server", "Port", "Security", "Sign in with", "User name", "Password", "Sender (From)",
    "Test recipient", NULL
  };
  static const char *const smtp_auth_back[] = {
    "Test recipient", "Sender (From)", "Password", "User name", "Sign in with", "Security",
    "Port", "Server", NULL
  };
  static const char *const relay[] = {
    "Server", "Organization’s domain", "Port", "Security", "Sender (From)", "Test recipient",
    "The connector recognizes the device by", "IP address on the connector (optional)", NULL
  };
  static const char *const relay_back[] = {
    "IP address on the connector (optional)", "The connector recognizes the device by",
    "Test recipient", "Sender (From)", "Security", "Port", "Organization’s domain", "Server", NULL
  };
  gboolean is_relay = GPOINTER_TO_INT (data) == DMD_OPTION_RELAY;

  gtk_widget_grab_focus (row (f, "Server"));
  dmd_test_spin ();
  g_assert_cmpstr (focused_row_title (f->window), ==, "Server");
  assert_tab_stops (f, GTK_DIR_TAB_FORWARD, is_relay ? relay : smtp_auth);
  assert_tab_stops (f, GTK_DIR_TAB_BACKWARD, is_relay ? relay_back : smtp_auth_back);
}

static void
apply_done_cb (DmdPage  *page,
               gboolean  valid,
               gpointer  user_data)
{
  *(int *) user_data = valid;
}

/* Run Checks, as the window does: it may start the apply step; returns whether it passed. */
static gboolean
run_checks (Fixture *f)
{
  int valid = -1;

  g_assert_true (dmd_page_get_can_forward (DMD_PAGE (f->page)));
  dmd_page_apply_begin (DMD_PAGE (f->page), apply_done_cb, &valid);
  g_assert_cmpint (valid, !=, -1);
  g_assert_false (dmd_page_get_applying (DMD_PAGE (f->page)));
  dmd_test_spin ();
  return valid;
}

/* TRUE when the row lies wholly inside the visible part of the page's scrolled window. */
static gboolean
row_in_view (gpointer data)
{
  GtkWidget *widget = data;
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  dmd_test_spin ();
  if (!gtk_widget_compute_bounds (widget, scroller, &bounds))
    return FALSE;
  return bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static gboolean
row_out_of_view (gpointer data)
{
  return !row_in_view (data);
}

/* Scroll to the end of the page, until row is out of view. */
static void
scroll_to_end (Fixture   *f,
               GtkWidget *row_widget)
{
  GtkWidget *scroller = dmd_test_find_type (f->page, GTK_TYPE_SCROLLED_WINDOW, 0);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_true (dmd_test_wait (row_out_of_view, row_widget, 5000));
}

/* Direct Send and relay look the server up from the domain: either will do. The page asks for
 * "the server or the organization's domain", which sit together in the Server group, and
 * Run Checks stays enabled: pressed, it brings the first missing field into view, focuses it
 * and says what it needs. */
static void
test_server_or_domain (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *server = row (f, "Server");
  GtkWidget *domain = row (f, "Organization’s domain");
  g_autoptr(DmdDeviceConfig) config = NULL;

  g_assert_cmpstr (text (f, "Server"), ==, "");
  g_assert_true (gtk_widget_get_ancestor (domain, ADW_TYPE_PREFERENCES_GROUP) ==
                 gtk_widget_get_ancestor (server, ADW_TYPE_PREFERENCES_GROUP));
  g_assert_true (has_note (server, "leave it empty and enter the organization’s domain below"));
  g_assert_nonnull (dmd_test_find_label (f->page, "fill in: Server or organization’s domain, Sender (From), Test recipient."));
  g_assert_false (dmd_page_get_complete (DMD_PAGE (f->page)));
  g_assert_true (dmd_page_get_can_forward (DMD_PAGE (f->page)));

  /* Nothing red before Run Checks. */
  g_assert_false (gtk_widget_has_css_class (server, "error"));

  /* Run Checks from the bottom of the page: the server comes into view, focused and red,
   * saying what it needs. */
  scroll_to_end (f, server);
  g_assert_false (run_checks (f));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), server));
  g_assert_true (gtk_widget_has_css_class (server, "error"));
  g_assert_true (has_note (server, "or the domain"));
  g_assert_true (dmd_test_wait (row_in_view, server, 5000));
  g_assert_nonnull (dmd_test_find_label (f->page, "fill in: Sender (From), Test recipient."));

  /* The domain alone will do: the server is no longer missing; the next press goes on to
   * the sender. */
  dmd_test_set_text (domain, "contoso.com");
  g_assert_false (gtk_widget_has_css_class (server, "error"));
  g_assert_false (has_note (server, "or the domain"));
  g_assert_false (run_checks (f));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)),
                                         row (f, "Sender (From)")));
  g_assert_true (gtk_widget_has_css_class (row (f, "Sender (From)"), "error"));
  g_assert_true (has_note (row (f, "Sender (From)"), "Enter the sender address"));

  dmd_test_set_text (row (f, "Sender (From)"), "scanner@contoso.com");
  dmd_test_set_text (row (f, "Test recipient"), GPOINTER_TO_INT (data) == DMD_OPTION_RELAY
                                                  ? "someone@fabrikam.example"
                                                  : "someone@contoso.com");
  g_assert_true (dmd_page_get_complete (DMD_PAGE (f->page)));
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_null (config->server);
  g_assert_cmpstr (config->domain, ==, "contoso.com");
  g_assert_true (run_checks (f));
}

/* The same for every option: Run Checks with nothing typed marks the first missing field only
 * (the others stay listed), and a field with a wrong value comes before a missing one further
 * down. */
static void
test_run_checks_shows_missing (Fixture       *f,
                               gconstpointer  data)
{
  g_assert_true (dmd_page_get_can_forward (DMD_PAGE (f->page)));
  g_assert_false (run_checks (f));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), row (f, "User name")));
  g_assert_true (gtk_widget_has_css_class (row (f, "User name"), "error"));
  g_assert_true (has_note (row (f, "User name"), "Enter the user name"));
  g_assert_false (gtk_widget_has_css_class (row (f, "Password"), "error"));
  g_assert_nonnull (dmd_test_find_label (f->page, "fill in: Password, Sender (From), Test recipient."));
  g_assert_null (dmd_session_get_config (f->session));

  fill_smtp_auth (f);
  dmd_test_set_text (row (f, "Port"), "abc");
  dmd_test_set_text (row (f, "Test recipient"), "");
  scroll_to_end (f, row (f, "Port"));
  g_assert_false (run_checks (f));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), row (f, "Port")));
  g_assert_true (dmd_test_wait (row_in_view, row (f, "Port"), 5000));

  dmd_test_set_text (row (f, "Port"), "587");
  g_assert_false (run_checks (f));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), row (f, "Test recipient")));
  g_assert_true (has_note (row (f, "Test recipient"), "Enter an address to send the test to"));

  dmd_test_set_text (row (f, "Test recipient"), "someone@fabrikam.example");
  g_assert_true (run_checks (f));
  g_assert_nonnull (dmd_session_get_config (f->session));
}

/* A combo row's value is known by its id: what is remembered is the id, and the row shows
 * that value's words whatever the order of the list. */
static void
test_choices_by_id (Fixture       *f,
                    gconstpointer  data)
{
  GSettings *settings = dmd_session_get_settings (f->session);
  g_autoptr(DmdDeviceConfig) config = NULL;
  GtkWidget *page2, *window2;
  GtkStringObject *item;

  g_settings_set_string (settings, "security", "implicit-tls");
  g_settings_set_string (settings, "sign-in-method", "oauth-token");
  page2 = dmd_settings_page_new (f->session);
  window2 = dmd_test_window_new (page2);
  item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (dmd_test_find_row (page2, "Security")));
  g_assert_cmpstr (gtk_string_object_get_string (item), ==, "TLS from the start (SSL/TLS)");
  g_assert_true (dmd_test_is_shown (dmd_test_find_row (page2, "OAuth access token")));
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (page2));
  g_assert_cmpint (config->security, ==, DMD_SECURITY_IMPLICIT_TLS);
  gtk_window_destroy (GTK_WINDOW (window2));

  /* Chosen in the page, remembered by id. */
  fill_smtp_auth (f);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (f, "Security")), 1);
  item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (row (f, "Security")));
  g_assert_cmpstr (gtk_string_object_get_string (item), ==, "None (no encryption)");
  g_clear_pointer (&config, dmd_device_config_free);
  config = dmd_settings_page_build_config (DMD_SETTINGS_PAGE (f->page));
  g_assert_cmpint (config->security, ==, DMD_SECURITY_NONE);
  dmd_page_apply_begin (DMD_PAGE (f->page), NULL, NULL);
  {
    g_autofree char *security = g_settings_get_string (settings, "security");
    g_autofree char *method = g_settings_get_string (settings, "sign-in-method");

    g_assert_cmpstr (security, ==, "none");
    g_assert_cmpstr (method, ==, "password");
  }
}

static void
test_finalize (void)
{
  g_autoptr(DmdSession) session = dmd_session_new ();
  GtkWidget *page = dmd_settings_page_new (session);

  g_object_ref_sink (page);
  g_assert_finalize_object (page);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  dmd_test_own_main_context ();

#define ADD(path, option, func) \
  g_test_add ("/dmd/ui/settings/" path, Fixture, GINT_TO_POINTER (option), fixture_setup, func, fixture_teardown)
  ADD ("smtp-auth-defaults", DMD_OPTION_SMTP_AUTH, test_smtp_auth_defaults);
  ADD ("smtp-auth-complete", DMD_OPTION_SMTP_AUTH, test_smtp_auth_complete);
  ADD ("port-validation", DMD_OPTION_SMTP_AUTH, test_port_validation);
  ADD ("preflight-sender", DMD_OPTION_SMTP_AUTH, test_preflight_sender);
  ADD ("option-switch", DMD_OPTION_SMTP_AUTH, test_option_switch);
  ADD ("hve", DMD_OPTION_SMTP_AUTH, test_hve);
  ADD ("remember-but-not-password", DMD_OPTION_SMTP_AUTH, test_remember_but_not_password);
  ADD ("oauth-token", DMD_OPTION_SMTP_AUTH, test_oauth_token);
  ADD ("oauth-device", DMD_OPTION_SMTP_AUTH, test_oauth_device);
  ADD ("oauth-app", DMD_OPTION_SMTP_AUTH, test_oauth_app);
  ADD ("test-hooks", DMD_OPTION_SMTP_AUTH, test_test_hooks);
  ADD ("relay-client-cert", DMD_OPTION_RELAY, test_relay_client_cert);
  ADD ("tab-order/smtp-auth", DMD_OPTION_SMTP_AUTH, test_tab_order);
  ADD ("tab-order/relay", DMD_OPTION_RELAY, test_tab_order);
  ADD ("server-or-domain/direct-send", DMD_OPTION_DIRECT_SEND, test_server_or_domain);
  ADD ("server-or-domain/relay", DMD_OPTION_RELAY, test_server_or_domain);
  ADD ("run-checks-shows-missing", DMD_OPTION_SMTP_AUTH, test_run_checks_shows_missing);
  ADD ("choices-by-id", DMD_OPTION_SMTP_AUTH, test_choices_by_id);
#undef ADD
  g_test_add_func ("/dmd/ui/settings/forget-undo", test_forget_undo);
  g_test_add_func ("/dmd/ui/settings/finalize", test_finalize);
  return g_test_run ();
}
