#!/usr/bin/python3
# ui-screenshots-oauth.py — the OAuth sign-in's screens: the settings with "Microsoft account
# (OAuth)", the device-code dialog, the results once signed in (called by tests/screenshots.sh
# after ui-screenshots.py, with the same arguments, display, bus and GSettings keyfile).
#
#   ui-screenshots-oauth.py BUILDDIR SOURCEDIR OUTDIR PREFIX WIDTH HEIGHT
#
# SPDX-License-Identifier: GPL-3.0-or-later

import configparser
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmd_atspi as D  # noqa: E402
import dmd_identity  # noqa: E402

build, source, outdir, prefix, width, height = sys.argv[1:7]
app_exe = os.path.join(build, 'src/ui/device-mail-doctor-test')
server_exe = os.path.join(build, 'tests/dmd-test-smtp-server')
certs = os.path.join(build, 'tests')
USER = dmd_identity.USERNAME
SCHEMA_PATH = 'io/github/devicemaildoctor/DeviceMailDoctor'


def crop(acc, name):
    x, y, cw, ch = acc.queryComponent().getExtents(D.pyatspi.DESKTOP_COORDS)
    path = os.path.join(outdir, '%s-%s.png' % (prefix, name))
    subprocess.run(['/usr/bin/import', '-window', 'root', '-crop', '%dx%d+%d+%d' % (cw, ch, x, y),
                    '+repage', path], check=True)
    print(path, flush=True)


def snap(w, name, settle=0.6):
    time.sleep(settle)
    crop(D.pyatspi.findDescendant(w.app, lambda a: a.getRoleName() == 'frame') or
         [c for c in w.app][0], name)


def remember_oauth():
    """What a technician typed last time: SMTP AUTH, signing in with a Microsoft account,
    the tenant and the app registration (GSettings keyfile of the caller)."""
    path = os.path.join(os.environ['XDG_CONFIG_HOME'], 'glib-2.0', 'settings', 'keyfile')
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read(path)
    if not ini.has_section(SCHEMA_PATH):
        ini.add_section(SCHEMA_PATH)
    for key, value in (('option', "'smtp-auth'"), ('server', "''"), ('port', 'uint32 0'),
                       ('sign-in-method', "'oauth-device'"),
                       ('oauth-tenant', "'%s'" % dmd_identity.TENANT),
                       ('oauth-client-id', "'%s'" % dmd_identity.CLIENT_ID)):
        ini.set(SCHEMA_PATH, key, value)
    with open(path, 'w') as f:
        ini.write(f)


def main():
    language = os.environ.get('LANGUAGE') or None
    _ = D.Translator(os.path.join(build, 'po'), language)
    remember_oauth()
    idp = dmd_identity.IdentityServer({'device': 'pending', 'interval': '1'}, certs)
    iport = idp.start()
    srv = D.ScriptedServer(server_exe, os.path.join(source, 'tests/scenarios/oauth-device-success.ini'),
                           certs)
    env = D.app_env({
        'DMD_TEST_CONNECT_TO': 'smtp.office365.com:587:127.0.0.1:%d;'
                               'login.microsoftonline.com:443:127.0.0.1:%d' % (srv.port, iport),
        'DMD_TEST_CA_FILE': os.path.join(certs, 'test-ca.pem'),
        'DMD_TEST_TIMEOUT': '8',
        'DMD_LOCALEDIR': os.path.join(build, 'po'),
    })
    w = D.Wizard(app_exe, env)
    try:
        w.go_to_title(_('Device Mail Doctor'))
        w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                             lambda a: D.name_starts(a, _('Check the Settings'))))
        w.go_to_title(_('Sending Option'))
        w.click(w.header_button(_('_Next')))
        w.go_to_title(_('Device Settings'))
        settings = w.page('DmdSettingsPage')
        w.find(settings, 'text', lambda a: D.name_is(a, _('Tenant')))
        w.set_text(settings, _('User name'), USER)
        w.set_text(settings, _('Sender (From)'), USER)
        w.set_text(settings, _('Test recipient'), 'someone@contoso.com')
        time.sleep(0.5)
        snap(w, '10-oauth-settings')

        w.click(w.header_button(_('_Run Checks')))
        code = w.find(w.app, 'label', lambda a: D.name_is(a, _('Code')), timeout=30,
                      what='the device code')
        dialog = code
        while dialog is not None and dialog.getRoleName() not in ('dialog', 'frame', 'window',
                                                                  'alert'):
            dialog = dialog.parent
        time.sleep(1)
        crop(dialog, '11-oauth-device-code')

        idp.set_device('approve')
        w.go_to_title(_('Results'), timeout=60)
        time.sleep(1)
        snap(w, '12-oauth-results')
    finally:
        w.stop()
        srv.stop()
        idp.stop()


main()
