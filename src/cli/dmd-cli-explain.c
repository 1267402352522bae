/* dmd-cli-explain.c — `device-mail-doctor-cli explain`: the knowledge base without a live run
 *
 * The technician pastes a reply line from the device's log or a bounce message; the command
 * prints the findings it maps to, with their fixes (JSON: the report schema's "findings"
 * array). Without --option the meaning may depend on the sending option: then the findings of
 * every option that reads it differently are given, and the text says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "dmd-core.h"
#include "dmd-cli.h"

#define PROGRAM "device-mail-doctor-cli explain"
#define print_error(message) dmd_cli_print_error (PROGRAM, (message))
#define STDIN_MAX (64 * 1024)

typedef struct {
  char  *option;
  char  *step;
  char  *auth_method;
  char  *format;
  char  *username;
  char  *from;
  char  *to;
  char  *domain;
  char **rest;
} ExplainOptions;

static void
explain_options_clear (ExplainOptions *o)
{
  g_free (o->option);
  g_free (o->step);
  g_free (o->auth_method);
  g_free (o->format);
  g_free (o->username);
  g_free (o->from);
  g_free (o->to);
  g_free (o->domain);
  g_strfreev (o->rest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExplainOptions, explain_options_clear)



static gboolean
parse_auth_method (const char  *str,
                   DmdAuthMech *out)
{
  static const struct { const char *name; DmdAuthMech mech; } names[] = {
    { "none", DMD_AUTH_NONE }, { "login", DMD_AUTH_LOGIN },
    { "plain", DMD_AUTH_PLAIN }, { "xoauth2", DMD_AUTH_XOAUTH2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (str, names[i].name) == 0)
      {
        *out = names[i].mech;
        return TRUE;
      }
  return FALSE;
}

/* The reply text: the arguments joined by newlines (a multi-line reply may come as several),
 * or standard input for "-". NULL and a printed error when there is none. */
