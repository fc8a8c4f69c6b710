#!/bin/sh
# Installs (or upgrades) the inferscope agent on a Linux host in one command.
#
#   sudo sh install.sh --url https://ingest.example.com --key isk_... \
#        --scrape vllm=127.0.0.1:8000 --scrape dcgm=127.0.0.1:9400 --nvidia-smi \
#        --ollama http://127.0.0.1:11434 --tail litellm=/var/log/litellm/requests.jsonl \
#        --artifact dist/inferscope.mjs
#
# What it does (each step says what it did; see --help for the flags):
#   1. checks Node >= 20.11 (the only run-time dependency; --node PATH to pick one);
#   2. checks the artifact (dist/inferscope.mjs from `npm run build:agent`, a path or
#      an http(s) URL) runs, and installs it as /usr/local/lib/inferscope/inferscope.mjs
#      with the command /usr/local/bin/inferscope;
#   3. creates the system user `inferscope` (no home, nologin) unless present;
#   4. writes /etc/inferscope/agent.yaml from the flags ONLY if it is absent: an
#      upgrade keeps the config as it is; the key goes to /etc/inferscope/agent.env
#      (0600, owner inferscope), read by the unit, never into the YAML;
#      the config is validated with `inferscope agent --check` before anything moves;
#   5. keeps the disk queue in /var/lib/inferscope (owned by inferscope, kept on upgrade);
#   6. writes /etc/systemd/system/inferscope-agent.service and runs
#      `systemctl daemon-reload && systemctl enable --now inferscope-agent`.
#
# Safe to run again: a file whose bytes and mode are already right is not touched,
# and the agent is restarted only when the artifact, the unit or the key changed.
# --root DIR installs under DIR (tests, image builds): no useradd, chown or systemctl,
# which it prints as what it would run. POSIX sh; needs cp, mv, cmp, chmod, stat,
# mktemp, and curl or wget for a URL artifact.
set -eu

PROG=install.sh
LIB_DIR=/usr/local/lib/inferscope
BIN=/usr/local/bin/inferscope
ETC_DIR=/etc/inferscope
STATE_DIR=/var/lib/inferscope
UNIT=/etc/systemd/system/inferscope-agent.service
SERVICE=inferscope-agent
AGENT_USER=inferscope
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=11
# Node flags of the service: V8's young generation capped at 1 MiB semi-spaces
# (the default grows them to 16 MiB each, most of an idle agent's RSS; 1 instead
# of 2 MiB: ~3.5 MiB less RSS on the bench for ~0.2% of a core more scavenging),
# the old generation at 192 MiB so V8 collects harder before MemoryMax is reached
# (room for ~10x the bench's 20,000 series), and no background threads
# (--single-threaded: GC and compilation on the main thread; --v8-pool-size=1:
# one platform worker instead of four), so no per-thread malloc arenas and stacks
# and no concurrent-marking overhead on a host whose cores belong to the GPUs' work.
NODE_FLAGS="--max-semi-space-size=1 --max-old-space-size=192 --single-threaded --v8-pool-size=1"
# glibc malloc: two arenas instead of eight per core, and blocks over 64 KiB
# (scrape bodies, zlib windows) mmap'd, so they go back to the OS when freed.
MALLOC_ENV="MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536"
SELF_LISTEN=127.0.0.1:9465
TAIL_FORMATS="litellm canonical openai ollama_response ollama"
NL='
'

usage() {
  cat <<EOF
usage: $PROG --url URL --key KEY [options]      (run as root, or with --root DIR)

  --url URL            ingest endpoint, http:// or https://           (first install)
  --key KEY            API key with the ingest scope (or env INFERSCOPE_API_KEY);
                       stored in $ETC_DIR/agent.env, 0600            (first install)
  --scrape [JOB=]T     a Prometheus target: host:port (http, /metrics) or a URL;
                       repeatable; JOB defaults to "metrics"
  --nvidia-smi         collect GPU metrics with nvidia-smi (hosts without dcgm-exporter)
  --ollama URL         an Ollama server to poll; repeatable
  --tail [FORMAT=]FILE a request log to tail (absolute path); repeatable; FORMAT is one
                       of: $TAIL_FORMATS (default litellm);
                       jsonl needs a field mapping: edit agent.yaml for it
  --host NAME          the host label on every series (default: uname -n)
  --artifact PATH|URL  the bundled agent (npm run build:agent: dist/inferscope.mjs);
                       default: dist/inferscope.mjs beside this checkout, else the
                       installed one is kept
  --node PATH          the node binary (default: node on PATH); must be >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR
  --root DIR           install under DIR; print useradd/chown/systemctl instead of running them
  --no-start           install and configure, but do not touch systemd
  -h, --help           this text

The config flags (--url --scrape --nvidia-smi --ollama --tail --host) only apply
when $ETC_DIR/agent.yaml is absent: an upgrade keeps the config. --key also
replaces the key of an existing install (the agent is restarted).
EOF
}

