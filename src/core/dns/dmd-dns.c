/* dmd-dns.c — bounded, cancellable lookups through GResolver; the connector IP (the MX in
 * dmd-dns-mx.c)
 *
 * How a blocking call stays bounded: the queries of one call form a "batch". The batch is
 * started on the private dmd-dns thread, whose thread-default GMainContext receives the
 * resolver's callbacks; the caller waits on the batch's condition variable until every query
 * has answered, the deadline passes or its cancellable fires. It then marks the batch
 * abandoned (under the batch lock) and cancels the lookups. A callback that arrives later sees
 * the mark, drops its answer on the dmd-dns thread and writes nothing: the caller's answers are
 * never touched after the call returned. The dmd-dns thread lives as long as the process; it
 * only ever runs these short callbacks, the lookups themselves run wherever the resolver runs
 * them (GThreadedResolver: GLib's thread pool).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dmd-dns-private.h"
#include "dmd-reply.h"

/* ------------------------------------------------------------------------------------------ */
/* Outcome                                                                                    */

DmdDnsFinding *
dmd_dns_finding_new (const char *id,
                     const char *evidence)
{
  DmdDnsFinding *finding = g_new0 (DmdDnsFinding, 1);

  finding->id = g_strdup (id);
  finding->evidence = g_strdup (evidence);
  return finding;
}

void
dmd_dns_finding_free (DmdDnsFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->id);
  g_free (finding->evidence);
  g_free (finding);
}

DmdDnsOutcome *
dmd_dns_outcome_new (void)
{
  DmdDnsOutcome *outcome = g_new0 (DmdDnsOutcome, 1);

  outcome->status = DMD_CHECK_PASS;
  outcome->lines = g_ptr_array_new_with_free_func (g_free);
  outcome->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_dns_finding_free);
  return outcome;
}

void
dmd_dns_outcome_free (DmdDnsOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->summary);
  g_ptr_array_unref (outcome->lines);
  g_ptr_array_unref (outcome->findings);
  g_free (outcome);
}

void
dmd_dns_outcome_add_line (DmdDnsOutcome *outcome,
                          const char    *format,
                          ...)
{
  va_list args;

  g_return_if_fail (outcome != NULL);

  va_start (args, format);
  g_ptr_array_add (outcome->lines, g_strdup_vprintf (format, args));
  va_end (args);
}

void
dmd_dns_outcome_add_finding (DmdDnsOutcome *outcome,
                             const char    *id,
                             const char    *evidence)
{
  g_return_if_fail (outcome != NULL);
  g_return_if_fail (id != NULL);

  g_ptr_array_add (outcome->findings, dmd_dns_finding_new (id, evidence));
}

gboolean
dmd_dns_outcome_has_finding (const DmdDnsOutcome *outcome,
                             const char          *id)
{
  g_return_val_if_fail (outcome != NULL, FALSE);

  for (guint i = 0; i < outcome->findings->len; i++)
    {
      const DmdDnsFinding *finding = g_ptr_array_index (outcome->findings, i);

      if (g_str_equal (finding->id, id))
        return TRUE;
    }
  return FALSE;
}

char *
dmd_dns_escape_text (const char *text,
                     guint       max_chars)
{
  g_autofree char *escaped = NULL;
  glong chars;

  if (text == NULL)
    return g_strdup ("");
  escaped = dmd_escape_bytes ((const guint8 *) text, strlen (text));
  chars = g_utf8_strlen (escaped, -1);
  if (max_chars > 0 && chars > (glong) max_chars)
    {
      g_autofree char *cut = g_utf8_substring (escaped, 0, max_chars);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&escaped);
}

/* ------------------------------------------------------------------------------------------ */
/* Answers                                                                                    */

static void
mx_record_free (DmdDnsMxRecord *record)
{
  g_free (record->host);
  g_free (record);
}

DmdDnsAnswer *
dmd_dns_answer_new (const char      *name,
                    DmdDnsQueryType  type)
{
  DmdDnsAnswer *answer = g_new0 (DmdDnsAnswer, 1);

  answer->name = g_strdup (name);
  answer->type = type;
  return answer;
}

static void
answer_clear (DmdDnsAnswer *answer)
{
  answer->status = DMD_DNS_STATUS_PENDING;
  g_clear_pointer (&answer->addresses, g_ptr_array_unref);
  g_clear_pointer (&answer->mx, g_ptr_array_unref);
  g_clear_pointer (&answer->txt, g_ptr_array_unref);
  g_clear_pointer (&answer->error, g_free);
}

