/* dmd-capture-verdict.c — capture records, and the verdict per option over them
 *
 * The judgement is a pure function of the recorded sessions (no sockets, no clock), so the
 * tests can feed it every kind of device.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-capture.h"
#include "dmd-catalog.h"
#include "dmd-config.h"
#include "dmd-options.h"

/* ------------------------------------------------------------------------------------------ */
/* Sessions                                                                                   */
/* ------------------------------------------------------------------------------------------ */

DmdCaptureSession *
dmd_capture_session_new (guint id)
{
  DmdCaptureSession *s = g_new0 (DmdCaptureSession, 1);

  s->id = id;
  s->recipients = g_ptr_array_new_with_free_func (g_free);
  s->headers = g_ptr_array_new_with_free_func (g_free);
  return s;
}

static GPtrArray *
strv_array_copy (GPtrArray *array)
{
  GPtrArray *copy = g_ptr_array_new_full (array->len, g_free);

  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (array, i)));
  return copy;
}

DmdCaptureSession *
dmd_capture_session_copy (const DmdCaptureSession *session)
{
  DmdCaptureSession *s;

  g_return_val_if_fail (session != NULL, NULL);

  s = g_new0 (DmdCaptureSession, 1);
  *s = *session;
  s->client = g_strdup (session->client);
  s->ehlo = g_strdup (session->ehlo);
  s->client_hello = session->client_hello != NULL
                    ? dmd_client_hello_copy (session->client_hello) : NULL;
  s->tls_version = g_strdup (session->tls_version);
  s->tls_cipher = g_strdup (session->tls_cipher);
  s->tls_failure = g_strdup (session->tls_failure);
  s->auth_mechanism = g_strdup (session->auth_mechanism);
  s->auth_username = g_strdup (session->auth_username);
  s->mail_from = g_strdup (session->mail_from);
  s->header_from = g_strdup (session->header_from);
  s->recipients = strv_array_copy (session->recipients);
  s->headers = strv_array_copy (session->headers);
  s->close_reason = g_strdup (session->close_reason);
  return s;
}

void
dmd_capture_session_free (DmdCaptureSession *session)
{
  if (session == NULL)
    return;
  g_free (session->client);
  g_free (session->ehlo);
  g_clear_pointer (&session->client_hello, dmd_client_hello_free);
  g_free (session->tls_version);
  g_free (session->tls_cipher);
  g_free (session->tls_failure);
  g_free (session->auth_mechanism);
  g_free (session->auth_username);
  g_free (session->mail_from);
  g_free (session->header_from);
  g_ptr_array_unref (session->recipients);
  g_ptr_array_unref (session->headers);
  g_free (session->close_reason);
  g_free (session);
}

gboolean
dmd_capture_session_is_meaningful (const DmdCaptureSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);

  return session->starttls || session->implicit_tls || session->client_hello != NULL ||
         session->auth_mechanism != NULL || session->auth_before_tls ||
         session->mail_from != NULL;
}

const char *
dmd_capture_session_max_tls (const DmdCaptureSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  if (session->client_hello != NULL && session->client_hello->max_version != NULL)
    return session->client_hello->max_version;
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Verdicts                                                                                   */
/* ------------------------------------------------------------------------------------------ */

void
dmd_capture_verdict_free (DmdCaptureVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_ptr_array_unref (verdict->findings);
  g_free (verdict);
}

gboolean
dmd_capture_verdict_is_unproven (const DmdCaptureVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);

  return verdict->judged && !verdict->usable && !verdict->complete &&
         dmd_verdict_derive (NULL, verdict->findings, FALSE) != DMD_VERDICT_FAIL;
}

/* TLS version order: "SSL3.0" < "TLS1.0" < … < "TLS1.3"; -1 for what is not a version. */
static int
version_rank (const char *name)
{
  int index;

  if (name == NULL)
    return -1;
  if (g_str_equal (name, "SSL3.0"))
    return 0;
  index = dmd_tls_version_index (name);
  return index >= 0 ? index + 1 : -1;
}

