#!/usr/bin/python3
# test-capture-clients.py — `device-mail-doctor-cli capture` with real clients playing devices
#
# usage: test-capture-clients.py CLI
#
# Each case starts the capture listener (port 0, loopback only, --idle=1, a temporary
# XDG_DATA_HOME, G_MESSAGES_DEBUG=all), learns its port from the instructions on standard
# error, runs one or more real clients against it (swaks, msmtp, gnutls-cli, openssl
# s_client), waits for the capture to end by itself and checks the JSON report: the recorded
# facts, the verdict per option, and that the password given to the clients appears nowhere
# (standard output, standard error with debug messages, in clear or base64). TAP output.
# A client that is not installed is skipped (a failure when CI=true). A client installed
# without the optional part a case needs (swaks without TLS) fails that case at once, naming
# the package to install. A capture that no client reached is stopped as soon as the clients
# have exited, instead of waiting for its --timeout.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import concurrent.futures
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CLI = sys.argv[1]
PASSWORD = 'Capture-Pa55word!xyz'
USER = 'scanner@contoso.com'
CI = os.environ.get('CI') == 'true'
# How long after the clients have exited a capture may still report their first connection
# (its log is written by the capture's main loop and read here by a thread) before it counts
# as reached by no one.
CONNECT_GRACE_S = 5

SECRET_FORMS = [
    PASSWORD,
    base64.b64encode(PASSWORD.encode()).decode(),
    base64.b64encode(b'\0' + USER.encode() + b'\0' + PASSWORD.encode()).decode(),
    base64.b64encode(USER.encode() + b'\0' + USER.encode() + b'\0' + PASSWORD.encode()).decode(),
]


class Capture:
    """The CLI as a child process; port known once it listens."""

    def __init__(self, tmp, fmt='json', idle=1):
        env = dict(os.environ)
        env['XDG_DATA_HOME'] = os.path.join(tmp, 'data')
        env['G_MESSAGES_DEBUG'] = 'all'
        env['LC_ALL'] = 'C.UTF-8'
        env.pop('LANGUAGE', None)
        self.proc = subprocess.Popen(
            [CLI, 'capture', '--port=0', '--loopback-only', '--idle=%d' % idle, '--timeout=60',
             '--domain=contoso.com', '--format=' + fmt],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.stderr = b''
        self.port = None
        self.log_stream = self.proc.stderr if fmt == 'json' else self.proc.stdout
        self._other = self.proc.stdout if fmt == 'json' else self.proc.stderr
        self.lines = []
        self.connected = threading.Event()
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(30) or self.port is None:
            self.proc.kill()
            raise RuntimeError('the capture did not start listening')

    def _read(self):
        for raw in iter(self.log_stream.readline, b''):
            self.lines.append(raw)
            m = re.search(rb'Port:\s+(\d+)', raw)
            if m and self.port is None:
                self.port = int(m.group(1))
                self._ready.set()
            if b'Connection from ' in raw:
                self.connected.set()
        self._ready.set()

    def finish(self, timeout=60, stop_unreached=True):
        """Call once the clients have exited. A capture that a client reached ends by itself
        when the device has been idle; one that none reached would wait for its whole
        --timeout, so it is stopped now and `unreached` says so."""
        self.unreached = False
        if (stop_unreached and not self.connected.wait(CONNECT_GRACE_S) and
                self.proc.poll() is None):
            self.unreached = True
            self.proc.terminate()
        other = self._other.read()
        self.proc.wait(timeout)
        self._reader.join(10)
        log = b''.join(self.lines)
        return self.proc.returncode, other, log


def run(args, stdin=b'', timeout=30):
    return subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)


def message(sender):
    return ('From: Scanner <%s>\r\nTo: someone@contoso.com\r\nSubject: scan\r\n\r\n'
            'Scanned document.\r\n' % sender).encode()


# ---- what the devices need ----------------------------------------------------------------

# A program, and the Debian package that brings it.
PROGRAMS = {'swaks': 'swaks', 'msmtp': 'msmtp', 'gnutls-cli': 'gnutls-bin', 'openssl': 'openssl'}


