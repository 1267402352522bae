#!/usr/bin/python3
# test-cli-explain.py — `device-mail-doctor-cli explain`, with TAP output.
#
#   test-cli-explain.py CLI
#
# Asserts the command-line contract of DESIGN.md: the findings a pasted reply line maps to
# (text and JSON: the report schema's findings array), the commands filled in and quoted,
# exit status 0 (no error finding) / 1 (an error finding) / 2 (bad usage or no reply code),
# and that server-controlled text never reaches the terminal raw.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import subprocess
import sys

CLI = sys.argv[1]
ENV = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', NO_COLOR='1')
ENV.pop('LANGUAGE', None)
n_test = 0
failed = 0

TENANT = ('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for '
          'the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. '
          '[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]')


def ok(cond, name, detail=''):
    global n_test, failed
    n_test += 1
    if cond:
        print(f'ok {n_test} - {name}')
    else:
        failed += 1
        print(f'not ok {n_test} - {name}')
        for line in str(detail).splitlines()[:40]:
            print(f'# {line}')
    sys.stdout.flush()


def run(*args, stdin=None):
    p = subprocess.run([CLI, 'explain', *args], input=stdin, capture_output=True, text=True,
                       env=ENV, timeout=30)
    return p.returncode, p.stdout, p.stderr


def ids_of(args, stdin=None):
    rc, out, err = run('--format=json', *args, stdin=stdin)
    try:
        return rc, [f['id'] for f in json.loads(out)], out
    except ValueError as e:
        return rc, None, f'{e}\n{out}\n{err}'


# Text: the finding, its fix with the user's address quoted for PowerShell.
rc, out, err = run('--username', "o'brien@contoso.com", TENANT)
ok(rc == 1, 'an error finding exits 1', err)
ok('auth-smtp-auth-disabled-tenant' in out, 'text names the id', out)
ok("Set-CASMailbox -Identity 'o''brien@contoso.com' -SmtpClientAuthenticationDisabled $false" in out,
   'text carries the command with the user filled in and quoted', out)
ok('Set-TransportConfig -SmtpClientAuthenticationDisabled $false' in out, 'tenant-wide command', out)

# JSON: the findings array of the report schema.
rc, out, err = run('--format=json', '--username', 'scanner@contoso.com', TENANT)
try:
    findings = json.loads(out)
except ValueError:
    findings = None
ok(rc == 1 and isinstance(findings, list) and len(findings) == 1, 'JSON is an array of findings',
   out + err)
if findings:
    f = findings[0]
    ok(f['id'] == 'auth-smtp-auth-disabled-tenant' and f['severity'] == 'error'
       and f['check'] == 'auth' and f['title'] and f['explanation']
       and f['evidence'].startswith('535 5.7.139'), 'JSON finding fields', json.dumps(f, indent=1))
    commands = [x.get('command') for x in f['fixes']]
    ok("Get-CASMailbox -Identity 'scanner@contoso.com' | Format-List SmtpClientAuthenticationDisabled"
       in commands, 'JSON fix commands filled in', commands)
    ok(all(x['audience'] in ('technician', 'admin', 'anyone') for x in f['fixes']),
       'JSON fix audiences', f['fixes'])

# Success replies are no finding.
rc, ids, out = ids_of(['250 2.1.5 Recipient OK'])
ok(rc == 0 and ids == [], 'a success gives no finding and exits 0', out)
rc, out, err = run('250 2.1.5 Recipient OK')
ok(rc == 0 and 'not an error' in out, 'text says a success is no error', out)

# A refusal exits 1 whatever the severity of its finding (the verdict rule): a temporary one
# is only a warning, but it refused.
rc, ids, out = ids_of(['451 4.7.0 Temporary server error. Please try again later. PRX4 [server.prod.outlook.com]'])
ok(rc == 1 and ids == ['throttled'], 'a temporary refusal is throttled, exit 1', out)
rc, ids, out = ids_of(['432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded'])
ok(rc == 1 and ids, 'a 4xx refusal exits 1', out)
# Every permanent refusal exits 1, and one no rule knows is an error (issue 10).
for line in ['550 5.7.520 Access denied, Your organization does not allow external forwarding.',
             '554 5.6.0 Invalid message content',
             '550 5.7.1 Unable to relay',
             '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message',
             '550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus',
             '550 5.7.999 Frobnication refused']:
    rc, out, err = run('--format=json', line)
    found = json.loads(out) if rc in (0, 1) else []
    ok(rc == 1, 'a 5xx exits 1: %s' % line[:30], out + err)
    ok(all(f['severity'] == 'error' for f in found if f['id'] == 'server-unexpected-reply'),
       'an unknown 5xx is an error: %s' % line[:30], out)
