/* `kubectl kovn gc`: removes what nothing can use any more: orphaned
 * subnets no pod uses, and (with an OVN NB remote) kovn's OVN rows whose
 * owner is gone.  With --dry-run it only says what it would do.
 *
 * An orphan's finalizer is removed right after its deletion: the
 * finalizer exists so kovn-controller can remove the subnet's OVN rows
 * first, and an orphan, whose VPC is gone, has nothing there that the
 * stale-row cleanup (here, or the controller's) would not remove anyway.
 * Waiting for a controller that may not be running would leave the
 * subnet stuck deleting instead. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cluster.h"
#include "cli/commands.h"
#include "cli/orphans.h"
#include "cli/session.h"
#include "crd/names.h"
#include "kube/object.h"
#include "kube/rest.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"

/* A finalizer patch that keeps conflicting (someone else writing the
 * object at the same time) is retried this often before giving up. */
#define FINALIZER_ATTEMPTS 5

/* Pods named in a "skipped" line; the rest are counted. */
#define SKIP_PODS_SHOWN 3

enum delete_outcome {
    DELETED,
    ALREADY_GONE,
    REPLACED, /* A new subnet of the same name: not ours to delete. */
};

static char *
subnet_path(const char *name)
{
    return xasprintf("%s/subnets/%s", CRD_API_PATH, name);
}

/* Deletes subnet 'o' if it is still the object that was listed (its uid
 * is a precondition). */
static int
delete_subnet(struct kube_client *client, const struct cli_orphan *o,
              enum delete_outcome *outcome, struct kovn_error *err)
{
    struct json *body = json_object_create();
    struct json *preconditions = json_object_create();
    struct kube_response response;
    char *path = subnet_path(o->subnet);
    int error;

    json_object_put_string(body, "apiVersion", "v1");
    json_object_put_string(body, "kind", "DeleteOptions");
    if (o->uid && *o->uid) {
        json_object_put_string(preconditions, "uid", o->uid);
    }
    json_object_put(body, "preconditions", preconditions);
    error =
        kube_client_call(client, "DELETE", path, body, NULL, &response, err);
    json_destroy(body);
    if (!error) {
        if (response.status == 200 || response.status == 202) {
            *outcome = DELETED;
        } else if (response.status == 404) {
            *outcome = ALREADY_GONE;
        } else if (response.status == 409) {
            *outcome = REPLACED;
        } else {
            char *what = xasprintf("deleting subnet %s", o->subnet);
            error = cli_cluster_http_error(&response, what, NULL, err);
            free(what);
        }
    } else {
        kovn_error_prefix(err, "deleting subnet %s: ", o->subnet);
    }
    kube_response_destroy(&response);
    free(path);
    return error;
}

/* Removes kovn-controller's finalizer from the deleted subnet 'o' and
 * fills 'held' with the finalizers still holding it, if any.  The patch
 * carries the resourceVersion read, so a concurrent change is a 409 and
 * the subnet is read again. */
static int
release_subnet(struct kube_client *client, const struct cli_orphan *o,
               struct svec *held, struct kovn_error *err)
{
    struct kube_response r = {0};
    char *path = subnet_path(o->subnet);
    int error;

    for (int attempt = 1;; attempt++) {
        const char *uid;
        struct json *patch;

        kube_response_destroy(&r);
        error = kube_client_call(client, "GET", path, NULL, NULL, &r, err);
        if (error || r.status == 404) {
            break;
        }
        if (r.status != 200) {
            error = cli_cluster_http_error(&r, "reading it back", NULL, err);
            break;
        }
        uid = kube_object_uid(r.body);
        if (o->uid && *o->uid && (!uid || strcmp(uid, o->uid))) {
            break; /* Gone and recreated meanwhile: the new one is not ours. */
        }
        patch = kube_finalizer_remove_patch(r.body, CRD_FINALIZER);
        if (!patch) {
            cli_cluster_finalizers(r.body, held);
            break;
        }
        kube_response_destroy(&r);
        error = kube_client_call(client, "PATCH", path, patch,
                                 "application/merge-patch+json", &r, err);
        json_destroy(patch);
        if (error || r.status == 404) {
            break;
        }
        if (r.status == 200) {
            cli_cluster_finalizers(r.body, held);
            break;
        }
        if (r.status != 409) {
            error = cli_cluster_http_error(
                &r, "removing finalizer " CRD_FINALIZER, NULL, err);
            break;
        }
        if (attempt == FINALIZER_ATTEMPTS) {
            error = kovn_error_set(err, -EAGAIN,
                                   "removing finalizer " CRD_FINALIZER
                                   ": the subnet kept changing (409 "
                                   "Conflict %d times)",
                                   FINALIZER_ATTEMPTS);
            break;
        }
    }
    if (error) {
        kovn_error_prefix(err, "subnet %s: ", o->subnet);
    }
    kube_response_destroy(&r);
    free(path);
    return error;
}

