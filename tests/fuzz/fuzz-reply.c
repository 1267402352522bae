/* fuzz-reply.c — libFuzzer target: bytes from a hostile server through the line buffer and
 * the reply reader, and the same bytes as text pasted by a user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(DmdLineBuffer) buf = dmd_line_buffer_new ();
  g_autoptr(DmdReplyReader) reader = dmd_reply_reader_new ();
  g_autofree char *text = NULL;
  gsize offset = 0;
  gsize chunk = 1;

  /* As the network would deliver it: in pieces of varying size, lines taken between pieces. */
  while (offset < size)
    {
      gsize n = MIN (chunk, size - offset);
      DmdLineStatus status;
      char *line;
      gsize len;

      dmd_line_buffer_push (buf, data + offset, n);
      offset += n;
      chunk = chunk * 3 % 97 + 1;

      while ((status = dmd_line_buffer_take_line (buf, &line, &len)) != DMD_LINE_NEED_MORE)
        {
          g_autoptr(GError) error = NULL;

          if (status == DMD_LINE_TOO_LONG)
            {
              FUZZ_CHECK (line == NULL);
              continue;
            }
          FUZZ_CHECK (line != NULL && len <= DMD_REPLY_MAX_LINE && line[len] == '\0');
          FUZZ_CHECK (memchr (line, '\n', len) == NULL);

          if (dmd_reply_reader_feed (reader, line, len, &error))
            {
              g_autoptr(DmdReply) reply = dmd_reply_reader_steal (reader);

              FUZZ_CHECK (error == NULL && reply != NULL);
              FUZZ_CHECK (reply->code >= 200 && reply->lines->len > 0);
              fuzz_check_reply (reply);
              fuzz_check_ehlo (reply);
            }
          else if (error != NULL)
            {
              FUZZ_CHECK (error->domain == DMD_REPLY_ERROR);
              fuzz_check_safe_text (error->message);
            }
          g_free (line);
        }
      /* Every complete line was taken: what is left is at most one line's worth. */
      FUZZ_CHECK (dmd_line_buffer_pending (buf) <= DMD_REPLY_MAX_LINE + 1);
    }

  /* The same bytes pasted by a user (up to the first NUL, as a C string would be). */
  text = g_strndup ((const char *) data, size);
  {
    g_autoptr(DmdReply) reply = dmd_reply_parse_text (text);

    if (reply != NULL)
      {
        fuzz_check_reply (reply);
        FUZZ_CHECK (reply->code != 0 || reply->enh_class != 0);
      }
  }

  /* And escaping on its own. */
  {
    g_autofree char *escaped = dmd_escape_bytes (data, size);

    fuzz_check_safe_text (escaped);
    FUZZ_CHECK (strlen (escaped) >= size && strlen (escaped) <= 4 * size);
  }
  return 0;
}
