/* dmd-catalog-rules.c — the rules that turn an SMTP reply into finding ids, and the general
 * meaning of reply codes (RFC 5321, RFC 4954, RFC 3463)
 *
 * Codes are compared as integers, exactly or by range (5.7.60 never matches 5.7.606); the
 * basic code's class need not equal the enhanced code's (Exchange Online sends 451 5.7.3).
 * Keywords only refine a code: an unknown or translated text with a known code still gives
 * that code's general finding. Rules are tried in order, specific ones first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-catalog-private.h"

#define OPT(o)   (1u << (o))
#define STEP(s)  (1u << (s))
#define MECH(m)  (1u << (m))
#define ANON     (OPT (DMD_OPTION_DIRECT_SEND) | OPT (DMD_OPTION_RELAY))
#define ANY_SUBJECT G_MAXUINT16
/* Sign-in with a password (or none yet): not a token, whose refusal has its own finding. */
#define PASSWORD (MECH (DMD_AUTH_NONE) | MECH (DMD_AUTH_LOGIN) | MECH (DMD_AUTH_PLAIN))
#define ONLY_RCPT (STEP (DMD_STEP_CONNECT) | STEP (DMD_STEP_BANNER) | STEP (DMD_STEP_EHLO) | \
                   STEP (DMD_STEP_STARTTLS) | STEP (DMD_STEP_AUTH) | STEP (DMD_STEP_MAIL) | \
                   STEP (DMD_STEP_DATA) | STEP (DMD_STEP_QUIT))

typedef struct {
  const char *id;
  guint16     basic_lo;     /* basic code range; 0 = any. Needs a basic code in the reply,
                             * except when the rule also has an enhanced code that matched
                             * and the reply has no basic code (a pasted "5.7.60 …"). */
  guint16     basic_hi;
  gboolean    enh;          /* the rule needs an enhanced code: */
  guint8      enh_class;    /*   exactly this class (2, 4, 5) */
  guint16     enh_subject;  /*   this subject, or ANY_SUBJECT */
  guint16     enh_lo;       /*   detail range, inclusive */
  guint16     enh_hi;
  guint       options;      /* OPT() bits; 0 = any option */
  guint       steps_not;    /* STEP() bits where the rule does not apply */
  guint       mechs;        /* MECH() bits; 0 = any mechanism */
  const char *any_of;       /* "a|b|c", lower case: one must occur; NULL = no keyword needed */
  const char *all_of;       /* a second group that must also occur; NULL = none */
} ReplyRule;

#define BASIC(lo, hi)       .basic_lo = (lo), .basic_hi = (hi)
#define ENH(c, s, d)        .enh = TRUE, .enh_class = (c), .enh_subject = (s), .enh_lo = (d), .enh_hi = (d)
#define ENH_RANGE(c, s, lo, hi) .enh = TRUE, .enh_class = (c), .enh_subject = (s), .enh_lo = (lo), .enh_hi = (hi)
#define ENH_CLASS(c)        .enh = TRUE, .enh_class = (c), .enh_subject = ANY_SUBJECT, .enh_lo = 0, .enh_hi = G_MAXUINT16

#define KW_THROTTLE \
  "try again later|try later|retry later|please try again|busy|too many|exceeded|throttl|" \
  "temporar|rate limit|limit reached|service not available|service unavailable|congestion|" \
  "しばらくしてから|後でもう一度"

#define KW_QUOTA \
  "submissionquotaexceeded|submission quota|quota exceeded|message rate limit|" \
  "rate limit exceeded|sender thread limit"

