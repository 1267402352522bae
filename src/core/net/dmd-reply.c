/* dmd-reply.c — the bounded line buffer, SMTP reply assembly and parsing, EHLO capabilities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-reply.h"

/* ------------------------------------------------------------------------------------------ */
/* The bounded line buffer                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Bytes live in data[start .. len). `scanned` is how far past `start` we already know there is
 * no LF, so a long line fed in small pieces costs O(n), not O(n²).
 *
 * An over-long line never occupies more than MAX_LINE + 2 bytes: when the unterminated tail
 * grows past that, it is cut there and ended with a synthetic LF (take_line then reports it as
 * DMD_LINE_TOO_LONG in its place, after the complete lines before it), and the rest of that
 * line is dropped on arrival up to and including its LF (`discarding`). Lines after it are
 * returned normally, so a caller that can go on (the capture listener inside DATA) may. */
struct _DmdLineBuffer {
  GByteArray *data;
  gsize       start;
  gsize       scanned;
  gsize       tail;        /* bytes after the last LF held (the unterminated line so far) */
  gboolean    discarding;
};

#define TAIL_CAP (DMD_REPLY_MAX_LINE + 2)

DmdLineBuffer *
dmd_line_buffer_new (void)
{
  DmdLineBuffer *buf = g_new0 (DmdLineBuffer, 1);

  buf->data = g_byte_array_sized_new (1024);
  return buf;
}

void
dmd_line_buffer_free (DmdLineBuffer *buf)
{
  if (buf == NULL)
    return;
  g_byte_array_unref (buf->data);
  g_free (buf);
}

static void
line_buffer_compact (DmdLineBuffer *buf)
{
  if (buf->start == 0)
    return;
  if (buf->start == buf->data->len)
    {
      g_byte_array_set_size (buf->data, 0);
      buf->start = 0;
      return;
    }
  /* Move the unread part down only once the consumed part is at least as large. */
  if (buf->start >= buf->data->len / 2)
    {
      g_byte_array_remove_range (buf->data, 0, buf->start);
      buf->start = 0;
    }
}

