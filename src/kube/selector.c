/* Kubernetes label selectors; see selector.h.
 *
 * The string grammar is apimachinery's (pkg/labels/selector.go):
 *
 *   selector    := [requirement ("," requirement)*]
 *   requirement := ["!"] key
 *                | key ("=" | "==" | "!=" | ">" | "<") [value]
 *                | key ("in" | "notin") "(" [value] ("," [value])* ")"
 *
 * with whitespace (space, tab, CR, LF) allowed between tokens.  A token is
 * one of "=", "==", "!=", "!", "(", ")", ",", ">", "<", or a run of other
 * non-whitespace bytes (an identifier); "in" and "notin" are keywords only
 * where an operator is expected, so they are valid keys and values.  A
 * missing value is the empty value, as in Kubernetes. */
#include <config.h>

#include "kube/selector.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "util.h"

/* k8s.io/apimachinery/pkg/util/validation limits. */
#define NAME_MAX_LEN   63  /* Name part of a key; a label value. */
#define PREFIX_MAX_LEN 253 /* DNS subdomain prefix of a key. */

/* At most this many bytes of user text are quoted in a message, so that the
 * message keeps room for the problem itself.  Each byte takes at most 4
 * characters once escaped, plus "..." and the terminator. */
#define QUOTE_MAX   48
#define QUOTE_BUF   (QUOTE_MAX * 4 + 4)
#define WHERE_BUF   (QUOTE_BUF + 48)
#define PROBLEM_BUF 128

/* Writes the first QUOTE_MAX bytes of 's' into 'buf' for quoting in a
 * message, followed by "..." if there were more.  Bytes outside printable
 * ASCII are escaped as \xNN, so that hostile input cannot forge log lines,
 * and '"' and '\' are backslash-escaped. */
static const char *
quote(char buf[QUOTE_BUF], const char *s, size_t len)
{
    char *p = buf;

    for (size_t i = 0; i < len && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            *p++ = (char)c;
        } else {
            p += sprintf(p, "\\x%02x", c);
        }
    }
    if (len > QUOTE_MAX) {
        memcpy(p, "...", 3);
        p += 3;
    }
    *p = '\0';
    return buf;
}

static bool
is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static bool
is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_name_char(char c)
{
    return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

/* Describes byte 'c' for a message: "*" or byte 0xc3. */
static const char *
describe_char(char c, char buf[16])
{
    unsigned char u = (unsigned char)c;

    if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\') {
        snprintf(buf, 16, "\"%c\"", c);
    } else {
        snprintf(buf, 16, "byte 0x%02x", u);
    }
    return buf;
}

/* Checks the rules that the name part of a key and a non-empty label value
 * share: at most 63 of [-A-Za-z0-9_.], beginning and ending with a letter or
 * digit.  Returns null or the problem, possibly written into 'buf'. */
static const char *
check_name(const char *s, size_t len, char buf[PROBLEM_BUF])
{
    char c[16];

    if (len > NAME_MAX_LEN) {
        snprintf(buf, PROBLEM_BUF, "is %zu characters, the limit is %d", len,
                 NAME_MAX_LEN);
        return buf;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_name_char(s[i])) {
            snprintf(buf, PROBLEM_BUF,
                     "contains %s; only letters, digits, \"-\", \"_\" and "
                     "\".\" are allowed",
                     describe_char(s[i], c));
            return buf;
        }
    }
    if (len && (!is_alnum(s[0]) || !is_alnum(s[len - 1]))) {
        return "must start and end with a letter or digit";
    }
    return NULL;
}

/* Checks that the prefix of a key is a DNS-1123 subdomain: at most 253 of
 * [-a-z0-9.], in non-empty dot-separated parts that begin and end with a
 * lowercase letter or digit.  Returns null or the problem. */
static const char *
check_prefix(const char *s, size_t len, char buf[PROBLEM_BUF])
{
    char c[16];

    if (!len) {
        return "prefix before \"/\" is empty";
    }
    if (len > PREFIX_MAX_LEN) {
        snprintf(buf, PROBLEM_BUF, "prefix is %zu characters, the limit is %d",
                 len, PREFIX_MAX_LEN);
        return buf;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') {
            return "prefix must be lowercase (it is a DNS subdomain)";
        }
        if (!is_lower_alnum(s[i]) && s[i] != '-' && s[i] != '.') {
            snprintf(buf, PROBLEM_BUF,
                     "prefix contains %s; a DNS subdomain has only lowercase "
                     "letters, digits, \"-\" and \".\"",
                     describe_char(s[i], c));
            return buf;
        }
    }
    for (size_t start = 0; start <= len;) {
        const char *dot = memchr(s + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - s) : len;

        if (end == start || !is_lower_alnum(s[start]) ||
            !is_lower_alnum(s[end - 1])) {
            return "prefix is not a DNS subdomain: each dot-separated part "
                   "must start and end with a lowercase letter or digit";
        }
        start = end + 1;
    }
    return NULL;
}

