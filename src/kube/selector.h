/* Kubernetes label selectors: the string form ("app=web,env in (prod)", as
 * apimachinery's labels.Parse reads it) and the metav1.LabelSelector JSON
 * object (as metav1.LabelSelectorAsSelector converts it), both parsed into
 * one typed form that is matched against a label set.
 *
 * Parsing is strict and follows Kubernetes: keys must be qualified names,
 * values label values, "in"/"notin" take a parenthesised list, ">"/"<" take
 * one integer.  Two Kubernetes corner cases are kept on purpose: "x=" means
 * the value "", and "x in ()" means "x in ("")".  Comparison operators are
 * written ">" and "<" as in Kubernetes; "gt"/"lt" are rejected with a hint.
 *
 * A selector either matches nothing (a null LabelSelector) or matches the
 * label sets that satisfy all of its requirements, so an empty selector ("",
 * {}) matches everything.  Parsing fails closed: on error the selector
 * matches nothing. */
#ifndef KOVN_KUBE_SELECTOR_H
#define KOVN_KUBE_SELECTOR_H 1

#include <stdbool.h>
#include <stddef.h>

struct json;
struct kovn_error;
struct smap;

/* Limits against hostile input; exceeding one is an -EINVAL error. */
#define KUBE_SELECTOR_MAX_TEXT         (64 * 1024) /* Bytes of string form. */
#define KUBE_SELECTOR_MAX_REQUIREMENTS 256
#define KUBE_SELECTOR_MAX_VALUES       256 /* Per requirement. */

/* The order of the operators is the order in which requirements on the same
 * key are formatted. */
enum kube_selector_op {
    KUBE_SELECTOR_EXISTS,         /* key */
    KUBE_SELECTOR_DOES_NOT_EXIST, /* !key */
    KUBE_SELECTOR_EQUALS,         /* key=value */
    KUBE_SELECTOR_DOUBLE_EQUALS,  /* key==value (same meaning as "="). */
    KUBE_SELECTOR_NOT_EQUALS,     /* key!=value */
    KUBE_SELECTOR_IN,             /* key in (v1,v2) */
    KUBE_SELECTOR_NOT_IN,         /* key notin (v1,v2) */
    KUBE_SELECTOR_GT,             /* key>integer */
    KUBE_SELECTOR_LT,             /* key<integer */
};

struct kube_selector_requirement {
    char *key;
    enum kube_selector_op op;
    /* Sorted by strcmp(), no duplicates.  Exactly one for "=", "==", "!=",
     * ">" and "<"; at least one for "in" and "notin"; none for the rest. */
    char **values;
    size_t n_values;
    long long int number; /* ">" and "<": values[0] as an integer. */
};

struct kube_selector {
    bool nothing; /* Matches no label set at all; then 'n_reqs' is 0. */
    /* Sorted by key, then operator, then values. */
    struct kube_selector_requirement *reqs;
    size_t n_reqs;
};

/* Initializes 'selector' to match everything. */
void kube_selector_init(struct kube_selector *selector);
/* Initializes 'selector' to match nothing. */
void kube_selector_init_nothing(struct kube_selector *selector);
void kube_selector_destroy(struct kube_selector *selector);

/* Parses the string form into 'selector', which is overwritten without being
 * freed.  On error returns -EINVAL with a message naming the offending token
 * and its column, and leaves 'selector' matching nothing; either way the
 * caller must eventually kube_selector_destroy() it. */
int kube_selector_parse(const char *text, struct kube_selector *selector,
                        struct kovn_error *err);

/* Converts a metav1.LabelSelector: an object with "matchLabels" (object of
 * strings) and "matchExpressions" (array of {key, operator, values}), or
 * JSON null (or a null pointer, for an absent field) which matches nothing.
 * Unknown members are ignored, as Kubernetes does.  Errors name the field
 * path, e.g. "matchExpressions[1].operator: ...".  Ownership as for
 * kube_selector_parse(). */
int kube_selector_from_json(const struct json *label_selector,
                            struct kube_selector *selector,
                            struct kovn_error *err);

/* Whether 'labels' (null for no labels) satisfies 'selector', with the
 * Kubernetes semantics: "!=" and "notin" match when the key is absent, ">"
 * and "<" only when the label value is a decimal integer. */
bool kube_selector_matches(const struct kube_selector *selector,
                           const struct smap *labels);

bool kube_selector_is_everything(const struct kube_selector *selector);
bool kube_selector_is_nothing(const struct kube_selector *selector);
/* Whether 'a' and 'b' have the same requirements (both being canonical,
 * this is also whether they format to the same string). */
bool kube_selector_equals(const struct kube_selector *a,
                          const struct kube_selector *b);

/* Returns the canonical string form, xmalloc()'d: requirements in the sorted
 * order, values sorted, no optional whitespace, "" for a selector that
 * matches everything.  kube_selector_parse() of the result gives an equal
 * selector (provided it fits KUBE_SELECTOR_MAX_TEXT, which a selector from
 * JSON need not).  A selector that matches nothing has no string form and
 * formats as "<nothing>", which does not parse, so that it cannot widen to
 * "everything" by a round trip. */
char *kube_selector_format(const struct kube_selector *selector);

#endif /* KOVN_KUBE_SELECTOR_H */