@functools.lru_cache(maxsize=None)
def swaks_features():
    """What this swaks can do (its --support list: '=== TLS supported', ...)."""
    r = run(['swaks', '--support'])
    return set(re.findall(r'^=== (.+) supported$', r.stdout.decode('utf-8', 'replace'), re.M))


# An optional part of a program: (program, how to tell, what is missing, the package).
PARTS = {
    'swaks-tls': ('swaks', lambda: 'TLS' in swaks_features(),
                  'swaks cannot use TLS (it needs the Perl module Net::SSLeay)',
                  'libnet-ssleay-perl'),
}


def requirements(needs):
    """(missing programs, broken parts): the first skips a case (fails it when CI=true),
    the second fails it at once, naming the package to install."""
    missing, broken = [], []
    for need in needs:
        program = PARTS[need][0] if need in PARTS else need
        if shutil.which(program) is None:
            if program not in missing:
                missing.append(program)
        elif need in PARTS and not PARTS[need][1]():
            broken.append('%s: install %s' % (PARTS[need][2], PARTS[need][3]))
    note = ', '.join('%s (Debian: %s)' % (p, PROGRAMS[p]) for p in missing)
    return note, broken


# ---- the devices ----------------------------------------------------------------------------

def swaks(port, *extra):
    return run(['swaks', '--server', '127.0.0.1', '--port', str(port), '--silent', '1',
                '--timeout', '20', *extra])


def device_swaks_auth(port, tmp):
    return [swaks(port, '--tls', '--auth', 'LOGIN', '--auth-user', USER, '--auth-password',
                  PASSWORD, '--from', USER, '--to', 'someone@contoso.com')]


def device_swaks_no_auth(port, tmp):
    return [swaks(port, '--from', 'printer@contoso.com',
                  '--to', 'someone@contoso.com,partner@fabrikam.example')]


def device_swaks_other_sender(port, tmp):
    return [swaks(port, '--tls', '--auth', 'PLAIN', '--auth-user', USER, '--auth-password',
                  PASSWORD, '--from', 'frontdesk@contoso.com', '--to', 'someone@contoso.com')]


def device_swaks_implicit(port, tmp):
    return [swaks(port, '--tlsc', '--auth', 'LOGIN', '--auth-user', USER, '--auth-password',
                  PASSWORD, '--from', USER, '--to', 'someone@contoso.com')]


def device_msmtp(port, tmp):
    pwfile = os.path.join(tmp, 'pw')
    with open(pwfile, 'w') as f:
        f.write(PASSWORD + '\n')
    os.chmod(pwfile, 0o600)
    return [run(['msmtp', '--host=127.0.0.1', '--port=%d' % port, '--tls=on',
                 '--tls-starttls=on', '--tls-certcheck=off', '--auth=on', '--user=' + USER,
                 '--passwordeval=cat ' + pwfile, '--from=' + USER, '--domain=MFP-3F',
                 'someone@contoso.com'], stdin=message(USER))]


def device_gnutls_legacy(port, tmp):
    return [run(['gnutls-cli', '--insecure', '--starttls-proto=smtp', '--port', str(port),
                 '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0', '127.0.0.1'])]


def device_openssl_tls1(port, tmp):
    return [run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-starttls', 'smtp',
                 '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'])]


def device_openssl_tls11(port, tmp):
    return [run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-starttls', 'smtp',
                 '-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'])]


def device_gnutls_refuses_cert(port, tmp):
    # Neither --insecure nor the capture's certificate: gnutls-cli refuses it with an alert.
    return [run(['gnutls-cli', '--starttls-proto=smtp', '--port', str(port), '127.0.0.1'])]


def device_openssl_refuses_cert(port, tmp):
    return [run(['openssl', 's_client', '-connect', '127.0.0.1:%d' % port, '-starttls', 'smtp',
                 '-verify_return_error'])]


def device_gnutls_trusts_cert(port, tmp):
    # A device that imported the capture's certificate: the handshake succeeds.
    cert = os.path.join(tmp, 'data', 'device-mail-doctor', 'capture-cert.pem')
    return [run(['gnutls-cli', '--x509cafile', cert, '--starttls-proto=smtp', '--port',
                 str(port), '127.0.0.1'])]