flag() { case "$CONFIG_FLAGS " in *" $1 "*) ;; *) CONFIG_FLAGS="$CONFIG_FLAGS $1" ;; esac; }
# Runs a command with a time limit where coreutils' timeout is there: a wrong
# artifact must not hang the install.
limited() { if command -v timeout >/dev/null 2>&1; then timeout 60 "$@"; else "$@"; fi; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }
would() { say "  would run: $*"; }

# ---- flags ------------------------------------------------------------------

URL= KEY=${INFERSCOPE_API_KEY:-} ARTIFACT= ROOT= NO_START=0 NVIDIA=0 NODE= HOST=
SCRAPE_YAML= OLLAMA_YAML= TAIL_YAML= TAIL_FILES= CONFIG_FLAGS=

# Characters a URL, key or target may hold here: nothing that needs quoting in YAML
# or in a systemd EnvironmentFile (no whitespace, quotes, backslash, $ or `).
plain() {
  case $1 in
    '' | *[!A-Za-z0-9._~:/?#@!\&\(\)\*+,\;=%\[\]-]*) return 1 ;;
  esac
  return 0
}

check_url() { # flag value
  case $2 in
    http://?* | https://?*) plain "$2" || die "$1: $2: a URL with characters that need quoting (whitespace, quotes, \$)" ;;
    *) die "$1 must be an http:// or https:// URL, got '$2'" ;;
  esac
}

# A Prometheus target: host:port or a URL (as the agent's config takes them).
check_target() { # value
  case $1 in
    http://?* | https://?*) check_url --scrape "$1"; return ;;
  esac
  host=${1%:*} port=${1##*:}
  [ "$host" != "$1" ] && [ -n "$host" ] || die "--scrape: '$1': expected host:port (e.g. 127.0.0.1:8000) or a URL"
  case $port in '' | *[!0-9]*) die "--scrape: '$1': the port must be a number" ;; esac
  [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "--scrape: '$1': port $port is not in 1-65535"
  case $host in
    \[*\]) case $host in *[!0-9A-Fa-f:.\[\]]*) die "--scrape: '$1': not an IPv6 address in brackets" ;; esac ;;
    *[!A-Za-z0-9.-]*) die "--scrape: '$1': '$host' is not a host name or IPv4 address" ;;
  esac
}

add_scrape() { # [JOB=]TARGET
  job=metrics target=$1
  case $1 in
    http://* | https://*) ;;
    *=*) job=${1%%=*} target=${1#*=} ;;
  esac
  case $job in '' | *[!A-Za-z0-9_.-]*) die "--scrape: job name '$job' may use letters, digits, _ . - only" ;; esac
  check_target "$target"
  SCRAPE_YAML="$SCRAPE_YAML  - job: \"$job\"$NL    targets: [\"$target\"]$NL"
}

