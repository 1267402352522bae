/* dmd-dns-private.h — shared by the DNS folder's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifndef DMD_CORE_COMPILATION
#error "This header is internal to the engine (and its tests): include \"dmd-core.h\"."
#endif

#include "dmd-dns.h"

G_BEGIN_DECLS

/* A host name in lower case, without trailing dots. */
char *_dmd_dns_normalise_host (const char *host);

G_END_DECLS