# A broken device that sends its AUTH LOGIN password raw instead of in base64, then its
# message anyway. smtplib does the STARTTLS; the AUTH dialogue is typed by hand.
RAW_AUTH_CLIENT = r"""
import base64, smtplib, ssl, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', port, local_hostname='MFP-RAW', timeout=20)
s.ehlo()
s.starttls(context=ctx)
s.ehlo()
print('AUTH', s.docmd('AUTH', 'LOGIN')[0])
print('USER', s.docmd(base64.b64encode(user.encode()).decode())[0])
code = s.docmd(password)[0]
print('PASS', code)
s.sendmail(user, ['someone@contoso.com'],
           b'From: Scanner <' + user.encode() + b'>\r\nSubject: scan\r\n\r\nScanned.\r\n')
s.quit()
sys.exit(3 if code == 235 else 0)
"""


def device_raw_auth_password(port, tmp):
    return [run([sys.executable, '-c', RAW_AUTH_CLIENT, str(port), USER, PASSWORD])]


# Cases with more than one client give the next one time to start before the capture
# counts the device as idle.
def device_fallback(port, tmp):
    # Rejects the certificate, then retries without TLS and without AUTH, as devices do.
    return device_gnutls_refuses_cert(port, tmp) + device_swaks_no_auth(port, tmp)


# ---- checks ---------------------------------------------------------------------------------

def verdicts(report):
    return {v['option']: (v['usable'], [f['id'] for f in v['findings']])
            for v in report['verdicts']}


def expect(cond, what, problems):
    if not cond:
        problems.append(what)


def check_common(report, problems):
    expect(report['schema'] == 'device-mail-doctor/capture/v1', 'schema', problems)
    expect(report['listen']['port'] > 0, 'listen.port', problems)
    expect(re.fullmatch(r'([0-9A-F]{2}:){31}[0-9A-F]{2}',
                        report['listen']['certificate_sha256'] or '') is not None,
           'certificate_sha256', problems)
    expect([v['option'] for v in report['verdicts']] ==
           ['smtp-auth', 'direct-send', 'relay', 'hve'],
           'verdict order', problems)
    for s in report['sessions']:
        expect(s['client'] == '127.0.0.1', 'client address %r' % s['client'], problems)
        for key in ('ehlo', 'starttls', 'tls', 'implicit_tls', 'auth', 'mail_from',
                    'header_from', 'recipients', 'size', 'completed'):
            expect(key in s, 'session key ' + key, problems)


def check_swaks_auth(r, p):
    s = r['sessions'][0]
    expect(len(r['sessions']) == 1, 'one session', p)
    expect(s['starttls'] and not s['implicit_tls'], 'STARTTLS', p)
    expect(s['tls']['negotiated'] in ('TLS1.2', 'TLS1.3'), 'negotiated', p)
    expect(s['tls']['handshake'] == 'ok', 'handshake ok', p)
    expect(s['tls']['sni'] is None, 'no SNI for an address', p)
    expect(s['auth'] == {'mechanism': 'LOGIN', 'username': USER, 'password_sent': True},
           'auth %r' % s['auth'], p)
    expect(s['mail_from'] == USER and s['completed'] and s['size'] > 0, 'message', p)
    v = verdicts(r)
    expect(v['smtp-auth'] == (True, ['config-basic-auth-retiring']), 'smtp-auth %r' %
           (v['smtp-auth'],), p)
    expect(v['direct-send'] == (True, []) and v['relay'] == (True, []), 'others usable', p)
    # High Volume Email: STARTTLS with TLS 1.2+, AUTH LOGIN, an inside recipient: usable,
    # with its own dated note instead of the SMTP AUTH retirement.
    expect(v['hve'] == (True, ['config-hve-basic-auth-until-2028']), 'hve %r' % (v['hve'],), p)


