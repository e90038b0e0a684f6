/* `kubectl kovn trace SRC DST [tcp|udp|icmp] [PORT]`: where a packet from
 * pod SRC to DST (an address, a pod or a Service) goes in OVN and why.
 *
 * The packet is built from the pod's annotations and OVN NB (the gateway
 * router port's MAC when DST is off the pod's subnet), ovn-trace runs it
 * through the logical flows in OVN SB, and cli/trace_explain.h names what
 * it hit in kovn's terms.  ovn-trace assumes established connections
 * unless told otherwise; each of its conntrack steps is told "new", so the
 * ACLs judge the packet as the first of a connection, where policies
 * decide.  With --ovs, cli/trace_ovs.h runs the same packet through the
 * pod's node's OVS datapath. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/error.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "cli/trace_explain.h"
#include "cli/trace_nb.h"
#include "cli/trace_ovs.h"
#include "crd/model.h"
#include "crd/names.h"
#include "crd/pod.h"
#include "crd/subnet.h"
#include "kube/rest.h"
#include "net/mac.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovn/nb.h"
#include "ovn/router.h"
#include "ovn/switch.h"
#include "ovn/trace.h"
#include "util.h"
#include "json/access.h"

/* ovn-trace's conntrack steps told "new": a packet crosses at most a few
 * switches and routers, each with a couple of ct actions. */
#define TRACE_CT_NEW 16
/* The source port of traced TCP and UDP packets: any ephemeral one. */
#define TRACE_SRC_PORT 40000
/* Default destination port for tcp/udp to a pod or an address. */
#define TRACE_DEFAULT_PORT 80

/* The traced source pod, from its annotations. */
struct trace_pod {
    char *key;  /* "ns/name" */
    char *port; /* Logical_Switch_Port "<pod>.<ns>" */
    char *mac;
    char *sw;        /* Its subnet's logical switch. */
    char *addresses; /* ip_address annotation: "a" or "a,b". */
    char *node;      /* spec.nodeName, "" until scheduled. */
};

static void
trace_pod_destroy(struct trace_pod *p)
{
    free(p->key);
    free(p->port);
    free(p->mac);
    free(p->sw);
    free(p->addresses);
    free(p->node);
}

/* Splits "ns/name" (exactly one slash, both parts non-empty). */
static bool
split_key(const char *s, char **ns, char **name)
{
    const char *slash = strchr(s, '/');

    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')) {
        return false;
    }
    *ns = xmemdup0(s, slash - s);
    *name = xstrdup(slash + 1);
    return true;
}

/* GETs namespaced object 'resource' "ns/name"; -ENOENT when absent. */
static int
get_object(struct kube_client *client, const char *resource, const char *key,
           struct json **obj, struct kovn_error *err)
{
    struct kube_response response = {0};
    char *ns = NULL, *name = NULL, *path = NULL;
    int error;

    *obj = NULL;
    if (!split_key(key, &ns, &name)) {
        return kovn_error_set(err, -EINVAL, "\"%s\": expected NAMESPACE/NAME",
                              key);
    }
    path = xasprintf("/api/v1/namespaces/%s/%s/%s", ns, resource, name);
    error = kube_client_call(client, "GET", path, NULL, NULL, &response, err);
    if (error) {
        goto out;
    }
    if (response.status == 404) {
        error = kovn_error_set(err, -ENOENT, "no %s %s", resource, key);
    } else if (response.status != 200) {
        char *what = xasprintf("getting %s %s", resource, key);
        error = cli_cluster_http_error(&response, what, NULL, err);
        free(what);
    } else {
        *obj = response.body;
        response.body = NULL;
    }
out:
    kube_response_destroy(&response);
    free(path);
    free(ns);
    free(name);
    return error;
}

static int
read_source(struct kube_client *client, const char *key, struct trace_pod *src,
            struct kovn_error *err)
{
    struct crd_pod pod;
    struct json *obj;
    const char *ip, *mac, *sw;
    int error = get_object(client, "pods", key, &obj, err);