static const ReplyRule rules[] = {
  /* TLS */
  { "tls-legacy-version-refused", ENH (4, 7, 66) },
  { "tls-legacy-version-refused", .any_of = "tls 1.0 and 1.1 are not supported" },
  { "smtp-starttls-required", ENH (5, 7, 3), .any_of = "starttls" },
  /* High Volume Email: a refused sign-in is about the HVE account, never the mailbox or
   * tenant switches of SMTP AUTH, which do not apply to it */
  { "hve-auth-failed", BASIC (535, 535), .options = OPT (DMD_OPTION_HVE), .mechs = PASSWORD },
  { "hve-auth-failed", ENH (5, 7, 3), .options = OPT (DMD_OPTION_HVE), .mechs = PASSWORD,
    .any_of = "authentication unsuccessful|authentication failed|認証に失敗" },
  { "hve-auth-failed", ENH (5, 7, 139), .options = OPT (DMD_OPTION_HVE), .mechs = PASSWORD },
  { "hve-auth-failed", ENH (5, 7, 30), .options = OPT (DMD_OPTION_HVE), .mechs = PASSWORD },
  /* 5.7.3 is the sign-in refusal too: without a basic code, its text decides */
  { "auth-oauth-token-rejected", ENH (5, 7, 3), .mechs = MECH (DMD_AUTH_XOAUTH2),
    .any_of = "authentication unsuccessful|authentication failed|認証に失敗" },
  { "auth-failed", ENH (5, 7, 3), .any_of = "authentication unsuccessful|authentication failed|認証に失敗" },
  { "smtp-starttls-required", BASIC (451, 451), ENH (5, 7, 3) },
  { "smtp-starttls-required", BASIC (400, 599), .all_of = "starttls",
    .any_of = "must issue|is required|required|first" },

  /* 5.7.139 and other sign-in refusals: the tenant switch applies to OAuth too */
  { "auth-smtp-auth-disabled-tenant", ENH (5, 7, 139),
    .any_of = "smtpclientauthentication|smtp_auth_disabled" },
  { "auth-oauth-token-rejected", BASIC (535, 535), .mechs = MECH (DMD_AUTH_XOAUTH2) },
  { "auth-oauth-token-rejected", ENH (5, 7, 3), .mechs = MECH (DMD_AUTH_XOAUTH2) },
  { "auth-oauth-token-rejected", ENH (5, 7, 139), .mechs = MECH (DMD_AUTH_XOAUTH2) },
  { "auth-security-defaults", ENH (5, 7, 139),
    .any_of = "security defaults|security default|セキュリティの既定値" },
  { "auth-conditional-access", ENH (5, 7, 139),
    .any_of = "did not meet the criteria|meet the criteria|conditional access|条件付きアクセス|条件を満たしていません" },
  { "auth-federation-sts-no-https", ENH (5, 7, 139), .all_of = "federat|フェデレーション",
    .any_of = "support https|supports https|https is not supported|not https|https をサポート|https に対応" },
  { "auth-federation-sts-unreachable", ENH (5, 7, 139), .any_of = "federat|フェデレーション" },
  { "auth-basic-auth-blocked", ENH (5, 7, 139),
    .any_of = "basic authentication is disabled|basic authentication|basic auth|基本認証" },
  { "auth-credentials-incorrect", ENH (5, 7, 139),
    .any_of = "credentials were incorrect|credentials are incorrect|incorrect|資格情報が正しくありません" },
  { "auth-5-7-139-unknown", ENH (5, 7, 139) },
  { "auth-basic-auth-blocked", ENH (5, 7, 30) },
  { "auth-basic-auth-blocked", BASIC (500, 599),
    .any_of = "basic authentication is not supported|basic authentication is disabled" },
  { "auth-failed", BASIC (535, 535) },
  { "auth-failed", ENH (5, 7, 3), .any_of = "authentication unsuccessful|authentication failed|認証に失敗" },
  { "auth-failed", ENH (5, 7, 8) },
  { "auth-mechanism-unsupported", BASIC (504, 504),
    .steps_not = STEP (DMD_STEP_MAIL) | STEP (DMD_STEP_RCPT) | STEP (DMD_STEP_DATA) },
  { "auth-mechanism-unsupported", BASIC (500, 599),
    .any_of = "unrecognized authentication type|unrecognised authentication type|mechanism not supported|unsupported authentication mechanism" },

  /* Not signed in: the same reply means a wrong endpoint for the anonymous options */
  { "config-wrong-endpoint-direct-send", ENH (5, 7, 57), .options = ANON },
  { "config-wrong-endpoint-direct-send", BASIC (530, 530), .options = ANON,
    .any_of = "not authenticated|authentication required|authentication is required|anonymous" },
  { "auth-required", ENH (5, 7, 57) },
  { "auth-required", BASIC (530, 530),
    .any_of = "not authenticated|authentication required|authentication is required|anonymous" },

  /* Sender */
  { "sender-send-as-denied", ENH (5, 7, 60) },
  { "sender-send-as-denied", ENH (5, 2, 252) },
  { "sender-send-as-denied", BASIC (500, 599),
    .any_of = "sendasdenied|send as this sender|送信者として送信するアクセス許可" },
  { "sender-send-as-denied", ENH_CLASS (5),
    .any_of = "sendasdenied|send as this sender|送信者として送信するアクセス許可" },
  /* A permanent quota refusal; a temporary one (4xx) is "throttled" */
  { "sender-submission-quota-exceeded", BASIC (500, 599), .any_of = KW_QUOTA },
  { "sender-submission-quota-exceeded", BASIC (500, 599), ENH_CLASS (5), .any_of = KW_QUOTA },
  { "sender-spam-abuse", ENH_RANGE (5, 7, 501, 503) },
  { "sender-spam-abuse", BASIC (500, 599), .any_of = "spam abuse detected" },
  { "sender-blocked-outbound-spam", ENH (5, 1, 8) },
  { "sender-blocked-outbound-spam", BASIC (500, 599), .any_of = "bad outbound sender" },

  /* High Volume Email delivers inside the organization only: a policy refusal of a
   * recipient (5.7.x, but not the IP bans 5.7.6xx and up) is an outside recipient */
  { "config-hve-external-recipient", ENH_RANGE (5, 7, 0, 599), .options = OPT (DMD_OPTION_HVE),
    .steps_not = ONLY_RCPT },
  { "config-hve-external-recipient", BASIC (500, 599), .options = OPT (DMD_OPTION_HVE),
    .steps_not = ONLY_RCPT,
    .any_of = "tenantattribution|relay access denied|external|outside|not allowed|not permitted" },

  /* Tenant attribution: on Direct Send, a refused RCPT is an outside recipient */
  { "direct-send-rejected", ENH (5, 7, 68) },
  { "direct-send-rejected", BASIC (500, 599),
    .any_of = "tenantinboundattribution|direct send not allowed" },
  { "recipient-external-refused", ENH (5, 7, 64), .options = OPT (DMD_OPTION_DIRECT_SEND),
    .steps_not = STEP (DMD_STEP_MAIL) },
  { "recipient-external-refused", BASIC (500, 599), .options = OPT (DMD_OPTION_DIRECT_SEND),
    .steps_not = STEP (DMD_STEP_MAIL), .any_of = "tenantattribution|relay access denied|attr36" },
  { "relay-tenant-attribution", ENH (5, 7, 64) },
  /* Without Microsoft's code, "relay access denied" is only about a connector on the
   * anonymous options; after a sign-in it is some other server's policy. */
  { "relay-tenant-attribution", BASIC (500, 599), .options = ANON,
    .any_of = "tenantattribution|relay access denied|attr36" },
  { "relay-wrong-region", ENH (4, 4, 62) },
  { "relay-wrong-region", BASIC (400, 599), .any_of = "attr35|wrong office 365 region" },

  /* Recipient */
  { "recipient-not-found", ENH (5, 4, 1) },
  { "recipient-not-found", BASIC (500, 599), .any_of = "as(201806281)" },

  /* IP reputation */
  { "ip-banned", ENH_RANGE (5, 7, 606, 649) },
  { "ip-banned", BASIC (500, 599), .any_of = "banned sending ip" },
  { "ip-banned-sender", ENH (5, 7, 511) },
  { "tenant-sending-blocked", ENH (5, 7, 705) },
  { "tenant-sending-blocked", BASIC (500, 599), .any_of = "tenant has exceeded threshold" },
  { "tenant-unregistered-domain", ENH (5, 7, 750) },
  { "tenant-unregistered-domain", BASIC (500, 599), .any_of = "sending from unregistered domain" },
  { "ip-low-reputation", ENH (5, 7, 708) },
  { "ip-low-reputation", BASIC (500, 599), .any_of = "traffic not accepted from this ip" },
  { "ip-on-dnsbl", BASIC (400, 599), .any_of = "blocked using" },

  /* Temporary refusals that say "busy" or "limit" */
  { "throttled", ENH (4, 3, 2) },
  { "throttled", ENH (4, 4, 5) },
  { "throttled", BASIC (400, 499), .any_of = KW_THROTTLE },
  /* Only a temporary refusal is retried: a 5xx with the same words is permanent (the quota
   * above, or the generic finding). */
  { "throttled", BASIC (400, 499), ENH_CLASS (4), .any_of = KW_THROTTLE },
};

