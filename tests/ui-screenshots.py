#!/usr/bin/python3
# ui-screenshots.py — walk the wizard through every page and save a PNG of each
# (called by tests/screenshots.sh, which provides the display, the bus and the variants).
#
#   ui-screenshots.py BUILDDIR SOURCEDIR OUTDIR PREFIX WIDTH HEIGHT
#
# The window size comes from GSettings (keyfile backend in a temporary XDG_CONFIG_HOME, set by
# the caller); language and colour scheme from LANG/LANGUAGE and DMD_COLOR_SCHEME.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmd_atspi as D  # noqa: E402

build, source, outdir, prefix, width, height = sys.argv[1:7]
# The test build of the wizard: the installed one has no test hooks.
app_exe = os.path.join(build, 'src/ui/device-mail-doctor-test')
server_exe = os.path.join(build, 'tests/dmd-test-smtp-server')
certs = os.path.join(build, 'tests')
USER = 'scanner@contoso.com'
PASSWORD = 'Sc4n-2-Ma1l!pw#7'

# Exchange Online with SMTP AUTH off for the tenant; the recipient step is slow so that the
# checks page can be caught while checks still run.
SCENARIO = '''[server]
description=screenshots: SMTP AUTH disabled for the tenant
public_ip=203.0.113.7
[auth]
reply=535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. {trailer}
delay=2
'''


def snap(w, name, settle=0.6):
    """The window's pixels: Xvfb has no window manager, so the window is at its own place
    on the root window with nothing on top."""
    time.sleep(settle)   # let transitions settle
    frame = D.pyatspi.findDescendant(w.app, lambda a: a.getRoleName() == 'frame') or \
        [c for c in w.app][0]
    x, y, cw, ch = frame.queryComponent().getExtents(D.pyatspi.DESKTOP_COORDS)
    path = os.path.join(outdir, '%s-%s.png' % (prefix, name))
    subprocess.run(['/usr/bin/import', '-window', 'root', '-crop', '%dx%d+%d+%d' % (cw, ch, x, y),
                    '+repage', path], check=True)
    print(path, flush=True)