/* Validates 'key' (of 'len' bytes) as a Kubernetes qualified name: an
 * optional DNS subdomain prefix and "/", then a name part. */
static int
validate_key(const char *key, size_t len, struct kovn_error *err)
{
    const char *slash = memchr(key, '/', len);
    const char *name = slash ? slash + 1 : key;
    size_t name_len = len - (size_t)(name - key);
    const char *part = "", *problem;
    char q[QUOTE_BUF], buf[PROBLEM_BUF];

    if (!len) {
        problem = "is empty";
    } else if (slash && memchr(name, '/', name_len)) {
        problem = "has more than one \"/\"";
    } else if (slash && !name_len) {
        problem = "name part after \"/\" is empty";
    } else if (!slash ||
               !(problem = check_prefix(key, (size_t)(slash - key), buf))) {
        problem = check_name(name, name_len, buf);
        part = slash ? "name part " : "";
    }
    return (problem ? kovn_error_set(err, -EINVAL, "key \"%s\": %s%s",
                                     quote(q, key, len), part, problem)
                    : 0);
}

/* Validates 'value' (of 'len' bytes) as a label value. */
static int
validate_value(const char *value, size_t len, struct kovn_error *err)
{
    char q[QUOTE_BUF], buf[PROBLEM_BUF];
    const char *problem = check_name(value, len, buf);

    return (problem ? kovn_error_set(err, -EINVAL, "value \"%s\": %s",
                                     quote(q, value, len), problem)
                    : 0);
}

/* Parses 's' as Go's strconv.ParseInt(s, 10, 64) does: an optional sign,
 * then one or more decimal digits, within the range of a 64-bit integer. */
static bool
parse_int64(const char *s, size_t len, long long int *out)
{
    unsigned long long int value = 0, limit = LLONG_MAX;
    bool negative = false;
    size_t i = 0;

    if (len && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        limit += negative; /* -2**63 fits, 2**63 does not. */
        i++;
    }
    if (i == len) {
        return false;
    }
    for (; i < len; i++) {
        unsigned int digit = (unsigned int)(s[i] - '0');

        if (s[i] < '0' || s[i] > '9' || value > (limit - digit) / 10) {
            return false;
        }
        value = value * 10 + digit;
    }
    *out = (negative && value ? -(long long int)(value - 1) - 1
                              : (long long int)value);
    return true;
}

static const char *
op_to_string(enum kube_selector_op op)
{
    switch (op) {
    case KUBE_SELECTOR_EXISTS:
        return "exists";
    case KUBE_SELECTOR_DOES_NOT_EXIST:
        return "!";
    case KUBE_SELECTOR_EQUALS:
        return "=";
    case KUBE_SELECTOR_DOUBLE_EQUALS:
        return "==";
    case KUBE_SELECTOR_NOT_EQUALS:
        return "!=";
    case KUBE_SELECTOR_IN:
        return "in";
    case KUBE_SELECTOR_NOT_IN:
        return "notin";
    case KUBE_SELECTOR_GT:
        return ">";
    case KUBE_SELECTOR_LT:
        return "<";
    }
    return "?";
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return strcmp(*a, *b);
}

static int
compare_requirements(const void *a_, const void *b_)
{
    const struct kube_selector_requirement *a = a_, *b = b_;
    int cmp = strcmp(a->key, b->key);

    if (cmp) {
        return cmp;
    }
    if (a->op != b->op) {
        return a->op < b->op ? -1 : 1;
    }
    for (size_t i = 0; i < a->n_values && i < b->n_values; i++) {
        cmp = strcmp(a->values[i], b->values[i]);
        if (cmp) {
            return cmp;
        }
    }
    return a->n_values < b->n_values ? -1 : a->n_values > b->n_values;
}

/* Sorts the values of 'req' and frees duplicates. */
static void
normalize_values(struct kube_selector_requirement *req)
{
    size_t n = 0;

    if (req->n_values < 2) {
        return;
    }
    qsort(req->values, req->n_values, sizeof *req->values, compare_strings);
    for (size_t i = 0; i < req->n_values; i++) {
        if (n && !strcmp(req->values[n - 1], req->values[i])) {
            free(req->values[i]);
        } else {
            req->values[n++] = req->values[i];
        }
    }
    req->n_values = n;
}

