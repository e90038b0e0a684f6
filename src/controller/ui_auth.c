/* TokenReview + SubjectAccessReview for /ui, with a cache; see ui_auth.h. */
#include <config.h>

#include "controller/ui_auth.h"

#include <string.h>

#include "kube/api.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sha1.h"
#include "timeval.h"
#include "util.h"
#include "json/access.h"

VLOG_DEFINE_THIS_MODULE(ui_auth);

#define TOKEN_REVIEWS  "/apis/authentication.k8s.io/v1/tokenreviews"
#define ACCESS_REVIEWS "/apis/authorization.k8s.io/v1/subjectaccessreviews"

struct waiter {
    ui_auth_fn *done;
    void *aux;
};

/* One token's answer, or the reviews under way for it. */
struct entry {
    struct ui_auth *auth;
    char *key; /* Hash of the token. */
    bool settled;
    enum ui_auth_verdict verdict;
    char *why;
    long long expires_ms;
    struct kube_request *request; /* While not settled. */
    char *user;                   /* From the TokenReview, for messages. */
    struct waiter *waiters;
    size_t n_waiters, allocated_waiters;
};

struct ui_auth {
    struct kube_client *client;
    struct shash entries; /* Hash -> struct entry. */
};

struct ui_auth *
ui_auth_create(struct kube_client *client)
{
    struct ui_auth *auth = xzalloc(sizeof *auth);

    auth->client = client;
    shash_init(&auth->entries);
    return auth;
}

static void
entry_free(struct entry *e)
{
    free(e->key);
    free(e->why);
    free(e->user);
    free(e->waiters);
    free(e);
}

/* Settles 'e' and calls its waiters.  A verdict that says nothing about
 * the token (UI_AUTH_UNAVAILABLE) is forgotten at once. */
static void
settle(struct entry *e, enum ui_auth_verdict verdict, const char *why)
{
    struct waiter *waiters = e->waiters;
    size_t n = e->n_waiters;

    e->settled = true;
    e->request = NULL;
    e->verdict = verdict;
    e->why = xstrdup(why);
    e->expires_ms =
        time_msec() + (verdict == UI_AUTH_ALLOWED ? UI_AUTH_ALLOW_TTL_MS
                                                  : UI_AUTH_DENY_TTL_MS);
    e->waiters = NULL;
    e->n_waiters = e->allocated_waiters = 0;
    if (verdict == UI_AUTH_UNAVAILABLE) {
        shash_find_and_delete(&e->auth->entries, e->key);
    }
    VLOG_DBG("ui access: %s", why);
    for (size_t i = 0; i < n; i++) {
        waiters[i].done(verdict, e->why, waiters[i].aux);
    }
    free(waiters);
    if (verdict == UI_AUTH_UNAVAILABLE) {
        entry_free(e);
    }
}

static void
access_reviewed(struct kube_response *response, void *e_)
{
    struct entry *e = e_;
    bool allowed = false;
    char *why;

    if (response->status != 201 && response->status != 200) {
        why = xasprintf("SubjectAccessReview failed: %s",
                        *response->message ? response->message : "no answer");
        settle(e, UI_AUTH_UNAVAILABLE, why);
        free(why);
        return;
    }
    json_member_bool(json_member(response->body, "status"), "allowed", "",
                     &allowed, NULL);
    why = xasprintf("user %s %s list subnets.kubeovn.io", e->user,
                    allowed ? "may" : "may not");
    settle(e, allowed ? UI_AUTH_ALLOWED : UI_AUTH_FORBIDDEN, why);
    free(why);
}

/* The SubjectAccessReview of 'user' (TokenReview's status.user): may it
 * list subnets? */
static struct json *
access_review(const struct json *user)
{
    struct json *spec = json_object_create();
    struct json *attrs = json_object_create();
    struct json *review = json_object_create();
    static const char *const copied[] = {"uid", "groups", "extra"};
    const char *username = NULL;

    json_member_string(user, "username", "", &username, NULL);
    json_object_put_string(spec, "user", username ? username : "");
    for (size_t i = 0; i < ARRAY_SIZE(copied); i++) {
        const struct json *value = json_member(user, copied[i]);

        if (value) {
            json_object_put(spec, copied[i], json_clone(value));
        }
    }
    json_object_put_string(attrs, "verb", "list");
    json_object_put_string(attrs, "group", "kubeovn.io");
    json_object_put_string(attrs, "resource", "subnets");
    json_object_put(spec, "resourceAttributes", attrs);
    json_object_put_string(review, "apiVersion", "authorization.k8s.io/v1");
    json_object_put_string(review, "kind", "SubjectAccessReview");
    json_object_put(review, "spec", spec);
    return review;
}

