/* dmd-test-resolver.c — a GResolver serving zone data from a file, for tests only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dmd-test-resolver.h"

typedef enum {
  OUT_RECORD,
  OUT_NXDOMAIN,
  OUT_SERVFAIL,
  OUT_REFUSED,
  OUT_TIMEOUT,
} Outcome;

typedef struct {
  char          type[8];     /* "A", "AAAA", "MX", "TXT", "*" */
  Outcome       outcome;
  GInetAddress *address;     /* A, AAAA */
  guint16       preference;  /* MX */
  char         *host;        /* MX */
  GStrv         strings;     /* TXT */
} Entry;

typedef enum {
  Q_ADDRESS,
  Q_A,
  Q_AAAA,
  Q_MX,
  Q_TXT,
} QueryType;

static const char *query_type_names[] = { "A/AAAA", "A", "AAAA", "MX", "TXT" };

struct _DmdTestResolver
{
  GResolver   parent_instance;

  GMutex      mutex;
  GHashTable *zone;      /* name → GPtrArray of Entry* */
  GPtrArray  *queries;   /* char* "TYPE name" */
  guint       pending;
  gboolean    hold;
  GPtrArray  *held;      /* GTask* */
};

G_DEFINE_FINAL_TYPE (DmdTestResolver, dmd_test_resolver, G_TYPE_RESOLVER)

/* ------------------------------------------------------------------------------------------ */
/* Zone data                                                                                  */

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->address);
  g_free (entry->host);
  g_strfreev (entry->strings);
  g_free (entry);
}

static char *
normalise (const char *name)
{
  char *lower = g_ascii_strdown (name, -1);
  gsize len = strlen (lower);

  while (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';
  return lower;
}

/* Split a line into words; "quoted strings" with \" \\ \DDD escapes; # starts a comment.
 * *quoted gets which words were quoted (a quoted "TIMEOUT" is text, not a status). */
static GPtrArray *
tokenize (const char  *line,
          GArray     **quoted,
          GError     **error)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) flags = g_array_new (FALSE, FALSE, sizeof (gboolean));
  const char *p = line;

  for (;;)
    {
      GString *word;

      while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
      if (*p == '\0' || *p == '#')
        break;
      word = g_string_new (NULL);
      {
        gboolean is_quoted = *p == '"';

        g_array_append_val (flags, is_quoted);
      }
      if (*p == '"')
        {
          p++;
          while (*p != '"')
            {
              if (*p == '\0')
                {
                  g_string_free (word, TRUE);
                  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unterminated string");
                  return NULL;
                }
              if (*p == '\\' && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3]))
                {
                  guint v = (guint) ((p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0'));

                  if (v == 0 || v > 255)
                    {
                      g_string_free (word, TRUE);
                      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad \\DDD escape");
                      return NULL;
                    }
                  g_string_append_c (word, (char) v);
                  p += 4;
                }
              else if (*p == '\\' && p[1] != '\0')
                {
                  g_string_append_c (word, p[1]);
                  p += 2;
                }
              else
                g_string_append_c (word, *p++);
            }
          p++;
        }
      else
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
          g_string_append_c (word, *p++);
      g_ptr_array_add (words, g_string_free (word, FALSE));
    }
  *quoted = g_steal_pointer (&flags);
  return g_steal_pointer (&words);
}

static gboolean
parse_status (const char *word,
              Outcome    *out)
{
  if (g_str_equal (word, "NXDOMAIN"))
    *out = OUT_NXDOMAIN;
  else if (g_str_equal (word, "SERVFAIL"))
    *out = OUT_SERVFAIL;
  else if (g_str_equal (word, "REFUSED"))
    *out = OUT_REFUSED;
  else if (g_str_equal (word, "TIMEOUT"))
    *out = OUT_TIMEOUT;
  else
    return FALSE;
  return TRUE;
}