    if (error) {
        if (error == -ENOENT) {
            kovn_error_set(err, error, "no pod %s", key);
        }
        return error;
    }
    crd_pod_from_json(obj, &pod);
    ip = crd_pod_annotation(&pod, ANN_IP_ADDRESS);
    mac = crd_pod_annotation(&pod, ANN_MAC_ADDRESS);
    sw = crd_pod_annotation(&pod, ANN_LOGICAL_SWITCH);
    if (pod.host_network) {
        error = kovn_error_set(
            err, -EINVAL, "pod %s uses the host's network, not OVN's", key);
    } else if (!ip || !mac || !sw) {
        error = kovn_error_set(
            err, -EADDRNOTAVAIL,
            "pod %s has no address yet (annotations " ANN_IP_ADDRESS
            ", " ANN_MAC_ADDRESS " and " ANN_LOGICAL_SWITCH " not all set)",
            key);
    } else {
        src->key = xstrdup(key);
        src->port = crd_pod_port_name(key);
        src->mac = xstrdup(mac);
        src->sw = xstrdup(sw);
        src->addresses = xstrdup(ip);
        src->node = xstrdup(pod.node);
    }
    crd_pod_destroy(&pod);
    json_destroy(obj);
    return error;
}

/* The destination as the packet will carry it. */
struct trace_dst {
    struct net_addr addr;
    char *what;        /* "demo/b", "Service demo/web", "10.0.0.1" */
    char *service;     /* "ns/name" of a Service, else NULL */
    char *service_vip; /* "ip:port" of a Service, else NULL */
    char *protocol;    /* From the Service's port; NULL otherwise. */
    int port;          /* 0 if the Service gave none. */
};

static void
trace_dst_destroy(struct trace_dst *d)
{
    free(d->what);
    free(d->service);
    free(d->service_vip);
    free(d->protocol);
}

/* The first address of "a,b" of 'family' into 'out'. */
static bool
address_of_family(const char *list, enum net_family family,
                  struct net_addr *out)
{
    char *copy = xstrdup(list), *save = NULL;
    bool found = false;

    for (char *t = strtok_r(copy, ",", &save); t && !found;
         t = strtok_r(NULL, ",", &save)) {
        found = !net_addr_parse(t, out, NULL) && out->family == family;
    }
    free(copy);
    return found;
}

/* 'or_pod': the name was looked up as a pod first (for the message). */
static int
read_service(struct kube_client *client, const char *key, int want_port,
             bool or_pod, struct trace_dst *dst, struct kovn_error *err)
{
    const struct json *spec, *ports;
    const char *cluster_ip = NULL;
    struct json *obj;
    int error = get_object(client, "services", key, &obj, err);

    if (error) {
        if (error == -ENOENT) {
            kovn_error_set(err, error, "no %s %s",
                           or_pod ? "pod or Service" : "Service", key);
        }
        return error;
    }
    spec = json_member(obj, "spec");
    ports = json_member(spec, "ports");
    json_member_string(spec, "clusterIP", "spec.clusterIP", &cluster_ip, NULL);
    if (!cluster_ip || !*cluster_ip || !strcmp(cluster_ip, "None") ||
        net_addr_parse(cluster_ip, &dst->addr, NULL)) {
        error = kovn_error_set(err, -EINVAL,
                               "Service %s has no ClusterIP (headless or "
                               "ExternalName): trace a pod behind it",
                               key);
        goto out;
    }
    for (size_t i = 0;
         ports && ports->type == JSON_ARRAY && i < json_array(ports)->n; i++) {
        const struct json *p = json_array(ports)->elems[i];
        const struct json *port = json_member(p, "port");
        const char *protocol = "TCP";

        json_member_string(p, "protocol", "protocol", &protocol, NULL);
        if (port && port->type == JSON_INTEGER &&
            (!want_port || json_integer(port) == want_port)) {
            char text[NET_ADDR_STRLEN];

            dst->port = json_integer(port);
            dst->protocol = xstrdup(protocol ? protocol : "TCP");
            for (char *c = dst->protocol; *c; c++) {
                *c = tolower((unsigned char)*c);
            }
            net_addr_format(&dst->addr, text);
            dst->service_vip =
                xasprintf(dst->addr.family == NET_V6 ? "[%s]:%d" : "%s:%d",
                          text, dst->port);
            break;
        }
    }
    if (!dst->port) {
        error =
            want_port
                ? kovn_error_set(err, -ENOENT, "Service %s has no port %d",
                                 key, want_port)
                : kovn_error_set(err, -ENOENT, "Service %s has no ports", key);
        goto out;
    }
    dst->service = xstrdup(key);
    dst->what = xasprintf("Service %s (%s)", key, dst->service_vip);
out:
    json_destroy(obj);
    return error;
}

