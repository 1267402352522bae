/* dmd-spf-parse.c — the syntax of an SPF record (RFC 7208 §4.6, §7.1): terms, modifiers,
 * macro strings, CIDR lengths
 *
 * Pure: no DNS. The record comes from DNS, so a bad term is escaped and cut in the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-dns.h"
#include "dmd-spf-private.h"

static const char *mech_names[] = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };

static void
term_free (DmdSpfTerm *term)
{
  g_free (term->text);
  g_free (term->spec);
  g_clear_object (&term->network);
  g_free (term);
}

void
_dmd_spf_record_free (DmdSpfRecord *record)
{
  if (record == NULL)
    return;
  g_ptr_array_unref (record->terms);
  g_free (record->redirect);
  g_free (record->exp);
  g_free (record);
}

gboolean
_dmd_spf_is_lookup_term (DmdSpfMech kind)
{
  return kind == DMD_SPF_MECH_INCLUDE || kind == DMD_SPF_MECH_A || kind == DMD_SPF_MECH_MX
         || kind == DMD_SPF_MECH_PTR || kind == DMD_SPF_MECH_EXISTS;
}

gboolean
_dmd_spf_is_record (const char *text)
{
  return g_ascii_strncasecmp (text, "v=spf1", 6) == 0 && (text[6] == '\0' || text[6] == ' ');
}

/* macro-string (RFC 7208 §7.1). *ends_with_macro: the last token was a macro-expand. */
static gboolean
macro_string_valid (const char *s,
                    gboolean    exp_letters,
                    gboolean   *ends_with_macro)
{
  gboolean macro = FALSE;

  for (const char *p = s; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '%')
        {
          char letter;

          p++;
          if (*p == '%' || *p == '_' || *p == '-')
            {
              macro = TRUE;
              continue;
            }
          if (*p != '{')
            return FALSE;
          p++;
          letter = g_ascii_tolower (*p);
          if (letter == '\0' || (strchr ("slodipvh", letter) == NULL &&
                                 !(exp_letters && strchr ("crt", letter) != NULL)))
            return FALSE;
          p++;
          if (g_ascii_isdigit (*p))
            {
              guint value = 0;

              while (g_ascii_isdigit (*p))
                {
                  value = MIN (value * 10 + (guint) (*p - '0'), 1000);
                  p++;
                }
              if (value == 0)
                return FALSE;
            }
          if (*p == 'r' || *p == 'R')
            p++;
          while (*p != '\0' && strchr (".-+,/_=", *p) != NULL)
            p++;
          if (*p != '}')
            return FALSE;
          macro = TRUE;
        }
      else if (c < 0x21 || c > 0x7E)
        return FALSE;
      else
        macro = FALSE;
    }
  if (ends_with_macro != NULL)
    *ends_with_macro = macro;
  return TRUE;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static gboolean
