/* dmd-cli-check.c — `device-mail-doctor-cli check`: run a checkup headless
 *
 * Secrets: a password or token is accepted only from a file, standard input, the
 * DMD_PASSWORD environment variable or a no-echo prompt — never as an argument value (it
 * would show in ps). Buffers that held one are wiped before they are freed.
 *
 * Interruption: Ctrl+C (SIGINT) or SIGTERM cancels the checkup; what was gathered until then
 * (the checkup's partial result: the checks so far with their transcripts and findings, the
 * pre-flight findings and the recommended settings) is printed and the report written as asked, marked as incomplete, and the command
 * exits with 128 + the signal number (130 for Ctrl+C). A second Ctrl+C exits at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "dmd-core.h"
#include "dmd-cli.h"

#define PASSWORD_MAX 1024          /* bytes; Entra ID passwords are at most 256 characters */
#define CLIENT_SECRET_MAX 1024     /* bytes; Entra ID client secrets are about 40 characters */
#define TOKEN_MAX    (64 * 1024)   /* bytes; access tokens are a few KiB */

/* An integer option that was not given (GOption cannot parse this value from a number). */
#define NOT_GIVEN G_MININT

#define PROGRAM "device-mail-doctor-cli check"
#define print_error(message) dmd_cli_print_error (PROGRAM, (message))


G_GNUC_PRINTF (1, 2)
static void
print_errorf (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  print_error (message);
}

/* ------------------------------------------------------------------------------------------ */
/* Secrets                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef char DmdSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSecret, secret_free)

/* Reads at most max bytes from fd, up to the first newline when first_line_only (else to EOF).
 * The result has trailing CR/LF (and, for tokens, surrounding blanks) removed. */
static char *
read_secret_fd (int       fd,
                gsize     max,
                gboolean  first_line_only,
                GError  **error)
{
  char *buf = g_malloc0 (max + 1);
  gsize len = 0;

  while (len < max + 1)
    {
      ssize_t n = read (fd, buf + len, first_line_only ? 1 : max + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          explicit_bzero (buf, max + 1);
          g_free (buf);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
      if (first_line_only && buf[len - 1] == '\n')
        break;
    }

  if (len > max)
    {
      explicit_bzero (buf, max + 1);
      g_free (buf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("It is longer than %u bytes"), (guint) max);
      return NULL;
    }

  buf[len] = '\0';
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  if (memchr (buf, '\0', len) != NULL)
    {
      explicit_bzero (buf, max + 1);
      g_free (buf);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("It contains a NUL byte"));
      return NULL;
    }
  return buf;
}

static char *
read_secret_file (const char  *path,
                  gsize        max,
                  GError     **error)
{
  char *secret;
  int fd;

  if (g_strcmp0 (path, "-") == 0)
    return read_secret_fd (STDIN_FILENO, max, FALSE, error);

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return NULL;
    }
  secret = read_secret_fd (fd, max, FALSE, error);
  close (fd);
  return secret;
}

/* The terminal state to restore if a signal arrives while echo is off. */
static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_echo_and_reraise (int signum)
{
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
      echo_off = 0;
      (void) !write (STDERR_FILENO, "\n", 1);
    }
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Asks for the password on the terminal without echo. */
static char *
prompt_password (const char  *username,
                 GError     **error)
{
  static const int signals_to_catch[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
  struct sigaction old_actions[G_N_ELEMENTS (signals_to_catch)];
  struct sigaction action = { 0 };
  struct termios quiet;
  g_autofree char *safe_user = dmd_report_terminal_safe (username != NULL ? username : "");
  char *password;

  if (tcgetattr (STDIN_FILENO, &saved_termios) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return NULL;
    }

  action.sa_handler = restore_echo_and_reraise;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals_to_catch); i++)
    sigaction (signals_to_catch[i], &action, &old_actions[i]);

  quiet = saved_termios;
  quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;
  if (*safe_user != '\0')
    /* Translators: a prompt; %s is the user name. The password typed is not shown. */
    fprintf (stderr, _("Password for %s: "), safe_user);
  else
    fputs (_("Password: "), stderr);
  fflush (stderr);
  echo_off = 1;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);

  password = read_secret_fd (STDIN_FILENO, PASSWORD_MAX, TRUE, error);

  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  echo_off = 0;
  fputc ('\n', stderr);
  for (guint i = 0; i < G_N_ELEMENTS (signals_to_catch); i++)
    sigaction (signals_to_catch[i], &old_actions[i], NULL);

  return password;
}

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  char     *option;
  char     *server;
  int       port;
  char     *security;
  char     *username;
  char     *password_file;
  gboolean  password_stdin;
  char     *oauth_token_file;
  char     *auth;
  char     *tenant;
  char     *client_id;
  char     *client_secret_file;
  gboolean  allow_insecure_auth;
  char     *ip_version;
  char     *from;
  char     *to;
  char     *domain;
  char     *connector_ip;
  int       server_field_length;
  gboolean  send;
  char    **connect_to;
  char     *ca_file;
  char     *client_cert;
  char     *client_key;
  int       timeout;
  char     *format;
  char     *report;
  const char *secret_source;   /* where the password or token came from, for messages */
  const char *client_secret_source;
} CheckOptions;

