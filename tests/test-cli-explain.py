#!/usr/bin/python3
# test-cli-explain.py — `device-mail-doctor-cli explain`, with TAP output.
#
#   test-cli-explain.py CLI [BUILD_PO_DIR]
#
# With BUILD_PO_DIR (the build tree's po/, holding ja/LC_MESSAGES/*.mo), the Japanese output is
# checked too: the CLI reads its catalogues from DMD_LOCALEDIR.
#
# Asserts the command-line contract of DESIGN.md: the findings a pasted reply line maps to
# (text and JSON: the report schema's findings array), the commands filled in and quoted,
# exit status 0 (no error finding) / 1 (an error finding) / 2 (bad usage or no reply code),
# and that server-controlled text never reaches the terminal raw.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import subprocess
import sys

CLI = sys.argv[1]
PO_DIR = sys.argv[2] if len(sys.argv) > 2 else None
ENV = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', NO_COLOR='1')
ENV.pop('LANGUAGE', None)
ENV_JA = dict(ENV, LANGUAGE='ja')
if PO_DIR:
    ENV_JA['DMD_LOCALEDIR'] = PO_DIR
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


def run(*args, stdin=None, env=None):
    p = subprocess.run([CLI, 'explain', *args], input=stdin, capture_output=True, text=True,
                       env=env or ENV, timeout=30)
    return p.returncode, p.stdout, p.stderr


def run_ja(*args, stdin=None):
    return run(*args, stdin=stdin, env=ENV_JA)


