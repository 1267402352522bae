#!/bin/sh
# Fails when a LINGUAS catalogue has an untranslated or fuzzy message, measured against the
# current sources (the catalogue is merged with a freshly extracted template first), or when
# msgfmt finds an error (format strings that do not match, bad headers), or when a Japanese
# translation breaks Japanese typography: a space after "。" before the next Japanese sentence,
# or an ASCII comma next to Japanese text (Japanese lists take "、").
set -eu
top=${1:?usage: check-translations.sh SOURCE_ROOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top"
xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
  --files-from=po/POTFILES.in --directory=. --output="$work/template.pot" 2>"$work/xgettext.log" \
  || { cat "$work/xgettext.log"; exit 1; }
status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$work/template.pot" -o "$work/$lang.po"
  if ! msgfmt --check --statistics -o /dev/null "$work/$lang.po" 2>"$work/$lang.stats"; then
    cat "$work/$lang.stats"; status=1; continue
  fi
  stats=$(cat "$work/$lang.stats")
  echo "$lang: $stats"
  case "$stats" in
    *fuzzy*|*untranslated*)
      echo "$lang.po is incomplete. Messages to translate:"
      msgattrib --untranslated "$work/$lang.po" | grep -A1 '^msgid' | head -40
      msgattrib --only-fuzzy "$work/$lang.po" | grep -A1 '^msgid' | head -40
      status=1 ;;
  esac
done
# Japanese typography, on every msgstr unwrapped to one line.
if [ -f po/ja.po ]; then
  msgcat --no-wrap po/ja.po -o "$work/ja-nowrap.po"
  jp='[\p{Han}\p{Hiragana}\p{Katakana}ー]'
  if LC_ALL=C.UTF-8 grep -nP "^msgstr(\\[\\d+\\])? \".*(。 +$jp|$jp, |[、。], |, $jp)" \
       "$work/ja-nowrap.po" >"$work/typography"; then
    echo "ja.po breaks Japanese typography (no space between Japanese sentences, 、 in lists):"
    head -20 "$work/typography"
    status=1
  fi
fi
exit $status