static void
sort_requirements(struct kube_selector *selector)
{
    if (selector->n_reqs > 1) {
        qsort(selector->reqs, selector->n_reqs, sizeof *selector->reqs,
              compare_requirements);
    }
}

static void
requirement_destroy(struct kube_selector_requirement *req)
{
    for (size_t i = 0; i < req->n_values; i++) {
        free(req->values[i]);
    }
    free(req->values);
    free(req->key);
}

void
kube_selector_init(struct kube_selector *selector)
{
    selector->nothing = false;
    selector->reqs = NULL;
    selector->n_reqs = 0;
}

void
kube_selector_init_nothing(struct kube_selector *selector)
{
    kube_selector_init(selector);
    selector->nothing = true;
}

void
kube_selector_destroy(struct kube_selector *selector)
{
    if (selector) {
        for (size_t i = 0; i < selector->n_reqs; i++) {
            requirement_destroy(&selector->reqs[i]);
        }
        free(selector->reqs);
        selector->reqs = NULL;
        selector->n_reqs = 0;
    }
}

/* Replaces a half-built 'selector' by one that matches nothing. */
static void
fail_closed(struct kube_selector *selector)
{
    kube_selector_destroy(selector);
    kube_selector_init_nothing(selector);
}

/* The string form. */

enum token_type {
    TOKEN_END,
    TOKEN_IDENT, /* Also the keywords "in" and "notin". */
    TOKEN_COMMA,
    TOKEN_OPEN,
    TOKEN_CLOSE,
    TOKEN_BANG,
    TOKEN_EQ,
    TOKEN_EQ_EQ,
    TOKEN_NE,
    TOKEN_GT,
    TOKEN_LT,
};

struct token {
    enum token_type type;
    const char *s; /* In the selector text. */
    size_t len;
};

struct parser {
    const char *text; /* The whole selector, for messages. */
    size_t text_len;
    const char *next;   /* Where the token after 'tok' begins. */
    struct token tok;   /* The current token. */
    size_t n_allocated; /* Of the selector's 'reqs'. */
    struct kovn_error *err;
};

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_special(char c)
{
    return c && strchr("=!(),<>", c);
}

static void
next_token(struct parser *p)
{
    const char *s = p->next;
    struct token *tok = &p->tok;

    while (is_space(*s)) {
        s++;
    }
    tok->s = s;
    tok->len = 1;
    switch (*s) {
    case '\0':
        tok->type = TOKEN_END;
        tok->len = 0;
        break;
    case ',':
        tok->type = TOKEN_COMMA;
        break;
    case '(':
        tok->type = TOKEN_OPEN;
        break;
    case ')':
        tok->type = TOKEN_CLOSE;
        break;
    case '>':
        tok->type = TOKEN_GT;
        break;
    case '<':
        tok->type = TOKEN_LT;
        break;
    case '=':
        tok->type = s[1] == '=' ? TOKEN_EQ_EQ : TOKEN_EQ;
        tok->len = s[1] == '=' ? 2 : 1;
        break;
    case '!':
        tok->type = s[1] == '=' ? TOKEN_NE : TOKEN_BANG;
        tok->len = s[1] == '=' ? 2 : 1;
        break;
    default:
        tok->type = TOKEN_IDENT;
        while (s[tok->len] && !is_space(s[tok->len]) &&
               !is_special(s[tok->len])) {
            tok->len++;
        }
        break;
    }
    p->next = s + tok->len;
}

static bool
token_is(const struct token *tok, const char *word)
{
    return tok->type == TOKEN_IDENT && tok->len == strlen(word) &&
           !memcmp(tok->s, word, tok->len);
}

static size_t
column(const struct parser *p, const struct token *tok)
{
    return (size_t)(tok->s - p->text) + 1;
}

/* Describes the current token for a message: "\"foo\" at column 7" or "end
 * of selector". */
static const char *
where(const struct parser *p, char buf[WHERE_BUF])
{
    char q[QUOTE_BUF];

    if (p->tok.type == TOKEN_END) {
        return "end of selector";
    }
    snprintf(buf, WHERE_BUF, "\"%s\" at column %zu",
             quote(q, p->tok.s, p->tok.len), column(p, &p->tok));
    return buf;
}

