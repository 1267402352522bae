/* dmd-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-page.h"
#include "dmd-session.h"

typedef struct
{
  char                 *title;
  char                 *forward_label;
  gboolean              complete;
  gboolean              applying;
  gboolean              has_forward;
  gboolean              forward_when_incomplete;
  GCancellable         *apply_cancel;
  DmdPageApplyCallback  apply_cb;
  gpointer              apply_data;
  DmdSession           *session;
} DmdPagePrivate;

enum {
  PROP_0,
  PROP_TITLE,
  PROP_FORWARD_LABEL,
  PROP_COMPLETE,
  PROP_APPLYING,
  PROP_HAS_FORWARD,
  PROP_FORWARD_WHEN_INCOMPLETE,
  PROP_SESSION,
  N_PROPS
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DmdPage, dmd_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

/* g_set_str() is GLib 2.76; we build against 2.74. */
static gboolean
set_str (char       **slot,
         const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
dmd_page_constructed (GObject *object)
{
  DmdPage *self = DMD_PAGE (object);
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  G_OBJECT_CLASS (dmd_page_parent_class)->constructed (object);

  if (priv->session == NULL)
    priv->session = dmd_session_new ();
}

static void
dmd_page_dispose (GObject *object)
{
  DmdPage *self = DMD_PAGE (object);
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  if (priv->apply_cancel != NULL)
    g_cancellable_cancel (priv->apply_cancel);
  g_clear_object (&priv->apply_cancel);
  g_clear_object (&priv->session);

  G_OBJECT_CLASS (dmd_page_parent_class)->dispose (object);
}

static void
dmd_page_finalize (GObject *object)
{
  DmdPage *self = DMD_PAGE (object);
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  g_free (priv->title);
  g_free (priv->forward_label);

  G_OBJECT_CLASS (dmd_page_parent_class)->finalize (object);
}

static void
dmd_page_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  DmdPage *self = DMD_PAGE (object);
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    case PROP_FORWARD_LABEL:
      g_value_set_string (value, priv->forward_label);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;
    case PROP_APPLYING:
      g_value_set_boolean (value, priv->applying);
      break;
    case PROP_HAS_FORWARD:
      g_value_set_boolean (value, priv->has_forward);
      break;
    case PROP_FORWARD_WHEN_INCOMPLETE:
      g_value_set_boolean (value, priv->forward_when_incomplete);
      break;
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_page_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  DmdPage *self = DMD_PAGE (object);
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      dmd_page_set_title (self, g_value_get_string (value));
      break;
    case PROP_FORWARD_LABEL:
      dmd_page_set_forward_label (self, g_value_get_string (value));
      break;
    case PROP_COMPLETE:
      dmd_page_set_complete (self, g_value_get_boolean (value));
      break;
    case PROP_HAS_FORWARD:
      dmd_page_set_has_forward (self, g_value_get_boolean (value));
      break;
    case PROP_FORWARD_WHEN_INCOMPLETE:
      dmd_page_set_forward_when_incomplete (self, g_value_get_boolean (value));
      break;
    case PROP_SESSION:
      g_set_object (&priv->session, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_page_class_init (DmdPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = dmd_page_constructed;
  object_class->dispose = dmd_page_dispose;
  object_class->finalize = dmd_page_finalize;
  object_class->get_property = dmd_page_get_property;
  object_class->set_property = dmd_page_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORWARD_LABEL] =
    g_param_spec_string ("forward-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APPLYING] =
    g_param_spec_boolean ("applying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_FORWARD] =
    g_param_spec_boolean ("has-forward", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The forward button stays enabled on an incomplete page: its apply step then shows what
   * is missing (and fails), rather than leaving the user to guess why nothing happens. */
  properties[PROP_FORWARD_WHEN_INCOMPLETE] =
    g_param_spec_boolean ("forward-when-incomplete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the wizard's pages share. A page made without one (as in a widget test) gets its
   * own. */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, DMD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dmd_page_init (DmdPage *self)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (self);

  priv->has_forward = TRUE;
}

const char *
dmd_page_get_title (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), NULL);
  return priv->title;
}

void
dmd_page_set_title (DmdPage    *page,
                    const char *title)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  if (set_str (&priv->title, title))
    g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_TITLE]);
}