/* The address inside "Name <addr>", or the text itself. */
static char *
bare_address (const char *text)
{
  const char *lt;
  const char *gt;

  if (text == NULL)
    return NULL;
  lt = strrchr (text, '<');
  gt = lt != NULL ? strchr (lt, '>') : NULL;
  if (lt != NULL && gt != NULL)
    return g_strstrip (g_strndup (lt + 1, gt - lt - 1));
  return g_strstrip (g_strdup (text));
}

/* The domain of an address, in ASCII lower case for comparing; NULL when it has none. */
static char *
address_domain (const char *address)
{
  const char *at;
  g_autofree char *domain = NULL;
  char *ascii;

  if (address == NULL || (at = strrchr (address, '@')) == NULL || at[1] == '\0')
    return NULL;
  domain = g_strdup (at + 1);
  ascii = dmd_host_to_ascii (domain, NULL);
  return ascii != NULL ? ascii : g_ascii_strdown (domain, -1);
}

static char *
domain_to_ascii (const char *domain)
{
  char *ascii;

  if (domain == NULL || *domain == '\0')
    return NULL;
  ascii = dmd_host_to_ascii (domain, NULL);
  return ascii != NULL ? ascii : g_ascii_strdown (domain, -1);
}

/* Addresses compare without regard to ASCII case (as Exchange Online does). */
static gboolean
same_address (const char *a,
              const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* What all sessions together showed. */
typedef struct {
  guint                    n_meaningful;
  guint                    n_complete;        /* sessions with a whole, accepted message */
  gboolean                 starttls;          /* some session issued STARTTLS */
  gboolean                 tls_ok;            /* some handshake succeeded */
  const DmdCaptureSession *implicit;          /* first session with implicit TLS */
  const DmdCaptureSession *plain_send;        /* AUTH or MAIL FROM without any TLS */
  const DmdCaptureSession *rejected;          /* first certificate rejection */
  const DmdCaptureSession *failed;            /* first other handshake failure */
  const DmdCaptureSession *best_hello;        /* the ClientHello with the highest version */
  const DmdCaptureSession *auth;              /* first AUTH (with a password if any had one) */
  const DmdCaptureSession *mail_without_auth; /* MAIL FROM in a session without AUTH */
  GPtrArray               *mismatches;        /* char* evidence, sender ≠ sign-in name */
  GPtrArray               *recipients;        /* char*, all sessions, no repeats */
  const char              *mail_from;         /* first MAIL FROM seen */
} Facts;

static void
facts_clear (Facts *f)
{
  g_clear_pointer (&f->mismatches, g_ptr_array_unref);
  g_clear_pointer (&f->recipients, g_ptr_array_unref);
}

static gboolean
array_has_address (GPtrArray  *array,
                   const char *address)
{
  for (guint i = 0; i < array->len; i++)
    if (same_address (g_ptr_array_index (array, i), address))
      return TRUE;
  return FALSE;
}

static void
facts_gather (Facts     *f,
              GPtrArray *sessions)
{
  memset (f, 0, sizeof *f);
  f->mismatches = g_ptr_array_new_with_free_func (g_free);
  f->recipients = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sessions->len; i++)
    {
      const DmdCaptureSession *s = g_ptr_array_index (sessions, i);
      gboolean tls_tried = s->starttls || s->implicit_tls;

      if (!dmd_capture_session_is_meaningful (s))
        continue;
      f->n_meaningful++;
      if (s->completed)
        f->n_complete++;

      if (s->starttls)
        f->starttls = TRUE;
      if (s->implicit_tls && f->implicit == NULL)
        f->implicit = s;
      if (s->tls_version != NULL)
        f->tls_ok = TRUE;
      if (!tls_tried && (s->auth_before_tls || s->mail_from != NULL) && f->plain_send == NULL)
        f->plain_send = s;
      if (s->certificate_rejected && f->rejected == NULL)
        f->rejected = s;
      else if (s->tls_failure != NULL && !s->certificate_rejected && f->failed == NULL)
        f->failed = s;
      if (dmd_capture_session_max_tls (s) != NULL &&
          (f->best_hello == NULL ||
           version_rank (dmd_capture_session_max_tls (s)) >
           version_rank (dmd_capture_session_max_tls (f->best_hello))))
        f->best_hello = s;

      if (s->auth_mechanism != NULL &&
          (f->auth == NULL || (!f->auth->auth_password_sent && s->auth_password_sent)))
        f->auth = s;
      if (s->auth_mechanism == NULL && s->mail_from != NULL && f->mail_without_auth == NULL)
        f->mail_without_auth = s;
      if (s->mail_from != NULL && f->mail_from == NULL)
        f->mail_from = s->mail_from;

      if (s->auth_username != NULL && *s->auth_username != '\0')
        {
          g_autofree char *header = bare_address (s->header_from);

          if (s->mail_from != NULL && *s->mail_from != '\0' &&
              !same_address (s->mail_from, s->auth_username))
            g_ptr_array_add (f->mismatches,
                             /* Translators: evidence; the first %s is a user name, the second
                              * an address. */
                             g_strdup_printf (_("Signed in as %s, sender (MAIL FROM) %s"),
                                              s->auth_username, s->mail_from));
          else if (header != NULL && *header != '\0' &&
                   !same_address (header, s->auth_username))
            g_ptr_array_add (f->mismatches,
                             /* Translators: evidence; the first %s is a user name, the second
                              * an address. */
                             g_strdup_printf (_("Signed in as %s, message From: %s"),
                                              s->auth_username, header));
        }

      for (guint r = 0; r < s->recipients->len; r++)
        {
          const char *rcpt = g_ptr_array_index (s->recipients, r);

          if (!array_has_address (f->recipients, rcpt))
            g_ptr_array_add (f->recipients, g_strdup (rcpt));
        }
    }
}

