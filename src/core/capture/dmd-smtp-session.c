/* dmd-smtp-session.c — one connection to the scripted server: its dialogue
 *
 * The banner, then one command at a time: each answered from the scenario's step group
 * (templates expanded, misbehaviour acted out), the session's state kept (hello, MAIL,
 * recipients), DATA read up to its final dot. TLS and AUTH are in dmd-smtp-session-auth.c.
 * Runs on a thread of its own with the blocking DmdConn API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-conn.h"
#include "dmd-reply.h"
#include "dmd-smtp-server-private.h"

void
_dmd_smtp_session_emit_detail (DmdSmtpSession     *s,
                               DmdSmtpEventKind    kind,
                               const char         *text,
                               DmdSmtpEventDetail *detail)
{
  detail->conn = s->conn;
  _dmd_smtp_server_emit (s->server, s->id, kind, text, detail);
}

void
_dmd_smtp_session_emit (DmdSmtpSession   *s,
                        DmdSmtpEventKind  kind,
                        const char       *text)
{
  DmdSmtpEventDetail detail = { NULL };

  _dmd_smtp_session_emit_detail (s, kind, text, &detail);
}

static char *
escape_line (const char *line,
             gsize       len,
             gsize       max)
{
  g_autofree char *escaped = dmd_escape_bytes ((const guint8 *) line, MIN (len, max));

  if (len > max)
    return g_strdup_printf ("%s… (%" G_GSIZE_FORMAT " bytes)", escaped, len);
  return g_steal_pointer (&escaped);
}

/* ---- templates ---- */

static const char * const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };

static char *
format_rfc5322_date (GDateTime *now)
{
  return g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d +0000",
                          weekdays[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now));
}

static char *
random_hex (guint n)
{
  GString *s = g_string_sized_new (n);

  for (guint i = 0; i < n; i++)
    g_string_append_c (s, "0123456789ABCDEF"[g_random_int_range (0, 16)]);
  return g_string_free (s, FALSE);
}

static char *
session_server_value (DmdSmtpSession *s,
                      const char     *key,
                      const char     *fallback)
{
  const char * const groups[] = { "server", NULL };
  char *v = _dmd_smtp_scenario_dup (s->sc, groups, key);

  return v != NULL ? v : g_strdup (fallback);
}

/* Expand {hostname} {trailer_host} {client_ip} {date} {trailer} {id} {msgid} {arg} in a
 * value (bytes; may hold anything). Unknown {names} stay as written. */
static GByteArray *
session_expand (DmdSmtpSession *s,
                GBytes         *value)
{
  gsize len;
  const char *p = g_bytes_get_data (value, &len);
  const char *end = p + len;
  GByteArray *out = g_byte_array_sized_new (len + 64);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  while (p < end)
    {
      const char *close = NULL;
      g_autofree char *name = NULL;
      g_autofree char *repl = NULL;

      if (*p == '{')
        close = memchr (p, '}', end - p);
      if (close == NULL || close - p > 32)
        {
          g_byte_array_append (out, (const guint8 *) p, 1);
          p++;
          continue;
        }
      name = g_strndup (p + 1, close - p - 1);
      if (g_str_equal (name, "hostname"))
        repl = session_server_value (s, "hostname", "localhost");
      else if (g_str_equal (name, "trailer_host"))
        repl = session_server_value (s, "trailer_host", "localhost");
      else if (g_str_equal (name, "client_ip"))
        repl = g_strdup (s->client_ip);
      else if (g_str_equal (name, "date"))
        repl = format_rfc5322_date (now);
      else if (g_str_equal (name, "id"))
        repl = g_strdup (s->session_hex);
      else if (g_str_equal (name, "arg"))
        repl = g_strdup (s->arg != NULL ? s->arg : "");
      else if (g_str_equal (name, "auth_payload") && s->echo_payload != NULL)
        repl = g_strdup (s->echo_payload);
      else if (g_str_equal (name, "auth_secret") && s->echo_secret != NULL)
        repl = g_strdup (s->echo_secret);
      else if (g_str_equal (name, "msgid"))
        {
          g_autofree char *host = session_server_value (s, "trailer_host", "localhost");
          g_autofree char *a = random_hex (8);
          g_autofree char *b = random_hex (12);
          g_autofree char *lower = g_ascii_strdown (host, -1);

          repl = g_strdup_printf ("%s-0000-4000-8000-%s@%s", a, b, lower);
        }
      else if (g_str_equal (name, "trailer"))
        {
          g_autofree char *host = session_server_value (s, "trailer_host", "localhost");
          g_autofree char *iso = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
          g_autofree char *hex = random_hex (16);

          repl = g_strdup_printf ("[%s %s.%03dZ %s]", host, iso,
                                  g_date_time_get_microsecond (now) / 1000, hex);
        }

      if (repl == NULL)
        {
          g_byte_array_append (out, (const guint8 *) p, 1);
          p++;
          continue;
        }
      g_byte_array_append (out, (const guint8 *) repl, strlen (repl));
      p = close + 1;
    }
  return out;
}

