/* dmd-core.h — the single include of the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dmd-enums.h"
#include "dmd-result.h"
