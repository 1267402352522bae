#!/usr/bin/python3
# test-cli-oauth.py — `device-mail-doctor-cli check --auth=oauth-device|oauth-app`: the options
# and their usage errors (exit 2, before any network), the device-code line on standard error,
# Ctrl+C while a person is signing in, and no secret (client secret, device code, token,
# refresh token) in any output — with G_MESSAGES_DEBUG=all. TAP output.
#
#   test-cli-oauth.py CLI SERVER CERTDIR
#
# The identity platform is tests/dmd_identity.py (in this process), the mail server the
# scripted one (a child process); both on loopback.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

import dmd_tap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmd_identity  # noqa: E402

CLI, SERVER, CERTS = sys.argv[1:4]
USER = dmd_identity.USERNAME
CLIENT_ID = dmd_identity.CLIENT_ID

tmp = tempfile.TemporaryDirectory(prefix='dmd-cli-oauth-')
tap = dmd_tap.Tap()
ok = tap.ok


def env(**extra):
    e = dict(os.environ)
    for k in ('DMD_PASSWORD', 'DMD_CLIENT_SECRET'):
        e.pop(k, None)
    e.update({'LC_ALL': 'C.UTF-8', 'LANGUAGE': '', 'NO_COLOR': '1',
              'G_DEBUG': 'fatal-criticals', 'G_MESSAGES_DEBUG': 'all'})
    e.update(extra)
    return e


def secret_file(value, name='secret'):
    path = os.path.join(tmp.name, name)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
        f.write(value + '\n')
    return path


