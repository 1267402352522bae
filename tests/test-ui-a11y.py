#!/usr/bin/python3
# test-ui-a11y.py — every control on every page of the real wizard has a name a screen
# reader can say (TAP output).
#
#   test-ui-a11y.py APP SERVER_EXE CERTS_DIR SCENARIOS_DIR
#
# APP is the test build of the wizard (src/ui/device-mail-doctor-test), which honours the
# test-only DMD_TEST_* variables that point it at the scripted server.
#
# Walks the app's accessibility tree (AT-SPI, as Orca sees it) on each page — welcome, the
# sending options with the "Not sure?" questions, the settings of SMTP AUTH and of SMTP relay,
# the checks and results of a run refused by the scripted server, an explained error message,
# the device test — and fails on any button, toggle, entry, check box… that is showing and
# whose name is empty or a GTK class name ("GtkImage", "AdwEntryRow"): what GTK 4.8
# announces for a widget nobody named. On the way it checks the keyboard (issue 14 §3): the
# chosen option has the focus on arrival and each option is one stop (its row, not also its
# check box); on the results, no text (evidence, explanation, command) is a Tab stop, and the
# Copy buttons are.
#
# Needs a display and a session bus (build-aux/dev test provides both), and an environment
# without GTK_A11Y=test or NO_AT_BRIDGE=1.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmd_atspi as D  # noqa: E402

app_exe, server_exe, certs, scenarios = sys.argv[1:5]
if not (os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
    print('1..0 # SKIP no display (run under build-aux/dev test or xvfb-run)')
    sys.exit(0)

USER = 'scanner@contoso.com'


def back(w, title):
    w.click(w.find(w.app, 'push button', lambda a: D.name_is(a, 'Back') and
                   a.getState().contains(D.pyatspi.STATE_SENSITIVE)))
    w.go_to_title(title)


def walk_pages(w, check):
    """Visit every page; check(page name) walks the tree there."""
    w.go_to_title('Device Mail Doctor')
    welcome = w.page('DmdWelcomePage')
    check('welcome')

    w.mouse_click(w.find(welcome, 'list item', lambda a: D.name_starts(a, 'Check the Settings')))
    w.go_to_title('Sending Option')
    option = w.page('DmdOptionPage')
    check('sending option')
    w.mouse_click(w.find(option, 'list item',
                         lambda a: D.name_is(a, 'Not Sure? Answer a Few Questions')))
    w.find(option, 'combo box', lambda a: True, what='the questions')
    check('sending option, "Not sure?" open')

    w.click(w.header_button('Next'))
    w.go_to_title('Device Settings')
    settings = w.page('DmdSettingsPage')
    w.find(settings, 'text', lambda a: D.name_is(a, 'Password'), what='the password field')
    check('settings (SMTP AUTH)')
    # The password's reveal button says what it does next.
    w.click(w.find(settings, 'push button', lambda a: D.name_is(a, 'Show Password')))
    w.click(w.find(settings, 'push button', lambda a: D.name_is(a, 'Hide Password')))
    w.find(settings, 'push button', lambda a: D.name_is(a, 'Show Password'))
    w.set_text(settings, 'User name', USER)
    w.set_text(settings, 'Password', 'any-password-1')
    w.set_text(settings, 'Sender (From)', USER)
    w.set_text(settings, 'Test recipient', 'someone@contoso.com')
    w.click(w.header_button('Run Checks'))
    w.go_to_title('Results', timeout=90)
    check('results')

    back(w, 'Device Settings')
    back(w, 'Sending Option')
    w.mouse_click(w.find(w.page('DmdOptionPage'), 'check box', lambda a: D.name_is(a, 'SMTP relay')))
    w.click(w.header_button('Next'))
    w.go_to_title('Device Settings')
    D.wait_for(lambda: 'SMTP relay' in w.labels(w.header()), what='the relay settings')
    check('settings (SMTP relay)')
    back(w, 'Sending Option')
    back(w, 'Device Mail Doctor')

    w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                   lambda a: D.name_starts(a, 'Explain an Error Message')))
    w.go_to_title('Explain an Error Message')
    explain = w.page('DmdExplainPage')
    w.find(explain, 'text', lambda a: True).queryEditableText().setTextContents(
        '550 5.7.60 SMTP; Client does not have permissions to send as this sender')
    # The explanation is there once its finding's title shows (its fix steps, and so its Copy
    # buttons, depend on what the session knows).
    w.find(explain, 'label', lambda a: D.name_starts(a, 'No permission to send as this sender'),
           what='an explanation')
    check('explain')
    back(w, 'Device Mail Doctor')

    w.mouse_click(w.find(w.page('DmdWelcomePage'), 'list item',
                   lambda a: D.name_starts(a, 'Test the Device Itself')))
    w.go_to_title('Test the Device')
    check('device test')


