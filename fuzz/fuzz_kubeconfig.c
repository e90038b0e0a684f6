/* Fuzz target for kubeconfig loading (YAML reader, typed JSON access,
 * base64 *-data fields): never crashes or leaks; success means a usable
 * config (an http(s) server with a host, a token fit for a header if any,
 * a namespace, a context) and failure a message. */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kube/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A header value: not empty, no blanks or control characters. */
static bool
usable_token(const char *token)
{
    if (!*token) {
        return false;
    }
    for (const char *p = token; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

/* An http(s) URL with a host of printable characters and no spaces. */
static bool
usable_server(const char *server)
{
    size_t scheme = !strncmp(server, "https://", 8)  ? 8
                    : !strncmp(server, "http://", 7) ? 7
                                                     : 0;

    if (!scheme || !server[scheme] || server[scheme] == '/') {
        return false;
    }
    for (const char *p = server; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kovn_error err = {0};
    struct kube_config config;

    if (!kube_config_parse("fuzz.yaml", "/nonexistent", (const char *)data,
                           size, NULL, &config, &err)) {
        if (!config.server || !usable_server(config.server) ||
            (config.token && !usable_token(config.token)) ||
            !config.namespace || !config.context ||
            (!config.cert_file && !config.cert_pem) !=
                (!config.key_file && !config.key_pem)) {
            abort();
        }
        kube_config_destroy(&config);
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