static void
print_skipped(const struct cli_cluster *cluster, const struct cli_orphan *o)
{
    const struct sset *users = shash_find_data(&cluster->users, o->subnet);
    const char **pods;
    size_t n;

    if (o->waits_for_vpc) {
        printf("skipped subnet %s (orphan of vpc %s): annotated %s\n",
               o->subnet, o->vpc, CRD_ALLOW_MISSING_VPC);
        return;
    }
    n = sset_count(users);
    pods = sset_sort(users);
    printf("skipped subnet %s (orphan of vpc %s): used by %zu pod%s (",
           o->subnet, o->vpc, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n && i < SKIP_PODS_SHOWN; i++) {
        printf("%s%s", i ? ", " : "", pods[i]);
    }
    if (n > SKIP_PODS_SHOWN) {
        printf(", ...");
    }
    printf("); create vpc %s or move its pods\n", o->vpc);
    free(pods);
}

/* Deletes orphan 'o', or says it would.  Sets '*gone' when the subnet no
 * longer exists (or would not). */
static int
gc_orphan(struct kube_client *client, const struct cli_orphan *o, bool dry_run,
          bool *gone, struct kovn_error *err)
{
    struct svec held = SVEC_EMPTY_INITIALIZER;
    enum delete_outcome outcome = DELETED;
    int error;

    *gone = false;
    if (dry_run) {
        printf("would delete subnet %s (orphan of vpc %s)\n", o->subnet,
               o->vpc);
        *gone = true;
        return 0;
    }
    error = delete_subnet(client, o, &outcome, err);
    if (error) {
        return error;
    }
    switch (outcome) {
    case REPLACED:
        printf("skipped subnet %s (orphan of vpc %s): replaced by a new "
               "subnet of the same name since it was listed\n",
               o->subnet, o->vpc);
        return 0;
    case ALREADY_GONE:
        printf("subnet %s (orphan of vpc %s) was already gone\n", o->subnet,
               o->vpc);
        break;
    case DELETED:
        error = release_subnet(client, o, &held, err);
        if (error) {
            break;
        }
        printf("deleted subnet %s (orphan of vpc %s)", o->subnet, o->vpc);
        if (held.n) {
            char *list = svec_join(&held, ", ", "");
            printf("; still held by finalizer%s %s", held.n == 1 ? "" : "s",
                   list);
            free(list);
        }
        printf("\n");
        break;
    }
    svec_destroy(&held);
    *gone = !error;
    return error;
}

/* Deletes the orphans no pod uses; returns the number of failures.  Each
 * orphan deleted (or that would be) leaves the model, so that its OVN rows
 * count as stale next. */
static int
gc_orphans(struct kube_client *client, struct cli_cluster *cluster,
           bool dry_run)
{
    struct cli_orphan *orphans;
    int failures = 0;
    size_t n;

    orphans = cli_orphans_collect(cluster, time(NULL), &n);
    for (size_t i = 0; i < n; i++) {
        const struct cli_orphan *o = &orphans[i];
        struct kovn_error err = {0};
        bool gone;

        if (o->waits_for_vpc || o->pods) {
            print_skipped(cluster, o);
        } else if (gc_orphan(client, o, dry_run, &gone, &err)) {
            fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
            failures++;
        } else if (gone) {
            /* 'o->subnet' points into the subnet being removed. */
            char *name = xstrdup(o->subnet);
            crd_model_remove_subnet(cluster->model, name);
            free(name);
        }
    }
    cli_orphans_free(orphans, n);
    return failures;
}

static int
gc_stale_rows(struct cli_stale *stale, const struct cli_cluster *cluster,
              bool dry_run)
{
    struct ovn_stale_list rows = {NULL, 0, 0};
    struct kovn_error err = {0};
    int failures = 0;

    cli_stale_find(stale, cluster, &rows);
    if (!dry_run && cli_stale_delete(stale, &rows, &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        failures++;
    } else {
        for (size_t i = 0; i < rows.n; i++) {
            const struct ovn_stale_row *row = &rows.rows[i];
            char *name = cli_stale_row_name(row);

            printf("%s %s %s (owner %s %s gone)\n",
                   dry_run ? "would delete" : "deleted", row->table, name,
                   row->owner_kind, row->owner_name);
            free(name);
        }
    }
    ovn_stale_list_destroy(&rows);
    return failures;
}

int
cli_gc_command(const struct cli_options *options)
{
    struct kovn_error err = {0};
    struct cli_session session;
    int failures;

    if (cli_session_open(&session, options, CLI_LOAD_USERS, &err)) {
        fprintf(stderr, "kubectl-kovn: %s\n", err.msg);
        cli_session_close(&session);
        return CLI_EXIT_ERROR;
    }
    failures = gc_orphans(session.client, &session.cluster, options->dry_run);
    if (session.ovn) {
        failures +=
            gc_stale_rows(&session.stale, &session.cluster, options->dry_run);
    }
    cli_session_close(&session);
    return failures ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
