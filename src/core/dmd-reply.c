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

/* Length of the unterminated tail: the bytes after the last LF (all unread bytes if none). */
static gsize
line_buffer_tail_len (DmdLineBuffer *buf)
{
  const guint8 *p = buf->data->data;
  gsize i = buf->data->len;

  while (i > buf->start && p[i - 1] != '\n')
    i--;
  return buf->data->len - i;
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

  tail = line_buffer_tail_len (buf);
  if (tail > TAIL_CAP)
    {
      static const guint8 lf = '\n';

      /* Stripping one CR still leaves MAX_LINE + 1 bytes: reported as too long. */
      g_byte_array_set_size (buf->data, buf->data->len - (tail - TAIL_CAP));
      g_byte_array_append (buf->data, &lf, 1);
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
  buf->discarding = FALSE;
}
