/* Reading ofproto/trace's output; see ofproto_trace.h. */
#include <config.h>

#include "cli/ofproto_trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/trace_explain.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Datapath actions without arguments that are not outputs. */
static const char *const bare_actions[] = {
    "drop", "pop_vlan", "pop_eth", "pop_nsh", "ct_clear",
};

/* The first 'needle' in [p, end), or NULL. */
static const char *
range_find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);

    for (; p + n <= end; p++) {
        if (!memcmp(p, needle, n)) {
            return p;
        }
    }
    return NULL;
}

static bool
range_is(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) == n && !memcmp(p, word, n);
}

/* The end of the action starting at 'p': the first comma outside
 * parentheses, or 'end'.  Unbalanced text ends at 'end'. */
static const char *
action_end(const char *p, const char *end)
{
    size_t depth = 0;

    for (; p < end; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && depth) {
            depth--;
        } else if (*p == ',' && !depth) {
            break;
        }
    }
    return p;
}

/* The value of 'key' ("dst=") in [p, end) where it follows '(' or ',', up
 * to the next ',' or ')'; NULL when absent. */
static char *
key_value(const char *p, const char *end, const char *key)
{
    for (const char *k = p; (k = range_find(k, end, key)); k++) {
        if (k > p && (k[-1] == '(' || k[-1] == ',')) {
            const char *v = k + strlen(key), *e = v;

            while (e < end && *e != ',' && *e != ')') {
                e++;
            }
            return xmemdup0(v, e - v);
        }
    }
    return NULL;
}

/* The remote address of a tunnel header or key: the outer IP header's
 * "dst=" ("ipv4(src=A,dst=B,...)" in tnl_push's header, "tunnel(...,
 * dst=B,...)" in set()), or its "ipv6_dst=". */
static char *
tunnel_dst(const char *p, const char *end)
{
    static const char *const headers[] = {"ipv4(", "ipv6(", "tunnel("};

    for (size_t i = 0; i < ARRAY_SIZE(headers); i++) {
        const char *h = range_find(p, end, headers[i]);

        if (h) {
            const char *inner = h + strlen(headers[i]) - 1;
            const char *close = action_end(inner, end);
            char *dst = key_value(inner, close, "dst=");

            if (!dst) {
                dst = key_value(inner, close, "ipv6_dst=");
            }
            if (dst) {
                return dst;
            }
        }
    }
    return xstrdup("?");
}

struct walk {
    struct ofproto_trace *trace;
    struct kovn_error *err;
    int error;
};

static void
add_output(struct walk *w, const char *port, size_t port_len, const char *dst)
{
    struct ofproto_trace *t = w->trace;
    struct ofproto_trace_output *o;

    for (size_t i = 0; i < t->n_outputs; i++) {
        if (strlen(t->outputs[i].port) == port_len &&
            !memcmp(t->outputs[i].port, port, port_len) &&
            !strcmp(t->outputs[i].tunnel_dst, dst)) {
            return;
        }
    }
    if (t->n_outputs >= OFPROTO_TRACE_OUTPUTS_MAX) {
        if (!w->error) {
            w->error = kovn_error_set(w->err, -EFBIG,
                                      "ofproto/trace output has more than "
                                      "%d datapath outputs",
                                      OFPROTO_TRACE_OUTPUTS_MAX);
        }
        return;
    }
    if (t->n_outputs == t->allocated_outputs) {
        t->outputs =
            x2nrealloc(t->outputs, &t->allocated_outputs, sizeof *t->outputs);
    }
    o = &t->outputs[t->n_outputs++];
    o->port = xmemdup0(port, port_len);
    o->tunnel_dst = xstrdup(dst);
}

/* Reads the comma-separated actions in [p, end). */
static void
walk_actions(struct walk *w, const char *p, const char *end, int depth)
{
    /* The remote of set(tunnel(...)), for the output after it. */
    char *pending_dst = NULL;
    /* After tnl_push(): the outputs are the underlay's, not the packet's
     * own destination. */
    bool pushed = false;

    if (depth > OFPROTO_TRACE_DEPTH_MAX) {
        return;
    }
    while (p < end && !w->error) {
        const char *a_end = action_end(p, end);
        const char *a = p, *open, *inner_end;

        p = a_end < end ? a_end + 1 : end;
        while (a < a_end && isspace((unsigned char)*a)) {
            a++;
        }
        while (a_end > a && isspace((unsigned char)a_end[-1])) {
            a_end--;
        }
        if (a == a_end) {
            continue;
        }
        open = memchr(a, '(', a_end - a);
        if (!open) {
            bool bare = *a == '<' || *a == '*';

            for (size_t i = 0; !bare && i < ARRAY_SIZE(bare_actions); i++) {
                bare = range_is(a, a_end, bare_actions[i]);
            }
            if (!bare && !pushed) {
                add_output(w, a, a_end - a, pending_dst ? pending_dst : "");
                /* The key stays set, but only the tunnel port right after
                 * it reads it: a pod's port next is a local delivery. */
                free(pending_dst);
                pending_dst = NULL;
            }
            continue;
        }
        inner_end = a_end > open && a_end[-1] == ')' ? a_end - 1 : a_end;
        if (range_is(a, open, "clone")) {
            walk_actions(w, open + 1, inner_end, depth + 1);
        } else if (range_is(a, open, "check_pkt_len")) {
            /* Our packet has no payload: it takes the "fits" branch. */
            const char *le = range_find(open, inner_end, "le(");

            if (le) {
                const char *le_end = action_end(le + 2, inner_end);
                walk_actions(w, le + 3,
                             le_end > le + 3 && le_end[-1] == ')' ? le_end - 1
                                                                  : le_end,
                             depth + 1);
            }
        } else if (range_is(a, open, "tnl_push")) {
            char *dst = tunnel_dst(open, inner_end);
            char *port = key_value(open, inner_end, "tnl_port(");

            if (!port) {
                port = xstrdup("?");
            } else if (*port && port[strlen(port) - 1] == ')') {
                port[strlen(port) - 1] = '\0';
            }
            add_output(w, port, strlen(port), dst);
            free(port);
            free(dst);
            pushed = true;
        } else if (range_is(a, open, "set") &&
                   range_find(open, inner_end, "tunnel(")) {
            free(pending_dst);
            pending_dst = tunnel_dst(open, inner_end);
        } else if (range_is(a, open, "userspace")) {
            if (range_find(open, inner_end, "controller(") ||
                range_find(open, inner_end, "slow_path(")) {
                w->trace->controller = true;
            }
        }
    }
    free(pending_dst);
}