add_tail() { # [FORMAT=]FILE
  fmt=litellm file=$1
  case $1 in
    /*) ;;
    *=*) fmt=${1%%=*} file=${1#*=} ;;
  esac
  case " $TAIL_FORMATS " in
    *" $fmt "*) ;;
    *) if [ "$fmt" = jsonl ]; then
         die "--tail: format jsonl needs a field mapping (fields.time at least): install without it, then add it to $ETC_DIR/agent.yaml (see agent.example.yaml)"
       fi
       die "--tail: unknown format '$fmt': use one of $TAIL_FORMATS" ;;
  esac
  case $file in
    /*) ;;
    *) die "--tail: '$file' must be an absolute path (the agent runs in $STATE_DIR)" ;;
  esac
  case $file in *[\"\\\$\`]* | *"$NL"*) die "--tail: '$file': a path with quotes, backslashes, \$ or newlines is not supported" ;; esac
  case "$NL$TAIL_FILES" in *"$NL$file$NL"*) die "--tail: $file given twice" ;; esac
  TAIL_FILES="$TAIL_FILES$file$NL"
  TAIL_YAML="$TAIL_YAML  - path: \"$file\"$NL    format: $fmt$NL"
}

while [ $# -gt 0 ]; do
  opt=$1
  shift
  has_val=0
  case $opt in
    --*=*) val=${opt#*=} opt=${opt%%=*} has_val=1 ;;
  esac
  case $opt in
    --url | --key | --scrape | --ollama | --tail | --artifact | --root | --node | --host)
      if [ $has_val = 0 ]; then
        [ $# -gt 0 ] || die "$opt needs a value (see --help)"
        val=$1
        shift
        case $val in --*) die "$opt needs a value, got the flag '$val'" ;; esac
      fi
      [ -n "$val" ] || die "$opt: the value is empty" ;;
    --nvidia-smi | --no-start | -h | --help)
      [ $has_val = 0 ] || die "$opt takes no value" ;;
    *) die "unknown flag '$opt' (see --help)" ;;
  esac
  case $opt in
    --url) check_url --url "$val"; URL=$val; flag --url ;;
    --key) KEY=$val ;;
    --scrape) add_scrape "$val"; flag --scrape ;;
    --ollama) check_url --ollama "$val"; OLLAMA_YAML="$OLLAMA_YAML  - url: \"$val\"$NL"; flag --ollama ;;
    --tail) add_tail "$val"; flag --tail ;;
    --nvidia-smi) NVIDIA=1; flag --nvidia-smi ;;
    --host)
      case $val in *[!A-Za-z0-9._-]*) die "--host: '$val' may use letters, digits, _ . - only" ;; esac
      HOST=$val; flag --host ;;
    --artifact) ARTIFACT=$val ;;
    --root) ROOT=$val ;;
    --node) NODE=$val ;;
    --no-start) NO_START=1 ;;
    -h | --help) usage; exit 0 ;;
  esac
done

if [ -n "$KEY" ]; then
  case $KEY in *[!A-Za-z0-9._~+/=-]*) false ;; esac || die "--key: the key has characters an API key never has (whitespace, quotes, \$): pass it exactly as 'inferscope keys create' printed it"
  case $KEY in isk_*) ;; *) say "warning: the key does not start with isk_ (inferscope keys do)" >&2 ;; esac
fi

if [ -n "$ROOT" ]; then
  case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
  ROOT=${ROOT%/}
  [ -n "$ROOT" ] || die "--root /: that is the real system; drop --root to install there"
  mkdir -p "$ROOT" || die "--root: cannot create $ROOT"
else
  [ "$(id -u)" = 0 ] || die "run as root (sudo sh $0 ...), or pass --root DIR to install into a directory"
fi

# ---- Node -------------------------------------------------------------------

if [ -z "$NODE" ]; then
  NODE=$(command -v node || true)
  [ -n "$NODE" ] || die "node is not on PATH: install Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR system-wide (distribution package or https://nodejs.org), or pass --node PATH"
fi
case $NODE in
  /*) ;;
  */*) NODE=$(cd "$(dirname "$NODE")" && pwd)/$(basename "$NODE") ;;
  *) NODE=$(command -v "$NODE" || true); [ -n "$NODE" ] || die "--node: not found on PATH" ;;
