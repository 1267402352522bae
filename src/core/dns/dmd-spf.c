/* dmd-spf.c — an RFC 7208 subset: does this record authorise this IP?
 *
 * The evaluation (check_host(), with the lookup limits), and the walk of the whole
 * include/redirect tree for Microsoft's include, the worst-case lookups and loops. The
 * record's syntax is in dmd-spf-parse.c, the spf check's findings in dmd-spf-check.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-dns-private.h"
#include "dmd-spf-private.h"

#define MAX_MX_HOSTS     10
#define MAX_DEPTH        12   /* the lookup limit ends recursion first; this is a safety net */
#define MAX_WALK_FETCHES 40

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  GResolver    *resolver;
  gint64        deadline;
  GCancellable *cancellable;
  GInetAddress *ip;            /* NULL: walk only */
  char         *sender_local;
  char         *sender_domain;
  GHashTable   *txt;           /* domain → DmdDnsAnswer* (TXT) */
  guint         lookups;
  guint         void_lookups;
  char         *problem;       /* the first error, translated */
  gboolean      cancelled;
} Eval;

typedef enum {
  FETCH_ONE,
  FETCH_NONE,
  FETCH_MANY,
  FETCH_TEMP,
  FETCH_CANCELLED,
} FetchStatus;

static char *
normalise_domain (const char *name)
{
  g_autofree char *ascii = g_hostname_to_ascii (name);

  if (ascii == NULL)
    return g_ascii_strdown (name, -1);
  return _dmd_dns_normalise_host (ascii);
}

/* A name worth asking for: labels of 1–63 octets, at most 253 in all, two labels or more. */
static gboolean
domain_valid (const char *name)
{
  g_auto(GStrv) labels = NULL;
  guint n;

  if (name == NULL || *name == '\0' || strlen (name) > 253)
    return FALSE;
  labels = g_strsplit (name, ".", -1);
  n = g_strv_length (labels);
  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (*labels[i] == '\0' || strlen (labels[i]) > 63)
      return FALSE;
  return TRUE;
}

static void
set_problem (Eval       *ev,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
set_problem (Eval       *ev,
             const char *format,
             ...)
{
  va_list args;

  if (ev->problem != NULL)
    return;
  va_start (args, format);
  ev->problem = g_strdup_vprintf (format, args);
  va_end (args);
}

static const char *
failure_words (const DmdDnsAnswer *answer)
{
  if (answer->status == DMD_DNS_STATUS_TIMEOUT)
    return _("no answer before the deadline");
  return answer->error != NULL ? answer->error : _("the DNS server failed");
}

/* The "v=spf1" records of domain, through the cache. *records borrowed from the cache. */
static FetchStatus
fetch_spf (Eval        *ev,
           const char  *domain,
           GPtrArray  **records)
{
  DmdDnsAnswer *answer = g_hash_table_lookup (ev->txt, domain);
  GPtrArray *found = g_ptr_array_new ();

  *records = NULL;
  if (answer == NULL)
    {
      answer = dmd_dns_query (ev->resolver, domain, DMD_DNS_QUERY_TXT, ev->deadline,
                              ev->cancellable);
      g_hash_table_insert (ev->txt, g_strdup (domain), answer);
    }
  switch (answer->status)
    {
    case DMD_DNS_STATUS_CANCELLED:
      ev->cancelled = TRUE;
      g_ptr_array_unref (found);
      return FETCH_CANCELLED;
    case DMD_DNS_STATUS_TIMEOUT:
    case DMD_DNS_STATUS_FAILED:
    case DMD_DNS_STATUS_PENDING:
      {
        g_autofree char *shown = dmd_dns_escape_text (domain, 255);
        g_autofree char *why = dmd_dns_escape_text (failure_words (answer), 200);

        set_problem (ev, _("the TXT lookup of %s failed: %s"), shown, why);
      }
      g_ptr_array_unref (found);
      return FETCH_TEMP;
    case DMD_DNS_STATUS_NOT_FOUND:
      g_ptr_array_unref (found);
      return FETCH_NONE;
    case DMD_DNS_STATUS_OK:
    default:
      break;
    }
  for (guint i = 0; i < answer->txt->len; i++)
    if (_dmd_spf_is_record (g_ptr_array_index (answer->txt, i)))
      g_ptr_array_add (found, g_ptr_array_index (answer->txt, i));
  *records = found;
  if (found->len == 0)
    return FETCH_NONE;
  return found->len == 1 ? FETCH_ONE : FETCH_MANY;
}

static char *
ip_for_macro (GInetAddress *ip)
{
  GString *out;
  const guint8 *bytes;

  if (ip == NULL)
    return g_strdup ("0.0.0.0");
  if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV4)
    return g_inet_address_to_string (ip);
  bytes = g_inet_address_to_bytes (ip);
  out = g_string_new (NULL);
  for (guint i = 0; i < 16; i++)
    g_string_append_printf (out, "%s%x.%x", i > 0 ? "." : "", bytes[i] >> 4, bytes[i] & 0xF);
  return g_string_free (out, FALSE);
}

