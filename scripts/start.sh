#!/usr/bin/env bash
# The one command: set up and run the TravelGuide demo on this machine.
#
#   1. the Python environment (.venv, scripts/setup.sh);
#   2. the web app (web/): npm ci and npm run build when the build is missing or older
#      than its sources; skipped, with a message, when web/ or npm is not there;
#   3. the data directory, and examples/travelguide/poolgate.toml applied to it
#      (idempotent: the first run creates the pools, the staff SSO identity provider,
#      the clients, domain, groups and users; later runs leave them, and every user's
#      password, as they are). When other pools have taken the demo pool's name since,
#      apply keeps to the oldest, the demo's own, and the summary says so;
#   4. the web app's config.json with the pool's real id and client id, kept in the
#      data directory ($POOLGATE_DATA_DIR/web-config.json), not in web/dist, which
#      every build empties;
#   5. the identity provider, the API gateway and the web app, until Ctrl-C, which
#      stops them all; the identity provider's admin console (/admin/) with a first
#      administrator, "admin", whose temporary password is changed at the first
#      sign-in (POOLGATE_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD choose another).
#
# Settings (environment): POOLGATE_PORT (9229), POOLGATE_GATEWAY_PORT (9230), WEB_PORT
# (5173), POOLGATE_HOST (127.0.0.1), POOLGATE_DATA_DIR (data), TRAVELGUIDE_WEB (yes; no
# leaves the web app out: no build, no server). Arguments are passed on to `poolgate
# serve`. The server's log goes to $POOLGATE_DATA_DIR/poolgate.log.
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything created from here on (the data directory, the server's log) is the
# owner's alone: the log and the database hold users' data.
umask 077

HOST="${POOLGATE_HOST:-127.0.0.1}"
PORT="${POOLGATE_PORT:-9229}"
GATEWAY_PORT="${POOLGATE_GATEWAY_PORT:-9230}"
WEB_PORT="${WEB_PORT:-5173}"
DATA_DIR="${POOLGATE_DATA_DIR:-data}"
EXAMPLE=examples/travelguide/poolgate.toml
PYTHON=.venv/bin/python
LOG="$DATA_DIR/poolgate.log"
WEB_CONFIG="$DATA_DIR/web-config.json"

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# ------------------------------------------------------------------ 1. Python
step "Python environment (.venv)"
bash scripts/setup.sh
note "ready"

# ------------------------------------------------------------------ 2. web app
# WEB is "yes" when web/dist holds a build to serve.
WEB=no
web_sources_newer_than_build() {
  local sources=()
  local path
  for path in web/src web/public web/index.html web/package.json web/package-lock.json \
    web/vite.config.* web/tsconfig*.json; do
    [ -e "$path" ] && sources+=("$path")
  done
  [ "${#sources[@]}" -gt 0 ] || return 1
  # config.json is written for the running Poolgate (here, or by hand for npm run dev).
  [ -n "$(find "${sources[@]}" -newer web/dist/index.html ! -name config.json -print 2>/dev/null | head -n 1)" ]
}
build_web() {
  if [ "${TRAVELGUIDE_WEB:-yes}" = no ]; then
    note "TRAVELGUIDE_WEB=no: no web app this time."
    return
  fi
  if [ ! -f web/package.json ]; then
    note "web/ is not there yet: no web app this time; the identity provider and the API"
    note "start without it."
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    note "npm was not found: install Node.js 20.19 or later (with npm) to build the web app."
    if [ -f web/dist/index.html ]; then
      note "Serving the build already in web/dist."
      WEB=yes
    else
      note "Starting without the web app."
    fi
    return
  fi
  if [ ! -d web/node_modules ] || [ ! -f web/node_modules/.package-lock.json ] \
    || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    note "installing its packages (npm ci)"
    if ! (cd web && npm ci --no-audit --no-fund); then
      note "npm ci failed (see above)."
    fi
  fi
  if [ ! -f web/dist/index.html ] || web_sources_newer_than_build; then
    note "building it (npm run build)"
    if ! (cd web && npm run build); then
      note "The build failed (see above)."
    fi
  else
    note "web/dist is up to date"
  fi
  if [ -f web/dist/index.html ]; then
    WEB=yes
  else
    note "There is no build in web/dist: starting without the web app."
  fi
}
step "Web app (web/)"
build_web

# ------------------------------------------------------------------ ports
port_taken() {
  "$PYTHON" - "$HOST" "$1" <<'PY'
import socket, sys
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    sock.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(0)
sys.exit(1)
PY
}
ports=("$PORT" "$GATEWAY_PORT")
[ "$WEB" = yes ] && ports+=("$WEB_PORT")
for port in "${ports[@]}"; do
  if port_taken "$port"; then
    echo "start.sh: port $port on $HOST is in use (is the demo already running?). Stop what" >&2
    echo "uses it, or choose other ports: POOLGATE_PORT, POOLGATE_GATEWAY_PORT, WEB_PORT." >&2
    exit 1
  fi
done

# ------------------------------------------------------------------ 3. data, apply
step "TravelGuide's setup ($EXAMPLE, data in $DATA_DIR/)"
mkdir -p "$DATA_DIR"
"$PYTHON" -m poolgate.cli apply "$EXAMPLE" --data-dir "$DATA_DIR" --output json \
  >"$DATA_DIR/travelguide-apply.json.tmp"
mv "$DATA_DIR/travelguide-apply.json.tmp" "$DATA_DIR/travelguide-apply.json"

URL="${POOLGATE_PUBLIC_URL:-http://$HOST:$PORT}"
URL="${URL%/}"
APP_URL="http://localhost:$WEB_PORT"

# The summary, the ids and the demo user's sign-in, as shell assignments.
assignments="$("$PYTHON" - "$DATA_DIR/travelguide-apply.json" "$EXAMPLE" <<'PY'
import json, shlex, sys, tomllib

report = json.load(open(sys.argv[1]))
document = tomllib.load(open(sys.argv[2], "rb"))
counts = {}


def show(kind, item, depth):
    ident = "" if item["id"] == item["name"] else f" {item['id']}"
    print(f"    {'  ' * depth}{kind} {item['name']}{ident}: {item['action']}", file=sys.stderr)
    counts[item["action"]] = counts.get(item["action"], 0) + 1


# The first pool is TravelGuide's; the others (the staff directory behind the
# federated button) follow it.
for index, each in enumerate(report["pools"]):
    show("pool", each, 0)
    for text in each.get("notes", []):
        print(f"      note: {text}", file=sys.stderr)
    for provider in each.get("identity_providers", []):
        show("identity provider", provider, 1)
    for client in each["clients"]:
        show("client", client, 1)
    if each.get("domain"):
        show("domain", each["domain"], 1)
    for kind in ("groups", "users"):
        for item in each.get(kind, []):
            show(kind[:-1], item, 1)
pool = report["pools"][0]
for kind in ("functions", "apis"):
    for item in report.get(kind, []):
        show(kind[:-1], item, 0)
print("    " + ", ".join(f"{n} {action}" for action, n in counts.items()), file=sys.stderr)

section = document["pools"][0]
demo = next((u for u in section.get("users", []) if "TemporaryPassword" in u), {})
staff = next(
    (u for other in document["pools"][1:] for u in other.get("users", []) if "Password" in u),
    {},
)
# The providers the web client offers (its SupportedIdentityProviders besides COGNITO).
providers = [
    name
    for name in section["clients"][0].get("SupportedIdentityProviders", [])
    if name != "COGNITO"
]
api = document["apis"][0]
values = {
    "POOL_NAME": pool["name"],
    "POOL_ID": pool["id"],
    "CLIENT_ID": pool["clients"][0]["id"],
    "CALLBACK_URLS": " ".join(section["clients"][0].get("CallbackURLs", [])),
    "STAGE": api.get("stage", ""),
    "DEMO_USER": demo.get("Username", ""),
    "DEMO_PASSWORD": demo.get("TemporaryPassword", ""),
    "POOL_NOTE": " ".join(pool.get("notes", [])),
    "STAFF_USER": staff.get("Username", ""),
    "STAFF_PASSWORD": staff.get("Password", ""),
    "PROVIDERS": " ".join(providers),
}
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
PY
)"
eval "$assignments"
API_URL="http://$HOST:$GATEWAY_PORT/$STAGE"