void
dmd_dns_answer_free (DmdDnsAnswer *answer)
{
  if (answer == NULL)
    return;
  answer_clear (answer);
  g_free (answer->name);
  g_free (answer);
}

const char *
dmd_dns_status_to_string (DmdDnsStatus status)
{
  switch (status)
    {
    case DMD_DNS_STATUS_PENDING:   return "pending";
    case DMD_DNS_STATUS_OK:        return "ok";
    case DMD_DNS_STATUS_NOT_FOUND: return "not-found";
    case DMD_DNS_STATUS_FAILED:    return "failed";
    case DMD_DNS_STATUS_TIMEOUT:   return "timeout";
    case DMD_DNS_STATUS_CANCELLED: return "cancelled";
    default:                       g_return_val_if_reached (NULL);
    }
}

const char *
dmd_dns_query_type_to_string (DmdDnsQueryType type)
{
  switch (type)
    {
    case DMD_DNS_QUERY_ADDRESS: return "A/AAAA";
    case DMD_DNS_QUERY_A:       return "A";
    case DMD_DNS_QUERY_AAAA:    return "AAAA";
    case DMD_DNS_QUERY_MX:      return "MX";
    case DMD_DNS_QUERY_TXT:     return "TXT";
    default:                    g_return_val_if_reached (NULL);
    }
}

static int
mx_record_compare (gconstpointer a,
                   gconstpointer b)
{
  const DmdDnsMxRecord *ra = *(DmdDnsMxRecord * const *) a;
  const DmdDnsMxRecord *rb = *(DmdDnsMxRecord * const *) b;

  if (ra->preference != rb->preference)
    return ra->preference < rb->preference ? -1 : 1;
  return strcmp (ra->host, rb->host);
}