static char *
join_array (GPtrArray  *array,
            const char *separator)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < array->len; i++)
    {
      if (i > 0)
        g_string_append (out, separator);
      g_string_append (out, g_ptr_array_index (array, i));
    }
  return g_string_free (out, FALSE);
}

/* "TLS1.0 (supported_versions: TLS1.1, TLS1.0)" or just the version. */
static char *
describe_offer (const DmdCaptureSession *s)
{
  const DmdClientHello *hello = s->client_hello;
  g_autofree char *list = NULL;

  if (hello->supported_versions == NULL || hello->supported_versions->len == 0)
    return g_strdup (hello->max_version);
  list = join_array (hello->supported_versions, ", ");
  return g_strdup_printf ("%s (supported_versions: %s)", hello->max_version, list);
}

static void
add (GPtrArray             *findings,
     const char            *id,
     const DmdDeviceConfig *config,
     const char            *evidence)
{
  DmdFinding *finding = dmd_catalog_make_finding (id, config, evidence);

  if (finding == NULL)
    return;
  /* What the device did, not a check this computer ran. */
  g_clear_pointer (&finding->check, g_free);
  g_ptr_array_add (findings, finding);
}

static gint
compare_severity (gconstpointer a,
                  gconstpointer b)
{
  const DmdFinding *fa = *(DmdFinding * const *) a;
  const DmdFinding *fb = *(DmdFinding * const *) b;

  return (int) fb->severity - (int) fa->severity;
}

static void
add_common (GPtrArray             *findings,
            const Facts           *f,
            const DmdDeviceConfig *config)
{
  if (f->implicit != NULL && !f->starttls)
    {
      const char *max = dmd_capture_session_max_tls (f->implicit);
      g_autofree char *evidence = NULL;

      if (max != NULL)
        /* Translators: evidence; %s is a TLS version such as "TLS1.2". */
        evidence = g_strdup_printf (_("The connection began with a TLS ClientHello instead of "
                                      "waiting for the SMTP greeting (highest version offered: "
                                      "%s)"), max);
      else
        evidence = g_strdup (_("The connection began with a TLS ClientHello instead of waiting "
                               "for the SMTP greeting"));
      add (findings, "device-implicit-tls", config, evidence);
    }

  if (f->rejected != NULL)
    {
      /* Translators: evidence; %s is the reason the handshake failed. */
      g_autofree char *evidence = g_strdup_printf (_("TLS handshake: %s"),
                                                   f->rejected->tls_failure);
      add (findings, "device-rejects-certificate", config, evidence);
    }
}