static Entry *
parse_entry (GPtrArray  *words,
             GArray     *quoted,
             GError    **error)
{
  g_autoptr(GPtrArray) strings = NULL;
  const char *type = g_ptr_array_index (words, 1);
  Entry *entry = g_new0 (Entry, 1);
  guint n = words->len - 2;
  char **data = (char **) words->pdata + 2;

  if (!g_str_equal (type, "A") && !g_str_equal (type, "AAAA") && !g_str_equal (type, "MX") &&
      !g_str_equal (type, "TXT") && !g_str_equal (type, "*"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown type “%s”", type);
      goto fail;
    }
  g_strlcpy (entry->type, type, sizeof entry->type);

  if (n == 1 && !g_array_index (quoted, gboolean, 2) && parse_status (data[0], &entry->outcome))
    return entry;
  entry->outcome = OUT_RECORD;
  if (g_str_equal (type, "*"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "type * takes NXDOMAIN, SERVFAIL, REFUSED or TIMEOUT");
      goto fail;
    }
  if (g_str_equal (type, "A") || g_str_equal (type, "AAAA"))
    {
      GSocketFamily want = g_str_equal (type, "A") ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;

      if (n != 1 || (entry->address = g_inet_address_new_from_string (data[0])) == NULL ||
          g_inet_address_get_family (entry->address) != want)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s needs one address", type);
          goto fail;
        }
      return entry;
    }
  if (g_str_equal (type, "MX"))
    {
      char *end = NULL;
      guint64 pref;

      if (n != 2 || !g_ascii_isdigit (data[0][0]) ||
          (pref = g_ascii_strtoull (data[0], &end, 10)) > G_MAXUINT16 || *end != '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "MX needs PREFERENCE HOST");
          goto fail;
        }
      entry->preference = (guint16) pref;
      entry->host = g_str_equal (data[1], ".") ? g_strdup (".") : g_strdup (data[1]);
      return entry;
    }
  /* TXT */
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "TXT needs at least one string");
      goto fail;
    }
  strings = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      if (strlen (data[i]) > 255 || !g_utf8_validate (data[i], -1, NULL))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "a TXT string is at most 255 bytes of UTF-8 (split longer text)");
          goto fail;
        }
      g_ptr_array_add (strings, g_strdup (data[i]));
    }
  g_ptr_array_add (strings, NULL);
  entry->strings = (GStrv) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  return entry;

fail:
  entry_free (entry);
  return NULL;
}

gboolean
dmd_test_resolver_load_data (DmdTestResolver  *self,
                             const char       *text,
                             GError          **error)
{
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GArray) quoted = NULL;
      g_autoptr(GPtrArray) words = tokenize (lines[i], &quoted, &local);
      g_autofree char *name = NULL;
      GPtrArray *entries;
      Entry *entry;

      if (words == NULL || (words->len > 0 && words->len < 3))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: %s", i + 1,
                       local ? local->message : "expected NAME TYPE DATA");
          return FALSE;
        }
      if (words->len == 0)
        continue;
      entry = parse_entry (words, quoted, &local);
      if (entry == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: %s", i + 1, local->message);
          return FALSE;
        }
      name = normalise (g_ptr_array_index (words, 0));
      g_mutex_lock (&self->mutex);
      entries = g_hash_table_lookup (self->zone, name);
      if (entries == NULL)
        {
          entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
          g_hash_table_insert (self->zone, g_steal_pointer (&name), entries);
        }
      g_ptr_array_add (entries, entry);
      g_mutex_unlock (&self->mutex);
    }
  return TRUE;
}