toplabel_valid (const char *label,
                gsize       len)
{
  gboolean alpha = FALSE, hyphen = FALSE;

  if (len == 0 || !g_ascii_isalnum (label[0]) || !g_ascii_isalnum (label[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isalpha (label[i]))
        alpha = TRUE;
      else if (label[i] == '-')
        hyphen = TRUE;
      else if (!g_ascii_isdigit (label[i]))
        return FALSE;
    }
  return alpha || hyphen;
}

static gboolean
domain_spec_valid (const char *spec)
{
  gboolean macro_end = FALSE;
  gsize len;
  const char *dot;

  if (spec == NULL || *spec == '\0' || !macro_string_valid (spec, FALSE, &macro_end))
    return FALSE;
  if (macro_end)
    return TRUE;
  len = strlen (spec);
  if (spec[len - 1] == '.')
    len--;
  dot = g_strrstr_len (spec, (gssize) len, ".");
  if (dot == NULL)
    return FALSE;
  return toplabel_valid (dot + 1, len - (gsize) (dot + 1 - spec));
}

/* "/N" with no leading zero, N ≤ max. */
static gboolean
parse_cidr (const char *digits,
            guint       max,
            guint      *out)
{
  guint64 value;
  char *end = NULL;

  if (!g_ascii_isdigit (digits[0]) || (digits[0] == '0' && digits[1] != '\0'))
    return FALSE;
  value = g_ascii_strtoull (digits, &end, 10);
  if (*end != '\0' || value > max)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* Split "[:domain-spec][/n][//m]" of a and mx. */
static gboolean
parse_a_mx_args (const char *rest,
                 DmdSpfTerm *term)
{
  g_autofree char *copy = g_strdup (rest);
  char *slash;

  term->cidr4 = 32;
  term->cidr6 = 128;
  slash = g_strrstr (copy, "//");
  if (slash != NULL && strchr (slash + 2, '/') == NULL)
    {
      if (!parse_cidr (slash + 2, 128, &term->cidr6))
        return FALSE;
      *slash = '\0';
    }
  slash = strrchr (copy, '/');
  if (slash != NULL)
    {
      if (!parse_cidr (slash + 1, 32, &term->cidr4))
        return FALSE;
      *slash = '\0';
    }
  if (copy[0] == '\0')
    return TRUE;
  if (copy[0] != ':' || !domain_spec_valid (copy + 1))
    return FALSE;
  term->spec = g_strdup (copy + 1);
  return TRUE;
}

static gboolean
parse_ip_args (const char *rest,
               DmdSpfTerm *term)
{
  g_autofree char *copy = NULL;
  char *slash;
  GSocketFamily family = term->kind == DMD_SPF_MECH_IP4 ? G_SOCKET_FAMILY_IPV4
                                                        : G_SOCKET_FAMILY_IPV6;
  guint max = term->kind == DMD_SPF_MECH_IP4 ? 32 : 128;

  if (rest[0] != ':')
    return FALSE;
  copy = g_strdup (rest + 1);
  slash = strchr (copy, '/');
  if (slash != NULL)
    *slash = '\0';
  /* ip4-network is a dotted quad only; ip6-network must look like IPv6. */
  if (copy[0] == '\0' || (term->kind == DMD_SPF_MECH_IP4 && strchr (copy, ':') != NULL) ||
      (term->kind == DMD_SPF_MECH_IP6 && strchr (copy, ':') == NULL))
    return FALSE;
  term->network = g_inet_address_new_from_string (copy);
  if (term->network == NULL || g_inet_address_get_family (term->network) != family)
    return FALSE;
  term->cidr4 = term->cidr6 = max;
  if (slash != NULL
      && !parse_cidr (slash + 1, max,
                      term->kind == DMD_SPF_MECH_IP4 ? &term->cidr4 : &term->cidr6))
    return FALSE;
  return TRUE;
}

/* The message for a bad term: the term comes from DNS, so it is escaped and cut. */
static char *
bad_term (gboolean    unknown_mechanism,
          const char *word)
{
  g_autofree char *shown = dmd_dns_escape_text (word, 100);

  if (unknown_mechanism)
    return g_strdup_printf (_("unknown mechanism “%s”"), shown);
  return g_strdup_printf (_("“%s” is not valid"), shown);
}

static gboolean
parse_mechanism (const char  *word,
                 DmdSpfTerm  *term,
                 char       **error)
{
  const char *p = word;
  const char *name;
  gsize name_len;
  gboolean known = FALSE;
  const char *rest;

  term->qualifier = '+';
  if (*p != '\0' && strchr ("+-~?", *p) != NULL)
    term->qualifier = *p++;
  name = p;
  while (g_ascii_isalnum (*p))
    p++;
  name_len = (gsize) (p - name);
  rest = p;
  for (guint i = 0; i < G_N_ELEMENTS (mech_names); i++)
    if (name_len == strlen (mech_names[i])
        && g_ascii_strncasecmp (name, mech_names[i], name_len) == 0)
      {
        term->kind = (DmdSpfMech) i;
        known = TRUE;
        break;
      }
  if (!known)
    {
      *error = bad_term (TRUE, word);
      return FALSE;
    }

  switch (term->kind)
    {
    case DMD_SPF_MECH_ALL:
      if (*rest != '\0')
        goto bad;
      return TRUE;
    case DMD_SPF_MECH_INCLUDE:
    case DMD_SPF_MECH_EXISTS:
      if (rest[0] != ':' || !domain_spec_valid (rest + 1))
        goto bad;
      term->spec = g_strdup (rest + 1);
      return TRUE;
    case DMD_SPF_MECH_PTR:
      if (*rest == '\0')
        return TRUE;
      if (rest[0] != ':' || !domain_spec_valid (rest + 1))
        goto bad;
      term->spec = g_strdup (rest + 1);
      return TRUE;
    case DMD_SPF_MECH_A:
    case DMD_SPF_MECH_MX:
      if (!parse_a_mx_args (rest, term))
        goto bad;
      return TRUE;
    case DMD_SPF_MECH_IP4:
    case DMD_SPF_MECH_IP6:
      if (!parse_ip_args (rest, term))
        goto bad;
      return TRUE;
    default:
      g_assert_not_reached ();
    }

bad:
  *error = bad_term (FALSE, word);
  return FALSE;
}

DmdSpfRecord *
_dmd_spf_record_parse (const char  *text,
                       char       **error)
{
  g_autoptr(DmdSpfRecord) record = g_new0 (DmdSpfRecord, 1);
  g_auto(GStrv) words = NULL;

  record->terms = g_ptr_array_new_with_free_func ((GDestroyNotify) term_free);
  if (!_dmd_spf_is_record (text))
    {
      *error = g_strdup (_("it does not start with “v=spf1”"));
      return NULL;
    }
  words = g_strsplit (text + 6, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      const char *p = word;

      if (*word == '\0')
        continue;

      /* modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
      if (g_ascii_isalpha (*p))
        {
          while (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.')
            p++;
          if (*p == '=')
            {
              gsize name_len = (gsize) (p - word);
              const char *value = p + 1;

              if (name_len == 8 && g_ascii_strncasecmp (word, "redirect", 8) == 0)
                {
                  if (record->redirect != NULL)
                    {
                      *error = g_strdup (_("“redirect=” appears twice"));
                      return NULL;
                    }
                  if (!domain_spec_valid (value))
                    {
                      *error = bad_term (FALSE, word);
                      return NULL;
                    }
                  record->redirect = g_strdup (value);
                }
              else if (name_len == 3 && g_ascii_strncasecmp (word, "exp", 3) == 0)
                {
                  if (record->exp != NULL)
                    {
                      *error = g_strdup (_("“exp=” appears twice"));
                      return NULL;
                    }
                  if (!domain_spec_valid (value))
                    {
                      *error = bad_term (FALSE, word);
                      return NULL;
                    }
                  record->exp = g_strdup (value);
                }
              else if (!macro_string_valid (value, FALSE, NULL))
                {
                  *error = bad_term (FALSE, word);
                  return NULL;
                }
              continue;
            }
        }

      {
        DmdSpfTerm *term = g_new0 (DmdSpfTerm, 1);

        term->text = g_strdup (word);
        if (!parse_mechanism (word, term, error))
          {
            term_free (term);
            return NULL;
          }
        if (term->kind == DMD_SPF_MECH_ALL)
          record->has_all = TRUE;
        g_ptr_array_add (record->terms, term);
      }
    }
  return g_steal_pointer (&record);
}

gboolean
dmd_spf_record_check_syntax (const char  *record,
                             char       **error)
{
  g_autofree char *why = NULL;
  g_autoptr(DmdSpfRecord) parsed = NULL;

  g_return_val_if_fail (record != NULL, FALSE);

  parsed = _dmd_spf_record_parse (record, &why);
  if (parsed == NULL)
    {
      if (error != NULL)
        *error = g_steal_pointer (&why);
      return FALSE;
    }
  return TRUE;
}

const char *
dmd_spf_result_to_string (DmdSpfResult result)
{
  switch (result)
    {
    case DMD_SPF_NONE:      return "none";
    case DMD_SPF_NEUTRAL:   return "neutral";
    case DMD_SPF_PASS:      return "pass";
    case DMD_SPF_FAIL:      return "fail";
    case DMD_SPF_SOFTFAIL:  return "softfail";
    case DMD_SPF_TEMPERROR: return "temperror";
    case DMD_SPF_PERMERROR: return "permerror";
    default:                g_return_val_if_reached (NULL);
    }
}

