#!/usr/bin/python3
# test-cli-hostile.py — `device-mail-doctor-cli check` given hostile or careless input: the
# files it writes, the password sources' bounds and labels, numeric options, a garbage
# --ca-file. TAP output.
#
#   test-cli-hostile.py CLI CERTDIR
#
# Nothing here reaches a server: every run is pointed at a refused loopback port with
# --connect-to, so a run that should have been refused as bad input still ends quickly (and
# never touches the internet).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import stat
import subprocess
import sys
import tempfile
import threading

import dmd_tap

CLI, CERTS = sys.argv[1:3]
USER = 'scanner@contoso.com'

tmp = tempfile.TemporaryDirectory(prefix='dmd-cli-hostile-')
tap = dmd_tap.Tap()
ok = tap.ok


def env(**extra):
    e = dict(os.environ)
    e.pop('DMD_PASSWORD', None)
    e.update({'LC_ALL': 'C.UTF-8', 'LANGUAGE': '', 'NO_COLOR': '1',
              'G_DEBUG': 'fatal-criticals'})
    e.update(extra)
    return e


def run(args, stdin='', extra_env=None, command='check', timeout=60):
    p = subprocess.run([CLI, command] + args, input=stdin, capture_output=True, text=True,
                       env=env(**(extra_env or {})), timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# Port 1 on loopback refuses at once: a run ends in a second, offline.
REFUSED = '--connect-to=smtp.office365.com::127.0.0.1:1'


def quick(*more):
    return ['--option=smtp-auth', REFUSED, '--timeout=1', f'--username={USER}',
            f'--from={USER}', '--to=someone@contoso.com', '--format=json'] + list(more)


def path(name):
    return os.path.join(tmp.name, name)


# ---- --report=PATH: a device or a FIFO is written into, never replaced ---------------------

fifo = path('report.fifo')
os.mkfifo(fifo)
received = []


def read_fifo():
    with open(fifo, 'rb') as f:
        received.append(f.read())


reader = threading.Thread(target=read_fifo, daemon=True)
reader.start()
code, out, err = run(quick(f'--report={fifo}'), extra_env={'DMD_PASSWORD': 'pw'})
reader.join(10)
if reader.is_alive():
    # The CLI never opened the FIFO (it replaced it): let the reader go.
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass
    reader.join(5)
mode = os.lstat(fifo).st_mode
ok(stat.S_ISFIFO(mode), '--report=FIFO leaves the FIFO in place',
   f'mode={oct(mode)} rc={code} {err}')
ok(received and received[0].startswith(b'<!DOCTYPE html>'), 'the report went through the FIFO',
   f'rc={code} received={received[:1]!r:.200} {err}')

if os.geteuid() == 0:
    # As root a rename replaces anything: a character device (a copy of /dev/null, in the
    # temporary directory) must stay one.
    null = path('null')
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, out, err = run(quick(f'--report={null}'), extra_env={'DMD_PASSWORD': 'pw'})
    mode = os.lstat(null).st_mode
    ok(stat.S_ISCHR(mode) and os.major(os.lstat(null).st_rdev) == 1,
       '--report=<character device> writes into the device, as root too',
       f'mode={oct(mode)} rc={code} {err}')
    ok(code == 1, 'writing into a device is no error', f'rc={code} {err}')
else:
    ok(True, '# SKIP not root: cannot make a device node')
    ok(True, '# SKIP not root')

target = path('real.html')
with open(target, 'w') as f:
    f.write('old')
link = path('link.html')
os.symlink(target, link)
code, out, err = run(quick(f'--report={link}'), extra_env={'DMD_PASSWORD': 'pw'})
ok(os.path.islink(link) and open(target).read().startswith('<!DOCTYPE html>'),
   'a symbolic link keeps pointing at its file, which is replaced', f'rc={code} {err}')

regular = path('regular.html')
with open(regular, 'w') as f:
    f.write('old')
code, out, err = run(quick(f'--report={regular}'), extra_env={'DMD_PASSWORD': 'pw'})
ok(code == 1 and open(regular).read().startswith('<!DOCTYPE html>'),
   'a regular file is replaced', f'rc={code} {err}')

code, out, err = run(quick(f'--report={tmp.name}'), extra_env={'DMD_PASSWORD': 'pw'})
ok(code == 2 and 'report' in err and os.path.isdir(tmp.name),
   'a directory is refused, clearly', f'rc={code} {err}')

# ---- the password sources: bounded alike, errors named by their source ---------------------

code, out, err = run(quick(), extra_env={'DMD_PASSWORD': 'x' * 2000})
ok(code == 2 and 'DMD_PASSWORD' in err and '1024' in err,
   'DMD_PASSWORD is capped at 1 KiB like the file and standard input', f'rc={code} {err}')

code, out, err = run(quick(), extra_env={'DMD_PASSWORD': 'x' * 1024})
ok(code == 1, 'a 1 KiB DMD_PASSWORD is still taken', f'rc={code} {err}')

code, out, err = run(quick(), extra_env={'DMD_PASSWORD': 'first\nsecond'})
ok(code == 2 and err.startswith('device-mail-doctor-cli check: DMD_PASSWORD:')
   and '--password-file' not in err,
   'an error about DMD_PASSWORD is labelled DMD_PASSWORD', err)

code, out, err = run(quick('--password-stdin'), stdin='first\rsecond\n')
ok(code == 2 and '--password-stdin:' in err and '--password-file' not in err,
   'an error about --password-stdin is labelled --password-stdin', err)

token = path('token')
with open(token, 'w') as f:
    f.write('eyJ0eXAi OiJKV1Qi\n')
code, out, err = run(quick(f'--oauth-token-file={token}'))
ok(code == 2 and '--oauth-token-file:' in err and '--password-file' not in err,
   'an error about the token is labelled --oauth-token-file', err)

# ---- numeric options: out of range or negative is bad input, never the default -------------

for args, flag in [(['--port=-1'], '--port'), (['--port=0'], '--port'),
                   (['--port=65536'], '--port'), (['--port=99999999999'], '--port'),
                   (['--port=x'], '--port'), (['--timeout=-1'], '--timeout'),
                   (['--timeout=0'], '--timeout'), (['--timeout=301'], '--timeout'),
                   (['--server-field-length=-1'], '--server-field-length'),
                   (['--server-field-length=0'], '--server-field-length')]:
    code, out, err = run(quick(*args), extra_env={'DMD_PASSWORD': 'pw'})
    ok(code == 2 and flag in err and out == '', f'{args[0]} is refused (exit 2)',
       f'rc={code} {err}')

for args in (['--port=-1'], ['--timeout=-1'], ['--idle=-1'], ['--port=70000']):
    code, out, err = run(args + ['--loopback-only'], command='capture', timeout=20)
    ok(code == 2, f'capture {args[0]} is refused (exit 2)', f'rc={code} {err}')

# ---- --ca-file: garbage is bad input (exit 2, the file named), never the device's fault ----

random_file = path('random.pem')
with open(random_file, 'wb') as f:
    f.write(os.urandom(4096))
empty_file = path('empty.pem')
open(empty_file, 'w').close()
key_only = os.path.join(CERTS, 'test-server-key.pem')
huge = path('huge.pem')
with open(huge, 'wb') as f:
    f.truncate(300 * 1024 * 1024)          # sparse: costs nothing, must not be read whole

for name, ca in [('random bytes', random_file), ('an empty file', empty_file),
                 ('a key only', key_only)]:
    code, out, err = run(quick(f'--ca-file={ca}'), extra_env={'DMD_PASSWORD': 'pw'})
    ok(code == 2 and '--ca-file:' in err and os.path.basename(ca) in err
       and 'no certificate' in err and 'firmware' not in (out + err),
       f'--ca-file with {name} is bad input that names the file', f'rc={code} {err}')

code, out, err = run(quick(f'--ca-file={huge}'), extra_env={'DMD_PASSWORD': 'pw'})
ok(code == 2 and '--ca-file:' in err and 'MiB' in err, 'a 300 MB --ca-file is refused',
   f'rc={code} {err}')

code, out, err = run(quick(f'--ca-file={os.path.join(CERTS, "test-ca.pem")}'),
                     extra_env={'DMD_PASSWORD': 'pw'})
ok(code == 1, 'a good --ca-file is taken', f'rc={code} {err}')

tap.finish()
