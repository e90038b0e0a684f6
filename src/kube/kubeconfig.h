/* Where and how to reach the Kubernetes API: kubeconfig files, loaded the
 * way kubectl loads them, or the in-cluster service account.
 *
 * Lookup order (kube_config_load): the --kubeconfig file if given; else the
 * files of $KUBECONFIG (colon-separated, merged: for clusters, users and
 * contexts the first file defining a name wins, and the first file setting
 * current-context wins); else ~/.kube/config; else the in-cluster service
 * account.  Relative file paths in a kubeconfig are relative to the file
 * that names them.  Errors name the file and the field. */
#ifndef KOVN_KUBE_KUBECONFIG_H
#define KOVN_KUBE_KUBECONFIG_H 1

#include <stdbool.h>
#include <stddef.h>

struct kovn_error;

#define KUBE_SERVICE_ACCOUNT_DIR \
    "/var/run/secrets/kubernetes.io/serviceaccount"

struct kube_config {
    char *server;  /* "https://host:port", no trailing slash. */
    char *ca_file; /* Absolute path or NULL. */
    char *ca_pem;  /* certificate-authority-data, decoded, or NULL. */
    size_t ca_pem_len;
    char *cert_file; /* Client certificate: file or PEM data. */
    char *cert_pem;
    size_t cert_pem_len;
    char *key_file; /* Client key: file or PEM data. */
    char *key_pem;
    size_t key_pem_len;
    char *token;      /* Bearer token (inline or read from token_file). */
    char *token_file; /* Kept so a rotated token can be re-read. */
    bool insecure;    /* insecure-skip-tls-verify. */
    char *tls_server_name;
    char *namespace; /* The context's namespace, "default" if unset. */
    char *context;   /* Context used, or "in-cluster". */
};

void kube_config_init(struct kube_config *config);
void kube_config_destroy(struct kube_config *config);

/* kubectl's order, see above.  'kubeconfig' is the --kubeconfig flag (NULL
 * if not given), 'context' overrides current-context (NULL: no override). */
int kube_config_load(const char *kubeconfig, const char *context,
                     struct kube_config *config, struct kovn_error *err);

/* Merges the given kubeconfig files (missing files are skipped, as kubectl
 * does for $KUBECONFIG, unless 'n_paths' is 1). */
int kube_config_load_files(const char *const *paths, size_t n_paths,
                           const char *context, struct kube_config *config,
                           struct kovn_error *err);

/* One kubeconfig document held in memory; relative paths are resolved
 * against 'base_dir'. */
int kube_config_parse(const char *source, const char *base_dir,
                      const char *text, size_t len, const char *context,
                      struct kube_config *config, struct kovn_error *err);

/* The in-cluster service account: token, ca.crt and namespace in 'sa_dir'
 * (KUBE_SERVICE_ACCOUNT_DIR in a pod), server from
 * KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT. */
int kube_config_in_cluster(const char *sa_dir, struct kube_config *config,
                           struct kovn_error *err);

#endif /* KOVN_KUBE_KUBECONFIG_H */