def check_swaks_no_auth(r, p):
    s = r['sessions'][0]
    expect(not s['starttls'] and s['tls'] is None and s['auth'] is None, 'plain, no auth', p)
    expect(s['recipients'] == ['someone@contoso.com', 'partner@fabrikam.example'],
           'recipients %r' % s['recipients'], p)
    v = verdicts(r)
    expect(v['smtp-auth'] == (False, ['device-no-starttls', 'device-no-auth']),
           'smtp-auth %r' % (v['smtp-auth'],), p)
    expect(v['direct-send'] == (True, ['config-external-recipient-direct-send']),
           'direct-send %r' % (v['direct-send'],), p)
    # HVE: no TLS, no sign-in, and an outside recipient.
    expect(not v['hve'][0] and sorted(v['hve'][1]) ==
           ['config-hve-external-recipient', 'device-no-auth', 'device-no-starttls'],
           'hve %r' % (v['hve'],), p)
    f = [f for f in r['verdicts'][1]['findings']
         if f['id'] == 'config-external-recipient-direct-send'][0]
    expect('partner@fabrikam.example' in f['evidence'] and
           'someone@contoso.com' not in f['evidence'], 'external evidence', p)
    expect(v['relay'] == (True, []), 'relay', p)


def check_swaks_other_sender(r, p):
    s = r['sessions'][0]
    expect(s['auth']['mechanism'] == 'PLAIN' and s['auth']['password_sent'], 'PLAIN', p)
    expect(s['mail_from'] == 'frontdesk@contoso.com', 'mail_from', p)
    v = verdicts(r)
    expect(v['smtp-auth'][0] and 'config-sender-mismatch' in v['smtp-auth'][1],
           'sender mismatch %r' % (v['smtp-auth'],), p)


def check_swaks_implicit(r, p):
    s = r['sessions'][0]
    expect(s['implicit_tls'] and not s['starttls'], 'implicit TLS', p)
    expect(s['tls']['handshake'] == 'ok', 'handshake', p)
    expect(s['auth']['username'] == USER and s['completed'], 'still sees the rest', p)
    v = verdicts(r)
    for option in ('smtp-auth', 'direct-send', 'relay'):
        expect(not v[option][0] and 'device-implicit-tls' in v[option][1],
               '%s %r' % (option, v[option]), p)


def check_msmtp(r, p):
    s = r['sessions'][0]
    expect(s['ehlo'] == 'MFP-3F', 'ehlo %r' % s['ehlo'], p)
    expect(s['starttls'] and s['tls']['handshake'] == 'ok', 'TLS', p)
    expect(s['auth'] is not None and s['auth']['username'] == USER and
           s['auth']['password_sent'], 'auth %r' % s['auth'], p)
    expect(s['header_from'] == 'Scanner <%s>' % USER, 'header_from %r' % s['header_from'], p)
    expect(s['completed'], 'completed', p)
    expect(verdicts(r)['smtp-auth'][0], 'smtp-auth usable', p)


def check_legacy(version):
    def check(r, p):
        s = r['sessions'][0]
        expect(s['starttls'], 'STARTTLS', p)
        expect(s['tls']['max_version'] == version, 'max_version %r' % s['tls']['max_version'], p)
        expect(s['tls']['negotiated'] == version, 'negotiated %r' % s['tls']['negotiated'], p)
        v = verdicts(r)
        expect(v['smtp-auth'] == (False, ['device-legacy-tls-only']),
               'smtp-auth %r' % (v['smtp-auth'],), p)
        # TLS is optional for Direct Send and relay, so nothing stands against them; but the
        # client sent no message, so nothing shows they work either: not usable (issue 10).
        expect(v['direct-send'] == (False, []) and v['relay'] == (False, []),
               'no message: direct-send and relay not shown usable, and nothing against them',
               p)
        f = r['verdicts'][0]['findings'][0]
        expect(version in f['evidence'] and f['fixes'], 'evidence and fixes', p)
    return check


def check_refuses_cert(r, p):
    s = r['sessions'][0]
    expect(s['tls']['negotiated'] is None, 'not negotiated', p)
    expect(s['tls']['handshake'].startswith('failed: '), 'handshake %r' % s['tls']['handshake'],
           p)
    expect(s['tls']['max_version'] == 'TLS1.3', 'the TLS facts still count', p)
    v = verdicts(r)
    # A failed handshake and no message: no option is shown usable (issue 10).
    for option in ('smtp-auth', 'direct-send', 'relay'):
        expect(v[option] == (False, ['device-rejects-certificate']),
               '%s %r' % (option, v[option]), p)


