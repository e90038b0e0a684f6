/* Pod sandboxes' network namespaces, made the way `ip netns add` makes
 * them: a thread unshares its network namespace and bind-mounts
 * /proc/self/task/<tid>/ns/net on a file in the netns directory, which
 * keeps the namespace alive after the thread is gone; its loopback is
 * brought up as a container runtime does.  Removal unmounts and unlinks,
 * and both are idempotent so that a restart can finish what a crash
 * interrupted.  Creation takes a few milliseconds and runs in the caller
 * (the thread is joined at once). */
#ifndef KOVN_SANDBOX_NETNS_H
#define KOVN_SANDBOX_NETNS_H 1

struct kovn_error;
struct sset;

/* Creates 'dir' if needed and the namespace file 'dir'/'name'.  -EEXIST if
 * it is already there. */
int netns_create(const char *dir, const char *name, struct kovn_error *);
/* Unmounts and unlinks 'path'; a missing file is success. */
int netns_remove(const char *path, struct kovn_error *);
/* Adds the names in 'dir' that start with 'prefix' to 'names'; a missing
 * 'dir' is empty. */
int netns_list(const char *dir, const char *prefix, struct sset *names,
               struct kovn_error *);

#endif /* KOVN_SANDBOX_NETNS_H */