void
dmd_line_buffer_push (DmdLineBuffer *buf,
                      const guint8  *data,
                      gsize          len)
{
  gsize tail;

  g_return_if_fail (buf != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (buf->discarding)
    {
      const guint8 *lf = len > 0 ? memchr (data, '\n', len) : NULL;

      if (lf == NULL)
        return;
      buf->discarding = FALSE;
      len -= (gsize) (lf + 1 - data);
      data = lf + 1;
    }

  if (len == 0)
    return;

  line_buffer_compact (buf);
  g_byte_array_append (buf->data, data, len);

  /* Only the new bytes need looking at to know the unterminated tail's length. */
  tail = len;
  while (tail > 0 && data[tail - 1] != '\n')
    tail--;
  buf->tail = tail > 0 ? len - tail : buf->tail + len;

  if (buf->tail > TAIL_CAP)
    {
      static const guint8 lf = '\n';

      /* Stripping one CR still leaves MAX_LINE + 1 bytes: reported as too long. */
      g_byte_array_set_size (buf->data, buf->data->len - (buf->tail - TAIL_CAP));
      g_byte_array_append (buf->data, &lf, 1);
      buf->tail = 0;
      buf->discarding = TRUE;
    }
}

DmdLineStatus
dmd_line_buffer_take_line (DmdLineBuffer  *buf,
                           char          **line,
                           gsize          *len)
{
  const guint8 *p;
  const guint8 *lf;
  gsize avail;
  gsize n;

  g_return_val_if_fail (buf != NULL, DMD_LINE_NEED_MORE);
  g_return_val_if_fail (line != NULL, DMD_LINE_NEED_MORE);

  *line = NULL;
  if (len != NULL)
    *len = 0;

  p = buf->data->data + buf->start;
  avail = buf->data->len - buf->start;
  g_assert (buf->scanned <= avail);
  lf = avail > buf->scanned ? memchr (p + buf->scanned, '\n', avail - buf->scanned) : NULL;

  if (lf == NULL)
    {
      buf->scanned = avail;
      /* A line of exactly MAX_LINE bytes may still be waiting for its "\r\n": wait for it. */
      if (avail > DMD_REPLY_MAX_LINE + 1 ||
          (avail == DMD_REPLY_MAX_LINE + 1 && p[avail - 1] != '\r'))
        {
          /* Already too long: drop it, and the rest of it as it arrives. */
          g_byte_array_set_size (buf->data, 0);
          buf->start = 0;
          buf->scanned = 0;
          buf->tail = 0;
          buf->discarding = TRUE;
          return DMD_LINE_TOO_LONG;
        }
      return DMD_LINE_NEED_MORE;
    }

  n = (gsize) (lf - p);
  buf->start += n + 1;
  buf->scanned = 0;
  if (n > 0 && p[n - 1] == '\r')
    n--;

  if (n > DMD_REPLY_MAX_LINE)
    {
      line_buffer_compact (buf);
      return DMD_LINE_TOO_LONG;
    }

  *line = g_malloc (n + 1);
  memcpy (*line, p, n);
  (*line)[n] = '\0';
  if (len != NULL)
    *len = n;
  line_buffer_compact (buf);
  return DMD_LINE_OK;
}

gsize
dmd_line_buffer_pending (DmdLineBuffer *buf)
{
  g_return_val_if_fail (buf != NULL, 0);
  return buf->data->len - buf->start;
}

void
dmd_line_buffer_clear (DmdLineBuffer *buf)
{
  g_return_if_fail (buf != NULL);
  g_byte_array_set_size (buf->data, 0);
  buf->start = 0;
  buf->scanned = 0;
  buf->tail = 0;
  buf->discarding = FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* Escaping                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void
append_hex_bytes (GString      *out,
                  const guint8 *p,
                  gsize         n)
{
  static const char hex[] = "0123456789ABCDEF";

  for (gsize i = 0; i < n; i++)
    {
      char e[4] = { '\\', 'x', hex[p[i] >> 4], hex[p[i] & 0xF] };

      g_string_append_len (out, e, sizeof e);
    }
}

/* Characters that are valid UTF-8 but must not reach a terminal, a log or a report raw:
 * C1 controls (U+0080–U+009F, e.g. the 8-bit CSI) and the bidirectional overrides and
 * isolates that can make text display in another order than it reads. */
static gboolean
is_unsafe_char (gunichar c)
{
  return (c >= 0x80 && c <= 0x9F) ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) ||
         c == 0x200E || c == 0x200F || c == 0x061C;
}

char *
dmd_escape_bytes (const guint8 *data,
                  gsize         len)
{
  GString *out;
  gsize i = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new (len + 1);
  while (i < len)
    {
      guint8 b = data[i];

      if (b < 0x80)
        {
          gsize run = i;

          /* A run of printable ASCII (the common case) in one go. */
          while (run < len && ((data[run] >= 0x20 && data[run] < 0x7F) || data[run] == '\t'))
            run++;
          if (run > i)
            {
              g_string_append_len (out, (const char *) data + i, (gssize) (run - i));
              i = run;
            }
          else
            {
              append_hex_bytes (out, &b, 1);
              i++;
            }
        }
      else
        {
          gsize max = MIN (len - i, 4);
          gunichar c = g_utf8_get_char_validated ((const char *) data + i, (gssize) max);

          if (c == (gunichar) -1 || c == (gunichar) -2 || c == 0)
            {
              /* Invalid or truncated sequence: escape one byte and resynchronise. */
              append_hex_bytes (out, &b, 1);
              i++;
            }
          else
            {
              gsize n = (gsize) g_unichar_to_utf8 (c, NULL);

              if (is_unsafe_char (c))
                append_hex_bytes (out, data + i, n);
              else
                g_string_append_len (out, (const char *) data + i, (gssize) n);
              i += n;
            }
        }
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* Replies                                                                                     */
/* ------------------------------------------------------------------------------------------ */

G_DEFINE_QUARK (dmd-reply-error-quark, dmd_reply_error)

DmdReply *
dmd_reply_new (void)
{
  DmdReply *reply = g_new0 (DmdReply, 1);

  reply->lines = g_ptr_array_new_with_free_func (g_free);
  return reply;
}

void
dmd_reply_free (DmdReply *reply)
{
  if (reply == NULL)
    return;
  g_ptr_array_unref (reply->lines);
  g_free (reply);
}

gboolean
dmd_reply_has_enhanced (const DmdReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->enh_class != 0;
}

gboolean
dmd_reply_enhanced_is (const DmdReply *reply,
                       guint           klass,
                       guint           subject,
                       guint           detail)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->enh_class != 0 &&
         reply->enh_class == klass &&
         reply->enh_subject == subject &&
         reply->enh_detail == detail;
}

static gboolean
parse_number (const char *p,
              guint      *out,
              gsize      *consumed)
{
  guint v = 0;
  gsize n = 0;

  while (n < 3 && g_ascii_isdigit (p[n]))
    {
      v = v * 10 + (guint) (p[n] - '0');
      n++;
    }
  if (n == 0 || g_ascii_isdigit (p[n]))
    return FALSE;
  *out = v;
  *consumed = n;
  return TRUE;
}

gboolean
dmd_enhanced_code_parse (const char *text,
                         guint      *klass,
                         guint      *subject,
                         guint      *detail,
                         gsize      *consumed)
{
  guint c, s, d;
  gsize n, pos;

  g_return_val_if_fail (text != NULL, FALSE);

  if (text[0] != '2' && text[0] != '4' && text[0] != '5')
    return FALSE;
  c = (guint) (text[0] - '0');
  if (text[1] != '.')
    return FALSE;
  pos = 2;
  if (!parse_number (text + pos, &s, &n))
    return FALSE;
  pos += n;
  if (text[pos] != '.')
    return FALSE;
  pos++;
  if (!parse_number (text + pos, &d, &n))
    return FALSE;
  pos += n;
  if (text[pos] == '.' || g_ascii_isalnum (text[pos]))
    return FALSE;

  if (klass != NULL)
    *klass = c;
  if (subject != NULL)
    *subject = s;
  if (detail != NULL)
    *detail = d;
  if (consumed != NULL)
    *consumed = pos;
  return TRUE;
}

/* Length of the enhanced code (and the white space after it) that starts a line's text,
 * after optional white space or a '#' (bounce messages write "#5.7.1"); 0 when none. */
static gsize
enhanced_prefix_len (const char *text,
                     guint      *klass,
                     guint      *subject,
                     guint      *detail)
{
  gsize pos = 0;
  gsize n;

  while (text[pos] == ' ' || text[pos] == '\t')
    pos++;
  if (text[pos] == '#')
    pos++;
  if (!dmd_enhanced_code_parse (text + pos, klass, subject, detail, &n))
    return 0;
  pos += n;
  while (text[pos] == ' ' || text[pos] == '\t')
    pos++;
  return pos;
}

/* Take the enhanced code from the first line that starts with one. */
static void
reply_find_enhanced (DmdReply *reply)
{
  reply->enh_class = reply->enh_subject = reply->enh_detail = 0;
  for (guint i = 0; i < reply->lines->len; i++)
    {
      guint c, s, d;

      if (enhanced_prefix_len (g_ptr_array_index (reply->lines, i), &c, &s, &d) > 0)
        {
          reply->enh_class = c;
          reply->enh_subject = s;
          reply->enh_detail = d;
          return;
        }
    }
}

char *
dmd_reply_to_string (const DmdReply *reply)
{
  GString *out;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      gboolean last = i + 1 == reply->lines->len;

      if (i > 0)
        g_string_append_c (out, '\n');
      if (reply->code != 0 && last && *line == '\0')
        g_string_append_printf (out, "%03u", reply->code);
      else if (reply->code != 0)
        g_string_append_printf (out, "%03u%c", reply->code, last ? ' ' : '-');
      g_string_append (out, line);
    }
  if (reply->lines->len == 0 && reply->code != 0)
    g_string_append_printf (out, "%03u", reply->code);
  return g_string_free (out, FALSE);
}

char *
dmd_reply_text (const DmdReply *reply)
{
  GString *out;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      g_autofree char *copy = NULL;

      line += enhanced_prefix_len (line, NULL, NULL, NULL);
      copy = g_strstrip (g_strdup (line));
      if (*copy == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, copy);
    }
  return g_string_free (out, FALSE);
}

