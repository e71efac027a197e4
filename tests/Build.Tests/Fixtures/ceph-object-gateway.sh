#!/usr/bin/env bash
# A throwaway single-node Ceph Object Gateway, the real S3 API the shared-store tests run the registry against:
# one mon, one OSD that keeps its objects in memory, and radosgw (beast). No cephx, pools of size 1, everything
# under DIR. npm's S3 emulators lack ListMultipartUploads, which distribution's S3 driver calls on every chunked
# upload; RGW implements the whole multipart API. Needs the Debian packages radosgw ceph-mon ceph-osd ceph-common
# (./build.sh --target=Test installs them).
#
# usage: ceph-object-gateway.sh start DIR PORT   -> prints S3_ENDPOINT / S3_ACCESS_KEY / S3_SECRET_KEY lines
#        ceph-object-gateway.sh stop  DIR        -> kills the daemons and removes DIR
# env:   RGW_BUCKET (create this bucket), RGW_VERBOSE=1 (timings on stderr), RGW_ACCESS_KEY, RGW_SECRET_KEY (defaults below), MON_PORT (default PORT+1),
#        MEMSTORE_BYTES (default 2 GiB; OSD data lives in RAM), START_TIMEOUT (default 120 s)
set -euo pipefail

cmd=${1:-}; D=${2:-}
[ -n "$cmd" ] && [ -n "$D" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

kill_daemons() { # SIGKILL: the data is thrown away anyway, and a TERMed memstore OSD
  local pidf pid st  # first dumps all of its in-RAM objects to disk (seconds)
  [ -d "$D/run" ] || return 0
  for n in rgw osd mon; do
    pidf="$D/run/$n.pid"; [ -f "$pidf" ] || continue
    kill -KILL "$(cat "$pidf")" 2>/dev/null || true
  done
  for n in rgw osd mon; do
    pidf="$D/run/$n.pid"; [ -f "$pidf" ] || continue
    pid=$(cat "$pidf")
    # gone, or a zombie (here PID 1 reaps orphans only every ~2 s; sockets are already closed)
    for _ in $(seq 100); do
      st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) || break
      [ "$st" = Z ] && break; sleep 0.05
    done
  done
}
stop() { kill_daemons; rm -rf "$D"; }

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "unknown command $cmd" >&2; exit 2; }

PORT=${3:?port}
MON_PORT=${MON_PORT:-$((PORT + 1))}
AK=${RGW_ACCESS_KEY:-testaccesskey0000000}
SK=${RGW_SECRET_KEY:-testsecretkey0000000000000000000000000000}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-2147483648}
TIMEOUT=${START_TIMEOUT:-120}

mkdir -p "$D"; D=$(cd "$D" && pwd)
rm -rf "$D/mon" "$D/osd" "$D/run" "$D/log"
mkdir -p "$D/mon" "$D/osd" "$D/run" "$D/log"
CONF="$D/ceph.conf"
FSID=$(cat /proc/sys/kernel/random/uuid)

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
keyring = $D/keyring
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
log to stderr = false
err to stderr = true
mon cluster log file = $D/log/cluster.log
crash dir = $D/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
ms bind msgr2 = false
auth allow insecure global id reclaim = false
ms bind port min = 6800
ms bind port max = 7300

[mon]
mon data = $D/mon/\$id
mon allow pool delete = true
# every pool create (rgw makes ~7) waits for a paxos round: default 1 s -> 0.05 s
paxos propose interval = 0.05