esac
[ -f "$NODE" ] && [ -x "$NODE" ] || die "--node: $NODE is not an executable file"
case $NODE in
  /root/* | /home/*) die "node is at $NODE, inside a home directory, which the service cannot read (user $AGENT_USER, ProtectHome): install Node system-wide, or pass --node with one outside /root and /home" ;;
esac
NODE_VERSION=$("$NODE" -e 'process.stdout.write(process.versions.node)' 2>/dev/null) || die "$NODE does not run as Node.js ('$NODE -e ...' failed)"
major=${NODE_VERSION%%.*} rest=${NODE_VERSION#*.}
minor=${rest%%.*}
case $major$minor in '' | *[!0-9]*) die "$NODE: cannot read its version from '$NODE_VERSION'" ;; esac
if [ "$major" -lt $NODE_MIN_MAJOR ] || { [ "$major" -eq $NODE_MIN_MAJOR ] && [ "$minor" -lt $NODE_MIN_MINOR ]; }; then
  die "$NODE is Node.js v$NODE_VERSION; the agent needs >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR: upgrade Node, or pass --node PATH to a newer one"
fi

# ---- the artifact -------------------------------------------------------------

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/inferscope-install.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT INT TERM
R=$ROOT
INSTALLED=$R$LIB_DIR/inferscope.mjs
here=$(dirname "$0")

if [ -z "$ARTIFACT" ]; then
  if [ -f "$here/../../dist/inferscope.mjs" ]; then
    ARTIFACT=$here/../../dist/inferscope.mjs
  elif [ -f "$INSTALLED" ]; then
    ARTIFACT=$INSTALLED
    say "no --artifact: keeping the installed $LIB_DIR/inferscope.mjs"
  else
    die "no artifact: pass --artifact PATH or URL (build it with 'npm run build:agent': dist/inferscope.mjs)"
  fi
fi
case $ARTIFACT in
  http://* | https://*)
    if command -v curl >/dev/null 2>&1; then
      curl -fsSL --retry 3 -o "$STAGE/inferscope.mjs" "$ARTIFACT" || die "--artifact: could not download $ARTIFACT (curl failed, see above)"
    elif command -v wget >/dev/null 2>&1; then
      wget -q -O "$STAGE/inferscope.mjs" "$ARTIFACT" || die "--artifact: could not download $ARTIFACT (wget failed)"
    else
      die "--artifact: $ARTIFACT is a URL but neither curl nor wget is installed: download it and pass the path"
    fi ;;
  *)
    [ -f "$ARTIFACT" ] || die "--artifact: $ARTIFACT: no such file"
    cp "$ARTIFACT" "$STAGE/inferscope.mjs" ;;
esac
if ! limited "$NODE" "$STAGE/inferscope.mjs" --help >"$STAGE/help.out" 2>&1; then
  die "--artifact: $ARTIFACT does not run with $NODE ('node inferscope.mjs --help' failed: $(head -c 300 "$STAGE/help.out")): is it dist/inferscope.mjs from 'npm run build:agent'?"
fi
ARTIFACT_VERSION=$(limited "$NODE" "$STAGE/inferscope.mjs" --version 2>/dev/null | head -n 1) || ARTIFACT_VERSION=
case $ARTIFACT_VERSION in *[!A-Za-z0-9\ ._+\(\)-]* | '') ARTIFACT_VERSION="(no --version)" ;; esac

# ---- the files, staged: nothing is moved into place until the config checks ---

if [ -z "$HOST" ]; then
  HOST=$(uname -n)
  case $HOST in '' | *[!A-Za-z0-9._-]*) die "this host's name '$HOST' cannot be the host label: pass --host NAME" ;; esac
fi
cat >"$STAGE/agent.yaml" <<EOF
# inferscope agent config, written by install.sh from its flags. A re-run of
# install.sh keeps this file; edit it, then: systemctl restart $SERVICE
# (check first: inferscope agent --check --config $ETC_DIR/agent.yaml).
# All options: cli/agent/agent.example.yaml and cli/agent/README.md.
data_dir: $STATE_DIR

endpoint:
  url: "$URL"
  api_key: \${INFERSCOPE_API_KEY}   # from $ETC_DIR/agent.env

labels:
  host: "$HOST"

self:
  listen: $SELF_LISTEN   # /healthz and /metrics of the agent itself

scrape:
$SCRAPE_YAML  - job: inferscope-agent   # the agent's own queue, send and scrape metrics
    targets: ["$SELF_LISTEN"]
EOF
[ -z "$OLLAMA_YAML" ] || printf '\nollama:\n%s' "$OLLAMA_YAML" >>"$STAGE/agent.yaml"
if [ $NVIDIA = 1 ]; then
  smi=$(command -v nvidia-smi || true)
  case $smi in /root/* | /home/* | '') smi=nvidia-smi ;; esac
  printf '\nnvidia_smi:\n  path: %s\n' "$smi" >>"$STAGE/agent.yaml"
fi
[ -z "$TAIL_YAML" ] || printf '\nlogs:\n%s' "$TAIL_YAML" >>"$STAGE/agent.yaml"

CONFIG=$R$ETC_DIR/agent.yaml
ENVFILE=$R$ETC_DIR/agent.env
if [ -f "$CONFIG" ]; then
  CONFIG_STATE=kept
  CHECK_CONFIG=$CONFIG
else
  [ -n "$URL" ] || die "first install: --url is required ($ETC_DIR/agent.yaml does not exist yet)"
  CONFIG_STATE=new
  CHECK_CONFIG=$STAGE/agent.yaml
fi
if [ -z "$KEY" ]; then
  [ -f "$ENVFILE" ] || die "first install: --key is required (or env INFERSCOPE_API_KEY): $ETC_DIR/agent.env does not exist yet"
  KEY=$(sed -n 's/^INFERSCOPE_API_KEY=//p' "$ENVFILE" | head -n 1)
  [ -n "$KEY" ] || die "$ETC_DIR/agent.env has no INFERSCOPE_API_KEY=...: pass --key"
fi
printf '# The agent'"'"'s API key, read by %s (EnvironmentFile). Written by install.sh.\nINFERSCOPE_API_KEY=%s\n' "$UNIT" "$KEY" >"$STAGE/agent.env"

if ! limited env INFERSCOPE_API_KEY="$KEY" "$NODE" "$STAGE/inferscope.mjs" agent --check --config "$CHECK_CONFIG" >"$STAGE/check.out" 2>&1; then
  if grep -q "Unknown option '--check'" "$STAGE/check.out"; then
    die "--artifact: $ARTIFACT has no 'inferscope agent --check' (built before it existed): rebuild it with 'npm run build:agent'"
  fi
  if [ $CONFIG_STATE = kept ]; then
    die "the existing $ETC_DIR/agent.yaml does not pass 'inferscope agent --check' with this artifact; nothing was changed. Fix it:$NL$(cat "$STAGE/check.out")"
  fi
  die "the config written from the flags does not validate (a bug in $PROG: please report it); nothing was changed:$NL$(cat "$STAGE/check.out")"
fi

# The queue lives in data_dir: the unit must let the service write there
# (ProtectSystem=strict), also when a kept config names another directory.
DATA_DIR=$(sed -n 's/^.*; sends to .*, queue in //p' "$STAGE/check.out")
DATA_DIR=${DATA_DIR:-$STATE_DIR}
case $DATA_DIR in
  *[[:space:]]*) die "data_dir '$DATA_DIR' in $ETC_DIR/agent.yaml has whitespace, which the unit's ReadWritePaths cannot hold: pick another directory" ;;
  /*) ;;
  *) die "data_dir '$DATA_DIR' in $ETC_DIR/agent.yaml must be an absolute path (e.g. $STATE_DIR)" ;;
esac
WRITABLE=$STATE_DIR
[ "$DATA_DIR" = "$STATE_DIR" ] || WRITABLE="$STATE_DIR $DATA_DIR"

cat >"$STAGE/inferscope" <<EOF
#!/bin/sh
# The inferscope command (agent and operator tools), written by install.sh.
exec $NODE $LIB_DIR/inferscope.mjs "\$@"
EOF

cat >"$STAGE/unit" <<EOF
# systemd unit of the inferscope agent, as cli/agent/install.sh writes it to
# $UNIT (with the node it found). A re-run of
# install.sh rewrites it: for local changes use a drop-in, systemctl edit $SERVICE
[Unit]
Description=Inferscope agent (metrics scrape, request-log tail, disk-buffered forwarding)
Documentation=https://github.com/inferscope/inferscope/blob/main/cli/agent/README.md
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$AGENT_USER
Group=$AGENT_USER
# INFERSCOPE_API_KEY=..., referenced as \${INFERSCOPE_API_KEY} in agent.yaml.
EnvironmentFile=$ETC_DIR/agent.env
WorkingDirectory=$STATE_DIR
# Node flags and malloc settings keep memory low: see NODE_FLAGS and MALLOC_ENV in install.sh.
Environment=$MALLOC_ENV
ExecStart=$NODE $NODE_FLAGS $LIB_DIR/inferscope.mjs agent --config $ETC_DIR/agent.yaml
# SIGTERM lets the agent read the last log lines and finish in-flight sends;
# everything else is already on disk, so a kill after the timeout loses nothing.
KillSignal=SIGTERM
TimeoutStopSec=15
Restart=always
RestartSec=2
# The disk queue and log offsets (data_dir in agent.yaml); kept on upgrade.
StateDirectory=inferscope
StateDirectoryMode=0750
UMask=0077
MemoryMax=256M
# Hardening. Not set, on purpose: PrivateDevices (nvidia-smi needs /dev/nvidia*)
# and MemoryDenyWriteExecute (V8 compiles to machine code).
NoNewPrivileges=true
ProtectSystem=strict
ReadWritePaths=$WRITABLE
ProtectHome=read-only
PrivateTmp=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectKernelLogs=true
ProtectControlGroups=true
ProtectClock=true
ProtectHostname=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=true
RestrictRealtime=true
RestrictSUIDSGID=true
LockPersonality=true
SystemCallArchitectures=native
CapabilityBoundingSet=
AmbientCapabilities=

[Install]
WantedBy=multi-user.target
EOF

# ---- into place ---------------------------------------------------------------

# put SRC DEST MODE: replace DEST (atomically) only when its bytes differ; fix the
# mode only when it differs. Succeeds (0) when the bytes changed.
put() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    [ "$(stat -c %a "$2")" = "${3#0}" ] || chmod "$3" "$2"
    return 1
  fi
  cp "$1" "$2.tmp-install"
  chmod "$3" "$2.tmp-install"
  mv -f "$2.tmp-install" "$2"
  return 0
}

dir() { # DIR MODE
  mkdir -p "$1"
  [ "$(stat -c %a "$1")" = "${2#0}" ] || chmod "$2" "$1"
}

own() { # OWNER PATH (real path, without ROOT)
  if [ -n "$ROOT" ]; then
    would "chown $1 $2"
  elif [ "$(stat -c %U:%G "$2")" != "$1" ]; then
    chown "$1" "$2"
  fi
}

state() { if [ "$1" = 1 ]; then say "$2"; else say "$3"; fi; }

say "inferscope agent install${ROOT:+ under $ROOT}: node $NODE (v$NODE_VERSION), artifact $ARTIFACT_VERSION"

# The user first: the files below are given to it.
if [ -n "$ROOT" ]; then
  would "useradd --system --no-create-home --home-dir $STATE_DIR --shell /usr/sbin/nologin --user-group $AGENT_USER (if absent)"
elif id -u "$AGENT_USER" >/dev/null 2>&1; then
  say "  user $AGENT_USER: present"
else
  command -v useradd >/dev/null 2>&1 || die "useradd is not installed: create a system user $AGENT_USER (group $AGENT_USER) yourself and re-run"
  nologin=/usr/sbin/nologin
  [ -x $nologin ] || nologin=/sbin/nologin
  [ -x $nologin ] || nologin=/bin/false
  useradd --system --no-create-home --home-dir "$STATE_DIR" --shell "$nologin" --user-group "$AGENT_USER"
  say "  user $AGENT_USER: created (system user, no home, shell $nologin)"
fi

dir "$R$LIB_DIR" 0755
mkdir -p "$R$(dirname "$BIN")" "$R$(dirname "$UNIT")"
UPGRADE=0
[ ! -f "$INSTALLED" ] || UPGRADE=1
ARTIFACT_CHANGED=0
if put "$STAGE/inferscope.mjs" "$INSTALLED" 0644; then ARTIFACT_CHANGED=1; fi
sum=$(sha256sum "$INSTALLED" 2>/dev/null | cut -c1-12) || sum=
state $ARTIFACT_CHANGED "  $LIB_DIR/inferscope.mjs: installed${sum:+ (sha256 $sum...)}" "  $LIB_DIR/inferscope.mjs: unchanged"
if put "$STAGE/inferscope" "$R$BIN" 0755; then say "  $BIN: written"; else say "  $BIN: unchanged"; fi

dir "$R$ETC_DIR" 0750
own "root:$AGENT_USER" "$ETC_DIR"
if [ $CONFIG_STATE = new ]; then
  put "$STAGE/agent.yaml" "$CONFIG" 0640 || true
  own "root:$AGENT_USER" "$ETC_DIR/agent.yaml"
  say "  $ETC_DIR/agent.yaml: written from the flags ($(sed 's/^.*: valid: //' "$STAGE/check.out"))"
else
  own "root:$AGENT_USER" "$ETC_DIR/agent.yaml"
  if [ -n "$CONFIG_FLAGS" ] && cmp -s "$STAGE/agent.yaml" "$CONFIG"; then
    say "  $ETC_DIR/agent.yaml: exists, kept (the same as these flags would write)"
  elif [ -n "$CONFIG_FLAGS" ]; then
    say "  $ETC_DIR/agent.yaml: exists, kept as it is (an upgrade keeps the config):$CONFIG_FLAGS not applied; edit the file, or delete it and re-run to write it from the flags"
  else
    say "  $ETC_DIR/agent.yaml: exists, kept as it is (an upgrade keeps the config)"
  fi
fi
KEY_CHANGED=0
if put "$STAGE/agent.env" "$ENVFILE" 0600; then KEY_CHANGED=1; fi
own "$AGENT_USER:$AGENT_USER" "$ETC_DIR/agent.env"
state $KEY_CHANGED "  $ETC_DIR/agent.env: key written (0600, owner $AGENT_USER)" "  $ETC_DIR/agent.env: unchanged"

dir "$R$STATE_DIR" 0750
own "$AGENT_USER:$AGENT_USER" "$STATE_DIR"
if [ "$DATA_DIR" != "$STATE_DIR" ]; then
  dir "$R$DATA_DIR" 0750
  own "$AGENT_USER:$AGENT_USER" "$DATA_DIR"
  say "  $DATA_DIR: data_dir of the kept agent.yaml (not $STATE_DIR): made writable for the service in the unit"
fi
say "  $STATE_DIR: disk queue and log offsets (kept on upgrade)"

UNIT_CHANGED=0
if put "$STAGE/unit" "$R$UNIT" 0644; then UNIT_CHANGED=1; fi
state $UNIT_CHANGED "  $UNIT: written" "  $UNIT: unchanged"

if [ -n "$TAIL_FILES" ] && [ $CONFIG_STATE = new ]; then
  printf '%s' "$TAIL_FILES" | while IFS= read -r f; do
    if [ -e "$R$f" ]; then
      say "  note: the agent runs as $AGENT_USER and must be able to read $f (group $(stat -c %G "$R$f")): e.g. usermod -aG $(stat -c %G "$R$f") $AGENT_USER"
    else
      say "  note: $f does not exist yet: the agent waits for it; user $AGENT_USER must be able to read it"
    fi
  done
fi

# ---- systemd ------------------------------------------------------------------

RESTART=0
[ $UPGRADE = 0 ] || [ $ARTIFACT_CHANGED$UNIT_CHANGED$KEY_CHANGED = 000 ] || RESTART=1
why=
[ $ARTIFACT_CHANGED = 0 ] || why="$why, the artifact"
[ $UNIT_CHANGED = 0 ] || why="$why, the unit"
[ $KEY_CHANGED = 0 ] || why="$why, the key"
why=${why#, }

print_plan() {
  would "systemctl daemon-reload"
  would "systemctl enable --now $SERVICE"
  [ $RESTART = 0 ] || would "systemctl try-restart $SERVICE   (changed: $why)"
}
if [ -n "$ROOT" ]; then
  say "--root: systemd not touched; on the host:"
  print_plan
elif [ $NO_START = 1 ]; then
  say "--no-start: systemd not touched; to start:"
  print_plan
elif ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: the agent was not started. Run it in the foreground with:"
  say "  sudo -u $AGENT_USER sh -c 'set -a; . $ETC_DIR/agent.env; exec env $MALLOC_ENV $NODE $NODE_FLAGS $LIB_DIR/inferscope.mjs agent --config $ETC_DIR/agent.yaml'"
else
  systemctl daemon-reload
  if systemctl is-active --quiet $SERVICE; then
    systemctl enable --quiet $SERVICE
    if [ $RESTART = 1 ]; then
      systemctl restart $SERVICE
      say "  $SERVICE: restarted (changed: $why)"
    else
      say "  $SERVICE: running, nothing changed, not restarted"
    fi
  else
    systemctl enable --now --quiet $SERVICE
    say "  $SERVICE: enabled and started"
  fi
  sleep 2
  if systemctl is-active --quiet $SERVICE; then
    say "  $SERVICE: active. Its health: curl -s http://$SELF_LISTEN/healthz; its log: journalctl -u $SERVICE"
  else
    die "$SERVICE did not stay up: journalctl -u $SERVICE -n 50 says why"
  fi
fi
