#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft, combined broker+controller) without Docker.
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
dir="${BATON_KAFKA_DIR:-/dev/shm/baton-kafka-$port}"
cache="${BATON_CACHE_DIR:-$HOME/.cache/baton}/kafka-$KAFKA_VERSION"
libs="$cache/libs"
heap="${BATON_KAFKA_HEAP:-512m}"
pid_file="$dir/kafka.pid"
log_file="$dir/logs/server.log"
out_file="$dir/logs/stdout.log"
lock_file="${dir%/}.lock" # beside the data dir, so `stop` removing the dir keeps it

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

write_config() {
  mkdir -p "$dir/data" "$dir/logs"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
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
  command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  cmd_fetch
  write_config
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    # a KRaft cluster id is 16 random bytes, base64url without padding
    local cluster_id
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    # shellcheck disable=SC2046
    java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      >"$dir/logs/format.log" 2>&1 || { cat "$dir/logs/format.log" >&2; die "storage format failed"; }
  fi
  # setsid: the broker outlives the shell (and test run) that started it; stop it with `stop`
  # shellcheck disable=SC2046
  setsid java $(java_opts) -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
    >"$out_file" 2>&1 </dev/null 8>&- 9>&- & # closing the lock fds: the broker must not hold the locks
  echo $! >"$pid_file"
  say "started (pid $!, port $port, dir $dir)"
}

cmd_wait() {
  local deadline=$((SECONDS + ${BATON_KAFKA_WAIT_S:-60})) pid
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
    if port_open "$port" && grep -q "Kafka Server started" "$log_file" 2>/dev/null; then
      say "ready (port $port)"
      return 0
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
    port_open "$port" && state=running
    echo "$state pid=$pid port=$port controller_port=$controller_port dir=$dir version=$KAFKA_VERSION"
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
