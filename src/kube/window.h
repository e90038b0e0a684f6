/* How many requests a client keeps in flight to the API server, adapted to
 * what the server says, as TCP adapts its congestion window.
 *
 * A fixed request rate is wrong in both directions: a bulk of writes (10,000
 * new pods) waits on a limit far below what the server can take, while a
 * server already overloaded by others gets the same rate regardless.  The
 * window instead lets the server's answers clock the requests: it grows
 * while requests succeed (doubling per round trip up to a threshold, then by
 * one per round trip) and halves when the server signals overload: a 429
 * (its max-in-flight or priority-and-fairness limits), a 503 or 504, a
 * request timing out, or an answer slower than KUBE_WINDOW_SLOW_MS.  One
 * overload shows in many answers at once, so after a cut the window does
 * not cut again for one round trip.
 *
 * Pure: time comes in as arguments, so that tests replay any sequence. */
#ifndef KOVN_KUBE_WINDOW_H
#define KOVN_KUBE_WINDOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The window starts at this (or its ceiling, if lower): a client's first
 * round trips probe before they load. */
#define KUBE_WINDOW_INITIAL 8

/* An answer slower than this means a server queueing far more than it
 * serves (the API server's own request timeout is 60 s): the window is cut
 * even without an error status. */
#define KUBE_WINDOW_SLOW_MS 5000

struct kube_window {
    double size;      /* Requests allowed in flight: at least 1. */
    double ceiling;   /* Never above: the client's max_in_flight. */
    double threshold; /* Below it, growth is exponential (slow start). */
    double srtt_ms;   /* Smoothed latency of answered requests; 0: none. */
    long long hold_until_ms; /* No second cut before this. */
    uint64_t cuts;           /* Times the window was cut. */
};

void kube_window_init(struct kube_window *, int ceiling);

/* The number of requests that may be in flight now. */
size_t kube_window_limit(const struct kube_window *);

/* True if an answer with HTTP 'status' (0: none came) and transport error
 * 'error' (0 or a negative errno) is the server saying it is overloaded. */
bool kube_window_is_overload(long status, int error);

/* Feeds one finished request (not a watch stream): its HTTP 'status' (0 if
 * none came), transport 'error', its latency, and the time now. */
void kube_window_update(struct kube_window *, long status, int error,
                        double latency_ms, long long now_ms);

#endif /* KOVN_KUBE_WINDOW_H */