/* An option that signs in: STARTTLS with TLS 1.2 or later, then AUTH with a secret. */
static void
judge_sign_in (GPtrArray             *findings,
               const Facts           *f,
               const DmdDeviceConfig *config,
               const DmdOptionInfo   *info)
{
  gboolean legacy = FALSE;

  if (!f->starttls && f->implicit == NULL && f->plain_send != NULL)
    {
      g_autofree char *evidence = NULL;

      if (f->plain_send->helo)
        /* Translators: evidence; %s is the name the device greeted with. */
        evidence = g_strdup_printf (_("The device greeted with HELO %s (not EHLO), so it never "
                                      "saw STARTTLS, and went on without TLS"),
                                    f->plain_send->ehlo != NULL ? f->plain_send->ehlo : "");
      else if (f->plain_send->auth_before_tls)
        evidence = g_strdup (_("The device tried AUTH without STARTTLS"));
      else
        /* Translators: evidence; %s is an email address. */
        evidence = g_strdup_printf (_("The device sent MAIL FROM:<%s> without STARTTLS, "
                                      "although the greeting offered it"),
                                    f->plain_send->mail_from);
      add (findings, "device-no-starttls", config, evidence);
    }

  if (f->best_hello != NULL &&
      version_rank (dmd_capture_session_max_tls (f->best_hello)) <
      version_rank (dmd_tls_version_name (DMD_TLS12)))
    {
      g_autofree char *offer = describe_offer (f->best_hello);
      /* Translators: evidence; %s is a TLS version, e.g. "TLS1.0", maybe with a list. */
      g_autofree char *evidence = g_strdup_printf (_("Highest TLS version the device offered: "
                                                     "%s"), offer);

      add (findings, "device-legacy-tls-only", config, evidence);
      legacy = TRUE;
    }

  if (f->failed != NULL && !f->tls_ok && f->rejected == NULL && !legacy)
    add (findings, "tls-handshake-failed", config, f->failed->tls_failure);

  if (f->auth == NULL && f->mail_without_auth != NULL)
    {
      /* Translators: evidence; %s is an email address. */
      g_autofree char *evidence = g_strdup_printf (_("MAIL FROM:<%s> without AUTH"),
                                                   f->mail_without_auth->mail_from);

      add (findings, "device-no-auth", config, evidence);
    }
  else if (f->auth != NULL && !f->auth->auth_password_sent)
    {
      /* Translators: evidence; the first %s is an AUTH mechanism, the second a user name. */
      g_autofree char *evidence = g_strdup_printf (_("AUTH %s as “%s” without a password or "
                                                     "token"),
                                                   f->auth->auth_mechanism,
                                                   f->auth->auth_username != NULL
                                                   ? f->auth->auth_username : "");

      add (findings, "config-no-credentials", config, evidence);
    }

  if (f->auth != NULL && f->mismatches->len > 0)
    {
      g_autofree char *evidence = join_array (f->mismatches, "; ");

      add (findings, "config-sender-mismatch", config, evidence);
    }

  if (info->basic_auth_finding != NULL && f->auth != NULL && f->auth->auth_password_sent &&
      g_strcmp0 (f->auth->auth_mechanism, "XOAUTH2") != 0)
    {
      /* Translators: evidence; %s is an AUTH mechanism such as LOGIN. */
      g_autofree char *evidence = g_strdup_printf (_("The device signed in with AUTH %s and a "
                                                     "password (Basic authentication)"),
                                                   f->auth->auth_mechanism);

      add (findings, info->basic_auth_finding, config, evidence);
    }
}

