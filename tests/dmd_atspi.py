# dmd_atspi.py — drive the real wizard through AT-SPI (for the end-to-end test and the
# screenshot script). Needs /usr/bin/python3 with pyatspi, a display and a session bus, and an
# environment WITHOUT GTK_A11Y=test or NO_AT_BRIDGE=1 (they hide the app from the a11y bus).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import signal
import socket
import subprocess
import time

import pyatspi

APP_NAME = 'device-mail-doctor'


class DriverError(Exception):
    pass


def wait_for(pred, timeout=10.0, what='condition', interval=0.1):
    """Poll pred() until it returns something truthy; a deadline only guards against hangs."""
    end = time.monotonic() + timeout
    while True:
        try:
            value = pred()
        except Exception:          # the tree changes under our feet while GTK rebuilds it
            value = None
        if value:
            return value
        if time.monotonic() > end:
            raise DriverError('timed out waiting for ' + what)
        time.sleep(interval)


def name_is(acc, text):
    """GTK 4.8 names some widgets twice ("Start Start"): accept that form too."""
    name = acc.name or ''
    return name == text or name == text + ' ' + text


def name_starts(acc, text):
    return (acc.name or '').startswith(text)


class Wizard:
    """The running app, found on the accessibility bus."""

    def __init__(self, exe, env, args=()):
        self.proc = subprocess.Popen([exe, *args], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.app = wait_for(self._find_app, 20, 'the app on the accessibility bus')

    def _find_app(self):
        if self.proc.poll() is not None:
            raise SystemExit('the app exited early: ' +
                             self.proc.stderr.read().decode(errors='replace')[-2000:])
        for a in pyatspi.Registry.getDesktop(0):
            if a is not None and a.name == APP_NAME:
                return a
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- finding things --------------------------------------------------------------------

    def page(self, type_name):
        """The subtree of one wizard page (DmdWelcomePage, DmdSettingsPage, ...)."""
        return wait_for(lambda: pyatspi.findDescendant(
            self.app, lambda a: a.getRoleName() == 'filler' and a.name == type_name),
            10, type_name)

    def header(self):
        return wait_for(lambda: pyatspi.findDescendant(
            self.app, lambda a: a.getRoleName() == 'filler' and a.name == 'AdwWindowTitle'),
            10, 'the header title')

    def title(self):
        label = pyatspi.findDescendant(self.header(), lambda a: a.getRoleName() == 'label')
        return label.name if label else None

    def find(self, root, role, pred, timeout=10.0, what=None):
        return wait_for(lambda: pyatspi.findDescendant(
            root, lambda a: a is not None and a.getRoleName() == role and pred(a)),
            timeout, what or role)

    def find_all(self, root, role, pred=lambda a: True):
        return pyatspi.findAllDescendants(
            root, lambda a: a is not None and a.getRoleName() == role and pred(a))

    def labels(self, root):
        return [a.name for a in self.find_all(root, 'label')]

    def header_button(self, text):
        """A visible header bar button (Next, Run Checks, Cancel, ...)."""
        return self.find(self.app, 'push button',
                         lambda a: name_is(a, text) and
                         a.getState().contains(pyatspi.STATE_VISIBLE) and
                         a.getState().contains(pyatspi.STATE_SENSITIVE),
                         what='button ' + text)

    # -- acting ------------------------------------------------------------------------------

    def click(self, acc):
        action = acc.queryAction()
        for i in range(action.nActions):
            if action.getName(i) in ('click', 'activate', 'toggle', 'press'):
                if not action.doAction(i):
                    raise DriverError('action refused on ' + acc.name)
                return
        raise DriverError('nothing to click on %s %r' % (acc.getRoleName(), acc.name))

    def mouse_click(self, acc):
        """A real pointer click in the middle of acc (XTest through the registry)."""
        x, y, w, h = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, 'abs')
        time.sleep(0.1)
        pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, 'b1c')

    def set_text(self, root, field, value):
        text = self.find(root, 'text', lambda a: name_is(a, field), what='field ' + field)
        if not text.queryEditableText().setTextContents(value):
            raise DriverError('could not type into ' + field)

    def go_to_title(self, title, timeout=30.0):
        wait_for(lambda: self.title() == title, timeout, 'the page "%s"' % title)