gboolean
dmd_test_resolver_load_file (DmdTestResolver  *self,
                             const char       *path,
                             GError          **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), FALSE);

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!dmd_test_resolver_load_data (self, text, &local))
    {
      g_set_error (error, local->domain, local->code, "%s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

void
dmd_test_resolver_clear (DmdTestResolver *self)
{
  g_return_if_fail (DMD_IS_TEST_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  g_hash_table_remove_all (self->zone);
  g_mutex_unlock (&self->mutex);
}

/* ------------------------------------------------------------------------------------------ */
/* Answering                                                                                  */

typedef struct {
  Outcome    outcome;
  GList     *addresses;  /* GInetAddress* */
  GList     *records;    /* GVariant* */
} Answer;

static gboolean
type_matches (const Entry *entry,
              QueryType    qtype)
{
  switch (qtype)
    {
    case Q_ADDRESS: return g_str_equal (entry->type, "A") || g_str_equal (entry->type, "AAAA");
    case Q_A:       return g_str_equal (entry->type, "A");
    case Q_AAAA:    return g_str_equal (entry->type, "AAAA");
    case Q_MX:      return g_str_equal (entry->type, "MX");
    case Q_TXT:     return g_str_equal (entry->type, "TXT");
    default:        g_assert_not_reached ();
    }
}

/* With the lock held. */
static GPtrArray *
find_entries (DmdTestResolver *self,
              const char      *name)
{
  GPtrArray *entries = g_hash_table_lookup (self->zone, name);

  /* Wildcards: "*.suffix", the longest suffix that matches. */
  for (const char *p = name; entries == NULL && p != NULL; )
    {
      const char *dot = strchr (p, '.');
      g_autofree char *wild = NULL;

      if (dot == NULL)
        break;
      wild = g_strconcat ("*", dot, NULL);
      entries = g_hash_table_lookup (self->zone, wild);
      p = dot + 1;
    }
  return entries;
}

static Answer
answer_query (DmdTestResolver *self,
              const char      *raw_name,
              QueryType        qtype,
              gboolean         log)
{
  g_autofree char *name = normalise (raw_name);
  Answer answer = { OUT_NXDOMAIN, NULL, NULL };
  GPtrArray *entries;

  g_mutex_lock (&self->mutex);
  if (log)
    g_ptr_array_add (self->queries, g_strdup_printf ("%s %s", query_type_names[qtype], name));
  entries = find_entries (self, name);
  if (entries != NULL)
    {
      answer.outcome = OUT_RECORD;
      /* A status line for this type (or *) decides. */
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *e = g_ptr_array_index (entries, i);

          if (e->outcome != OUT_RECORD && (g_str_equal (e->type, "*") || type_matches (e, qtype)))
            {
              answer.outcome = e->outcome;
              break;
            }
        }
      if (answer.outcome == OUT_RECORD)
        for (guint i = 0; i < entries->len; i++)
          {
            Entry *e = g_ptr_array_index (entries, i);

            if (e->outcome != OUT_RECORD || !type_matches (e, qtype))
              continue;
            if (e->address != NULL)
              answer.addresses = g_list_append (answer.addresses, g_object_ref (e->address));
            else if (e->host != NULL)
              answer.records = g_list_append (answer.records,
                                              g_variant_ref_sink (g_variant_new ("(qs)", e->preference, e->host)));
            else
              answer.records = g_list_append (answer.records,
                                              g_variant_ref_sink (g_variant_new ("(@as)", g_variant_new_strv ((const char * const *) e->strings, -1))));
          }
    }
  g_mutex_unlock (&self->mutex);
  return answer;
}

static void
set_answer_error (Outcome      outcome,
                  const char  *name,
                  GError     **error)
{
  switch (outcome)
    {
    case OUT_NXDOMAIN:
    case OUT_RECORD:  /* no record of the type asked */
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No DNS record of the requested type for “%s”", name);
      break;
    case OUT_SERVFAIL:
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE,
                   "Temporarily unable to resolve “%s”", name);
      break;
    case OUT_REFUSED:
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL, "Error resolving “%s”", name);
      break;
    case OUT_TIMEOUT:
    default:
      g_assert_not_reached ();
    }
}

typedef struct {
  char      *name;
  QueryType  qtype;
} TaskData;

static void
free_records (GList *records)
{
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
}

static void
task_data_free (TaskData *data)
{
  g_free (data->name);
  g_free (data);
}

static void
pending_done (DmdTestResolver *self)
{
  g_mutex_lock (&self->mutex);
  g_assert (self->pending > 0);
  self->pending--;
  g_mutex_unlock (&self->mutex);
}

static void
timeout_cancelled_cb (GCancellable *cancellable,
                      GTask        *task)
{
  DmdTestResolver *self = g_task_get_source_object (task);

  /* A cancellable fires at most once: the task is answered once. */
  pending_done (self);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
}

/* Answer a task from the zone (or leave it waiting for cancellation on TIMEOUT). */
static void
complete_task (DmdTestResolver *self,
               GTask           *task,
               Answer           answer)
{
  TaskData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (answer.outcome == OUT_TIMEOUT)
    {
      if (cancellable == NULL)
        {
          pending_done (self);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   "test resolver: TIMEOUT entry looked up without a cancellable");
          return;
        }
      g_cancellable_connect (cancellable, G_CALLBACK (timeout_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      return;
    }

  pending_done (self);
  if (answer.addresses != NULL)
    g_task_return_pointer (task, answer.addresses, (GDestroyNotify) g_resolver_free_addresses);
  else if (answer.records != NULL)
    g_task_return_pointer (task, answer.records, (GDestroyNotify) free_records);
  else
    {
      GError *error = NULL;

      set_answer_error (answer.outcome, data->name, &error);
      g_task_return_error (task, error);
    }
}

static void
start_async (DmdTestResolver     *self,
             const char          *name,
             QueryType            qtype,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);
  gboolean hold;

  data->name = g_strdup (name);
  data->qtype = qtype;
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_set_source_tag (task, source_tag);

  g_mutex_lock (&self->mutex);
  self->pending++;
  hold = self->hold;
  if (hold)
    g_ptr_array_add (self->held, g_object_ref (task));
  g_mutex_unlock (&self->mutex);

  if (hold)
    {
      /* Counted now, answered at release. */
      g_autofree char *norm = normalise (name);

      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->queries, g_strdup_printf ("%s %s", query_type_names[qtype], norm));
      g_mutex_unlock (&self->mutex);
      return;
    }
  complete_task (self, task, answer_query (self, name, qtype, TRUE));
}