/* An option that mails only the organization: every recipient inside it. */
static void
judge_recipients (GPtrArray             *findings,
                  const Facts           *f,
                  const DmdDeviceConfig *config,
                  const DmdOptionInfo   *info,
                  const char            *org_domain,
                  gboolean               domain_given)
{
  g_autoptr(GPtrArray) outside = g_ptr_array_new ();

  for (guint i = 0; org_domain != NULL && i < f->recipients->len; i++)
    {
      const char *rcpt = g_ptr_array_index (f->recipients, i);
      g_autofree char *domain = address_domain (rcpt);

      if (domain == NULL || !g_str_equal (domain, org_domain))
        g_ptr_array_add (outside, (gpointer) rcpt);
    }
  if (outside->len > 0)
    {
      g_autofree char *list = join_array (outside, ", ");
      g_autofree char *evidence = NULL;

      if (domain_given)
        /* Translators: evidence; the first %s is a domain, the second a list of addresses. */
        evidence = g_strdup_printf (_("Recipients outside %s: %s"), org_domain, list);
      else
        /* Translators: evidence; the first %s is a domain (guessed from the sender), the
         * second a list of addresses. */
        evidence = g_strdup_printf (_("Recipients outside %s (the organization’s domain as "
                                      "guessed from the sender; give the domain to be sure): "
                                      "%s"), org_domain, list);
      add (findings, info->external_recipient_finding, config, evidence);
    }
}

/* The verdict for one option: what every option needs, then what its row asks for. */
static DmdCaptureVerdict *
judge_option (const Facts           *f,
              const DmdDeviceConfig *config,
              const DmdOptionInfo   *info,
              const char            *org_domain,
              gboolean               domain_given)
{
  DmdCaptureVerdict *v = g_new0 (DmdCaptureVerdict, 1);

  v->option = info->option;
  v->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_finding_free);
  add_common (v->findings, f, config);
  if (info->signs_in)
    judge_sign_in (v->findings, f, config, info);
  if (info->external_recipient_finding != NULL)
    judge_recipients (v->findings, f, config, info, org_domain, domain_given);
  return v;
}

/* The verdict rule of a live run (dmd_verdict_derive()), with what the device did as its
 * one check: the message, which passes only when a whole transaction was accepted — the
 * equivalent of a pass with --send. A failed handshake with no message, a message refused
 * as too large or cut off proves nothing, whatever the findings say. */
static void
finish_verdict (DmdCaptureVerdict *v,
                const Facts       *f)
{
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_check_free);
  DmdCheck *message = dmd_check_new ("data");
  DmdVerdict verdict;

  g_ptr_array_sort (v->findings, compare_severity);
  v->judged = f->n_meaningful > 0;
  v->complete = f->n_complete > 0;
  message->status = v->complete ? DMD_CHECK_PASS : DMD_CHECK_FAIL;
  g_ptr_array_add (checks, message);
  verdict = dmd_verdict_derive (checks, v->findings, FALSE);
  v->usable = v->judged && (verdict == DMD_VERDICT_PASS || verdict == DMD_VERDICT_WARN);
}

GPtrArray *
dmd_capture_judge (GPtrArray  *sessions,
                   DmdOption   first,
                   const char *domain,
                   GDateTime  *today)
{
  g_autoptr(DmdDeviceConfig) config = NULL;
  g_autofree char *org_domain = NULL;
  gboolean domain_given;
  GPtrArray *verdicts;
  const DmdOptionInfo *infos;
  guint n_options;
  Facts f;

  g_return_val_if_fail (sessions != NULL, NULL);

  facts_gather (&f, sessions);

  /* The organisation's domain: as given, else the sign-in name's, else the sender's. */
  domain_given = domain != NULL && *domain != '\0';
  org_domain = domain_to_ascii (domain);
  if (org_domain == NULL && f.auth != NULL)
    org_domain = address_domain (f.auth->auth_username);
  if (org_domain == NULL)
    org_domain = address_domain (f.mail_from);

  /* For the commands of the fixes ({user}, {from}, {to}, {domain}). */
  config = dmd_device_config_new (first);
  if (f.auth != NULL)
    config->username = g_strdup (f.auth->auth_username);
  config->from = g_strdup (f.mail_from != NULL && *f.mail_from != '\0' ? f.mail_from : NULL);
  config->to = f.recipients->len > 0 ? g_strdup (g_ptr_array_index (f.recipients, 0)) : NULL;
  config->domain = domain_given ? g_strdup (domain) : g_strdup (org_domain);
  config->today = today != NULL ? g_date_time_ref (today) : NULL;

  /* The chosen option's verdict first, then the others in the table's order. */
  verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_verdict_free);
  infos = dmd_options_get_all (&n_options);
  for (guint i = 0; i < n_options; i++)
    {
      DmdCaptureVerdict *v = judge_option (&f, config, &infos[i], org_domain, domain_given);

      finish_verdict (v, &f);
      if (infos[i].option == first)
        g_ptr_array_insert (verdicts, 0, v);
      else
        g_ptr_array_add (verdicts, v);
    }

  facts_clear (&f);
  return verdicts;
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                    */
/* ------------------------------------------------------------------------------------------ */

