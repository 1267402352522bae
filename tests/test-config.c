/* test-config.c — the device configuration: defaults, secrets, validation, host names,
 * addresses, --connect-to and the Microsoft endpoints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "dmd-config.h"
#include "dmd-host.h"

/* ---------------------------------------------------------------------------------------- */
/* Defaults, copy, secrets                                                                   */
/* ---------------------------------------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(DmdDeviceConfig) auth = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) direct = dmd_device_config_new (DMD_OPTION_DIRECT_SEND);
  g_autoptr(DmdDeviceConfig) relay = dmd_device_config_new (DMD_OPTION_RELAY);

  g_assert_cmpstr (dmd_device_config_get_server (auth), ==, "smtp.office365.com");
  g_assert_cmpuint (dmd_device_config_get_port (auth), ==, 587);
  g_assert_cmpint (auth->security, ==, DMD_SECURITY_STARTTLS);
  g_assert_cmpint (auth->ip_version, ==, DMD_IP_VERSION_4);
  g_assert_cmpuint (auth->timeout_seconds, ==, 10);
  g_assert_nonnull (auth->connect_to);
  g_assert_cmpint (dmd_device_config_get_auth_mech (auth), ==, DMD_AUTH_NONE);

  /* Direct Send and relay: port 25, no server means the domain's MX. */
  g_assert_null (dmd_device_config_get_server (direct));
  g_assert_cmpuint (dmd_device_config_get_port (direct), ==, 25);
  g_assert_null (dmd_device_config_get_server (relay));
  g_assert_cmpuint (dmd_device_config_get_port (relay), ==, 25);
  g_assert_cmpuint (dmd_device_config_default_port (DMD_OPTION_RELAY), ==, 25);
  g_assert_cmpuint (dmd_device_config_default_port (DMD_OPTION_SMTP_AUTH), ==, 587);

  relay->server = g_strdup ("");
  g_assert_null (dmd_device_config_get_server (relay));
  relay->server = (g_free (relay->server), g_strdup ("contoso-com.mail.protection.outlook.com"));
  relay->port = 2525;
  g_assert_cmpstr (dmd_device_config_get_server (relay), ==,
                   "contoso-com.mail.protection.outlook.com");
  g_assert_cmpuint (dmd_device_config_get_port (relay), ==, 2525);
}

static void
test_auth_mech (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) relay = dmd_device_config_new (DMD_OPTION_RELAY);

  config->username = g_strdup ("scanner@contoso.com");
  g_assert_cmpint (dmd_device_config_get_auth_mech (config), ==, DMD_AUTH_LOGIN);
  dmd_device_config_set_password (config, "s3cret");
  g_assert_cmpint (dmd_device_config_get_auth_mech (config), ==, DMD_AUTH_LOGIN);
  dmd_device_config_set_password (config, NULL);
  g_assert_null (config->password);
  dmd_device_config_set_oauth_token (config, "eyJ0eXAiOiJKV1QiLCJub25jZSI6");
  g_assert_cmpint (dmd_device_config_get_auth_mech (config), ==, DMD_AUTH_XOAUTH2);

  /* Direct Send and relay never sign in. */
  relay->username = g_strdup ("scanner@contoso.com");
  dmd_device_config_set_password (relay, "s3cret");
  g_assert_cmpint (dmd_device_config_get_auth_mech (relay), ==, DMD_AUTH_NONE);
}

static void
test_copy (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_RELAY);
  g_autoptr(DmdDeviceConfig) copy = NULL;
  g_autoptr(GError) error = NULL;

  config->server = g_strdup ("contoso-com.mail.protection.outlook.com");
  config->username = g_strdup ("scanner@contoso.com");
  dmd_device_config_set_password (config, "pa55word");
  dmd_device_config_set_oauth_token (config, "token");
  config->from = g_strdup ("scanner@contoso.com");
  config->to = g_strdup ("someone@contoso.com");
  config->domain = g_strdup ("contoso.com");
  config->connector_ip = g_strdup ("203.0.113.7");
  config->ca_file = g_strdup ("/tmp/ca.pem");
  config->today = g_date_time_new_utc (2026, 11, 27, 12, 0, 0);
  config->send = TRUE;
  config->timeout_seconds = 3;
  g_ptr_array_add (config->connect_to,
                   dmd_connect_to_parse ("contoso-com.mail.protection.outlook.com:25:"
                                         "127.0.0.1:2525", &error));
  g_assert_no_error (error);

  copy = dmd_device_config_copy (config);
  g_assert_true (copy->password != config->password);
  g_assert_cmpstr (copy->password, ==, "pa55word");
  g_assert_cmpstr (copy->oauth_token, ==, "token");
  g_assert_cmpstr (copy->server, ==, config->server);
  g_assert_cmpstr (copy->connector_ip, ==, "203.0.113.7");
  g_assert_cmpstr (copy->ca_file, ==, "/tmp/ca.pem");
  g_assert_true (copy->today == config->today);
  g_assert_true (copy->send);
  g_assert_cmpuint (copy->timeout_seconds, ==, 3);
  g_assert_cmpuint (copy->connect_to->len, ==, 1);
  g_assert_true (g_ptr_array_index (copy->connect_to, 0) !=
                 g_ptr_array_index (config->connect_to, 0));

  /* The copy lives on after the original is gone. */
  g_clear_pointer (&config, dmd_device_config_free);
  g_assert_cmpstr (((DmdConnectTo *) g_ptr_array_index (copy->connect_to, 0))->to_addr, ==,
                   "127.0.0.1");
  g_assert_cmpstr (copy->from, ==, "scanner@contoso.com");
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Secrets are zeroed before their memory goes back to the allocator. This looks at freed
 * memory, which is only meaningful with glibc's allocator (a freed small chunk keeps its bytes
 * past the first 16, where the tcache stores its links) and not under AddressSanitizer. */
