/* Fuzz target for the CNI parsers kovn-cni and kovn-daemon run on what a
 * peer sends: network config, requests, responses, results and CNI_ARGS.
 * Any input gives a clean result or a clear error, never a crash or a
 * leak, and whatever parses formats back into something that parses to
 * the same. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cni/protocol.h"
#include "openvswitch/json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_config(const struct json *json)
{
    struct cni_config config;

    if (!cni_config_from_json(json, &config, NULL)) {
        if (!cni_version_supported(config.cni_version) ||
            strcmp(config.type, CNI_PLUGIN_TYPE) ||
            config.daemon_socket[0] != '/' ||
            (config.has_valid_attachments != !!config.valid_attachments)) {
            abort();
        }
    }
    cni_config_destroy(&config);
}

static void
check_request(const char *line, size_t len)
{
    struct cni_request request, again;
    struct json *first, *second;
    struct kovn_error err;
    char *text;

    if (cni_request_from_line(line, len, &request, &err)) {
        if (!err.msg[0]) {
            abort();
        }
        cni_request_destroy(&request);
        return;
    }
    /* A parsed request is valid and survives the wire unchanged. */
    if (cni_request_validate(&request, NULL)) {
        abort();
    }
    if (!cni_request_to_line(&request, &text, NULL)) {
        if (cni_request_from_line(text, strlen(text), &again, NULL)) {
            abort();
        }
        first = cni_request_to_json(&request);
        second = cni_request_to_json(&again);
        if (!json_equal(first, second)) {
            abort();
        }
        json_destroy(first);
        json_destroy(second);
        cni_request_destroy(&again);
        free(text);
    }
    cni_request_destroy(&request);
}

static void
check_response(const char *line, size_t len)
{
    struct cni_response response, again;
    char *text;

    if (!cni_response_from_line(line, len, &response, NULL)) {
        if (response.error.code &&
            (response.has_result || !response.error.msg)) {
            abort();
        }
        text = cni_response_to_line(&response, "1.0.0");
        if (cni_response_from_line(text, strlen(text), &again, NULL) ||
            again.error.code != response.error.code ||
            again.has_result != response.has_result ||
            again.result.n_ips != response.result.n_ips) {
            abort();
        }
        cni_response_destroy(&again);
        free(text);
    }
    cni_response_destroy(&response);
}

static void
check_result(const struct json *json)
{
    struct cni_result result, again;

    if (!cni_result_from_json(json, &result, NULL)) {
        for (size_t i = 0; i < cni_n_supported_versions; i++) {
            struct json *out =
                cni_result_to_json(&result, cni_supported_versions[i]);
            struct json *out2;

            if (cni_result_from_json(out, &again, NULL)) {
                abort();
            }
            out2 = cni_result_to_json(&again, cni_supported_versions[i]);
            if (!json_equal(out, out2)) {
                abort();
            }
            json_destroy(out2);
            json_destroy(out);
            cni_result_destroy(&again);
        }
    }
    cni_result_destroy(&result);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *json = json_from_string(text);
    struct cni_args args;

    if (json->type != JSON_STRING) {
        check_config(json);
        check_result(json);
    }
    check_request((const char *)data, size);
    check_response((const char *)data, size);
    cni_args_parse(text, &args, NULL);
    cni_args_destroy(&args);
    json_destroy(json);
    free(text);
    return 0;
}
