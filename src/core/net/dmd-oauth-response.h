/* dmd-oauth-response.h — what the Microsoft identity platform answered, read from its JSON
 *
 * The token endpoint and the device code endpoint answer with one JSON object: a token, a
 * device code, or an error (`error`, `error_codes`, `error_description`, `trace_id`,
 * `correlation_id`). The reader takes the bytes as they came (any bytes: a proxy's HTML page,
 * invalid UTF-8, a truncated object) and keeps only what the engine uses, each value checked
 * for shape and every text made safe to show. Entra ID's errors are told apart by their
 * AADSTS number (the first of `error_codes`) and the protocol's `error` code, never by the
 * description's words.
 *
 * The access token and the device code are secrets: wiped when the response is freed. The
 * refresh token is never kept (only whether there was one).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Bounds on what is read (larger answers are not the identity platform's). */
#define DMD_OAUTH_RESPONSE_MAX      (64 * 1024)
#define DMD_OAUTH_TOKEN_MAX         (32 * 1024)
#define DMD_OAUTH_DESCRIPTION_MAX   400

typedef enum {
  DMD_OAUTH_RESPONSE_MALFORMED,    /* not JSON, not an object, or a value of the wrong shape */
  DMD_OAUTH_RESPONSE_TOKEN,        /* access_token (and token_type, expires_in) */
  DMD_OAUTH_RESPONSE_DEVICE_CODE,  /* device_code, user_code, verification_uri */
  DMD_OAUTH_RESPONSE_ERROR,        /* error (and error_codes, error_description) */
} DmdOAuthResponseKind;

typedef struct {
  DmdOAuthResponseKind kind;
  char    *why;                /* MALFORMED: what was wrong, in words (translated) */

  /* TOKEN */
  char    *access_token;       /* secret: printable ASCII, no blank */
  char    *token_type;         /* "Bearer" */
  gint64   expires_in;         /* seconds; 0 when not given */
  gboolean has_refresh_token;  /* the refresh token itself is dropped at once */

  /* DEVICE_CODE */
  char    *device_code;        /* secret */
  char    *user_code;          /* what the person types: letters, digits, '-' */
  char    *verification_uri;   /* https://… (printable ASCII) */
  gint64   interval;           /* seconds between polls; 0 when not given */

  /* ERROR */
  char    *error;              /* the OAuth error code: lower-case letters and '_' */
  guint    aadsts;             /* first entry of error_codes; 0 when none */
  char    *description;        /* the first line of error_description, escaped, cut */
  char    *trace_id;           /* escaped, or NULL */
  char    *correlation_id;     /* escaped, or NULL */
} DmdOAuthResponse;

/* Reads one answer (at most DMD_OAUTH_RESPONSE_MAX bytes are looked at). Never NULL. */
DmdOAuthResponse *dmd_oauth_response_parse (const char       *data,
                                            gsize             len);
void              dmd_oauth_response_free  (DmdOAuthResponse *response);

/* Whether bytes may be handed to json-glib: valid UTF-8, no NUL, and brackets nested at most
 * 16 deep (json-glib parses recursively; a hostile input of nested brackets would exhaust the
 * stack). */
gboolean          dmd_json_text_ok         (const char       *data,
                                            gsize             len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdOAuthResponse, dmd_oauth_response_free)

G_END_DECLS