static void
test_secret_wiped (void)
{
#if defined(UNDER_ASAN) || !defined(__GLIBC__)
  g_test_skip ("looks at freed memory: glibc's allocator only, not under AddressSanitizer");
#else
  DmdDeviceConfig *config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  static const char secret[] = "correct-horse-battery-staple-0123456789";
  volatile char *password;
  volatile char *token;
  volatile char *replaced;

  dmd_device_config_set_password (config, secret);
  replaced = config->password;
  /* Replacing a secret wipes the old copy. */
  dmd_device_config_set_password (config, secret);
  dmd_device_config_set_oauth_token (config, secret);
  password = config->password;
  token = config->oauth_token;
  dmd_device_config_free (config);

  for (gsize i = 16; i < sizeof secret - 1; i++)
    {
      g_assert_cmpint (replaced[i], ==, 0);
      g_assert_cmpint (password[i], ==, 0);
      g_assert_cmpint (token[i], ==, 0);
    }
#endif
}

/* ---------------------------------------------------------------------------------------- */
/* Host names                                                                                */
/* ---------------------------------------------------------------------------------------- */

static void
test_host_valid (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "smtp.office365.com", "smtp.office365.com" },
    { "SMTP.Office365.COM", "smtp.office365.com" },
    { "smtp.office365.com.", "smtp.office365.com" },
    { "  smtp.office365.com  ", "smtp.office365.com" },
    { "contoso-com.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com" },
    { "localhost", "localhost" },
    { "bücher.example", "xn--bcher-kva.example" },
    { "BÜCHER.example", "xn--bcher-kva.example" },
    { "メール.例え.jp", "xn--4dkua4c.xn--r8jz45g.jp" },
    /* Full-width letters and the ideographic full stop, as a Japanese keyboard types them. */
    { "ｓｍｔｐ。ｏｆｆｉｃｅ３６５．ｃｏｍ", "smtp.office365.com" },
    { "xn--bcher-kva.example", "xn--bcher-kva.example" },
    { "a.b", "a.b" },
    { "mail_relay.corp.example", "mail_relay.corp.example" },
    /* IP literals are accepted and made canonical. */
    { "192.0.2.1", "192.0.2.1" },
    { "2001:DB8::1", "2001:db8::1" },
    { "[2001:db8::1]", "2001:db8::1" },
    { "::1", "::1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *ascii = dmd_host_to_ascii (cases[i].in, &error);

      g_test_message ("case %zu: %s", i, cases[i].in);
      g_assert_no_error (error);
      g_assert_cmpstr (ascii, ==, cases[i].out);
    }
}

static void
test_host_invalid (void)
{
  g_autofree char *long_label = g_strnfill (64, 'a');
  g_autofree char *label63 = g_strnfill (63, 'a');
  /* 4 × 63 + 3 dots = 255 characters; 254 with the last label one shorter. */
  g_autofree char *too_long = g_strdup_printf ("%s.%s.%s.%s", label63, label63, label63, label63);
  g_autofree char *long_254 = g_strndup (too_long, 254);
  g_autofree char *long_label_host = g_strdup_printf ("%s.example", long_label);
  g_autofree char *ok_253 = g_strndup (too_long, 253);
  g_autofree char *ascii = NULL;
  struct {
    const char *in;
    const char *needle;   /* a word of the English message */
  } cases[] = {
    { "", "Enter a server name" },
    { "   ", "Enter a server name" },
    { "smtp..office365.com", "empty part" },
    { ".smtp.office365.com", "empty part" },
    { "smtp.office365.com..", "empty part" },
    { ".", "empty part" },
    { "-bad.example", "hyphen" },
    { "bad-.example", "hyphen" },
    { "smtp office365.com", "space" },
    { "smtp.office365.com:587", "port" },
    { "smtp://smtp.office365.com", "web address" },
    { "https://outlook.office365.com/", "web address" },
    { "scanner@contoso.com", "email address" },
    { "smtp!.example", "character" },
    { "smtp.example/25", "character" },
    { "fe80::1%eth0", "character" },
    { "192.168.1.256", "neither" },
    { "10.1", "neither" },
    { "example.123", "neither" },
    { "[192.0.2.1]", "character" },
    { "bad\xff.example", "valid text" },
    { "\xc2\xad", "international" },
    { "\xc2\xad.example", "empty part" },
    { "a\x01" "b.example", "character" },
    { "xn--.example", "hyphen" },
    { long_254, "too long" },
    { too_long, "too long" },
    { long_label_host, "longer than 63" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = dmd_host_to_ascii (cases[i].in, &error);
      g_autofree char *shown = g_strescape (cases[i].in, NULL);

      g_test_message ("case %zu: %s -> %s", i, shown, error ? error->message : "(no error)");
      g_assert_null (out);
      g_assert_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_HOST);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      /* The message quotes at most 60 characters of the input. */
      g_assert_cmpint (g_utf8_strlen (error->message, -1), <, 200);
    }

  /* 253 characters is the limit, not over it. */
  g_assert_cmpuint (strlen (ok_253), ==, 253);
  ascii = dmd_host_to_ascii (ok_253, NULL);
  g_assert_cmpstr (ascii, ==, ok_253);
}