# -- accessibility checks -----------------------------------------------------------------

# Roles of the things a user operates: each must have a name that says what it does.
CONTROL_ROLES = {
    'push button', 'toggle button', 'check box', 'radio button', 'text', 'password text',
    'entry', 'combo box', 'spin button', 'link', 'menu item', 'check menu item',
    'radio menu item', 'slider', 'switch',
}
# What GTK 4.8 announces for a widget that has no name of its own: a class name.
CLASS_NAME = re.compile(r'^(Gtk|Adw|Dmd)[A-Z][A-Za-z]*$')


def badly_named_controls(root):
    """Controls below root whose accessible name is empty or a class name, as (role, name,
    path) tuples; path names the nearest ancestors, for the failure message. GTK 4.8 marks no
    child as showing, and a stack keeps its other pages in the tree: they are checked too."""
    found = []

    def walk(acc, path):
        try:
            role = acc.getRoleName()
            name = acc.name or ''
        except Exception:          # the tree changes under our feet while GTK rebuilds it
            return
        here = path + ['%s %r' % (role, name)] if name else path + [role]
        if role in CONTROL_ROLES and (not name.strip() or CLASS_NAME.match(name.strip())):
            found.append((role, name, ' > '.join(here[-4:])))
        for i in range(acc.childCount):
            try:
                child = acc.getChildAtIndex(i)
            except Exception:
                continue
            if child is not None:
                walk(child, here)

    walk(root, [])
    return found


# -- servers ------------------------------------------------------------------------------


class ScriptedServer:
    """tests/dmd-test-smtp-server running one scenario; prints "PORT n" when ready."""

    def __init__(self, exe, scenario, certs):
        self.proc = subprocess.Popen([exe, scenario, '--certs', certs], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r'PORT (\d+)', line or '')
        if not m:
            raise DriverError('the test server did not start: %r %s' %
                              (line, self.proc.stderr.read()))
        self.port = int(m.group(1))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        events = self.proc.stdout.read()
        return events


class BlockedPort:
    """A port that drops connection attempts like a firewall: a listener with a backlog of
    one, filled by a connection nobody accepts, so further SYNs go unanswered."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(2):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(('127.0.0.1', self.port))
            except BlockingIOError:
                pass
            self.fillers.append(s)
        time.sleep(0.2)

    def stop(self):
        for s in self.fillers:
            s.close()
        self.listener.close()


class Translator:
    """The app's own catalogue, to find widgets by their translated names."""

    def __init__(self, localedir=None, language=None):
        import gettext
        self.t = gettext.NullTranslations()
        if localedir and language:
            try:
                self.t = gettext.translation('device-mail-doctor', localedir=localedir,
                                             languages=[language])
            except OSError:
                pass

    def __call__(self, msgid, context=None):
        text = self.t.pgettext(context, msgid) if context else self.t.gettext(msgid)
        return strip_mnemonic(text)


def strip_mnemonic(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == '_':
            if i + 1 < len(text) and text[i + 1] == '_':
                out.append('_')
                i += 1
        else:
            out.append(text[i])
        i += 1
    return ''.join(out)


def scenario_value(path, group, key):
    current = None
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if line.startswith('['):
                current = line.strip('[]')
            elif current == group and line.startswith(key + '='):
                return line.split('=', 1)[1]
    return None


def still_gtk_config():
    """An XDG_CONFIG_HOME whose GTK settings turn animations off: under Xvfb every frame is
    drawn in software, and turning spinners make each AT-SPI call wait for the main loop."""
    import tempfile
    conf = tempfile.mkdtemp(prefix='dmd-gtk-')
    os.makedirs(os.path.join(conf, 'gtk-4.0'))
    with open(os.path.join(conf, 'gtk-4.0', 'settings.ini'), 'w') as f:
        f.write('[Settings]\ngtk-enable-animations=false\n')
    return conf


def app_env(extra=None):
    env = dict(os.environ)
    # These two hide the app from the accessibility bus.
    env.pop('GTK_A11Y', None)
    env.pop('NO_AT_BRIDGE', None)
    env['GSETTINGS_BACKEND'] = env.get('GSETTINGS_BACKEND', 'memory')
    if extra:
        env.update(extra)
    return env