[osd]
osd data = $D/osd/\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
# without cephx the OSD can send its start-up "set-device-class"/"create-or-move" mon command
# before it has the monmap -> mon: "handle_command on fsid 0000... != <fsid>", OSD:
# "mon_cmd_maybe_osd_create fail: 'wrong fsid'" and it never boots (~1 start in 5). So skip
# those commands and put the OSD into the CRUSH map ourselves.
osd crush update on start = false
osd class update on start = false
osd class dir = /usr/lib/x86_64-linux-gnu/rados-classes
osd memory target = 536870912
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 64
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw dynamic resharding = false
# deleted/overwritten tails are garbage-collected after 2 h by default; memstore keeps them in RAM
rgw gc obj min wait = 30
rgw gc processor period = 30
EOF
# the OSD reads [osd] class dir from multiarch path; fall back to any found
cls=$(dirname "$(ls /usr/lib/*/rados-classes/libcls_rgw.so 2>/dev/null | head -1)" 2>/dev/null || true)
[ -n "$cls" ] && sed -i "s#^osd class dir = .*#osd class dir = $cls#" "$CONF"

deadline=$((SECONDS + TIMEOUT))
fail() { echo "start-rgw: $*" >&2; kill_daemons; echo "logs left in $D/log" >&2; exit 1; }
log() { [ -z "${RGW_VERBOSE:-}" ] || echo "[$(date +%T.%N | cut -c1-12)] $*" >&2; }
waitfor() { # desc cmd...
  local desc=$1; shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timeout waiting for $desc"
    sleep 0.2
  done
}
spawn() { # name cmd...  (foreground daemon in its own session, pid recorded)
  local name=$1; shift
  setsid "$@" </dev/null >>"$D/log/$name.out" 2>&1 &
  echo $! > "$D/run/$name.pid"
}
CEPH="ceph -c $CONF --connect-timeout 10"

# --- mon
log mon mkfs
monmaptool --create --fsid "$FSID" --addv a "[v1:127.0.0.1:$MON_PORT]" "$D/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" >>"$D/log/mkfs.out" 2>&1 || fail "ceph-mon --mkfs failed"
spawn mon ceph-mon -c "$CONF" -i a -f
waitfor "mon" $CEPH mon stat

# --- osd (memstore)
log mon up
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$($CEPH osd new "$OSD_UUID") || fail "ceph osd new failed"
# asked again until the deadline: on a busy machine the mon has been seen refusing the first one (what it said is in crush.out)
crush_add() { $CEPH osd crush add "osd.$OSD_ID" 1.0 root=default host=localhost >>"$D/log/crush.out" 2>&1; }
waitfor "crush add (see crush.out)" crush_add
mkdir -p "$D/osd/$OSD_ID"
# memstore's mkfs ignores --osd-uuid and generates a random fsid unless the file exists;
# a mismatch makes the mon reject the OSD ("mon_cmd_maybe_osd_create fail: 'wrong fsid'")
echo "$OSD_UUID" > "$D/osd/$OSD_ID/fsid"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >>"$D/log/mkfs.out" 2>&1 || fail "ceph-osd --mkfs failed"
spawn osd ceph-osd -c "$CONF" -i "$OSD_ID" -f
osd_up() { $CEPH osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up"; }
waitfor "osd up" osd_up

# --- rgw
log osd up
spawn rgw radosgw -c "$CONF" -n client.rgw -f
waitfor "rgw http" curl -s -o /dev/null "http://127.0.0.1:$PORT/"

log rgw listening
radosgw-admin -c "$CONF" -n client.admin user create --uid=test --display-name=test \
  --access-key="$AK" --secret-key="$SK" >"$D/user.json" 2>>"$D/log/admin.out" || fail "user create failed"

log user created
if [ -n "${RGW_BUCKET:-}" ]; then
  # curl's --aws-sigv4 omits x-amz-content-sha256, which RGW then rejects (SignatureDoesNotMatch)
  code=$(curl -sS -o "$D/log/bucket.out" -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$AK:$SK" -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
    "http://127.0.0.1:$PORT/$RGW_BUCKET") || true
  [ "$code" = 200 ] || fail "bucket create returned $code: $(cat "$D/log/bucket.out")"
  log "bucket $RGW_BUCKET created"
fi
echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
echo "S3_ACCESS_KEY=$AK"
echo "S3_SECRET_KEY=$SK"