/* The sync lookups: TIMEOUT blocks until the cancellable fires. */
typedef struct {
  GMutex   mutex;
  GCond    cond;
  gboolean cancelled;
} Waiter;

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     Waiter       *waiter)
{
  g_mutex_lock (&waiter->mutex);
  waiter->cancelled = TRUE;
  g_cond_broadcast (&waiter->cond);
  g_mutex_unlock (&waiter->mutex);
}

static gboolean
answer_sync (DmdTestResolver  *self,
             const char       *name,
             QueryType         qtype,
             GCancellable     *cancellable,
             Answer           *answer,
             GError          **error)
{
  *answer = answer_query (self, name, qtype, TRUE);
  if (answer->outcome == OUT_TIMEOUT)
    {
      Waiter waiter = { 0 };
      gulong handler;

      if (cancellable == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "test resolver: TIMEOUT entry looked up without a cancellable");
          return FALSE;
        }
      g_mutex_init (&waiter.mutex);
      g_cond_init (&waiter.cond);
      g_mutex_lock (&self->mutex);
      self->pending++;
      g_mutex_unlock (&self->mutex);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb), &waiter, NULL);
      g_mutex_lock (&waiter.mutex);
      while (!waiter.cancelled)
        g_cond_wait (&waiter.cond, &waiter.mutex);
      g_mutex_unlock (&waiter.mutex);
      g_cancellable_disconnect (cancellable, handler);
      g_mutex_clear (&waiter.mutex);
      g_cond_clear (&waiter.cond);
      pending_done (self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      return FALSE;
    }
  if (answer->addresses == NULL && answer->records == NULL)
    {
      set_answer_error (answer->outcome, name, error);
      return FALSE;
    }
  return TRUE;
}

static QueryType
flags_to_qtype (GResolverNameLookupFlags flags)
{
  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY)
    return Q_A;
  if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY)
    return Q_AAAA;
  return Q_ADDRESS;
}

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  Answer answer;

  if (!answer_sync (DMD_TEST_RESOLVER (resolver), hostname, flags_to_qtype (flags), cancellable, &answer, error))
    return NULL;
  return answer.addresses;
}

static GList *
lookup_by_name (GResolver     *resolver,
                const char    *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
lookup_by_name_with_flags_async (GResolver                *resolver,
                                 const char               *hostname,
                                 GResolverNameLookupFlags  flags,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  start_async (DMD_TEST_RESOLVER (resolver), hostname, flags_to_qtype (flags), cancellable,
               callback, user_data, lookup_by_name_with_flags_async);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  start_async (DMD_TEST_RESOLVER (resolver), hostname, Q_ADDRESS, cancellable,
               callback, user_data, lookup_by_name_with_flags_async);
}

static GList *
lookup_by_name_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, resolver), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "test resolver: no reverse lookups");
  return NULL;
}

static void
lookup_by_address_async (GResolver           *resolver,
                         GInetAddress        *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "test resolver: no reverse lookups");
}

static char *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static QueryType
record_qtype (GResolverRecordType type,
              GError            **error)
{
  if (type == G_RESOLVER_RECORD_MX)
    return Q_MX;
  if (type == G_RESOLVER_RECORD_TXT)
    return Q_TXT;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "test resolver: MX and TXT only");
  return Q_ADDRESS;
}

static GList *
lookup_records (GResolver            *resolver,
                const char           *rrname,
                GResolverRecordType   record_type,
                GCancellable         *cancellable,
                GError              **error)
{
  Answer answer;
  QueryType qtype = record_qtype (record_type, error);

  if (qtype == Q_ADDRESS)
    return NULL;
  if (!answer_sync (DMD_TEST_RESOLVER (resolver), rrname, qtype, cancellable, &answer, error))
    return NULL;
  return answer.records;
}

