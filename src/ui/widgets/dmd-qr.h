/* dmd-qr.h — a QR code of a text (libqrencode), as a texture to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Dark modules on white with the standard quiet zone of four modules (a phone reads it in
 * dark mode too), each module module_px pixels wide; error correction level M. NULL when the
 * text cannot be encoded (too long for a QR code). */
GdkTexture *dmd_qr_texture_new (const char *text,
                                guint       module_px);

G_END_DECLS