/* ---- I/O helpers ---- */

static gint64
write_deadline (void)
{
  return dmd_deadline_in (30);
}

static gboolean
session_write (DmdSmtpSession *s,
               const guint8   *data,
               gsize           len)
{
  g_autoptr(GError) error = NULL;

  if (len == 0)
    return TRUE;
  if (!dmd_conn_write_all (s->conn, data, len, write_deadline (), s->cancellable, &error))
    {
      g_debug ("smtp-server: session %u: write failed: %s", s->id, error->message);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup_printf ("write failed: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Sleep, but wake up at once when the server stops. FALSE when cancelled. */
gboolean
_dmd_smtp_cancellable_sleep (GCancellable *cancellable,
                             double        seconds)
{
  GPollFD pfd;

  if (seconds <= 0)
    return !g_cancellable_is_cancelled (cancellable);
  if (g_cancellable_make_pollfd (cancellable, &pfd))
    {
      g_poll (&pfd, 1, (gint) (seconds * 1000));
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  return !g_cancellable_is_cancelled (cancellable);
}

static gboolean
session_sleep (DmdSmtpSession *s,
               double          seconds)
{
  return _dmd_smtp_cancellable_sleep (s->cancellable, seconds);
}

/* Read one client line. NULL at EOF, timeout, cancel (close_reason set). Over-long lines are
 * returned as "" with *too_long set (the connection stays usable). */
char *
_dmd_smtp_session_read_line (DmdSmtpSession *s,
                             double          timeout,
                             gsize          *len,
                             gboolean       *too_long)
{
  g_autoptr(GError) error = NULL;
  char *line = NULL;

  *too_long = FALSE;
  if (dmd_conn_read_line (s->conn, &line, len, dmd_deadline_in (timeout), s->cancellable,
                          &error))
    return line;

  if (g_error_matches (error, DMD_CONN_ERROR, DMD_CONN_ERROR_LINE_TOO_LONG))
    {
      *too_long = TRUE;
      *len = 0;
      return g_strdup ("");
    }
  if (s->close_reason == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        s->close_reason = g_strdup ("client closed");
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        s->close_reason = g_strdup ("timeout");
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        s->close_reason = g_strdup ("server stopped");
      else
        s->close_reason = g_strdup_printf ("read failed: %s", error->message);
    }
  return NULL;
}

/* Wait for the client to give up (reading and recording what it sends). */
static void
session_stall (DmdSmtpSession *s)
{
  const char * const groups[] = { "server", NULL };
  double timeout = _dmd_smtp_scenario_number (s->sc, groups, "stall_timeout", 60);
  gint64 until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    {
      double left = (until - g_get_monotonic_time ()) / 1e6;
      gsize len;
      gboolean too_long;
      g_autofree char *line = _dmd_smtp_session_read_line (s, left, &len, &too_long);
      g_autofree char *shown = NULL;

      if (line == NULL)
        break;
      shown = escape_line (line, len, 512);
      _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_COMMAND, shown);
    }
  if (s->close_reason == NULL)
    s->close_reason = g_strdup ("stall ended");
}

/* ---- answering a step ---- */

/* Wire form of a reply text: each \n-separated line ended with CRLF (a trailing \n does not
 * add an empty line). */
static void
append_reply_lines (GByteArray       *wire,
                    const GByteArray *text)
{
  gsize start = 0;

  for (gsize i = 0; i <= text->len; i++)
    {
      if (i < text->len && text->data[i] != '\n')
        continue;
      if (i == text->len && start == i && i > 0)
        break;
      g_byte_array_append (wire, text->data + start, i - start);
      g_byte_array_append (wire, (const guint8 *) "\r\n", 2);
      start = i + 1;
    }
}

static guint
reply_code_of (const GByteArray *text)
{
  if (text->len >= 3 && g_ascii_isdigit (text->data[0]) && g_ascii_isdigit (text->data[1])
      && g_ascii_isdigit (text->data[2]))
    return (text->data[0] - '0') * 100 + (text->data[1] - '0') * 10 + (text->data[2] - '0');
  return 0;
}

static void
session_note_reply (DmdSmtpSession   *s,
                    const GByteArray *text)
{
  const guint8 *nl = memchr (text->data, '\n', text->len);
  gsize first = nl != NULL ? (gsize) (nl - text->data) : text->len;
  g_autoptr(GString) line = g_string_new_len ((const char *) text->data, first);
  g_autofree char *shown = NULL;

  /* The record keeps what this server echoed out of the credentials as a mark only. */
  if (s->echo_payload != NULL && *s->echo_payload != '\0')
    g_string_replace (line, s->echo_payload, "[echoed]", 0);
  if (s->echo_secret != NULL && *s->echo_secret != '\0')
    g_string_replace (line, s->echo_secret, "[echoed]", 0);
  shown = escape_line (line->str, line->len, 200);
  _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_REPLY, shown);
}

static gboolean
send_endless (DmdSmtpSession *s,
              guint           code)
{
  g_autoptr(GString) chunk = g_string_new (NULL);

  /* Until the client hangs up (the write fails) or the server stops; bounded anyway. */
  for (guint64 n = 0; n < 10 * 1000 * 1000; n += 64)
    {
      g_string_truncate (chunk, 0);
      for (guint i = 0; i < 64; i++)
        g_string_append_printf (chunk, "%03u-continuation line %" G_GUINT64_FORMAT
                                " of a reply that never ends\r\n", code, n + i);
      if (!session_write (s, (const guint8 *) chunk->str, chunk->len))
        return FALSE;
    }
  return FALSE;
}

static gboolean
send_long_line (DmdSmtpSession *s,
                guint           code,
                gsize           size)
{
  g_autoptr(GByteArray) line = g_byte_array_sized_new (size + 8);
  g_autofree char *prefix = g_strdup_printf ("%03u-", code);
  guint8 fill[4096];

  memset (fill, 'A', sizeof fill);
  g_byte_array_append (line, (const guint8 *) prefix, strlen (prefix));
  while (line->len < size)
    g_byte_array_append (line, fill, MIN (sizeof fill, size - line->len));
  g_byte_array_append (line, (const guint8 *) "\r\n", 2);
  return session_write (s, line->data, line->len);
}

/* Writes a reply; with trickle > 0 one byte at a time, `trickle` seconds apart: a reply that
 * never quite times out. FALSE when the session ended. */
static gboolean
session_send (DmdSmtpSession   *s,
              const GByteArray *wire,
              double            trickle)
{
  if (trickle <= 0)
    return session_write (s, wire->data, wire->len);
  for (gsize i = 0; i < wire->len; i++)
    if (!session_write (s, wire->data + i, 1) ||
        (i + 1 < wire->len && !session_sleep (s, trickle)))
      {
        if (s->close_reason == NULL)
          s->close_reason = g_strdup ("trickle ended");
        return FALSE;
      }
  return TRUE;
}

/* See dmd-smtp-server-private.h. */
DmdSmtpStep
_dmd_smtp_session_answer (DmdSmtpSession     *s,
                          const char * const *groups,
                          const char         *key,
                          guint              *code_out)
{
  DmdSmtpAction action = _dmd_smtp_scenario_action (s->sc, groups);
  double delay = _dmd_smtp_scenario_number (s->sc, groups, "delay", 0);
  double trickle = _dmd_smtp_scenario_number (s->sc, groups, "trickle", 0);
  gboolean close_after = _dmd_smtp_scenario_bool (s->sc, groups, "close_after");
  GBytes *value = NULL;
  GBytes *raw = _dmd_smtp_scenario_lookup (s->sc, groups, "raw");
  GBytes *inject = _dmd_smtp_scenario_lookup (s->sc, groups, "inject");
  g_autoptr(GByteArray) text = NULL;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  guint code;

  if (code_out != NULL)
    *code_out = 0;

  /* Only the main reply of a step is replaced by raw and misbehaviour; the "reply_no_*"
   * variants are plain answers. */
  if (!g_str_equal (key, "reply"))
    {
      action = DMD_SMTP_ACTION_REPLY;
      raw = NULL;
      inject = NULL;
      close_after = FALSE;
    }

  if (!session_sleep (s, delay))
    {
      s->close_reason = g_strdup ("server stopped");
      return DMD_SMTP_STEP_END;
    }

  if (action == DMD_SMTP_ACTION_STALL)
    {
      _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_REPLY, "(stalling: no reply)");
      session_stall (s);
      return DMD_SMTP_STEP_END;
    }
  if (action == DMD_SMTP_ACTION_CLOSE)
    {
      _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_REPLY, "(closing without a reply)");
      s->close_reason = g_strdup ("closed by scenario");
      return DMD_SMTP_STEP_END;
    }

  if (s->tls && g_str_equal (key, "reply"))
    value = _dmd_smtp_scenario_lookup (s->sc, groups, "reply_tls");
  if (value == NULL)
    value = _dmd_smtp_scenario_lookup (s->sc, groups, key);
  if (raw != NULL)
    value = raw;
  if (value == NULL)
    {
      static const char fallback[] = "451 4.3.0 Scenario has no reply for this step";

      value = g_bytes_new_static (fallback, sizeof fallback - 1);
      text = session_expand (s, value);
      g_bytes_unref (value);
    }
  else
    text = session_expand (s, value);

  code = reply_code_of (text);
  if (code_out != NULL)
    *code_out = code;

  if (raw != NULL)
    g_byte_array_append (wire, text->data, text->len);
  else
    append_reply_lines (wire, text);

  if (action == DMD_SMTP_ACTION_ENDLESS)
    {
      _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_REPLY, "(endless continuation lines)");
      send_endless (s, code != 0 ? code : 250);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("endless reply ended");
      return DMD_SMTP_STEP_END;
    }
  if (action == DMD_SMTP_ACTION_LONG_LINE)
    {
      gsize size = (gsize) _dmd_smtp_scenario_number (s->sc, groups, "long_line", 1024 * 1024);

      _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_REPLY, "(a long line first)");
      if (!send_long_line (s, code != 0 ? code : 250, size))
        return DMD_SMTP_STEP_END;
    }

  session_note_reply (s, text);

  if (action == DMD_SMTP_ACTION_CLOSE_MID_REPLY)
    {
      gsize first_len = wire->len;
      const guint8 *nl = memchr (wire->data, '\n', wire->len);
      gsize partial;

      if (nl != NULL)
        first_len = nl - wire->data;
      partial = (gsize) _dmd_smtp_scenario_number (s->sc, groups, "partial", first_len / 2);
      session_write (s, wire->data, MIN (partial, wire->len));
      s->close_reason = g_strdup ("closed mid-reply by scenario");
      return DMD_SMTP_STEP_END;
    }

  /* Injected bytes travel in the same write as the reply (as an attacker's would). */
  if (inject != NULL)
    {
      g_autoptr(GByteArray) inj = session_expand (s, inject);

      g_byte_array_append (wire, inj->data, inj->len);
    }
  if (!session_send (s, wire, trickle))
    return DMD_SMTP_STEP_END;

  if (close_after || code == 421)
    {
      s->close_reason = g_strdup (close_after ? "closed after reply by scenario"
                                              : "closed after 421");
      return DMD_SMTP_STEP_END;
    }
  return DMD_SMTP_STEP_CONTINUE;
}

