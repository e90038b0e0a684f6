/* Lease-based leader election; see lease.h. */
#include <config.h>

#include "kube/lease.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "kube/rest.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(kube_lease);

struct kube_lease {
    struct kube_client *client;
    struct kube_lease_options options;
    char *path;       /* The Lease object. */
    char *collection; /* Its collection, for create. */
    char *identity;
    struct json *owner_references; /* Or NULL. */

    bool leader;
    bool in_flight;
    struct kube_request *request; /* The one in flight, if any. */
    long long next_try;
    long long last_renew; /* Local time of our last successful renew. */

    /* What we last saw of another holder's record, and when it changed. */
    char *observed_record;
    long long observed_at;
};

static void
micro_time_now(char buf[40])
{
    struct timeval tv;
    struct tm tm;

    size_t n;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 40 - n, ".%06uZ", (unsigned int)tv.tv_usec % 1000000);
}

struct kube_lease *
kube_lease_create(struct kube_client *client,
                  const struct kube_lease_options *options)
{
    struct kube_lease *lease = xzalloc(sizeof *lease);
    char host[256];

    lease->client = client;
    lease->options = *options;
    if (!lease->options.lease_duration_ms) {
        lease->options.lease_duration_ms = 15000;
    }
    if (!lease->options.renew_deadline_ms) {
        lease->options.renew_deadline_ms = 10000;
    }
    if (!lease->options.retry_period_ms) {
        lease->options.retry_period_ms = 2000;
    }
    if (options->identity) {
        lease->identity = xstrdup(options->identity);
    } else {
        if (gethostname(host, sizeof host)) {
            strcpy(host, "unknown");
        }
        host[sizeof host - 1] = '\0';
        lease->identity = xasprintf("%s_%ld", host, (long)getpid());
    }
    lease->collection =
        xasprintf("/apis/coordination.k8s.io/v1/namespaces/%s/leases",
                  options->namespace);
    lease->path = xasprintf("%s/%s", lease->collection, options->name);
    lease->owner_references = options->owner_references
                                  ? json_clone(options->owner_references)
                                  : NULL;
    lease->options.owner_references = NULL;
    lease->next_try = time_msec();
    return lease;
}

static void
set_leader(struct kube_lease *lease, bool leader)
{
    if (lease->leader == leader) {
        return;
    }
    lease->leader = leader;
    VLOG_INFO("%s %s leadership of lease %s/%s", lease->identity,
              leader ? "acquired" : "lost", lease->options.namespace,
              lease->options.name);
    if (leader && lease->options.started_leading) {
        lease->options.started_leading(lease->options.aux);
    } else if (!leader && lease->options.stopped_leading) {
        lease->options.stopped_leading(lease->options.aux);
    }
}

void
kube_lease_destroy(struct kube_lease *lease)
{
    if (!lease) {
        return;
    }
    set_leader(lease, false);
    if (lease->in_flight && lease->request) {
        kube_request_cancel(lease->request);
    }
    free(lease->path);
    free(lease->collection);
    free(lease->identity);
    json_destroy(lease->owner_references);
    free(lease->observed_record);
    free(lease);
}

static struct json *
lease_body(const struct kube_lease *lease, const char *resource_version,
           const char *acquire_time, long long transitions)
{
    struct json *metadata = json_object_create();
    struct json *spec = json_object_create();
    struct json *body = json_object_create();
    char now[40];

    micro_time_now(now);
    json_object_put_string(metadata, "name", lease->options.name);
    json_object_put_string(metadata, "namespace", lease->options.namespace);
    if (resource_version) {
        json_object_put_string(metadata, "resourceVersion", resource_version);
    }
    if (lease->owner_references) {
        json_object_put(metadata, "ownerReferences",
                        json_clone(lease->owner_references));
    }
    json_object_put_string(spec, "holderIdentity", lease->identity);
    json_object_put(
        spec, "leaseDurationSeconds",
        json_integer_create((lease->options.lease_duration_ms + 999) / 1000));
    json_object_put_string(spec, "acquireTime",
                           acquire_time ? acquire_time : now);
    json_object_put_string(spec, "renewTime", now);
    json_object_put(spec, "leaseTransitions",
                    json_integer_create(transitions));
    json_object_put_string(body, "apiVersion", "coordination.k8s.io/v1");
    json_object_put_string(body, "kind", "Lease");
    json_object_put(body, "metadata", metadata);
    json_object_put(body, "spec", spec);
    return body;
}

static void
write_done(struct kube_response *response, void *lease_)
{
    struct kube_lease *lease = lease_;

    lease->in_flight = false;
    lease->request = NULL;
    if (!response->error &&
        (response->status == 200 || response->status == 201)) {
        lease->last_renew = time_msec();
        set_leader(lease, true);
    } else {
        /* 409: someone else wrote first; anything else: try again. */
        VLOG_DBG("lease write: %ld %s", response->status, response->message);
    }
}

