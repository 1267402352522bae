/* dmd-core.h — the one public include of the engine
 *
 * src/ui and src/cli include this header only; the engine's other headers refuse to be
 * included directly, and its internal ones (connections, the SMTP client, the scripted
 * server, `*-private.h`) are for the engine and its tests alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define DMD_CORE_INSIDE

#include "dmd-enums.h"
#include "dmd-options.h"
#include "dmd-config.h"
#include "dmd-host.h"
#include "dmd-result.h"
#include "dmd-words.h"
#include "dmd-reply.h"
#include "dmd-tls.h"
#include "dmd-oauth.h"
#include "dmd-dns.h"
#include "dmd-catalog.h"
#include "dmd-explain.h"
#include "dmd-checkup.h"
#include "dmd-report.h"
#include "dmd-capture.h"
#include "dmd-capture-report.h"

#undef DMD_CORE_INSIDE