static void
lookup_records_async (GResolver            *resolver,
                      const char           *rrname,
                      GResolverRecordType   record_type,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data)
{
  GError *error = NULL;
  QueryType qtype = record_qtype (record_type, &error);

  if (qtype == Q_ADDRESS)
    {
      g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

      g_task_return_error (task, error);
      return;
    }
  start_async (DMD_TEST_RESOLVER (resolver), rrname, qtype, cancellable, callback, user_data,
               lookup_records_async);
}

static GList *
lookup_records_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, resolver), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */

static void
dmd_test_resolver_finalize (GObject *object)
{
  DmdTestResolver *self = DMD_TEST_RESOLVER (object);

  g_hash_table_unref (self->zone);
  g_ptr_array_unref (self->queries);
  g_ptr_array_unref (self->held);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (dmd_test_resolver_parent_class)->finalize (object);
}

static void
dmd_test_resolver_class_init (DmdTestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = dmd_test_resolver_finalize;

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_by_name_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_records_finish;
}

static void
dmd_test_resolver_init (DmdTestResolver *self)
{
  g_mutex_init (&self->mutex);
  self->zone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->queries = g_ptr_array_new_with_free_func (g_free);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
}

DmdTestResolver *
dmd_test_resolver_new (void)
{
  return g_object_new (DMD_TYPE_TEST_RESOLVER, NULL);
}

guint
dmd_test_resolver_get_query_count (DmdTestResolver *self,
                                   const char      *name,
                                   const char      *type)
{
  g_autofree char *norm = name != NULL ? normalise (name) : NULL;
  guint count = 0;

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), 0);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->queries->len; i++)
    {
      const char *q = g_ptr_array_index (self->queries, i);
      const char *space = strchr (q, ' ');

      if (type != NULL && (strlen (type) != (gsize) (space - q) || strncmp (q, type, space - q) != 0))
        continue;
      if (norm != NULL && !g_str_equal (space + 1, norm))
        continue;
      count++;
    }
  g_mutex_unlock (&self->mutex);
  return count;
}

char **
dmd_test_resolver_get_queries (DmdTestResolver *self)
{
  GPtrArray *out = g_ptr_array_new ();

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), NULL);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->queries->len; i++)
    g_ptr_array_add (out, g_strdup (g_ptr_array_index (self->queries, i)));
  g_mutex_unlock (&self->mutex);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

void
dmd_test_resolver_reset_counts (DmdTestResolver *self)
{
  g_return_if_fail (DMD_IS_TEST_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  g_ptr_array_set_size (self->queries, 0);
  g_mutex_unlock (&self->mutex);
}

guint
dmd_test_resolver_get_pending (DmdTestResolver *self)
{
  guint pending;

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), 0);

  g_mutex_lock (&self->mutex);
  pending = self->pending;
  g_mutex_unlock (&self->mutex);
  return pending;
}

void
dmd_test_resolver_set_hold (DmdTestResolver *self,
                            gboolean         hold)
{
  g_return_if_fail (DMD_IS_TEST_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  self->hold = hold;
  g_mutex_unlock (&self->mutex);
}

guint
dmd_test_resolver_release (DmdTestResolver *self)
{
  g_autoptr(GPtrArray) tasks = NULL;

  g_return_val_if_fail (DMD_IS_TEST_RESOLVER (self), 0);

  g_mutex_lock (&self->mutex);
  tasks = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);
      TaskData *data = g_task_get_task_data (task);
      Answer answer;

      /* Logged when it was held. */
      answer = answer_query (self, data->name, data->qtype, FALSE);
      complete_task (self, task, answer);
    }
  return tasks->len;
}

gboolean
dmd_test_resolver_install_from_env (void)
{
  const char *path = g_getenv ("DMD_TEST_RESOLVER_ZONE");
  g_autoptr(DmdTestResolver) resolver = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || *path == '\0')
    return FALSE;
  resolver = dmd_test_resolver_new ();
  if (!dmd_test_resolver_load_file (resolver, path, &error))
    {
      g_printerr ("DMD_TEST_RESOLVER_ZONE: %s\n", error->message);
      exit (2);
    }
  /* No log message: it could reach stdout before the CLI sends logs to stderr. */
  g_resolver_set_default (G_RESOLVER (resolver));
  return TRUE;
}