def ids_of(args, stdin=None, env=None):
    rc, out, err = run('--format=json', *args, stdin=stdin, env=env)
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
    # Without --step, no step is claimed.
    ok(f['id'] == 'auth-smtp-auth-disabled-tenant' and f['severity'] == 'error'
       and f['check'] is None and f['title'] and f['explanation']
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

# ---- Issue 10: knowledge against the source article and the 2026 facts ----------------------

JP = re.compile(r'[\u3040-\u30ff\u3400-\u9fff]')


def typography_ok(text):
    """No space between two Japanese sentences, no ASCII comma inside a Japanese list."""
    return (re.search(r'。 +' + JP.pattern, text) is None
            and re.search(JP.pattern + r', |, ' + JP.pattern, text) is None)


def findings_of(out):
    try:
        return json.loads(out)
    except ValueError:
        return [{'id': None, 'evidence': None, 'explanation': '', 'check': '', 'fixes': []}]


def fixes_of(out):
    try:
        return [x for f in json.loads(out) for x in f['fixes']]
    except (ValueError, KeyError, TypeError):
        return []


def japanese_ok(args, name, *wanted, stdin=None):
    """The same explain in Japanese: the words wanted, and Japanese typography."""
    if not PO_DIR:
        return
    rc, out, err = run_ja(*args, stdin=stdin)
    ok(all(w in out for w in wanted) and typography_ok(out), f'{name} (Japanese)',
       f'{rc}\n{out}\n{err}')


# 530 5.7.57: the article's causes, not only "enter a user name".
line = '530 5.7.57 Client not authenticated to send mail [SN4PR0201CA0041.namprd02.prod.outlook.com]'
rc, out, err = run('--format=json', '--option=smtp-auth', '--step=mail', line)
cmds = [x.get('command') or '' for x in fixes_of(out)]
texts = ' '.join(x['text'] for x in fixes_of(out))
ok(rc == 1 and findings_of(out)[0]['id'] == 'auth-required'
   and 'went on to send anyway' in findings_of(out)[0]['explanation']
   and any(c.startswith('Get-CASMailbox') for c in cmds)
   and any(c.startswith('Get-TransportConfig') for c in cmds)
   and any(c.startswith('Set-CASMailbox') for c in cmds)
   and 'multi-factor authentication, security defaults or a Conditional Access policy' in texts
   and 'TLS 1.2' in texts and 'https://aka.ms/smtprelay' in out,
   '530 5.7.57: SMTP AUTH for the mailbox and the organization, MFA, security defaults, '
   'Conditional Access, TLS, the admin center diagnostic', out + err)
japanese_ok(['--option=smtp-auth', '--step=mail', line], '530 5.7.57 explained',
            'デバイスがサインインしていません', 'サインインに失敗したまま', '多要素認証 (MFA)',
            '条件付きアクセス ポリシー', 'Get-CASMailbox', 'https://aka.ms/smtprelay')

# Well-known texts without a code are recognised (the article's heading, its Japanese form).
for text, name in [('Client was not authenticated to send anonymous mail during MAIL FROM',
                    'English heading'),
                   ('MAIL FROM 中に匿名メールを送信するためにクライアントが認証されませんでした',
                    'Japanese heading'),
                   ('Error: Client was not authenticated to send anonymous mail during MAIL FROM',
                    'heading with a prefix')]:
    rc, ids, out = ids_of([text])
    ok(rc == 1 and ids == ['auth-required', 'config-wrong-endpoint-direct-send'],
       f'text without a code: {name}', f'{rc} {out}')
    rc, out, err = run('--format=json', text)
    ok(findings_of(out)[0]['evidence'] == text, f'the evidence is the text as pasted: {name}', out)
rc, ids, out = ids_of(['--option=direct-send',
                       'Client was not authenticated to send anonymous mail during MAIL FROM'])
ok(ids == ['config-wrong-endpoint-direct-send'], 'text without a code, Direct Send', out)
japanese_ok(['MAIL FROM 中に匿名メールを送信するためにクライアントが認証されませんでした'],
            'Japanese heading explained', 'デバイスがサインインしていません',
            '直接送信', 'MX エンドポイント')
rc, ids, out = ids_of(['Access denied, spam abuse detected'])
ok(rc == 1 and ids == ['sender-spam-abuse'], 'another known text without a code', out)

# A permanent quota refusal is not "retried by the device".
quota = ('554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to '
         'process message due to a permanent exception with message Cannot submit message.')
rc, out, err = run('--format=json', '--option=smtp-auth', '--step=data', quota)
f = findings_of(out)[0]
ok(rc == 1 and f['id'] == 'sender-submission-quota-exceeded' and f['severity'] == 'error'
   and 'by itself' not in f['explanation'].replace('does not try again by itself', '')
   and 'permanent' in f['explanation'] and '10,000' in f['explanation']
   and all('Wait a few minutes' not in x['text'] for x in f['fixes']),
   '554 5.2.0 SubmissionQuotaExceeded: its own error, no "retry by itself"', out)
japanese_ok(['--option=smtp-auth', '--step=data', quota], 'quota explained',
            'メールボックスが送信の制限を超えました', '永続的', '10,000')
rc, ids, out = ids_of(['452 4.5.3 Message rate limit exceeded, try again later'])
ok(ids == ['throttled'], 'a temporary rate limit stays throttled', out)

# Direct Send rejected: the connector command as Microsoft's cmdlet reference documents it.
ds = ('550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from '
      'unauthorized sources')
rc, out, err = run('--format=json', '--option=direct-send', ds)
cmds = [x.get('command') or '' for x in fixes_of(out)]
new_conn = [c for c in cmds if c.startswith('New-InboundConnector')]
ok(len(new_conn) == 1 and '-RestrictDomainsToIPAddresses' not in new_conn[0]
   and '-ConnectorType OnPremises' in new_conn[0] and "-SenderDomains '*'" in new_conn[0]
   and '-SenderIPAddresses <PublicIPv4Address>' in new_conn[0],
   'New-InboundConnector without the Partner-only parameter', cmds)
japanese_ok(['--option=direct-send', ds], 'Direct Send rejected explained',
            '組織のメール サーバーからの受信コネクタ', 'New-InboundConnector')

# Send As advice follows the values.
send_as = '550 5.7.60 SMTP; Client does not have permissions to send as this sender'
set_sender = 'Set the device’s sender (From) address to the sign-in mailbox’s address.'
rc, out, err = run('--format=json', '--option=smtp-auth', '--username=scanner@contoso.com',
                   '--from=scanner@contoso.com', send_as)
texts = [x['text'] for x in fixes_of(out)]
cmds = [x.get('command') or '' for x in fixes_of(out)]
ok(rc == 1 and set_sender not in texts and not any('Add-RecipientPermission' in c for c in cmds)
   and any(t.startswith('If the sender entered is the sign-in mailbox itself') for t in texts),
   '5.7.60 with sender = sign-in: no "set the sender", no Send As on itself', out)
rc, out, err = run('--format=json', '--option=smtp-auth', send_as)
cmds = [x.get('command') or '' for x in fixes_of(out)]
ok('Add-RecipientPermission -Identity <SenderAddress> -Trustee <SignInAddress> -AccessRights SendAs'
   in cmds, '5.7.60 with nothing known: placeholders', cmds)
rc, out, err = run('--format=json', '--option=smtp-auth', '--username=scanner@contoso.com', send_as)
cmds = [x.get('command') or '' for x in fixes_of(out)]
ok("Add-RecipientPermission -Identity <SenderAddress> -Trustee 'scanner@contoso.com' -AccessRights SendAs"
   in cmds, '5.7.60 with only the user: never the sign-in address twice', cmds)
rc, out, err = run('--format=json', '--option=smtp-auth', '--username=scanner@contoso.com',
                   '--from=scanner@contoso.com',
                   '554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as '
                   'sales@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException')
cmds = [x.get('command') or '' for x in fixes_of(out)]
ok("Add-RecipientPermission -Identity 'sales@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs"
   in cmds, 'SendAsDenied names the refused sender: that one is granted', cmds)
japanese_ok(['--option=smtp-auth', '--username=scanner@contoso.com', '--from=scanner@contoso.com',
             send_as], '5.7.60 with sender = sign-in',
            '入力した送信者がサインインするメールボックスそのものである場合')
rc, out, err = run('--option=smtp-auth', send_as)
ok('may come only after the message was sent (DATA)' in out and 'can come only' not in out,
   '"may come only after DATA"', out)

# Exchange Online codes with their own entry.
for line, want, title_ja in [
        ('550 5.7.501 Access denied, spam abuse detected', 'sender-spam-abuse',
         'スパムのため送信元アカウントが禁止されています'),
        ('550 5.7.511 Access denied, banned sender[203.0.113.7]. To request removal from this '
         'list, forward this message to delist@microsoft.com.', 'ip-banned-sender',
         'Microsoft による解除が必要です'),
        ('550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains',
         'tenant-unregistered-domain', '組織が追加していないドメインからの送信がブロックされています'),
        ('550 5.7.705 Access denied, tenant has exceeded threshold', 'tenant-sending-blocked',
         '組織からの送信がブロックされています')]:
    rc, ids, out = ids_of([line])
    ok(rc == 1 and ids == [want], f'{want}: its own entry', out)
    japanese_ok([line], f'{want} explained', title_ja)

# Without --step no step is claimed; with it, the step's check.
rc, out, err = run(ds)
ok('Sender (MAIL FROM)' not in out and 'direct-send-rejected' in out,
   'text without --step names no step', out)
rc, out, err = run('--step=rcpt', ds)
ok('direct-send-rejected · Recipient (RCPT TO)' in out, 'text with --step names it', out)
rc, out, err = run('--format=json', '--step=mail', ds)
ok(findings_of(out)[0]['check'] == 'mail-from', 'JSON with --step gives its check', out)

# "Find your MX endpoint" links to the setup guide's Direct Send section, not to SMTP DANE.
rc, out, err = run('--format=json', '--option=direct-send',
                   '530 5.7.57 Client not authenticated to send mail')
urls = [x.get('url') or '' for x in fixes_of(out)]
ok(not any('smtp-dane' in u for u in urls)
   and any(u.endswith('#option-2-send-mail-directly-from-your-printer-or-application-to-'
                      'microsoft-365-or-office-365-direct-send') for u in urls),
   'the MX endpoint fix links to the setup guide', urls)

# An unknown reply points the admin to the admin center's NDR diagnostic.
rc, out, err = run('550 5.7.999 Something new')
ok('https://aka.ms/PillarEmailNDR' in out, 'unknown reply: the NDR diagnostic', out)

# Japanese typography in the output made of several sentences.
japanese_ok(['250 2.1.5 Recipient OK'], 'a success, in Japanese',
            'エラーではありません。応答コード 250')
japanese_ok(['550 5.7.999 Something new'], 'an unknown reply, in Japanese', '拡張ステータス コード')
japanese_ok(['--option=smtp-auth', TENANT], 'a tenant refusal, in Japanese', 'Set-TransportConfig')

# High Volume Email: a refused sign-in is about the HVE account (never the SMTP AUTH switches),
# a refused recipient is one outside the organization; its endpoint's name in the pasted text
# is enough to read the reply as HVE's. Without it, a 535 is read as the other options do.
hve_fail = '535 5.7.3 Authentication unsuccessful [SG2PR02CA0073.apcprd02.prod.outlook.com]'
rc, out, err = run('--format=json', '--option=hve', '--username=hve-scanner@contoso.com', hve_fail)
found = json.loads(out) if rc == 1 else []
ok([f['id'] for f in found] == ['hve-auth-failed'], '--option=hve: a 535 is hve-auth-failed', out + err)
commands = [x.get('command') for f in found for x in f['fixes'] if x.get('command')]
ok('Get-MailUser -HVEAccount' in commands, 'HVE fix lists the HVE accounts', commands)
ok(not any('CASMailbox' in c or 'SmtpClientAuthenticationDisabled' in c for c in commands),
   'no SMTP AUTH switch for an HVE account', commands)
for line in ['smtp.hve.mx.microsoft: ' + TENANT, 'smtp-hve.office365.com said ' + hve_fail]:
    rc, ids, out = ids_of([line])
    ok(rc == 1 and ids == ['hve-auth-failed'], 'the HVE endpoint named: %s' % line[:24], out)
rc, ids, out = ids_of([hve_fail])
ok('hve-auth-failed' not in (ids or []) and 'auth-failed' in (ids or []),
   'no HVE endpoint named: no HVE reading', out)
rc, ids, out = ids_of(['--option=hve', '--step=rcpt', '550 5.7.1 Unable to relay'])
ok(rc == 1 and ids == ['config-hve-external-recipient'], 'HVE refusal at RCPT: outside recipient',
   out)
rc, out, err = run('--help')
ok('smtp-auth|direct-send|relay|hve' in out, 'help lists the options from the table', out)
rc, out, err = run('--option=hv', hve_fail)
ok(rc == 2 and 'smtp-auth, direct-send, relay, hve' in err, 'an unknown option names them all',
   err)

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
