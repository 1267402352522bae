#!/usr/bin/env python3
# What can be checked of the Flatpak manifest offline (the GNOME runtime cannot be downloaded
# here): it parses, its id and command match what meson installs, its finish-args are only
# what the app needs, every library the build links is either in the GNOME runtime or a module
# of the manifest pinned by URL and checksum, and `meson install --destdir` yields every file a
# Flatpak export needs under the app id's names — and no test hook: no installed program holds
# the string "DMD_TEST_" (what `strings BINARY | grep DMD_TEST_` would find), and the test
# builds (device-mail-doctor-test, device-mail-doctor-cli-test) are not installed.
import json, os, subprocess, sys, tempfile

source_root, build_root, app_id = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)

manifest_path = os.path.join(source_root, "flatpak", "io.github.devicemaildoctor.DeviceMailDoctor.json")
try:
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    print("FAIL: manifest does not parse:", e)
    sys.exit(1)

base_id = "io.github.devicemaildoctor.DeviceMailDoctor"
if manifest.get("id") != base_id:
    fail("manifest id %r is not %r" % (manifest.get("id"), base_id))
if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
    fail("manifest must use the GNOME runtime and SDK")
allowed = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri"}
extra = set(manifest.get("finish-args", [])) - allowed
if extra:
    fail("finish-args beyond what the app needs: %s" % sorted(extra))
missing = allowed - set(manifest.get("finish-args", []))
if missing:
    fail("finish-args lack: %s" % sorted(missing))
modules = manifest.get("modules", [])
if not modules or not isinstance(modules[-1], dict) or modules[-1].get("buildsystem") != "meson":
    fail("the last module must be the app, built with meson")
else:
    srcs = modules[-1].get("sources", [])
    if not any(s.get("type") == "dir" and os.path.realpath(os.path.join(os.path.dirname(manifest_path), s.get("path", ""))) == os.path.realpath(source_root) for s in srcs):
        fail("the app module must build from the local tree (a dir source pointing at the project root)")

# Every library the build links (meson's view of the configured build) comes from the GNOME
# runtime or from a module of the manifest that pins its source. The runtime's (GNOME 49, on
# the Freedesktop SDK): GLib/GIO, GnuTLS, json-glib, libidn2, libsoup 3, GTK 4, libadwaita.
RUNTIME_LIBS = {"glib-2.0", "gio-2.0", "gobject-2.0", "gnutls", "json-glib-1.0", "libidn2",
                "libsoup-3.0", "gtk4", "libadwaita-1", "threads"}
# pkg-config name -> the manifest module that builds it
MODULE_FOR = {"libqrencode": "libqrencode"}
r = subprocess.run(["meson", "introspect", "--dependencies", build_root], capture_output=True,
                   text=True)
if r.returncode != 0:
    fail("meson introspect --dependencies failed: " + r.stderr.strip())
    linked = []
else:
    linked = sorted({d["name"] for d in json.loads(r.stdout)})
module_names = [m.get("name") for m in modules if isinstance(m, dict)]
for lib in linked:
    if lib in RUNTIME_LIBS:
        print("ok: %s comes with the runtime" % lib)
        continue
    module = MODULE_FOR.get(lib)
    if module is None or module not in module_names:
        fail("the build links %s, which the GNOME runtime lacks and no module of the manifest "
             "builds" % lib)
        continue
    if module_names.index(module) >= len(module_names) - 1:
        fail("module %s must come before the app" % module)
    mod = modules[module_names.index(module)]
    for src in mod.get("sources", []):
        pinned = (src.get("type") in ("archive", "file") and
                  str(src.get("url", "")).startswith("https://") and
                  len(str(src.get("sha256", ""))) == 64) or \
                 (src.get("type") == "git" and len(str(src.get("commit", ""))) == 40)
        if not pinned:
            fail("module %s: source %r is not pinned (https URL and sha256, or a git commit)"
                 % (module, src))
    print("ok: %s is built by module %s" % (lib, module))

command = manifest.get("command")
with tempfile.TemporaryDirectory() as dest:
    r = subprocess.run(["meson", "install", "-C", build_root, "--no-rebuild", "--quiet",
                        "--destdir", dest], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        fail("meson install --destdir failed")
    else:
        prefix = None
        for dirpath, dirnames, filenames in os.walk(dest):
            if "bin" in dirnames:
                prefix = dirpath
                break
        if prefix is None:
            fail("nothing installed into bin/")
        else:
            # The Flatpak builds with the default profile, so the expected names use the base id;
            # this build may be the Devel profile, so check against the id it was configured with.
            expect = [
                "bin/" + str(command),
                "bin/device-mail-doctor-cli",
                "share/applications/%s.desktop" % app_id,
                "share/metainfo/%s.metainfo.xml" % app_id,
                "share/icons/hicolor/scalable/apps/%s.svg" % app_id,
                "share/icons/hicolor/symbolic/apps/%s-symbolic.svg" % app_id,
                "share/glib-2.0/schemas/%s.gschema.xml" % base_id,
                "share/locale/ja/LC_MESSAGES/device-mail-doctor.mo",
            ]
            for rel in expect:
                p = os.path.join(prefix, rel)
                if not os.path.isfile(p):
                    fail("not installed: " + rel)
                else:
                    print("ok:", rel)
            # The test hooks are compiled out of what is installed (DMD_TEST_HOOKS).
            programs = []
            for dirpath, _dirs, filenames in os.walk(prefix):
                for name in filenames:
                    path = os.path.join(dirpath, name)
                    if os.access(path, os.X_OK) and not os.path.islink(path):
                        programs.append(path)
            if not programs:
                fail("no installed program to check for test hooks")
            for path in programs:
                rel = os.path.relpath(path, prefix)
                if os.path.basename(path).endswith("-test"):
                    fail("a test build is installed: " + rel)
                with open(path, "rb") as f:
                    if b"DMD_TEST_" in f.read():
                        fail("an installed program holds a test hook (DMD_TEST_): " + rel)
                    else:
                        print("ok: no test hook in", rel)
            desktop = os.path.join(prefix, "share/applications/%s.desktop" % app_id)
            if os.path.isfile(desktop):
                text = open(desktop, encoding="utf-8").read()
                if "Exec=%s" % command not in text:
                    fail("the desktop file does not run the manifest's command %r" % command)
                if "Icon=%s" % app_id not in text:
                    fail("the desktop file's icon is not the app id")
            metainfo = os.path.join(prefix, "share/metainfo/%s.metainfo.xml" % app_id)
            if os.path.isfile(metainfo):
                text = open(metainfo, encoding="utf-8").read()
                if "<id>%s</id>" % app_id not in text or "%s.desktop" % app_id not in text:
                    fail("the metainfo's id or launchable does not match the app id")

if failures:
    sys.exit(1)
print("flatpak manifest checks passed")