static DmdSmtpStep
session_answer1 (DmdSmtpSession *s,
                 const char     *group,
                 const char     *key,
                 guint          *code_out)
{
  const char * const groups[] = { group, NULL };

  return _dmd_smtp_session_answer (s, groups, key, code_out);
}

void
_dmd_smtp_session_reset_transaction (DmdSmtpSession *s)
{
  s->have_mail = FALSE;
  s->n_rcpt = 0;
}

/* ---- commands ---- */

static char *
extract_address (const char *arg)
{
  const char *lt = strchr (arg, '<');
  const char *gt = lt != NULL ? strchr (lt, '>') : NULL;
  const char *colon;

  if (lt != NULL && gt != NULL)
    return g_strndup (lt + 1, gt - lt - 1);
  colon = strchr (arg, ':');
  if (colon != NULL)
    {
      g_autofree char *rest = g_strstrip (g_strdup (colon + 1));
      g_auto(GStrv) parts = g_strsplit (rest, " ", 2);

      return g_strdup (parts[0] != NULL ? parts[0] : "");
    }
  return g_strdup ("");
}

/* DATA: the message up to ".", dot-unstuffed, size counted, the header From noted. */
static DmdSmtpStep
session_read_message (DmdSmtpSession *s)
{
  const char * const server_groups[] = { "server", NULL };
  guint64 max = (guint64) _dmd_smtp_scenario_number (s->sc, server_groups, "max_message",
                                                     64 * 1024 * 1024);
  guint64 size = 0;
  gboolean in_headers = TRUE;
  g_autofree char *from = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  DmdSmtpEventDetail detail = { NULL, };

  for (;;)
    {
      gsize len;
      gboolean too_long;
      g_autofree char *line = _dmd_smtp_session_read_line (s, s->idle_timeout, &len, &too_long);

      if (line == NULL)
        return DMD_SMTP_STEP_END;
      if (!too_long && len == 1 && line[0] == '.')
        break;
      /* Dot-unstuffing: the size is that of the message, not of its transfer form. */
      size += (len > 0 && line[0] == '.' ? len - 1 : len) + 2;
      if (size > max)
        {
          s->close_reason = g_strdup ("message too large");
          return DMD_SMTP_STEP_END;
        }
      if (too_long)
        continue;
      if (in_headers && len == 0)
        in_headers = FALSE;
      else if (in_headers && from == NULL && g_ascii_strncasecmp (line, "From:", 5) == 0)
        from = escape_line (line + 5, len - 5, 256);
      if (in_headers && headers->len < DMD_SMTP_MAX_HEADERS)
        g_ptr_array_add (headers, g_strndup (line, MIN (len, 998)));
    }
  note = g_strdup_printf ("size=%" G_GUINT64_FORMAT " from=%s", size,
                          from != NULL ? g_strstrip (from) : "");
  detail.headers = headers;
  detail.size = size;
  _dmd_smtp_session_emit_detail (s, DMD_SMTP_EVENT_MESSAGE, note, &detail);
  return DMD_SMTP_STEP_CONTINUE;
}

