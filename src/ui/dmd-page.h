/* dmd-page.h — a wizard page (after GNOME Initial Setup's GisPage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dmd-session.h"

G_BEGIN_DECLS

#define DMD_TYPE_PAGE (dmd_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (DmdPage, dmd_page, DMD, PAGE, AdwBin)

typedef void (*DmdPageApplyCallback) (DmdPage  *page,
                                      gboolean  valid,
                                      gpointer  user_data);

struct _DmdPageClass
{
  AdwBinClass parent_class;

  /* Start applying the page (Next was pressed). Return FALSE when done at once (no
   * asynchronous work); otherwise call dmd_page_apply_complete() later, or before returning
   * TRUE to fail at once (a forward-when-incomplete page that is incomplete). */
  gboolean (*apply) (DmdPage      *page,
                     GCancellable *cancellable);
  /* The page became the visible one. */
  void     (*shown) (DmdPage      *page);
};

const char *dmd_page_get_title          (DmdPage              *page);
void        dmd_page_set_title          (DmdPage              *page,
                                         const char           *title);
const char *dmd_page_get_forward_label  (DmdPage              *page);
void        dmd_page_set_forward_label  (DmdPage              *page,
                                         const char           *label);
gboolean    dmd_page_get_complete       (DmdPage              *page);
void        dmd_page_set_complete       (DmdPage              *page,
                                         gboolean              complete);
gboolean    dmd_page_get_applying       (DmdPage              *page);
gboolean    dmd_page_get_has_forward    (DmdPage              *page);
void        dmd_page_set_has_forward    (DmdPage              *page,
                                         gboolean              has_forward);
/* Forward stays enabled while the page is incomplete; its apply step then shows what is
 * missing, and fails. */
gboolean    dmd_page_get_forward_when_incomplete (DmdPage     *page);
void        dmd_page_set_forward_when_incomplete (DmdPage     *page,
                                                  gboolean     forward_when_incomplete);
/* Not applying, and complete or forward-when-incomplete. */
gboolean    dmd_page_get_can_forward    (DmdPage              *page);
DmdSession *dmd_page_get_session        (DmdPage              *page);

void        dmd_page_apply_begin        (DmdPage              *page,
                                         DmdPageApplyCallback  callback,
                                         gpointer              user_data);
void        dmd_page_apply_complete     (DmdPage              *page,
                                         gboolean              valid);
void        dmd_page_apply_cancel       (DmdPage              *page);
void        dmd_page_shown              (DmdPage              *page);

G_END_DECLS