/* ------------------------------------------------------------------------------------------ */

/* The text of a reply for keyword matching: enhanced code removed, bracketed trailers
 * ("[HOST timestamp id]") removed, typographic apostrophes folded, ASCII lower case,
 * white space collapsed. */
static char *
normalized_text (const DmdReply *reply)
{
  g_autofree char *raw = dmd_reply_text (reply);
  GString *out = g_string_new (NULL);
  gboolean space = TRUE;
  int depth = 0;

  for (const char *p = raw ? raw : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      /* Only a closed bracket is a trailer: "[" alone is text. */
      if (c == '[' && (depth > 0 || strchr (p, ']') != NULL))
        {
          depth++;
          continue;
        }
      if (c == ']' && depth > 0)
        {
          depth--;
          continue;
        }
      if (depth > 0)
        continue;
      if (c == 0x2018 || c == 0x2019 || c == 0x201B)
        c = '\'';
      if (g_unichar_isspace (c))
        {
          if (!space)
            g_string_append_c (out, ' ');
          space = TRUE;
          continue;
        }
      space = FALSE;
      if (c < 0x80)
        g_string_append_c (out, g_ascii_tolower ((char) c));
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
text_has_any (const char *text,
              const char *alternatives)
{
  g_auto(GStrv) words = NULL;

  if (alternatives == NULL)
    return TRUE;
  words = g_strsplit (alternatives, "|", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0' && strstr (text, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
rule_matches (const ReplyRule *rule,
              const DmdReply  *reply,
              const char      *text,
              DmdOption        option,
              DmdStep          step,
              DmdAuthMech      mech)
{
  gboolean has_enh = reply->enh_class != 0;

  if (rule->options != 0 && (rule->options & OPT (option)) == 0)
    return FALSE;
  if ((rule->steps_not & STEP (step)) != 0)
    return FALSE;
  if (rule->mechs != 0 && (rule->mechs & MECH (mech)) == 0)
    return FALSE;

  if (rule->enh)
    {
      if (!has_enh || reply->enh_class != rule->enh_class)
        return FALSE;
      if (rule->enh_subject != ANY_SUBJECT && reply->enh_subject != rule->enh_subject)
        return FALSE;
      if (reply->enh_detail < rule->enh_lo || reply->enh_detail > rule->enh_hi)
        return FALSE;
    }

  if (rule->basic_lo != 0)
    {
      if (reply->code == 0)
        {
          if (!rule->enh)
            return FALSE;
        }
      else if (reply->code < rule->basic_lo || reply->code > rule->basic_hi)
        return FALSE;
    }

  if (!rule->enh && rule->basic_lo == 0 && rule->any_of == NULL && rule->all_of == NULL)
    return FALSE;

  return text_has_any (text, rule->any_of) && text_has_any (text, rule->all_of);
}

static gboolean
reply_is_success (const DmdReply *reply)
{
  if (reply->code != 0)
    return reply->code >= 200 && reply->code < 400;
  return reply->enh_class == 2;
}

GPtrArray *
dmd_catalog_match_reply (const DmdReply *reply,
                         DmdOption       option,
                         DmdStep         step,
                         DmdAuthMech     mech)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;

  g_return_val_if_fail (reply != NULL, ids);

  if (reply_is_success (reply))
    return ids;

  text = normalized_text (reply);
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rule_matches (&rules[i], reply, text, option, step, mech))
      {
        g_ptr_array_add (ids, g_strdup (rules[i].id));
        break;
      }

  if (ids->len == 0)
    g_ptr_array_add (ids, g_strdup ("server-unexpected-reply"));
  return ids;
}

gboolean
dmd_catalog_is_relay_refusal (const DmdReply *reply,
                              DmdOption       option,
                              DmdStep         step)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (reply != NULL, FALSE);

  if (!dmd_option_get_info (option)->connector ||
      (step != DMD_STEP_MAIL && step != DMD_STEP_RCPT))
    return FALSE;
  if (reply->code != 0 ? reply->code < 500 || reply->code > 599 : reply->enh_class != 5)
    return FALSE;
  if (dmd_reply_enhanced_is (reply, 5, 7, 64))
    return TRUE;
  /* Another 5.x.y code is about something else (5.7.60 Send As, 5.4.1 recipient…). */
  if (reply->enh_class != 0 && !dmd_reply_enhanced_is (reply, 5, 7, 1))
    return FALSE;
  text = normalized_text (reply);
  return text_has_any (text, "tenantattribution|attr36|relay access denied|unable to relay|"
                             "relaying denied|relay not permitted|relaying not allowed");
}

static const char *
check_for_step (DmdStep step)
{
  switch (step)
    {
    case DMD_STEP_CONNECT:  return "connect";
    case DMD_STEP_BANNER:   return "banner";
    case DMD_STEP_EHLO:     return "ehlo";
    case DMD_STEP_STARTTLS: return "starttls";
    case DMD_STEP_AUTH:     return "auth";
    case DMD_STEP_MAIL:     return "mail-from";
    case DMD_STEP_RCPT:     return "rcpt-to";
    case DMD_STEP_DATA:     return "data";
    case DMD_STEP_ANY:
    case DMD_STEP_QUIT:
    default:                return NULL;
    }
}

GPtrArray *
dmd_catalog_reply_findings (const DmdReply        *reply,
                            DmdOption              option,
                            DmdStep                step,
                            DmdAuthMech            mech,
                            const DmdDeviceConfig *config,
                            const DmdCatalogFacts *facts)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func ((GDestroyNotify) dmd_finding_free);
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *evidence = NULL;
  const char *check = check_for_step (step);

  g_return_val_if_fail (reply != NULL, findings);

  ids = dmd_catalog_match_reply (reply, option, step, mech);
  if (ids->len == 0)
    return findings;

  evidence = dmd_reply_to_string (reply);
  for (guint i = 0; i < ids->len; i++)
    {
      DmdFinding *finding = dmd_catalog_make_finding_full (g_ptr_array_index (ids, i),
                                                           config, facts, evidence);
      /* A reply no rule knows is judged by its class: a temporary refusal (4xx) is a
       * warning, anything else (5xx) an error. Either way it fails its step. */
      if (g_str_equal (finding->id, "server-unexpected-reply"))
        finding->severity = (reply->code != 0 ? reply->code / 100 : reply->enh_class) == 4
                            ? DMD_SEVERITY_WARNING : DMD_SEVERITY_ERROR;
      /* Without a step, no step is claimed: the entry's usual check is a guess. */
      g_free (finding->check);
      finding->check = g_strdup (check);
      g_ptr_array_add (findings, finding);
    }
  return findings;
}

