/* The CNI side of kovn: the facts of the CNI spec (commands, versions,
 * well-known error codes, network config, CNI_ARGS, result format) and the
 * wire protocol between the kovn-cni plugin and kovn-daemon.
 *
 * The wire protocol is one JSON object per line ('\n'-terminated, at most
 * CNI_LINE_MAX bytes) over a unix stream socket, one request and one
 * response per connection:
 *
 *   request:  {"command":"ADD|DEL|CHECK|STATUS|GC", "containerId":"...",
 *              "netns":"/var/run/netns/x", "ifname":"eth0",
 *              "podNamespace":"ns", "podName":"pod", "cniVersion":"1.0.0",
 *              "config":{...the whole network config from stdin...}}
 *   response: {"result":{...CNI result...}}   (ADD)
 *             {} or {"result":null}           (DEL, CHECK, STATUS, GC)
 *             {"error":{"code":N,"msg":"...","details":"..."}}
 *
 * VERSION never reaches the daemon: the plugin answers it itself.
 *
 * Everything a peer sends is parsed into the typed structs below at the
 * boundary, with hard limits on sizes and counts, so that the plugin and the
 * daemon work on checked data.  Parse functions return 0 or a negative errno
 * with a message in 'err' naming the field:
 *   -EBADMSG          a line that is not JSON, or a config, request or
 *                     response that is not a JSON object
 *   -E2BIG            a line, a string or a list over its limit
 *   -EPROTONOSUPPORT  a cniVersion this plugin does not speak
 *   -EINVAL           anything else that is wrong
 * and always leave their output safe to destroy. */
#ifndef KOVN_CNI_PROTOCOL_H
#define KOVN_CNI_PROTOCOL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "net/addr.h"
#include "net/cidr.h"
#include "net/mac.h"
#include "openvswitch/shash.h"
#include "svec.h"

struct json;
struct kovn_error;

/* Where kovn-daemon listens unless the network config says otherwise. */
#define CNI_DEFAULT_SOCKET "/run/kovn/cni.sock"
/* The plugin binary's name, which is the "type" in the network config. */
#define CNI_PLUGIN_TYPE "kovn-cni"

/* Longest wire message, not counting its '\n'. */
#define CNI_LINE_MAX (1024 * 1024)
/* Longest network config the plugin reads from stdin: half a line, room for
 * the request around it and for most reformatting (see
 * cni_request_to_line()). */
#define CNI_CONFIG_MAX (CNI_LINE_MAX / 2)
/* Linux interface names are at most IFNAMSIZ - 1 bytes. */
#define CNI_IFNAME_MAX       15
#define CNI_CONTAINER_ID_MAX 256
#define CNI_PATH_MAX         4095
/* sun_path is 108 bytes including the terminating null. */
#define CNI_SOCKET_PATH_MAX    107
#define CNI_ARGS_MAX           65536
#define CNI_ARGS_PAIRS_MAX     64
#define CNI_GC_ATTACHMENTS_MAX 65536
/* Interfaces, IPs, DNS entries in a result. */
#define CNI_RESULT_ITEMS_MAX  64
#define CNI_RESULT_ROUTES_MAX 1024
/* "msg" and "details" of an error. */
#define CNI_MSG_MAX 4096

enum cni_command {
    CNI_ADD,
    CNI_DEL,
    CNI_CHECK,
    CNI_STATUS,
    CNI_GC,
    CNI_VERSION,
};

/* "ADD", "DEL", ... */
const char *cni_command_to_string(enum cni_command);
/* Exact, case-sensitive match, as the spec defines CNI_COMMAND values. */
bool cni_command_from_string(const char *s, enum cni_command *out);

/* Well-known error codes of the CNI spec; 100 and up are the plugin's. */
enum cni_error_code {
    CNI_ERR_INCOMPATIBLE_VERSION = 1,
    CNI_ERR_UNSUPPORTED_FIELD = 2,
    CNI_ERR_UNKNOWN_CONTAINER = 3,
    CNI_ERR_INVALID_ENV = 4,
    CNI_ERR_IO = 5,
    CNI_ERR_DECODE = 6,
    CNI_ERR_INVALID_CONFIG = 7,
    CNI_ERR_TRY_AGAIN_LATER = 11,
    /* STATUS only (spec 1.1.0). */
    CNI_ERR_NOT_AVAILABLE = 50,
    CNI_ERR_NOT_AVAILABLE_LIMITED = 51,
    /* kovn-daemon failed to do what was asked (plumbing, IPAM, timeout
     * waiting for flows); its message says what. */
    CNI_ERR_DAEMON = 100,
};

/* Spec versions kovn-cni speaks, oldest first. */
extern const char *const cni_supported_versions[];
extern const size_t cni_n_supported_versions;
/* The newest of them, used where no version was asked for. */
#define CNI_LATEST_VERSION "1.1.0"