const char *
dmd_page_get_forward_label (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), NULL);
  return priv->forward_label;
}

void
dmd_page_set_forward_label (DmdPage    *page,
                            const char *label)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  if (set_str (&priv->forward_label, label))
    g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_FORWARD_LABEL]);
}

gboolean
dmd_page_get_complete (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), FALSE);
  return priv->complete;
}

void
dmd_page_set_complete (DmdPage  *page,
                       gboolean  complete)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  complete = !!complete;
  if (priv->complete == complete)
    return;
  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_COMPLETE]);
}

gboolean
dmd_page_get_applying (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), FALSE);
  return priv->applying;
}

gboolean
dmd_page_get_has_forward (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), FALSE);
  return priv->has_forward;
}

void
dmd_page_set_has_forward (DmdPage  *page,
                          gboolean  has_forward)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  has_forward = !!has_forward;
  if (priv->has_forward == has_forward)
    return;
  priv->has_forward = has_forward;
  g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_HAS_FORWARD]);
}

gboolean
dmd_page_get_forward_when_incomplete (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), FALSE);
  return priv->forward_when_incomplete;
}

void
dmd_page_set_forward_when_incomplete (DmdPage  *page,
                                      gboolean  forward_when_incomplete)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  forward_when_incomplete = !!forward_when_incomplete;
  if (priv->forward_when_incomplete == forward_when_incomplete)
    return;
  priv->forward_when_incomplete = forward_when_incomplete;
  g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_FORWARD_WHEN_INCOMPLETE]);
}

/* Whether the forward action may start the page's apply step. */
gboolean
dmd_page_get_can_forward (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), FALSE);
  return !priv->applying && (priv->complete || priv->forward_when_incomplete);
}

DmdSession *
dmd_page_get_session (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_val_if_fail (DMD_IS_PAGE (page), NULL);
  return priv->session;
}

void
dmd_page_apply_begin (DmdPage              *page,
                      DmdPageApplyCallback  callback,
                      gpointer              user_data)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);
  DmdPageClass *klass;

  g_return_if_fail (DMD_IS_PAGE (page));
  g_return_if_fail (!priv->applying);

  klass = DMD_PAGE_GET_CLASS (page);
  priv->apply_cb = callback;
  priv->apply_data = user_data;
  g_clear_object (&priv->apply_cancel);
  priv->apply_cancel = g_cancellable_new ();
  priv->applying = TRUE;
  g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_APPLYING]);

  /* No asynchronous work: complete at once, avoiding a flicker of the applying state. */
  if (klass->apply == NULL || !klass->apply (page, priv->apply_cancel))
    dmd_page_apply_complete (page, TRUE);
}

void
dmd_page_apply_complete (DmdPage  *page,
                         gboolean  valid)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);
  DmdPageApplyCallback callback;
  gpointer data;

  g_return_if_fail (DMD_IS_PAGE (page));
  g_return_if_fail (priv->applying);

  callback = priv->apply_cb;
  data = priv->apply_data;
  priv->apply_cb = NULL;
  priv->apply_data = NULL;
  g_clear_object (&priv->apply_cancel);
  priv->applying = FALSE;
  g_object_notify_by_pspec (G_OBJECT (page), properties[PROP_APPLYING]);

  if (callback != NULL)
    callback (page, valid, data);
}

void
dmd_page_apply_cancel (DmdPage *page)
{
  DmdPagePrivate *priv = dmd_page_get_instance_private (page);

  g_return_if_fail (DMD_IS_PAGE (page));
  if (priv->apply_cancel != NULL)
    g_cancellable_cancel (priv->apply_cancel);
}

void
dmd_page_shown (DmdPage *page)
{
  DmdPageClass *klass;

  g_return_if_fail (DMD_IS_PAGE (page));
  klass = DMD_PAGE_GET_CLASS (page);
  if (klass->shown != NULL)
    klass->shown (page);
}
