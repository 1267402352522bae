/* dmd-options.h — the sending options as data: one row per option
 *
 * Everything that differs between the Microsoft 365 sending options is a column of one
 * `static const` row in dmd-options.c: its machine name and display words, its default
 * endpoint, whether it signs in, the checks it runs, its recommended device settings and the
 * "Not sure?" answers that lead to it. The wizard, the CLI, the checkup, the reports and
 * capture read the row; adding an option is adding a row (and its catalogue entries).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined (DMD_CORE_INSIDE) && !defined (DMD_CORE_COMPILATION)
#error "Only \"dmd-core.h\" can be included directly."
#endif

#include <glib.h>

#include "dmd-enums.h"

G_BEGIN_DECLS

/* Where the device sends: a named endpoint it signs in to, or the organization's MX
 * endpoint (looked up from the domain when no server is given). */
typedef enum {
  DMD_ENDPOINT_SIGN_IN,
  DMD_ENDPOINT_MX,
} DmdEndpointKind;

/* How a recommended-settings row compares what was entered with what is recommended. */
typedef enum {
  DMD_RECOMMEND_INFO,                 /* nothing entered to compare: not applicable */
  DMD_RECOMMEND_SERVER_DEFAULT,       /* the option's default server */
  DMD_RECOMMEND_SERVER_MX,            /* an MX endpoint */
  DMD_RECOMMEND_PORT_SUBMISSION,      /* 587 or 25 */
  DMD_RECOMMEND_PORT_DEFAULT,         /* the option's default port only */
  DMD_RECOMMEND_SECURITY_STARTTLS,
  DMD_RECOMMEND_SECURITY_NOT_IMPLICIT,
  DMD_RECOMMEND_USER_ADDRESS,         /* a user name that is an address */
  DMD_RECOMMEND_SECRET_SET,           /* a password or a token was given */
  DMD_RECOMMEND_NO_SIGN_IN,           /* neither user name nor secret */
  DMD_RECOMMEND_SENDER_IS_USER,
  DMD_RECOMMEND_SENDER_IN_ORG,
  DMD_RECOMMEND_RECIPIENT_ANY,
  DMD_RECOMMEND_RECIPIENT_IN_ORG,
  DMD_RECOMMEND_CONNECTOR_IP,
} DmdRecommendRule;

typedef struct {
  const char       *name;         /* JSON name: "server", "port", "security", … */
  const char       *label;        /* untranslated (N_()); translate with _() */
  const char       *recommended;  /* untranslated (N_()) */
  DmdRecommendRule  rule;
} DmdRecommendRow;

/* An answer of the "Not sure?" questionnaire. In a rule, UNKNOWN means "any answer". */
typedef enum {
  DMD_ANSWER_UNKNOWN,
  DMD_ANSWER_YES,
  DMD_ANSWER_NO,
} DmdAnswer;

/* What the device's server field holds, as the questionnaire reads it. */
typedef enum {
  DMD_SERVER_FIELD_ANY,        /* in a rule: the field does not matter */
  DMD_SERVER_FIELD_SIGN_IN,    /* Microsoft 365's sign-in endpoint */
  DMD_SERVER_FIELD_HVE,        /* High Volume Email's endpoint */
  DMD_SERVER_FIELD_MX,         /* the organization's MX endpoint */
} DmdServerField;

/* One set of answers that leads to an option. The most specific rule that matches wins
 * (a server-field rule over any answer rule); rules of different options never tie. */
typedef struct {
  DmdServerField  server_field;
  DmdAnswer       has_login;
  DmdAnswer       can_oauth;    /* can the device sign in with OAuth (modern authentication)? */
  DmdAnswer       outside;
  DmdAnswer       static_ip;
  const char     *reason;       /* untranslated (N_()) */
} DmdOptionAnswers;

typedef struct {
  DmdOption               option;
  const char             *id;              /* the JSON/CLI name: "smtp-auth" */
  const char             *name;            /* untranslated (N_()), see dmd_option_display_name() */
  const char             *short_name;      /* untranslated, context "short option name" */
  const char             *subtitle;        /* untranslated (N_()): one line for the option page */
  gboolean                first_choice;    /* Microsoft's first choice: tagged "Recommended" */
  const char             *default_server;  /* NULL: the domain's MX endpoint */
  guint16                 default_port;
  DmdSecurity             default_security;
  DmdEndpointKind         endpoint;
  gboolean                signs_in;        /* user name and password (or token) */
  gboolean                internal_only;   /* delivers to the organization's own mailboxes only */
  gboolean                connector;       /* an inbound connector recognises the device */
  const char *const      *checks;          /* check ids it runs, NULL-terminated */
  const DmdRecommendRow  *recommended;     /* the recommended-settings table */
  guint                   n_recommended;
  const DmdOptionAnswers *answers;         /* the "Not sure?" answers that lead to it */
  guint                   n_answers;
  const char             *server_hint;     /* untranslated (N_()): under the server field */
  const char             *recipient_hint;  /* untranslated (N_()): under the recipient field */
  const char             *external_recipient_finding; /* raised for an outside recipient */
  const char             *basic_auth_finding;         /* raised for a password sign-in */
  gboolean                sender_is_login;  /* the sender must be the sign-in address (or Send As) */
  const char *const      *retiring_servers; /* names of its endpoint that are to be retired */
  const char             *retiring_server_finding;    /* raised for one of them */
  gboolean                explain_when_named; /* its reading of a reply is given only when the
                                               * reply names its endpoint (or it is chosen) */
  const char *const      *instead_when;     /* findings after which another option is offered */
  DmdOption               instead;          /* that option */
  const char             *instead_reason;   /* untranslated (N_()): why it may do */
} DmdOptionInfo;

/* The row of an option (never NULL for a valid option), and all rows in option order. */
const DmdOptionInfo *dmd_option_get_info        (DmdOption         option);
const DmdOptionInfo *dmd_options_get_all        (guint            *n_options);

/* Machine names (the JSON/CLI contract), and back; the display name (translated). */
const char          *dmd_option_to_string       (DmdOption         option);
gboolean             dmd_option_from_string     (const char       *str,
                                                 DmdOption        *out);
const char          *dmd_option_display_name    (DmdOption         option);
const char          *dmd_option_short_name      (DmdOption         option); /* translated */

/* Whether the option runs the check (its id, as in the report's "checks"). */
gboolean             dmd_option_runs_check      (DmdOption         option,
                                                 const char       *check_id);

/* The option whose endpoint (default server or a retiring name) the text names, if any. */
gboolean             dmd_options_named_in       (const char       *text,
                                                 DmdOption        *out);

/* The option a result of `option` suggests testing instead (one of its findings is in the
 * row's instead_when), and why (translated). FALSE when there is none. */
gboolean             dmd_option_instead_of      (DmdOption         option,
                                                 GPtrArray        *findings, /* DmdFinding* */
                                                 DmdOption        *out_option,
                                                 const char      **out_reason);

/* Every option's id joined by sep ("smtp-auth|direct-send|relay"): for help and errors. */
char                *dmd_options_join_ids       (const char       *sep);

/* The questionnaire: the option the answers (and the server field, if any) point to, and
 * why (translated). Returns FALSE (and no option) while the answers do not decide yet. */
gboolean             dmd_options_suggest        (DmdAnswer         has_login,
                                                 DmdAnswer         can_oauth,
                                                 DmdAnswer         outside,
                                                 DmdAnswer         static_ip,
                                                 const char       *server_field,
                                                 DmdOption        *out_option,
                                                 const char      **out_reason);

G_END_DECLS