static void
token_reviewed(struct kube_response *response, void *e_)
{
    struct entry *e = e_;
    const struct json *status = json_member(response->body, "status");
    const struct json *user = json_member(status, "user");
    bool authenticated = false;
    const char *username = NULL;
    struct json *review;
    char *why;

    if (response->status != 201 && response->status != 200) {
        why = xasprintf("TokenReview failed: %s",
                        *response->message ? response->message : "no answer");
        settle(e, UI_AUTH_UNAVAILABLE, why);
        free(why);
        return;
    }
    json_member_bool(status, "authenticated", "", &authenticated, NULL);
    json_member_string(user, "username", "", &username, NULL);
    if (!authenticated || !username) {
        settle(e, UI_AUTH_UNAUTHENTICATED,
               "the API server does not accept this token");
        return;
    }
    e->user = xstrdup(username);
    review = access_review(user);
    e->request = kube_create(e->auth->client, ACCESS_REVIEWS, review,
                             access_reviewed, e);
    json_destroy(review);
}

static void
cache_make_room(struct ui_auth *auth)
{
    long long now = time_msec();
    struct shash_node *node;

    if (shash_count(&auth->entries) < UI_AUTH_CACHE_MAX) {
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        SHASH_FOR_EACH_SAFE(node, &auth->entries)
        {
            struct entry *e = node->data;

            if (e->settled && (pass || e->expires_ms <= now)) {
                shash_delete(&auth->entries, node);
                entry_free(e);
            }
        }
        if (shash_count(&auth->entries) < UI_AUTH_CACHE_MAX) {
            return;
        }
    }
}

static char *
token_key(const char *token)
{
    uint8_t digest[SHA1_DIGEST_SIZE];
    struct ds key = DS_EMPTY_INITIALIZER;

    sha1_bytes(token, strlen(token), digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        ds_put_format(&key, "%02x", digest[i]);
    }
    return ds_steal_cstr(&key);
}

void
ui_auth_check(struct ui_auth *auth, const char *token, ui_auth_fn *done,
              void *aux)
{
    struct entry *e;
    struct json *review, *spec;
    char *key;

    if (!token || !*token) {
        done(UI_AUTH_UNAUTHENTICATED,
             "no bearer token (Authorization header or kovn_ui_token "
             "cookie)",
             aux);
        return;
    }
    if (strlen(token) > UI_AUTH_TOKEN_MAX) {
        done(UI_AUTH_UNAUTHENTICATED, "bearer token too long", aux);
        return;
    }
    key = token_key(token);
    e = shash_find_data(&auth->entries, key);
    if (e && e->settled && e->expires_ms <= time_msec()) {
        shash_find_and_delete(&auth->entries, key);
        entry_free(e);
        e = NULL;
    }
    if (!e) {
        cache_make_room(auth);
        e = xzalloc(sizeof *e);
        e->auth = auth;
        e->key = xstrdup(key);
        shash_add(&auth->entries, key, e);
        spec = json_object_create();
        json_object_put_string(spec, "token", token);
        review = json_object_create();
        json_object_put_string(review, "apiVersion",
                               "authentication.k8s.io/v1");
        json_object_put_string(review, "kind", "TokenReview");
        json_object_put(review, "spec", spec);
        e->request = kube_create(auth->client, TOKEN_REVIEWS, review,
                                 token_reviewed, e);
        json_destroy(review);
    }
    free(key);
    if (e->settled) {
        done(e->verdict, e->why, aux);
        return;
    }
    if (e->n_waiters == e->allocated_waiters) {
        e->waiters =
            x2nrealloc(e->waiters, &e->allocated_waiters, sizeof *e->waiters);
    }
    e->waiters[e->n_waiters++] = (struct waiter){done, aux};
}

void
ui_auth_destroy(struct ui_auth *auth)
{
    struct shash_node *node;

    if (!auth) {
        return;
    }
    SHASH_FOR_EACH_SAFE(node, &auth->entries)
    {
        struct entry *e = node->data;

        if (e->request) {
            kube_request_cancel(e->request);
            e->request = NULL;
        }
        if (!e->settled) {
            /* settle() frees it and its node. */
            settle(e, UI_AUTH_UNAVAILABLE, "the controller is stopping");
        } else {
            shash_delete(&auth->entries, node);
            entry_free(e);
        }
    }
    shash_destroy(&auth->entries);
    free(auth);
}

int
ui_auth_http_status(enum ui_auth_verdict verdict)
{
    switch (verdict) {
    case UI_AUTH_ALLOWED:
        return 200;
    case UI_AUTH_UNAUTHENTICATED:
        return 401;
    case UI_AUTH_FORBIDDEN:
        return 403;
    case UI_AUTH_UNAVAILABLE:
    default:
        return 503;
    }
}