static int parse_error(struct parser *p, const char *fmt, ...)
    OVS_PRINTF_FORMAT(2, 3);

static int
parse_error(struct parser *p, const char *fmt, ...)
{
    char problem[KOVN_ERROR_MAX], q[QUOTE_BUF];
    va_list args;

    va_start(args, fmt);
    vsnprintf(problem, sizeof problem, fmt, args);
    va_end(args);
    return kovn_error_set(p->err, -EINVAL, "selector \"%s\": %s",
                          quote(q, p->text, p->text_len), problem);
}

/* Puts the selector in front of the message that 'error' came with. */
static int
parse_error_prefix(struct parser *p, int error)
{
    char q[QUOTE_BUF];

    kovn_error_prefix(p->err,
                      "selector \"%s\": ", quote(q, p->text, p->text_len));
    return error;
}

/* Appends the current token (or "" when 'empty') to the values of 'req'. */
static int
add_value(struct parser *p, struct kube_selector_requirement *req,
          size_t *n_allocated, bool empty)
{
    const char *s = empty ? "" : p->tok.s;
    size_t len = empty ? 0 : p->tok.len;
    int error;

    if (req->n_values >= KUBE_SELECTOR_MAX_VALUES) {
        char w[WHERE_BUF];

        return parse_error(p, "more than %d values for key \"%s\" (at %s)",
                           KUBE_SELECTOR_MAX_VALUES, req->key, where(p, w));
    }
    if (req->op != KUBE_SELECTOR_GT && req->op != KUBE_SELECTOR_LT) {
        error = validate_value(s, len, p->err);
        if (error) {
            return parse_error_prefix(p, error);
        }
    }
    if (req->n_values >= *n_allocated) {
        req->values =
            x2nrealloc(req->values, n_allocated, sizeof *req->values);
    }
    req->values[req->n_values++] = xmemdup0(s, len);
    return 0;
}

/* Parses "(" [value] ("," [value])* ")". */
static int
parse_value_list(struct parser *p, struct kube_selector_requirement *req)
{
    size_t n_allocated = 0, open_column;
    char w[WHERE_BUF];
    int error;

    if (p->tok.type != TOKEN_OPEN) {
        return parse_error(p, "found %s, expected \"(\" after \"%s\"",
                           where(p, w), op_to_string(req->op));
    }
    open_column = column(p, &p->tok);
    next_token(p);
    for (;;) {
        bool empty = p->tok.type == TOKEN_COMMA || p->tok.type == TOKEN_CLOSE;

        if (p->tok.type != TOKEN_IDENT && !empty) {
            goto unexpected;
        }
        /* "(a,)", "(,a)" and "()" hold the empty value, as in Kubernetes. */
        error = add_value(p, req, &n_allocated, empty);
        if (error) {
            return error;
        }
        if (!empty) {
            next_token(p);
        }
        if (p->tok.type == TOKEN_CLOSE) {
            next_token(p);
            break;
        } else if (p->tok.type == TOKEN_COMMA) {
            next_token(p);
        } else {
            goto unexpected;
        }
    }
    normalize_values(req);
    return 0;

unexpected:
    if (p->tok.type == TOKEN_END) {
        return parse_error(p, "missing \")\" for the \"(\" at column %zu",
                           open_column);
    }
    return parse_error(p, "found %s, expected a value, \",\" or \")\"",
                       where(p, w));
}

/* Parses the value after "=", "==", "!=", ">" or "<" (empty if absent). */
static int
parse_exact_value(struct parser *p, struct kube_selector_requirement *req)
{
    size_t n_allocated = 0;
    char w[WHERE_BUF];
    int error;

    if (p->tok.type == TOKEN_IDENT) {
        error = add_value(p, req, &n_allocated, false);
        next_token(p);
    } else if (p->tok.type == TOKEN_END || p->tok.type == TOKEN_COMMA) {
        error = add_value(p, req, &n_allocated, true);
    } else {
        error = parse_error(p, "found %s, expected a value after \"%s\"",
                            where(p, w), op_to_string(req->op));
    }
    return error;
}

/* Checks the value of a ">" or "<" requirement.  Kubernetes wants it to be
 * an integer and a label value, that is, digits only. */