# ------------------------------------------------------------------ 4. config.json
if [ "$WEB" = yes ]; then
  "$PYTHON" - "$WEB_CONFIG" "$URL" "$POOL_ID" "$CLIENT_ID" "$API_URL" "$APP_URL" \
    "$PROVIDERS" <<'PY'
import json, os, sys

path, url, pool_id, client_id, api_url, app_url, providers = sys.argv[1:]
config = {
    "poolgateUrl": url,
    "userPoolId": pool_id,
    "clientId": client_id,
    "apiUrl": api_url,
    "redirectUri": f"{app_url}/callback",
    "logoutUri": f"{app_url}/",
    "mailboxUrl": f"{url}/_mailbox",
    # aws.cognito.signin.user.admin lets a hosted-UI sign-in call GlobalSignOut too.
    "scope": "openid email profile aws.cognito.signin.user.admin",
    # The identity providers of [[pools.identity_providers]]: a button each.
    "identityProviders": providers.split(),
}
with open(path + ".tmp", "w") as out:
    json.dump(config, out, indent=2)
    out.write("\n")
os.replace(path + ".tmp", path)
PY
  note "wrote $WEB_CONFIG (pool $POOL_ID, client $CLIENT_ID), served as /config.json"
  case " $CALLBACK_URLS " in
    *" $APP_URL/callback "*) ;;
    *)
      note "warning: $APP_URL/callback is not among the client's CallbackURLs in $EXAMPLE;"
      note "add it there (and to the API's cors allow_origins) to sign in on port $WEB_PORT."
      ;;
  esac
