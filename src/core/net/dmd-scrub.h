/* dmd-scrub.h — takes the credentials out of what a server says, before it is stored
 *
 * A hostile or careless server can echo what the client sent: the base64 of AUTH LOGIN, the
 * AUTH PLAIN blob, the raw password inside a 535 text, the XOAUTH2 blob. Every line a server
 * sends goes through one scrubber (DmdConn applies it as lines are read) before it reaches
 * the transcript, the evidence of a finding or a check's summary.
 *
 * A scrubber knows each secret (password or token) with the user name it goes with, and
 * replaces every form the secret takes on the wire with "[redacted]": the secret itself; its
 * base64 alone (AUTH LOGIN) and inside a longer base64 stream at each of the three byte
 * alignments (only the characters made of the secret's bits alone, so whatever surrounds it
 * matches), in the standard and the URL-safe alphabets; the whole AUTH PLAIN and XOAUTH2
 * blobs; and each long part of a JWT-shaped token. Workers share it: a secret learnt during
 * the run (a token fetched from the identity platform) is added while others apply it, under
 * a lock; the copies of the secrets it holds are wiped when it is freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define DMD_SCRUB_REDACTED "[redacted]"

typedef struct _DmdScrubber DmdScrubber;

DmdScrubber *dmd_scrubber_new        (void);
DmdScrubber *dmd_scrubber_ref        (DmdScrubber  *scrubber);
void         dmd_scrubber_unref      (DmdScrubber  *scrubber);
/* Adds a secret (NULL or empty: nothing) and the user name it is sent with (may be NULL).
 * Thread-safe: a secret may be added while the scrubber is shared. */
void         dmd_scrubber_add_secret (DmdScrubber  *scrubber,
                                      const char   *secret,
                                      const char   *username);
gboolean     dmd_scrubber_is_empty   (const DmdScrubber *scrubber);
/* Replaces every form of every secret in data[0..len) with DMD_SCRUB_REDACTED. Returns a new
 * NUL-terminated buffer (its length in *out_len, may be NULL), or NULL when nothing matched. */
char        *dmd_scrubber_apply      (const DmdScrubber *scrubber,
                                      const char        *data,
                                      gsize              len,
                                      gsize             *out_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdScrubber, dmd_scrubber_unref)

G_END_DECLS
