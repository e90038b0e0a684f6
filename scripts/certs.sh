#!/usr/bin/env bash
# Makes a private CA and a server certificate for kovn's admission webhook
# (and any other TLS listener):
#
#   scripts/certs.sh DIR [SAN...]
#
# writes DIR/ca.crt, DIR/ca.key, DIR/tls.crt, DIR/tls.key.  The server
# certificate carries subjectAltName IP:127.0.0.1, DNS:localhost and each
# extra SAN given (an IPv4/IPv6 address becomes IP:, anything else DNS:, e.g.
# kovn-webhook.kube-system.svc), because Go 1.15+ clients such as
# kube-apiserver ignore the CN.  Keys are EC P-256, certificates last one
# year.  Idempotent: nothing happens while tls.crt is valid for 30 more days
# and already names every requested SAN; a still-valid CA is kept so that a
# caBundle handed out earlier keeps working.
set -euo pipefail

usage() {
    echo "usage: $0 DIR [SAN...]" >&2
    exit 2
}
(($# >= 1)) || usage
dir=$1
shift

days=365
renew_before=$((30 * 24 * 3600))

# "IP:1.2.3.4" or "DNS:name" for one SAN argument.
san_entry() {
    if [[ "$1" =~ ^[0-9.]+$ || "$1" == *:* ]]; then
        echo "IP:$1"
    else
        echo "DNS:$1"
    fi
}

sans=("IP:127.0.0.1" "DNS:localhost")
for arg in "$@"; do
    sans+=("$(san_entry "$arg")")
done

# True if 'cert' exists and stays valid for 30 more days.
fresh() {
    [[ -s "$1" ]] && openssl x509 -in "$1" -noout -checkend "$renew_before" \
        >/dev/null 2>&1
}

# A SAN entry in one spelling, so that "IP:fd00::1" given here matches the
# "IP Address:FD00:0:0:0:0:0:0:1" openssl prints.
canon_san() {
    if [[ "$1" == IP:*:* ]]; then
        echo "IP:$(python3 -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]))' "${1#IP:}")"
    else
        echo "$1"
    fi
}

# True if the files in DIR are a usable set: tls.crt and ca.crt are fresh,
# tls.crt is signed by ca.crt, matches tls.key and names every requested SAN.
usable() {
    local have want
    fresh "$dir/tls.crt" && fresh "$dir/ca.crt" && [[ -s "$dir/tls.key" ]] ||
        return 1
    openssl verify -CAfile "$dir/ca.crt" "$dir/tls.crt" >/dev/null 2>&1 ||
        return 1
    [[ "$(openssl x509 -in "$dir/tls.crt" -noout -pubkey)" == \
        "$(openssl pkey -in "$dir/tls.key" -pubout 2>/dev/null)" ]] || return 1
    have=$(openssl x509 -in "$dir/tls.crt" -noout -ext subjectAltName |
        tail -n +2 | tr ',' '\n' | sed -E 's/^ *//; s/^IP Address:/IP:/' |
        while read -r entry; do canon_san "$entry"; done)
    for want in "${sans[@]}"; do
        grep -qxF "$(canon_san "$want")" <<<"$have" || return 1
    done
}

if usable; then
    exit 0
fi

# Runs a command, showing its chatter on stderr only if it fails.
quiet() {
    local out
    if ! out=$("$@" 2>&1); then
        echo "$out" >&2
        return 1
    fi
}

mkdir -p "$dir"
work=$(mktemp -d "$dir/.certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077

if fresh "$dir/ca.crt" && [[ -s "$dir/ca.key" ]]; then
    cp "$dir/ca.crt" "$dir/ca.key" "$work/"
else
    cat >"$work/ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca
[dn]
CN = kovn-ca
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
    quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$work/ca.key"
    quiet openssl req -x509 -new -config "$work/ca.cnf" -key "$work/ca.key" \
        -days "$days" -sha256 -out "$work/ca.crt"
fi

{
    echo "[server]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "keyUsage = critical,digitalSignature"
    echo "extendedKeyUsage = serverAuth"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid,issuer"
    echo "subjectAltName = $(
        IFS=,
        echo "${sans[*]}"
    )"
} >"$work/server.cnf"
quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$work/tls.key"
quiet openssl req -new -key "$work/tls.key" -subj "/CN=kovn-webhook" \
    -out "$work/tls.csr"
quiet openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" \
    -CAkey "$work/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -sha256 -extfile "$work/server.cnf" -extensions server \
    -out "$work/tls.crt"
quiet openssl verify -CAfile "$work/ca.crt" "$work/tls.crt"

# Certificates are public; keep the keys private.  The four renames are not
# one atomic step; usable() catches a set left half-replaced by a crash.
chmod 644 "$work/ca.crt" "$work/tls.crt"
for f in ca.key ca.crt tls.key tls.crt; do
    mv -f "$work/$f" "$dir/$f"
done