DmdCaptureResult *
dmd_capture_result_new (void)
{
  DmdCaptureResult *result = g_new0 (DmdCaptureResult, 1);

  result->ref_count = 1;
  result->addresses = g_ptr_array_new_with_free_func (g_free);
  result->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_session_free);
  result->verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_capture_verdict_free);
  return result;
}

DmdCaptureResult *
dmd_capture_result_ref (DmdCaptureResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  g_atomic_int_inc (&result->ref_count);
  return result;
}

void
dmd_capture_result_unref (DmdCaptureResult *result)
{
  if (result == NULL || !g_atomic_int_dec_and_test (&result->ref_count))
    return;
  g_free (result->domain);
  g_ptr_array_unref (result->addresses);
  g_free (result->certificate_sha256);
  g_free (result->certificate_path);
  g_ptr_array_unref (result->sessions);
  g_ptr_array_unref (result->verdicts);
  g_free (result);
}

const DmdCaptureVerdict *
dmd_capture_result_get_verdict (DmdCaptureResult *result,
                                DmdOption         option)
{
  g_return_val_if_fail (result != NULL, NULL);

  for (guint i = 0; i < result->verdicts->len; i++)
    {
      const DmdCaptureVerdict *v = g_ptr_array_index (result->verdicts, i);

      if (v->option == option)
        return v;
    }
  return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* What the device showed, as settings to check                                               */
/* ------------------------------------------------------------------------------------------ */

/* The session that says most about the device: the last that sent a whole message, else the
 * last that went beyond EHLO. */
static const DmdCaptureSession *
telling_session (GPtrArray *sessions)
{
  const DmdCaptureSession *best = NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      const DmdCaptureSession *s = g_ptr_array_index (sessions, i);

      if (s->completed)
        best = s;
      else if (dmd_capture_session_is_meaningful (s) && (best == NULL || !best->completed))
        best = s;
    }
  return best;
}

DmdDeviceConfig *
dmd_capture_settings_seen (GPtrArray  *sessions,
                           DmdOption   option,
                           const char *domain)
{
  DmdDeviceConfig *config;
  const DmdCaptureSession *s;
  g_autofree char *org_domain = NULL;

  g_return_val_if_fail (sessions != NULL, NULL);

  config = dmd_device_config_new (option);
  s = telling_session (sessions);
  if (s == NULL)
    return config;

  /* As the device secured the connection to this computer (it keeps doing so with Microsoft
   * 365): STARTTLS, TLS from the start, or nothing. */
  config->security = s->implicit_tls ? DMD_SECURITY_IMPLICIT_TLS
                   : s->starttls ? DMD_SECURITY_STARTTLS
                   : DMD_SECURITY_NONE;
  if (option == DMD_OPTION_SMTP_AUTH && s->auth_username != NULL && *s->auth_username != '\0')
    config->username = g_strdup (s->auth_username);
  if (s->mail_from != NULL && *s->mail_from != '\0')
    config->from = g_strdup (s->mail_from);
  if (s->recipients->len > 0)
    config->to = g_strdup (g_ptr_array_index (s->recipients, 0));

  /* The organisation's domain, as the verdict takes it: as given, else the sign-in name's,
   * else the sender's. Direct Send and relay look up the MX endpoint from it. */
  org_domain = domain_to_ascii (domain);
  if (org_domain == NULL)
    org_domain = address_domain (s->auth_username);
  if (org_domain == NULL)
    org_domain = address_domain (s->mail_from);
  if (option != DMD_OPTION_SMTP_AUTH)
    config->domain = g_steal_pointer (&org_domain);
  return config;
}
