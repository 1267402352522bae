# dmd_tap.py — the TAP reporting the Python test scripts share (meson reads protocol: 'tap').
#
#   tap = dmd_tap.Tap()
#   tap.ok(cond, 'what was checked', detail)   # detail: printed as comments when it fails
#   tap.finish()                                # the plan line, then exit 1 if any failed
#
# SPDX-License-Identifier: GPL-3.0-or-later
import sys


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, cond, name, detail=''):
        self.count += 1
        if cond:
            print(f'ok {self.count} - {name}')
        else:
            self.failed += 1
            print(f'not ok {self.count} - {name}')
            for line in str(detail).splitlines()[:40]:
                print(f'# {line}')
        sys.stdout.flush()
        return cond

    def finish(self):
        print(f'1..{self.count}')
        sys.exit(1 if self.failed else 0)