bool cni_version_supported(const char *version);
/* Whether spec 'version' (supported) has 'command': CHECK came with 0.4.0,
 * STATUS and GC with 1.1.0.  A runtime that sends CHECK under an older
 * config gets "incompatible CNI version", as the spec's reference plugins
 * answer. */
bool cni_version_has_command(const char *version, enum cni_command);
/* The first version with 'command'. */
const char *cni_command_min_version(enum cni_command);

/* Name and content checks shared by the plugin (on its environment) and the
 * daemon (on requests).  Each returns 0 or -EINVAL/-E2BIG with a message
 * starting with 'what' (e.g. "CNI_IFNAME"). */
/* The spec's interface name rules: 1..15 bytes, not "." or "..", no '/',
 * ':' or whitespace. */
int cni_ifname_check(const char *what, const char *ifname,
                     struct kovn_error *);
/* Container IDs and network names: an alphanumeric first character, then
 * alphanumerics, '_', '.' or '-'. */
int cni_container_id_check(const char *what, const char *id,
                           struct kovn_error *);
/* An absolute path of at most CNI_PATH_MAX bytes. */
int cni_path_check(const char *what, const char *path, struct kovn_error *);

/* One element of "cni.dev/valid-attachments" in a GC config. */
struct cni_attachment {
    char *container_id;
    char *ifname;
};

/* The network config the runtime writes to the plugin's stdin. */
struct cni_config {
    struct json *json; /* The whole object, forwarded to the daemon as is. */
    char *cni_version; /* Supported (else parsing fails). */
    char *name;
    char *type;          /* Always CNI_PLUGIN_TYPE. */
    char *daemon_socket; /* CNI_DEFAULT_SOCKET when not set. */
    unsigned int mtu;    /* 0: not set. */
    char *log_file;      /* NULL: no log file. */

    /* Members of 'json', NULL when absent.  prevResult is only checked to be
     * an object here: a DEL must not fail on a stale or foreign prevResult,
     * and the daemon parses it with cni_result_from_json() when it needs
     * it. */
    const struct json *prev_result;
    const struct json *runtime_config;

    /* GC: the attachments the runtime still knows.  'has_valid_attachments'
     * tells an empty list (delete everything) from an absent one (delete
     * nothing: GC refuses to run without it). */
    bool has_valid_attachments;
    struct cni_attachment *valid_attachments;
    size_t n_valid_attachments;
};

void cni_config_init(struct cni_config *);
void cni_config_destroy(struct cni_config *);
/* Parses and checks 'json'; 'out' takes a reference to it. */
int cni_config_from_json(const struct json *json, struct cni_config *out,
                         struct kovn_error *);

/* CNI_ARGS: "K=V;K=V".  Keys are [A-Za-z0-9_]+, a value runs to the next ';'
 * and may contain '='; empty pairs (";;", a trailing ';') are skipped; a key
 * given twice is an error.  At most CNI_ARGS_MAX bytes and
 * CNI_ARGS_PAIRS_MAX pairs. */
struct cni_args {
    struct shash pairs; /* Key -> char * value, all of them. */
    /* Values of the Kubernetes keys in 'pairs', NULL when absent. */
    const char *pod_namespace;          /* K8S_POD_NAMESPACE */
    const char *pod_name;               /* K8S_POD_NAME */
    const char *pod_infra_container_id; /* K8S_POD_INFRA_CONTAINER_ID */
};

void cni_args_init(struct cni_args *);
void cni_args_destroy(struct cni_args *);
/* 'text' NULL or "" is no arguments. */
int cni_args_parse(const char *text, struct cni_args *out,
                   struct kovn_error *);

/* A request from the plugin to the daemon. */
struct cni_request {
    enum cni_command command; /* Never CNI_VERSION. */
    /* ADD, DEL, CHECK only, NULL otherwise. */
    char *container_id;
    char *netns; /* Required for ADD and CHECK, optional for DEL. */
    char *ifname;
    char *pod_namespace; /* Required for ADD. */
    char *pod_name;      /* Required for ADD. */
    char *cni_version;   /* Equal to config.cni_version. */
    struct cni_config config;
};

void cni_request_init(struct cni_request *);
void cni_request_destroy(struct cni_request *);

/* Checks what each command requires:
 *   - ADD, CHECK, DEL: a valid containerId and ifname; for ADD and CHECK an
 *     absolute netns.  DEL takes its netns as it comes, or none: the spec
 *     wants DEL to clean up what it can and succeed, and the daemon uses it
 *     only for best-effort cleanup.
 *   - ADD: podNamespace and podName (from K8S_POD_NAMESPACE/K8S_POD_NAME),
 *     as a Kubernetes namespace (DNS label) and pod name (DNS subdomain).
 *   - CHECK: a prevResult in the config (the spec makes it mandatory).
 *   - GC: "cni.dev/valid-attachments" in the config.
 *   - all: cniVersion supported, equal to the config's and with the
 *     command (-EPROTONOSUPPORT otherwise). */