static void
check_options_clear (CheckOptions *o)
{
  g_free (o->option);
  g_free (o->server);
  g_free (o->security);
  g_free (o->username);
  g_free (o->password_file);
  g_free (o->oauth_token_file);
  g_free (o->auth);
  g_free (o->tenant);
  g_free (o->client_id);
  g_free (o->client_secret_file);
  g_free (o->ip_version);
  g_free (o->from);
  g_free (o->to);
  g_free (o->domain);
  g_free (o->connector_ip);
  g_strfreev (o->connect_to);
  g_free (o->ca_file);
  g_free (o->client_cert);
  g_free (o->client_key);
  g_free (o->format);
  g_free (o->report);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CheckOptions, check_options_clear)

/* (g_set_str is GLib 2.76.) An empty value is no value. */
static void
set_str (char       **field,
         const char  *value)
{
  g_free (*field);
  *field = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static const char *
field_option (const CheckOptions *o,
              DmdField            field)
{
  switch (field)
    {
    case DMD_FIELD_SERVER:       return "--server";
    case DMD_FIELD_PORT:         return "--port";
    case DMD_FIELD_USERNAME:     return "--username";
    case DMD_FIELD_PASSWORD:     return o->secret_source;
    case DMD_FIELD_FROM:         return "--from";
    case DMD_FIELD_TO:           return "--to";
    case DMD_FIELD_DOMAIN:       return "--domain";
    case DMD_FIELD_CONNECTOR_IP: return "--connector-ip";
    case DMD_FIELD_CA_FILE:      return "--ca-file";
    case DMD_FIELD_CONNECT_TO:   return "--connect-to";
    case DMD_FIELD_TIMEOUT:      return "--timeout";
    case DMD_FIELD_CLIENT_CERT:  return "--client-cert";
    case DMD_FIELD_SECURITY:     return "--security";
    case DMD_FIELD_SERVER_FIELD_LENGTH: return "--server-field-length";
    case DMD_FIELD_TENANT:       return "--tenant";
    case DMD_FIELD_CLIENT_ID:    return "--client-id";
    case DMD_FIELD_CLIENT_SECRET:
      return o->client_secret_source ? o->client_secret_source : "--client-secret-file";
    case DMD_N_FIELDS:
    default:                     return NULL;
    }
}

/* A secret given as an argument value is refused before anything else happens. */
static gboolean
refuse_secret_arguments (int    argc,
                         char **argv)
{
  static const char *forbidden[] = { "--password", "--oauth-token", "--token", "-p",
                                     "--client-secret", "--secret" };

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      for (guint j = 0; j < G_N_ELEMENTS (forbidden); j++)
        {
          gsize n = strlen (forbidden[j]);

          if (strncmp (argv[i], forbidden[j], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
            {
              print_error (_("A password, token or client secret is not accepted on the "
                             "command line: other users could see it in the process list. Use "
                             "--password-file, --password-stdin, the DMD_PASSWORD environment "
                             "variable, --oauth-token-file or --client-secret-file (or "
                             "DMD_CLIENT_SECRET), or leave the password out to be asked for it."));
              return FALSE;
            }
        }
    }
  return TRUE;
}

static void
string_free (GString *string)
{
  g_string_free (string, TRUE);
}

/* The options' defaults for the help, grouped by value: "587 (smtp-auth), 25 (direct-send,
 * relay)". */
static char *
describe_defaults (gboolean servers)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) string_free);
  GString *out = g_string_new (NULL);
  guint n;
  const DmdOptionInfo *infos = dmd_options_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      char *value = !servers ? g_strdup_printf ("%u", infos[i].default_port)
                  : infos[i].default_server != NULL ? g_strdup (infos[i].default_server)
                  : g_strdup (_("the domain’s MX endpoint"));
      guint at;

      if (!g_ptr_array_find_with_equal_func (values, value, g_str_equal, &at))
        {
          at = values->len;
          g_ptr_array_add (values, g_strdup (value));
          g_ptr_array_add (ids, g_string_new (NULL));
        }
      else
        g_string_append (g_ptr_array_index (ids, at), ", ");
      g_string_append (g_ptr_array_index (ids, at), infos[i].id);
      g_free (value);
    }
  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (out, "%s%s (%s)", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (values, i),
                            ((GString *) g_ptr_array_index (ids, i))->str);
  return g_string_free (out, FALSE);
}