/* "NNN" at p with N digits, the first 2-5. */
static gboolean
is_reply_code (const char *p,
               gsize       len)
{
  return len >= 3 &&
         p[0] >= '2' && p[0] <= '5' &&
         g_ascii_isdigit (p[1]) &&
         g_ascii_isdigit (p[2]);
}

static guint
reply_code_value (const char *p)
{
  return (guint) ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
}

/* A short, escaped excerpt of a line for an error message. */
static char *
line_excerpt (const char *line,
              gsize       len)
{
  g_autofree char *escaped = dmd_escape_bytes ((const guint8 *) line, MIN (len, 200));

  if (g_utf8_strlen (escaped, -1) > 80 || len > 200)
    {
      g_autofree char *cut = g_utf8_substring (escaped, 0, MIN (g_utf8_strlen (escaped, -1), 80));
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&escaped);
}

/* ------------------------------------------------------------------------------------------ */
/* The reply reader                                                                            */
/* ------------------------------------------------------------------------------------------ */

struct _DmdReplyReader {
  DmdReply *reply;     /* being assembled, or complete */
  gboolean  complete;
};

DmdReplyReader *
dmd_reply_reader_new (void)
{
  return g_new0 (DmdReplyReader, 1);
}

void
dmd_reply_reader_free (DmdReplyReader *reader)
{
  if (reader == NULL)
    return;
  dmd_reply_free (reader->reply);
  g_free (reader);
}