int cni_request_validate(const struct cni_request *, struct kovn_error *);

/* Parses and validates a request object; the daemon's side. */
int cni_request_from_json(const struct json *, struct cni_request *out,
                          struct kovn_error *);
struct json *cni_request_to_json(const struct cni_request *);

/* A line ('\n'-terminated or not) of at most CNI_LINE_MAX bytes to a
 * request; NUL bytes in it are -EBADMSG. */
int cni_request_from_line(const char *line, size_t len,
                          struct cni_request *out, struct kovn_error *);
/* The request as one '\n'-terminated line in '*out' (malloc'd), or -E2BIG
 * when it would be longer than CNI_LINE_MAX (a config with numbers
 * like 9e15 grows when reformatted). */
int cni_request_to_line(const struct cni_request *, char **out,
                        struct kovn_error *);

/* A CNI result: what ADD returns, and prevResult.  Addresses are parsed, so
 * that a result is formatted canonically and consistently (an IP's gateway
 * has its family, its interface index points into 'interfaces'). */
struct cni_interface {
    char *name;
    bool has_mac;
    struct net_mac mac;
    char *sandbox;    /* netns path; NULL for a host interface. */
    unsigned int mtu; /* 0: not set.  Written for spec 1.1.0 and later. */
};

struct cni_ip {
    struct net_cidr address; /* Host bits set: "10.16.0.5/16". */
    bool has_gateway;
    struct net_addr gateway;
    int interface; /* Index into 'interfaces', -1: none. */
};

struct cni_route {
    struct net_cidr dst; /* A network: host bits clear. */
    bool has_gw;
    struct net_addr gw;
};

struct cni_dns {
    struct svec nameservers; /* Addresses. */
    char *domain;            /* NULL: not set. */
    struct svec search;
    struct svec options;
};

struct cni_result {
    struct cni_interface *interfaces;
    size_t n_interfaces;
    struct cni_ip *ips;
    size_t n_ips;
    struct cni_route *routes;
    size_t n_routes;
    struct cni_dns dns;
};

void cni_result_init(struct cni_result *);
void cni_result_destroy(struct cni_result *);

/* Builders for the daemon; return the new element's index.  'mac',
 * 'sandbox', 'gateway' and 'gw' may be NULL. */
size_t cni_result_add_interface(struct cni_result *, const char *name,
                                const struct net_mac *mac,
                                const char *sandbox);
size_t cni_result_add_ip(struct cni_result *, const struct net_cidr *address,
                         const struct net_addr *gateway, int interface);
size_t cni_result_add_route(struct cni_result *, const struct net_cidr *dst,
                            const struct net_addr *gw);

/* Accepts the result formats of every supported version ("version" in ips
 * before 1.0.0, checked against the address when present); unknown members
 * are ignored. */
int cni_result_from_json(const struct json *, struct cni_result *out,
                         struct kovn_error *);
/* The result in the format of spec 'cni_version' (which must be
 * supported), with "cniVersion" set to it. */
struct json *cni_result_to_json(const struct cni_result *,
                                const char *cni_version);

/* The "code", "msg" and "details" of a CNI error. */
struct cni_error {
    int code;      /* 1 and up. */
    char *msg;     /* Never NULL in a parsed or set error. */
    char *details; /* NULL: none. */
};

/* The spec's error object, {"cniVersion","code","msg"[,"details"]}, which
 * the plugin prints on stdout when it fails. */
struct json *cni_error_to_json(const struct cni_error *,
                               const char *cni_version);

/* The VERSION answer: {"cniVersion","supportedVersions"}. */
struct json *cni_version_info_to_json(const char *cni_version);

/* The daemon's answer: an error when 'error.code' is nonzero, otherwise a
 * success with a result (ADD) or without one. */
struct cni_response {
    struct cni_error error;
    bool has_result;
    struct cni_result result;
};

void cni_response_init(struct cni_response *);
void cni_response_destroy(struct cni_response *);
/* Makes 'r' an error response, truncating 'msg' and 'details' (NULL: none)
 * to CNI_MSG_MAX bytes. */
void cni_response_set_error(struct cni_response *r, int code, const char *msg,
                            const char *details);

/* The wire object.  The result carries the cniVersion of the request it
 * answers; 'cni_version' is ignored for responses without one. */
struct json *cni_response_to_json(const struct cni_response *,
                                  const char *cni_version);
int cni_response_from_json(const struct json *, struct cni_response *out,
                           struct kovn_error *);
/* As for requests; a response line is never longer than CNI_LINE_MAX. */
char *cni_response_to_line(const struct cni_response *,
                           const char *cni_version);
int cni_response_from_line(const char *line, size_t len,
                           struct cni_response *out, struct kovn_error *);

#endif /* KOVN_CNI_PROTOCOL_H */