char *
_dmd_dns_normalise_host (const char *host)
{
  char *lower = g_ascii_strdown (host, -1);
  gsize len = strlen (lower);

  while (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';
  return lower;
}

/* A name we are willing to send to the resolver: ASCII (IDN converted), no empty label,
 * labels of at most 63 and the whole at most 253 octets. NULL otherwise. */
static char *
query_name (const char *name)
{
  g_autofree char *ascii = NULL;
  g_autofree char *norm = NULL;
  g_auto(GStrv) labels = NULL;

  if (name == NULL || *name == '\0')
    return NULL;
  ascii = g_hostname_to_ascii (name);
  if (ascii == NULL)
    return NULL;
  norm = _dmd_dns_normalise_host (ascii);
  if (*norm == '\0' || strlen (norm) > 253)
    return NULL;
  labels = g_strsplit (norm, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    if (*labels[i] == '\0' || strlen (labels[i]) > 63)
      return NULL;
  for (const char *p = norm; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || (guchar) *p >= 0x7F)
      return NULL;
  return g_steal_pointer (&norm);
}

/* ------------------------------------------------------------------------------------------ */
/* The dmd-dns thread                                                                         */

static GMainContext *dns_context;

static gpointer
dns_thread_func (gpointer data)
{
  GMainLoop *loop = g_main_loop_new (dns_context, FALSE);

  g_main_context_push_thread_default (dns_context);
  g_main_loop_run (loop);   /* for the life of the process */
  g_main_context_pop_thread_default (dns_context);
  g_main_loop_unref (loop);
  return NULL;
}

static GMainContext *
get_dns_context (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      dns_context = g_main_context_new ();
      g_thread_unref (g_thread_new ("dmd-dns", dns_thread_func, NULL));
      g_once_init_leave (&initialised, 1);
    }
  return dns_context;
}

/* ------------------------------------------------------------------------------------------ */
/* Batches                                                                                    */

typedef struct {
  gint             ref_count;
  GMutex           mutex;
  GCond            cond;
  guint            pending;     /* queries started and not answered */
  gboolean         abandoned;   /* the caller has returned: write nothing */
  gboolean         cancelled;   /* the caller's cancellable fired */
  GResolver       *resolver;
  GCancellable    *inner;       /* cancels the lookups once the caller has returned */
  DmdDnsAnswer   **answers;     /* the caller's: touched only under the lock, while !abandoned */
  GPtrArray       *queries;     /* Query* to start (the dmd-dns thread's copies) */
} Batch;

typedef struct {
  Batch           *batch;
  guint            index;
  char            *name;
  DmdDnsQueryType  type;
} Query;

static Batch *
batch_ref (Batch *batch)
{
  g_atomic_int_inc (&batch->ref_count);
  return batch;
}

static void
batch_unref (Batch *batch)
{
  if (!g_atomic_int_dec_and_test (&batch->ref_count))
    return;
  g_mutex_clear (&batch->mutex);
  g_cond_clear (&batch->cond);
  g_object_unref (batch->resolver);
  g_object_unref (batch->inner);
  g_ptr_array_unref (batch->queries);
  g_free (batch);
}

static void
query_free (Query *query)
{
  if (query == NULL)
    return;
  g_free (query->name);
  g_free (query);
}

static DmdDnsStatus
status_from_error (const GError *error)
{
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return DMD_DNS_STATUS_NOT_FOUND;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return DMD_DNS_STATUS_CANCELLED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return DMD_DNS_STATUS_TIMEOUT;
  return DMD_DNS_STATUS_FAILED;
}

static void
lookup_done (GObject      *source,
             GAsyncResult *res,
             gpointer      data)
{
  Query *query = data;
  Batch *batch = query->batch;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GPtrArray) mx = NULL;
  g_autoptr(GPtrArray) txt = NULL;
  DmdDnsStatus status = DMD_DNS_STATUS_OK;

  switch (query->type)
    {
    case DMD_DNS_QUERY_ADDRESS:
    case DMD_DNS_QUERY_A:
    case DMD_DNS_QUERY_AAAA:
      {
        GList *list = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), res, &error);

        if (list != NULL)
          {
            addresses = g_ptr_array_new_with_free_func (g_object_unref);
            for (GList *l = list; l != NULL; l = l->next)
              {
                GInetAddress *address = l->data;
                GSocketFamily family = g_inet_address_get_family (address);

                if ((query->type == DMD_DNS_QUERY_A && family != G_SOCKET_FAMILY_IPV4) ||
                    (query->type == DMD_DNS_QUERY_AAAA && family != G_SOCKET_FAMILY_IPV6))
                  continue;
                g_ptr_array_add (addresses, g_object_ref (address));
              }
            g_resolver_free_addresses (list);
          }
      }
      break;

    case DMD_DNS_QUERY_MX:
    case DMD_DNS_QUERY_TXT:
      {
        GList *list = g_resolver_lookup_records_finish (G_RESOLVER (source), res, &error);

        if (list != NULL)
          {
            if (query->type == DMD_DNS_QUERY_MX)
              mx = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_record_free);
            else
              txt = g_ptr_array_new_with_free_func (g_free);
            for (GList *l = list; l != NULL; l = l->next)
              {
                GVariant *record = l->data;

                if (query->type == DMD_DNS_QUERY_MX && g_variant_is_of_type (record, G_VARIANT_TYPE ("(qs)")))
                  {
                    DmdDnsMxRecord *r = g_new0 (DmdDnsMxRecord, 1);
                    const char *host = NULL;

                    g_variant_get (record, "(q&s)", &r->preference, &host);
                    r->host = _dmd_dns_normalise_host (host);
                    g_ptr_array_add (mx, r);
                  }
                else if (query->type == DMD_DNS_QUERY_TXT && g_variant_is_of_type (record, G_VARIANT_TYPE ("(as)")))
                  {
                    /* RFC 7208 §3.3: the strings of one record are joined with nothing between. */
                    g_autoptr(GVariant) strings = g_variant_get_child_value (record, 0);
                    GString *joined = g_string_new (NULL);
                    gsize n = g_variant_n_children (strings);

                    for (gsize i = 0; i < n; i++)
                      {
                        const char *s = NULL;

                        g_variant_get_child (strings, i, "&s", &s);
                        g_string_append (joined, s);
                      }
                    g_ptr_array_add (txt, g_string_free (joined, FALSE));
                  }
              }
            g_list_free_full (list, (GDestroyNotify) g_variant_unref);
            if (mx != NULL)
              g_ptr_array_sort (mx, mx_record_compare);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    status = status_from_error (error);
  else if ((addresses != NULL && addresses->len == 0) || (addresses == NULL && mx == NULL && txt == NULL))
    status = DMD_DNS_STATUS_NOT_FOUND;

  g_mutex_lock (&batch->mutex);
  if (!batch->abandoned)
    {
      DmdDnsAnswer *answer = batch->answers[query->index];

      answer->status = status;
      answer->addresses = g_steal_pointer (&addresses);
      answer->mx = g_steal_pointer (&mx);
      answer->txt = g_steal_pointer (&txt);
      answer->error = error != NULL ? g_strdup (error->message) : NULL;
      batch->pending--;
      g_cond_broadcast (&batch->cond);
    }
  g_mutex_unlock (&batch->mutex);

  query_free (query);
  batch_unref (batch);
}