/* Expand the macros of a domain-spec (validated by the parser). */
static char *
expand (Eval       *ev,
        const char *spec,
        const char *domain)
{
  GString *out = g_string_new (NULL);

  for (const char *p = spec; *p != '\0'; p++)
    {
      char letter;
      g_autofree char *value = NULL;
      guint digits = 0;
      gboolean reverse = FALSE, upper;
      g_autoptr(GString) delimiters = g_string_new (NULL);
      g_auto(GStrv) parts = NULL;
      guint n, first;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          g_string_append_c (out, '%');
          continue;
        }
      if (*p == '_')
        {
          g_string_append_c (out, ' ');
          continue;
        }
      if (*p == '-')
        {
          g_string_append (out, "%20");
          continue;
        }
      p++;                      /* '{' */
      upper = g_ascii_isupper (*p);
      letter = g_ascii_tolower (*p++);
      while (g_ascii_isdigit (*p))
        {
          digits = MIN (digits * 10 + (guint) (*p - '0'), 1000);
          p++;
        }
      if (*p == 'r' || *p == 'R')
        {
          reverse = TRUE;
          p++;
        }
      while (*p != '}')
        g_string_append_c (delimiters, *p++);

      switch (letter)
        {
        case 's': value = g_strdup_printf ("%s@%s", ev->sender_local, ev->sender_domain); break;
        case 'l': value = g_strdup (ev->sender_local); break;
        case 'o': value = g_strdup (ev->sender_domain); break;
        case 'd': value = g_strdup (domain); break;
        case 'i': value = ip_for_macro (ev->ip); break;
        case 'p': value = g_strdup ("unknown"); break;
        case 'v':
          value = g_strdup (ev->ip != NULL
                            && g_inet_address_get_family (ev->ip) == G_SOCKET_FAMILY_IPV6
                            ? "ip6" : "in-addr");
          break;
        case 'h': value = g_strdup (ev->sender_domain); break;
        default:  value = g_strdup (""); break;
        }

      parts = g_strsplit_set (value, delimiters->len > 0 ? delimiters->str : ".", -1);
      n = g_strv_length (parts);
      if (reverse)
        for (guint i = 0; i < n / 2; i++)
          {
            char *tmp = parts[i];

            parts[i] = parts[n - 1 - i];
            parts[n - 1 - i] = tmp;
          }
      first = digits > 0 && digits < n ? n - digits : 0;
      for (guint i = first; i < n; i++)
        {
          if (i > first)
            g_string_append_c (out, '.');
          if (upper)
            {
              g_autofree char *escaped = g_uri_escape_string (parts[i], NULL, FALSE);

              g_string_append (out, escaped);
            }
          else
            g_string_append (out, parts[i]);
        }
    }

  /* RFC 7208 §7.3: drop labels from the left until it fits. */
  while (out->len > 253)
    {
      const char *dot = strchr (out->str, '.');

      if (dot == NULL)
        break;
      g_string_erase (out, 0, (gssize) (dot - out->str + 1));
    }
  {
    char *result = normalise_domain (out->str);

    g_string_free (out, TRUE);
    return result;
  }
}