def run(args, stdin='', extra_env=None, timeout=60):
    p = subprocess.run([CLI, 'check'] + args, input=stdin, capture_output=True, text=True,
                       env=env(**(extra_env or {})), timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def oauth_args(auth, *more, tenant='contoso.com', client_id=CLIENT_ID):
    return (['--option=smtp-auth', '--auth=' + auth, '--tenant=' + tenant,
             '--client-id=' + client_id, '--username=' + USER, '--from=' + USER,
             '--to=someone@contoso.com', '--timeout=3',
             '--ca-file=' + os.path.join(CERTS, 'test-ca.pem')] + list(more))


class SmtpServer:
    def __init__(self, scenario):
        path = os.path.join(tmp.name, 'scenario-%d.ini' % tap.count)
        with open(path, 'w') as f:
            f.write(scenario)
        self.proc = subprocess.Popen([SERVER, path, '--certs', CERTS], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        assert first[0] == 'PORT', first
        self.port = int(first[1])

    def stop(self):
        self.proc.stdin.close()
        out = self.proc.stdout.read()
        self.proc.wait(timeout=10)
        return out


SCENARIO = '''[server]
profile=exchange-submission
[auth:XOAUTH2]
token_check=exchange
app_mailboxes=%s
''' % USER


def connect_to(identity_port, smtp_port):
    return ['--connect-to=login.microsoftonline.com:443:127.0.0.1:%d' % identity_port,
            '--connect-to=smtp.office365.com:587:127.0.0.1:%d' % smtp_port]


def leaks(texts, secrets):
    found = []
    for secret in secrets:
        for form in secret_forms(secret):
            for name, text in texts.items():
                if form in text:
                    found.append('%s in %s' % (form[:10] + '…', name))
    return found


def secret_forms(secret):
    import base64
    raw = secret.encode()
    forms = {secret}
    for pad in range(3):
        enc = base64.b64encode(b'\0' * pad + raw).decode()
        start, end = -(-pad * 8 // 6), (pad + len(raw)) * 8 // 6
        if end - start >= 8:
            forms.add(enc[start:end])
            forms.add(enc[start:end].replace('+', '-').replace('/', '_'))
    if '.' in secret:
        forms.update(p for p in secret.split('.') if len(p) >= 16)
    return forms


# ---- bad usage: exit 2 with a message naming the option, before any network ---------------

USAGE = [
    ('a client id that is not a GUID', oauth_args('oauth-device', client_id='my-app'),
     ['--client-id', 'not an application (client) ID']),
    ('an empty tenant', oauth_args('oauth-device', tenant=''), ['--tenant', 'Enter the tenant']),
    ('a tenant of blanks', oauth_args('oauth-device', tenant='   '), ['--tenant']),
    ('a tenant that is an IP address', oauth_args('oauth-device', tenant='192.0.2.1'),
     ['--tenant', 'is not a tenant']),
    ('no client id', ['--option=smtp-auth', '--auth=oauth-device', '--tenant=contoso.com',
                      '--username=' + USER], ['--client-id', 'Enter the application']),
    ('oauth-app without a client secret', oauth_args('oauth-app'),
     ['--client-secret-file', 'client secret']),
    ('oauth-app with an empty secret file',
     oauth_args('oauth-app', '--client-secret-file=' + secret_file('', 'empty')),
     ['--client-secret-file']),
    ('a password with oauth-device',
     oauth_args('oauth-device', '--password-file=' + secret_file('pw', 'pw')),
     ['gets its token from Microsoft Entra ID']),
    ('oauth-device for relay', ['--option=relay', '--server=contoso-com.mail.protection.'
                                'outlook.com', '--auth=oauth-device', '--tenant=contoso.com',
                                '--client-id=' + CLIENT_ID], ['smtp-auth, hve']),
    ('--tenant without an OAuth sign-in', ['--option=smtp-auth', '--tenant=contoso.com',
                                           '--username=' + USER], ['--auth=oauth-device']),
    ('an unknown --auth', ['--option=smtp-auth', '--auth=kerberos'], ['kerberos']),
    ('--auth=oauth-token without a token file', ['--option=smtp-auth', '--auth=oauth-token'],
     ['--oauth-token-file']),
    ('--client-secret-file with oauth-device',
     oauth_args('oauth-device', '--client-secret-file=' + secret_file('x', 'x')),
     ['--auth=oauth-app']),
    ('two secrets on standard input',
     oauth_args('oauth-app', '--client-secret-file=-', '--password-stdin'),
     ['only one secret']),
]
for name, args, wants in USAGE:
    code, out, err = run(args)
    ok(code == 2 and out == '' and all(w in err for w in wants), 'usage error: ' + name,
       'exit %s\n%s' % (code, err))

code, out, err = run(['--option=smtp-auth', '--auth=oauth-app',
                      '--client-secret=' + dmd_identity.CLIENT_SECRET])
ok(code == 2 and 'command line' in err and dmd_identity.CLIENT_SECRET not in out + err,
   'a client secret as an argument value is refused', err)

# ---- the device code flow: the line a person acts on, the JSON, no secret anywhere ---------

for fmt in ('json', 'text'):
    idp = dmd_identity.IdentityServer({'device': 'pending,approve'}, CERTS)
    smtp = SmtpServer(SCENARIO)
    try:
        report = os.path.join(tmp.name, 'report-%s.html' % fmt)
        code, out, err = run(oauth_args('oauth-device', '--format=' + fmt, '--report=' + report,
                                        *connect_to(idp.start(), smtp.port)))
    finally:
        idp.stop()
        record = smtp.stop()
    lines = [ln for ln in err.splitlines() if 'To sign in' in ln]
    ok(code == 0 and len(lines) == 1 and
       lines[0] == ('To sign in, open https://microsoft.com/devicelogin and enter the code '
                    '%s (within 15 minutes).' % dmd_identity.USER_CODE),
       'device code (%s): one line on standard error with the address and the code' % fmt,
       'exit %s\n%s' % (code, err[-3000:]))
    with open(report, encoding='utf-8') as f:
        html = f.read()
    texts = {'stdout': out, 'stderr': err, 'report': html, 'server record': record}
    found = leaks(texts, idp.secrets())
    ok(len(idp.secrets()) >= 4 and not found,
       'device code (%s): no token, refresh token or device code in any output' % fmt, found)
    if fmt == 'json':
        rep = json.loads(out)
        ok(rep['settings']['auth_method'] == 'oauth-device' and
           [c['id'] for c in rep['checks']][:2] == ['config', 'oauth'] and
           dmd_identity.USER_CODE not in out,
           'device code (json): auth_method, the oauth check first, no user code in the report',
           out[:2000])

# ---- client credentials: the secret never shows, from any source ---------------------------

for via in ('file', 'env', 'stdin'):
    idp = dmd_identity.IdentityServer({}, CERTS)
    smtp = SmtpServer(SCENARIO)
    args = oauth_args('oauth-app', '--format=json')
    extra, stdin = {}, ''
    if via == 'file':
        args.append('--client-secret-file=' + secret_file(dmd_identity.CLIENT_SECRET))
    elif via == 'env':
        extra['DMD_CLIENT_SECRET'] = dmd_identity.CLIENT_SECRET
    else:
        args.append('--client-secret-file=-')
        stdin = dmd_identity.CLIENT_SECRET + '\n'
    try:
        code, out, err = run(args + connect_to(idp.start(), smtp.port), stdin=stdin,
                             extra_env=extra)
    finally:
        idp.stop()
        record = smtp.stop()
    found = leaks({'stdout': out, 'stderr': err, 'server record': record}, idp.secrets())
    ok(code == 0 and idp.requests == [('token', 'client_credentials')] and not found,
       'client credentials, secret from %s: signed in, nothing leaked' % via,
       'exit %s %s\n%s' % (code, found, err[-2000:]))

# ---- Ctrl+C while a person is signing in: stops at once, exit 130, no sign-in --------------

idp = dmd_identity.IdentityServer({'device': 'pending', 'interval': '1'}, CERTS)
smtp = SmtpServer(SCENARIO)
try:
    proc = subprocess.Popen([CLI, 'check'] + oauth_args('oauth-device', '--format=json',
                                                          *connect_to(idp.start(), smtp.port)),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env())
    seen = b''
    end = time.monotonic() + 20
    while b'To sign in' not in seen and time.monotonic() < end:
        r, _, _ = select.select([proc.stderr], [], [], 0.2)
        if r:
            seen += os.read(proc.stderr.fileno(), 65536)
    while len(idp.requests) < 2 and time.monotonic() < end:
        time.sleep(0.1)          # polling has begun
    proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    out, err = proc.communicate(timeout=20)
    took = time.monotonic() - t0
finally:
    idp.stop()
    record = smtp.stop()
rep = json.loads(out) if out.strip() else {}
oauth = [c for c in rep.get('checks', []) if c['id'] == 'oauth']
ok(proc.returncode == 130 and took < 5 and rep.get('cancelled') is True and
   'AUTH' not in record.upper().replace('AUTH=', ''),
   'Ctrl+C while waiting for the sign-in: exit 130 at once, no sign-in',
   'exit %s after %.1fs\n%s\n%s' % (proc.returncode, took, out[:1500], (seen + err)[-1500:]))

tap.finish()