static int
parse_number(struct parser *p, struct kube_selector_requirement *req)
{
    const char *value = req->values[0];
    size_t len = strlen(value);
    char q[QUOTE_BUF];
    int error;

    if (!len || strspn(value, "0123456789") != len) {
        return parse_error(p,
                           "\"%s\" needs a non-negative integer, found "
                           "\"%s\"",
                           op_to_string(req->op), quote(q, value, len));
    }
    if (!parse_int64(value, len, &req->number)) {
        return parse_error(p, "value \"%s\" of \"%s\" is larger than %lld",
                           quote(q, value, len), op_to_string(req->op),
                           LLONG_MAX);
    }
    error = validate_value(value, len, p->err);
    return error ? parse_error_prefix(p, error) : 0;
}

static int
parse_operator(struct parser *p, struct kube_selector_requirement *req)
{
    char w[WHERE_BUF];

    switch (p->tok.type) {
    case TOKEN_EQ:
        req->op = KUBE_SELECTOR_EQUALS;
        return 0;
    case TOKEN_EQ_EQ:
        req->op = KUBE_SELECTOR_DOUBLE_EQUALS;
        return 0;
    case TOKEN_NE:
        req->op = KUBE_SELECTOR_NOT_EQUALS;
        return 0;
    case TOKEN_GT:
        req->op = KUBE_SELECTOR_GT;
        return 0;
    case TOKEN_LT:
        req->op = KUBE_SELECTOR_LT;
        return 0;
    case TOKEN_IDENT:
        if (token_is(&p->tok, "in")) {
            req->op = KUBE_SELECTOR_IN;
            return 0;
        } else if (token_is(&p->tok, "notin")) {
            req->op = KUBE_SELECTOR_NOT_IN;
            return 0;
        } else if (token_is(&p->tok, "gt") || token_is(&p->tok, "lt")) {
            return parse_error(p, "found %s: write \"%s\" instead",
                               where(p, w), p->tok.s[0] == 'g' ? ">" : "<");
        }
        break;
    case TOKEN_END:
    case TOKEN_COMMA:
    case TOKEN_OPEN:
    case TOKEN_CLOSE:
    case TOKEN_BANG:
        break;
    }
    return parse_error(p,
                       "found %s after key \"%s\", expected an operator (=, "
                       "==, !=, in, notin, >, <), \",\" or end of selector",
                       where(p, w), req->key);
}

static struct kube_selector_requirement *
add_requirement(struct kube_selector *selector, size_t *n_allocated)
{
    struct kube_selector_requirement *req;

    if (selector->n_reqs >= *n_allocated) {
        selector->reqs =
            x2nrealloc(selector->reqs, n_allocated, sizeof *selector->reqs);
    }
    req = &selector->reqs[selector->n_reqs++];
    memset(req, 0, sizeof *req);
    return req;
}

/* Parses one requirement into 'req', which belongs to the selector (and is
 * freed with it) even when this fails. */
static int
parse_requirement(struct parser *p, struct kube_selector_requirement *req)
{
    bool negated = p->tok.type == TOKEN_BANG;
    char w[WHERE_BUF];
    int error;

    if (negated) {
        next_token(p);
    }
    if (p->tok.type != TOKEN_IDENT) {
        if (negated) {
            return parse_error(p, "found %s, expected a label key after \"!\"",
                               where(p, w));
        } else if (p->tok.type == TOKEN_COMMA) {
            return parse_error(p,
                               "empty requirement before \",\" at column "
                               "%zu",
                               column(p, &p->tok));
        }
        return parse_error(p, "found %s, expected a label key or \"!\"",
                           where(p, w));
    }
    error = validate_key(p->tok.s, p->tok.len, p->err);
    if (error) {
        return parse_error_prefix(p, error);
    }
    req->key = xmemdup0(p->tok.s, p->tok.len);
    next_token(p);
    if (p->tok.type == TOKEN_END || p->tok.type == TOKEN_COMMA) {
        req->op =
            negated ? KUBE_SELECTOR_DOES_NOT_EXIST : KUBE_SELECTOR_EXISTS;
        return 0;
    } else if (negated) {
        return parse_error(p,
                           "found %s after \"!%s\", expected \",\" or end of "
                           "selector (\"!key\" takes no operator or value)",
                           where(p, w), req->key);
    }

    error = parse_operator(p, req);
    if (error) {
        return error;
    }
    next_token(p);
    if (req->op == KUBE_SELECTOR_IN || req->op == KUBE_SELECTOR_NOT_IN) {
        return parse_value_list(p, req);
    }
    error = parse_exact_value(p, req);
    if (!error &&
        (req->op == KUBE_SELECTOR_GT || req->op == KUBE_SELECTOR_LT)) {
        error = parse_number(p, req);
    }
    return error;
}