/* DST as given: an address, "svc/ns/name", "pod/ns/name" or "ns/name" (a
 * pod, else a Service). */
static int
read_destination(struct kube_client *client, const char *arg,
                 const struct trace_pod *src, int want_port,
                 struct trace_dst *dst, struct kovn_error *err)
{
    struct trace_pod pod = {0};
    const char *key = arg;
    bool service = false, pod_only = false;
    struct net_addr first;
    int error;

    if (!net_addr_parse(arg, &dst->addr, NULL)) {
        dst->what = xstrdup(arg);
        return 0;
    }
    if (!strncmp(arg, "svc/", 4) || !strncmp(arg, "service/", 8)) {
        key = strchr(arg, '/') + 1;
        service = true;
    } else if (!strncmp(arg, "pod/", 4)) {
        key = arg + 4;
        pod_only = true;
    } else if (!strchr(arg, '/')) {
        return kovn_error_set(err, -EINVAL,
                              "destination \"%s\": expected an IP address, "
                              "NAMESPACE/POD or svc/NAMESPACE/NAME",
                              arg);
    }
    if (service) {
        return read_service(client, key, want_port, false, dst, err);
    }
    error = read_source(client, key, &pod, err);
    if (error == -ENOENT && !pod_only) {
        kovn_error_clear(err);
        return read_service(client, key, want_port, true, dst, err);
    }
    if (!error) {
        /* The family of the source's first address. */
        net_addr_parse_len(src->addresses, strcspn(src->addresses, ","),
                           &first, NULL);
        if (!address_of_family(pod.addresses, first.family, &dst->addr) &&
            !address_of_family(pod.addresses,
                               first.family == NET_V4 ? NET_V6 : NET_V4,
                               &dst->addr)) {
            error = kovn_error_set(err, -EINVAL, "pod %s: bad address \"%s\"",
                                   key, pod.addresses);
        }
        dst->what = xstrdup(key);
    }
    trace_pod_destroy(&pod);
    return error;
}

static int
run_ovn_trace(const char *sb, const char *datapath, const char *microflow,
              struct ds *out, struct kovn_error *err)
{
    const char *bin = getenv("KOVN_OVN_TRACE");
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    int status = 0, error;

    svec_add(&argv, bin && *bin ? bin : "ovn-trace");
    svec_add_nocopy(&argv, xasprintf("--db=%s", sb));
    for (int i = 0; i < TRACE_CT_NEW; i++) {
        svec_add(&argv, "--ct=new");
    }
    svec_add(&argv, datapath);
    svec_add(&argv, microflow);
    svec_terminate(&argv);
    error = cli_run_capture(argv.names, CLI_OVN_TIMEOUT_MS, OVN_TRACE_TEXT_MAX,
                            out, &status, err);
    if (!error && (!WIFEXITED(status) || WEXITSTATUS(status))) {
        /* Its last line says why ("database connection failed", ...). */
        error = kovn_error_set(err, -EPROTO, "ovn-trace failed (%s): %s",
                               WIFEXITED(status) ? "exit status" : "killed",
                               out->length ? ds_cstr(out) : "no output");
    }
    svec_destroy(&argv);
    return error;
}

/* Parses "[tcp|udp|icmp] [PORT]". */
static int
parse_l4(char **args, size_t n, const char **protocol, int *port,
         struct kovn_error *err)
{
    *protocol = NULL;
    *port = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(args[i], "tcp") || !strcmp(args[i], "udp") ||
            !strcmp(args[i], "icmp")) {
            if (*protocol) {
                return kovn_error_set(err, -EINVAL, "two protocols given");
            }
            *protocol = args[i];
        } else {
            char *end;
            long v = strtol(args[i], &end, 10);

            if (*port || *end || end == args[i] || v < 1 || v > 65535) {
                return kovn_error_set(err, -EINVAL,
                                      "\"%s\": expected tcp, udp, icmp or "
                                      "a port 1-65535",
                                      args[i]);
            }
            *port = v;
        }
    }
    if (*protocol && !strcmp(*protocol, "icmp") && *port) {
        return kovn_error_set(err, -EINVAL, "icmp has no port");
    }
    return 0;
}