static void
test_host_ip_literal (void)
{
  g_assert_true (dmd_host_is_ip_literal ("192.0.2.1"));
  g_assert_true (dmd_host_is_ip_literal ("2001:db8::1"));
  g_assert_true (dmd_host_is_ip_literal ("[2001:db8::1]"));
  g_assert_true (dmd_host_is_ip_literal ("::ffff:192.0.2.1"));
  g_assert_true (dmd_host_is_ip_literal (" 192.0.2.1 "));
  g_assert_false (dmd_host_is_ip_literal ("[192.0.2.1]"));
  g_assert_false (dmd_host_is_ip_literal ("192.0.2"));
  g_assert_false (dmd_host_is_ip_literal ("192.0.2.256"));
  g_assert_false (dmd_host_is_ip_literal ("smtp.office365.com"));
  g_assert_false (dmd_host_is_ip_literal ("beef"));
  g_assert_false (dmd_host_is_ip_literal (""));
  g_assert_false (dmd_host_is_ip_literal (NULL));
}

/* ---------------------------------------------------------------------------------------- */
/* Addresses and ports                                                                       */
/* ---------------------------------------------------------------------------------------- */

static void
test_address (void)
{
  static const struct {
    const char *address;
    const char *domain;   /* NULL: invalid */
  } cases[] = {
    { "scanner@contoso.com", "contoso.com" },
    { "Scanner.Third-Floor+mfp@Contoso.COM", "contoso.com" },
    { "info@bücher.example", "xn--bcher-kva.example" },
    { "山田@例え.jp", "xn--r8jz45g.jp" },
    { "\"john doe\"@contoso.com", "contoso.com" },
    { "a@localhost", "localhost" },
    { "o'brien@contoso.com", "contoso.com" },
    { "", NULL },
    { "scanner", NULL },
    { "scanner@", NULL },
    { "@contoso.com", NULL },
    { "scanner@@contoso.com", NULL },
    { "scanner@contoso..com", NULL },
    { "scanner@contoso.com.", NULL },
    { ".scanner@contoso.com", NULL },
    { "scan..ner@contoso.com", NULL },
    { "scanner.@contoso.com", NULL },
    { "scan ner@contoso.com", NULL },
    { "scanner@contoso com", NULL },
    { "Scanner <scanner@contoso.com>", NULL },
    { "<scanner@contoso.com>", NULL },
    { "scanner@[192.0.2.1]", NULL },
    { "scanner@192.0.2.1", NULL },
    { "scanner@-contoso.com", NULL },
    { "scan(ner)@contoso.com", NULL },
    { "scanner@contoso.com\n", NULL },
    { "\"unterminated@contoso.com", NULL },
    { "bad\xff@contoso.com", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *domain = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = g_strescape (cases[i].address, NULL);
      gboolean valid;

      g_test_message ("case %zu: %s", i, shown);
      valid = dmd_address_validate (cases[i].address, &domain, &error);
      g_assert_cmpint (valid, ==, cases[i].domain != NULL);
      g_assert_cmpint (dmd_address_is_valid (cases[i].address, NULL), ==, valid);
      g_assert_cmpstr (domain, ==, cases[i].domain);
      if (!valid)
        {
          g_assert_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_ADDRESS);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
    }

  /* Length limits: 64 bytes before "@", 254 in all. */
  {
    g_autofree char *local64 = g_strnfill (64, 'a');
    g_autofree char *local65 = g_strnfill (65, 'a');
    g_autofree char *ok = g_strdup_printf ("%s@contoso.com", local64);
    g_autofree char *bad = g_strdup_printf ("%s@contoso.com", local65);
    g_autofree char *label = g_strnfill (61, 'b');
    /* A valid 251-character domain, 262 characters in all. */
    g_autofree char *huge = g_strdup_printf ("aaaaaaaaaa@%s.%s.%s.%s.com", label, label, label,
                                             label);

    g_assert_true (dmd_address_is_valid (ok, NULL));
    g_assert_false (dmd_address_is_valid (bad, NULL));
    g_assert_false (dmd_address_is_valid (huge, NULL));
    g_assert_false (dmd_address_is_valid (NULL, NULL));
  }
}

static void
test_port_parse (void)
{
  static const struct {
    const char *text;
    guint16     port;   /* 0: invalid */
  } cases[] = {
    { "25", 25 }, { "587", 587 }, { " 465 ", 465 }, { "1", 1 }, { "65535", 65535 },
    { "0", 0 }, { "65536", 0 }, { "-25", 0 }, { "+25", 0 }, { "25a", 0 }, { "", 0 },
    { "0x19", 0 }, { "99999999999999999999", 0 }, { "2 5", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 0;
      gboolean ok = dmd_port_parse (cases[i].text, &port, &error);

      g_test_message ("case %zu: %s", i, cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].port != 0);
      if (ok)
        g_assert_cmpuint (port, ==, cases[i].port);
      else
        g_assert_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_PORT);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* --connect-to                                                                              */
/* ---------------------------------------------------------------------------------------- */

static void
test_connect_to_parse (void)
{
  static const struct {
    const char *spec;
    const char *host;
    guint16     port;
    const char *to_addr;
    guint16     to_port;
  } cases[] = {
    { "smtp.office365.com:587:127.0.0.1:2587", "smtp.office365.com", 587, "127.0.0.1", 2587 },
    { "SMTP.Office365.com.:587:localhost:2587", "smtp.office365.com", 587, "localhost", 2587 },
    { "::127.0.0.1:2525", NULL, 0, "127.0.0.1", 2525 },
    { ":25:127.0.0.1:", NULL, 25, "127.0.0.1", 0 },
    { "contoso-com.mail.protection.outlook.com::[::1]:2525",
      "contoso-com.mail.protection.outlook.com", 0, "::1", 2525 },
    { "[2001:db8::25]:25:[2001:DB8::1]:2525", "2001:db8::25", 25, "2001:db8::1", 2525 },
    { "bücher.example:25::2525", "xn--bcher-kva.example", 25, NULL, 2525 },
    { ":::", NULL, 0, NULL, 0 },
  };
  static const char *bad[] = {
    "",
    "smtp.office365.com",
    "smtp.office365.com:587",
    "smtp.office365.com:587:127.0.0.1",
    "smtp.office365.com:587:127.0.0.1:2587:1",
    "smtp.office365.com:587:::1:2587",
    "smtp.office365.com:0:127.0.0.1:2587",
    "smtp.office365.com:587:127.0.0.1:65536",
    "smtp.office365.com:smtp:127.0.0.1:2587",
    "smtp.office365.com:587:[127.0.0.1]:2587",
    "smtp.office365.com:587:[::1:2587",
    "smtp.office365.com:587:[::1]x:2587",
    "smtp.office365.com:[587]:127.0.0.1:2587",
    "smtp..office365.com:587:127.0.0.1:2587",
    "smtp.office365.com:587:bad host:2587",
    "smtp.office365.com:587:127.0.0.1: 2587",
    "smtp.office365.com:587:127.0.0.1:2587\xff",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdConnectTo) ct = dmd_connect_to_parse (cases[i].spec, &error);

      g_test_message ("case %zu: %s", i, cases[i].spec);
      g_assert_no_error (error);
      g_assert_cmpstr (ct->host, ==, cases[i].host);
      g_assert_cmpuint (ct->port, ==, cases[i].port);
      g_assert_cmpstr (ct->to_addr, ==, cases[i].to_addr);
      g_assert_cmpuint (ct->to_port, ==, cases[i].to_port);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmdConnectTo) ct = dmd_connect_to_parse (bad[i], &error);
      g_autofree char *shown = g_strescape (bad[i], NULL);

      g_test_message ("bad %zu: %s -> %s", i, shown, error ? error->message : "(no error)");
      g_assert_null (ct);
      g_assert_error (error, DMD_CONFIG_ERROR, DMD_CONFIG_ERROR_INVALID_CONNECT_TO);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
add_mapping (DmdDeviceConfig *config,
             const char      *spec)
{
  g_autoptr(GError) error = NULL;
  DmdConnectTo *ct = dmd_connect_to_parse (spec, &error);

  g_assert_no_error (error);
  g_ptr_array_add (config->connect_to, ct);
}

static void
test_connect_to_map (void)
{
  g_autoptr(DmdDeviceConfig) config = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  static const struct {
    const char *host;
    guint16     port;
    const char *to_host;   /* NULL: no mapping */
    guint16     to_port;
  } cases[] = {
    { "smtp.office365.com", 587, "127.0.0.1", 2587 },
    { "SMTP.OFFICE365.COM.", 587, "127.0.0.1", 2587 },
    /* Another port of the same host: the any-port rule for it (same port kept). */
    { "smtp.office365.com", 25, "127.0.0.2", 25 },
    { "contoso-com.mail.protection.outlook.com", 25, "::1", 2525 },
    { "bücher.example", 25, "127.0.0.3", 2525 },
    { "xn--bcher-kva.example", 25, "127.0.0.3", 2525 },
    { "2001:db8::25", 25, "bücher.example", 25 },
    /* A host nobody maps, on port 465: the catch-all port rule keeps the host. */
    { "other.example", 465, "other.example", 4465 },
    { "other.example", 26, NULL, 0 },
  };

  add_mapping (config, "smtp.office365.com:587:127.0.0.1:2587");
  add_mapping (config, "smtp.office365.com::127.0.0.2:");
  add_mapping (config, "contoso-com.mail.protection.outlook.com:25:[::1]:2525");
  add_mapping (config, "bücher.example:25:127.0.0.3:2525");
  add_mapping (config, "[2001:db8:0::25]:25:bücher.example:");
  add_mapping (config, ":465::4465");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *to_host = NULL;
      guint16 to_port = 0;
      gboolean mapped;

      g_test_message ("case %zu: %s:%u", i, cases[i].host, cases[i].port);
      mapped = dmd_device_config_map_connect_to (config, cases[i].host, cases[i].port,
                                                 &to_host, &to_port);
      g_assert_cmpint (mapped, ==, cases[i].to_host != NULL);
      if (!mapped)
        continue;
      /* ASCII form of the mapped IDN, as given in the spec. */
      if (g_str_equal (cases[i].to_host, "bücher.example"))
        g_assert_cmpstr (to_host, ==, "xn--bcher-kva.example");
      else
        g_assert_cmpstr (to_host, ==, cases[i].to_host);
      g_assert_cmpuint (to_port, ==, cases[i].to_port);
    }

  /* The first match wins; an empty list maps nothing. */
  {
    g_autoptr(DmdDeviceConfig) plain = dmd_device_config_new (DMD_OPTION_RELAY);
    g_autofree char *to_host = NULL;
    guint16 to_port = 0;

    g_assert_false (dmd_device_config_map_connect_to (plain, "smtp.office365.com", 587,
                                                      &to_host, &to_port));
    add_mapping (plain, ":::9");
    add_mapping (plain, "smtp.office365.com:587:127.0.0.1:2587");
    g_assert_true (dmd_device_config_map_connect_to (plain, "smtp.office365.com", 587,
                                                     &to_host, &to_port));
    g_assert_cmpstr (to_host, ==, "smtp.office365.com");
    g_assert_cmpuint (to_port, ==, 9);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Microsoft endpoints                                                                       */
/* ---------------------------------------------------------------------------------------- */

static void
test_endpoints (void)
{
  static const struct {
    const char *host;
    gboolean    smtp_auth;
    gboolean    mx;
    gboolean    microsoft;
  } cases[] = {
    { "smtp.office365.com", TRUE, FALSE, TRUE },
    { "SMTP.Office365.com.", TRUE, FALSE, TRUE },
    { "  smtp.office365.com ", TRUE, FALSE, TRUE },
    { "smtp-legacy.office365.com", TRUE, FALSE, TRUE },
    { "smtp.hve.mx.microsoft", TRUE, FALSE, TRUE },
    { "SMTP.HVE.MX.MICROSOFT.", TRUE, FALSE, TRUE },
    { "smtp-hve.office365.com", TRUE, FALSE, TRUE },
    { "contoso-com.mail.protection.outlook.com", FALSE, TRUE, TRUE },
    { "Contoso-Com.Mail.Protection.Outlook.Com.", FALSE, TRUE, TRUE },
    { "foo1-bar-com0i.mail.protection.outlook.com", FALSE, TRUE, TRUE },
    { "contosotest-com.o-v1.mx.microsoft", FALSE, TRUE, TRUE },
    { "sdu-dk.i-v1.mx.microsoft", FALSE, TRUE, TRUE },
    { "SDU-DK.I-V1.MX.MICROSOFT.", FALSE, TRUE, TRUE },
    { "mail.protection.outlook.com", FALSE, FALSE, TRUE },
    { "i-v1.mx.microsoft", FALSE, FALSE, TRUE },
    /* Other <x>-v<n> labels are MX endpoints too, as the MX lookup has always read them
     * (one classifier, dmd-host.c): only Microsoft names hosts under .microsoft. */
    { "contoso-com.ab-v1.mx.microsoft", FALSE, TRUE, TRUE },
    { "contoso-com.o-v2.mx.microsoft", FALSE, TRUE, TRUE },
    { "contoso-com.mx.microsoft", FALSE, FALSE, TRUE },
    { "outlook.office365.com", FALSE, FALSE, TRUE },
    { "BE1P281CA0440.outlook.office365.com", FALSE, FALSE, TRUE },
    { "smtp.office365.us", FALSE, FALSE, TRUE },
    { "smtp.partner.outlook.cn", FALSE, FALSE, TRUE },
    /* Look-alikes. */
    { "smtp.office365.com.evil.example", FALSE, FALSE, FALSE },
    { "contoso-com.mail.protection.outlook.com.evil.example", FALSE, FALSE, FALSE },
    { "evilmail.protection.outlook.com.example", FALSE, FALSE, FALSE },
    { "notoffice365.com", FALSE, FALSE, FALSE },
    { "smtp.office365.co", FALSE, FALSE, FALSE },
    { "mx.microsoft.com.evil.example", FALSE, FALSE, FALSE },
    { "smtp.gmail.com", FALSE, FALSE, FALSE },
    { "192.0.2.1", FALSE, FALSE, FALSE },
    { "smtp..office365.com", FALSE, FALSE, FALSE },
    { "", FALSE, FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %zu: %s", i, cases[i].host);
      g_assert_cmpint (dmd_host_is_smtp_auth_endpoint (cases[i].host), ==, cases[i].smtp_auth);
      g_assert_cmpint (dmd_host_is_mx_endpoint (cases[i].host), ==, cases[i].mx);
      g_assert_cmpint (dmd_host_is_microsoft (cases[i].host), ==, cases[i].microsoft);
    }
  g_assert_false (dmd_host_is_smtp_auth_endpoint (NULL));
  g_assert_false (dmd_host_is_mx_endpoint (NULL));
  g_assert_false (dmd_host_is_microsoft (NULL));
}

/* ---------------------------------------------------------------------------------------- */
/* Validation                                                                                */
/* ---------------------------------------------------------------------------------------- */

static gboolean
has_field_error (GPtrArray *errors,
                 DmdField   field)
{
  for (guint i = 0; i < errors->len; i++)
    if (((DmdFieldError *) g_ptr_array_index (errors, i))->field == field)
      return TRUE;
  return FALSE;
}

static void
assert_only_errors (GPtrArray *errors,
                    DmdField   field)
{
  for (guint i = 0; i < errors->len; i++)
    {
      DmdFieldError *error = g_ptr_array_index (errors, i);

      g_test_message ("field %d: %s", error->field, error->message);
      g_assert_cmpint (error->field, ==, field);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
    }
  g_assert_cmpuint (errors->len, >, 0);
}

static DmdDeviceConfig *
valid_config (DmdOption option)
{
  DmdDeviceConfig *config = dmd_device_config_new (option);

  config->from = g_strdup ("scanner@contoso.com");
  config->to = g_strdup ("someone@contoso.com");
  config->domain = g_strdup ("contoso.com");
  if (option == DMD_OPTION_SMTP_AUTH)
    {
      config->username = g_strdup ("scanner@contoso.com");
      dmd_device_config_set_password (config, "pa55 word!");
    }
  else
    config->server = g_strdup ("contoso-com.mail.protection.outlook.com");
  if (option == DMD_OPTION_RELAY)
    config->connector_ip = g_strdup ("203.0.113.7");
  return config;
}

/* Set one setting by name; NULL clears it. */
static void
set_setting (DmdDeviceConfig *c,
             const char      *name,
             const char      *value)
{
  char **fields[] = { &c->server, &c->username, &c->from, &c->to, &c->domain,
                      &c->connector_ip, &c->ca_file };
  static const char *names[] = { "server", "username", "from", "to", "domain",
                                 "connector-ip", "ca-file" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      {
        g_free (*fields[i]);
        *fields[i] = g_strdup (value);
        return;
      }

  if (g_str_equal (name, "password"))
    dmd_device_config_set_password (c, value);
  else if (g_str_equal (name, "token"))
    dmd_device_config_set_oauth_token (c, value);
  else if (g_str_equal (name, "timeout"))
    c->timeout_seconds = (guint) g_ascii_strtoull (value, NULL, 10);
  else if (g_str_equal (name, "connect-to-host"))
    {
      /* Not through the parser, which refuses it: as a caller might build one. */
      DmdConnectTo *ct = g_new0 (DmdConnectTo, 1);

      ct->host = g_strdup (value);
      ct->to_addr = g_strdup ("127.0.0.1");
      g_ptr_array_add (c->connect_to, ct);
    }
  else
    g_assert_not_reached ();
}

static void
test_validate (void)
{
  static const struct {
    DmdOption   option;
    const char *setting;
    const char *value;
    const char *setting2;   /* a second change, or NULL */
    const char *value2;
    DmdField    field;
  } cases[] = {
    { DMD_OPTION_RELAY, "server", "smtp..office365.com", NULL, NULL, DMD_FIELD_SERVER },
    { DMD_OPTION_SMTP_AUTH, "server", "smtp.office365.com:587", NULL, NULL, DMD_FIELD_SERVER },
    { DMD_OPTION_DIRECT_SEND, "server", NULL, "domain", NULL, DMD_FIELD_SERVER },
    { DMD_OPTION_SMTP_AUTH, "username", "scan ner@contoso.com", NULL, NULL, DMD_FIELD_USERNAME },
    { DMD_OPTION_SMTP_AUTH, "username", "scanner@contoso..com", NULL, NULL, DMD_FIELD_USERNAME },
    { DMD_OPTION_SMTP_AUTH, "username", NULL, NULL, NULL, DMD_FIELD_USERNAME },
    { DMD_OPTION_SMTP_AUTH, "token", "tok", NULL, NULL, DMD_FIELD_PASSWORD },
    { DMD_OPTION_SMTP_AUTH, "password", "secret\n", NULL, NULL, DMD_FIELD_PASSWORD },
    { DMD_OPTION_SMTP_AUTH, "password", NULL, "token", "Bearer abc", DMD_FIELD_PASSWORD },
    { DMD_OPTION_SMTP_AUTH, "from", "Scanner <scanner@contoso.com>", NULL, NULL, DMD_FIELD_FROM },
    { DMD_OPTION_DIRECT_SEND, "to", "someone", NULL, NULL, DMD_FIELD_TO },
    { DMD_OPTION_RELAY, "domain", "-contoso.com", NULL, NULL, DMD_FIELD_DOMAIN },
    { DMD_OPTION_RELAY, "domain", "192.0.2.1", NULL, NULL, DMD_FIELD_DOMAIN },
    { DMD_OPTION_RELAY, "connector-ip", "office.contoso.com", NULL, NULL,
      DMD_FIELD_CONNECTOR_IP },
    { DMD_OPTION_RELAY, "connector-ip", "203.0.113.0/24", NULL, NULL, DMD_FIELD_CONNECTOR_IP },
    { DMD_OPTION_SMTP_AUTH, "ca-file", "/nonexistent/ca.pem", NULL, NULL, DMD_FIELD_CA_FILE },
    { DMD_OPTION_SMTP_AUTH, "ca-file", "/", NULL, NULL, DMD_FIELD_CA_FILE },
    { DMD_OPTION_SMTP_AUTH, "connect-to-host", "bad host", NULL, NULL, DMD_FIELD_CONNECT_TO },
    { DMD_OPTION_SMTP_AUTH, "timeout", "0", NULL, NULL, DMD_FIELD_TIMEOUT },
    { DMD_OPTION_RELAY, "timeout", "301", NULL, NULL, DMD_FIELD_TIMEOUT },
  };

  /* The starting points are valid. */
  for (DmdOption o = DMD_OPTION_SMTP_AUTH; o <= DMD_OPTION_RELAY; o++)
    {
      g_autoptr(DmdDeviceConfig) config = valid_config (o);
      g_autoptr(GPtrArray) errors = dmd_device_config_validate (config);

      g_assert_cmpuint (errors->len, ==, 0);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmdDeviceConfig) config = valid_config (cases[i].option);
      g_autoptr(GPtrArray) errors = NULL;

      g_test_message ("case %zu: %s", i, cases[i].setting);
      set_setting (config, cases[i].setting, cases[i].value);
      if (cases[i].setting2 != NULL)
        set_setting (config, cases[i].setting2, cases[i].value2);
      errors = dmd_device_config_validate (config);
      assert_only_errors (errors, cases[i].field);
    }
}

/* A self-signed certificate (PEM): the CA file's good case. */
static const char test_ca_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBoTCCAUegAwIBAgIUcuu8wllWtwQdhBEu41Wmjvt9qA8wCgYIKoZIzj0EAwIw\n"
  "JTEjMCEGA1UEAwwaRGV2aWNlIE1haWwgRG9jdG9yIHRlc3QgQ0EwIBcNMjYxMjA0\n"
  "MDgxNjMwWhgPMjEyNjExMTAwODE2MzBaMCUxIzAhBgNVBAMMGkRldmljZSBNYWls\n"
  "IERvY3RvciB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeAuOO+iF\n"
  "uDYatqoH5W+xDXiqnHpyEND5CzFjEwOKeMBPWPck/61U4hmUGwMrZA7Y4Hijakxx\n"
  "+wyUkWXAMbl4SqNTMFEwHQYDVR0OBBYEFK5iT7EmM3Ox8A6Pb4zup1Y0P3GRMB8G\n"
  "A1UdIwQYMBaAFK5iT7EmM3Ox8A6Pb4zup1Y0P3GRMA8GA1UdEwEB/wQFMAMBAf8w\n"
  "CgYIKoZIzj0EAwIDSAAwRQIgRDzOrckTE+934qyOTN4lxHK/ZvLoB2UEMGq1h7f6\n"
  "kNECIQDZPtk1JgxppmwPEfXVuoYxbzqfbOJAdr7Lj0iSxBO6vg==\n"
  "-----END CERTIFICATE-----\n";

/* A private key alone: PEM, but no certificate in it. */
static const char key_only_pem[] =
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJu55Cc/mcZPevUdk\n"
  "l351PPyHXkPvGJVc+MIW7xlnVr+hRANCAAR4C4476IW4Nhq2qgflb7ENeKqcenIQ\n"
  "0PkLMWMTA4p4wE9Y9yT/rVTiGZQbAytkDtjgeKNqTHH7DJSRZcAxuXhK\n"
  "-----END PRIVATE KEY-----\n";

static void
test_validate_more (void)
{
  g_autoptr(DmdDeviceConfig) empty = dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
  g_autoptr(DmdDeviceConfig) mx = dmd_device_config_new (DMD_OPTION_DIRECT_SEND);
  g_autoptr(DmdDeviceConfig) many = dmd_device_config_new (DMD_OPTION_RELAY);
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *ca = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  /* Nothing entered for SMTP AUTH: the defaults are a valid (if useless) configuration. */
  errors = dmd_device_config_validate (empty);
  g_assert_cmpuint (errors->len, ==, 0);
  g_clear_pointer (&errors, g_ptr_array_unref);

  /* Direct Send with only the domain: the MX will be looked up. */
  mx->domain = g_strdup ("bücher.example");
  errors = dmd_device_config_validate (mx);
  g_assert_cmpuint (errors->len, ==, 0);
  g_clear_pointer (&errors, g_ptr_array_unref);

  /* An IP literal as server, port 465, a user name without "@": valid syntax (the catalog's
   * pre-flight findings speak about them), and a readable CA file with a certificate. */
  fd = g_file_open_tmp ("dmd-ca-XXXXXX.pem", &ca, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (ca, test_ca_pem, -1, &error);
  g_assert_no_error (error);
  empty->server = g_strdup ("52.96.0.1");
  empty->port = 465;
  empty->username = g_strdup ("scanner");
  empty->ca_file = g_strdup (ca);
  errors = dmd_device_config_validate (empty);
  g_assert_cmpuint (errors->len, ==, 0);
  g_clear_pointer (&errors, g_ptr_array_unref);

  /* A CA file that holds no certificate is bad input, whatever else it holds (before, the
   * handshake failed and the device was blamed): empty, random bytes, a key only. */
  {
    g_autofree char *random = g_malloc (4096);
    const struct { const char *what; const char *data; gssize len; } bad[] = {
      { "empty", "", 0 },
      { "random bytes", random, 4096 },
      { "a key only", key_only_pem, -1 },
    };

    for (gsize i = 0; i < 4096; i++)
      random[i] = (char) g_random_int_range (0, 256);
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        DmdFieldError *e;

        g_test_message ("CA file: %s", bad[i].what);
        g_file_set_contents (ca, bad[i].data, bad[i].len, &error);
        g_assert_no_error (error);
        errors = dmd_device_config_validate (empty);
        assert_only_errors (errors, DMD_FIELD_CA_FILE);
        e = g_ptr_array_index (errors, 0);
        g_assert_nonnull (strstr (e->message, "no certificate"));
        g_assert_nonnull (strstr (e->message, "dmd-ca-"));
        g_clear_pointer (&errors, g_ptr_array_unref);
      }
  }

  /* Nor is a huge one read whole: past the limit it is refused (a sparse file: cheap). */
  fd = g_open (ca, O_WRONLY | O_TRUNC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) 300 * 1024 * 1024), ==, 0);
  close (fd);
  errors = dmd_device_config_validate (empty);
  assert_only_errors (errors, DMD_FIELD_CA_FILE);
  g_assert_nonnull (strstr (((DmdFieldError *) g_ptr_array_index (errors, 0))->message, "MiB"));
  g_clear_pointer (&errors, g_ptr_array_unref);
  g_file_set_contents (ca, test_ca_pem, -1, &error);
  g_assert_no_error (error);

  /* An unreadable CA file (not for root, who reads everything). */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (ca, 0), ==, 0);
      errors = dmd_device_config_validate (empty);
      assert_only_errors (errors, DMD_FIELD_CA_FILE);
      g_clear_pointer (&errors, g_ptr_array_unref);
    }
  g_unlink (ca);

  /* Several problems at once come back in field order. */
  many->server = g_strdup ("-bad.example");
  many->from = g_strdup ("nobody");
  many->to = g_strdup ("@contoso.com");
  many->connector_ip = g_strdup ("999.1.1.1");
  many->timeout_seconds = 1000;
  errors = dmd_device_config_validate (many);
  g_assert_cmpuint (errors->len, ==, 5);
  g_assert_true (has_field_error (errors, DMD_FIELD_SERVER));
  g_assert_true (has_field_error (errors, DMD_FIELD_FROM));
  g_assert_true (has_field_error (errors, DMD_FIELD_TO));
  g_assert_true (has_field_error (errors, DMD_FIELD_CONNECTOR_IP));
  g_assert_true (has_field_error (errors, DMD_FIELD_TIMEOUT));
  for (guint i = 1; i < errors->len; i++)
    g_assert_cmpint (((DmdFieldError *) g_ptr_array_index (errors, i - 1))->field, <,
                     ((DmdFieldError *) g_ptr_array_index (errors, i))->field);
}