/* On the dmd-dns thread: start every lookup of the batch. */
static gboolean
batch_start (gpointer data)
{
  Batch *batch = data;
  gboolean abandoned;

  g_mutex_lock (&batch->mutex);
  abandoned = batch->abandoned;
  g_mutex_unlock (&batch->mutex);
  if (abandoned)
    {
      /* The caller gave up before the lookups could even start. */
      g_ptr_array_set_size (batch->queries, 0);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < batch->queries->len; i++)
    {
      Query *query = g_ptr_array_index (batch->queries, i);

      g_ptr_array_index (batch->queries, i) = NULL;
      query->batch = batch_ref (batch);
      switch (query->type)
        {
        case DMD_DNS_QUERY_ADDRESS:
        case DMD_DNS_QUERY_A:
        case DMD_DNS_QUERY_AAAA:
          g_resolver_lookup_by_name_with_flags_async (batch->resolver, query->name,
                                                      query->type == DMD_DNS_QUERY_A ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY :
                                                      query->type == DMD_DNS_QUERY_AAAA ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY :
                                                      G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                      batch->inner, lookup_done, query);
          break;
        case DMD_DNS_QUERY_MX:
        case DMD_DNS_QUERY_TXT:
          g_resolver_lookup_records_async (batch->resolver, query->name,
                                           query->type == DMD_DNS_QUERY_MX ? G_RESOLVER_RECORD_MX : G_RESOLVER_RECORD_TXT,
                                           batch->inner, lookup_done, query);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_ptr_array_set_size (batch->queries, 0);
  return G_SOURCE_REMOVE;
}

static void
batch_cancelled_cb (GCancellable *cancellable,
                    gpointer      data)
{
  Batch *batch = data;

  g_mutex_lock (&batch->mutex);
  batch->cancelled = TRUE;
  g_cond_broadcast (&batch->cond);
  g_mutex_unlock (&batch->mutex);
}

gboolean
dmd_dns_resolve_all (GResolver     *resolver,
                     DmdDnsAnswer **answers,
                     guint          n_answers,
                     gint64         deadline,
                     GCancellable  *cancellable)
{
  Batch *batch;
  gulong handler = 0;
  gboolean was_cancelled;

  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), FALSE);
  g_return_val_if_fail (answers != NULL || n_answers == 0, FALSE);

  batch = g_new0 (Batch, 1);
  batch->ref_count = 1;
  g_mutex_init (&batch->mutex);
  g_cond_init (&batch->cond);
  batch->resolver = resolver != NULL ? g_object_ref (resolver) : g_resolver_get_default ();
  batch->inner = g_cancellable_new ();
  batch->answers = answers;
  batch->queries = g_ptr_array_new_with_free_func ((GDestroyNotify) query_free);

  for (guint i = 0; i < n_answers; i++)
    {
      DmdDnsAnswer *answer = answers[i];
      g_autofree char *name = NULL;
      Query *query;

      answer_clear (answer);
      if (answer->type <= DMD_DNS_QUERY_AAAA)
        {
          g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (answer->name ? answer->name : "");

          if (literal != NULL)
            {
              /* The resolver would return it as it is; saves a round trip through the thread. */
              GSocketFamily family = g_inet_address_get_family (literal);

              if ((answer->type == DMD_DNS_QUERY_A && family != G_SOCKET_FAMILY_IPV4) ||
                  (answer->type == DMD_DNS_QUERY_AAAA && family != G_SOCKET_FAMILY_IPV6))
                {
                  answer->status = DMD_DNS_STATUS_NOT_FOUND;
                  answer->error = g_strdup_printf (_("%s is an address of the other IP version"), answer->name);
                }
              else
                {
                  answer->status = DMD_DNS_STATUS_OK;
                  answer->addresses = g_ptr_array_new_with_free_func (g_object_unref);
                  g_ptr_array_add (answer->addresses, g_steal_pointer (&literal));
                }
              continue;
            }
        }
      name = query_name (answer->name);
      if (name == NULL)
        {
          g_autofree char *shown = dmd_dns_escape_text (answer->name, 80);

          answer->status = DMD_DNS_STATUS_FAILED;
          answer->error = g_strdup_printf (_("“%s” is not a valid DNS name"), shown);
          continue;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          answer->status = DMD_DNS_STATUS_CANCELLED;
          continue;
        }
      if (deadline >= 0 && g_get_monotonic_time () >= deadline)
        {
          answer->status = DMD_DNS_STATUS_TIMEOUT;
          continue;
        }
      query = g_new0 (Query, 1);
      query->index = i;
      query->name = g_steal_pointer (&name);
      query->type = answer->type;
      g_ptr_array_add (batch->queries, query);
    }

  batch->pending = batch->queries->len;
  if (batch->pending > 0)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, batch_start, batch_ref (batch), (GDestroyNotify) batch_unref);
      g_source_set_static_name (source, "[dmd] dns batch");
      g_source_attach (source, get_dns_context ());
      g_source_unref (source);

      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (batch_cancelled_cb), batch, NULL);

      g_mutex_lock (&batch->mutex);
      while (batch->pending > 0 && !batch->cancelled)
        {
          if (deadline < 0)
            g_cond_wait (&batch->cond, &batch->mutex);
          else if (!g_cond_wait_until (&batch->cond, &batch->mutex, deadline))
            break;
        }
      batch->abandoned = TRUE;
      was_cancelled = batch->cancelled;
      g_mutex_unlock (&batch->mutex);

      /* Also when the cancellable fired between the last answer and here. */
      was_cancelled = was_cancelled || g_cancellable_is_cancelled (cancellable);
      for (guint i = 0; i < n_answers; i++)
        if (answers[i]->status == DMD_DNS_STATUS_PENDING)
          answers[i]->status = was_cancelled ? DMD_DNS_STATUS_CANCELLED : DMD_DNS_STATUS_TIMEOUT;

      if (handler != 0)
        g_cancellable_disconnect (cancellable, handler);
      /* Let the resolver drop what it still does; its callbacks find the batch abandoned. */
      g_cancellable_cancel (batch->inner);
    }
  else
    {
      batch->abandoned = TRUE;
      was_cancelled = g_cancellable_is_cancelled (cancellable);
    }

  batch_unref (batch);
  return !was_cancelled;
}