/* ------------------------------------------------------------------------------------------ */
/* Pasted replies                                                                              */
/* ------------------------------------------------------------------------------------------ */

static DmdReply *
reply_from_match (const char *text,
                  gsize       text_start,
                  guint       code,
                  guint       klass,
                  guint       subject,
                  guint       detail)
{
  DmdReply *reply = dmd_reply_new ();
  g_auto(GStrv) lines = NULL;

  reply->code = code;
  reply->enh_class = klass;
  reply->enh_subject = subject;
  reply->enh_detail = detail;

  lines = g_strsplit (text + text_start, "\n", DMD_REPLY_MAX_LINES);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (g_strchug (lines[i]));
      gsize len = MIN (strlen (line), (gsize) DMD_REPLY_MAX_LINE);

      if (*line == '\0' && i > 0)
        continue;
      g_ptr_array_add (reply->lines, dmd_escape_bytes ((const guint8 *) line, len));
    }
  if (reply->lines->len == 0)
    g_ptr_array_add (reply->lines, g_strdup (""));
  return reply;
}

/* Well-known reply texts that people paste without their code: the troubleshooting guide's own
 * headings (in English and in its Japanese translation), and bounce messages that quote only
 * the text. Each always comes with the enhanced code given here, so a pasted text with no code
 * at all is read as that code, and the rules (option, step, mechanism) apply as usual. Only
 * the enhanced code is set: the basic code was not seen, and the evidence stays the text as
 * pasted. Specific texts first; keywords as normalized_text gives the text (ASCII lower case,
 * white space collapsed). */
