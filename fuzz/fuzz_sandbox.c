/* Fuzz target for what kovn-sandboxd parses: a CNI network config list,
 * a plugin's output (result or error object, by exit code and command),
 * the addresses it takes from a result, and its own sandbox records.  Any
 * input gives a clean result or a clear error, never a crash or a leak;
 * what parses keeps its invariants and round-trips. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/json.h"
#include "sandbox/cniexec.h"
#include "sandbox/conflist.h"
#include "sandbox/podstatus.h"
#include "sandbox/record.h"
#include "svec.h"
#include "util.h"
#include "json/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_conflist(const struct json *json)
{
    struct conflist list;

    if (!conflist_from_json(json, &list, NULL)) {
        if (!list.n_plugins || list.n_plugins > CONFLIST_PLUGINS_MAX) {
            abort();
        }
        for (size_t i = 0; i < list.n_plugins; i++) {
            struct json *conf = conflist_plugin_config(&list, i, json);
            const char *name = NULL, *type = NULL;

            json_member_string(conf, "name", "", &name, NULL);
            json_member_string(conf, "type", "", &type, NULL);
            if (!name || strcmp(name, list.name) || !type ||
                strcmp(type, list.plugins[i].type) || strchr(type, '/') ||
                !json_member(conf, "prevResult")) {
                abort();
            }
            json_destroy(conf);
            conf = conflist_plugin_config(&list, i, NULL);
            if (json_member(conf, "prevResult")) {
                abort();
            }
            json_destroy(conf);
        }
    }
    conflist_destroy(&list);
}

static void
check_record(const struct json *json)
{
    struct record rec, again;

    if (!record_from_json(json, &rec, NULL)) {
        struct json *out = record_to_json(&rec);

        if (record_from_json(out, &again, NULL)) {
            abort();
        }
        struct json *out2 = record_to_json(&again);
        if (!json_equal(out, out2)) {
            abort();
        }
        json_destroy(out);
        json_destroy(out2);
        record_destroy(&again);
    }
    record_destroy(&rec);
}

static void
check_output(const uint8_t *data, size_t size)
{
    static const enum cni_command commands[] = {CNI_ADD, CNI_DEL, CNI_CHECK};

    for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
        for (int code = 0; code < 2; code++) {
            struct cniexec_outcome o;
            int error =
                cniexec_parse_output(commands[c], code, (const char *)data,
                                     size, "stderr text", &o);

            /* Failures say why; only a successful ADD has a result. */
            if (error != o.error || (error && !o.cni_error.msg) ||
                (error && o.cni_error.code < 1) || (!error && code) ||
                (!!o.result != (!error && commands[c] == CNI_ADD))) {
                abort();
            }
            if (o.result) {
                struct svec ips = SVEC_EMPTY_INITIALIZER;

                if (!podstatus_ips_from_result(o.result, "eth0", &ips, NULL) &&
                    !ips.n) {
                    abort();
                }
                svec_destroy(&ips);
            }
            cniexec_outcome_destroy(&o);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    struct json *json = json_from_string(text);

    if (json->type != JSON_STRING) {
        check_conflist(json);
        check_record(json);
    }
    check_output(data, size);
    json_destroy(json);
    free(text);
    return 0;
}