def keyboard_problems(w, page):
    """What a keyboard user would trip over on this page, as a list of sentences."""
    problems = []
    focusable = D.pyatspi.STATE_FOCUSABLE
    if page == 'sending option':
        option = w.page('DmdOptionPage')
        focused = [a for a in w.find_all(option, 'list item')
                   if a.getState().contains(D.pyatspi.STATE_FOCUSED)]
        if [a.name for a in focused] != ['SMTP AUTH client submission']:
            problems.append('option page: focus on arrival is on %s' % [a.name for a in focused])
        for check in w.find_all(option, 'check box'):
            if check.getState().contains(focusable):
                problems.append('option page: the check box %r is a Tab stop of its own'
                                % check.name)
    elif page == 'results':
        results = w.page('DmdResultsPage')
        for label in w.find_all(results, 'label'):
            if label.getState().contains(focusable):
                problems.append('results: the text %r is a Tab stop' % (label.name or '')[:60])
        copies = w.find_all(results, 'push button', lambda a: D.name_is(a, 'Copy command'))
        if not any(a.getState().contains(focusable) for a in copies):
            problems.append('results: no Copy button to reach with Tab')
    return problems


def case_every_control_named():
    scenario = os.path.join(scenarios, 'auth-5.7.139-tenant-disabled.ini')
    srv = D.ScriptedServer(server_exe, scenario, certs)
    env = D.app_env({
        'LANG': 'C.UTF-8',
        'DMD_TEST_CONNECT_TO': 'smtp.office365.com:587:127.0.0.1:%d' % srv.port,
        'DMD_TEST_CA_FILE': os.path.join(certs, 'test-ca.pem'),
        'DMD_TEST_TIMEOUT': '2',
        'XDG_CONFIG_HOME': gtk_config,
    })
    env.pop('LANGUAGE', None)
    problems = {}
    keyboard = []
    visited = []
    w = D.Wizard(app_exe, env)

    def check(page):
        # The stack keeps every page in the tree: a control is reported once, with the page
        # that was showing when it was first seen.
        visited.append(page)
        for role, name, path in D.badly_named_controls(w.app):
            problems.setdefault(path, 'on %s: %s named %r (%s)' % (page, role, name, path))
        keyboard.extend(keyboard_problems(w, page))

    try:
        walk_pages(w, check)
    finally:
        w.stop()
        srv.stop()
    assert len(visited) == 8, 'pages visited: %s' % visited
    assert not problems, 'controls without a name:\n' + '\n'.join(problems.values())
    assert not keyboard, 'keyboard:\n' + '\n'.join(keyboard)


gtk_config = D.still_gtk_config()
CASES = [
    ('every control on every page has a name', case_every_control_named),
]

print('1..%d' % len(CASES), flush=True)
failed = 0
for n, (name, func) in enumerate(CASES, 1):
    try:
        func()
        print('ok %d - %s' % (n, name), flush=True)
    except Exception as e:  # noqa: BLE001
        failed += 1
        for line in traceback.format_exc().splitlines():
            print('# ' + line)
        print('not ok %d - %s' % (n, name), flush=True)
import shutil  # noqa: E402
shutil.rmtree(gtk_config, ignore_errors=True)
sys.exit(1 if failed else 0)
