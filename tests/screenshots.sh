#!/bin/sh
# screenshots.sh — a PNG of every wizard page, in English and Japanese, light and dark,
# at the default size, at 360 px wide, and tall (the whole of long pages, for review).
#
#   tests/screenshots.sh [BUILDDIR [OUTDIR]]       (defaults: _build, BUILDDIR/screenshots)
#
# Needs Xvfb, dbus-run-session, ImageMagick's import, /usr/bin/python3 with pyatspi, and a CJK
# font (fonts-noto-cjk). Select variants with LANGS="en ja", SCHEMES="light dark",
# SIZES="default narrow tall". The test build of the app (src/ui/device-mail-doctor-test, the
# one with the test-only hooks) runs against the scripted server (tests/ui-screenshots.py), the
# window size comes from a throw-away GSettings keyfile.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/_build}" && pwd)
out=${2:-$build/screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "${DMD_SCREENSHOTS_INNER:-}" ]; then
  # Re-run inside one X server and one session bus of our own.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/run"; chmod 700 "$tmp/run"
  display=$((300 + $$ % 400))
  # -noreset: see build-aux/dev (an app started while Xvfb resets cannot open the display).
  HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" DMD_SCREENSHOTS_INNER=1 \
    xvfb-run -n "$display" -s "-screen 0 1000x3200x24 -nolisten tcp -noreset" \
    dbus-run-session -- "$0" "$build" "$out"
  exit $?
fi

for lang in ${LANGS:-en ja}; do
  for scheme in ${SCHEMES:-light dark}; do
    for size in ${SIZES:-default narrow tall}; do
      case $size in
        default) w=720; h=640 ;;
        narrow)  w=360; h=720 ;;
        tall)    w=720; h=3000 ;;
      esac
      conf=$(mktemp -d)
      mkdir -p "$conf/glib-2.0/settings" "$conf/gtk-4.0"
      # GNOME's default title bar buttons; no animations, so that every shot is of a settled
      # page (a stack transition or a spinner frame half-drawn is not a screenshot).
      printf '[Settings]\ngtk-decoration-layout=:close\ngtk-enable-animations=false\n' \
        > "$conf/gtk-4.0/settings.ini"
      printf '[io/github/devicemaildoctor/DeviceMailDoctor]\nwindow-width=%s\nwindow-height=%s\n' \
        "$w" "$h" > "$conf/glib-2.0/settings/keyfile"
      if [ "$lang" = ja ]; then language=ja; else language=; fi
      echo "== $lang $scheme $size (${w}x$h)"
      env XDG_CONFIG_HOME="$conf" GSETTINGS_BACKEND=keyfile \
          GSETTINGS_SCHEMA_DIR="$build/data" LANG=C.UTF-8 LANGUAGE="$language" \
          DMD_COLOR_SCHEME="$scheme" \
          /usr/bin/python3 "$top/tests/ui-screenshots.py" "$build" "$top" "$out" \
          "$lang-$scheme-$size" "$w" "$h" \
        || echo "!! $lang $scheme $size failed"
      # The OAuth sign-in's screens (settings, the device-code dialog, the results).
      env XDG_CONFIG_HOME="$conf" GSETTINGS_BACKEND=keyfile \
          GSETTINGS_SCHEMA_DIR="$build/data" LANG=C.UTF-8 LANGUAGE="$language" \
          DMD_COLOR_SCHEME="$scheme" \
          /usr/bin/python3 "$top/tests/ui-screenshots-oauth.py" "$build" "$top" "$out" \
          "$lang-$scheme-$size" "$w" "$h" \
        || echo "!! $lang $scheme $size OAuth failed"
      rm -rf "$conf"
    done
  done
done
