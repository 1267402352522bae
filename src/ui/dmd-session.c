/* dmd-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "dmd-session.h"

struct _DmdSession
{
  GObject          parent_instance;

  DmdOption        option;
  DmdDeviceConfig *config;
  DmdResult       *result;
  GSettings       *settings;
};

enum {
  PROP_0,
  PROP_OPTION,
  PROP_CONFIG,
  PROP_RESULT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DmdSession, dmd_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
dmd_session_finalize (GObject *object)
{
  DmdSession *self = DMD_SESSION (object);

  g_clear_pointer (&self->config, dmd_device_config_free);
  g_clear_pointer (&self->result, dmd_result_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dmd_session_parent_class)->finalize (object);
}

static void
dmd_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DmdSession *self = DMD_SESSION (object);

  switch (prop_id)
    {
    case PROP_OPTION:
      g_value_set_int (value, self->option);
      break;
    case PROP_CONFIG:
      g_value_set_pointer (value, self->config);
      break;
    case PROP_RESULT:
      g_value_set_pointer (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DmdSession *self = DMD_SESSION (object);

  switch (prop_id)
    {
    case PROP_OPTION:
      dmd_session_set_option (self, (DmdOption) g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dmd_session_class_init (DmdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dmd_session_finalize;
  object_class->get_property = dmd_session_get_property;
  object_class->set_property = dmd_session_set_property;

  properties[PROP_OPTION] =
    g_param_spec_int ("option", NULL, NULL,
                      0, DMD_N_OPTIONS - 1, DMD_OPTION_SMTP_AUTH,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG] =
    g_param_spec_pointer ("config", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] =
    g_param_spec_pointer ("result", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dmd_session_init (DmdSession *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running uninstalled without GSETTINGS_SCHEMA_DIR must not abort: nothing is remembered. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (BASE_APP_ID);
      self->option = (DmdOption) g_settings_get_enum (self->settings, "option");
    }
  else
    {
      g_debug ("session: schema %s not found, settings are not remembered", BASE_APP_ID);
    }
}

DmdSession *
dmd_session_new (void)
{
  return g_object_new (DMD_TYPE_SESSION, NULL);
}

DmdOption
dmd_session_get_option (DmdSession *self)
{
  g_return_val_if_fail (DMD_IS_SESSION (self), DMD_OPTION_SMTP_AUTH);
  return self->option;
}

void
dmd_session_set_option (DmdSession *self,
                        DmdOption   option)
{
  g_return_if_fail (DMD_IS_SESSION (self));
  g_return_if_fail ((guint) option < DMD_N_OPTIONS);

  if (self->option == option)
    return;
  self->option = option;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTION]);
}

const DmdDeviceConfig *
dmd_session_get_config (DmdSession *self)
{
  g_return_val_if_fail (DMD_IS_SESSION (self), NULL);
  return self->config;
}

void
dmd_session_take_config (DmdSession      *self,
                         DmdDeviceConfig *config)
{
  g_return_if_fail (DMD_IS_SESSION (self));

  if (self->config == config)
    return;
  g_clear_pointer (&self->config, dmd_device_config_free);
  self->config = config;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

DmdResult *
dmd_session_get_result (DmdSession *self)
{
  g_return_val_if_fail (DMD_IS_SESSION (self), NULL);
  return self->result;
}

void
dmd_session_set_result (DmdSession *self,
                        DmdResult  *result)
{
  g_return_if_fail (DMD_IS_SESSION (self));

  if (self->result == result)
    return;
  if (result != NULL)
    dmd_result_ref (result);
  g_clear_pointer (&self->result, dmd_result_unref);
  self->result = result;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

GSettings *
dmd_session_get_settings (DmdSession *self)
{
  g_return_val_if_fail (DMD_IS_SESSION (self), NULL);
  return self->settings;
}
