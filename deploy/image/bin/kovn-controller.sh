#!/bin/sh
# The kovn-controller pod: its admission webhook's certificate, OVN NB's
# address, then kovn-controller itself (leader-elected; every replica runs
# this).
#
# The certificate is made here rather than by a Job: a Job's template
# cannot change, so `kubectl apply` of a new version would fail on it.  The
# first replica to start makes a CA and a serving certificate for
# kovn-webhook.<namespace>.svc and stores them in Secret kovn-webhook-cert
# (a replica that loses the race to create it reads the winner's), and
# puts the CA into ValidatingWebhookConfiguration kovn-validate.
set -eu
. "${KOVN_LIB:-/usr/local/bin/kovn-lib.sh}"

cert_dir=${KOVN_CERT_DIR:-/run/kovn-controller/certs}
secret=kovn-webhook-cert
webhook=kovn-validate
service=kovn-webhook

make_cert() {
    local work=$1 svc=$service.$kovn_ns.svc
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$work/ca.key" -out "$work/ca.crt" -days 3650 \
        -subj "/CN=kovn-webhook-ca" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$work/tls.key" -out "$work/tls.csr" -subj "/CN=$svc" 2>/dev/null
    printf 'subjectAltName=DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' \
        "$svc" "$svc" >"$work/ext"
    openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
        -CAcreateserial -out "$work/tls.crt" -days 3650 -extfile "$work/ext" 2>/dev/null
}

# The Secret's three files into $cert_dir, creating the Secret first when
# there is none.
fetch_cert() {
    local work body
    code=$(api GET "/api/v1/namespaces/$kovn_ns/secrets/$secret")
    if [ "$code" = 404 ]; then
        work=$(mktemp -d)
        make_cert "$work"
        body=$(jq -n --arg ns "$kovn_ns" --arg name "$secret" \
            --arg crt "$(base64 -w0 <"$work/tls.crt")" \
            --arg key "$(base64 -w0 <"$work/tls.key")" \
            --arg ca "$(base64 -w0 <"$work/ca.crt")" \
            '{apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
              metadata: {name: $name, namespace: $ns,
                         labels: {"app.kubernetes.io/part-of": "kovn"}},
              data: {"tls.crt": $crt, "tls.key": $key, "ca.crt": $ca}}')
        rm -rf "$work"
        code=$(api POST "/api/v1/namespaces/$kovn_ns/secrets" "$body")
        case $code in
        201) log "created Secret $secret" ;;
        409) log "Secret $secret was created by another replica" ;;
        *) return 1 ;;
        esac
        code=$(api GET "/api/v1/namespaces/$kovn_ns/secrets/$secret")
    fi
    [ "$code" = 200 ] || return 1
    mkdir -p "$cert_dir"
    for f in tls.crt tls.key ca.crt; do
        jq -r --arg f "$f" '.data[$f] // empty' "$api_out" | base64 -d >"$cert_dir/$f.new"
        [ -s "$cert_dir/$f.new" ] || { log "Secret $secret has no $f"; return 1; }
        mv "$cert_dir/$f.new" "$cert_dir/$f"
    done
}

# caBundle of every webhook of kovn-validate; a replace with the
# resourceVersion read, so a concurrent writer makes it retry.
publish_ca() {
    local ca body
    ca=$(base64 -w0 <"$cert_dir/ca.crt")
    code=$(api GET "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/$webhook")
    [ "$code" = 200 ] || return 1
    [ "$(jq -r --arg ca "$ca" '[.webhooks[] | .clientConfig.caBundle == $ca] | all' "$api_out")" = true ] &&
        return 0
    body=$(jq -c --arg ca "$ca" '.webhooks |= map(.clientConfig.caBundle = $ca)' "$api_out")
    code=$(api PUT "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/$webhook" "$body")
    [ "$code" = 200 ] && log "caBundle of $webhook set"
}

until fetch_cert; do
    log "webhook certificate: HTTP $code $(head -c 300 "$api_out" 2>/dev/null); retrying"
    sleep 2
done
until publish_ca; do
    log "caBundle of $webhook: HTTP $code $(head -c 300 "$api_out" 2>/dev/null); retrying"
    sleep 2
done

nb=$(ovn_central_remotes 6641)
log "OVN NB: $nb"
exec kovn-controller --ovn-nb="$nb" \
    --metrics-address="${POD_IP:?POD_IP is not set}" --metrics-port=10660 \
    --webhook-address="$POD_IP" --webhook-port=8443 \
    --webhook-cert="$cert_dir/tls.crt" --webhook-key="$cert_dir/tls.key" \
    --lease-namespace="$kovn_ns" "$@"