typedef struct {
  const char *any_of;
  guint8      enh_class;
  guint16     enh_subject;
  guint16     enh_detail;
} KnownText;

static const KnownText known_texts[] = {
  { "not authenticated to send anonymous mail|client not authenticated to send mail|"
    "client was not authenticated|匿名メールを送信するためにクライアントが認証されませんでした|"
    "クライアントがメールを送信するために認証されない", 5, 7, 57 },
  { "does not have permissions to send as this sender|sendasdenied|"
    "この送信者として送信するアクセス許可がありません", 5, 7, 60 },
  { "smtpclientauthentication is disabled for the tenant", 5, 7, 139 },
  { "sts service could not be reached|federation sts url|フェデレーション sts", 5, 7, 139 },
  { "basic authentication is not supported for client submission", 5, 7, 30 },
  { "starttls is required to send mail", 5, 7, 3 },
  { "tls 1.0 and 1.1 are not supported", 4, 7, 66 },
  { "bad outbound sender|送信送信者が正しくありません", 5, 1, 8 },
  { "direct send not allowed for this organization|tenantinboundattribution", 5, 7, 68 },
  { "tenantattribution|relay access denied attr36", 5, 7, 64 },
  { "mail sent to the wrong office 365 region|間違った office 365 リージョン", 4, 4, 62 },
  { "banned sending ip", 5, 7, 606 },
  { "traffic not accepted from this ip", 5, 7, 708 },
  { "spam abuse detected", 5, 7, 501 },
  { "blocked from sending from unregistered domain", 5, 7, 750 },
  { "submission quota was exceeded|submissionquotaexceeded", 5, 2, 0 },
  { "authentication unsuccessful|認証に失敗しました", 5, 7, 3 },
};