DmdDnsAnswer *
dmd_dns_query (GResolver       *resolver,
               const char      *name,
               DmdDnsQueryType  type,
               gint64           deadline,
               GCancellable    *cancellable)
{
  DmdDnsAnswer *answer = dmd_dns_answer_new (name, type);

  dmd_dns_resolve_all (resolver, &answer, 1, deadline, cancellable);
  return answer;
}

GList *
dmd_dns_lookup_host (GResolver        *resolver,
                     const char       *host,
                     DmdDnsQueryType   type,
                     gint64            deadline,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(DmdDnsAnswer) answer = NULL;
  g_autofree char *shown = NULL;
  GList *list = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (type <= DMD_DNS_QUERY_AAAA, NULL);

  answer = dmd_dns_query (resolver, host, type, deadline, cancellable);
  shown = dmd_dns_escape_text (host, 80);
  switch (answer->status)
    {
    case DMD_DNS_STATUS_OK:
      for (guint i = answer->addresses->len; i > 0; i--)
        list = g_list_prepend (list, g_object_ref (g_ptr_array_index (answer->addresses, i - 1)));
      return list;
    case DMD_DNS_STATUS_NOT_FOUND:
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s",
                   answer->error ? answer->error : _("No address found"));
      return NULL;
    case DMD_DNS_STATUS_TIMEOUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The DNS lookup of %s timed out"), shown);
      return NULL;
    case DMD_DNS_STATUS_CANCELLED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
      return NULL;
    case DMD_DNS_STATUS_FAILED:
    case DMD_DNS_STATUS_PENDING:
    default:
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, "%s",
                   answer->error ? answer->error : _("The DNS lookup failed"));
      return NULL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses                                                                                  */

GInetAddress *
dmd_dns_parse_address (const char *text)
{
  g_autofree char *copy = NULL;
  char *p;
  gsize len;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  p = copy;
  len = strlen (p);
  if (len >= 2 && p[0] == '[' && p[len - 1] == ']')
    {
      p[len - 1] = '\0';
      p++;
    }
  if (g_ascii_strncasecmp (p, "IPv6:", 5) == 0)
    p += 5;
  return g_inet_address_new_from_string (p);
}

