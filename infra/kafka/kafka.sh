#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft, combined broker+controller) without Docker, with two
# client listeners on 127.0.0.1: PLAINTEXT on BATON_KAFKA_PORT and SASL_PLAINTEXT (SCRAM-SHA-256,
# SCRAM-SHA-512 and PLAIN, one user) on BATON_KAFKA_SASL_PORT. Inter-broker and controller
# traffic stays PLAINTEXT.
#
#   kafka.sh fetch    download the pinned broker jars from Maven Central (skipped if present)
#   kafka.sh start    fetch, format the storage if needed, start in the background (idempotent)
#   kafka.sh wait     block until the broker serves requests (deadline BATON_KAFKA_WAIT_S, 60 s)
#   kafka.sh stop     stop the broker started here (by its recorded PID), remove its data dir
#   kafka.sh status   print state; exit 0 when running, 3 when not
#   kafka.sh logs     print the tail of the broker log
#
# Environment (all optional):
#   BATON_KAFKA_PORT             client listener port, default 19092 (127.0.0.1 only)
#   BATON_KAFKA_CONTROLLER_PORT  KRaft controller port, default port+1 (19093)
#   BATON_KAFKA_SASL_PORT        SASL_PLAINTEXT listener port, default port+2 (19094)
#   BATON_KAFKA_SASL_USER        the SASL user (SCRAM and PLAIN), default baton
#   BATON_KAFKA_SASL_PASSWORD    its password, default baton-secret (a test credential); user
#                                [A-Za-z0-9._-], password [A-Za-z0-9._~!@%^*+:/?-]. The SCRAM
#                                users are written at storage format; a data dir formatted for
#                                another user/password (or before SASL existed) is reformatted
#   BATON_KAFKA_DIR              data/pid/log dir, default /dev/shm/baton-kafka-$PORT
#   BATON_CACHE_DIR              jar cache root, default $HOME/.cache/baton
#   BATON_KAFKA_HEAP             JVM heap, default 512m
#   BATON_KAFKA_WAIT_S           deadline of `wait`, default 60
#   BATON_KAFKA_KEEP_DATA=1      `stop` keeps the data dir (for looking at logs afterwards)
set -euo pipefail

KAFKA_VERSION=4.4.0 # keep in step with kafka.version in pom.xml
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${BATON_KAFKA_PORT:-19092}"
controller_port="${BATON_KAFKA_CONTROLLER_PORT:-$((port + 1))}"
sasl_port="${BATON_KAFKA_SASL_PORT:-$((port + 2))}"
sasl_user="${BATON_KAFKA_SASL_USER:-baton}"
sasl_password="${BATON_KAFKA_SASL_PASSWORD:-baton-secret}"
dir="${BATON_KAFKA_DIR:-/dev/shm/baton-kafka-$port}"
cache="${BATON_CACHE_DIR:-$HOME/.cache/baton}/kafka-$KAFKA_VERSION"
libs="$cache/libs"
heap="${BATON_KAFKA_HEAP:-512m}"
pid_file="$dir/kafka.pid"
log_file="$dir/logs/server.log"
out_file="$dir/logs/stdout.log"
lock_file="${dir%/}.lock" # beside the data dir, so `stop` removing the dir keeps it
scram_marker="$dir/scram-users" # which SCRAM user the data dir was formatted with

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

recorded_pid() { [[ -s "$pid_file" ]] && cat "$pid_file" || true; }

pid_alive() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against PID reuse: the process must be our broker
  grep -q "kafka.Kafka" "/proc/$pid/cmdline" 2>/dev/null
}

