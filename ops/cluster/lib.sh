# Sourced by ops/cluster/up and down: shared helpers. Loopback only; every wait is bounded.

# A free TCP port on 127.0.0.1 in FREE_PORT, never one handed out before in this run (USED_PORTS). Ports are chosen
# below the kernel's ephemeral range where there is room: a port is picked before the process that binds it starts,
# and in that range an outgoing connection of a node started meanwhile could take it (a second node once found its
# Hazelcast port taken that way).
USED_PORTS=" "
PORT_FROM=20000
PORT_SPAN=40000
if read -r EPHEMERAL_LOW _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && [ "$EPHEMERAL_LOW" -gt 12000 ]; then
  PORT_FROM=10000
  PORT_SPAN=$(( EPHEMERAL_LOW - 10000 ))
fi
free_port() {
  local p i
  for i in $(seq 1 500); do
    p=$(( PORT_FROM + RANDOM % PORT_SPAN ))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS="$USED_PORTS$p "
      FREE_PORT=$p
      return 0
    fi
  done
  echo "ops/cluster: no free port found on 127.0.0.1" >&2
  return 1
}

# Something accepts connections on 127.0.0.1:$1.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The HTTP status of GET $2 on 127.0.0.1:$1 (bash's /dev/tcp: no curl needed), "000" when nothing answers.
http_status() {
  local status=000
  {
    exec 3<>"/dev/tcp/127.0.0.1/$1" &&
      printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 &&
      read -r -t 5 _ status _ <&3
  } 2>/dev/null || status=000
  exec 3<&- 3>&- 2>/dev/null || true
  echo "${status:-000}"
}

# The process $2 is alive and is ours: its command line names the cluster folder $1 (a pid reused since is left alone).
ours() {
  local dir="$1" pid="$2"
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir"
}