fi

# ------------------------------------------------------------------ 5. run
pids=()
stop_children() {
  trap - INT TERM HUP EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    printf '\n==> Stopping\n'
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    note "stopped"
  fi
}
trap 'stop_children; exit 130' INT
trap 'stop_children; exit 143' TERM
trap 'stop_children; exit 129' HUP
trap stop_children EXIT

# Each child gets a process group of its own: Ctrl-C reaches this script alone, which
# then asks each child once to stop (a second signal would cut Poolgate's graceful
# shutdown of its function workers short).
spawn() {
  "$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@" &
  pids+=("$!")
}
alive() {
  local pid
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || return 1
  done
}
listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The admin console's first administrator, created at the first start only (while the
# administrators' pool is empty); the first sign-in asks for a new password.
DEFAULT_ADMIN_PASSWORD='TravelGuide-Admin-2026!'
export POOLGATE_BOOTSTRAP_ADMIN_USERNAME="${POOLGATE_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export POOLGATE_BOOTSTRAP_ADMIN_PASSWORD="${POOLGATE_BOOTSTRAP_ADMIN_PASSWORD:-$DEFAULT_ADMIN_PASSWORD}"

step "Starting (log: $LOG)"
printf '\n---- %s start.sh\n' "$(date '+%Y-%m-%d %H:%M:%S')" >>"$LOG"
spawn .venv/bin/poolgate serve --config "$EXAMPLE" --data-dir "$DATA_DIR" --host "$HOST" \
  --port "$PORT" --gateway-port "$GATEWAY_PORT" "$@" >>"$LOG" 2>&1
waiting=("$PORT" "$GATEWAY_PORT")
if [ "$WEB" = yes ]; then
  spawn "$PYTHON" scripts/serve_web.py --dir web/dist --config "$WEB_CONFIG" --host "$HOST" \
    --port "$WEB_PORT" --quiet >>"$LOG" 2>&1
  waiting+=("$WEB_PORT")
fi
for port in "${waiting[@]}"; do
  tries=0
  until listening "$port"; do
    tries=$((tries + 1))
    if ! alive || [ "$tries" -gt 600 ]; then
      echo "start.sh: something did not start; the end of $LOG:" >&2
      tail -n 30 "$LOG" >&2
      exit 1
    fi
    sleep 0.1
  done
done

# The demo user's state decides what to tell about their password.
DEMO_STATUS="$("$PYTHON" - "$URL" "$DATA_DIR" "$POOL_ID" "$DEMO_USER" 2>/dev/null <<'PY' || true
import sys
from pathlib import Path

import boto3

from poolgate.admin_keys import load_admin_key
from poolgate.config import load_settings

