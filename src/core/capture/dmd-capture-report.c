/* dmd-capture-report.c — a capture result as JSON (device-mail-doctor/capture/v1) and text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "dmd-capture-private.h"
#include "dmd-capture-report.h"
#include "dmd-report.h"
#include "dmd-report-util.h"

/* ------------------------------------------------------------------------------------------ */
/* JSON                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static char *
handshake_text (const DmdCaptureSession *s)
{
  if (s->tls_version != NULL)
    return g_strdup ("ok");
  if (s->tls_failure != NULL)
    return g_strdup_printf ("failed: %s", s->tls_failure);
  return g_strdup_printf ("failed: %s", _("the device did not complete the handshake"));
}

static void
add_session (JsonBuilder             *b,
             const DmdCaptureSession *s)
{
  json_builder_begin_object (b);
  dmd_report_json_string (b, "client", s->client);
  dmd_report_json_string (b, "ehlo", s->ehlo);
  dmd_report_json_bool (b, "starttls", s->starttls);

  json_builder_set_member_name (b, "tls");
  if (s->starttls || s->implicit_tls || s->client_hello != NULL)
    {
      g_autofree char *handshake = handshake_text (s);
      const DmdClientHello *hello = s->client_hello;

      json_builder_begin_object (b);
      dmd_report_json_string (b, "max_version", hello != NULL ? hello->max_version : NULL);
      dmd_report_json_strings (b, "supported_versions",
                               hello != NULL ? hello->supported_versions : NULL);
      dmd_report_json_string (b, "negotiated", s->tls_version);
      dmd_report_json_string (b, "sni", hello != NULL ? hello->sni : NULL);
      dmd_report_json_string (b, "handshake", handshake);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  dmd_report_json_bool (b, "implicit_tls", s->implicit_tls);

  json_builder_set_member_name (b, "auth");
  if (s->auth_mechanism != NULL)
    {
      json_builder_begin_object (b);
      dmd_report_json_string (b, "mechanism", s->auth_mechanism);
      dmd_report_json_string (b, "username", s->auth_username);
      dmd_report_json_bool (b, "password_sent", s->auth_password_sent);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  dmd_report_json_string (b, "mail_from", s->mail_from);
  dmd_report_json_string (b, "header_from", s->header_from);
  dmd_report_json_strings (b, "recipients", s->recipients);
  dmd_report_json_int (b, "size", (gint64) MIN (s->size, (guint64) G_MAXINT64));
  dmd_report_json_bool (b, "completed", s->completed);
  json_builder_end_object (b);
}

JsonNode *
dmd_capture_report_build_json (DmdCaptureResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (b);
  dmd_report_json_string (b, "schema", DMD_CAPTURE_SCHEMA);
  dmd_report_json_string (b, "option", dmd_option_to_string (result->option));

  json_builder_set_member_name (b, "listen");
  json_builder_begin_object (b);
  dmd_report_json_int (b, "port", result->port);
  dmd_report_json_strings (b, "addresses", result->addresses);
  dmd_report_json_string (b, "certificate_sha256", result->certificate_sha256);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "sessions");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->sessions->len; i++)
    add_session (b, g_ptr_array_index (result->sessions, i));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "verdicts");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (result->verdicts, i);

      json_builder_begin_object (b);
      dmd_report_json_string (b, "option", dmd_option_to_string (v->option));
      dmd_report_json_bool (b, "usable", v->usable);
      json_builder_set_member_name (b, "findings");
      json_builder_add_value (b, dmd_report_findings_to_json (v->findings));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
dmd_capture_report_to_json (DmdCaptureResult *result)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  root = dmd_capture_report_build_json (result);
  return dmd_report_json_to_data (root);
}

/* ------------------------------------------------------------------------------------------ */
/* Text                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* One "label: value" line; the value made safe for a terminal. */
static void
text_fact (GString    *out,
           guint       indent,
           const char *label,
           const char *value)
{
  g_autofree char *safe = dmd_report_terminal_safe (value != NULL ? value : "");

  g_string_append_printf (out, "%*s%s %s\n", (int) indent, "", label, safe);
}

static char *
describe_tls (const DmdCaptureSession *s)
{
  GString *out = g_string_new (NULL);
  const DmdClientHello *hello = s->client_hello;

  if (s->implicit_tls)
    g_string_append (out, _("started at once (implicit TLS)"));
  else if (s->starttls)
    g_string_append (out, _("STARTTLS"));
  else
    g_string_append (out, _("not used"));

  if (hello != NULL)
    {
      g_string_append (out, "; ");
      /* Translators: %s is a TLS version such as "TLS1.2". */
      g_string_append_printf (out, _("offers up to %s"),
                              hello->max_version != NULL ? hello->max_version : "?");
      _dmd_capture_append_hello_details (out, hello);
    }
  if (s->tls_version != NULL)
    {
      g_string_append (out, "; ");
      /* Translators: the first %s is a TLS version, the second a cipher suite. */
      g_string_append_printf (out, _("negotiated %s (%s)"), s->tls_version,
                              s->tls_cipher != NULL ? s->tls_cipher : "?");
    }
  else if (s->certificate_rejected)
    {
      g_string_append (out, "; ");
      /* Translators: %s is the reason (the alert the device sent). */
      g_string_append_printf (out, _("the device rejected the certificate: %s"),
                              s->tls_failure);
    }
  else if (s->tls_failure != NULL)
    {
      g_string_append (out, "; ");
      /* Translators: %s is the reason the handshake failed. */
      g_string_append_printf (out, _("handshake failed: %s"), s->tls_failure);
    }
  return g_string_free (out, FALSE);
}