static void
reader_reset (DmdReplyReader *reader)
{
  g_clear_pointer (&reader->reply, dmd_reply_free);
  reader->complete = FALSE;
}

gboolean
dmd_reply_reader_feed (DmdReplyReader  *reader,
                       const char      *line,
                       gsize            len,
                       GError         **error)
{
  guint code;
  gboolean last;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reader->complete)
    reader_reset (reader);

  if (!is_reply_code (line, len) ||
      (len > 3 && line[3] != '-' && line[3] != ' '))
    {
      g_autofree char *excerpt = line_excerpt (line, len);

      reader_reset (reader);
      g_set_error (error, DMD_REPLY_ERROR, DMD_REPLY_ERROR_MALFORMED,
                   _("The server sent a line that is not an SMTP reply: “%s”"), excerpt);
      return FALSE;
    }

  code = reply_code_value (line);
  last = len == 3 || line[3] == ' ';

  if (reader->reply == NULL)
    {
      reader->reply = dmd_reply_new ();
      reader->reply->code = code;
    }
  else if (reader->reply->code != code)
    {
      guint first = reader->reply->code;

      reader_reset (reader);
      g_set_error (error, DMD_REPLY_ERROR, DMD_REPLY_ERROR_MIXED_CODES,
                   _("The server mixed reply codes in one reply (%u, then %u)"), first, code);
      return FALSE;
    }

  if (reader->reply->lines->len >= DMD_REPLY_MAX_LINES)
    {
      reader_reset (reader);
      g_set_error (error, DMD_REPLY_ERROR, DMD_REPLY_ERROR_TOO_MANY_LINES,
                   _("The server sent more than %d lines in one reply"), DMD_REPLY_MAX_LINES);
      return FALSE;
    }

  g_ptr_array_add (reader->reply->lines,
                   dmd_escape_bytes ((const guint8 *) line + MIN (len, 4),
                                     len > 4 ? len - 4 : 0));
  if (!last)
    return FALSE;

  reply_find_enhanced (reader->reply);
  reader->complete = TRUE;
  return TRUE;
}

DmdReply *
dmd_reply_reader_steal (DmdReplyReader *reader)
{
  g_return_val_if_fail (reader != NULL, NULL);

  if (!reader->complete)
    return NULL;
  reader->complete = FALSE;
  return g_steal_pointer (&reader->reply);
}

/* ------------------------------------------------------------------------------------------ */
/* Pasted replies                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* Characters a transcript or a mail client puts before a server line: "<<< ", "< ", "| ",
 * "> " (quoted), "[S] ", "'", "*". */
static const char *
skip_transcript_prefix (const char *p)
{
  for (int round = 0; round < 2; round++)
    {
      while (*p != '\0' && strchr ("<>[]|:#'\"* \t", *p) != NULL)
        p++;
      /* "S: 250", "S 250", "[S] 250": a server marker. */
      if ((p[0] == 'S' || p[0] == 's') && (p[1] == ':' || p[1] == ']' || p[1] == ' '))
        p++;
      else
        break;
    }
  return p;
}

static gboolean
is_client_line (const char *p)
{
  return g_str_has_prefix (p, "C:") || g_str_has_prefix (p, "c:") ||
         g_str_has_prefix (p, ">>>") || g_str_has_prefix (p, "->") ||
         g_str_has_prefix (p, "[C]");
}

/* A basic code followed by an enhanced code somewhere in the line ("… returned '550 5.7.1 …",
 * "smtp; 550 5.7.1 …"). Returns the position of the basic code, or NULL. */
static const char *
find_embedded_code (const char *line)
{
  for (const char *p = line; *p != '\0'; p++)
    {
      const char *q;

      if (p > line && (g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '-'))
        continue;
      if (!is_reply_code (p, strnlen (p, 3)) || (p[3] != ' ' && p[3] != '-'))
        continue;
      q = p + 4;
      while (*q == ' ')
        q++;
      if (dmd_enhanced_code_parse (q, NULL, NULL, NULL, NULL))
        return p;
    }
  return NULL;
}