static DmdSmtpStep
session_hello (DmdSmtpSession *s,
               const char     *verb)
{
  guint code = 0;
  DmdSmtpStep res = session_answer1 (s, g_str_equal (verb, "EHLO") ? "ehlo" : "helo", "reply",
                                     &code);

  if (code == 250)
    {
      s->hello = TRUE;
      _dmd_smtp_session_reset_transaction (s);
    }
  return res;
}

static DmdSmtpStep
session_starttls (DmdSmtpSession *s)
{
  guint code = 0;

  if (s->tls)
    return session_answer1 (s, "starttls", "reply", NULL);  /* reply_tls */
  if (s->server->creds == NULL)
    return session_answer1 (s, "starttls", "reply_unavailable", NULL);
  if (session_answer1 (s, "starttls", "reply", &code) == DMD_SMTP_STEP_END)
    return DMD_SMTP_STEP_END;
  if (code != 220)
    return DMD_SMTP_STEP_CONTINUE;
  return _dmd_smtp_session_start_tls (s);
}

static DmdSmtpStep
session_mail (DmdSmtpSession *s,
              const char     *arg)
{
  const char * const base[] = { "mail", NULL };
  g_autofree char *addr = NULL;
  g_autofree const char **groups = NULL;
  guint code = 0;
  DmdSmtpStep res;

  if (!s->hello)
    return _dmd_smtp_session_answer (s, base, "reply_no_hello", NULL);
  if (!s->tls && _dmd_smtp_scenario_bool (s->sc, base, "require_tls"))
    return _dmd_smtp_session_answer (s, base, "reply_no_tls", NULL);
  if (!s->authed && _dmd_smtp_scenario_bool (s->sc, base, "require_auth"))
    return _dmd_smtp_session_answer (s, base, "reply_no_auth", NULL);
  if (s->have_mail)
    return _dmd_smtp_session_answer (s, base, "reply_nested", NULL);
  addr = extract_address (arg);
  groups = _dmd_smtp_scenario_candidates (s->sc, "mail", addr);
  res = _dmd_smtp_session_answer (s, groups, "reply", &code);
  if (code / 100 == 2)
    s->have_mail = TRUE;
  return res;
}