url, data_dir, pool_id, username = sys.argv[1:]
key, _ = load_admin_key(load_settings(None, data_dir=Path(data_dir)))
cognito = boto3.client(
    "cognito-idp",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id=key.access_key_id,
    aws_secret_access_key=key.secret_access_key,
)
print(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])
PY
)"

# Whether the console's administrator still has the temporary password.
ADMIN_STATUS="$("$PYTHON" - "$URL" "$DATA_DIR" "$POOLGATE_BOOTSTRAP_ADMIN_USERNAME" 2>/dev/null <<'PY' || true
import sys
from pathlib import Path

import boto3

from poolgate.admin_keys import load_admin_key
from poolgate.config import load_settings

url, data_dir, username = sys.argv[1:]
key, _ = load_admin_key(load_settings(None, data_dir=Path(data_dir)))
cognito = boto3.client(
    "cognito-idp",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id=key.access_key_id,
    aws_secret_access_key=key.secret_access_key,
)
for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
    if pool["Name"] != "poolgate-administrators":
        continue
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    if described.get("UserPoolTags", {}).get("poolgate:console") == "administrators":
        print(cognito.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"])
        break
PY
)"

cat <<EOF

TravelGuide is running.

  Web app              $( [ "$WEB" = yes ] && echo "$APP_URL" || echo "(not started: see above)")
  Identity provider    $URL   (Cognito API at POST /, hosted UI, JWKS)
  User pool            $POOL_NAME   $POOL_ID
  App client           travelguide-web   $CLIENT_ID
  API                  $API_URL   (/hello, /destinations, /favourites)
  Mailbox              $URL/_mailbox   (sign-up codes and password resets land here)
  Admin console        $URL/admin/   (the workshop's AWS console steps)

EOF
if [ "$ADMIN_STATUS" = FORCE_CHANGE_PASSWORD ] \
  && [ "$POOLGATE_BOOTSTRAP_ADMIN_PASSWORD" = "$DEFAULT_ADMIN_PASSWORD" ]; then
  cat <<EOF
Sign in to the admin console as:
  username             $POOLGATE_BOOTSTRAP_ADMIN_USERNAME
  temporary password   $DEFAULT_ADMIN_PASSWORD
You will be asked to choose a new password.

EOF
elif [ -n "$ADMIN_STATUS" ]; then
  printf 'Sign in to the admin console as %s with the password chosen for it.\n\n' \
    "$POOLGATE_BOOTSTRAP_ADMIN_USERNAME"
fi
if [ -n "$POOL_NOTE" ]; then
  printf 'Note on the user pool: %s The demo, its web app and its API use that pool (docs/decisions.md says why).\n\n' \
    "$POOL_NOTE" | fold -s -w 86
fi
if [ -n "$DEMO_USER" ]; then
  if [ "$DEMO_STATUS" = CONFIRMED ]; then
    cat <<EOF
Sign in as the demo user $DEMO_USER with the password you chose for it (its
temporary password worked only once). Forgot it? "Forgot password" in the app sends a
code to the mailbox.

EOF
  else
    cat <<EOF
Sign in as the demo user:
  username             $DEMO_USER
  temporary password   $DEMO_PASSWORD
You will be asked to choose a new password (8 or more characters, with upper and lower
case letters, a number and a symbol).

EOF
  fi
fi
if [ -n "$PROVIDERS" ] && [ -n "$STAFF_USER" ]; then
  cat <<EOF
Or choose "Continue with ${PROVIDERS%% *}" on the sign-in page (federation through the
staff pool, offline) and sign in there as:
  username             $STAFF_USER
  password             $STAFF_PASSWORD
The app's Tokens page then shows the \`identities\` claim. Real Google, Facebook and
Apple sign-in: see examples/travelguide/README.md.

EOF
fi
cat <<EOF
Or sign up with any email address and read the code in the mailbox.
Admin key for the AWS CLI and SDKs (in $DATA_DIR/admin-key.json):
  eval "\$(.venv/bin/poolgate admin-key --export --data-dir $DATA_DIR)"
Server log: $LOG.
Ctrl-C stops everything.
EOF

while alive; do
  sleep 1
done
echo "start.sh: a process stopped on its own; the end of $LOG:" >&2
tail -n 30 "$LOG" >&2
exit 1