static gboolean
parse_options (CheckOptions  *o,
               int           *argc,
               char        ***argv)
{
  g_autofree char *option_ids = dmd_options_join_ids ("|");
  g_autofree char *servers = describe_defaults (TRUE);
  g_autofree char *ports = describe_defaults (FALSE);
  /* Translators: %s lists the default server per option. */
  g_autofree char *server_help = g_strdup_printf (_("Server as typed into the device (default: %s)"),
                                                  servers);
  /* Translators: %s lists the default port per option. */
  g_autofree char *port_help = g_strdup_printf (_("Port (default: %s)"), ports);
  const GOptionEntry entries[] = {
    { "option", 0, 0, G_OPTION_ARG_STRING, &o->option,
      N_("Sending option of the device (required)"), option_ids },
    { "server", 0, 0, G_OPTION_ARG_STRING, &o->server, server_help, N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &o->port, port_help, N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &o->security,
      N_("Connection security (default starttls)"), "starttls|none|implicit-tls" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &o->username,
      N_("User name to sign in with"), N_("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file,
      N_("Read the password from FILE (or set DMD_PASSWORD)"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &o->password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { "oauth-token-file", 0, 0, G_OPTION_ARG_FILENAME, &o->oauth_token_file,
      N_("Sign in with the OAuth access token in FILE (XOAUTH2; “-” reads standard input)"),
      N_("FILE") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &o->auth,
      N_("How to sign in (default: password when a user name is given): oauth-device signs "
         "in a person with a code, oauth-app the application with its client secret"),
      "password|oauth-device|oauth-app|oauth-token" },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &o->tenant,
      N_("The organization’s domain or tenant ID (OAuth)"), N_("DOMAIN_OR_ID") },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &o->client_id,
      N_("Application (client) ID of the app registration (OAuth)"), N_("GUID") },
    { "client-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &o->client_secret_file,
      N_("Read the client secret for --auth=oauth-app from FILE (or set DMD_CLIENT_SECRET; "
         "“-” reads standard input)"), N_("FILE") },
    { "allow-insecure-auth", 0, 0, G_OPTION_ARG_NONE, &o->allow_insecure_auth,
      N_("Allow sending credentials over plaintext or unverified TLS (the report says so)"),
      NULL },
    { "ip-version", 0, 0, G_OPTION_ARG_STRING, &o->ip_version,
      N_("Address family to connect with (default 4)"), "4|6|any" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &o->from,
      N_("Sender address as set on the device"), N_("ADDRESS") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &o->to,
      N_("Test recipient"), N_("ADDRESS") },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &o->domain,
      N_("The organization’s email domain"), N_("DOMAIN") },
    { "connector-ip", 0, 0, G_OPTION_ARG_STRING, &o->connector_ip,
      N_("Public IP address set on the relay connector"), N_("ADDRESS") },
    { "server-field-length", 0, 0, G_OPTION_ARG_INT, &o->server_field_length,
      N_("Longest server name the device accepts"), N_("N") },
    { "send", 0, 0, G_OPTION_ARG_NONE, &o->send,
      N_("Also send a real test message (default: stop before DATA)"), NULL },
    { "connect-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->connect_to,
      N_("Connect there instead, as curl does (repeatable)"), "HOST:PORT:ADDR:PORT" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &o->ca_file,
      N_("Extra trust anchors, added to the system’s"), N_("PEM") },
    { "client-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->client_cert,
      N_("Client certificate to present in the TLS handshake (relay connectors that trust a "
         "certificate); needs --client-key"), N_("PEM") },
    { "client-key", 0, 0, G_OPTION_ARG_FILENAME, &o->client_key,
      N_("Private key of the client certificate (unencrypted; read for this run only)"),
      N_("PEM") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout,
      N_("Deadline of each network step in seconds (default 10)"), N_("SECONDS") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o->format,
      N_("Output format (default text)"), "text|json" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &o->report,
      N_("Also write the HTML report for the admin to FILE"), N_("FILE.html") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  /* Not given: a value nobody can type, so that --port=-1 is refused, not the default. */
  o->port = NOT_GIVEN;
  o->timeout = NOT_GIVEN;
  o->server_field_length = NOT_GIVEN;

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Check from this computer whether a device can send mail "
                                  "through Microsoft 365 with its settings, and say what to fix."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 ready to send (verdict pass or warn), "
                                      "1 a check failed or an error stands (verdict fail, or "
                                      "retry for a temporary refusal), 2 bad usage or bad "
                                      "input, 130 interrupted.\n"
                                      "Without a password source and with a terminal on "
                                      "standard input, the password is asked for."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error (error->message);
      fprintf (stderr, _("Run “%s --help” to see the options."), PROGRAM);
      fputc ('\n', stderr);
      return FALSE;
    }
  if (*argc > 1)
    {
      print_errorf (_("Unexpected argument “%s”."), (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

/* --auth and what goes with it (the secrets are read later). FALSE on bad usage (printed). */
static gboolean
apply_auth (const CheckOptions *o,
            DmdDeviceConfig    *config)
{
  DmdAuthMethod method = o->oauth_token_file != NULL ? DMD_AUTH_METHOD_OAUTH_TOKEN
                                                     : DMD_AUTH_METHOD_PASSWORD;
  gboolean fetch;

  if (o->auth != NULL && !dmd_auth_method_from_string (o->auth, &method))
    {
      print_errorf (_("Unknown sign-in “%s”: use password, oauth-device, oauth-app or "
                      "oauth-token."), o->auth);
      return FALSE;
    }
  if (method == DMD_AUTH_METHOD_OAUTH_TOKEN && o->oauth_token_file == NULL)
    {
      print_error (_("--auth=oauth-token needs the token: give --oauth-token-file."));
      return FALSE;
    }
  if (method != DMD_AUTH_METHOD_OAUTH_TOKEN && o->oauth_token_file != NULL)
    {
      print_error (_("--oauth-token-file goes with --auth=oauth-token."));
      return FALSE;
    }
  fetch = method == DMD_AUTH_METHOD_OAUTH_DEVICE || method == DMD_AUTH_METHOD_OAUTH_APP;
  if (fetch && !dmd_option_get_info (config->option)->signs_in)
    {
      print_error (_("Signing in with Microsoft Entra ID is for the options that sign in "
                     "(smtp-auth, hve): Direct Send and relay do not sign in."));
      return FALSE;
    }
  if (!fetch && (o->tenant != NULL || o->client_id != NULL))
    {
      print_error (_("--tenant and --client-id go with --auth=oauth-device or "
                     "--auth=oauth-app."));
      return FALSE;
    }
  if (method != DMD_AUTH_METHOD_OAUTH_APP && o->client_secret_file != NULL)
    {
      print_error (_("--client-secret-file goes with --auth=oauth-app."));
      return FALSE;
    }
  config->auth_method = method;
  /* Given but empty stays empty: validation says what is missing. */
  if (fetch)
    {
      config->tenant = g_strdup (o->tenant != NULL ? o->tenant : "");
      config->client_id = g_strdup (o->client_id != NULL ? o->client_id : "");
    }
  return TRUE;
}

/* Builds the config from the options; prints what is wrong and returns NULL on bad input. */
static DmdDeviceConfig *
build_config (CheckOptions *o)
{
  g_autoptr(DmdDeviceConfig) config = NULL;
  DmdOption option;
  DmdSecurity security;
  DmdIpVersion ip_version;

  if (o->option == NULL)
    {
      g_autofree char *ids = dmd_options_join_ids (", ");

      /* Translators: %s is the list of option ids ("smtp-auth, direct-send, relay"). */
      print_errorf (_("Say which sending option the device uses with --option (one of %s)."), ids);
      return NULL;
    }
  if (!dmd_cli_parse_option (PROGRAM, o->option, &option))
    return NULL;

  config = dmd_device_config_new (option);

  set_str (&config->server, o->server);

  if (o->port != NOT_GIVEN)
    {
      if (o->port < 1 || o->port > 65535)
        {
          print_errorf (_("--port must be between 1 and 65535, not %d."), o->port);
          return NULL;
        }
      config->port = (guint16) o->port;
    }

  if (o->security != NULL)
    {
      if (!dmd_security_from_string (o->security, &security))
        {
          print_errorf (_("Unknown security “%s”: use starttls, none or implicit-tls."),
                        o->security);
          return NULL;
        }
      config->security = security;
    }

  if (o->ip_version != NULL)
    {
      if (!dmd_ip_version_from_string (o->ip_version, &ip_version))
        {
          print_errorf (_("Unknown IP version “%s”: use 4, 6 or any."), o->ip_version);
          return NULL;
        }
      config->ip_version = ip_version;
    }

  if (o->timeout != NOT_GIVEN)
    {
      if (o->timeout < 1)
        {
          print_errorf (_("--timeout must be at least 1 second, not %d."), o->timeout);
          return NULL;
        }
      config->timeout_seconds = (guint) o->timeout;
    }

  if (o->server_field_length != NOT_GIVEN)
    {
      if (o->server_field_length < 1)
        {
          print_errorf (_("--server-field-length must be a positive number, not %d."),
                        o->server_field_length);
          return NULL;
        }
      config->server_field_length = (guint) o->server_field_length;
    }

  if (!apply_auth (o, config))
    return NULL;

  set_str (&config->username, o->username);
  set_str (&config->from, o->from);
  set_str (&config->to, o->to);
  set_str (&config->domain, o->domain);
  set_str (&config->connector_ip, o->connector_ip);
  set_str (&config->ca_file, o->ca_file);
  set_str (&config->client_cert_file, o->client_cert);
  set_str (&config->client_key_file, o->client_key);
  config->send = o->send;
  config->allow_insecure_auth = o->allow_insecure_auth;

  for (guint i = 0; o->connect_to != NULL && o->connect_to[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      DmdConnectTo *ct = dmd_connect_to_parse (o->connect_to[i], &error);

      if (ct == NULL)
        {
          print_errorf ("--connect-to=%s: %s", o->connect_to[i], error->message);
          return NULL;
        }
      if (config->connect_to == NULL)
        config->connect_to = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_connect_to_free);
      g_ptr_array_add (config->connect_to, ct);
    }

  /* Direct Send and relay without a server test the endpoint the domain's MX names: the
   * domain comes from --domain, else the sender's, else (Direct Send) the recipient's. */
  if (dmd_option_get_info (option)->default_server == NULL && config->server == NULL)
    {
      g_autofree char *domain = dmd_dns_domain_for_mx (config);

      if (domain == NULL)
        {
          print_error (_("Give the tenant’s MX endpoint with --server (such as "
                         "contoso-com.mail.protection.outlook.com), or the organization’s domain "
                         "with --domain to look it up."));
          return NULL;
        }
    }

  return g_steal_pointer (&config);
}

/* --auth=oauth-app: the client secret, from its file, standard input or DMD_CLIENT_SECRET
 * (which child processes do not see). Missing: validation says so. */
static gboolean
load_client_secret (CheckOptions    *o,
                    DmdDeviceConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSecret) secret = NULL;
  const char *env = g_getenv ("DMD_CLIENT_SECRET");

  if (o->client_secret_file != NULL)
    {
      secret = read_secret_file (o->client_secret_file, CLIENT_SECRET_MAX, &error);
      if (secret == NULL)
        {
          print_errorf (_("Could not read the client secret from %s: %s"),
                        g_strcmp0 (o->client_secret_file, "-") == 0 ? _("standard input")
                                                                    : o->client_secret_file,
                        error->message);
          return FALSE;
        }
      g_strstrip (secret);
      o->client_secret_source = "--client-secret-file";
    }
  else if (env != NULL && *env != '\0')
    {
      if (strlen (env) > CLIENT_SECRET_MAX)
        {
          g_autofree char *why = g_strdup_printf (_("It is longer than %u bytes"),
                                                  (guint) CLIENT_SECRET_MAX);

          g_unsetenv ("DMD_CLIENT_SECRET");
          print_errorf ("DMD_CLIENT_SECRET: %s", why);
          return FALSE;
        }
      secret = g_strdup (env);
      o->client_secret_source = "DMD_CLIENT_SECRET";
    }
  if (env != NULL)
    g_unsetenv ("DMD_CLIENT_SECRET");
  if (secret != NULL && *secret != '\0')
    dmd_device_config_set_client_secret (config, secret);
  return TRUE;
}

/* Reads the password or token from the one source given. FALSE on bad input (printed). */
static gboolean
load_secrets (CheckOptions    *o,
              DmdDeviceConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdSecret) secret = NULL;
  const char *env = g_getenv ("DMD_PASSWORD");
  guint n_password_sources = (o->password_file != NULL) + (o->password_stdin ? 1 : 0);

  if (n_password_sources > 1)
    {
      print_error (_("Give the password one way only: --password-file or --password-stdin."));
      return FALSE;
    }
  if (o->oauth_token_file != NULL && n_password_sources > 0)
    {
      print_error (_("Give either a password or an OAuth token, not both."));
      return FALSE;
    }
  if ((o->password_stdin && g_strcmp0 (o->oauth_token_file, "-") == 0) ||
      (g_strcmp0 (o->client_secret_file, "-") == 0 &&
       (o->password_stdin || g_strcmp0 (o->oauth_token_file, "-") == 0)))
    {
      print_error (_("Standard input can carry only one secret."));
      return FALSE;
    }
  if (dmd_device_config_gets_token (config))
    {
      /* The token comes from Microsoft Entra ID: no password is read, none is asked for. */
      if (n_password_sources > 0)
        {
          print_errorf (_("--auth=%s gets its token from Microsoft Entra ID: give no password."),
                        dmd_auth_method_to_string (config->auth_method));
          return FALSE;
        }
      if (env != NULL)
        g_unsetenv ("DMD_PASSWORD");
      return config->auth_method != DMD_AUTH_METHOD_OAUTH_APP || load_client_secret (o, config);
    }

  if (o->oauth_token_file != NULL)
    {
      secret = read_secret_file (o->oauth_token_file, TOKEN_MAX, &error);
      if (secret == NULL)
        {
          print_errorf (_("Could not read the OAuth token from %s: %s"),
                        g_strcmp0 (o->oauth_token_file, "-") == 0 ? _("standard input")
                                                                  : o->oauth_token_file,
                        error->message);
          return FALSE;
        }
      g_strstrip (secret);
      if (*secret == '\0')
        {
          print_error (_("The OAuth token is empty."));
          return FALSE;
        }
      dmd_device_config_set_oauth_token (config, secret);
      o->secret_source = "--oauth-token-file";
    }
  else if (o->password_file != NULL || o->password_stdin)
    {
      if (o->password_stdin && isatty (STDIN_FILENO))
        secret = prompt_password (config->username, &error);  /* typed: never echoed */
      else if (o->password_stdin)
        secret = read_secret_fd (STDIN_FILENO, PASSWORD_MAX, TRUE, &error);
      else
        secret = read_secret_file (o->password_file, PASSWORD_MAX, &error);
      if (secret == NULL)
        {
          print_errorf (_("Could not read the password from %s: %s"),
                        o->password_stdin ? _("standard input") : o->password_file,
                        error->message);
          return FALSE;
        }
      if (*secret == '\0')
        {
          print_error (_("The password is empty."));
          return FALSE;
        }
      dmd_device_config_set_password (config, secret);
      o->secret_source = o->password_stdin ? "--password-stdin" : "--password-file";
    }
  else if (env != NULL && *env != '\0')
    {
      /* Bounded as the file and standard input are. */
      if (strlen (env) > PASSWORD_MAX)
        {
          g_autofree char *why = g_strdup_printf (_("It is longer than %u bytes"),
                                                  (guint) PASSWORD_MAX);

          g_unsetenv ("DMD_PASSWORD");
          print_errorf ("DMD_PASSWORD: %s", why);
          return FALSE;
        }
      dmd_device_config_set_password (config, env);
      o->secret_source = "DMD_PASSWORD";
    }
  else if (dmd_option_get_info (config->option)->signs_in
           && config->username != NULL && *config->username != '\0'
           && isatty (STDIN_FILENO))
    {
      secret = prompt_password (config->username, &error);
      if (secret == NULL)
        {
          print_errorf (_("Could not read the password: %s"), error->message);
          return FALSE;
        }
      /* An empty answer means "no password": the checkup then says what is missing. */
      if (*secret != '\0')
        dmd_device_config_set_password (config, secret);
    }

  /* Child processes need not see it. */
  if (env != NULL)
    g_unsetenv ("DMD_PASSWORD");
  return TRUE;
}

static gboolean
validate_config (const CheckOptions    *o,
                 const DmdDeviceConfig *config)
{
  g_autoptr(GPtrArray) errors = dmd_device_config_validate (config);

  for (guint i = 0; i < errors->len; i++)
    {
      DmdFieldError *e = g_ptr_array_index (errors, i);
      const char *flag = field_option (o, e->field);

      if (flag != NULL)
        print_errorf ("%s: %s", flag, e->message);
      else
        print_error (e->message);
    }
  return errors->len == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Running                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  DmdCheckup   *checkup;
  GCancellable *cancellable;
  int           signum;        /* the signal that interrupted the run, or 0 */
  gboolean      progress;      /* print a line on stderr as each check finishes */
  gboolean      progress_color;
  gboolean      utf8;
} RunState;

static gboolean
on_signal (gpointer user_data)
{
  RunState *state = user_data;

  if (state->signum != 0)
    {
      /* The user insists: stop now. */
      _exit (128 + state->signum);
    }
  state->signum = SIGINT;
  if (state->progress)
    {
      fprintf (stderr, "\n%s\n", _("Stopping the checks… (press Ctrl+C again to quit at once)"));
    }
  g_cancellable_cancel (state->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  RunState *state = user_data;

  if (state->signum == 0)
    {
      state->signum = SIGTERM;
      g_cancellable_cancel (state->cancellable);
    }
  return G_SOURCE_CONTINUE;
}

static const char *
status_symbol (DmdCheckStatus status,
               gboolean       utf8)
{
  switch (status)
    {
    case DMD_CHECK_PASS: return utf8 ? "✓" : "OK";
    case DMD_CHECK_WARN: return "!";
    case DMD_CHECK_FAIL: return utf8 ? "✗" : "X";
    case DMD_CHECK_SKIP:
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:             return utf8 ? "–" : "-";
    }
}

static const char *
status_color (DmdCheckStatus status)
{
  switch (status)
    {
    case DMD_CHECK_PASS: return "\033[1;32m";
    case DMD_CHECK_WARN: return "\033[1;33m";
    case DMD_CHECK_FAIL: return "\033[1;31m";
    case DMD_CHECK_SKIP:
    case DMD_CHECK_PENDING:
    case DMD_CHECK_RUNNING:
    default:             return "\033[2m";
    }
}

static void
on_check_finished (DmdCheckup *checkup,
                   const char *check_id,
                   int         status,
                   const char *summary,
                   RunState   *state)
{
  if (state->progress)
    {
      g_autofree char *title = dmd_report_terminal_safe (dmd_check_title (check_id));
      g_autofree char *text = dmd_report_terminal_safe (summary != NULL ? summary : "");

      if (state->progress_color)
        fprintf (stderr, "  %s%s\033[0m %s: %s\n", status_color ((DmdCheckStatus) status),
                 status_symbol ((DmdCheckStatus) status, state->utf8), title, text);
      else
        fprintf (stderr, "  %s %s: %s\n", status_symbol ((DmdCheckStatus) status, state->utf8),
                 title, text);
    }
}

/* The device code flow waits for a person: one line on standard error (whatever the format)
 * that says what to do, where and with which code. */
static void
on_device_code (DmdCheckup *checkup,
                const char *verification_uri,
                const char *user_code,
                guint       expires_in,
                RunState   *state)
{
  g_autofree char *uri = dmd_report_terminal_safe (verification_uri);
  g_autofree char *code = dmd_report_terminal_safe (user_code);
  guint minutes = (expires_in + 59) / 60;

  if (state->progress)
    fputc ('\n', stderr);
  /* Translators: the address, the code, then minutes. One line: a person acts on it. */
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                "To sign in, open %s and enter the code %s (within %u minute).",
                                "To sign in, open %s and enter the code %s (within %u minutes).",
                                minutes),
           uri, code, minutes);
  fputc ('\n', stderr);
  fflush (stderr);
}

/* Writes a file the user named as any tool does. A regular file (or a symbolic link to one,
 * which keeps pointing there) is replaced atomically, a missing one created; anything else that
 * exists — a device such as /dev/null, a FIFO, a terminal — is opened and written, never
 * replaced (as root, a rename would have put a file in its place); a directory is refused. */
static gboolean
write_user_file (const char  *path,
                 const char  *data,
                 GError     **error)
{
  g_autofree char *target = NULL;
  gsize len = strlen (data);
  struct stat st;
  int fd;

  if (stat (path, &st) != 0 || S_ISREG (st.st_mode))
    {
      struct stat lst;

      if (lstat (path, &lst) == 0 && S_ISLNK (lst.st_mode) && stat (path, &st) == 0)
        target = realpath (path, NULL);
      return g_file_set_contents (target != NULL ? target : path, data, (gssize) len, error);
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s: %s", path,
                   g_strerror (EISDIR));
      return FALSE;
    }

  fd = open (path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                       g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  if (close (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static int
exit_status (DmdResult *result,
             int        signum)
{
  DmdVerdict verdict;

  if (signum != 0)
    return 128 + signum;
  verdict = dmd_result_get_verdict (result);
  return verdict == DMD_VERDICT_FAIL || verdict == DMD_VERDICT_RETRY ? DMD_CLI_EXIT_FINDINGS
                                                                      : DMD_CLI_EXIT_OK;
}

int
dmd_cli_check (int    argc,
               char **argv)
{
  g_auto(CheckOptions) o = { 0 };
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autoptr(DmdCheckup) checkup = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(DmdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RunState state = { 0 };
  gboolean json;
  guint sigint_id, sigterm_id;
  int status;

  g_set_prgname ("device-mail-doctor-cli check");

  if (!refuse_secret_arguments (argc, argv))
    return DMD_CLI_EXIT_USAGE;
  if (!parse_options (&o, &argc, &argv))
    return DMD_CLI_EXIT_USAGE;

  if (o.format != NULL && !g_str_equal (o.format, "text") && !g_str_equal (o.format, "json"))
    {
      print_errorf (_("Unknown format “%s”: use text or json."), o.format);
      return DMD_CLI_EXIT_USAGE;
    }
  json = g_strcmp0 (o.format, "json") == 0;

  config = build_config (&o);
  if (config == NULL)
    return DMD_CLI_EXIT_USAGE;
  if (!load_secrets (&o, config))
    return DMD_CLI_EXIT_USAGE;
  if (!validate_config (&o, config))
    return DMD_CLI_EXIT_USAGE;

  cancellable = g_cancellable_new ();
  checkup = dmd_checkup_new (config);

  state.checkup = checkup;
  state.cancellable = cancellable;
  state.progress = isatty (STDERR_FILENO);
  state.progress_color = state.progress && dmd_cli_use_color (STDERR_FILENO);
  state.utf8 = g_get_charset (NULL);

  g_signal_connect (checkup, "check-finished", G_CALLBACK (on_check_finished), &state);
  g_signal_connect (checkup, "oauth-device-code", G_CALLBACK (on_device_code), &state);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &state);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &state);

  if (state.progress)
    {
      const char *server = dmd_device_config_get_server (config);
      g_autofree char *domain = server == NULL ? dmd_dns_domain_for_mx (config) : NULL;
      g_autofree char *safe = dmd_report_terminal_safe (server != NULL ? server : domain);

      if (server != NULL)
        /* Translators: "Checking smtp.office365.com port 587 (SMTP AUTH client submission)…" */
        fprintf (stderr, _("Checking %s port %u (%s)…"), safe,
                 (guint) dmd_device_config_get_port (config),
                 dmd_option_display_name (config->option));
      else
        /* Translators: "Checking the MX endpoint of contoso.com, port 25 (Direct Send)…" */
        fprintf (stderr, _("Checking the MX endpoint of %s, port %u (%s)…"), safe,
                 (guint) dmd_device_config_get_port (config),
                 dmd_option_display_name (config->option));
      fputc ('\n', stderr);
    }

  result = dmd_checkup_run_sync (checkup, cancellable, &error);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (checkup, &state);

  if (result == NULL)
    {
      print_error (error->message);
      return DMD_CLI_EXIT_USAGE;
    }
  if (!result->cancelled)
    state.signum = 0;   /* it completed before the interruption took effect */
  else if (state.signum == 0)
    state.signum = SIGINT;

  if (json)
    {
      g_autofree char *out = dmd_report_to_json (result, config);

      fputs (out, stdout);
      fputc ('\n', stdout);
    }
  else
    {
      g_autofree char *out = dmd_report_to_text (result, config, dmd_cli_use_color (STDOUT_FILENO));

      if (state.progress)
        fputc ('\n', stderr);
      dmd_cli_print_text (out);
    }
  fflush (stdout);

  status = exit_status (result, state.signum);

  if (o.report != NULL)
    {
      g_autofree char *html = dmd_report_to_html (result, config);
      g_autoptr(GError) write_error = NULL;

      if (!write_user_file (o.report, html, &write_error))
        {
          print_errorf (_("Could not write the report: %s"), write_error->message);
          return DMD_CLI_EXIT_USAGE;
        }
      if (state.progress)
        {
          g_autofree char *path = dmd_report_terminal_safe (o.report);

          fprintf (stderr, _("Report written to %s"), path);
          fputc ('\n', stderr);
        }
    }

  return status;
}
