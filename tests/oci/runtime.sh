#!/bin/bash
# runtime.sh CAIRN WASM_DIR: cairn-oci on its own (no containerd), as the
# shim calls it: the lifecycle (create leaves a waiting init, start releases
# it, state, kill, delete), runc's errors and exit codes, the json log, and
# bad input (malformed config.json, missing rootfs, unknown ID, missing
# module, invalid module, a second create with the same ID), each leaving no
# state directory, cgroup or process behind.
CAIRN=$(readlink -f "$1"); W=$2
O=$(dirname "$CAIRN")/cairn-oci
PASS=0; FAILS=0
ok()   { echo "ok: $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
not() { ! "$@"; }
has() { grep -q -- "$2" "$1"; }
[ "$(id -u)" = 0 ] || exec "$(dirname "$0")/../missing-tool.sh" oci/runtime "root (cgroups, namespaces)"
command -v runc >/dev/null || exec "$(dirname "$0")/../missing-tool.sh" oci/runtime "runc"

T=$(mktemp -d /tmp/cairn-ocirt.XXXXXX)
CG=cairnrt$$
R=$T/root
LOG=$T/log.json
oci() { "$O" --root "$R" --log "$LOG" --log-format json "$@"; }
live() { # non-zombie processes whose command line names our temp dir
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$T" || continue
    awk '{print $3}' "$p/stat" 2>/dev/null | grep -q '[ZX]' || echo "${p#/proc/}"
  done
}
cleanup() {
  for p in $(live); do kill -9 "$p" 2>/dev/null; done
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CG" ] || continue
    find "$h$CG" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null; rmdir "$h$CG" 2>/dev/null
  done
  rm -rf "$T"
}
trap cleanup EXIT

# bundle NAME ARGS_JSON [python statements on the config c]
bundle() {
  local b=$T/$1; mkdir -p "$b/rootfs/etc"
  cp "$W/hello.wasm" "$W/trap.wasm" "$b/rootfs/"
  echo "motd of $1" > "$b/rootfs/etc/motd"
  python3 - "$b" "$2" "$CG/$1" "${3:-}" <<'PY'
import json, sys
b, args, cg, extra = sys.argv[1:5]
c = {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
     "process": {"args": json.loads(args), "env": ["GREETING=from-spec"], "cwd": "/",
                 "terminal": False},
     "hostname": "wasm",
     "linux": {"namespaces": [{"type": "network"}, {"type": "uts"}, {"type": "ipc"},
                              {"type": "pid"}, {"type": "mount"}],
               "cgroupsPath": "/" + cg, "resources": {"memory": {"limit": 67108864}}}}
exec(extra)
json.dump(c, open(b + "/config.json", "w"))
PY
}
no_leftover() { # no_leftover ID
  [ ! -e "$R/$1" ] && [ ! -e "/sys/fs/cgroup/memory/$CG/$1" ] && [ ! -e "/sys/fs/cgroup/$CG/$1" ] && [ -z "$(live)" ]
}

# ---- the lifecycle ----
bundle b1 '["/hello.wasm", "one", "exit=3"]'
oci create --bundle "$T/b1" --pid-file "$T/b1.pid" c1 > "$T/c1.out" 2> "$T/c1.err"; rc=$?
check "create exits 0 ($rc)" [ "$rc" = 0 ]
pid=$(cat "$T/b1.pid" 2>/dev/null)
check "the pid file names a live waiting init: ${pid:-none}" [ -n "$pid" -a -d "/proc/$pid" ]
oci state c1 > "$T/st" 2>&1
check "state says created" has "$T/st" '"status": "created"'
check "state has the pid" has "$T/st" "\"pid\": $pid"
check "the module has not run yet" not has "$T/c1.out" hello
check "the init is in its cgroup" grep -q "/$CG/b1" "/proc/$pid/cgroup"
check "and in its own network namespace" [ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
oci start c1; rc=$?
check "start exits 0" [ "$rc" = 0 ]
for _ in $(seq 1 100); do oci state c1 | grep -q stopped && break; sleep 0.02; done
check "the module ran: stdout from the create caller's stdio" has "$T/c1.out" "hello from a wasm container"
check "args from the spec" has "$T/c1.out" "arg 1: one"
check "env from the spec" has "$T/c1.out" "GREETING=from-spec"
check "the rootfs is its /" has "$T/c1.out" "motd: motd of b1"
oci state c1 > "$T/st" 2>&1
check "state says stopped, pid 0" has "$T/st" '"pid": 0'
oci kill c1 KILL 2> "$T/err"; rc=$?
check "kill of a stopped container: exit 1 ($rc)" [ "$rc" = 1 ]
check "... 'container not running' on stderr" has "$T/err" "container not running"
check "... and in the json log" has "$LOG" '"level":"error","msg":"container not running"'
oci start c1 2> "$T/err"; rc=$?
check "start of a stopped container fails ($rc)" [ "$rc" = 1 ]
check "start of a stopped container fails: and then" has "$T/err" "cannot start a container that has stopped"
oci delete c1; rc=$?
check "delete exits 0 ($rc) and leaves nothing" [ "$rc" = 0 ]
check "delete exits 0: and then" no_leftover c1

# exit status: the guest's, seen by the parent that reaps the init
# (containerd's shim is a subreaper; here a python subreaper plays it)
bundle b2 '["/trap.wasm"]'
python3 - "$O" "$R" "$T" > "$T/reap" 2>&1 <<'PY'
import ctypes, os, subprocess, sys, time
O, R, T = sys.argv[1:4]
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
subprocess.run([O, "--root", R, "create", "--bundle", T + "/b2", "--pid-file", T + "/b2.pid", "c2"],
               check=True, stdout=open(T + "/c2.out", "w"), stderr=open(T + "/c2.err", "w"))
pid = int(open(T + "/b2.pid").read())
subprocess.run([O, "--root", R, "start", "c2"], check=True)
_, st = os.waitpid(pid, 0)
print("exit", os.waitstatus_to_exitcode(st))
PY
check "a trapping module's init exits 134: $(cat "$T/reap")" has "$T/reap" "exit 134"
check "its trap message on its stderr" has "$T/c2.err" "wasm trap: unreachable"
oci delete c2; check "deleted" no_leftover c2

# delete of a running container: refused without --force
bundle b3 '["/hello.wasm"]'
oci create --bundle "$T/b3" c3 > /dev/null 2>&1
oci create --bundle "$T/b3" c3 2> "$T/err"; rc=$?
check "a second create with the same ID fails ($rc)" [ "$rc" = 1 ]
check "... 'container with given ID already exists'" has "$T/err" "container with given ID already exists"
oci state c3 | grep -q created; check "... and the first is untouched" [ $? = 0 ]
oci delete c3; rc=$?
check "delete of a created container kills its init ($rc)" [ "$rc" = 0 ]
check "delete of a created container kills its init: and then" no_leftover c3
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bundle b4 '["/http.wasm"]' "c['process']['env'].append('CAIRN_TCPLISTEN=127.0.0.1:$P')"
cp "$W/http.wasm" "$T/b4/rootfs/"
oci create --bundle "$T/b4" c4 > /dev/null 2>&1 && oci start c4
sleep 0.2
oci state c4 > "$T/st" 2>&1
check "a server runs" has "$T/st" '"status": "running"'
oci ps --format json c4 > "$T/ps" 2>&1
check "ps --format json lists its init: $(cat "$T/ps")" grep -q '^\[[0-9][0-9]*\]$' "$T/ps"
oci delete c4 2> "$T/err"; rc=$?
check "delete without --force refuses a running container ($rc)" [ "$rc" = 1 ]
check "delete without --force refuses a running container: and then" has "$T/err" "that is not stopped: running"
oci pause c4; oci state c4 > "$T/st" 2>&1
check "pause freezes it" has "$T/st" '"status": "paused"'
oci resume c4; oci state c4 > "$T/st" 2>&1
check "resume thaws it" has "$T/st" '"status": "running"'
oci delete --force c4; rc=$?
check "delete --force stops and removes it ($rc)" [ "$rc" = 0 ]
check "delete --force stops and removes it: and then" no_leftover c4

# a terminal: the pty master goes to --console-socket, the guest writes to the slave
bundle b5 '["/hello.wasm", "tty"]' "c['process']['terminal'] = True"
python3 - "$O" "$R" "$T" > "$T/tty" 2>&1 <<'PY'
import array, os, socket, subprocess, sys, time
O, R, T = sys.argv[1:4]
path = T + "/console.sock"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind(path); srv.listen(1)
p = subprocess.Popen([O, "--root", R, "create", "--bundle", T + "/b5", "--console-socket", path, "c5"])
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
print("create", p.wait(), "pty", msg.decode(), "fds", len(fds))
subprocess.run([O, "--root", R, "start", "c5"], check=True)
out = b""
deadline = time.time() + 5
while time.time() < deadline and b"arg 1: tty" not in out:
    try:
        out += os.read(fds[0], 4096)
    except OSError:
        break
print(out.decode(errors="replace"))
PY
check "a terminal container: the master arrives on the console socket" has "$T/tty" "create 0 pty /dev/pts/"
check "and the guest's output comes through it" has "$T/tty" "arg 1: tty"
sleep 0.1; oci delete --force c5 > /dev/null 2>&1
check "deleted" no_leftover c5

# a bind mount of a directory is a preopen at its destination; .cwasm is Wasm
bundle b6 '["/hello.cwasm"]'
mkdir -p "$T/etc6"; echo "from a bind mount" > "$T/etc6/motd"
python3 - "$T/b6/config.json" "$T/etc6" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["mounts"] = [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/etc", "type": "bind", "source": sys.argv[2], "options": ["rbind", "ro"]}]
json.dump(c, open(sys.argv[1], "w"))
PY
mv "$T/b6/rootfs/hello.wasm" "$T/b6/rootfs/hello.cwasm"
oci create --bundle "$T/b6" c6 > "$T/c6.out" 2>&1 && oci start c6
for _ in $(seq 1 100); do oci state c6 | grep -q stopped && break; sleep 0.02; done
check "args[0] a .cwasm file: run by Cairn" has "$T/c6.out" "hello from a wasm container"
check "the bind mount (over the rootfs's /etc) is what the guest sees" has "$T/c6.out" "motd: from a bind mount"
oci delete c6; check "deleted" no_leftover c6

# cairn image build: reproducible, and refuses an invalid module
"$CAIRN" image build "$W/hello.wasm" -o "$T/i1.tar" --name t/hello --env A=B --arg x > "$T/i1.out" &&
  "$CAIRN" image build "$W/hello.wasm" -o "$T/i2.tar" --name t/hello --env A=B --arg x > /dev/null
check "image build names the image with :latest: $(cat "$T/i1.out")" has "$T/i1.out" "t/hello:latest sha256:"
check "the same inputs give the same bytes" cmp -s "$T/i1.tar" "$T/i2.tar"
tar -xf "$T/i1.tar" -C "$T" index.json
check "index.json: the containerd name annotation and linux platform" python3 -c "
import json; m = json.load(open('$T/index.json'))['manifests'][0]
assert m['annotations']['io.containerd.image.name'] == 't/hello:latest'
assert m['platform']['os'] == 'linux'"
printf '\0asm\1\0\0\0\5\3\1\0' > "$T/bad-img.wasm"
"$CAIRN" image build "$T/bad-img.wasm" -o "$T/i3.tar" --name t/bad 2> "$T/err" > /dev/null; rc=$?
check "an invalid module is refused ($rc): $(cat "$T/err")" [ "$rc" = 2 -a ! -e "$T/i3.tar" ]

# ---- bad input: a clear error, exit 1, nothing left ----
bad() { # bad NAME EXPECTED_MESSAGE
  oci create --bundle "$T/$1" "x$1" > /dev/null 2> "$T/err"; rc=$?
  check "$1: create exits 1 ($rc)" [ "$rc" = 1 ]
  check "$1: says '$2': $(head -c 200 "$T/err")" has "$T/err" "$2"
  check "$1: the json log has it" grep -q "\"level\":\"error\",\"msg\":\".*$2" "$LOG"
  check "$1: nothing left" no_leftover "x$1"
}
bundle malformed '["/hello.wasm"]'; echo '{"process": {"args": ["/hello.wasm"]' > "$T/malformed/config.json"
bad malformed "config.json"
bundle norootfs '["/hello.wasm"]'; rm -rf "$T/norootfs/rootfs"
bad norootfs "rootfs"
bundle nomodule '["/nope.wasm"]' "c['annotations'] = {'module.wasm.image/variant': 'compat'}"
bad nomodule "module not found"
bundle invalid '["/bad.wasm"]'
printf '\0asm\1\0\0\0\5\3\1\0' > "$T/invalid/rootfs/bad.wasm"
bad invalid "module /bad.wasm"
# signed modules (docs/signing.md): the node's CAIRN_OCI_REQUIRE_SIGNATURE
"$CAIRN" keygen -o "$T/k" > /dev/null && "$CAIRN" keygen -o "$T/k2" > /dev/null
bundle unsigned '["/hello.wasm"]'
CAIRN_OCI_REQUIRE_SIGNATURE=$T/k.pub bad unsigned "signature required: unsigned"
bundle foreign '["/hello.wasm"]'
"$CAIRN" sign --key "$T/k2" "$T/foreign/rootfs/hello.wasm" -o "$T/foreign/rootfs/hello.wasm" > /dev/null
CAIRN_OCI_REQUIRE_SIGNATURE=$T/k.pub bad foreign "signed only by unknown keys"
CAIRN_OCI_REQUIRE_SIGNATURE=$T/k bad foreign "CAIRN_OCI_REQUIRE_SIGNATURE: $T/k: this is a secret key"
bundle signed '["/hello.wasm"]'
"$CAIRN" image build "$W/hello.wasm" -o "$T/is.tar" --name t/signed --sign-key "$T/k" > /dev/null
tar -xf "$T/is.tar" -C "$T/signed" blobs
check "image build --sign-key: the manifest names the signer" grep -rqs "org.cairn.signature.signer.*ed25519:" "$T/signed/blobs"
for l in "$T"/signed/blobs/sha256/*; do tar -xf "$l" -C "$T/signed/rootfs" hello.wasm 2>/dev/null; done
check "image build --sign-key: the layer holds the signed module" "$CAIRN" verify --pub "$T/k.pub" "$T/signed/rootfs/hello.wasm"
CAIRN_OCI_REQUIRE_SIGNATURE=$T/k2.pub,$T/k.pub oci create --bundle "$T/signed" cs > "$T/cs.out" 2> "$T/err"; rc=$?
check "a module signed by a listed key: create exits 0 ($rc): $(head -c 200 "$T/err")" [ "$rc" = 0 ]
oci start cs
for _ in $(seq 1 100); do oci state cs | grep -q stopped && break; sleep 0.02; done
check "and it runs" has "$T/cs.out" "hello from a wasm container"
oci delete cs; check "deleted" no_leftover cs
for cmd in state start delete "kill"; do
  oci $cmd nosuch 2> "$T/err"; rc=$?
  check "$cmd of an unknown ID: exit 1, 'container does not exist' ($rc)" [ "$rc" = 1 ]
  check "$cmd of an unknown ID: exit 1, 'container does not exist': and then" has "$T/err" "container does not exist"
done
oci features > "$T/feat" 2>&1
check "features is JSON" python3 -c "import json,sys; json.load(open('$T/feat'))"
oci frobnicate x > /dev/null 2>&1; rc=$?
check "an unknown command goes to runc, which refuses it ($rc)" [ "$rc" != 0 ]

echo "$PASS passed, $FAILS failed"
[ "$FAILS" = 0 ]