def check_trusts_cert(r, p):
    s = r['sessions'][0]
    expect(s['tls']['handshake'] == 'ok', 'handshake %r' % s['tls']['handshake'], p)
    # Nothing stands against SMTP AUTH, but the client quit after the handshake: without a
    # whole, accepted message it is not shown usable (issue 10).
    expect(verdicts(r)['smtp-auth'] == (False, []), 'smtp-auth %r' % (verdicts(r)['smtp-auth'],),
           p)


def check_raw_auth_password(r, p):
    s = r['sessions'][0]
    # The listener answered 501 (not 235): no sign-in is recorded, the message still went.
    expect(s['auth'] is None, 'auth %r' % s['auth'], p)
    expect(s['completed'], 'completed', p)
    v = verdicts(r)
    expect(not v['smtp-auth'][0], 'a password that is not base64 signs nobody in: smtp-auth %r'
           % (v['smtp-auth'],), p)


def check_fallback(r, p):
    expect(len(r['sessions']) == 2, 'two sessions', p)
    v = verdicts(r)
    # STARTTLS was tried: not "no STARTTLS"; the retry sent without AUTH.
    expect(v['smtp-auth'] == (False, ['device-no-auth', 'device-rejects-certificate']),
           'smtp-auth %r' % (v['smtp-auth'],), p)


CASES = [
    ('swaks STARTTLS + AUTH LOGIN', ['swaks-tls'], device_swaks_auth,
     check_swaks_auth),
    ('swaks without TLS and AUTH, outside recipient', ['swaks'], device_swaks_no_auth,
     check_swaks_no_auth),
    ('swaks AUTH PLAIN with another MAIL FROM', ['swaks-tls'],
     device_swaks_other_sender, check_swaks_other_sender),
    ('swaks --tlsc: implicit TLS on the plaintext port', ['swaks-tls'],
     device_swaks_implicit, check_swaks_implicit),
    ('msmtp STARTTLS + AUTH', ['msmtp'], device_msmtp, check_msmtp),
    ('gnutls-cli STARTTLS limited to TLS 1.0/1.1', ['gnutls-cli'], device_gnutls_legacy,
     check_legacy('TLS1.1')),
    ('openssl s_client -tls1', ['openssl'], device_openssl_tls1, check_legacy('TLS1.0')),
    ('openssl s_client -tls1_1', ['openssl'], device_openssl_tls11, check_legacy('TLS1.1')),
    ('gnutls-cli refuses the certificate', ['gnutls-cli'], device_gnutls_refuses_cert,
     check_refuses_cert),
    ('openssl s_client refuses the certificate (TLS 1.3)', ['openssl'],
     device_openssl_refuses_cert, check_refuses_cert),
    ('gnutls-cli trusts the imported certificate', ['gnutls-cli'], device_gnutls_trusts_cert,
     check_trusts_cert),
    ('certificate refused, then a retry without TLS', ['gnutls-cli', 'swaks'], device_fallback,
     check_fallback),
    ('AUTH LOGIN with a password that is not base64', [], device_raw_auth_password,
     check_raw_auth_password),
]


def client_output(clients):
    return b''.join(c.stdout for c in clients).decode('utf-8', 'replace')[-1500:]


def run_case(case):
    name, needs, device, check = case
    missing, broken = requirements(needs)
    if broken:
        return name, broken, ''
    if missing:
        return name, None, 'not installed: ' + missing
    with tempfile.TemporaryDirectory(prefix='dmd-capture-') as tmp:
        cap = Capture(tmp, idle=8 if device is device_fallback else 1)
        clients = device(cap.port, tmp)
        rc, out, log = cap.finish()
    if cap.unreached:
        return name, ['no client reached the capture (exit statuses %s); clients: %s'
                      % ([c.returncode for c in clients], client_output(clients))], ''
    problems = []
    try:
        report = json.loads(out.decode('utf-8'))
    except ValueError as e:
        return name, ['JSON: %s; stderr: %s' % (e, log.decode('utf-8', 'replace')[-2000:])], ''
    check_common(report, problems)
    try:
        check(report, problems)
    except (KeyError, IndexError, TypeError) as e:
        problems.append('report shape: %r' % e)
    for secret in SECRET_FORMS:
        expect(secret.encode() not in out + log, 'the password (or its base64) leaked', problems)
    first_usable = report['verdicts'][0]['usable']
    expect(rc == (0 if first_usable else 1), 'exit status %d' % rc, problems)
    if problems:
        problems.append('report: ' + json.dumps(report, ensure_ascii=False)[:3000])
        problems.append('log: ' + log.decode('utf-8', 'replace')[-3000:])
        problems.append('clients: ' + client_output(clients))
    return name, problems, ''