static void
read_done(struct kube_response *response, void *lease_)
{
    struct kube_lease *lease = lease_;
    const struct json *spec, *metadata;
    const char *holder = NULL, *renew = NULL, *rv = NULL, *acquire = NULL;
    long long transitions = 0;
    struct json *body;

    lease->in_flight = false;
    lease->request = NULL;
    if (response->error ||
        (response->status != 200 && response->status != 404)) {
        return;
    }
    if (response->status == 404) {
        body = lease_body(lease, NULL, NULL, 0);
        lease->in_flight = true;
        lease->request =
            kube_client_send(lease->client, "POST", lease->collection, body,
                             NULL, write_done, lease);
        json_destroy(body);
        return;
    }
    spec = json_member(response->body, "spec");
    metadata = json_member(response->body, "metadata");
    json_member_string(spec, "holderIdentity", "", &holder, NULL);
    json_member_string(spec, "renewTime", "", &renew, NULL);
    json_member_string(spec, "acquireTime", "", &acquire, NULL);
    json_member_string(metadata, "resourceVersion", "", &rv, NULL);
    const struct json *t = json_member(spec, "leaseTransitions");
    if (t && t->type == JSON_INTEGER) {
        transitions = json_integer(t);
    }

    bool ours = holder && !strcmp(holder, lease->identity);
    if (!ours && holder && *holder) {
        /* Someone else's lease: it expires only after it stayed the same
         * for a whole lease duration as measured here. */
        char *record = xasprintf("%s|%s", holder, renew ? renew : "");

        if (!lease->observed_record ||
            strcmp(record, lease->observed_record)) {
            free(lease->observed_record);
            lease->observed_record = record;
            lease->observed_at = time_msec();
        } else {
            free(record);
        }
        if (time_msec() - lease->observed_at <
            lease->options.lease_duration_ms) {
            set_leader(lease, false);
            return;
        }
    }
    body = lease_body(lease, rv, ours ? acquire : NULL,
                      ours ? transitions : transitions + 1);
    lease->in_flight = true;
    lease->request = kube_client_send(lease->client, "PUT", lease->path, body,
                                      NULL, write_done, lease);
    json_destroy(body);
}

int
kube_lease_release(struct kube_lease *lease)
{
    struct kube_response response;
    const char *holder = NULL, *rv = NULL, *acquire = NULL;
    struct kovn_error err;
    int error;

    if (!lease->leader) {
        return 0;
    }
    if (lease->in_flight && lease->request) {
        kube_request_cancel(lease->request);
        lease->in_flight = false;
        lease->request = NULL;
    }
    set_leader(lease, false);
    error = kube_client_call(lease->client, "GET", lease->path, NULL, NULL,
                             &response, &err);
    if (error || response.status != 200) {
        kube_response_destroy(&response);
        return error ? error : -EPROTO;
    }
    json_member_string(json_member(response.body, "spec"), "holderIdentity",
                       "", &holder, NULL);
    json_member_string(json_member(response.body, "spec"), "acquireTime", "",
                       &acquire, NULL);
    json_member_string(json_member(response.body, "metadata"),
                       "resourceVersion", "", &rv, NULL);
    if (holder && !strcmp(holder, lease->identity)) {
        struct json *body = lease_body(lease, rv, acquire, 0);
        struct json *spec = shash_find_data(json_object(body), "spec");
        const struct json *t = json_member(json_member(response.body, "spec"),
                                           "leaseTransitions");
        struct kube_response put;

        /* An empty holder is free for the taking; keep the count. */
        json_object_put_string(spec, "holderIdentity", "");
        json_object_put(spec, "leaseDurationSeconds", json_integer_create(1));
        if (t && t->type == JSON_INTEGER) {
            json_object_put(spec, "leaseTransitions",
                            json_integer_create(json_integer(t)));
        }
        error = kube_client_call(lease->client, "PUT", lease->path, body, NULL,
                                 &put, &err);
        if (!error && put.status != 200) {
            error = -EPROTO;
        }
        if (!error) {
            VLOG_INFO("%s released lease %s/%s", lease->identity,
                      lease->options.namespace, lease->options.name);
        }
        kube_response_destroy(&put);
        json_destroy(body);
    }
    kube_response_destroy(&response);
    return error;
}

void
kube_lease_run(struct kube_lease *lease)
{
    long long now = time_msec();

    if (lease->leader &&
        now - lease->last_renew > lease->options.renew_deadline_ms) {
        /* Could not renew in time: step down before the lease can expire
         * for others, so two leaders never overlap. */
        set_leader(lease, false);
    }
    if (!lease->in_flight && now >= lease->next_try) {
        lease->in_flight = true;
        lease->next_try = now + lease->options.retry_period_ms;
        lease->request = kube_client_send(lease->client, "GET", lease->path,
                                          NULL, NULL, read_done, lease);
    }
}

void
kube_lease_wait(struct kube_lease *lease)
{
    if (!lease->in_flight) {
        poll_timer_wait_until(lease->next_try);
    }
    if (lease->leader) {
        poll_timer_wait_until(lease->last_renew +
                              lease->options.renew_deadline_ms + 1);
    }
}

bool
kube_lease_is_leader(const struct kube_lease *lease)
{
    return lease->leader;
}

const char *
kube_lease_identity(const struct kube_lease *lease)
{
    return lease->identity;
}
