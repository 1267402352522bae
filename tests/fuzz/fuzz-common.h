/* fuzz-common.h — invariants shared by the libFuzzer targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmd-reply.h"

/* Crash (so libFuzzer keeps the input) when an invariant does not hold. */
#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        fprintf (stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
        abort (); \
      } \
  } G_STMT_END

/* Whatever a reply holds is safe to print: valid UTF-8, no control character but tab. */
static inline void
fuzz_check_safe_text (const char *s)
{
  FUZZ_CHECK (s != NULL);
  FUZZ_CHECK (g_utf8_validate (s, -1, NULL));
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      FUZZ_CHECK (c >= 0x20 || c == '\t' || c == '\n');
      FUZZ_CHECK (c < 0x7F || c > 0x9F);
    }
}

static inline void
fuzz_check_reply (const DmdReply *reply)
{
  g_autofree char *wire = NULL;
  g_autofree char *text = NULL;

  FUZZ_CHECK (reply->code == 0 || (reply->code >= 200 && reply->code <= 599));
  FUZZ_CHECK (reply->lines->len <= DMD_REPLY_MAX_LINES);
  FUZZ_CHECK (reply->enh_class == 0 || reply->enh_class == 2 || reply->enh_class == 4 ||
              reply->enh_class == 5);
  FUZZ_CHECK (reply->enh_subject <= 999 && reply->enh_detail <= 999);
  FUZZ_CHECK (dmd_reply_has_enhanced (reply) == (reply->enh_class != 0));
  for (guint i = 0; i < reply->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reply->lines, i);

      fuzz_check_safe_text (line);
      FUZZ_CHECK (strchr (line, '\n') == NULL);
    }
  wire = dmd_reply_to_string (reply);
  fuzz_check_safe_text (wire);
  text = dmd_reply_text (reply);
  fuzz_check_safe_text (text);
  FUZZ_CHECK (strchr (text, '\n') == NULL);
}

static inline void
fuzz_check_ehlo (const DmdReply *reply)
{
  g_autoptr(DmdEhlo) ehlo = dmd_ehlo_parse (reply);

  FUZZ_CHECK ((ehlo != NULL) == (reply->code == 250 && reply->lines->len > 0));
  if (ehlo == NULL)
    return;
  fuzz_check_safe_text (ehlo->greeting);
  if (ehlo->public_ip != NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ehlo->public_ip);

      FUZZ_CHECK (address != NULL);
    }
  {
    gboolean login = FALSE, plain = FALSE, xoauth2 = FALSE;

    for (guint i = 0; i < ehlo->auth_mechs->len; i++)
      {
        const char *mech = g_ptr_array_index (ehlo->auth_mechs, i);
        g_autofree char *upper = g_ascii_strup (mech, -1);

        FUZZ_CHECK (*mech != '\0' && strlen (mech) <= 20);
        FUZZ_CHECK (strcmp (mech, upper) == 0);
        for (guint j = 0; j < i; j++)
          FUZZ_CHECK (strcmp (mech, g_ptr_array_index (ehlo->auth_mechs, j)) != 0);
        login |= strcmp (mech, "LOGIN") == 0;
        plain |= strcmp (mech, "PLAIN") == 0;
        xoauth2 |= strcmp (mech, "XOAUTH2") == 0;
      }
    FUZZ_CHECK (login == ehlo->auth_login);
    FUZZ_CHECK (plain == ehlo->auth_plain);
    FUZZ_CHECK (xoauth2 == ehlo->auth_xoauth2);
  }
  FUZZ_CHECK (ehlo->keywords->len < reply->lines->len);
  for (guint i = 0; i < ehlo->keywords->len; i++)
    fuzz_check_safe_text (g_ptr_array_index (ehlo->keywords, i));
}
