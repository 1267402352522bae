/* dmd-scrub.c — takes the credentials out of what a server says, before it is stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dmd-scrub.h"

/* Base64 runs shorter than this are too common to redact (a 1-character core would take
 * every "A" out of a reply); the secret itself is always redacted. */
#define MIN_BASE64_FORM 4
/* A JWT's parts are base64url already: a part this long is a form of the token. */
#define MIN_TOKEN_PART  16

typedef struct {
  char  *data;
  gsize  len;
} Form;

struct _DmdScrubber {
  gatomicrefcount  ref;
  GRWLock          lock;     /* secrets learnt during a run are added while others read */
  GArray          *forms;    /* Form, longest first */
};

static void
wipe (char  *data,
      gsize  len)
{
  if (data == NULL)
    return;
  explicit_bzero (data, len);
  g_free (data);
}

static void
form_clear (gpointer data)
{
  Form *form = data;

  wipe (form->data, form->len);
  form->data = NULL;
}

DmdScrubber *
dmd_scrubber_new (void)
{
  DmdScrubber *self = g_new0 (DmdScrubber, 1);

  g_atomic_ref_count_init (&self->ref);
  g_rw_lock_init (&self->lock);
  self->forms = g_array_new (FALSE, FALSE, sizeof (Form));
  g_array_set_clear_func (self->forms, form_clear);
  return self;
}

DmdScrubber *
dmd_scrubber_ref (DmdScrubber *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
dmd_scrubber_unref (DmdScrubber *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->forms);
  g_rw_lock_clear (&self->lock);
  g_free (self);
}

/* Takes data (wiped and freed when it is not kept). */
static void
add_form (DmdScrubber *self,
          char        *data,
          gsize        len)
{
  Form form = { data, len };
  guint at = 0;

  if (len == 0)
    {
      wipe (data, len);
      return;
    }
  for (; at < self->forms->len; at++)
    {
      Form *other = &g_array_index (self->forms, Form, at);

      if (other->len == len && memcmp (other->data, data, len) == 0)
        {
          wipe (data, len);
          return;
        }
      if (other->len < len)
        break;
    }
  g_array_insert_val (self->forms, at, form);
}

static void
add_base64 (DmdScrubber *self,
            char        *encoded,
            gsize        start,
            gsize        end)
{
  if (end > start && end - start >= MIN_BASE64_FORM)
    {
      char *url = g_strndup (encoded + start, end - start);

      add_form (self, g_strndup (encoded + start, end - start), end - start);
      for (char *p = url; *p != '\0'; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
      add_form (self, url, end - start);
    }
  wipe (encoded, strlen (encoded));
}

static char *
encode (const guint8 *data,
        gsize         len)
{
  return g_base64_encode (data, len);
}

void
dmd_scrubber_add_secret (DmdScrubber *self,
                         const char  *secret,
                         const char  *username)
{
  const char *user = username != NULL ? username : "";
  gsize slen, ulen = strlen (user);

  g_return_if_fail (self != NULL);

  if (secret == NULL || *secret == '\0')
    return;
  slen = strlen (secret);
  g_rw_lock_writer_lock (&self->lock);

  /* The secret itself, and its base64 alone (AUTH LOGIN's password line). */
  add_form (self, g_strndup (secret, slen), slen);
  {
    char *whole = encode ((const guint8 *) secret, slen);
    add_base64 (self, whole, 0, strlen (whole));
  }

  /* Inside a longer base64 stream: 0, 1 or 2 bytes before it in its group of three. Only the
   * characters made of the secret's bits alone are the same whatever surrounds it. */
  for (gsize pad = 0; pad < 3; pad++)
    {
      guint8 *buf = g_malloc0 (pad + slen);
      char *encoded;

      memcpy (buf + pad, secret, slen);
      encoded = encode (buf, pad + slen);
      explicit_bzero (buf, pad + slen);
      g_free (buf);
      add_base64 (self, encoded, (pad * 8 + 5) / 6, (pad + slen) * 8 / 6);
    }

  /* The blobs as sent: AUTH PLAIN (authzid NUL authcid NUL password) and XOAUTH2. */
  {
    gsize len = ulen + slen + 2;
    guint8 *plain = g_malloc0 (len);
    char *xoauth2 = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", user, secret);
    char *encoded;

    memcpy (plain + 1, user, ulen);
    memcpy (plain + 2 + ulen, secret, slen);
    encoded = encode (plain, len);
    explicit_bzero (plain, len);
    g_free (plain);
    add_base64 (self, encoded, 0, strlen (encoded));
    encoded = encode ((const guint8 *) xoauth2, strlen (xoauth2));
    add_form (self, xoauth2, strlen (xoauth2));
    add_base64 (self, encoded, 0, strlen (encoded));
  }

  /* A JWT-shaped token: its header, payload and signature each identify it. */
  if (strchr (secret, '.') != NULL)
    {
      const char *p = secret;

      while (*p != '\0')
        {
          gsize n = strcspn (p, ".");

          if (n >= MIN_TOKEN_PART)
            add_form (self, g_strndup (p, n), n);
          p += n;
          if (*p == '.')
            p++;
        }
    }
  g_rw_lock_writer_unlock (&self->lock);
}

static gboolean
is_empty_locked (const DmdScrubber *self)
{
  return self->forms->len == 0;
}

gboolean
dmd_scrubber_is_empty (const DmdScrubber *self)
{
  DmdScrubber *mutable = (DmdScrubber *) self;
  gboolean empty;

  if (self == NULL)
    return TRUE;
  g_rw_lock_reader_lock (&mutable->lock);
  empty = is_empty_locked (self);
  g_rw_lock_reader_unlock (&mutable->lock);
  return empty;
}

char *
dmd_scrubber_apply (const DmdScrubber *self,
                    const char        *data,
                    gsize              len,
                    gsize             *out_len)
{
  DmdScrubber *mutable = (DmdScrubber *) self;
  GString *out = NULL;
  gsize copied = 0;
  gsize i = 0;

  if (out_len != NULL)
    *out_len = 0;
  if (self == NULL || data == NULL)
    return NULL;
  g_rw_lock_reader_lock (&mutable->lock);
  if (is_empty_locked (self))
    {
      g_rw_lock_reader_unlock (&mutable->lock);
      return NULL;
    }

  /* One pass, the longest form first at each position, so a blob is redacted whole and
   * nothing is matched inside a "[redacted]" already written. */
  while (i < len)
    {
      gsize matched = 0;

      for (guint f = 0; f < self->forms->len && matched == 0; f++)
        {
          const Form *form = &g_array_index (self->forms, Form, f);

          if (form->len <= len - i && memcmp (data + i, form->data, form->len) == 0)
            matched = form->len;
        }
      if (matched == 0)
        {
          i++;
          continue;
        }
      if (out == NULL)
        out = g_string_sized_new (len + sizeof DMD_SCRUB_REDACTED);
      g_string_append_len (out, data + copied, i - copied);
      g_string_append (out, DMD_SCRUB_REDACTED);
      i += matched;
      copied = i;
    }
  g_rw_lock_reader_unlock (&mutable->lock);

  if (out == NULL)
    return NULL;
  g_string_append_len (out, data + copied, len - copied);
  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (out, FALSE);
}
