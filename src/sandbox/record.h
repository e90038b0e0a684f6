/* What kovn-sandboxd remembers of each sandbox across restarts, as a
 * container runtime keeps its sandbox metadata and libcni its result cache:
 * one small JSON file per sandbox in the state directory, named after the
 * pod's uid and written atomically (temp file + rename) before the
 * namespace exists and again with the ADD's result.  A restart reads them
 * to CHECK sandboxes whose pod is still there and to DEL the others with
 * the same container ID and arguments as their ADD. */
#ifndef KOVN_SANDBOX_RECORD_H
#define KOVN_SANDBOX_RECORD_H 1

struct json;
struct kovn_error;
struct sset;

#define RECORD_FILE_MAX  (1024 * 1024)
#define RECORD_FIELD_MAX 253
#define RECORD_SUFFIX    ".json"

struct record {
    char *uid;       /* The pod's; [A-Za-z0-9-], a file name. */
    char *namespace; /* The pod's namespace and name. */
    char *name;
    char *id;            /* CNI_CONTAINERID. */
    char *netns;         /* CNI_NETNS, an absolute path. */
    struct json *result; /* The ADD's result; NULL until it succeeded. */
};

void record_init(struct record *);
void record_destroy(struct record *);

struct json *record_to_json(const struct record *);
/* Returns 0 or -EINVAL/-EBADMSG naming the field; 'out' is always safe to
 * destroy. */
int record_from_json(const struct json *, struct record *out,
                     struct kovn_error *);

int record_save(const char *dir, const struct record *, struct kovn_error *);
int record_load(const char *dir, const char *uid, struct record *out,
                struct kovn_error *);
/* A missing file is success. */
int record_remove(const char *dir, const char *uid, struct kovn_error *);
/* Adds the uids that have a record in 'dir' to 'uids'. */
int record_list(const char *dir, struct sset *uids, struct kovn_error *);

#endif /* KOVN_SANDBOX_RECORD_H */