static char *
read_reply_text (char **rest)
{
  GString *text;

  if (rest == NULL || rest[0] == NULL)
    {
      print_error (_("Give the reply line to explain, in quotes (or “-” to read it from standard input)."));
      return NULL;
    }

  text = g_string_new (NULL);
  for (guint i = 0; rest[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      if (g_str_equal (rest[i], "-"))
        {
          char buf[4096];
          size_t n;

          while ((n = fread (buf, 1, sizeof buf, stdin)) > 0 && text->len < STDIN_MAX)
            g_string_append_len (text, buf, (gssize) MIN (n, STDIN_MAX - text->len));
        }
      else
        {
          g_string_append (text, rest[i]);
        }
    }
  return g_string_free (text, FALSE);
}

int
dmd_cli_explain (int    argc,
                 char **argv)
{
  g_auto(ExplainOptions) o = { NULL, };
  g_autofree char *option_ids = dmd_options_join_ids ("|");
  const GOptionEntry entries[] = {
    { "option", 0, 0, G_OPTION_ARG_STRING, &o.option,
      N_("Sending option of the device (default: every option whose reading differs)"),
      option_ids },
    { "step", 0, 0, G_OPTION_ARG_STRING, &o.step,
      N_("SMTP step the reply answered"), "banner|ehlo|starttls|auth|mail|rcpt|data" },
    { "auth-method", 0, 0, G_OPTION_ARG_STRING, &o.auth_method,
      N_("How the device signed in"), "login|plain|xoauth2|none" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &o.username,
      N_("User name of the device, to fill in the admin commands"), N_("USER") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &o.from,
      N_("Sender address of the device, to fill in the admin commands"), N_("ADDRESS") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &o.to,
      N_("Recipient address, to fill in the admin commands"), N_("ADDRESS") },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &o.domain,
      N_("The organization’s email domain"), N_("DOMAIN") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o.format,
      N_("Output format (default text)"), "text|json" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.rest, NULL, N_("REPLY") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmdExplanation) explanation = NULL;
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autofree char *text = NULL;
  DmdOption option = DMD_OPTION_SMTP_AUTH;
  DmdStep step = DMD_STEP_ANY;
  DmdAuthMech mech = DMD_AUTH_NONE;
  GPtrArray *findings;
  gboolean json;

  context = g_option_context_new (_("“REPLY LINE…”"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Explain a reply line from a device’s log or a bounce message: "
                                  "what it means and what to do, without running any check."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 the reply is no refusal, 1 it is a refusal "
                                      "(any 4xx or 5xx reply), 2 bad usage or no reply code "
                                      "found."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_error (error->message);
      return DMD_CLI_EXIT_USAGE;
    }

  if (o.option != NULL && !dmd_cli_parse_option (PROGRAM, o.option, &option))
    return DMD_CLI_EXIT_USAGE;
  if (o.step != NULL && (!dmd_step_from_string (o.step, &step) || step == DMD_STEP_CONNECT ||
                         step == DMD_STEP_QUIT))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown step “%s”: use banner, ehlo, starttls, auth, mail, rcpt or data."), o.step);
      print_error (msg);
      return DMD_CLI_EXIT_USAGE;
    }
  if (o.auth_method != NULL && !parse_auth_method (o.auth_method, &mech))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown sign-in method “%s”: use login, plain, xoauth2 or none."), o.auth_method);
      print_error (msg);
      return DMD_CLI_EXIT_USAGE;
    }
  if (o.format != NULL && !g_str_equal (o.format, "text") && !g_str_equal (o.format, "json"))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown format “%s”: use text or json."), o.format);
      print_error (msg);
      return DMD_CLI_EXIT_USAGE;
    }
  json = g_strcmp0 (o.format, "json") == 0;

  text = read_reply_text (o.rest);
  if (text == NULL)
    return DMD_CLI_EXIT_USAGE;
  /* What the device's settings say, to fill in the admin commands (any option: each reading
   * uses its own). */
  config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  config->username = g_strdup (o.username);
  config->from = g_strdup (o.from);
  config->to = g_strdup (o.to);
  config->domain = g_strdup (o.domain);
  explanation = dmd_explain_reply (text, o.option != NULL ? &option : NULL, step, mech, config);
  if (explanation == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("No SMTP reply code (such as “550 5.7.60”) found in “%s”."), text);
      print_error (msg);
      return DMD_CLI_EXIT_USAGE;
    }
  findings = explanation->findings;

  if (json)
    {
      g_autoptr(JsonNode) root = dmd_report_findings_to_json (findings);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *out = NULL;

      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, root);
      out = json_generator_to_data (gen, NULL);
      fputs (out, stdout);
      fputc ('\n', stdout);
    }
  else if (findings->len == 0)
    {
      g_autofree char *codes = dmd_catalog_describe_reply_codes (explanation->reply);
      /* Translators: joins two sentences of an explanation; in Japanese without a space */
      g_autofree char *both = g_strdup_printf (C_("sentences", "%s %s"),
                                               _("This reply is not an error."),
                                               codes != NULL ? codes : "");
      g_autofree char *line = g_strconcat (g_strstrip (both), "\n", NULL);
      g_autofree char *safe = dmd_report_terminal_safe (line);

      dmd_cli_print_text (safe);
    }
  else
    {
      g_autofree char *out = dmd_report_findings_to_text (findings, dmd_cli_use_color (STDOUT_FILENO));

      if (explanation->depends_on_option)
        {
          dmd_cli_print_text (_("The meaning depends on the device’s sending option; give --option to narrow it down."));
          fputs ("\n\n", stdout);
        }
      dmd_cli_print_text (out);
    }

  return explanation->verdict == DMD_VERDICT_FAIL || explanation->verdict == DMD_VERDICT_RETRY
         ? DMD_CLI_EXIT_FINDINGS : DMD_CLI_EXIT_OK;
}