static DmdReply *
reply_from_known_text (const char *text)
{
  g_autoptr(DmdReply) probe = dmd_reply_new ();
  g_autofree char *normal = NULL;

  g_ptr_array_add (probe->lines, g_strdup (text));
  normal = normalized_text (probe);
  for (guint i = 0; i < G_N_ELEMENTS (known_texts); i++)
    if (text_has_any (normal, known_texts[i].any_of))
      return reply_from_match (text, 0, 0, known_texts[i].enh_class, known_texts[i].enh_subject,
                               known_texts[i].enh_detail);
  return NULL;
}

DmdReply *
dmd_catalog_parse_pasted_reply (const char *text)
{
  static const char *patterns[] = {
    /* "550 5.7.60 …" anywhere, e.g. "Remote Server returned '550 5.7.60 SMTP; …'" */
    "(?<![0-9.])([2-5][0-9][0-9])[ -]+([245])\\.([0-9]{1,3})\\.([0-9]{1,3})(?!\\.?[0-9])",
    /* "5.7.60 SMTP; …" (an enhanced code alone, as in a bounce message) */
    "(?<![0-9.])([245])\\.([0-9]{1,3})\\.([0-9]{1,3})(?!\\.?[0-9])",
    /* "530 Authentication required" */
    "(?<![0-9.])([2-5][0-9][0-9])(?=[ -]|$)",
  };
  DmdReply *reply;

  g_return_val_if_fail (text != NULL, NULL);

  reply = dmd_reply_parse_text (text);
  if (reply != NULL && reply->code != 0)
    return reply;
  g_clear_pointer (&reply, dmd_reply_free);

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autoptr(GRegex) regex = g_regex_new (patterns[i], G_REGEX_MULTILINE | G_REGEX_RAW, 0, NULL);
      g_autoptr(GMatchInfo) info = NULL;
      int start, end;
      guint v[4] = { 0, };
      guint n = (i == 0) ? 4 : (i == 1) ? 3 : 1;

      g_assert (regex != NULL);
      if (!g_regex_match (regex, text, 0, &info))
        continue;
      for (guint k = 0; k < n; k++)
        {
          g_autofree char *s = g_match_info_fetch (info, (int) k + 1);
          v[k] = (guint) g_ascii_strtoull (s, NULL, 10);
        }
      if (i == 0)
        {
          g_match_info_fetch_pos (info, 2, &start, &end);
          return reply_from_match (text, (gsize) start, v[0], v[1], v[2], v[3]);
        }
      if (i == 1)
        {
          g_match_info_fetch_pos (info, 1, &start, &end);
          return reply_from_match (text, (gsize) start, 0, v[0], v[1], v[2]);
        }
      g_match_info_fetch_pos (info, 1, &start, &end);
      return reply_from_match (text, (gsize) end, v[0], 0, 0, 0);
    }
  return reply_from_known_text (text);
}

/* ------------------------------------------------------------------------------------------ */
/* Meanings                                                                                    */
/* ------------------------------------------------------------------------------------------ */