static DmdSpfResult
qualifier_result (char qualifier)
{
  switch (qualifier)
    {
    case '-': return DMD_SPF_FAIL;
    case '~': return DMD_SPF_SOFTFAIL;
    case '?': return DMD_SPF_NEUTRAL;
    case '+':
    default:  return DMD_SPF_PASS;
    }
}

/* Count a DNS-querying term; FALSE (permerror set) past the limit. */
static gboolean
count_lookup (Eval *ev)
{
  if (++ev->lookups > DMD_SPF_MAX_LOOKUPS)
    {
      set_problem (ev, _("more than %u DNS lookups (include, a, mx, ptr, exists, redirect): "
                         "receivers stop at %u"),
                   DMD_SPF_MAX_LOOKUPS, DMD_SPF_MAX_LOOKUPS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
count_void (Eval *ev)
{
  if (++ev->void_lookups > DMD_SPF_MAX_VOID_LOOKUPS)
    {
      set_problem (ev, _("more than %u DNS lookups found nothing (void lookups)"),
                   DMD_SPF_MAX_VOID_LOOKUPS);
      return FALSE;
    }
  return TRUE;
}

static DmdDnsQueryType
address_query_type (Eval *ev)
{
  return g_inet_address_get_family (ev->ip) == G_SOCKET_FAMILY_IPV4 ? DMD_DNS_QUERY_A
                                                                    : DMD_DNS_QUERY_AAAA;
}

static gboolean
addresses_match (Eval               *ev,
                 const DmdDnsAnswer *answer,
                 const DmdSpfTerm   *term)
{
  guint prefix = g_inet_address_get_family (ev->ip) == G_SOCKET_FAMILY_IPV4 ? term->cidr4
                                                                            : term->cidr6;

  for (guint i = 0; answer->addresses != NULL && i < answer->addresses->len; i++)
    if (dmd_inet_address_in_network (ev->ip, g_ptr_array_index (answer->addresses, i), prefix))
      return TRUE;
  return FALSE;
}

/* A DNS answer that is neither data nor "nothing there": temperror (or cancelled). */
static DmdSpfResult
answer_error (Eval               *ev,
              const DmdDnsAnswer *answer)
{
  if (answer->status == DMD_DNS_STATUS_CANCELLED)
    {
      ev->cancelled = TRUE;
      return DMD_SPF_TEMPERROR;
    }
  {
    g_autofree char *shown = dmd_dns_escape_text (answer->name, 255);
    g_autofree char *why = dmd_dns_escape_text (failure_words (answer), 200);

    set_problem (ev, _("the %s lookup of %s failed: %s"),
                 dmd_dns_query_type_to_string (answer->type), shown, why);
  }
  return DMD_SPF_TEMPERROR;
}

/* Result of one mechanism: -1 no match, 1 match, or an error result (TEMPERROR/PERMERROR). */
#define NO_MATCH -1
#define MATCH     1

static int
match_a (Eval             *ev,
         const DmdSpfTerm *term,
         const char       *target)
{
  g_autoptr(DmdDnsAnswer) answer = NULL;

  if (!domain_valid (target))
    return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
  answer = dmd_dns_query (ev->resolver, target, address_query_type (ev), ev->deadline,
                          ev->cancellable);
  switch (answer->status)
    {
    case DMD_DNS_STATUS_OK:
      return addresses_match (ev, answer, term) ? MATCH : NO_MATCH;
    case DMD_DNS_STATUS_NOT_FOUND:
      return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
    default:
      return answer_error (ev, answer);
    }
}

static int
match_mx (Eval             *ev,
          const DmdSpfTerm *term,
          const char       *target)
{
  g_autoptr(DmdDnsAnswer) answer = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  DmdDnsAnswer *failed = NULL;

  if (!domain_valid (target))
    return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
  answer = dmd_dns_query (ev->resolver, target, DMD_DNS_QUERY_MX, ev->deadline, ev->cancellable);
  if (answer->status == DMD_DNS_STATUS_NOT_FOUND)
    return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
  if (answer->status != DMD_DNS_STATUS_OK)
    return answer_error (ev, answer);

  hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_dns_answer_free);
  for (guint i = 0; i < answer->mx->len; i++)
    {
      DmdDnsMxRecord *mx = g_ptr_array_index (answer->mx, i);

      if (*mx->host == '\0')
        continue;   /* null MX */
      g_ptr_array_add (hosts, dmd_dns_answer_new (mx->host, address_query_type (ev)));
    }
  if (hosts->len > MAX_MX_HOSTS)
    {
      g_autofree char *shown = dmd_dns_escape_text (target, 255);

      set_problem (ev, _("%s has more than %u MX hosts (“mx” looks up at most %u)"), shown,
                   MAX_MX_HOSTS, MAX_MX_HOSTS);
      return DMD_SPF_PERMERROR;
    }
  if (!dmd_dns_resolve_all (ev->resolver, (DmdDnsAnswer **) hosts->pdata, hosts->len,
                            ev->deadline, ev->cancellable))
    {
      ev->cancelled = TRUE;
      return DMD_SPF_TEMPERROR;
    }
  for (guint i = 0; i < hosts->len; i++)
    {
      DmdDnsAnswer *host = g_ptr_array_index (hosts, i);

      if (host->status == DMD_DNS_STATUS_OK && addresses_match (ev, host, term))
        return MATCH;
      if (host->status != DMD_DNS_STATUS_OK && host->status != DMD_DNS_STATUS_NOT_FOUND
          && failed == NULL)
        failed = host;
    }
  return failed != NULL ? (int) answer_error (ev, failed) : NO_MATCH;
}

static int
match_exists (Eval       *ev,
              const char *target)
{
  g_autoptr(DmdDnsAnswer) answer = NULL;

  if (!domain_valid (target))
    return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
  answer = dmd_dns_query (ev->resolver, target, DMD_DNS_QUERY_A, ev->deadline, ev->cancellable);
  switch (answer->status)
    {
    case DMD_DNS_STATUS_OK:
      return MATCH;
    case DMD_DNS_STATUS_NOT_FOUND:
      return count_void (ev) ? NO_MATCH : DMD_SPF_PERMERROR;
    default:
      return answer_error (ev, answer);
    }
}

static DmdSpfResult check_host (Eval        *ev,
                                const char  *domain,
                                guint        depth,
                                char       **matched,
                                char       **matched_domain);

static int
match_include (Eval              *ev,
               const DmdSpfTerm  *term,
               const char        *target,
               guint              depth,
               char             **matched,
               char             **matched_domain)
{
  g_autofree char *inner = NULL;
  g_autofree char *inner_domain = NULL;
  DmdSpfResult result = check_host (ev, target, depth + 1, &inner, &inner_domain);

  switch (result)
    {
    case DMD_SPF_PASS:
      *matched = g_strdup_printf ("%s > %s", term->text, inner != NULL ? inner : "?");
      *matched_domain = g_steal_pointer (&inner_domain);
      return MATCH;
    case DMD_SPF_FAIL:
    case DMD_SPF_SOFTFAIL:
    case DMD_SPF_NEUTRAL:
      return NO_MATCH;
    case DMD_SPF_NONE:
      {
        g_autofree char *shown = dmd_dns_escape_text (target, 255);

        set_problem (ev, _("include:%s points to a domain without an SPF record"), shown);
      }
      return DMD_SPF_PERMERROR;
    case DMD_SPF_TEMPERROR:
    case DMD_SPF_PERMERROR:
    default:
      return result;
    }
}

static DmdSpfResult
check_host (Eval        *ev,
            const char  *domain,
            guint        depth,
            char       **matched,
            char       **matched_domain)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(DmdSpfRecord) record = NULL;
  g_autofree char *why = NULL;
  FetchStatus fetched;

  *matched = NULL;
  *matched_domain = NULL;

  if (depth > MAX_DEPTH)
    {
      set_problem (ev, _("includes nested too deeply"));
      return DMD_SPF_PERMERROR;
    }
  if (!domain_valid (domain))
    return DMD_SPF_NONE;

  fetched = fetch_spf (ev, domain, &records);
  switch (fetched)
    {
    case FETCH_CANCELLED:
    case FETCH_TEMP:
      return DMD_SPF_TEMPERROR;
    case FETCH_NONE:
      return DMD_SPF_NONE;
    case FETCH_MANY:
      {
        g_autofree char *shown = dmd_dns_escape_text (domain, 255);

        set_problem (ev, _("%s has %u SPF records; there must be one"), shown, records->len);
      }
      return DMD_SPF_PERMERROR;
    case FETCH_ONE:
    default:
      break;
    }

  record = _dmd_spf_record_parse (g_ptr_array_index (records, 0), &why);
  if (record == NULL)
    {
      g_autofree char *shown = dmd_dns_escape_text (domain, 255);
      g_autofree char *shown_why = dmd_dns_escape_text (why, 200);

      set_problem (ev, _("syntax error in the SPF record of %s: %s"), shown, shown_why);
      return DMD_SPF_PERMERROR;
    }

  for (guint i = 0; i < record->terms->len; i++)
    {
      DmdSpfTerm *term = g_ptr_array_index (record->terms, i);
      g_autofree char *target = NULL;
      int m = NO_MATCH;

      if (_dmd_spf_is_lookup_term (term->kind) && !count_lookup (ev))
        return DMD_SPF_PERMERROR;
      if (_dmd_spf_is_lookup_term (term->kind))
        target = expand (ev, term->spec != NULL ? term->spec : domain, domain);

      switch (term->kind)
        {
        case DMD_SPF_MECH_ALL:
          m = MATCH;
          break;
        case DMD_SPF_MECH_IP4:
          m = dmd_inet_address_in_network (ev->ip, term->network, term->cidr4) ? MATCH : NO_MATCH;
          break;
        case DMD_SPF_MECH_IP6:
          m = dmd_inet_address_in_network (ev->ip, term->network, term->cidr6) ? MATCH : NO_MATCH;
          break;
        case DMD_SPF_MECH_A:
          m = match_a (ev, term, target);
          break;
        case DMD_SPF_MECH_MX:
          m = match_mx (ev, term, target);
          break;
        case DMD_SPF_MECH_PTR:
          m = NO_MATCH;   /* deprecated (RFC 7208 §5.5): counted, never evaluated */
          break;
        case DMD_SPF_MECH_EXISTS:
          m = match_exists (ev, target);
          break;
        case DMD_SPF_MECH_INCLUDE:
          m = match_include (ev, term, target, depth, matched, matched_domain);
          break;
        default:
          g_assert_not_reached ();
        }

      if (m == MATCH)
        {
          if (*matched == NULL)
            {
              *matched = g_strdup (term->text);
              *matched_domain = g_strdup (domain);
            }
          return qualifier_result (term->qualifier);
        }
      if (m != NO_MATCH)
        return (DmdSpfResult) m;
    }

  if (record->redirect != NULL && !record->has_all)
    {
      g_autofree char *target = NULL;
      g_autofree char *inner = NULL;
      DmdSpfResult result;

      if (!count_lookup (ev))
        return DMD_SPF_PERMERROR;
      target = expand (ev, record->redirect, domain);
      result = check_host (ev, target, depth + 1, &inner, matched_domain);
      if (result == DMD_SPF_NONE)
        {
          g_autofree char *shown = dmd_dns_escape_text (target, 255);

          set_problem (ev, _("redirect=%s points to a domain without an SPF record"), shown);
          return DMD_SPF_PERMERROR;
        }
      if (inner != NULL)
        *matched = g_strdup_printf ("redirect=%s > %s", record->redirect, inner);
      return result;
    }
  return DMD_SPF_NEUTRAL;
}

/* ------------------------------------------------------------------------------------------ */
/* The walk: Microsoft's include, the lookups of the whole tree, loops                        */

typedef struct {
  guint     lookups;
  guint     fetches;
  gboolean  complete;
  gboolean  microsoft;
  gboolean  microsoft_direct;
  char     *loop;
} Walk;

static void
note_target (Walk       *walk,
             const char *target,
             guint       depth)
{
  if (g_str_equal (target, DMD_SPF_MICROSOFT_INCLUDE))
    {
      walk->microsoft = TRUE;
      if (depth == 0)
        walk->microsoft_direct = TRUE;
    }
}

static void
walk_tree (Eval       *ev,
           Walk       *walk,
           const char *domain,
           GPtrArray  *stack)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(DmdSpfRecord) record = NULL;
  g_autofree char *why = NULL;
  guint depth = stack->len;

  if (ev->cancelled)
    {
      walk->complete = FALSE;
      return;
    }
  for (guint i = 0; i < stack->len; i++)
    if (g_str_equal (g_ptr_array_index (stack, i), domain))
      {
        if (walk->loop == NULL)
          {
            GString *path = g_string_new (NULL);

            for (guint j = i; j < stack->len; j++)
              g_string_append_printf (path, "%s > ", (const char *) g_ptr_array_index (stack, j));
            g_string_append (path, domain);
            walk->loop = g_string_free (path, FALSE);
          }
        return;
      }
  if (!domain_valid (domain))
    return;   /* the evaluation reports it */
  if (depth > MAX_DEPTH || walk->fetches >= MAX_WALK_FETCHES)
    {
      walk->complete = FALSE;
      return;
    }
  walk->fetches++;
  switch (fetch_spf (ev, domain, &records))
    {
    case FETCH_ONE:
      break;
    case FETCH_TEMP:
    case FETCH_CANCELLED:
      walk->complete = FALSE;
      return;
    case FETCH_NONE:
    case FETCH_MANY:
    default:
      return;   /* the evaluation reports it */
    }
  record = _dmd_spf_record_parse (g_ptr_array_index (records, 0), &why);
  if (record == NULL)
    return;

  g_ptr_array_add (stack, g_strdup (domain));
  for (guint i = 0; i < record->terms->len; i++)
    {
      DmdSpfTerm *term = g_ptr_array_index (record->terms, i);

      if (_dmd_spf_is_lookup_term (term->kind))
        walk->lookups++;
      if (term->kind == DMD_SPF_MECH_ALL)
        break;   /* nothing after "all" is ever looked at */
      if (term->kind == DMD_SPF_MECH_INCLUDE)
        {
          g_autofree char *target = NULL;

          if (strchr (term->spec, '%') != NULL)
            {
              walk->complete = FALSE;   /* depends on the sender or the IP */
              continue;
            }
          target = normalise_domain (term->spec);
          note_target (walk, target, depth);
          walk_tree (ev, walk, target, stack);
        }
    }
  if (record->redirect != NULL && !record->has_all)
    {
      walk->lookups++;
      if (strchr (record->redirect, '%') != NULL)
        walk->complete = FALSE;
      else
        {
          g_autofree char *target = normalise_domain (record->redirect);

          note_target (walk, target, depth);
          walk_tree (ev, walk, target, stack);
        }
    }
  g_ptr_array_remove_index (stack, stack->len - 1);
}