static void
reply_add_text (DmdReply   *reply,
                const char *text,
                gsize       len)
{
  if (reply->lines->len >= DMD_REPLY_MAX_LINES)
    return;
  g_ptr_array_add (reply->lines,
                   dmd_escape_bytes ((const guint8 *) text, MIN (len, DMD_REPLY_MAX_LINE)));
}

static gboolean
reply_is_failure (const DmdReply *reply)
{
  return reply->code >= 400 || reply->enh_class == 4 || reply->enh_class == 5;
}

DmdReply *
dmd_reply_parse_text (const char *text)
{
  g_autoptr(DmdReply) current = NULL;
  g_autoptr(DmdReply) last = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  p = text;
  while (*p != '\0')
    {
      gsize line_len = strcspn (p, "\r\n");
      g_autofree char *line = g_strndup (p, line_len);
      const char *s;
      const char *body = NULL;
      gsize body_len = 0;
      guint code = 0;
      gboolean coded = FALSE;

      p += line_len;
      while (*p == '\r' || *p == '\n')
        p++;

      g_strstrip (line);
      if (*line == '\0')
        continue;

      if (is_client_line (line))
        {
          if (current != NULL)
            {
              reply_find_enhanced (current);
              if (reply_is_failure (current))
                return g_steal_pointer (&current);
              g_clear_pointer (&last, dmd_reply_free);
              last = g_steal_pointer (&current);
            }
          continue;
        }

      s = skip_transcript_prefix (line);
      if (is_reply_code (s, strnlen (s, 3)) &&
          (s[3] == '\0' || s[3] == ' ' || s[3] == '-' || s[3] == '\t'))
        {
          code = reply_code_value (s);
          body = s[3] != '\0' ? s + 4 : s + 3;
          coded = TRUE;
        }
      else if ((s = find_embedded_code (line)) != NULL)
        {
          code = reply_code_value (s);
          body = s + 4;
          coded = TRUE;
        }
      else if (enhanced_prefix_len (s = skip_transcript_prefix (line), NULL, NULL, NULL) > 0)
        {
          body = s;
          coded = current == NULL || current->code == 0;
        }
      else
        body = line;

      while (*body == ' ' || *body == '\t')
        body++;
      body_len = strlen (body);

      /* "Remote Server returned '550 5.7.1 …'": drop the closing quote. */
      if (body != line && coded && body_len > 0 && (body[body_len - 1] == '\'' ||
                                                    body[body_len - 1] == '"'))
        {
          const char *open = strchr (line, body[body_len - 1]);

          if (open != NULL && open < body)
            body_len--;
        }

      if (coded && (current == NULL || current->code != code))
        {
          if (current != NULL)
            {
              reply_find_enhanced (current);
              if (reply_is_failure (current))
                return g_steal_pointer (&current);
              g_clear_pointer (&last, dmd_reply_free);
              last = g_steal_pointer (&current);
            }
          current = dmd_reply_new ();
          current->code = code;
        }
      else if (current == NULL)
        continue;   /* text before any code: not part of a reply */

      reply_add_text (current, body, body_len);
    }

  if (current != NULL)
    {
      reply_find_enhanced (current);
      return g_steal_pointer (&current);
    }
  return g_steal_pointer (&last);
}

/* ------------------------------------------------------------------------------------------ */
/* EHLO                                                                                        */
/* ------------------------------------------------------------------------------------------ */