def text_case():
    """The text format: instructions, live log and verdicts, no password even in debug."""
    name = 'text output with swaks: instructions, live log, verdicts'
    missing, broken = requirements(['swaks-tls'])
    if broken:
        return name, broken, ''
    if missing:
        return name, None, 'not installed: ' + missing
    with tempfile.TemporaryDirectory(prefix='dmd-capture-') as tmp:
        cap = Capture(tmp, fmt='text')
        clients = device_swaks_auth(cap.port, tmp)
        rc, err, out = cap.finish()
    if cap.unreached:
        return name, ['no client reached the capture; clients: ' + client_output(clients)], ''
    problems = []
    text = out.decode('utf-8')
    for want in ('Port:', 'SHA-256:', 'firewall', 'C: AUTH LOGIN', '[redacted]',
                 'SMTP AUTH client submission: the device can use it',
                 'Direct Send: the device can use it', 'config-basic-auth-retiring'):
        expect(want in text, 'text lacks %r' % want, problems)
    for secret in SECRET_FORMS:
        expect(secret.encode() not in out + err, 'the password leaked', problems)
    expect(rc == 0, 'exit status %d' % rc, problems)
    if problems:
        problems.append(text[-3000:])
    return name, problems, ''


def usage_cases():
    problems = []
    r = run([CLI, 'capture', '--format=xml'])
    expect(r.returncode == 2, 'bad format: exit %d' % r.returncode, problems)
    r = run([CLI, 'capture', '--option=fax'])
    expect(r.returncode == 2, 'bad option: exit %d' % r.returncode, problems)
    r = run([CLI, 'capture', '--port=70000'])
    expect(r.returncode == 2, 'bad port: exit %d' % r.returncode, problems)
    # A port in use by another capture: a clear error, exit 2.
    with tempfile.TemporaryDirectory(prefix='dmd-capture-') as tmp:
        cap = Capture(tmp)
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, 'data'))
        r = subprocess.run([CLI, 'capture', '--port=%d' % cap.port, '--loopback-only'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=30)
        expect(r.returncode == 2 and b'already in use' in r.stderr,
               'port in use: %d %r' % (r.returncode, r.stderr), problems)
        cap.proc.terminate()     # SIGTERM ends the capture like Ctrl+C, with a report
        rc, out, log = cap.finish(stop_unreached=False)
        try:
            stopped = json.loads(out)['sessions'] == []
        except ValueError:
            stopped = False
        expect(rc == 1 and stopped, 'SIGTERM: exit %d, output %r' % (rc, out[:200]), problems)
    # A port below 1024 without the privilege (as in a Flatpak): a clear error, exit 2.
    if os.geteuid() == 0 and shutil.which('setpriv'):
        with tempfile.TemporaryDirectory(prefix='dmd-capture-') as tmp:
            os.chmod(tmp, 0o777)
            env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, 'data'), LC_ALL='C.UTF-8')
            r = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                                CLI, 'capture', '--port=25', '--loopback-only'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               timeout=30)
            expect(r.returncode == 2 and b'below 1024' in r.stderr and b'Flatpak' in r.stderr
                   and b'firewall' in r.stderr,
                   'privileged port: %d %r' % (r.returncode, r.stderr), problems)
    return 'usage errors, port in use, privileged port, SIGTERM', problems, ''


def main():
    jobs = [lambda c=c: run_case(c) for c in CASES] + [text_case, usage_cases]
    print('1..%d' % len(jobs))
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda f: f(), jobs))
    failed = False
    for i, (name, problems, note) in enumerate(results, 1):
        if problems is None:
            if CI:
                print('not ok %d - %s # %s (required in CI)' % (i, name, note))
                failed = True
            else:
                print('ok %d - %s # SKIP %s' % (i, name, note))
        elif problems:
            print('not ok %d - %s' % (i, name))
            for line in problems:
                for sub in str(line).splitlines():
                    print('# ' + sub)
            failed = True
        else:
            print('ok %d - %s' % (i, name))
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
