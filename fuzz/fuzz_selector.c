/* Fuzz target for kube_selector_parse and kube_selector_from_json.
 *
 * The input is a selector, in the string form or as a LabelSelector JSON
 * object, optionally followed by a NUL and a label set "k=v;k2=v2".  Neither
 * parser may crash; a rejection carries a message and leaves a selector that
 * matches nothing; an accepted selector is canonical (sorted, values sorted
 * and unique, the right number of values for its operator), formats to a
 * string that parses back to an equal selector formatting identically, and
 * both match exactly the label sets that a naive matcher written here
 * independently says they match. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kube/selector.h"
#include "openvswitch/json.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_canonical(const struct kube_selector *s)
{
    if (s->n_reqs > KUBE_SELECTOR_MAX_REQUIREMENTS ||
        (s->nothing && s->n_reqs)) {
        abort();
    }
    for (size_t i = 0; i < s->n_reqs; i++) {
        const struct kube_selector_requirement *r = &s->reqs[i];
        size_t n = r->n_values;

        switch (r->op) {
        case KUBE_SELECTOR_EXISTS:
        case KUBE_SELECTOR_DOES_NOT_EXIST:
            if (n) {
                abort();
            }
            break;
        case KUBE_SELECTOR_IN:
        case KUBE_SELECTOR_NOT_IN:
            if (!n || n > KUBE_SELECTOR_MAX_VALUES) {
                abort();
            }
            break;
        case KUBE_SELECTOR_GT:
        case KUBE_SELECTOR_LT:
            if (n != 1 || !r->values[0][0] ||
                strspn(r->values[0], "0123456789") != strlen(r->values[0]) ||
                strtoll(r->values[0], NULL, 10) != r->number) {
                abort();
            }
            break;
        case KUBE_SELECTOR_EQUALS:
        case KUBE_SELECTOR_DOUBLE_EQUALS:
        case KUBE_SELECTOR_NOT_EQUALS:
            if (n != 1) {
                abort();
            }
            break;
        default:
            abort();
        }
        if (!r->key[0] || strlen(r->key) > 253 + 1 + 63) {
            abort();
        }
        for (size_t j = 0; j < n; j++) {
            if (strlen(r->values[j]) > 63 || strpbrk(r->values[j], ",()! ") ||
                (j && strcmp(r->values[j - 1], r->values[j]) >= 0)) {
                abort();
            }
        }
        if (i && strcmp(s->reqs[i - 1].key, r->key) > 0) {
            abort();
        }
        if (i && !strcmp(s->reqs[i - 1].key, r->key) &&
            s->reqs[i - 1].op > r->op) {
            abort();
        }
    }
}

/* strconv.ParseInt(value, 10, 64), written differently from selector.c. */
static bool
reference_int(const char *value, long long int *n)
{
    const char *digits = value + (value[0] == '+' || value[0] == '-');
    char *end;

    if (*digits < '0' || *digits > '9') {
        return false;
    }
    errno = 0;
    *n = strtoll(value, &end, 10);
    return !errno && !*end;
}

static bool
reference_matches(const struct kube_selector *s, const struct smap *labels)
{
    if (s->nothing) {
        return false;
    }
    for (size_t i = 0; i < s->n_reqs; i++) {
        const struct kube_selector_requirement *r = &s->reqs[i];
        const struct smap_node *node;
        const char *value = NULL;
        bool listed = false;
        long long int n;

        SMAP_FOR_EACH(node, labels)
        {
            if (!strcmp(node->key, r->key)) {
                value = node->value;
            }
        }
        for (size_t j = 0; value && j < r->n_values; j++) {
            listed |= !strcmp(value, r->values[j]);
        }
        switch (r->op) {
        case KUBE_SELECTOR_EXISTS:
            if (!value) {
                return false;
            }
            break;
        case KUBE_SELECTOR_DOES_NOT_EXIST:
            if (value) {
                return false;
            }
            break;
        case KUBE_SELECTOR_EQUALS:
        case KUBE_SELECTOR_DOUBLE_EQUALS:
        case KUBE_SELECTOR_IN:
            if (!listed) {
                return false;
            }
            break;
        case KUBE_SELECTOR_NOT_EQUALS:
        case KUBE_SELECTOR_NOT_IN:
            if (listed) {
                return false;
            }
            break;
        case KUBE_SELECTOR_GT:
        case KUBE_SELECTOR_LT:
            if (!value || !reference_int(value, &n) ||
                (r->op == KUBE_SELECTOR_GT ? n <= r->number
                                           : n >= r->number)) {
                return false;
            }
            break;
        }
    }
    return true;
}

/* Label sets to match against: none, the fuzzed one, and ones built from the
 * selector's own values so that matches are actually reached. */
#define N_LABEL_SETS 5