char *
dmd_ehlo_extract_ip (const char *greeting)
{
  const char *p;

  g_return_val_if_fail (greeting != NULL, NULL);

  for (p = strchr (greeting, '['); p != NULL; p = strchr (p + 1, '['))
    {
      const char *end = strchr (p + 1, ']');
      g_autofree char *inner = NULL;
      g_autoptr(GInetAddress) address = NULL;
      const char *candidate;

      if (end == NULL)
        break;
      if (end - p - 1 > 64)
        continue;
      inner = g_strndup (p + 1, (gsize) (end - p - 1));
      candidate = inner;
      if (g_ascii_strncasecmp (candidate, "IPv6:", 5) == 0)
        candidate += 5;
      /* GInetAddress also parses things that are no address literal in SMTP (scope ids). */
      if (*candidate == '\0' ||
          strspn (candidate, "0123456789abcdefABCDEF:.") != strlen (candidate))
        continue;
      address = g_inet_address_new_from_string (candidate);
      if (address == NULL)
        continue;
      /* "IPv6:" must introduce an IPv6 address. */
      if (candidate != inner && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        continue;
      return g_inet_address_to_string (address);
    }
  return NULL;
}

void
dmd_ehlo_free (DmdEhlo *ehlo)
{
  if (ehlo == NULL)
    return;
  g_free (ehlo->greeting);
  g_free (ehlo->public_ip);
  g_ptr_array_unref (ehlo->auth_mechs);
  g_ptr_array_unref (ehlo->keywords);
  g_free (ehlo);
}

static gboolean
is_mech_name (const char *s)
{
  gsize n = strlen (s);

  /* RFC 4422: 1-20 characters of A-Z, 0-9, "-" and "_". */
  return n > 0 && n <= 20 &&
         strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static void
ehlo_add_mech (DmdEhlo    *ehlo,
               const char *mech)
{
  g_autofree char *upper = NULL;

  if (!is_mech_name (mech))
    return;
  upper = g_ascii_strup (mech, -1);
  for (guint i = 0; i < ehlo->auth_mechs->len; i++)
    if (strcmp (g_ptr_array_index (ehlo->auth_mechs, i), upper) == 0)
      return;

  if (strcmp (upper, "LOGIN") == 0)
    ehlo->auth_login = TRUE;
  else if (strcmp (upper, "PLAIN") == 0)
    ehlo->auth_plain = TRUE;
  else if (strcmp (upper, "XOAUTH2") == 0)
    ehlo->auth_xoauth2 = TRUE;
  g_ptr_array_add (ehlo->auth_mechs, g_steal_pointer (&upper));
}

DmdEhlo *
dmd_ehlo_parse (const DmdReply *reply)
{
  DmdEhlo *ehlo;

  g_return_val_if_fail (reply != NULL, NULL);

  if (reply->code != 250 || reply->lines->len == 0)
    return NULL;

  ehlo = g_new0 (DmdEhlo, 1);
  ehlo->auth_mechs = g_ptr_array_new_with_free_func (g_free);
  ehlo->keywords = g_ptr_array_new_with_free_func (g_free);
  ehlo->greeting = g_strdup (g_ptr_array_index (reply->lines, 0));
  ehlo->public_ip = dmd_ehlo_extract_ip (ehlo->greeting);

  for (guint i = 1; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);
      g_auto(GStrv) tokens = g_strsplit_set (line, " \t", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      const char *keyword;
      char *eq;

      for (guint t = 0; tokens[t] != NULL; t++)
        if (*tokens[t] != '\0')
          g_ptr_array_add (words, tokens[t]);
      if (words->len == 0)
        continue;
      g_ptr_array_add (ehlo->keywords, g_strdup (line));

      /* The old "AUTH=LOGIN PLAIN" form: the first mechanism sticks to the keyword. */
      keyword = g_ptr_array_index (words, 0);
      eq = strchr (keyword, '=');
      if (eq != NULL)
        {
          *eq = '\0';
          g_ptr_array_insert (words, 1, eq + 1);
        }

      if (g_ascii_strcasecmp (keyword, "STARTTLS") == 0)
        ehlo->starttls = TRUE;
      else if (g_ascii_strcasecmp (keyword, "PIPELINING") == 0)
        ehlo->pipelining = TRUE;
      else if (g_ascii_strcasecmp (keyword, "ENHANCEDSTATUSCODES") == 0)
        ehlo->enhancedstatuscodes = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SMTPUTF8") == 0)
        ehlo->smtputf8 = TRUE;
      else if (g_ascii_strcasecmp (keyword, "8BITMIME") == 0)
        ehlo->eightbitmime = TRUE;
      else if (g_ascii_strcasecmp (keyword, "CHUNKING") == 0)
        ehlo->chunking = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SIZE") == 0)
        {
          guint64 size = 0;

          if (words->len > 1 &&
              g_ascii_string_to_unsigned (g_ptr_array_index (words, 1), 10, 0, G_MAXUINT64,
                                          &size, NULL))
            ehlo->size = size;
        }
      else if (g_ascii_strcasecmp (keyword, "AUTH") == 0)
        {
          for (guint w = 1; w < words->len; w++)
            ehlo_add_mech (ehlo, g_ptr_array_index (words, w));
        }
    }
  return ehlo;
}