int
kube_selector_parse(const char *text, struct kube_selector *selector,
                    struct kovn_error *err)
{
    struct parser p = {
        .text = text,
        .text_len = strnlen(text, KUBE_SELECTOR_MAX_TEXT + 1),
        .next = text,
        .err = err,
    };
    char w[WHERE_BUF];
    size_t comma;
    int error = 0;

    kube_selector_init(selector);
    if (p.text_len > KUBE_SELECTOR_MAX_TEXT) {
        error = parse_error(&p, "longer than the limit of %d bytes",
                            KUBE_SELECTOR_MAX_TEXT);
        goto out;
    }
    next_token(&p);
    while (p.tok.type != TOKEN_END) {
        if (selector->n_reqs >= KUBE_SELECTOR_MAX_REQUIREMENTS) {
            error = parse_error(&p, "more than %d requirements (at %s)",
                                KUBE_SELECTOR_MAX_REQUIREMENTS, where(&p, w));
            goto out;
        }
        error =
            parse_requirement(&p, add_requirement(selector, &p.n_allocated));
        if (error) {
            goto out;
        }
        if (p.tok.type == TOKEN_END) {
            break;
        } else if (p.tok.type != TOKEN_COMMA) {
            error = parse_error(&p,
                                "found %s, expected \",\" or end of "
                                "selector",
                                where(&p, w));
            goto out;
        }
        comma = column(&p, &p.tok);
        next_token(&p);
        if (p.tok.type == TOKEN_END) {
            error = parse_error(&p, "empty requirement after \",\"");
            goto out;
        } else if (p.tok.type == TOKEN_COMMA) {
            error = parse_error(&p,
                                "empty requirement after \",\" at column "
                                "%zu",
                                comma);
            goto out;
        }
    }
    sort_requirements(selector);

out:
    if (error) {
        fail_closed(selector);
    }
    return error;
}

/* The metav1.LabelSelector form. */

/* Checks that 'json' (possibly null, for absent) has type 'type'. */
static bool
json_is(const struct json *json, enum json_type type)
{
    return json && json->type == type;
}

/* For "expected a string, got ...". */
static const char *
json_type_name(const struct json *json)
{
    return json ? json_type_to_string(json->type) : "nothing (missing)";
}

static int
match_labels_from_json(const struct shash *labels,
                       struct kube_selector *selector, struct kovn_error *err)
{
    const struct shash_node **nodes = shash_sort(labels);
    size_t n = shash_count(labels);
    char q[QUOTE_BUF];
    int error = 0;

    /* Sorted, so that the first bad entry reported is always the same. */
    for (size_t i = 0; i < n; i++) {
        const char *key = nodes[i]->name;
        const struct json *value = nodes[i]->data;
        struct kube_selector_requirement *req;

        error = validate_key(key, strlen(key), err);
        if (error) {
            kovn_error_prefix(err, "matchLabels: ");
            goto out;
        }
        if (!json_is(value, JSON_STRING)) {
            error = kovn_error_set(err, -EINVAL,
                                   "matchLabels[\"%s\"]: expected a string, "
                                   "got %s",
                                   quote(q, key, strlen(key)),
                                   json_type_name(value));
            goto out;
        }
        error = validate_value(json_string(value), strlen(json_string(value)),
                               err);
        if (error) {
            kovn_error_prefix(
                err, "matchLabels[\"%s\"]: ", quote(q, key, strlen(key)));
            goto out;
        }
        req = &selector->reqs[selector->n_reqs++];
        req->key = xstrdup(key);
        req->op = KUBE_SELECTOR_EQUALS;
        req->values = xmalloc(sizeof *req->values);
        req->values[0] = xstrdup(json_string(value));
        req->n_values = 1;
    }

out:
    free(nodes);
    return error;
}

static int
expression_from_json(const struct json *json, size_t idx,
                     struct kube_selector_requirement *req,
                     struct kovn_error *err)
{
    static const struct {
        const char *name;
        enum kube_selector_op op;
    } ops[] = {
        {"In", KUBE_SELECTOR_IN},
        {"NotIn", KUBE_SELECTOR_NOT_IN},
        {"Exists", KUBE_SELECTOR_EXISTS},
        {"DoesNotExist", KUBE_SELECTOR_DOES_NOT_EXIST},
    };
    const struct json *key, *op, *values;
    const struct json_array *array = NULL;
    char q[QUOTE_BUF];
    size_t i;
    int error;