/* ------------------------------------------------------------------------------------------ */

void
dmd_spf_evaluation_free (DmdSpfEvaluation *evaluation)
{
  if (evaluation == NULL)
    return;
  g_free (evaluation->domain);
  g_free (evaluation->ip);
  g_free (evaluation->record);
  g_strfreev (evaluation->records);
  g_free (evaluation->mechanism);
  g_free (evaluation->mechanism_domain);
  g_free (evaluation->problem);
  g_free (evaluation->loop);
  g_free (evaluation);
}

DmdSpfEvaluation *
dmd_spf_evaluate (GResolver    *resolver,
                  const char   *domain,
                  const char   *ip,
                  const char   *sender,
                  gint64        deadline,
                  GCancellable *cancellable)
{
  DmdSpfEvaluation *res = g_new0 (DmdSpfEvaluation, 1);
  Eval ev = { 0 };
  Walk walk = { 0 };
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) stack = NULL;
  g_autoptr(GResolver) default_resolver = NULL;
  FetchStatus fetched;

  g_return_val_if_fail (domain != NULL, res);

  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();
  ev.resolver = resolver;
  ev.deadline = deadline;
  ev.cancellable = cancellable;
  ev.txt = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify) dmd_dns_answer_free);
  res->domain = normalise_domain (domain);
  if (ip != NULL)
    ev.ip = dmd_dns_parse_address (ip);
  if (sender != NULL && strchr (sender, '@') != NULL && sender[0] != '@')
    {
      const char *at = strrchr (sender, '@');

      ev.sender_local = g_strndup (sender, (gsize) (at - sender));
      ev.sender_domain = normalise_domain (at + 1);
    }
  else
    {
      ev.sender_local = g_strdup ("postmaster");
      ev.sender_domain = g_strdup (res->domain);
    }

  /* The domain's own records, for the report. */
  fetched = domain_valid (res->domain) ? fetch_spf (&ev, res->domain, &records) : FETCH_NONE;
  if (records != NULL)
    {
      res->n_records = records->len;
      res->records = g_new0 (char *, records->len + 1);
      for (guint i = 0; i < records->len; i++)
        res->records[i] = g_strdup (g_ptr_array_index (records, i));
      if (records->len > 0)
        res->record = g_strdup (records->pdata[0]);
    }
  else
    res->records = g_new0 (char *, 1);

  if (fetched == FETCH_CANCELLED)
    {
      res->cancelled = TRUE;
      res->result = DMD_SPF_TEMPERROR;
      goto out;
    }

  if (ev.ip != NULL && fetched != FETCH_NONE)
    {
      res->ip = g_inet_address_to_string (ev.ip);
      res->result = check_host (&ev, res->domain, 0, &res->mechanism, &res->mechanism_domain);
      if (res->result != DMD_SPF_PASS && res->result != DMD_SPF_FAIL &&
          res->result != DMD_SPF_SOFTFAIL && res->result != DMD_SPF_NEUTRAL)
        {
          g_clear_pointer (&res->mechanism, g_free);
          g_clear_pointer (&res->mechanism_domain, g_free);
        }
    }
  else
    {
      g_autofree char *why = NULL;

      if (ev.ip != NULL)
        res->ip = g_inet_address_to_string (ev.ip);
      switch (fetched)
        {
        case FETCH_NONE:
          res->result = DMD_SPF_NONE;
          break;
        case FETCH_TEMP:
          res->result = DMD_SPF_TEMPERROR;
          break;
        case FETCH_MANY:
          {
            g_autofree char *shown = dmd_dns_escape_text (res->domain, 255);

            set_problem (&ev, _("%s has %u SPF records; there must be one"), shown, res->n_records);
            res->result = DMD_SPF_PERMERROR;
          }
          break;
        case FETCH_ONE:
        default:
          if (!dmd_spf_record_check_syntax (res->record, &why))
            {
              g_autofree char *shown = dmd_dns_escape_text (res->domain, 255);
              g_autofree char *shown_why = dmd_dns_escape_text (why, 200);

              set_problem (&ev, _("syntax error in the SPF record of %s: %s"), shown, shown_why);
              res->result = DMD_SPF_PERMERROR;
            }
          else
            res->result = DMD_SPF_NEUTRAL;
          break;
        }
    }

  if (res->result == DMD_SPF_NONE && ev.problem == NULL)
    {
      g_autofree char *shown = dmd_dns_escape_text (res->domain, 255);

      set_problem (&ev, _("%s has no SPF record (no TXT record starting with “v=spf1”)"),
                   shown);
    }

  /* The whole tree: Microsoft's include, the lookups of the worst case, loops. */
  walk.complete = TRUE;
  stack = g_ptr_array_new_with_free_func (g_free);
  if (res->n_records == 1 && !ev.cancelled)
    walk_tree (&ev, &walk, res->domain, stack);
  else
    walk.complete = FALSE;
  res->tree_lookups = walk.lookups;
  res->tree_complete = walk.complete && !ev.cancelled;
  res->microsoft_include = walk.microsoft;
  res->microsoft_include_direct = walk.microsoft_direct;
  res->loop = g_steal_pointer (&walk.loop);

out:
  res->lookups = ev.lookups;
  res->void_lookups = ev.void_lookups;
  res->cancelled = res->cancelled || ev.cancelled || g_cancellable_is_cancelled (cancellable);
  if (res->result == DMD_SPF_NONE || res->result == DMD_SPF_TEMPERROR
      || res->result == DMD_SPF_PERMERROR)
    res->problem = g_steal_pointer (&ev.problem);
  g_free (ev.problem);
  g_clear_object (&ev.ip);
  g_free (ev.sender_local);
  g_free (ev.sender_domain);
  g_hash_table_unref (ev.txt);
  return res;
}