rc, out, err = run('--format=json', '452 4.5.3 Too many recipients, try later')
found = json.loads(out) if rc in (0, 1) else []
ok(rc == 1 and all(f['severity'] == 'warning' for f in found
                   if f['id'] == 'server-unexpected-reply'),
   'an unknown 4xx is a warning, and still a refusal', out)

# The option changes the meaning; without it, every reading is given.
line = '530 5.7.57 Client not authenticated to send mail'
rc, ids, out = ids_of([line])
ok(rc == 1 and ids == ['auth-required', 'config-wrong-endpoint-direct-send'],
   'without --option: every reading', out)
rc, out, err = run(line)
ok('--option' in out, 'text says the meaning depends on the option', out)
rc, ids, out = ids_of(['--option=direct-send', '--step=mail', line])
ok(ids == ['config-wrong-endpoint-direct-send'], '--option=direct-send narrows it', out)
rc, ids, out = ids_of(['--option=smtp-auth', line])
ok(ids == ['auth-required'], '--option=smtp-auth narrows it', out)

relay_denied = '550 5.7.64 TenantAttribution; Relay Access Denied SMTP.'
rc, ids, out = ids_of(['--option=relay', '--step=rcpt', relay_denied])
ok(ids == ['relay-tenant-attribution'], '5.7.64 on relay', out)
rc, ids, out = ids_of(['--option=direct-send', '--step=rcpt', relay_denied])
ok(ids == ['recipient-external-refused'], '5.7.64 on a Direct Send RCPT', out)

# The sign-in method changes the meaning of a 535.
auth_fail = '535 5.7.3 Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM 2025-03-20T11:25:21.972Z 08DD66EDEFB0DFDF]'
rc, ids, out = ids_of(['--option=smtp-auth', auth_fail])
ok(ids == ['auth-failed'], '535 5.7.3 is auth-failed', out)
rc, ids, out = ids_of(['--option=smtp-auth', '--auth-method=xoauth2', auth_fail])
ok(ids == ['auth-oauth-token-rejected'], '535 after XOAUTH2 is the token', out)

# Pasted forms: a bounce message, a multi-line reply on standard input.
rc, ids, out = ids_of(["Remote Server returned '550 5.7.60 SMTP; Client does not have permissions to send as this sender'"])
ok(ids == ['sender-send-as-denied'], 'a bounce message line', out)
multi = ('535-5.7.139 Authentication unsuccessful, the request did not meet the\n'
         '535 5.7.139 criteria to be authenticated successfully. Contact your administrator.\n')
rc, ids, out = ids_of(['--option=smtp-auth', '-'], stdin=multi)
ok(ids == ['auth-conditional-access'], 'a multi-line reply on standard input', out)

# Unknown replies carry the meaning of their code.
rc, out, err = run('--option=direct-send', '550 5.7.515 Access denied, sending domain EXAMPLE.JP does not meet the required authentication level.')
ok('server-unexpected-reply' in out and 'Security or policy status' in out,
   'unknown reply with its RFC 3463 meaning', out)

# Server-controlled text never reaches the terminal raw.
rc, out, err = run('550 5.7.1 \x1b]0;owned\x07 evil \x1b[2J text')
ok('\x1b' not in out and '\x07' not in out, 'no control characters in the text output', repr(out))
rc, out, err = run('--format=json', '550 5.7.1 \x1b]0;owned\x07 evil')
ok('\x1b' not in out and json.loads(out)[0]['id'] == 'server-unexpected-reply',
   'no control characters in the JSON output', repr(out))

# Bad usage exits 2.
for args, name in [((), 'no reply line'),
                   (('hello there',), 'no reply code'),
                   (('--option=bogus', TENANT), 'unknown option'),
                   (('--step=sideways', TENANT), 'unknown step'),
                   (('--auth-method=kerberos', TENANT), 'unknown sign-in method'),
                   (('--format=xml', TENANT), 'unknown format')]:
    rc, out, err = run(*args)
    ok(rc == 2 and err.strip() != '' and out == '', f'{name} exits 2 with a message', f'{rc} {out} {err}')

print(f'1..{n_test}')
sys.exit(1 if failed else 0)