gboolean
dmd_inet_address_in_network (GInetAddress *address,
                             GInetAddress *network,
                             guint         prefix)
{
  const guint8 *a, *n;
  gsize size;
  guint full, rest;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (network), FALSE);

  if (g_inet_address_get_family (address) != g_inet_address_get_family (network))
    return FALSE;
  size = g_inet_address_get_native_size (address);
  if (prefix > size * 8)
    return FALSE;
  a = g_inet_address_to_bytes (address);
  n = g_inet_address_to_bytes (network);
  full = prefix / 8;
  rest = prefix % 8;
  if (memcmp (a, n, full) != 0)
    return FALSE;
  if (rest != 0)
    {
      guint8 mask = (guint8) (0xFF << (8 - rest));

      if ((a[full] & mask) != (n[full] & mask))
        return FALSE;
    }
  return TRUE;
}

gboolean
dmd_inet_address_is_private (GInetAddress *address)
{
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), TRUE);

  if (g_inet_address_get_is_any (address) || g_inet_address_get_is_loopback (address) ||
      g_inet_address_get_is_link_local (address) || g_inet_address_get_is_site_local (address) ||
      g_inet_address_get_is_multicast (address))
    return TRUE;
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    {
      const guint8 *b = g_inet_address_to_bytes (address);

      return b[0] == 0 || (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] >= 240;  /* 0/8, CGNAT, reserved */
    }
  else
    {
      const guint8 *b = g_inet_address_to_bytes (address);

      return (b[0] & 0xFE) == 0xFC;  /* ULA fc00::/7 */
    }
}

/* One entry typed for the connector: address or address/prefix. */
static gboolean
parse_network (const char    *text,
               GInetAddress **out_network,
               guint         *out_prefix)
{
  g_autofree char *copy = g_strdup (text);
  char *slash = strchr (copy, '/');
  g_autoptr(GInetAddress) network = NULL;
  guint64 prefix;
  guint max;

  if (slash != NULL)
    *slash = '\0';
  network = dmd_dns_parse_address (copy);
  if (network == NULL)
    return FALSE;
  max = g_inet_address_get_family (network) == G_SOCKET_FAMILY_IPV4 ? 32 : 128;
  prefix = max;
  if (slash != NULL)
    {
      char *end = NULL;

      if (!g_ascii_isdigit (slash[1]))
        return FALSE;
      prefix = g_ascii_strtoull (slash + 1, &end, 10);
      if (*end != '\0' || prefix > max)
        return FALSE;
    }
  *out_network = g_steal_pointer (&network);
  *out_prefix = (guint) prefix;
  return TRUE;
}

static const char *
family_name (GInetAddress *address)
{
  return g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 ? "IPv4" : "IPv6";
}

DmdDnsFinding *
dmd_dns_check_connector_ip (const char *public_ip,
                            const char *connector_ip)
{
  g_autoptr(GInetAddress) pub = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autofree char *pub_text = NULL;
  g_autofree char *evidence = NULL;
  gboolean any = FALSE;
  gboolean same_family = FALSE;
  g_autoptr(GInetAddress) first = NULL;

  if (public_ip == NULL || connector_ip == NULL)
    return NULL;
  pub = dmd_dns_parse_address (public_ip);
  if (pub == NULL)
    return NULL;

  parts = g_strsplit_set (connector_ip, ", ;\t", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) network = NULL;
      guint prefix = 0;

      if (*parts[i] == '\0' || !parse_network (parts[i], &network, &prefix))
        continue;
      if (dmd_inet_address_in_network (pub, network, prefix))
        return NULL;
      if (g_inet_address_get_family (network) == g_inet_address_get_family (pub))
        same_family = TRUE;
      if (any)
        g_string_append (shown, C_("list separator", ", "));
      {
        g_autofree char *addr = g_inet_address_to_string (network);

        g_string_append (shown, addr);
        if (prefix != (g_inet_address_get_family (network) == G_SOCKET_FAMILY_IPV4 ? 32u : 128u))
          g_string_append_printf (shown, "/%u", prefix);
      }
      if (first == NULL)
        first = g_object_ref (network);
      any = TRUE;
    }
  if (!any)
    return NULL;

  pub_text = g_inet_address_to_string (pub);
  if (same_family)
    evidence = g_strdup_printf (_("Microsoft sees this network as %s; the connector has %s"),
                                pub_text, shown->str);
  else
    evidence = g_strdup_printf (_("Microsoft sees this network as %s (%s); the connector has %s (%s): this computer reached Microsoft over the other IP version"),
                                pub_text, family_name (pub), shown->str, family_name (first));
  return dmd_dns_finding_new ("relay-connector-ip-mismatch", evidence);
}
