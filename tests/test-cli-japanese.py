#!/usr/bin/python3
# test-cli-japanese.py — `device-mail-doctor-cli check` in Japanese against the scripted SMTP
# server on loopback, with TAP output.
#
#   test-cli-japanese.py CLI SERVER CERTDIR BUILD_PO_DIR
#
# The static check of po/ja.po (tests/check-translations.sh) cannot see text that the code
# puts together at run time: lists joined with a separator, sentences joined with a space.
# This runs real checks with LANGUAGE=ja (the catalogue from the build tree, DMD_LOCALEDIR) and
# asserts Japanese typography on everything printed: no space between two Japanese sentences,
# no ASCII comma next to Japanese text (lists take "、").
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import socket
import subprocess
import sys
import tempfile

import dmd_tap

CLI, SERVER, CERTS, PO_DIR = sys.argv[1:5]
PASSWORD = 'Ja-Typ0graphy-Pw#1'
USER = 'scanner@contoso.com'
JP = r'[\u3040-\u30ff\u3400-\u9fff]'

tmp = tempfile.TemporaryDirectory(prefix='dmd-cli-ja-')
tap = dmd_tap.Tap()
ok = tap.ok


def typography_problems(text):
    """The lines that break Japanese typography."""
    bad = []
    for line in text.splitlines():
        if re.search('。 +' + JP, line) or re.search(JP + ', |, ' + JP, line):
            bad.append(line)
    return bad


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

    def stop(self):
        self.proc.stdin.close()
        self.proc.stdout.read()
        self.proc.wait(timeout=10)


def run(port, *more):
    env = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', LANGUAGE='ja', NO_COLOR='1',
               DMD_LOCALEDIR=PO_DIR, DMD_PASSWORD=PASSWORD)
    args = [CLI, 'check', '--option=smtp-auth',
            f'--connect-to=smtp.office365.com::127.0.0.1:{port}',
            f'--ca-file={os.path.join(CERTS, "test-ca.pem")}', '--timeout=3',
            f'--username={USER}', f'--from={USER}', '--to=someone@contoso.com',
            '--domain=contoso.com'] + list(more)
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


SUBMISSION = f'''[server]
profile=exchange-submission
[auth]
username={USER}
password={PASSWORD}
'''

# A run that gets through EHLO and the TLS version matrix: the capabilities ("機能 N 個、
# STARTTLS、PIPELINING") and the versions ("TLS 1.2、TLS 1.3") are lists.
server = Server(SUBMISSION)
code, out, err = run(server.port)
server.stop()
ok('推奨' in out and 'STARTTLS' in out, 'the text output is in Japanese', out + err)
ok(re.search('機能 [0-9]+ 個、STARTTLS、PIPELINING', out) is not None,
   'the EHLO capabilities are a Japanese list', out)
ok(re.search('TLS ?1\\.[0-3]、TLS ?1\\.[0-3]', out) is not None,
   'the accepted TLS versions are a Japanese list', out)
bad = typography_problems(out)
ok(not bad, 'Japanese typography in a passing run', '\n'.join(bad))

# A refused connection: the error and what the other ports did, as two Japanese sentences.
with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    closed = s.getsockname()[1]
code, out, err = run(closed)
ok('network-connection-refused' in out, 'a refused connection is explained', out + err)
bad = typography_problems(out)
# The evidence is the error and the other ports' outcome: two sentences, joined as Japanese.
bad += [line for line in out.splitlines() if '(127.0.0.1:' in line and '. ' in line]
ok(not bad, 'Japanese typography in a failed connection', '\n'.join(bad))

tap.finish()