def main():
    language = os.environ.get('LANGUAGE') or None
    _ = D.Translator(os.path.join(build, 'po'), language)
    with tempfile.NamedTemporaryFile('w', suffix='.ini', delete=False) as f:
        f.write(SCENARIO)
        scenario = f.name
    srv = D.ScriptedServer(server_exe, scenario, certs)
    hve = D.ScriptedServer(server_exe, os.path.join(source, 'tests/scenarios/hve-success.ini'),
                           certs)
    env = D.app_env({
        'DMD_TEST_CONNECT_TO': 'smtp.office365.com:587:127.0.0.1:%d;'
                               'smtp.hve.mx.microsoft:587:127.0.0.1:%d' % (srv.port, hve.port),
        'DMD_TEST_CA_FILE': os.path.join(certs, 'test-ca.pem'),
        'DMD_TEST_TIMEOUT': '8',
        'DMD_LOCALEDIR': os.path.join(build, 'po'),
    })
    w = D.Wizard(app_exe, env)

    def button(text):
        return w.header_button(_(text))

    try:
        w.go_to_title(_('Device Mail Doctor'))
        time.sleep(1)
        snap(w, '1-welcome')

        w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                             lambda a: D.name_starts(a, _('Check the Settings'))))
        w.go_to_title(_('Sending Option'))
        option = w.page('DmdOptionPage')
        # Open "Not sure?" and answer two questions, so the questionnaire shows its verdict.
        w.mouse_click(w.find(option, 'list item',
                             lambda a: D.name_is(a, _('Not Sure? Answer a Few Questions'))))
        time.sleep(0.8)
        snap(w, '2-option')

        w.click(button('_Next'))
        w.go_to_title(_('Device Settings'))
        settings = w.page('DmdSettingsPage')
        w.set_text(settings, _('User name'), USER)
        w.set_text(settings, _('Password'), PASSWORD)
        # A sender that differs from the login: a pre-flight note under the field.
        w.set_text(settings, _('Sender (From)'), 'printer@contoso.com')
        w.set_text(settings, _('Test recipient'), 'someone@fabrikam.example')
        time.sleep(0.5)
        snap(w, '3-settings')

        # Found before the run: while spinners turn, every AT-SPI call is slow under Xvfb
        # (software rendering), so a walk of the whole tree would miss the running checks.
        checks = w.page('DmdChecksPage')
        check_list = w.find(checks, 'list', lambda a: True, what='the list of checks')
        running = ': ' + _('Running')
        w.click(button('_Run Checks'))
        D.wait_for(lambda: check_list.childCount >= 6 and
                   any(running in (check_list[i].name or '') for i in range(check_list.childCount)),
                   30, 'running checks')
        snap(w, '4-checks', settle=0)

        w.go_to_title(_('Results'), timeout=60)
        time.sleep(1)
        snap(w, '5-results')

        # The settings of the other options, with what was typed for SMTP AUTH: Direct Send
        # after Run Checks was pressed with neither server nor domain (the server is marked),
        # and relay as it opens.
        def back(title):
            w.click(w.find(w.app, 'push button', lambda a: D.name_is(a, _('Back')) and
                           a.getState().contains(D.pyatspi.STATE_SENSITIVE)))
            w.go_to_title(title)

        back(_('Device Settings'))
        for name, shot in (('Direct Send', '3-settings-direct-send'), ('SMTP relay', '3-settings-relay')):
            back(_('Sending Option'))
            w.mouse_click(w.find(w.page('DmdOptionPage'), 'check box',
                                 lambda a, n=_(name): D.name_is(a, n)))
            w.click(button('_Next'))
            w.go_to_title(_('Device Settings'))
            D.wait_for(lambda n=_(name): n in w.labels(w.header()), what='the settings of ' + name)
            if shot.endswith('direct-send'):
                w.click(button('_Run Checks'))
            snap(w, shot)

        # Back to the welcome page, then explain a pasted reply.
        for title in (_('Sending Option'), _('Device Mail Doctor')):
            back(title)
        w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                             lambda a: D.name_starts(a, _('Explain an Error Message'))))
        w.go_to_title(_('Explain an Error Message'))
        explain = w.page('DmdExplainPage')
        text = w.find(explain, 'text', lambda a: True)
        text.queryEditableText().setTextContents(
            '550 5.7.60 SMTP; Client does not have permissions to send as this sender '
            '[AM6PR02MB1234.eurprd02.prod.outlook.com 2026-11-27T10:00:00.000Z 08DD0000ABCDEF01]')
        time.sleep(1)
        snap(w, '6-explain')

        # Back to the welcome page, then test the device itself: a client stands in for the
        # device (the capture listens on a free port, typed in as a technician would).
        w.click(w.find(w.app, 'push button', lambda a: D.name_is(a, _('Back')) and
                       a.getState().contains(D.pyatspi.STATE_SENSITIVE)))
        w.go_to_title(_('Device Mail Doctor'))
        w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                             lambda a: D.name_starts(a, _('Test the Device Itself'))))
        w.go_to_title(_('Test the Device'))
        capture = w.page('DmdCapturePage')
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        w.set_text(capture, _('Port'), str(port))
        w.click(w.find(capture, 'push button', lambda a: D.name_is(a, _('_Start Listening'))))
        w.find(capture, 'push button', lambda a: D.name_is(a, _('S_top')), timeout=20)
        # As a multifunction printer scanning to email does: STARTTLS (the capture's
        # certificate is its own, self-signed), then a whole message, no sign-in.
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP('127.0.0.1', port, local_hostname='mfp-3f.contoso.com', timeout=10) as c:
            c.ehlo()
            c.starttls(context=tls)
            c.ehlo()
            c.sendmail('scanner@contoso.com', ['a@contoso.com'],
                       'From: Scanner <scanner@contoso.com>\r\nTo: a@contoso.com\r\n'
                       'Subject: Scanned document\r\n\r\nScanned document attached.\r\n')
        time.sleep(1)
        snap(w, '7-capture')
        w.click(w.find(capture, 'push button', lambda a: D.name_is(a, _('S_top'))))
        w.find(capture, 'push button', lambda a: D.name_is(a, _('_Start Again')), timeout=20)
        time.sleep(1)
        snap(w, '8-capture-verdict')

        # High Volume Email, the fourth option: an HVE account mails someone inside.
        w.click(w.find(w.app, 'push button', lambda a: D.name_is(a, _('Back')) and
                       a.getState().contains(D.pyatspi.STATE_SENSITIVE)))
        w.go_to_title(_('Device Mail Doctor'))
        w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                             lambda a: D.name_starts(a, _('Check the Settings'))))
        w.go_to_title(_('Sending Option'))
        w.mouse_click(w.find(w.page('DmdOptionPage'), 'check box',
                             lambda a: D.name_is(a, _('High Volume Email'))))
        w.click(button('_Next'))
        w.go_to_title(_('Device Settings'))
        settings = w.page('DmdSettingsPage')
        w.set_text(settings, _('User name'), 'hve-scanner@contoso.com')
        w.set_text(settings, _('Password'), PASSWORD)
        w.set_text(settings, _('Sender (From)'), 'hve-scanner@contoso.com')
        w.set_text(settings, _('Test recipient'), 'someone@contoso.com')
        snap(w, '3-settings-hve')
        w.click(button('_Run Checks'))
        w.go_to_title(_('Results'), timeout=60)
        time.sleep(1)
        snap(w, '9-hve-results')
    finally:
        w.stop()
        srv.stop()
        hve.stop()
        os.unlink(scenario)


main()