cmd_fetch() {
  if [[ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" && -f "$cache/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the broker jars)"
  mkdir -p "$cache"
  exec 8>"$cache/.fetch.lock"
  flock -w 600 8 || die "could not take $cache/.fetch.lock"
  [[ -f "$cache/.complete" ]] && return 0 # fetched by another process meanwhile
  say "fetching Kafka $KAFKA_VERSION jars into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs"
  [[ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "fetch finished without kafka_2.13-$KAFKA_VERSION.jar"
  touch "$cache/.complete"
}

check_credentials() {
  [[ "$sasl_user" =~ ^[A-Za-z0-9._-]+$ ]] || die "BATON_KAFKA_SASL_USER may only hold [A-Za-z0-9._-]"
  [[ "$sasl_password" =~ ^[A-Za-z0-9._~!@%^*+:/?-]+$ ]] || die "BATON_KAFKA_SASL_PASSWORD may only hold [A-Za-z0-9._~!@%^*+:/?-]"
}

# what the marker holds: the user and a hash of the password (not the password itself)
scram_fingerprint() { printf '%s %s\n' "$sasl_user" "$(printf '%s' "$sasl_password" | sha256sum | cut -d' ' -f1)"; }

write_config() {
  mkdir -p "$dir/data" "$dir/logs"
  (umask 077 && : >"$dir/server.properties") && chmod 600 "$dir/server.properties" # it holds the PLAIN password
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$sasl_user="$sasl_password";
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.retention.check.interval.ms=60000
EOF
  cat >"$dir/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $log_file
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

java_opts() {
  echo "-Xms128m -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError" \
    "-XX:TieredStopAtLevel=1 -Djava.awt.headless=true" \
    "-Dlog4j2.configurationFile=$dir/log4j2.properties -Dkafka.logs.dir=$dir/logs"
}

cmd_start() {
  # parallel test processes may all call `start`: one at a time, the others see the first's PID
  exec 9>"$lock_file"
  flock -w 300 9 || die "could not take $lock_file"
  local pid
  pid="$(recorded_pid)"
  if pid_alive "$pid"; then
    if port_open "$port"; then say "already running (pid $pid, port $port)"; else say "already starting (pid $pid)"; fi
    return 0
  fi
  port_open "$port" && die "port $port is in use by a process not started from $dir"
  port_open "$sasl_port" && die "SASL port $sasl_port is in use by a process not started from $dir"
  command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  check_credentials
  cmd_fetch
  write_config
  if [[ -f "$dir/data/meta.properties" && "$(cat "$scram_marker" 2>/dev/null)" != "$(scram_fingerprint)" ]]; then
    # SCRAM users only come with the format: a dir without ours (older script, other credentials) starts afresh
    say "data dir has no SCRAM user $sasl_user with this password: reformatting $dir/data (its topics are lost)"
    rm -rf "$dir/data" "$scram_marker" && mkdir -p "$dir/data"
  fi
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    # a KRaft cluster id is 16 random bytes, base64url without padding; given as --cluster-id=…,
    # because one that starts with "-" (1 in 64) would otherwise be taken for an option
    local cluster_id
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    # shellcheck disable=SC2046
    java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -cp "$libs/*" kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$dir/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$sasl_password]" \
      --add-scram "SCRAM-SHA-512=[name=$sasl_user,password=$sasl_password]" \
      >"$dir/logs/format.log" 2>&1 || { cat "$dir/logs/format.log" >&2; die "storage format failed"; }
    chmod 600 "$dir/logs/format.log" # it lists the SCRAM salts and keys
    scram_fingerprint >"$scram_marker"
  fi
  # setsid: the broker outlives the shell (and test run) that started it; stop it with `stop`
  # shellcheck disable=SC2046
  setsid java $(java_opts) -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
    >"$out_file" 2>&1 </dev/null 8>&- 9>&- & # closing the lock fds: the broker must not hold the locks
  echo $! >"$pid_file"
  say "started (pid $!, port $port, sasl port $sasl_port, dir $dir)"
}

cmd_wait() {
  local deadline=$((SECONDS + ${BATON_KAFKA_WAIT_S:-60})) pid no_sasl=0
  while ((SECONDS < deadline)); do
    pid="$(recorded_pid)"
    if [[ -z "$pid" ]]; then
      # not started from here: a broker someone else runs on the port is fine, nothing is not
      if port_open "$port"; then say "ready (port $port, not started from $dir)"; return 0; fi
      die "no broker started from $dir and nothing answers on port $port (run start first)"
    fi
    if ! pid_alive "$pid"; then
      tail -n 40 "$out_file" "$log_file" >&2 2>/dev/null || true
      die "broker exited during startup (pid $pid)"
    fi
    # the KRaft broker opens its client listener only after it caught up with the metadata log
    # and was unfenced; "Kafka Server started" is the last line of a successful startup
    if port_open "$port" && port_open "$sasl_port" && grep -q "Kafka Server started" "$log_file" 2>/dev/null; then
      say "ready (port $port, sasl port $sasl_port)"
      return 0
    fi
    # every listener opens before that line: a started broker without the SASL port is an old one
    if port_open "$port" && grep -q "Kafka Server started" "$log_file" 2>/dev/null && ((++no_sasl > 10)); then
      die "broker (pid $pid) serves port $port but not SASL port $sasl_port (started by an older kafka.sh?): restart it with stop, then start"
    fi
    sleep 0.2
  done
  tail -n 40 "$log_file" >&2 2>/dev/null || true
  die "not ready within ${BATON_KAFKA_WAIT_S:-60} s"
}

cmd_stop() {
  local pid
  pid="$(recorded_pid)"
  if pid_alive "$pid"; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "broker did not stop within 30 s, killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    say "stopped (pid $pid)"
  else
    say "not running"
  fi
  if [[ "${BATON_KAFKA_KEEP_DATA:-0}" != 1 ]]; then rm -rf "$dir"; fi
}

cmd_status() {
  local pid
  pid="$(recorded_pid)"
  if pid_alive "$pid"; then
    local state=starting
    port_open "$port" && port_open "$sasl_port" && state=running
    echo "$state pid=$pid port=$port sasl_port=$sasl_port controller_port=$controller_port dir=$dir version=$KAFKA_VERSION"
    return 0
  fi
  if port_open "$port"; then
    echo "foreign: port $port answers but no broker was started from $dir"
    return 0
  fi
  echo "stopped port=$port dir=$dir version=$KAFKA_VERSION"
  return 3
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  wait) cmd_wait ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) tail -n "${2:-100}" "$log_file" ;;
  *) echo "usage: $0 {fetch|start|wait|stop|status|logs [n]}" >&2; exit 2 ;;
esac