    if (!json_is(json, JSON_OBJECT)) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu]: expected an object, "
                              "got %s",
                              idx, json_type_name(json));
    }
    key = shash_find_data(json_object(json), "key");
    op = shash_find_data(json_object(json), "operator");
    values = shash_find_data(json_object(json), "values");

    if (!json_is(key, JSON_STRING)) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu].key: expected a string, "
                              "got %s",
                              idx, json_type_name(key));
    }
    error = validate_key(json_string(key), strlen(json_string(key)), err);
    if (error) {
        kovn_error_prefix(err, "matchExpressions[%zu]: ", idx);
        return error;
    }
    req->key = xstrdup(json_string(key));

    if (!json_is(op, JSON_STRING)) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu].operator: expected a "
                              "string, got %s",
                              idx, json_type_name(op));
    }
    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        if (!strcmp(json_string(op), ops[i].name)) {
            req->op = ops[i].op;
            break;
        }
    }
    if (i == ARRAY_SIZE(ops)) {
        return kovn_error_set(
            err, -EINVAL,
            "matchExpressions[%zu].operator: \"%s\" is not "
            "In, NotIn, Exists or DoesNotExist",
            idx, quote(q, json_string(op), strlen(json_string(op))));
    }

    /* Go decodes "values": null like an absent member: no values. */
    if (values && values->type != JSON_NULL) {
        if (values->type != JSON_ARRAY) {
            return kovn_error_set(err, -EINVAL,
                                  "matchExpressions[%zu].values: expected an "
                                  "array, got %s",
                                  idx, json_type_name(values));
        }
        array = json_array(values);
    }
    if (array && array->n > KUBE_SELECTOR_MAX_VALUES) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu].values: %zu values, the "
                              "limit is %d",
                              idx, array->n, KUBE_SELECTOR_MAX_VALUES);
    }
    if ((req->op == KUBE_SELECTOR_IN || req->op == KUBE_SELECTOR_NOT_IN) &&
        (!array || !array->n)) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu].values: must not be "
                              "empty for operator %s",
                              idx, json_string(op));
    }
    if ((req->op == KUBE_SELECTOR_EXISTS ||
         req->op == KUBE_SELECTOR_DOES_NOT_EXIST) &&
        array && array->n) {
        return kovn_error_set(err, -EINVAL,
                              "matchExpressions[%zu].values: must be empty "
                              "for operator %s, got %zu values",
                              idx, json_string(op), array->n);
    }
    if (!array || !array->n) {
        return 0;
    }
    req->values = xmalloc(array->n * sizeof *req->values);
    for (i = 0; i < array->n; i++) {
        const struct json *value = array->elems[i];

        if (!json_is(value, JSON_STRING)) {
            return kovn_error_set(err, -EINVAL,
                                  "matchExpressions[%zu].values[%zu]: "
                                  "expected a string, got %s",
                                  idx, i, json_type_name(value));
        }
        error = validate_value(json_string(value), strlen(json_string(value)),
                               err);
        if (error) {
            kovn_error_prefix(err, "matchExpressions[%zu].values[%zu]: ", idx,
                              i);
            return error;
        }
        req->values[req->n_values++] = xstrdup(json_string(value));
    }
    normalize_values(req);
    return 0;
}

int
kube_selector_from_json(const struct json *json,
                        struct kube_selector *selector, struct kovn_error *err)
{
    const struct json *labels, *exprs;
    size_t n_labels = 0, n_exprs = 0;
    int error = 0;

    kube_selector_init(selector);
    if (!json || json->type == JSON_NULL) {
        /* A nil *LabelSelector selects nothing (LabelSelectorAsSelector). */
        selector->nothing = true;
        return 0;
    }
    if (json->type != JSON_OBJECT) {
        error = kovn_error_set(err, -EINVAL,
                               "label selector: expected an object or null, "
                               "got %s",
                               json_type_name(json));
        goto out;
    }
    labels = shash_find_data(json_object(json), "matchLabels");
    exprs = shash_find_data(json_object(json), "matchExpressions");
    if (json_is(labels, JSON_OBJECT)) {
        n_labels = shash_count(json_object(labels));
    } else if (labels && labels->type != JSON_NULL) {
        error = kovn_error_set(err, -EINVAL,
                               "matchLabels: expected an object, got %s",
                               json_type_name(labels));
        goto out;
    }
    if (json_is(exprs, JSON_ARRAY)) {
        n_exprs = json_array(exprs)->n;
    } else if (exprs && exprs->type != JSON_NULL) {
        error = kovn_error_set(err, -EINVAL,
                               "matchExpressions: expected an array, got %s",
                               json_type_name(exprs));
        goto out;
    }
    if (n_labels + n_exprs > KUBE_SELECTOR_MAX_REQUIREMENTS) {
        error =
            kovn_error_set(err, -EINVAL,
                           "label selector has %zu requirements "
                           "(matchLabels and matchExpressions), the limit "
                           "is %d",
                           n_labels + n_exprs, KUBE_SELECTOR_MAX_REQUIREMENTS);
        goto out;
    }
    if (!n_labels && !n_exprs) {
        goto out; /* Everything. */
    }

