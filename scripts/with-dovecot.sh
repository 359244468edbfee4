#!/usr/bin/env bash
# Runs a command with a throwaway Dovecot IMAP server on loopback (implicit
# TLS with a certificate made on the fly) and stops it after, whatever the
# command's outcome. It is our own instance on a free port: a system Dovecot
# that installing dovecot-imapd may have started is left alone. The command
# sees, for the mailbox tests:
#   LICDESK_TEST_DOVECOT           127.0.0.1:PORT (imaps)
#   LICDESK_TEST_DOVECOT_STARTTLS  127.0.0.1:PORT (imap, STARTTLS)
#   LICDESK_TEST_DOVECOT_CA        the server's certificate (PEM)
#   LICDESK_TEST_DOVECOT_CONF      its configuration, for doveadm -c
#   LICDESK_TEST_DOVECOT_USERS     the users, space separated, each with an
#   LICDESK_TEST_DOVECOT_PASSWORD  ... this password
#   LICDESK_TEST_DOVECOT_MAIL      the folder of their Maildirs (USER/Maildir)
set -euo pipefail

if ! command -v dovecot >/dev/null 2>&1; then
  echo "with-dovecot: Dovecot is not installed (make test installs dovecot-imapd)" >&2
  exit 1
fi

D=$(mktemp -d /tmp/licdesk-dovecot.XXXXXX)
chmod 755 "$D"
PORT=${LICDESK_DOVECOT_PORT:-$(( 20000 + RANDOM % 20000 ))}
PORT2=$((PORT + 1))
# Dovecot refuses to deliver mail as root: as root it runs as nobody.
if [ "$(id -u)" -eq 0 ]; then
  U=nobody; G=$(id -gn nobody)
else
  U=$(id -un); G=$(id -gn)
fi
UID_=$(id -u "$U"); GID_=$(getent group "$G" | cut -d: -f3)
PASSWORD=licdesk-test-$RANDOM$RANDOM

stop() {
  if [ -f "$D/dovecot.conf" ]; then
    doveadm -c "$D/dovecot.conf" stop >/dev/null 2>&1 || true
    [ -n "${PID:-}" ] && wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$D"
}
trap stop EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1
chmod 644 "$D/cert.pem"; chmod 600 "$D/key.pem"

USERS=()
: >"$D/users"
for i in $(seq 1 40); do
  u=user$i@example.com
  USERS+=("$u")
  echo "$u:{PLAIN}$PASSWORD::::" >>"$D/users"
  mkdir -p "$D/mail/$u/Maildir/"{tmp,new,cur}
done
chmod 644 "$D/users"
mkdir -p "$D/run" "$D/state"
chown -R "$U:$G" "$D/mail" "$D/state"
chmod -R 777 "$D/mail"

cat >"$D/dovecot.conf" <<CONF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = required
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = $U
default_internal_group = $G
default_login_user = $U
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/users
}
userdb {
  driver = static
  args = uid=$UID_ gid=$GID_ home=$D/mail/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT2
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $PORT
  }
}
service anvil {
  chroot =
}
CONF

dovecot -F -c "$D/dovecot.conf" >"$D/stdout.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$D/stdout.log" "$D/dovecot.log" >&2 2>/dev/null; exit 1; fi
  sleep 0.1
done

export LICDESK_TEST_DOVECOT=127.0.0.1:$PORT
export LICDESK_TEST_DOVECOT_STARTTLS=127.0.0.1:$PORT2
export LICDESK_TEST_DOVECOT_CA=$D/cert.pem
export LICDESK_TEST_DOVECOT_CONF=$D/dovecot.conf
export LICDESK_TEST_DOVECOT_USERS="${USERS[*]}"
export LICDESK_TEST_DOVECOT_PASSWORD=$PASSWORD
export LICDESK_TEST_DOVECOT_MAIL=$D/mail
set +e
"$@"
rc=$?
set -e
if [ $rc -ne 0 ] && [ -f "$D/dovecot.log" ]; then
  echo "with-dovecot: the server's log:" >&2
  tail -n 20 "$D/dovecot.log" >&2
fi
exit $rc
