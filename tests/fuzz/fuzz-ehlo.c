/* fuzz-ehlo.c — libFuzzer target: an EHLO reply from a hostile server, line by line, into the
 * capability parser; and any greeting into the "Hello [IP]" extraction.
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
  g_autofree char *greeting = NULL;
  char *line;
  gsize len;
  DmdLineStatus status;

  dmd_line_buffer_push (buf, data, size);
  while ((status = dmd_line_buffer_take_line (buf, &line, &len)) != DMD_LINE_NEED_MORE)
    {
      g_autoptr(GError) error = NULL;

      if (status == DMD_LINE_TOO_LONG)
        continue;
      /* Lenient on purpose: a line that is not a reply line is made one, so the fuzzer spends
       * its time in the capability parser rather than on the reader's first check. */
      if (len < 4 || !g_ascii_isdigit (line[0]))
        {
          char *fixed = g_strdup_printf ("250-%.*s", (int) MIN (len, DMD_REPLY_MAX_LINE), line);

          g_free (line);
          line = fixed;
          len = strlen (fixed);
        }
      if (dmd_reply_reader_feed (reader, line, len, &error))
        {
          g_autoptr(DmdReply) reply = dmd_reply_reader_steal (reader);

          fuzz_check_reply (reply);
          fuzz_check_ehlo (reply);
        }
      g_free (line);
    }

  /* Greeting extraction on raw text (up to the first NUL). */
  greeting = g_strndup ((const char *) data, MIN (size, 1024));
  {
    g_autofree char *ip = dmd_ehlo_extract_ip (greeting);

    if (ip != NULL)
      {
        g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);
        g_autofree char *again = NULL;

        FUZZ_CHECK (address != NULL);
        again = g_inet_address_to_string (address);
        FUZZ_CHECK (strcmp (again, ip) == 0);
      }
  }
  return 0;
}