    selector->reqs = xcalloc(n_labels + n_exprs, sizeof *selector->reqs);
    if (n_labels) {
        error = match_labels_from_json(json_object(labels), selector, err);
        if (error) {
            goto out;
        }
    }
    for (size_t i = 0; i < n_exprs; i++) {
        /* Counted before filling in, so that a failure frees it. */
        struct kube_selector_requirement *req =
            &selector->reqs[selector->n_reqs++];

        error = expression_from_json(json_array(exprs)->elems[i], i, req, err);
        if (error) {
            goto out;
        }
    }
    sort_requirements(selector);

out:
    if (error) {
        fail_closed(selector);
    }
    return error;
}

/* Matching. */

static bool
has_value(const struct kube_selector_requirement *req, const char *value)
{
    return bsearch(&value, req->values, req->n_values, sizeof *req->values,
                   compare_strings) != NULL;
}

static bool
requirement_matches(const struct kube_selector_requirement *req,
                    const struct smap *labels)
{
    const char *value = labels ? smap_get(labels, req->key) : NULL;
    long long int number;

    switch (req->op) {
    case KUBE_SELECTOR_EXISTS:
        return value != NULL;
    case KUBE_SELECTOR_DOES_NOT_EXIST:
        return value == NULL;
    case KUBE_SELECTOR_EQUALS:
    case KUBE_SELECTOR_DOUBLE_EQUALS:
    case KUBE_SELECTOR_IN:
        return value && has_value(req, value);
    case KUBE_SELECTOR_NOT_EQUALS:
    case KUBE_SELECTOR_NOT_IN:
        return !value || !has_value(req, value);
    case KUBE_SELECTOR_GT:
    case KUBE_SELECTOR_LT:
        if (!value || !parse_int64(value, strlen(value), &number)) {
            return false;
        }
        return req->op == KUBE_SELECTOR_GT ? number > req->number
                                           : number < req->number;
    }
    return false;
}

bool
kube_selector_matches(const struct kube_selector *selector,
                      const struct smap *labels)
{
    if (selector->nothing) {
        return false;
    }
    for (size_t i = 0; i < selector->n_reqs; i++) {
        if (!requirement_matches(&selector->reqs[i], labels)) {
            return false;
        }
    }
    return true;
}

bool
kube_selector_is_everything(const struct kube_selector *selector)
{
    return !selector->nothing && !selector->n_reqs;
}

bool
kube_selector_is_nothing(const struct kube_selector *selector)
{
    return selector->nothing;
}

bool
kube_selector_equals(const struct kube_selector *a,
                     const struct kube_selector *b)
{
    if (a->nothing != b->nothing || a->n_reqs != b->n_reqs) {
        return false;
    }
    for (size_t i = 0; i < a->n_reqs; i++) {
        if (compare_requirements(&a->reqs[i], &b->reqs[i])) {
            return false;
        }
    }
    return true;
}

char *
kube_selector_format(const struct kube_selector *selector)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (selector->nothing) {
        return xstrdup("<nothing>");
    }
    for (size_t i = 0; i < selector->n_reqs; i++) {
        const struct kube_selector_requirement *req = &selector->reqs[i];
        bool list =
            req->op == KUBE_SELECTOR_IN || req->op == KUBE_SELECTOR_NOT_IN;

        if (i) {
            ds_put_char(&s, ',');
        }
        if (req->op == KUBE_SELECTOR_DOES_NOT_EXIST) {
            ds_put_char(&s, '!');
        }
        ds_put_cstr(&s, req->key);
        if (req->op == KUBE_SELECTOR_EXISTS ||
            req->op == KUBE_SELECTOR_DOES_NOT_EXIST) {
            continue;
        }
        ds_put_format(&s, list ? " %s (" : "%s", op_to_string(req->op));
        for (size_t j = 0; j < req->n_values; j++) {
            ds_put_format(&s, "%s%s", j ? "," : "", req->values[j]);
        }
        if (list) {
            ds_put_char(&s, ')');
        }
    }
    return ds_steal_cstr(&s);
}
