#!/usr/bin/python3
# test-cli-check.py — `device-mail-doctor-cli check` end to end, against the scripted SMTP
# server on loopback (port 0), with TAP output.
#
#   test-cli-check.py CLI SERVER CERTDIR
#
# Asserts the command-line contract of DESIGN.md: options, secrets never on the command line
# nor in any output, exit status 0/1/2, JSON on stdout, the HTML report, and Ctrl+C (130).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time

import dmd_tap

CLI, SERVER, CERTS = sys.argv[1:4]
PASSWORD = 'Pa55-w0rd-Very-Secret'
PASSWORD_B64 = 'UGE1NS13MHJkLVZlcnktU2VjcmV0'
USER = 'scanner@contoso.com'

tmp = tempfile.TemporaryDirectory(prefix='dmd-cli-check-')
tap = dmd_tap.Tap()
ok = tap.ok


class Server:
    """The scripted server as a child process; PORT is read from its first line."""

    def __init__(self, scenario):
        path = os.path.join(tmp.name, f'scenario-{tap.count}.ini')
        with open(path, 'w') as f:
            f.write(scenario)
        self.proc = subprocess.Popen([SERVER, path, '--certs', CERTS], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        assert first[0] == 'PORT', first
        self.port = int(first[1])
        self.lines = []

    def wait_for(self, needle, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(needle in line for line in self.lines):
                return True
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                line = self.proc.stdout.readline()
                if not line:
                    return False
                self.lines.append(line)
        return False

    def stop(self):
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        self.lines.extend(rest.splitlines(True))
        self.proc.wait(timeout=10)
        return ''.join(self.lines)


def env(**extra):
    e = dict(os.environ)
    e.pop('DMD_PASSWORD', None)
    e.update({'LC_ALL': 'C.UTF-8', 'LANGUAGE': '', 'NO_COLOR': '1',
              'G_DEBUG': 'fatal-criticals'})
    e.update(extra)
    return e


def run(args, stdin='', extra_env=None, timeout=60):
    p = subprocess.run([CLI, 'check'] + args, input=stdin, capture_output=True, text=True,
                       env=env(**(extra_env or {})), timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def base_args(port, *more):
    # Every connection (any port) goes to the scripted server; TLS verifies against the
    # original name with the test CA.
    return ['--option=smtp-auth', f'--connect-to=smtp.office365.com::127.0.0.1:{port}',
            f'--ca-file={os.path.join(CERTS, "test-ca.pem")}', '--timeout=3',
            f'--username={USER}', f'--from={USER}', '--to=someone@contoso.com',
            '--domain=contoso.com'] + list(more)


def no_secret(*texts):
    return all(PASSWORD not in t and PASSWORD_B64 not in t for t in texts)


SUBMISSION = f'''[server]
profile=exchange-submission
[auth]
username={USER}
password={PASSWORD}
'''

# ---- bad usage: exit 2, before any network ----------------------------------------------

code, out, err = run(['--option=smtp-auth', f'--password={PASSWORD}'])
ok(code == 2 and 'command line' in err and no_secret(out, err),
   'a password as an argument value is refused', err)

code, out, err = run(['--option=smtp-auth', '--oauth-token', 'abc'])
ok(code == 2 and 'command line' in err, 'a token as an argument value is refused', err)

code, out, err = run(['--server=smtp.office365.com'])
ok(code == 2 and '--option' in err, 'the option is required', err)

code, out, err = run(['--option=fax'])
ok(code == 2 and 'fax' in err, 'an unknown option is bad usage', err)

code, out, err = run(['--option=direct-send'])
ok(code == 2 and '--server' in err and '--domain' in err,
   'direct send needs a server or a domain to find the MX', err)

code, out, err = run(['--option=relay', '--to=someone@fabrikam.example'])
ok(code == 2 and '--server' in err and '--domain' in err,
   'relay needs a server or the organization\'s domain (not the outside recipient\'s)', err)

code, out, err = run(['--option=smtp-auth', '--port=70000'])
ok(code == 2 and '--port' in err, 'a port out of range is bad input', err)

code, out, err = run(['--option=smtp-auth', '--security=ssl'])
ok(code == 2 and 'ssl' in err, 'an unknown security is bad input', err)

code, out, err = run(['--option=smtp-auth', '--connect-to=nonsense'])
ok(code == 2 and '--connect-to' in err, 'a malformed --connect-to is bad input', err)

code, out, err = run(['--option=smtp-auth', '--format=xml'])
ok(code == 2 and 'xml' in err, 'an unknown format is bad usage', err)

code, out, err = run(['--option=smtp-auth', '--from=not an address'])
ok(code == 2 and '--from' in err, 'a validation error names the option', err)

code, out, err = run(['--option=smtp-auth', '--password-stdin', '--password-file=/dev/null'])
ok(code == 2, 'two password sources are bad usage', err)

code, out, err = run(['--option=smtp-auth', '--password-file=/nonexistent/pw'])
ok(code == 2 and '/nonexistent/pw' in err, 'an unreadable password file is bad input', err)

code, out, err = run(['--option=smtp-auth', 'extra'])
ok(code == 2 and 'extra' in err, 'a stray argument is bad usage', err)

# The client certificate: both files or neither, and they must load; never any key bytes.
CLIENT_CERT = os.path.join(CERTS, 'test-client.pem')
CLIENT_KEY = os.path.join(CERTS, 'test-client-key.pem')
OTHER_KEY = os.path.join(CERTS, 'test-client-other-key.pem')
with open(OTHER_KEY) as f:
    OTHER_KEY_LINES = [ln.strip() for ln in f if len(ln.strip()) >= 16 and '-----' not in ln]
relay = ['--option=relay', '--server=contoso-com.mail.protection.outlook.com']
code, out, err = run(relay + [f'--client-cert={CLIENT_CERT}'])
ok(code == 2 and '--client-cert' in err and 'private key' in err,
   'a client certificate without its key is bad input', err)
code, out, err = run(relay + [f'--client-key={CLIENT_KEY}'])
ok(code == 2 and '--client-cert' in err, 'a client key without its certificate is bad input', err)
code, out, err = run(relay + [f'--client-cert={CLIENT_CERT}', f'--client-key={OTHER_KEY}'])
ok(code == 2 and 'does not belong' in err and not any(ln in out + err for ln in OTHER_KEY_LINES),
   'a key of another certificate is bad input, and its bytes are not shown', err)
code, out, err = run(relay + [f'--client-cert={OTHER_KEY}', f'--client-key={OTHER_KEY}'])
ok(code == 2 and 'holds no certificate' in err
   and not any(ln in out + err for ln in OTHER_KEY_LINES),
   'a key given as the certificate is bad input, and its bytes are not shown', err)
code, out, err = run(relay + ['--client-cert=/nonexistent/c.pem', f'--client-key={CLIENT_KEY}'])
ok(code == 2 and '/nonexistent/c.pem' in err, 'a missing certificate file is bad input', err)
code, out, err = run(relay + [f'--client-cert={CLIENT_CERT}', '--client-key=/dev/zero'])
ok(code == 2 and 'not a file' in err, 'a device file as the key is refused, not read', err)
code, out, err = run(['--help'])
ok(code == 0 and '--client-cert' in out and '--client-key' in out,
   '--help lists --client-cert and --client-key', out)

code, out, err = run(['--help'])
ok(code == 0 and '--password-file' in out and '--connect-to' in out and '--ip-version' in out,
   '--help lists the options', out)

# ---- a passing run: JSON on stdout, the HTML report, no secret anywhere --------------------

server = Server(SUBMISSION)
report = os.path.join(tmp.name, 'report.html')
# With every debug message on (they must go to stderr, and carry no secret).
code, out, err = run(base_args(server.port, '--password-stdin', '--format=json',
                               f'--report={report}'), stdin=PASSWORD + '\n',
                     extra_env={'G_MESSAGES_DEBUG': 'all'})
events = server.stop()
try:
    doc = json.loads(out)
except ValueError as e:
    doc = {}
ok(doc.get('schema') == 'device-mail-doctor/report/v1',
   'JSON report on stdout, debug messages on stderr', out + err)
ok(code == (1 if doc.get('verdict') in ('fail', 'retry') else 0), 'exit status follows the verdict',
   f'code={code} verdict={doc.get("verdict")}')
ok(code == 0, 'a good server and good credentials give no error finding',
   json.dumps([(f['id'], f['severity'], f['evidence']) for f in doc.get('findings', [])],
              indent=1) + err)
ok('AUTH LOGIN accepted' in events or ('LOGIN' in events and 'accepted' in events),
   'the server saw a successful AUTH', events)
settings = doc.get('settings', {})
ok(settings.get('username') == USER and settings.get('auth_method') == 'login'
   and 'password' not in settings, 'settings carry the user and method, not the secret',
   settings)
ok(settings.get('connect_to') == [f'smtp.office365.com::127.0.0.1:{server.port}'],
   'settings record --connect-to', settings)
ok(doc.get('sent') is False, 'no message sent without --send', doc.get('sent'))
html = open(report, encoding='utf-8').read() if os.path.exists(report) else ''
ok(html.startswith('<!DOCTYPE html>') and '</html>' in html, 'the HTML report is written',
   err)
ok(no_secret(out, err, html, events), 'the password is in no output, report or record')

# ---- the password from the environment and from a file; text output -----------------------

server = Server(SUBMISSION)
code, out, err = run(base_args(server.port), extra_env={'DMD_PASSWORD': PASSWORD})
events = server.stop()
ok(code == 0 and 'accepted' in events, 'DMD_PASSWORD is used', out + err)
ok('\x1b' not in out and 'Recommended settings for the device' in out,
   'text output, no colour when not a terminal', out)
ok(no_secret(out, err), 'no secret in the text output')

server = Server(SUBMISSION)
code, out, err = run(base_args(server.port, '--from=printer@contoso.com'),
                     extra_env={'DMD_PASSWORD': PASSWORD, 'LC_ALL': 'C'})
server.stop()
ok(code == 0 and out.isascii() and "device's sender" in out,
   'text in the C locale is plain ASCII, typography made plain', out[:600])

pwfile = os.path.join(tmp.name, 'pw')
with open(pwfile, 'w') as f:
    f.write(PASSWORD + '\n')
os.chmod(pwfile, 0o600)
server = Server(SUBMISSION)
code, out, err = run(base_args(server.port, f'--password-file={pwfile}', '--format=json'))
events = server.stop()
ok(code == 0 and 'accepted' in events, '--password-file is used', out + err)

# ---- a wrong password: an error finding, exit 1 -------------------------------------------

server = Server(SUBMISSION)
code, out, err = run(base_args(server.port, '--password-stdin', '--format=json'),
                     stdin='wrong-password\n')
server.stop()
try:
    doc = json.loads(out)
except ValueError:
    doc = {}
ids = [f['id'] for f in doc.get('findings', []) if f['severity'] == 'error']
ok(code == 1 and doc.get('verdict') == 'fail' and any(i.startswith('auth-') for i in ids),
   'a refused login is an error finding and exit 1', f'code={code} ids={ids} {err}')

# ---- High Volume Email: the defaults of its row, and an outside recipient before any connection

code, out, err = run(['--help'])
ok('smtp-auth|direct-send|relay|hve' in out and 'smtp.hve.mx.microsoft (hve)' in out
   and '587 (smtp-auth, hve)' in out, 'the help gives every option and its defaults', out)

# Port 1 on loopback refuses the connection: the outside recipient is known before it.
code, out, err = run(['--option=hve', '--username=hve-scanner@contoso.com',
                      '--from=hve-scanner@contoso.com', '--to=someone@fabrikam.example',
                      '--domain=contoso.com', '--password-stdin', '--format=json',
                      '--connect-to=smtp.hve.mx.microsoft:587:127.0.0.1:1', '--timeout=3'],
                     stdin=PASSWORD + '\n')
try:
    doc = json.loads(out)
except ValueError:
    doc = {}
checks = {c['id']: c['status'] for c in doc.get('checks', [])}
ids = [f['id'] for f in doc.get('findings', [])]
ok(code == 1 and doc.get('option') == 'hve' and ids[:1] == ['config-hve-external-recipient']
   and checks.get('config') == 'fail' and checks.get('connect') == 'fail'
   and doc.get('settings', {}).get('server') == 'smtp.hve.mx.microsoft'
   and doc.get('settings', {}).get('port') == 587
   and 'config-basic-auth-retiring' not in ids and 'config-hve-basic-auth-until-2028' in ids,
   'hve: an outside recipient is an error before any connection, exit 1',
   f'code={code} ids={ids} checks={checks} {err}')

# ---- no password source and a terminal on stdin: a prompt without echo --------------------


def run_on_pty(args, script, timeout=30):
    """Run the CLI on a pseudo-terminal; script(fd, pid, read) drives it. Returns (status,
    everything the terminal showed, the terminal's lflag when the CLI ended)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.clear()
        os.environ.update(env())
        os.execv(CLI, [CLI, 'check'] + args)
    shown = bytearray()

    def read(until=None, wait=10):
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if until is not None and until in shown:
                return True
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return until is None
                if not data:
                    return until is None
                shown.extend(data)
        return until is None or until in shown

    script(fd, pid, read)
    read(None, timeout)
    lflag = termios.tcgetattr(fd)[3]
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), bytes(shown).decode('utf-8', 'replace'), lflag


server = Server(SUBMISSION)


def type_password(fd, pid, read):
    if read(b'Password for ' + USER.encode()):
        time.sleep(0.2)  # the prompt is shown before echo is turned off
        os.write(fd, (PASSWORD + '\n').encode())


code, shown, lflag = run_on_pty(base_args(server.port, '--format=json'), type_password)
events = server.stop()
ok('Password for ' + USER in shown, 'asks for the password on a terminal', shown[-2000:])
ok(PASSWORD not in shown, 'the typed password is not echoed', shown[-2000:])
ok(code == 0 and ('LOGIN' in events and 'accepted' in events),
   'the typed password is used', f'rc={code} {events[-1500:]}')
ok(lflag & termios.ECHO, 'echo is on again afterwards')


server = Server(SUBMISSION)
code, shown, lflag = run_on_pty(base_args(server.port, '--format=json', '--password-stdin'),
                                type_password)
events = server.stop()
ok(PASSWORD not in shown and code == 0 and 'accepted' in events,
   '--password-stdin typed on a terminal is not echoed either', f'rc={code} {shown[-1500:]}')


def interrupt_prompt(fd, pid, read):
    if read(b'Password for '):
        time.sleep(0.2)
        os.kill(pid, signal.SIGINT)


code, shown, lflag = run_on_pty(['--option=smtp-auth', f'--username={USER}',
                                 '--connect-to=smtp.office365.com::127.0.0.1:9'],
                                interrupt_prompt)
ok(code == -signal.SIGINT or code == 130, 'Ctrl+C at the prompt ends the command', code)
ok(lflag & termios.ECHO, 'Ctrl+C at the prompt leaves echo on')

# ---- Ctrl+C: the run stops, what was gathered is printed, exit 130 -------------------------

server = Server(SUBMISSION + '[banner]\naction=stall\n')
report = os.path.join(tmp.name, 'cancelled.html')
args = [CLI, 'check'] + base_args(server.port, '--format=json', f'--report={report}')
args = [a.replace('--timeout=3', '--timeout=30') for a in args]
proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True, env=env(DMD_PASSWORD=PASSWORD))
seen = server.wait_for(' open ')
started = time.monotonic()
proc.send_signal(signal.SIGINT)
try:
    out, err = proc.communicate(timeout=10)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
elapsed = time.monotonic() - started
server.stop()
ok(seen, 'the run reached the server before the interruption')
ok(proc.returncode == 130, 'Ctrl+C exits with 130', f'rc={proc.returncode} {err}')
ok(elapsed < 8, 'Ctrl+C stops a stalled run promptly', f'{elapsed:.1f} s')
try:
    doc = json.loads(out)
except ValueError:
    doc = {}
ok(doc.get('schema') == 'device-mail-doctor/report/v1' and len(doc.get('recommended', [])) > 0,
   'what was gathered is printed after Ctrl+C', out + err)
html = open(report, encoding='utf-8').read() if os.path.exists(report) else ''
ok('cancelled' in html, 'the report of an interrupted run says it is incomplete', err)

tap.finish()
