/* kovn's dependency graph: for every output the controller keeps (a
 * namespace's annotations, a subnet's status and OVN rows, a VPC's status
 * and router, a pod's or node's wiring), which inputs it reads, declared
 * once in one table (deps.c), in the manner of ovn-northd's incremental
 * engine.
 *
 * An edge names an input kind, an output kind and a handler that says
 * which output keys an input object is relevant to in the current state
 * of the model.  An edge without a handler means "recompute": every key
 * of the output is marked.  A change is reported twice, before and after
 * it is applied to the model (deps_change_begin() / deps_change_end()),
 * and the keys of both states are marked: an output whose computation
 * read the object in the old state, or will read it in the new one, is
 * dirty, which is every output the change can alter.
 *
 * An edge may also name a view: the fields of its input that the output
 * reads.  When the view is the same before and after (a status write, a
 * finalizer), the edge marks nothing.
 *
 * Pure: nothing here talks to a server.  The controller routes marks to
 * its work queues; the unit test routes them to a model of those queues
 * and checks every output against a from-scratch computation. */
#ifndef KOVN_CRD_DEPS_H
#define KOVN_CRD_DEPS_H 1

#include <stdbool.h>

struct crd_ip;
struct crd_model;
struct crd_netpols;
struct smap;

enum deps_input {
    DEPS_IN_NAMESPACE, /* key: name; its labels */
    DEPS_IN_SUBNET,    /* key: name; read from the model */
    DEPS_IN_VPC,       /* key: name; read from the model */
    DEPS_IN_IPPOOL,    /* key: name; read from the model */
    DEPS_IN_IP,        /* key: name; object: struct crd_ip */
    DEPS_IN_POD,       /* key: "namespace/name"; object: its JSON */
    DEPS_IN_NODE,      /* key: name; object: its JSON */
    DEPS_IN_SERVICE,   /* key: "namespace/name" */
    DEPS_IN_ENDPOINTS, /* key: "namespace/name", its Service's */
    DEPS_IN_NETPOL,    /* key: "namespace/name"; read from world->netpols */
    DEPS_N_INPUTS
};

enum deps_output {
    DEPS_OUT_NAMESPACE, /* a namespace's ovn.kubernetes.io annotations */
    DEPS_OUT_SUBNET,    /* a subnet's status, conditions and OVN rows */
    DEPS_OUT_VPC,       /* a VPC's status, finalizer and router */
    DEPS_OUT_POD,       /* a pod's address, port and IP object */
    DEPS_OUT_NODE,      /* a node's join address and port */
    DEPS_OUT_SERVICE,   /* a Service's VIPs in the load balancers */
    DEPS_OUT_NETPOL,    /* a NetworkPolicy's port group, sets and ACLs */
    DEPS_N_OUTPUTS
};

const char *deps_input_name(enum deps_input input);
const char *deps_output_name(enum deps_output output);

typedef void deps_namespace_fn(const char *ns, const struct smap *labels,
                               void *aux);
typedef void deps_pod_fn(const char *pod, void *aux);

/* What the graph reads besides the model: the namespaces and their labels
 * (for namespace selectors), the pods waiting for an address, and the names
 * with a meaning of their own. */
struct deps_world {
    const struct crd_model *model;
    const char *join_subnet;
    /* Calls 'fn' for every namespace. */
    void (*for_each_namespace)(const void *world_aux, deps_namespace_fn *fn,
                               void *aux);
    /* Calls 'fn' with the key of each pod of namespace 'ns' (of every
     * namespace if 'ns' is NULL) whose allocation failed: what it gets
     * next depends on its namespace's binding.  May be NULL. */
    void (*for_each_waiting_pod)(const void *world_aux, const char *ns,
                                 deps_pod_fn *fn, void *aux);
    /* The NetworkPolicies (crd/netpol.h), kept in step with their
     * informer.  May be NULL: no policy. */
    const struct crd_netpols *netpols;
    const void *aux;
};

/* Where marks go. */
struct deps_sink {
    /* 'key' of 'output' may have changed; reconcile it no sooner than
     * 'delay_ms' from now (an edge's batching, e.g. address counts). */
    void (*mark)(void *aux, enum deps_output output, const char *key,
                 long long delay_ms);
    /* Every key of 'output' may have changed. */
    void (*mark_all)(void *aux, enum deps_output output);
    void *aux;
};

struct deps_change;

/* Reports a change of input 'key' of kind 'input' before it is applied
 * to the model.  'object' is the input's typed form where the model does
 * not hold it (DEPS_IN_IP: struct crd_ip; DEPS_IN_NAMESPACE: struct smap
 * of labels; DEPS_IN_POD, DEPS_IN_NODE: the informer's pruned JSON), or
 * NULL when absent or not needed. */
struct deps_change *deps_change_begin(const struct deps_world *world,
                                      enum deps_input input, const char *key,
                                      const void *object);
/* After the change is applied: marks into 'sink' every output key the
 * change can affect and frees 'change'.  Returns true if the change
 * altered what other objects see of the input (a view), false if only the
 * input itself is affected (a status write, a finalizer). */
bool deps_change_end(struct deps_change *change, const void *object,
                     const struct deps_sink *sink);

/* The table, for documentation and tests: calls 'fn' for each edge. */
void deps_for_each_edge(void (*fn)(enum deps_input, enum deps_output,
                                   bool incremental, void *aux),
                        void *aux);

#endif /* KOVN_CRD_DEPS_H */