/* The client certificate and key: both or neither, and they must load (checked as entered,
 * so the CLI exits 2 and the wizard says so under the rows). */
static void
test_validate_client_cert (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_BUILT, "test-client.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_BUILT, "test-client-key.pem", NULL);
  g_autofree char *other_key = g_test_build_filename (G_TEST_BUILT, "test-client-other-key.pem", NULL);
  g_autoptr(DmdDeviceConfig) config = valid_config (DMD_OPTION_RELAY);
  g_autoptr(DmdDeviceConfig) copy = NULL;
  g_autoptr(GPtrArray) errors = NULL;

  if (!g_file_test (cert, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no test certificates (certtool missing when configured)");
      return;
    }

  config->client_cert_file = g_strdup (cert);
  config->client_key_file = g_strdup (key);
  errors = dmd_device_config_validate (config);
  g_assert_cmpuint (errors->len, ==, 0);
  g_clear_pointer (&errors, g_ptr_array_unref);

  copy = dmd_device_config_copy (config);
  g_assert_cmpstr (copy->client_cert_file, ==, cert);
  g_assert_cmpstr (copy->client_key_file, ==, key);

  g_free (config->client_key_file);
  config->client_key_file = g_strdup (other_key);
  errors = dmd_device_config_validate (config);
  assert_only_errors (errors, DMD_FIELD_CLIENT_CERT);
  g_clear_pointer (&errors, g_ptr_array_unref);

  g_clear_pointer (&config->client_key_file, g_free);
  errors = dmd_device_config_validate (config);
  assert_only_errors (errors, DMD_FIELD_CLIENT_CERT);
  g_assert_nonnull (strstr (((DmdFieldError *) g_ptr_array_index (errors, 0))->message,
                            "private key"));
  g_clear_pointer (&errors, g_ptr_array_unref);

  g_clear_pointer (&config->client_cert_file, g_free);
  config->client_key_file = g_strdup (key);
  errors = dmd_device_config_validate (config);
  assert_only_errors (errors, DMD_FIELD_CLIENT_CERT);
  g_clear_pointer (&errors, g_ptr_array_unref);

  config->client_cert_file = g_strdup ("/nonexistent/cert.pem");
  errors = dmd_device_config_validate (config);
  assert_only_errors (errors, DMD_FIELD_CLIENT_CERT);
}

/* Messages quote what the user typed, escaped and shortened. */
static void
test_messages_escaped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = dmd_host_to_ascii ("evil\x1b[31m host\xff", &error);

  g_assert_null (out);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strchr (error->message, '\x1b'));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dmd/config/defaults", test_defaults);
  g_test_add_func ("/dmd/config/auth-mech", test_auth_mech);
  g_test_add_func ("/dmd/config/copy", test_copy);
  g_test_add_func ("/dmd/config/secret-wiped", test_secret_wiped);
  g_test_add_func ("/dmd/config/host/valid", test_host_valid);
  g_test_add_func ("/dmd/config/host/invalid", test_host_invalid);
  g_test_add_func ("/dmd/config/host/ip-literal", test_host_ip_literal);
  g_test_add_func ("/dmd/config/address", test_address);
  g_test_add_func ("/dmd/config/port-parse", test_port_parse);
  g_test_add_func ("/dmd/config/connect-to/parse", test_connect_to_parse);
  g_test_add_func ("/dmd/config/connect-to/map", test_connect_to_map);
  g_test_add_func ("/dmd/config/endpoints", test_endpoints);
  g_test_add_func ("/dmd/config/validate", test_validate);
  g_test_add_func ("/dmd/config/validate-more", test_validate_more);
  g_test_add_func ("/dmd/config/validate-client-cert", test_validate_client_cert);
  g_test_add_func ("/dmd/config/messages-escaped", test_messages_escaped);

  return g_test_run ();
}
