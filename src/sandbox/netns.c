/* Network namespaces for pod sandboxes; see netns.h. */
#include <config.h>

#include "sandbox/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.h"
#include "sset.h"
#include "util.h"

struct maker {
    const char *path;
    int error;
    char msg[200];
};

static void *
make_netns(void *maker_)
{
    struct maker *m = maker_;
    char self[64];
    struct ifreq ifr;
    int fd;

    /* Only this thread moves to the new namespace, and it exits after. */
    if (unshare(CLONE_NEWNET)) {
        m->error = -errno;
        snprintf(m->msg, sizeof m->msg, "unshare: %s", strerror(errno));
        return NULL;
    }
    snprintf(self, sizeof self, "/proc/self/task/%ld/ns/net",
             (long)syscall(SYS_gettid));
    if (mount(self, m->path, "none", MS_BIND, NULL)) {
        m->error = -errno;
        snprintf(m->msg, sizeof m->msg, "bind mount on %s: %s", m->path,
                 strerror(errno));
        return NULL;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr))) {
        m->error = -errno;
        snprintf(m->msg, sizeof m->msg, "setting lo up: %s", strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

int
netns_create(const char *dir, const char *name, struct kovn_error *err)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct maker m = {.path = path};
    pthread_t thread;
    int error = 0, fd;

    if (mkdir(dir, 0755) && errno != EEXIST) {
        error =
            kovn_error_set(err, -errno, "mkdir %s: %s", dir, strerror(errno));
        goto out;
    }
    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) {
        error = kovn_error_set(err, -errno, "creating %s: %s", path,
                               strerror(errno));
        goto out;
    }
    close(fd);
    error = pthread_create(&thread, NULL, make_netns, &m);
    if (error) {
        error =
            kovn_error_set(err, -error, "pthread_create: %s", strerror(error));
    } else {
        pthread_join(thread, NULL);
        if (m.error) {
            error = kovn_error_set(err, m.error, "%s", m.msg);
        }
    }
    if (error) {
        umount2(path, MNT_DETACH);
        unlink(path);
    }
out:
    free(path);
    return error;
}

int
netns_remove(const char *path, struct kovn_error *err)
{
    if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
        return kovn_error_set(err, -errno, "umount %s: %s", path,
                              strerror(errno));
    }
    if (unlink(path) && errno != ENOENT) {
        return kovn_error_set(err, -errno, "unlink %s: %s", path,
                              strerror(errno));
    }
    return 0;
}

int
netns_list(const char *dir, const char *prefix, struct sset *names,
           struct kovn_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        return errno == ENOENT ? 0
                               : kovn_error_set(err, -errno, "opendir %s: %s",
                                                dir, strerror(errno));
    }
    while ((de = readdir(d))) {
        if (!strncmp(de->d_name, prefix, strlen(prefix))) {
            sset_add(names, de->d_name);
        }
    }
    closedir(d);
    return 0;
}
