/* dmd-smtp-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-smtp-client.h"

struct _DmdSmtpClient
{
  DmdConn         *conn;
  double           step_timeout;
  GCancellable    *cancellable;
  DmdSmtpLineFunc  line_func;
  gpointer         user_data;
};

#define REDACTED "[redacted]"

static void
emit (DmdSmtpClient *self,
      char           dir,
      const char    *text)
{
  if (self->line_func != NULL)
    self->line_func (dir, text, self->user_data);
}

static void
emit_reply (DmdSmtpClient  *self,
            const DmdReply *reply)
{
  g_autofree char *text = dmd_reply_to_string (reply);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    emit (self, 'S', lines[i]);
}

DmdSmtpClient *
dmd_smtp_client_new (DmdConn         *conn,
                     double           step_timeout,
                     GCancellable    *cancellable,
                     DmdSmtpLineFunc  line_func,
                     gpointer         user_data)
{
  DmdSmtpClient *self;

  g_return_val_if_fail (conn != NULL, NULL);

  self = g_new0 (DmdSmtpClient, 1);
  self->conn = conn;
  self->step_timeout = step_timeout > 0 ? step_timeout : 10;
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->line_func = line_func;
  self->user_data = user_data;
  return self;
}

void
dmd_smtp_client_free (DmdSmtpClient *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->conn, dmd_conn_free);
  g_clear_object (&self->cancellable);
  g_free (self);
}

DmdConn *
dmd_smtp_client_get_conn (DmdSmtpClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->conn;
}

/* One deadline per step: computed once when the step begins, and every write and read of the
 * step (a command and its reply; the whole AUTH exchange; DATA, the message and its reply)
 * ends by it, however the server spreads its bytes. */
static gint64
step_deadline (DmdSmtpClient *self)
{
  return dmd_deadline_in (self->step_timeout);
}

static DmdReply *
read_reply (DmdSmtpClient  *self,
            gint64          deadline,
            GError        **error)
{
  DmdReply *reply;

  reply = dmd_conn_read_reply (self->conn, deadline, self->cancellable, error);
  if (reply != NULL)
    emit_reply (self, reply);
  return reply;
}

static gboolean
send_line (DmdSmtpClient  *self,
           const char     *line,
           const char     *shown,
           gint64          deadline,
           GError        **error)
{
  g_autofree char *wire = g_strconcat (line, "\r\n", NULL);
  gboolean ok;

  emit (self, 'C', shown ? shown : line);
  ok = dmd_conn_write_all (self->conn, wire, strlen (wire), deadline, self->cancellable, error);
  /* The wire form may hold a secret: wipe it before it goes back to the allocator. */
  memset (wire, 0, strlen (wire));
  return ok;
}

DmdReply *
dmd_smtp_client_read_banner (DmdSmtpClient  *self,
                             GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return read_reply (self, step_deadline (self), error);
}

DmdReply *
dmd_smtp_client_read_banner_until (DmdSmtpClient  *self,
                                   gint64          deadline,
                                   GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return read_reply (self, deadline, error);
}

static DmdReply *
command_until (DmdSmtpClient  *self,
               const char     *line,
               const char     *shown,
               gint64          deadline,
               GError        **error)
{
  if (!send_line (self, line, shown, deadline, error))
    return NULL;
  return read_reply (self, deadline, error);
}

DmdReply *
dmd_smtp_client_command (DmdSmtpClient  *self,
                         const char     *line,
                         const char     *shown,
                         GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (line != NULL, NULL);

  return command_until (self, line, shown, step_deadline (self), error);
}

DmdReply *
dmd_smtp_client_ehlo (DmdSmtpClient  *self,
                      const char     *name,
                      DmdEhlo       **ehlo,
                      GError        **error)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", name);
  DmdReply *reply;

  g_return_val_if_fail (self != NULL, NULL);

  reply = dmd_smtp_client_command (self, line, NULL, error);
  if (reply != NULL && reply->code == 250 && ehlo != NULL)
    *ehlo = dmd_ehlo_parse (reply);
  return reply;
}

GPtrArray *
dmd_smtp_client_pipeline (DmdSmtpClient      *self,
                          const char *const  *lines,
                          GError            **error)
{
  g_autoptr(GString) wire = g_string_new (NULL);
  GPtrArray *replies;
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (lines != NULL, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      emit (self, 'C', lines[i]);
      g_string_append (wire, lines[i]);
      g_string_append (wire, "\r\n");
    }

  replies = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_reply_free);
  /* Each reply is a step of its own (MAIL FROM, RCPT TO): the write belongs to the first. */
  deadline = step_deadline (self);
  if (!dmd_conn_write_all (self->conn, wire->str, wire->len, deadline, self->cancellable, error))
    return replies;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      DmdReply *reply = read_reply (self, i == 0 ? deadline : step_deadline (self), error);
      if (reply == NULL)
        break;
      g_ptr_array_add (replies, reply);
    }
  return replies;
}

static char *
b64 (const char *data,
     gsize       len)
{
  return g_base64_encode ((const guchar *) data, len);
}

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