char *
dmd_capture_session_to_text (const DmdCaptureSession *s,
                             guint                    indent)
{
  GString *out = g_string_new (NULL);
  g_autofree char *tls = NULL;

  g_return_val_if_fail (s != NULL, NULL);

  text_fact (out, indent, _("Greeting:"),
             s->ehlo != NULL ? s->ehlo : _("(none)"));
  tls = describe_tls (s);
  text_fact (out, indent, _("TLS:"), tls);
  if (s->auth_mechanism != NULL)
    {
      g_autofree char *auth = NULL;

      if (s->auth_password_sent)
        /* Translators: the first %s is an AUTH mechanism, the second a user name. */
        auth = g_strdup_printf (_("%s as “%s”, with a password or token (never recorded)"),
                                s->auth_mechanism, s->auth_username ? s->auth_username : "");
      else
        /* Translators: the first %s is an AUTH mechanism, the second a user name. */
        auth = g_strdup_printf (_("%s as “%s”, without a password or token"),
                                s->auth_mechanism, s->auth_username ? s->auth_username : "");
      text_fact (out, indent, _("Sign-in:"), auth);
    }
  else
    text_fact (out, indent, _("Sign-in:"),
               s->auth_before_tls ? _("tried before TLS (refused, as Microsoft 365 does)")
                                  : _("none"));
  if (s->mail_from != NULL)
    text_fact (out, indent, _("Sender (MAIL FROM):"),
               *s->mail_from != '\0' ? s->mail_from : "<>");
  if (s->header_from != NULL)
    text_fact (out, indent, _("From header:"), s->header_from);
  for (guint i = 0; i < s->headers->len; i++)
    {
      const char *line = g_ptr_array_index (s->headers, i);

      if (g_ascii_strncasecmp (line, "Subject:", 8) == 0)
        {
          g_autofree char *subject = g_strstrip (g_strdup (line + 8));

          text_fact (out, indent, _("Subject:"), subject);
          break;
        }
    }
  if (s->recipients->len > 0)
    {
      g_autofree char *list = dmd_report_join (s->recipients, ", ");

      text_fact (out, indent, _("Recipients:"), list);
    }
  if (s->completed)
    {
      g_autofree char *size = g_format_size_full (s->size, G_FORMAT_SIZE_LONG_FORMAT);
      g_autofree char *message = NULL;

      /* Translators: %s is a size; %u the number of messages. */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%s, accepted (%u message; discarded)",
                                              "%s, accepted (%u messages; discarded)",
                                              s->n_messages),
                                 size, s->n_messages);
      text_fact (out, indent, _("Message:"), message);
    }
  else if (s->mail_from != NULL)
    text_fact (out, indent, _("Message:"), _("not sent"));
  return g_string_free (out, FALSE);
}

char *
dmd_capture_report_to_text (DmdCaptureResult *result,
                            gboolean          color)
{
  GString *out = g_string_new (NULL);
  gboolean judged = FALSE;

  g_return_val_if_fail (result != NULL, NULL);

  g_string_append_printf (out, "%s\n", _("What the device did"));
  if (result->sessions->len == 0)
    g_string_append_printf (out, "  %s\n",
                            _("Nothing: the device never connected. Check the server address "
                              "and port set in the device, that the device is on the same "
                              "network, and that this computer’s firewall lets the port in."));
  for (guint i = 0; i < result->sessions->len; i++)
    {
      const DmdCaptureSession *s = g_ptr_array_index (result->sessions, i);
      g_autofree char *client = dmd_report_terminal_safe (s->client ? s->client : "?");
      g_autofree char *facts = dmd_capture_session_to_text (s, 5);

      /* Translators: %u is the connection's number, %s the device's address. */
      g_string_append_printf (out, _("  %u. Connection from %s"), s->id, client);
      g_string_append_c (out, '\n');
      g_string_append (out, facts);
    }

  for (guint i = 0; i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (result->verdicts, i);

      if (v->judged)
        judged = TRUE;
    }

  g_string_append_printf (out, "\n%s\n", _("Verdict per option"));
  if (!judged && result->sessions->len > 0)
    g_string_append_printf (out, "  %s\n",
                            _("Not enough to judge: the device only greeted and left (a "
                              "connection test). Send a test message or scan to email from "
                              "the device."));
  for (guint i = 0; judged && i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (result->verdicts, i);
      const char *name = dmd_option_display_name (v->option);

      g_string_append_c (out, '\n');
      if (v->usable)
        /* Translators: %s is an option's name, e.g. "SMTP AUTH client submission". */
        g_string_append_printf (out, _("%s: the device can use it"), name);
      else if (dmd_capture_verdict_is_unproven (v))
        /* Translators: %s is an option's name, e.g. "SMTP AUTH client submission". */
        g_string_append_printf (out, _("%s: not known yet: no message from the device went "
                                       "through to the end"), name);
      else
        /* Translators: %s is an option's name, e.g. "SMTP AUTH client submission". */
        g_string_append_printf (out, _("%s: the device cannot use it as it is set up"), name);
      g_string_append_c (out, '\n');
      if (v->findings->len > 0)
        {
          g_autofree char *findings = dmd_report_findings_to_text (v->findings, color);

          g_string_append (out, findings);
          if (!g_str_has_suffix (findings, "\n"))
            g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}
