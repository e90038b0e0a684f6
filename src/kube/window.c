/* The adaptive in-flight window; see window.h. */
#include <config.h>

#include "kube/window.h"

#include <errno.h>

#include "util.h"

void
kube_window_init(struct kube_window *w, int ceiling)
{
    w->ceiling = ceiling > 0 ? ceiling : 1;
    w->size = MIN(KUBE_WINDOW_INITIAL, w->ceiling);
    w->threshold = w->ceiling;
    w->srtt_ms = 0;
    w->hold_until_ms = 0;
    w->cuts = 0;
}

size_t
kube_window_limit(const struct kube_window *w)
{
    return w->size >= 1 ? (size_t)w->size : 1;
}

bool
kube_window_is_overload(long status, int error)
{
    return status == 429 || status == 503 || status == 504 ||
           error == -ETIMEDOUT;
}

static void
cut(struct kube_window *w, long long now_ms)
{
    if (now_ms < w->hold_until_ms) {
        return;
    }
    w->size = MAX(1.0, w->size / 2);
    w->threshold = w->size;
    w->cuts++;
    /* The answers already on their way were sent into the same overload:
     * let one round trip pass before judging again. */
    w->hold_until_ms = now_ms + (long long)MAX(w->srtt_ms, 1.0);
}

void
kube_window_update(struct kube_window *w, long status, int error,
                   double latency_ms, long long now_ms)
{
    if (latency_ms < 0) {
        latency_ms = 0;
    }
    if (kube_window_is_overload(status, error) ||
        latency_ms > KUBE_WINDOW_SLOW_MS) {
        cut(w, now_ms);
        return;
    }
    if (!status) {
        /* Refused connection, reset, DNS: the server is absent, not busy;
         * the caller's retries and backoff deal with that. */
        return;
    }
    w->srtt_ms =
        w->srtt_ms ? 0.875 * w->srtt_ms + 0.125 * latency_ms : latency_ms;
    if (w->size < w->threshold) {
        w->size += 1.0;
    } else {
        w->size += 1.0 / w->size;
    }
    w->size = MIN(w->size, w->ceiling);
}
