/* dmd-qr.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <qrencode.h>

#include "dmd-qr.h"

#define QUIET_ZONE 4   /* modules of white around the code (ISO/IEC 18004) */

GdkTexture *
dmd_qr_texture_new (const char *text,
                    guint       module_px)
{
  QRcode *qr;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  guint side, stride;

  g_return_val_if_fail (text != NULL && module_px > 0, NULL);

  qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    return NULL;

  side = ((guint) qr->width + 2 * QUIET_ZONE) * module_px;
  stride = side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);
  for (int y = 0; y < qr->width; y++)
    for (int x = 0; x < qr->width; x++)
      {
        /* bit 0 of each byte: 1 = dark module */
        if ((qr->data[y * qr->width + x] & 1) == 0)
          continue;
        for (guint dy = 0; dy < module_px; dy++)
          {
            guint row = ((guint) y + QUIET_ZONE) * module_px + dy;
            guint col = ((guint) x + QUIET_ZONE) * module_px;

            memset (pixels + row * stride + col * 3, 0x00, module_px * 3);
          }
      }
  QRcode_free (qr);

  bytes = g_bytes_new_take (pixels, stride * side);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}