int
ofproto_trace_parse(const char *text, size_t len, struct ofproto_trace *trace,
                    struct kovn_error *err)
{
    static const char actions[] = "Datapath actions: ";
    static const char flow[] = "Flow: ";
    static const char failed[] = "Translation failed (";
    struct walk w = {.trace = trace, .err = err};
    const char *end = text + len;

    memset(trace, 0, sizeof *trace);
    svec_init(&trace->passes);
    trace->flow = xstrdup("");
    if (len > OFPROTO_TRACE_TEXT_MAX) {
        return kovn_error_set(err, -EFBIG,
                              "ofproto/trace output of %zu bytes is over the "
                              "limit of %d",
                              len, OFPROTO_TRACE_TEXT_MAX);
    }
    for (const char *p = text; p < end && !w.error;) {
        const char *nl = memchr(p, '\n', end - p);
        const char *line_end = nl ? nl : end;
        char *line;

        while (line_end > p && isspace((unsigned char)line_end[-1])) {
            line_end--;
        }
        line = xmemdup0(p, line_end - p);
        p = nl ? nl + 1 : end;
        if (!strncmp(line, actions, strlen(actions))) {
            const char *a = line + strlen(actions);

            if (trace->passes.n >= OFPROTO_TRACE_PASSES_MAX) {
                w.error = kovn_error_set(err, -EFBIG,
                                         "ofproto/trace output has more "
                                         "than %d datapath passes",
                                         OFPROTO_TRACE_PASSES_MAX);
            } else {
                svec_add(&trace->passes, a);
                walk_actions(&w, a, a + strlen(a), 0);
            }
        } else if (!strncmp(line, flow, strlen(flow)) && !*trace->flow) {
            free(trace->flow);
            trace->flow = xstrdup(line + strlen(flow));
        } else if (!strncmp(line, failed, strlen(failed)) && !trace->failure) {
            const char *r = line + strlen(failed);
            const char *close = strstr(r, "), packet is dropped");

            trace->failure = close ? xmemdup0(r, close - r) : xstrdup(r);
        }
        free(line);
    }
    if (!w.error && !trace->passes.n) {
        w.error = kovn_error_set(err, -EINVAL,
                                 "no \"Datapath actions:\" line in "
                                 "ofproto/trace's output");
    }
    return w.error;
}

void
ofproto_trace_destroy(struct ofproto_trace *trace)
{
    for (size_t i = 0; i < trace->n_outputs; i++) {
        free(trace->outputs[i].port);
        free(trace->outputs[i].tunnel_dst);
    }
    free(trace->outputs);
    free(trace->flow);
    free(trace->failure);
    svec_destroy(&trace->passes);
    memset(trace, 0, sizeof *trace);
}

bool
ofproto_trace_drops(const struct ofproto_trace *trace)
{
    return trace->failure || (!trace->n_outputs && !trace->controller);
}

char *
ofproto_trace_flow(const struct trace_packet *p, int ofport)
{
    bool v6 = p->src.family == NET_V6;
    bool icmp = !strcmp(p->protocol, "icmp");
    char src[NET_ADDR_STRLEN], dst[NET_ADDR_STRLEN];
    struct ds s = DS_EMPTY_INITIALIZER;

    net_addr_format(&p->src, src);
    net_addr_format(&p->dst, dst);
    /* The protocol keyword before the fields that need it. */
    ds_put_format(&s, "in_port=%d,dl_src=%s,dl_dst=%s,%s%s,", ofport,
                  p->eth_src, p->eth_dst, icmp ? "icmp" : p->protocol,
                  v6 ? "6" : "");
    ds_put_format(&s, "%s=%s,%s=%s,nw_ttl=64", v6 ? "ipv6_src" : "nw_src", src,
                  v6 ? "ipv6_dst" : "nw_dst", dst);
    /* The fields of the protocol: OVS's "tp_src" means tcp_src only, and
     * "icmp_type" ICMPv4 only. */
    if (icmp) {
        /* An echo request, as trace_microflow() asks ovn-trace. */
        ds_put_format(&s, ",%s_type=%d,%s_code=0", v6 ? "icmpv6" : "icmp",
                      v6 ? 128 : 8, v6 ? "icmpv6" : "icmp");
    } else {
        ds_put_format(&s, ",%s_src=%d,%s_dst=%d", p->protocol, p->src_port,
                      p->protocol, p->dst_port);
    }
    return ds_steal_cstr(&s);
}