static void
add_subnet_facts(const struct crd_model *model, struct trace_facts *facts)
{
    const struct shash_node *node;

    SHASH_FOR_EACH(node, crd_model_subnets(model))
    {
        const struct subnet *s = node->data;
        if (subnet_is_valid(s)) {
            trace_facts_add_subnet(facts, s->name, s->vpc, s->cidrs,
                                   s->n_cidrs);
        }
    }
}

/* eth.dst: the destination's own port on the source's subnet, else the
 * subnet's gateway (its router port). */
static int
next_hop_mac(struct ovn_nb *nb, const struct crd_model *model,
             const struct trace_pod *src, const struct net_addr *dst,
             char **mac, struct kovn_error *err)
{
    const struct subnet *subnet = crd_model_subnet(model, src->sw);
    char *lrp;

    for (size_t i = 0; subnet && i < subnet->n_cidrs; i++) {
        if (net_cidr_contains(&subnet->cidrs[i], dst)) {
            *mac = cli_trace_nb_port_mac(nb, src->sw, dst);
            if (*mac) {
                return 0;
            }
        }
    }
    lrp = ovn_router_port_name(
        subnet ? subnet->vpc : crd_model_default_vpc(model), src->sw);
    *mac = cli_trace_nb_router_port_mac(nb, lrp);
    if (!*mac) {
        kovn_error_set(err, -ENOENT,
                       "no gateway port %s for subnet %s in OVN NB", lrp,
                       src->sw);
    }
    free(lrp);
    return *mac ? 0 : -ENOENT;
}

/* 'ovs': the lines of the OVS datapath part, before the verdict (the last
 * line, which scripts read). */
static void
print_result(const struct trace_pod *src, const struct trace_dst *dst,
             const struct trace_packet *pkt, const struct trace_explanation *e,
             const struct svec *ovs)
{
    char s[NET_ADDR_STRLEN], d[NET_ADDR_STRLEN];

    net_addr_format(&pkt->src, s);
    net_addr_format(&pkt->dst, d);
    printf("%s (%s, %s) -> %s", src->key, s, src->port, dst->what);
    if (strcmp(dst->what, d) && !dst->service) {
        printf(" (%s)", d);
    }
    if (!strcmp(pkt->protocol, "icmp")) {
        printf(" icmp echo\n");
    } else {
        printf(" %s/%d\n", pkt->protocol, pkt->dst_port);
    }
    for (size_t i = 0; i < e->steps.n; i++) {
        printf("  %s\n", e->steps.names[i]);
    }
    for (size_t i = 0; i < ovs->n; i++) {
        printf("%s\n", ovs->names[i]);
    }
    printf("%s\n", e->verdict_text);
}

