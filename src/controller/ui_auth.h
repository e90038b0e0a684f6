/* Who may read kovn-controller's /ui pages when they are served beyond
 * localhost: callers whose bearer token the API server accepts
 * (TokenReview) and who may list Subnets (SubjectAccessReview), the rule
 * kube-rbac-proxy applies in front of metrics.  The page shows every
 * Subnet, Vpc and namespace binding, so "may list subnets" is the right
 * question; asking it of the API server keeps RBAC the only policy.
 *
 * Answers are cached by a hash of the token (the token itself is not
 * kept): allowed for UI_AUTH_ALLOW_TTL_MS, refused for
 * UI_AUTH_DENY_TTL_MS, so that a page's several requests cost one review
 * and a revoked binding takes effect within a minute.  A review that could
 * not be made (API server unreachable) is not cached. */
#ifndef KOVN_CONTROLLER_UI_AUTH_H
#define KOVN_CONTROLLER_UI_AUTH_H 1

#include <stdbool.h>

struct kube_client;

#define UI_AUTH_ALLOW_TTL_MS (60 * 1000)
#define UI_AUTH_DENY_TTL_MS  (10 * 1000)
/* Distinct tokens remembered; past it, expired answers are dropped, then
 * all settled ones. */
#define UI_AUTH_CACHE_MAX 1024
/* Longest token accepted: service account tokens are about 1 KiB, OIDC
 * tokens a few. */
#define UI_AUTH_TOKEN_MAX (16 * 1024)

enum ui_auth_verdict {
    UI_AUTH_ALLOWED,
    UI_AUTH_UNAUTHENTICATED, /* No token, or the API server refused it. */
    UI_AUTH_FORBIDDEN,       /* Known caller, may not list subnets. */
    UI_AUTH_UNAVAILABLE,     /* The reviews could not be made. */
};

/* 'why' says what was decided and for whom ("user alice may not list
 * subnets.kubeovn.io"); it is only valid during the call. */
typedef void ui_auth_fn(enum ui_auth_verdict verdict, const char *why,
                        void *aux);

struct ui_auth;

struct ui_auth *ui_auth_create(struct kube_client *client);
/* Calls every waiting callback with UI_AUTH_UNAVAILABLE. */
void ui_auth_destroy(struct ui_auth *auth);

/* Decides for 'token' (NULL or "" for none), calling 'done' once: at once
 * when the answer is known, else from kube_client_run() when the reviews
 * come back. */
void ui_auth_check(struct ui_auth *auth, const char *token, ui_auth_fn *done,
                   void *aux);

/* The HTTP status that goes with a refusal: 401, 403 or 503. */
int ui_auth_http_status(enum ui_auth_verdict verdict);

#endif /* KOVN_CONTROLLER_UI_AUTH_H */
