/* dmd-spf-private.h — an SPF record as parsed (dmd-spf-parse.c), for its evaluation
 * (dmd-spf.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-spf.h"

G_BEGIN_DECLS

typedef enum {
  DMD_SPF_MECH_ALL,
  DMD_SPF_MECH_INCLUDE,
  DMD_SPF_MECH_A,
  DMD_SPF_MECH_MX,
  DMD_SPF_MECH_PTR,
  DMD_SPF_MECH_IP4,
  DMD_SPF_MECH_IP6,
  DMD_SPF_MECH_EXISTS,
} DmdSpfMech;

typedef struct {
  char          qualifier;   /* + - ~ ? */
  DmdSpfMech    kind;
  char         *text;        /* the term as written */
  char         *spec;        /* domain-spec, or NULL = the current domain */
  GInetAddress *network;     /* ip4 / ip6 */
  guint         cidr4;
  guint         cidr6;
} DmdSpfTerm;

typedef struct {
  GPtrArray *terms;          /* DmdSpfTerm* */
  char      *redirect;       /* domain-spec */
  char      *exp;
  gboolean   has_all;
} DmdSpfRecord;

/* The whole record, "v=spf1" included. NULL with a translated *error on any syntax error. */
DmdSpfRecord *_dmd_spf_record_parse    (const char    *text,
                                        char         **error);
void          _dmd_spf_record_free     (DmdSpfRecord  *record);
/* Whether a TXT record is an SPF record ("v=spf1", then the end or a space). */
gboolean      _dmd_spf_is_record       (const char    *text);
/* Whether a mechanism queries DNS (and counts against the limit of 10). */
gboolean      _dmd_spf_is_lookup_term  (DmdSpfMech     kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmdSpfRecord, _dmd_spf_record_free)

G_END_DECLS