static void
build_label_sets(const struct kube_selector *s, char *spec, size_t spec_len,
                 struct smap sets[N_LABEL_SETS])
{
    for (size_t i = 0; i < N_LABEL_SETS; i++) {
        smap_init(&sets[i]);
    }
    /* "k=v;k2=v2" after the NUL; a NUL inside also separates. */
    for (size_t i = 0; i < spec_len; i++) {
        spec[i] = spec[i] ? spec[i] : ';';
    }
    for (char *pair; (pair = strsep(&spec, ";"));) {
        char *eq = strchr(pair, '=');

        if (eq) {
            *eq = '\0';
            smap_replace(&sets[1], pair, eq + 1);
        }
    }
    for (size_t i = 0; i < s->n_reqs; i++) {
        const struct kube_selector_requirement *r = &s->reqs[i];
        const char *first = r->n_values ? r->values[0] : "";
        const char *last = r->n_values ? r->values[r->n_values - 1] : "x";

        if (r->op == KUBE_SELECTOR_GT || r->op == KUBE_SELECTOR_LT) {
            smap_replace(&sets[2], r->key, first);
            smap_replace_nocopy(&sets[3], r->key,
                                xasprintf("%lld", r->number / 2 + 1));
            smap_replace_nocopy(&sets[4], r->key,
                                xasprintf("-%lld", r->number));
        } else if (r->op != KUBE_SELECTOR_DOES_NOT_EXIST) {
            smap_replace(&sets[2], r->key, first);
            smap_replace(&sets[3], r->key, last);
            smap_replace(&sets[4], r->key, "y");
        }
    }
}

/* The canonical form has no optional whitespace: a space only ever comes
 * around "in" and "notin". */
static void
check_spacing(const char *text)
{
    for (const char *p = strchr(text, ' '); p; p = strchr(p + 1, ' ')) {
        if (strncmp(p, " in (", 5) && strncmp(p, " notin (", 8) &&
            (p - text < 3 || strncmp(p - 3, " in (", 5)) &&
            (p - text < 6 || strncmp(p - 6, " notin (", 8))) {
            abort();
        }
    }
}

/* Formats 's', parses the result back, and checks that the two agree. */
static void
check_round_trip(const struct kube_selector *s, const char *labels,
                 size_t labels_len)
{
    struct smap sets[N_LABEL_SETS];
    struct kovn_error err = {0};
    struct kube_selector again;
    char *text = kube_selector_format(s);
    char *text2;

    check_canonical(s);
    if (s->nothing) {
        if (strcmp(text, "<nothing>") ||
            !kube_selector_parse(text, &again, NULL) ||
            !kube_selector_is_nothing(&again)) {
            abort();
        }
        kube_selector_destroy(&again);
    } else if (strlen(text) <= KUBE_SELECTOR_MAX_TEXT) {
        check_spacing(text);
        if (kube_selector_parse(text, &again, &err) ||
            !kube_selector_equals(s, &again)) {
            abort();
        }
        text2 = kube_selector_format(&again);
        if (strcmp(text, text2)) {
            abort();
        }
        free(text2);
        char *spec = xmemdup0(labels, labels_len);

        build_label_sets(s, spec, labels_len, sets);
        free(spec);
        for (size_t i = 0; i < N_LABEL_SETS; i++) {
            bool expected = reference_matches(s, &sets[i]);

            if (kube_selector_matches(s, &sets[i]) != expected ||
                kube_selector_matches(&again, &sets[i]) != expected) {
                abort();
            }
            smap_destroy(&sets[i]);
        }
        if (kube_selector_is_everything(s) != !s->n_reqs ||
            (kube_selector_is_everything(s) &&
             !kube_selector_matches(s, NULL))) {
            abort();
        }
        kube_selector_destroy(&again);
    }
    free(text);
}

static void
check_rejected(int error, const struct kube_selector *s,
               const struct kovn_error *err)
{
    if (error != -EINVAL || err->code != error || !err->msg[0] ||
        !kube_selector_is_nothing(s) || s->n_reqs || s->reqs) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *)data, size);
    size_t text_len = strlen(text);
    const char *labels = text + text_len + (text_len < size);
    size_t labels_len = size - (size_t)(labels - text);
    struct kovn_error err = {0};
    struct kube_selector s;
    struct json *json;
    int error;

    error = kube_selector_parse(text, &s, &err);
    if (error) {
        check_rejected(error, &s, &err);
    } else {
        if (s.nothing) {
            abort();
        }
        check_round_trip(&s, labels, labels_len);
    }
    kube_selector_destroy(&s);

    /* json_from_string() reports a syntax error as a string. */
    json = json_from_string(text);
    if (json->type != JSON_STRING) {
        memset(&err, 0, sizeof err);
        error = kube_selector_from_json(json, &s, &err);
        if (error) {
            check_rejected(error, &s, &err);
        } else {
            if (s.nothing != (json->type == JSON_NULL)) {
                abort();
            }
            check_round_trip(&s, labels, labels_len);
        }
        kube_selector_destroy(&s);
    }
    json_destroy(json);
    free(text);
    return 0;
}