static DmdSmtpStep
session_rcpt (DmdSmtpSession *s,
              const char     *arg)
{
  const char * const base[] = { "rcpt", NULL };
  g_autofree char *addr = NULL;
  g_autofree const char **groups = NULL;
  guint code = 0;
  DmdSmtpStep res;

  if (!s->have_mail)
    return _dmd_smtp_session_answer (s, base, "reply_no_mail", NULL);
  if (_dmd_smtp_session_client_untrusted (s) &&
      _dmd_smtp_scenario_lookup (s->sc, base, "reply_untrusted_client") != NULL)
    return _dmd_smtp_session_answer (s, base, "reply_untrusted_client", NULL);
  addr = extract_address (arg);
  groups = _dmd_smtp_scenario_candidates (s->sc, "rcpt", addr);
  res = _dmd_smtp_session_answer (s, groups, "reply", &code);
  if (code / 100 == 2)
    s->n_rcpt++;
  return res;
}

static DmdSmtpStep
session_data (DmdSmtpSession *s)
{
  guint code = 0;

  if (s->n_rcpt == 0)
    return session_answer1 (s, "data", "reply_no_rcpt", NULL);
  if (session_answer1 (s, "data", "reply", &code) == DMD_SMTP_STEP_END)
    return DMD_SMTP_STEP_END;
  if (code != 354)
    return DMD_SMTP_STEP_CONTINUE;
  if (session_read_message (s) == DMD_SMTP_STEP_END)
    return DMD_SMTP_STEP_END;
  _dmd_smtp_session_reset_transaction (s);
  return session_answer1 (s, "data-end", "reply", NULL);
}

