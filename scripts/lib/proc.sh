# Process helpers shared by scripts/ovn.sh and scripts/k8s.sh (sourced).
# Servers are plain processes with pid files; they are stopped by pid,
# never by name.

# Prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Prints the last lines of a log to stderr, if it exists.
log_tail() {
    [[ -f "$1" ]] && { echo "--- last lines of $1" >&2; tail -n 25 "$1" >&2; }
    return 0
}

# alive FILE: the process of a pid file runs.
alive() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# stop_pidfile FILE: TERM, then KILL after 10 s; removes the pid file.
stop_pidfile() {
    local file=$1 pid i
    [[ -f "$file" ]] || return 0
    pid=$(cat "$file" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$file"
}