char *
_dmd_catalog_join_sentences (const char *first,
                             const char *second)
{
  /* Translators: joins two sentences of an explanation; in Japanese without a space */
  return g_strdup_printf (C_("sentences", "%s %s"), first, second);
}

typedef struct {
  guint16     subject;
  guint16     detail;
  const char *meaning;
} EnhancedMeaning;

/* RFC 3463 §3.1–3.8 (details), and the RFC 4954 additions every mail client meets. */
static const EnhancedMeaning enhanced_meanings[] = {
  { 0, 0, N_("Other undefined status") },
  { 1, 0, N_("Other address status") },
  { 1, 1, N_("Bad destination mailbox address") },
  { 1, 2, N_("Bad destination system address") },
  { 1, 3, N_("Bad destination mailbox address syntax") },
  { 1, 4, N_("Destination mailbox address ambiguous") },
  { 1, 5, N_("Destination address valid") },
  { 1, 6, N_("Destination mailbox has moved, no forwarding address") },
  { 1, 7, N_("Bad sender’s mailbox address syntax") },
  { 1, 8, N_("Bad sender’s system address") },
  { 2, 0, N_("Other or undefined mailbox status") },
  { 2, 1, N_("Mailbox disabled, not accepting messages") },
  { 2, 2, N_("Mailbox full") },
  { 2, 3, N_("Message length exceeds administrative limit") },
  { 2, 4, N_("Mailing list expansion problem") },
  { 3, 0, N_("Other or undefined mail system status") },
  { 3, 1, N_("Mail system full") },
  { 3, 2, N_("System not accepting network messages") },
  { 3, 3, N_("System not capable of selected features") },
  { 3, 4, N_("Message too big for system") },
  { 3, 5, N_("System incorrectly configured") },
  { 4, 0, N_("Other or undefined network or routing status") },
  { 4, 1, N_("No answer from host") },
  { 4, 2, N_("Bad connection") },
  { 4, 3, N_("Directory server failure") },
  { 4, 4, N_("Unable to route") },
  { 4, 5, N_("Mail system congestion") },
  { 4, 6, N_("Routing loop detected") },
  { 4, 7, N_("Delivery time expired") },
  { 5, 0, N_("Other or undefined protocol status") },
  { 5, 1, N_("Invalid command") },
  { 5, 2, N_("Syntax error") },
  { 5, 3, N_("Too many recipients") },
  { 5, 4, N_("Invalid command arguments") },
  { 5, 5, N_("Wrong protocol version") },
  { 5, 6, N_("Authentication exchange line is too long") },
  { 6, 0, N_("Other or undefined media error") },
  { 6, 1, N_("Media not supported") },
  { 6, 2, N_("Conversion required and prohibited") },
  { 6, 3, N_("Conversion required but not supported") },
  { 6, 4, N_("Conversion with loss performed") },
  { 6, 5, N_("Conversion failed") },
  { 7, 0, N_("Other or undefined security status") },
  { 7, 1, N_("Delivery not authorized, message refused") },
  { 7, 2, N_("Mailing list expansion prohibited") },
  { 7, 3, N_("Security conversion required but not possible") },
  { 7, 4, N_("Security features not supported") },
  { 7, 5, N_("Cryptographic failure") },
  { 7, 6, N_("Cryptographic algorithm not supported") },
  { 7, 7, N_("Message integrity failure") },
  { 7, 8, N_("Authentication credentials invalid") },
  { 7, 9, N_("Authentication mechanism is too weak") },
  { 7, 11, N_("Encryption required for requested authentication mechanism") },
  { 7, 12, N_("A password transition is needed") },
};

static const char *subject_meanings[] = {
  N_("Other or undefined status"),
  N_("Addressing status"),
  N_("Mailbox status"),
  N_("Mail system status"),
  N_("Network and routing status"),
  N_("Mail delivery protocol status"),
  N_("Message content or media status"),
  N_("Security or policy status"),
};

const char *
dmd_catalog_enhanced_class_meaning (guint klass)
{
  switch (klass)
    {
    case 2:  return _("Success");
    case 4:  return _("Persistent transient failure (a later attempt may succeed)");
    case 5:  return _("Permanent failure (the same attempt will fail again)");
    default: return _("Unknown class");
    }
}