DmdReply *
dmd_smtp_client_auth (DmdSmtpClient  *self,
                      DmdAuthMech     mech,
                      const char     *username,
                      const char     *secret,
                      GError        **error)
{
  g_autoptr(DmdReply) reply = NULL;
  char *payload = NULL;
  char *line = NULL;
  const char *user = username ? username : "";
  const char *pass = secret ? secret : "";
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);

  /* The whole exchange is one step. */
  deadline = step_deadline (self);

  switch (mech)
    {
    case DMD_AUTH_LOGIN:
      {
        /* The user name as initial response (RFC 4954) saves a round trip. */
        g_autofree char *user64 = b64 (user, strlen (user));

        line = g_strdup_printf ("AUTH LOGIN %s", user64);
        reply = command_until (self, line, "AUTH LOGIN " REDACTED, deadline, error);
        wipe_free (line);
        if (reply == NULL || reply->code != 334)
          return g_steal_pointer (&reply);
        g_clear_pointer (&reply, dmd_reply_free);
        payload = b64 (pass, strlen (pass));
        reply = command_until (self, payload, REDACTED, deadline, error);
        wipe_free (payload);
        return g_steal_pointer (&reply);
      }

    case DMD_AUTH_PLAIN:
      {
        gsize ulen = strlen (user), plen = strlen (pass);
        char *raw = g_malloc0 (ulen + plen + 3);

        /* authzid (empty) NUL authcid NUL passwd */
        memcpy (raw + 1, user, ulen);
        memcpy (raw + 2 + ulen, pass, plen);
        payload = b64 (raw, ulen + plen + 2);
        memset (raw, 0, ulen + plen + 2);
        g_free (raw);
        line = g_strdup_printf ("AUTH PLAIN %s", payload);
        wipe_free (payload);
        reply = command_until (self, line, "AUTH PLAIN " REDACTED, deadline, error);
        wipe_free (line);
        return g_steal_pointer (&reply);
      }

    case DMD_AUTH_XOAUTH2:
      {
        char *raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", user, pass);

        payload = b64 (raw, strlen (raw));
        wipe_free (raw);
        line = g_strdup_printf ("AUTH XOAUTH2 %s", payload);
        wipe_free (payload);
        reply = command_until (self, line, "AUTH XOAUTH2 " REDACTED, deadline, error);
        wipe_free (line);
        /* On failure the server sends a 334 with a JSON error; answer with an empty line. */
        if (reply != NULL && reply->code == 334)
          {
            g_clear_pointer (&reply, dmd_reply_free);
            reply = command_until (self, "", NULL, deadline, error);
          }
        return g_steal_pointer (&reply);
      }

    case DMD_AUTH_NONE:
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
dmd_smtp_dot_stuff (const char *message)
{
  GString *out = g_string_new (NULL);
  const char *p = message;

  while (*p != '\0')
    {
      const char *eol = strchr (p, '\n');
      gsize len = eol ? (gsize) (eol - p) : strlen (p);

      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (*p == '.')
        g_string_append_c (out, '.');
      g_string_append_len (out, p, len);
      g_string_append (out, "\r\n");
      if (eol == NULL)
        break;
      p = eol + 1;
    }
  g_string_append (out, ".\r\n");
  return g_string_free (out, FALSE);
}

DmdReply *
dmd_smtp_client_data (DmdSmtpClient  *self,
                      const char     *message,
                      GError        **error)
{
  g_autoptr(DmdReply) reply = NULL;
  g_autofree char *stuffed = NULL;
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  /* DATA, the message and the reply after it are one step. */
  deadline = step_deadline (self);
  reply = command_until (self, "DATA", NULL, deadline, error);
  if (reply == NULL || reply->code != 354)
    return g_steal_pointer (&reply);
  g_clear_pointer (&reply, dmd_reply_free);

  stuffed = dmd_smtp_dot_stuff (message);
  {
    g_autofree char *note = g_strdup_printf ("[message: %" G_GSIZE_FORMAT " bytes]", strlen (stuffed));
    emit (self, 'C', note);
  }
  if (!dmd_conn_write_all (self->conn, stuffed, strlen (stuffed), deadline, self->cancellable,
                           error))
    return NULL;
  emit (self, 'C', ".");
  return read_reply (self, deadline, error);
}

void
dmd_smtp_client_quit (DmdSmtpClient *self)
{
  g_autoptr(DmdReply) reply = NULL;
  double saved;

  g_return_if_fail (self != NULL);

  /* Bounded: a server that never answers QUIT must not hold the run. */
  saved = self->step_timeout;
  self->step_timeout = MIN (saved, 2.0);
  reply = dmd_smtp_client_command (self, "QUIT", NULL, NULL);
  self->step_timeout = saved;
  dmd_conn_close (self->conn);
}

char *
dmd_smtp_build_test_message (const char *from,
                             const char *to,
                             GDateTime  *now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *date = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *id_domain = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  const char *at;

  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  local = now ? g_date_time_ref (now) : g_date_time_new_now_local ();
  utc = g_date_time_to_utc (local);
  /* RFC 5322 date, in English whatever the locale. */
  {
    static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    gint64 offset = g_date_time_get_utc_offset (local) / G_TIME_SPAN_MINUTE;
    date = g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d %c%02d%02d",
                            days[g_date_time_get_day_of_week (local) - 1],
                            g_date_time_get_day_of_month (local),
                            months[g_date_time_get_month (local) - 1],
                            g_date_time_get_year (local),
                            g_date_time_get_hour (local),
                            g_date_time_get_minute (local),
                            g_date_time_get_second (local),
                            offset < 0 ? '-' : '+',
                            (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
  }
  stamp = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC");
  at = strrchr (from, '@');
  id_domain = g_strdup (at && at[1] ? at + 1 : "device-mail-doctor.invalid");

  return g_strdup_printf ("Date: %s\r\n"
                          "Message-ID: <%s@%s>\r\n"
                          "From: <%s>\r\n"
                          "To: <%s>\r\n"
                          "Subject: Device Mail Doctor test message %s\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "X-Mailer: Device Mail Doctor %s\r\n"
                          "\r\n"
                          "This is a test message sent by Device Mail Doctor to check that this\r\n"
                          "device's settings can send mail through Microsoft 365.\r\n"
                          "\r\n"
                          "Sent at %s.\r\n",
                          date, uuid, id_domain, from, to, stamp, PACKAGE_VERSION, stamp);
}