/* Records what the client sent; for AUTH only the mechanism (the rest is a secret). */
static void
session_note_command (DmdSmtpSession *s,
                      const char     *verb,
                      const char     *arg,
                      const char     *line,
                      gsize           len)
{
  g_autofree char *shown = NULL;

  if (g_str_equal (verb, "AUTH"))
    {
      const char *sp = strchr (arg, ' ');
      g_autofree char *mech = escape_line (arg, sp != NULL ? (gsize) (sp - arg) : strlen (arg),
                                           32);

      shown = g_strdup_printf ("AUTH %s%s", mech, sp != NULL ? " [redacted]" : "");
    }
  else
    shown = escape_line (line, len, 512);
  _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_COMMAND, shown);
}

static DmdSmtpStep
session_command (DmdSmtpSession *s,
                 const char     *line,
                 gsize           len)
{
  const char *sp = memchr (line, ' ', len);
  g_autofree char *verb = g_ascii_strup (line, sp != NULL ? sp - line : (gssize) len);
  const char *arg = sp != NULL ? sp + 1 : "";

  session_note_command (s, verb, arg, line, len);

  /* After a TLS 1.0/1.1 handshake Exchange answers every command the same and hangs up. */
  if (s->legacy_tls)
    {
      session_answer1 (s, "tls", "legacy_reply", NULL);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("legacy TLS refused");
      return DMD_SMTP_STEP_END;
    }

  if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
    return session_hello (s, verb);
  if (g_str_equal (verb, "STARTTLS"))
    return session_starttls (s);
  if (g_str_equal (verb, "AUTH"))
    return _dmd_smtp_session_auth (s, arg);
  if (g_str_equal (verb, "MAIL"))
    return session_mail (s, arg);
  if (g_str_equal (verb, "RCPT"))
    return session_rcpt (s, arg);
  if (g_str_equal (verb, "DATA"))
    return session_data (s);
  if (g_str_equal (verb, "RSET"))
    {
      _dmd_smtp_session_reset_transaction (s);
      return session_answer1 (s, "rset", "reply", NULL);
    }
  if (g_str_equal (verb, "NOOP"))
    return session_answer1 (s, "noop", "reply", NULL);
  if (g_str_equal (verb, "QUIT"))
    {
      session_answer1 (s, "quit", "reply", NULL);
      if (s->close_reason == NULL)
        s->close_reason = g_strdup ("quit");
      return DMD_SMTP_STEP_END;
    }

  g_free (s->arg);
  s->arg = escape_line (verb, strlen (verb), 64);
  return session_answer1 (s, "unknown", "reply", NULL);
}