const char *
dmd_catalog_enhanced_code_meaning (guint klass,
                                   guint subject,
                                   guint detail)
{
  for (guint i = 0; i < G_N_ELEMENTS (enhanced_meanings); i++)
    if (enhanced_meanings[i].subject == subject && enhanced_meanings[i].detail == detail)
      return _(enhanced_meanings[i].meaning);
  if (subject < G_N_ELEMENTS (subject_meanings))
    return _(subject_meanings[subject]);
  return _("Unknown status");
}

typedef struct {
  guint16     code;
  const char *meaning;
} BasicMeaning;

/* RFC 5321 §4.2, RFC 4954 §6 (AUTH), RFC 3207 (STARTTLS). */
static const BasicMeaning basic_meanings[] = {
  { 211, N_("System status") },
  { 214, N_("Help message") },
  { 220, N_("Service ready") },
  { 221, N_("Service closing the connection") },
  { 235, N_("Authentication succeeded") },
  { 250, N_("Requested action completed") },
  { 251, N_("User not local; the message will be forwarded") },
  { 252, N_("Cannot verify the user, but the message will be accepted") },
  { 334, N_("Authentication challenge: the server waits for the next step") },
  { 354, N_("Start the message input") },
  { 421, N_("Service not available, closing the connection") },
  { 432, N_("A password transition is needed") },
  { 450, N_("Requested action not taken: mailbox unavailable (temporarily)") },
  { 451, N_("Requested action aborted: local error in processing") },
  { 452, N_("Requested action not taken: insufficient system storage") },
  { 454, N_("Temporary authentication or TLS failure") },
  { 455, N_("Server unable to accommodate the parameters") },
  { 500, N_("Syntax error, command unrecognized") },
  { 501, N_("Syntax error in parameters or arguments") },
  { 502, N_("Command not implemented") },
  { 503, N_("Bad sequence of commands") },
  { 504, N_("Command parameter not implemented") },
  { 530, N_("Authentication required") },
  { 534, N_("Authentication mechanism is too weak") },
  { 535, N_("Authentication credentials invalid") },
  { 538, N_("Encryption required for the requested authentication mechanism") },
  { 550, N_("Requested action not taken: mailbox unavailable or refused by policy") },
  { 551, N_("User not local") },
  { 552, N_("Requested action aborted: exceeded storage allocation") },
  { 553, N_("Requested action not taken: mailbox name not allowed") },
  { 554, N_("Transaction failed") },
  { 555, N_("MAIL FROM or RCPT TO parameters not recognized or not implemented") },
};

const char *
dmd_catalog_basic_code_meaning (guint code)
{
  for (guint i = 0; i < G_N_ELEMENTS (basic_meanings); i++)
    if (basic_meanings[i].code == code)
      return _(basic_meanings[i].meaning);
  switch (code / 100)
    {
    case 2:  return _("Success");
    case 3:  return _("Intermediate reply: the server waits for more");
    case 4:  return _("Temporary failure: a later attempt may succeed");
    case 5:  return _("Permanent failure");
    default: return _("Unknown reply code");
    }
}

char *
dmd_catalog_describe_reply_codes (const DmdReply *reply)
{
  g_autofree char *basic = NULL;
  g_autofree char *enhanced = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  if (reply->code != 0)
    /* Translators: %u is an SMTP reply code such as 550, %s its meaning */
    basic = g_strdup_printf (_("Reply code %u: %s."), reply->code,
                             dmd_catalog_basic_code_meaning (reply->code));
  if (reply->enh_class != 0)
    /* Translators: %u.%u.%u is an enhanced status code such as 5.7.1; then the meaning of
     * its class and of the code (RFC 3463) */
    enhanced = g_strdup_printf (_("Enhanced status code %u.%u.%u (RFC 3463): %s; %s."),
                                reply->enh_class, reply->enh_subject, reply->enh_detail,
                                dmd_catalog_enhanced_class_meaning (reply->enh_class),
                                dmd_catalog_enhanced_code_meaning (reply->enh_class,
                                                                   reply->enh_subject,
                                                                   reply->enh_detail));
  if (basic != NULL && enhanced != NULL)
    return _dmd_catalog_join_sentences (basic, enhanced);
  if (basic != NULL)
    return g_steal_pointer (&basic);
  return g_steal_pointer (&enhanced);
}