int
cli_trace_command(const struct cli_options *options)
{
    struct kovn_error err = {0};
    struct kube_client *client = NULL;
    struct cli_cluster cluster;
    bool loaded = false;
    struct trace_pod src = {0};
    struct trace_dst dst = {0};
    struct trace_facts facts;
    struct trace_packet pkt = {0};
    struct ovn_trace trace = {0};
    struct trace_explanation explanation = {0};
    struct ovn_nb *nb = NULL;
    struct ds output = DS_EMPTY_INITIALIZER;
    struct svec ovs_lines = SVEC_EMPTY_INITIALIZER;
    char *eth_dst = NULL, *microflow = NULL, dst_text[NET_ADDR_STRLEN];
    const char *protocol;
    int port, error;

    trace_facts_init(&facts);
    if (options->n_args < 2 || options->n_args > 4) {
        fprintf(stderr, "kubectl-kovn: trace NAMESPACE/POD DESTINATION "
                        "[tcp|udp|icmp] [PORT]\n");
        return CLI_EXIT_ERROR;
    }
    if (!options->ovn_nb || !options->ovn_sb) {
        fprintf(stderr, "kubectl-kovn: trace needs OVN NB and SB: --ovn-nb "
                        "and --ovn-sb (or $KOVN_OVN_NB and "
                        "$KOVN_OVN_SB)\n");
        return CLI_EXIT_ERROR;
    }
    error = parse_l4(options->args + 2, options->n_args - 2, &protocol, &port,
                     &err);
    if (!error) {
        error = cli_cluster_client(options->kubeconfig, options->context,
                                   &client, &err);
    }
    if (!error) {
        error = read_source(client, options->args[0], &src, &err);
    }
    if (!error) {
        error =
            read_destination(client, options->args[1], &src, port, &dst, &err);
    }
    if (!error) {
        loaded = true;
        error = cli_cluster_load(&cluster, client, options->default_vpc,
                                 options->default_subnet, 0, NULL, &err);
    }
    if (error) {
        goto out;
    }

    pkt.dst = dst.addr;
    if (!address_of_family(src.addresses, dst.addr.family, &pkt.src)) {
        error = kovn_error_set(&err, -EINVAL, "pod %s has no %s address",
                               src.key, net_family_name(dst.addr.family));
        goto out;
    }
    pkt.protocol = protocol ? protocol : dst.protocol ? dst.protocol : "tcp";
    pkt.dst_port = port ? port : dst.port ? dst.port : TRACE_DEFAULT_PORT;
    pkt.src_port = TRACE_SRC_PORT;
    if (strcmp(pkt.protocol, "tcp") && strcmp(pkt.protocol, "udp") &&
        strcmp(pkt.protocol, "icmp")) {
        error = kovn_error_set(&err, -EINVAL,
                               "protocol %s: trace knows tcp, udp and icmp",
                               pkt.protocol);
        goto out;
    }

    nb = ovn_nb_create(options->ovn_nb);
    error = ovn_nb_wait_ready(nb, CLI_OVN_TIMEOUT_MS, &err);
    if (error) {
        kovn_error_prefix(&err, "OVN NB %s: ", options->ovn_nb);
        goto out;
    }
    if (!ovn_switch_port_find(nb, src.port)) {
        error = kovn_error_set(&err, -ENOENT,
                               "pod %s has no Logical_Switch_Port %s in "
                               "OVN NB yet",
                               src.key, src.port);
        goto out;
    }
    error = next_hop_mac(nb, cluster.model, &src, &dst.addr, &eth_dst, &err);
    if (error) {
        goto out;
    }
    pkt.inport = src.port;
    pkt.eth_src = src.mac;
    pkt.eth_dst = eth_dst;
    microflow = trace_microflow(&pkt);

    cli_trace_nb_facts(nb, &facts);
    add_subnet_facts(cluster.model, &facts);
    net_addr_format(&dst.addr, dst_text);
    trace_facts_set_destination(&facts, dst_text, dst.service,
                                dst.service_vip);

    error = run_ovn_trace(options->ovn_sb, src.sw, microflow, &output, &err);
    if (options->verbose) {
        printf("$ ovn-trace --db=%s --ct=new (x%d) %s '%s'\n%s\n",
               options->ovn_sb, TRACE_CT_NEW, src.sw, microflow,
               ds_cstr(&output));
    }
    if (error) {
        goto out;
    }
    error = ovn_trace_parse(output.string, output.length, &trace, &err);
    if (error) {
        kovn_error_prefix(
            &err, "reading ovn-trace's output (%s): ", ds_cstr(&output));
        goto out;
    }
    trace_explain(&trace, &facts, &explanation);
    cli_trace_ovs(&(struct cli_trace_ovs_request){.ovs = options->ovs,
                                                  .node = src.node,
                                                  .port = src.port,
                                                  .packet = &pkt,
                                                  .facts = &facts,
                                                  .verbose = options->verbose},
                  &explanation, &ovs_lines);
    print_result(&src, &dst, &pkt, &explanation, &ovs_lines);

out:
    if (error) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
    }
    trace_explanation_destroy(&explanation);
    svec_destroy(&ovs_lines);
    ovn_trace_destroy(&trace);
    ds_destroy(&output);
    free(microflow);
    free(eth_dst);
    ovn_nb_destroy(nb);
    trace_facts_destroy(&facts);
    trace_dst_destroy(&dst);
    trace_pod_destroy(&src);
    if (loaded) {
        cli_cluster_destroy(&cluster);
    }
    kube_client_destroy(client);
    return error ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