/* Wait up to `seconds` for the client's first bytes, without consuming them: TRUE when they
 * begin a TLS handshake record (0x16 0x03, or an SSL 2 style ClientHello). A client that
 * says nothing, or speaks SMTP early, gets the banner. */
static gboolean
session_sniff_tls (DmdSmtpSession *s,
                   double          seconds)
{
  GSocket *sock = dmd_conn_get_socket (s->conn);
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  if (seconds <= 0)
    return FALSE;
  for (;;)
    {
      guint8 head[3] = { 0, };
      GInputVector vec = { head, sizeof head };
      gint flags = G_SOCKET_MSG_PEEK;
      gint64 remaining = until - g_get_monotonic_time ();
      gssize n;

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (sock, G_IO_IN, remaining, s->cancellable, NULL))
        return FALSE;
      n = g_socket_receive_message (sock, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);
      if (n <= 0)
        return FALSE;   /* closed, or an error the session will meet again */
      if (head[0] == 0x16)
        {
          if (n >= 2)
            return head[1] == 0x03;
        }
      else if ((head[0] & 0x80) != 0)
        {
          if (n >= 3)
            return head[2] == 0x01;
        }
      else
        return FALSE;
      /* Only part of the record header so far: wait for the rest. */
      g_usleep (10 * 1000);
    }
}

static void
session_run (DmdSmtpSession *s)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (s->socket, NULL);
  g_autofree char *peer = NULL;
  g_autofree char *public_ip = NULL;
  const char * const server_groups[] = { "server", NULL };
  const char * const tls_groups[] = { "tls", NULL };
  gboolean go_on = TRUE;

  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
    peer = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  else
    peer = g_strdup ("unknown");
  _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_SESSION_OPEN, peer);

  public_ip = _dmd_smtp_scenario_dup (s->sc, server_groups, "public_ip");
  s->client_ip = g_strdup (public_ip != NULL && *public_ip != '\0' ? public_ip : peer);
  s->session_hex = random_hex (16);
  s->idle_timeout = _dmd_smtp_scenario_number (s->sc, server_groups, "idle_timeout", 30);
  s->conn = dmd_conn_new_for_socket (s->socket);

  /* Implicit TLS (port 465 style): the handshake comes before the banner. With
   * detect_implicit, only when the client's first bytes are a TLS handshake. */
  if (s->server->creds != NULL &&
      (_dmd_smtp_scenario_bool (s->sc, tls_groups, "implicit") ||
       session_sniff_tls (s, _dmd_smtp_scenario_number (s->sc, tls_groups, "detect_implicit", 0))))
    {
      s->implicit_tls = TRUE;
      go_on = _dmd_smtp_session_start_tls (s) == DMD_SMTP_STEP_CONTINUE;
    }

  if (go_on && session_answer1 (s, "banner", "reply", NULL) == DMD_SMTP_STEP_CONTINUE)
    {
      for (;;)
        {
          gsize len;
          gboolean too_long;
          g_autofree char *line = _dmd_smtp_session_read_line (s, s->idle_timeout, &len, &too_long);

          if (line == NULL)
            break;
          if (too_long)
            {
              static const char reply[] = "500 5.5.2 Line too long\r\n";

              _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_COMMAND, "(line too long)");
              if (!session_write (s, (const guint8 *) reply, sizeof reply - 1))
                break;
              continue;
            }
          if (session_command (s, line, len) == DMD_SMTP_STEP_END)
            break;
        }
    }

  dmd_conn_close (s->conn);
  _dmd_smtp_session_emit (s, DMD_SMTP_EVENT_SESSION_CLOSE,
                          s->close_reason != NULL ? s->close_reason : "closed");
}

gpointer
_dmd_smtp_session_thread (gpointer data)
{
  DmdSmtpSession *s = data;

  session_run (s);
  g_atomic_int_set (&s->done, 1);
  return NULL;
}

void
_dmd_smtp_session_free (DmdSmtpSession *s)
{
  if (s->thread != NULL)
    g_thread_join (s->thread);
  g_clear_pointer (&s->conn, dmd_conn_free);
  g_clear_object (&s->socket);
  dmd_smtp_scenario_unref (s->sc);
  g_free (s->client_ip);
  g_free (s->session_hex);
  _dmd_smtp_session_clear_echo (s);
  g_free (s->arg);
  g_free (s->close_reason);
  g_free (s->client_cert);
  g_free (s);
}
